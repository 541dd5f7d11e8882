"""ViewSingleStep: a ViewPrint that prompts (``>``) and waits for Enter after each event
line and each table."""

from __future__ import annotations

import sys

from hackamore.compat.ViewPrint import ViewPrint


class ViewSingleStep(ViewPrint):
    def __repr__(self) -> str:
        return ViewPrint.__repr__(self) + ".ViewSingleStep()"

    def _step(self) -> None:
        self.stream.write(">")
        self.stream.flush()
        sys.stdin.readline()

    def postevent(self) -> None:
        self._step()

    def postdisplay(self) -> None:
        self._step()
