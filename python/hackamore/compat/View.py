"""View: one method per hook (with channel names as well as Uniqueids) and
``display()``, called after each handled event once the model has changed. The base
View logs each event at DEBUG and shows nothing; subclass it."""

from __future__ import annotations

import logging
from typing import Any

from hackamore.compat import Logger


class View:
    def __init__(self, model: Any = None, logger: logging.Logger | None = None) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.model = model

    def __repr__(self) -> str:
        return "View(" + str(self.model) + ")"

    def _log(self, name: str, *args: Any) -> None:
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug("View: EVENT: %s", " ".join(str(a) for a in (name, *args)))

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
        self._log("Bridge", pbx, uniqueid1, channel1, callerid1, uniqueid2, channel2, callerid2)

    def confbridgeend(self, pbx: str, conference: str) -> None:
        self._log("ConfbridgeEnd", pbx, conference)

    def confbridgejoin(self, pbx: str, uniqueid: str, channel: str, conference: str) -> None:
        self._log("ConfbridgeJoin", pbx, uniqueid, channel, conference)

    def confbridgeleave(self, pbx: str, uniqueid: str, channel: str, conference: str) -> None:
        self._log("ConfbridgeLeave", pbx, uniqueid, channel, conference)

    def confbridgestart(self, pbx: str, conference: str) -> None:
        self._log("ConfbridgeStart", pbx, conference)

    def dial(
        self, pbx: str, uniqueid: str, channel: str, destuniqueid: str, destination: str
    ) -> None:
        self._log("Dial", pbx, uniqueid, channel, destuniqueid, destination)

    def dialend(self, pbx: str, uniqueid: str, channel: str, dialstatus: str) -> None:
        self._log("DialEnd", pbx, uniqueid, channel, dialstatus)

    def end(self, pbx: str) -> None:
        self._log("END", pbx)

    def hangup(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._log("Hangup", pbx, uniqueid, channel)

    def hanguprequest(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._log("HangupRequest", pbx, uniqueid, channel)

    def localbridge(
        self, pbx: str, uniqueid1: str, channel1: str, uniqueid2: str, channel2: str
    ) -> None:
        self._log("LocalBridge", pbx, uniqueid1, channel1, uniqueid2, channel2)

    def musiconhold(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._log("MusicOnHold", pbx, uniqueid, channel, "Start")

    def musicoffhold(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._log("MusicOnHold", pbx, uniqueid, channel, "Stop")

    def newcallerid(self, pbx: str, uniqueid: str, channel: str, calleridnum: str) -> None:
        self._log("NewCallerid", pbx, uniqueid, channel, calleridnum)

    def newchannel(
        self,
        pbx: str,
        uniqueid: str,
        channel: str,
        calleridnum: str,
        channelstate: str,
        channelstatedesc: str,
    ) -> None:
        self._log("Newchannel", pbx, uniqueid, channel, calleridnum, channelstate, channelstatedesc)

    def newstate(
        self, pbx: str, uniqueid: str, channel: str, channelstate: str, channelstatedesc: str
    ) -> None:
        self._log("Newstate", pbx, uniqueid, channel, channelstate, channelstatedesc)

    def rename(self, pbx: str, uniqueid: str, channel: str, newname: str) -> None:
        self._log("Rename", pbx, uniqueid, channel, newname)

    def sipcallid(self, pbx: str, uniqueid: str, channel: str, value: str) -> None:
        self._log("SIPCALLID", pbx, uniqueid, channel, value)

    def softhanguprequest(self, pbx: str, uniqueid: str, channel: str, cause: str) -> None:
        self._log("SoftHangupRequest", pbx, uniqueid, channel, cause)

    def display(self) -> None:
        """Called after each handled event, once the model has changed."""
