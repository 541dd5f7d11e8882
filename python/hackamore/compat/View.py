"""The base View: one method per hook (with channel names as well as Uniqueids) and
``display()``, called after each handled event. It shows nothing; subclass it."""

from __future__ import annotations

import logging
from typing import Any

from hackamore.compat import Logger


class View:
    def __init__(self, model: Any = None, logger: logging.Logger | None = None) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.model = model

    def __repr__(self) -> str:
        return f"View({self.model})"

    def bridge(
        self,
        pbx: str,
        uniqueid1: str,
        channel1: str,
        callerid1: str,
        uniqueid2: str,
        channel2: str,
        callerid2: str,
    ) -> None:
        pass

    def confbridgeend(self, pbx: str, conference: str) -> None:
        pass

    def confbridgejoin(self, pbx: str, uniqueid: str, channel: str, conference: str) -> None:
        pass

    def confbridgeleave(self, pbx: str, uniqueid: str, channel: str, conference: str) -> None:
        pass

    def confbridgestart(self, pbx: str, conference: str) -> None:
        pass

    def dial(
        self, pbx: str, uniqueid: str, channel: str, destuniqueid: str, destination: str
    ) -> None:
        pass

    def dialend(self, pbx: str, uniqueid: str, channel: str, dialstatus: str) -> None:
        pass

    def end(self, pbx: str) -> None:
        pass

    def hangup(self, pbx: str, uniqueid: str, channel: str) -> None:
        pass

    def hanguprequest(self, pbx: str, uniqueid: str, channel: str) -> None:
        pass

    def localbridge(
        self, pbx: str, uniqueid1: str, channel1: str, uniqueid2: str, channel2: str
    ) -> None:
        pass

    def musiconhold(self, pbx: str, uniqueid: str, channel: str) -> None:
        pass

    def musicoffhold(self, pbx: str, uniqueid: str, channel: str) -> None:
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

    def newstate(
        self, pbx: str, uniqueid: str, channel: str, channelstate: str, channelstatedesc: str
    ) -> None:
        pass

    def rename(self, pbx: str, uniqueid: str, channel: str, newname: str) -> None:
        pass

    def sipcallid(self, pbx: str, uniqueid: str, channel: str, value: str) -> None:
        pass

    def softhanguprequest(self, pbx: str, uniqueid: str, channel: str, cause: str) -> None:
        pass

    def display(self) -> None:
        """Called after each handled event, once the model has changed."""

    def refresh(self) -> None:
        """The old name of display()."""
        self.display()
