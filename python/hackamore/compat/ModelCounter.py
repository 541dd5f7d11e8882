"""ModelCounter: a Model that only counts the calls of each hook (for tests), under the
2014 framework's keys: the event names, and ``Event.START`` / ``Event.STOP`` for music on
hold starting and stopping. A ``dialend`` (added here) counts under ``Event.DIALEND``."""

from __future__ import annotations

import logging

from hackamore.compat import Event
from hackamore.compat.Model import Model

# The key each hook counts under.
KEYS = {
    "bridge": Event.BRIDGE,
    "confbridgeend": Event.CONFBRIDGEEND,
    "confbridgejoin": Event.CONFBRIDGEJOIN,
    "confbridgeleave": Event.CONFBRIDGELEAVE,
    "confbridgestart": Event.CONFBRIDGESTART,
    "dial": Event.DIAL,
    "end": Event.END,
    "hangup": Event.HANGUP,
    "localbridge": Event.LOCALBRIDGE,
    "newchannel": Event.NEWCHANNEL,
    "newstate": Event.NEWSTATE,
    "rename": Event.RENAME,
    "sipcallid": Event.SIPCALLID,
    "hanguprequest": Event.HANGUPREQUEST,
    "musiconhold": Event.START,
    "musicoffhold": Event.STOP,
    "newcallerid": Event.NEWCALLERID,
    "softhanguprequest": Event.SOFTHANGUPREQUEST,
}


class ModelCounter(Model):
    """``counter[key]`` is the number of calls of the hook counted under `key`."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        Model.__init__(self, logger)
        self.counter: dict[str, int] = dict.fromkeys(KEYS.values(), 0)

    def __repr__(self) -> str:
        return Model.__repr__(self) + ".ModelCounter()"

    def _count(self, key: str) -> None:
        self.counter[key] = self.counter.get(key, 0) + 1

    def bridge(self, pbx: str, uniqueid1: str, uniqueid2: str) -> None:
        self._count(Event.BRIDGE)

    def confbridgeend(self, pbx: str, conference: str) -> None:
        self._count(Event.CONFBRIDGEEND)

    def confbridgejoin(self, pbx: str, uniqueid: str, conference: str) -> None:
        self._count(Event.CONFBRIDGEJOIN)

    def confbridgeleave(self, pbx: str, uniqueid: str, conference: str) -> None:
        self._count(Event.CONFBRIDGELEAVE)

    def confbridgestart(self, pbx: str, conference: str) -> None:
        self._count(Event.CONFBRIDGESTART)

    def dial(self, pbx: str, uniqueid: str, destuniqueid: str) -> None:
        self._count(Event.DIAL)

    def dialend(self, pbx: str, uniqueid: str, dialstatus: str) -> None:
        self._count(Event.DIALEND)

    def end(self, pbx: str) -> None:
        self._count(Event.END)

    def hangup(self, pbx: str, uniqueid: str) -> None:
        self._count(Event.HANGUP)

    def localbridge(self, pbx: str, uniqueid1: str, uniqueid2: str) -> None:
        self._count(Event.LOCALBRIDGE)

    def newchannel(
        self,
        pbx: str,
        uniqueid: str,
        channel: str,
        calleridnum: str,
        channelstate: str,
        channelstatedesc: str,
    ) -> None:
        self._count(Event.NEWCHANNEL)

    def newstate(self, pbx: str, uniqueid: str, channelstate: str, channelstatedesc: str) -> None:
        self._count(Event.NEWSTATE)

    def rename(self, pbx: str, uniqueid: str, newname: str) -> None:
        self._count(Event.RENAME)

    def sipcallid(self, pbx: str, uniqueid: str, value: str) -> None:
        self._count(Event.SIPCALLID)

    def hanguprequest(self, pbx: str, uniqueid: str) -> None:
        self._count(Event.HANGUPREQUEST)

    def musiconhold(self, pbx: str, uniqueid: str) -> None:
        self._count(Event.START)

    def musicoffhold(self, pbx: str, uniqueid: str) -> None:
        self._count(Event.STOP)

    def newcallerid(self, pbx: str, uniqueid: str, channel: str, calleridnum: str) -> None:
        self._count(Event.NEWCALLERID)

    def softhanguprequest(self, pbx: str, uniqueid: str, cause: str) -> None:
        self._count(Event.SOFTHANGUPREQUEST)
