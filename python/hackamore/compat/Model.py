"""The base Model: the containers of the call state and one no-op method per hook.
Subclass it and override the hooks you need (as with the old framework)."""

from __future__ import annotations

import logging
from typing import Any

from hackamore.compat import Logger


class Model:
    """Containers: ``channels[pbx][uniqueid]``, ``bridges[pbx][conference][uniqueid]``,
    ``trunks[sipcallid]``, ``calls`` (a list of channel lists), ``numbers[pbx][channel]``.
    The base class changes nothing; ModelStandard is the model that does."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.channels: dict[str, dict[str, Any]] = {}
        self.bridges: dict[str, dict[str, dict[str, Any]]] = {}
        self.trunks: dict[str, Any] = {}
        self.calls: list[list[Any]] = []
        self.numbers: dict[str, dict[str, str]] = {}

    def __repr__(self) -> str:
        return f"Model({hex(id(self))})"

    def bridge(self, pbx: str, uniqueid1: str, uniqueid2: str) -> None:
        pass

    def confbridgeend(self, pbx: str, conference: str) -> None:
        pass

    def confbridgejoin(self, pbx: str, uniqueid: str, conference: str) -> None:
        pass

    def confbridgeleave(self, pbx: str, uniqueid: str, conference: str) -> None:
        pass

    def confbridgestart(self, pbx: str, conference: str) -> None:
        pass

    def dial(self, pbx: str, uniqueid: str, destuniqueid: str) -> None:
        pass

    def dialend(self, pbx: str, uniqueid: str, dialstatus: str) -> None:
        pass

    def end(self, pbx: str) -> None:
        pass

    def hangup(self, pbx: str, uniqueid: str) -> None:
        pass

    def hanguprequest(self, pbx: str, uniqueid: str) -> None:
        pass

    def localbridge(self, pbx: str, uniqueid1: str, uniqueid2: str) -> None:
        pass

    def musiconhold(self, pbx: str, uniqueid: str) -> None:
        pass

    def musicoffhold(self, pbx: str, uniqueid: str) -> None:
        pass

    def newcallerid(self, pbx: str, uniqueid: str, channel: str, calleridnum: str) -> None:
        pass

    def newchannel(
        self,
        pbx: str,
        uniqueid: str,
        channel: str,
        calleridnum: str,
        channelstate: str,
        channelstatedesc: str,
    ) -> None:
        pass

    def newstate(self, pbx: str, uniqueid: str, channelstate: str, channelstatedesc: str) -> None:
        pass

    def rename(self, pbx: str, uniqueid: str, newname: str) -> None:
        pass

    def sipcallid(self, pbx: str, uniqueid: str, value: str) -> None:
        pass

    def softhanguprequest(self, pbx: str, uniqueid: str, cause: str) -> None:
        pass
