"""ViewPrint for a terminal: the screen is cleared and the cursor homed before each event,
so the table stays in place as a live view."""

from __future__ import annotations

from typing import Any

from hackamore.compat.ViewPrint import ViewPrint

CLEAR = "\x1b[2J\x1b[1;1H"


class ViewCurses(ViewPrint):
    def __repr__(self) -> str:
        return ViewPrint.__repr__(self) + ".ViewCurses()"

    def event(self, hook: str, pbx: str, *args: Any) -> None:
        self._write(CLEAR)
        ViewPrint.event(self, hook, pbx, *args)
