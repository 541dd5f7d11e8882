"""ViewCurses: a ViewPrint for a terminal, which clears the screen and homes the cursor
(ANSI ``ESC[2J ESC[1;1H``) before each event, so the table stays in place."""

from __future__ import annotations

from hackamore.compat.ViewPrint import ViewPrint

ERASE = "\x1b[2J"
HOME = "\x1b[1;1H"


class ViewCurses(ViewPrint):
    def __repr__(self) -> str:
        return ViewPrint.__repr__(self) + ".ViewCurses()"

    def preevent(self) -> None:
        self.stream.write(ERASE)
        self.stream.write(HOME)
