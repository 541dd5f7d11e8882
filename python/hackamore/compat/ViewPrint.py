"""A View that prints each event, then the model as a table, to standard output.

Each event: ``EVENT <serial from 0> <EventName> <pbx> <the hook's arguments...>``.
Each table: a header row ``VIEW SOURCE UNIQUEID CHANNEL ...``, then the sections
`` CHANNELS``, one `` CALL`` per call, `` BRIDGES``, `` TRUNKS`` and `` NUMBERS``, one row
per channel (or number).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from hackamore.compat import Event
from hackamore.compat.Channel import ACTIVITY, ROLE
from hackamore.compat.View import View

HEADER = (
    "SOURCE",
    "UNIQUEID",
    "CHANNEL",
    "CALLERID",
    "ROLE",
    "ACTIVITY",
    "STATE",
    "BRIDGE",
    "CALL",
    "SIPCALLID",
)
# Column widths after the 4-wide label; the last column (SIPCALLID) is not padded.
WIDTHS = (16, 16, 64, 16, 8, 8, 8, 8, 12)


def row(label: str, cells: Sequence[Any]) -> str:
    text = [("" if c is None else str(c)) for c in cells]
    padded = [t.ljust(w) for t, w in zip(text, WIDTHS)]
    return " ".join([label.ljust(4), *padded, *text[len(WIDTHS) :]]).rstrip()


class ViewPrint(View):
    def __init__(
        self, model: Any = None, logger: logging.Logger | None = None, out: TextIO | None = None
    ) -> None:
        View.__init__(self, model, logger)
        self.sn = 0
        self.out = out

    def __repr__(self) -> str:
        return View.__repr__(self) + ".ViewPrint()"

    def _write(self, line: str) -> None:
        print(line, file=self.out if self.out is not None else sys.stdout)

    def event(self, hook: str, pbx: str, *args: Any) -> None:
        """Print one event line (every hook comes here)."""
        words = ["EVENT", str(self.sn), Event.NAMES[hook], str(pbx), *(str(a) for a in args)]
        self._write(" ".join(words))
        self.sn += 1

    def _channel_row(self, chan: Any, calls: dict[int, str]) -> str:
        sipcallid = chan.sipcallid.split("@", 1)[0] if chan.sipcallid else ""
        call = calls.get(id(chan.call), "") if chan.call is not None else ""
        return row(
            "",
            [
                chan.pbx,
                chan.uniqueid,
                chan.channel,
                chan.calleridnum or "",
                ROLE[chan.role],
                ACTIVITY[chan.activity],
                chan.channelstatedesc,
                chan.conference or "",
                call,
                sipcallid,
            ],
        )

    def display(self) -> None:
        model = self.model
        if model is None:
            return
        calls = {id(call): f"call-{i}" for i, call in enumerate(model.calls)}
        lines = [row("VIEW", HEADER), " CHANNELS"]
        for channels in model.channels.values():
            lines.extend(self._channel_row(c, calls) for c in channels.values())
        for call in model.calls:
            lines.append(" CALL")
            lines.extend(self._channel_row(c, calls) for c in call)
        lines.append(" BRIDGES")
        for rooms in model.bridges.values():
            for members in rooms.values():
                lines.extend(self._channel_row(c, calls) for c in members.values())
        lines.append(" TRUNKS")
        lines.extend(self._channel_row(c, calls) for c in model.trunks.values())
        lines.append(" NUMBERS")
        for pbx, numbers in model.numbers.items():
            lines.extend(row("", [pbx, "", name, number]) for name, number in numbers.items())
        for line in lines:
            self._write(line)


def _printing(hook: str) -> Any:
    def method(self: ViewPrint, pbx: str, *args: Any) -> None:
        self.event(hook, pbx, *args)

    method.__name__ = hook
    return method


for _hook in Event.NAMES:
    setattr(ViewPrint, _hook, _printing(_hook))
