"""ViewPrint that waits for Enter after each event and after each table."""

from __future__ import annotations

import sys
from typing import Any

from hackamore.compat.ViewPrint import ViewPrint


class ViewSingleStep(ViewPrint):
    def __repr__(self) -> str:
        return ViewPrint.__repr__(self) + ".ViewSingleStep()"

    def _step(self) -> None:
        sys.stdin.readline()

    def event(self, hook: str, pbx: str, *args: Any) -> None:
        ViewPrint.event(self, hook, pbx, *args)
        self._step()

    def display(self) -> None:
        ViewPrint.display(self)
        self._step()
