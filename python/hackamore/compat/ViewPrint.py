"""ViewPrint: a View that prints each event, then the model as a table, to standard
output, as the 2014 ViewPrint did.

An event: ``EVENT <serial from 0> <EventName> <pbx> <the hook's arguments...>`` (hold:
``MusicOnHold ... Start`` or ``Stop``). A table: the header row ``VIEW SOURCE UNIQUEID
CHANNEL ...``, then the sections `` CHANNELS``, a `` CALL`` per call, `` BRIDGES``,
`` TRUNKS`` and `` NUMBERS`` (each only when it has something), a row per channel or
number; an absent value prints as ``None``, and the CALL column is the call list's id.

``preevent``/``postevent``/``predisplay``/``postdisplay`` run around each event line and
each table (ViewCurses clears the screen first; ViewSingleStep waits for Enter after)."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

from hackamore.compat import Event
from hackamore.compat.Channel import ACTIVITY, ROLE
from hackamore.compat.View import View

FORMAT = "%s %-16s %-16s %-64s %-16s %-8s %-8s %-8s %-8s %-12s %s\n"


class ViewPrint(View):
    def __init__(
        self, model: Any = None, logger: logging.Logger | None = None, out: TextIO | None = None
    ) -> None:
        View.__init__(self, model, logger=logger)
        self.sn = 0
        self.out = out

    def __repr__(self) -> str:
        return View.__repr__(self) + ".ViewPrint()"

    @property
    def stream(self) -> TextIO:
        """Where it prints (standard output as it is now, unless given `out`)."""
        return self.out if self.out is not None else sys.stdout

    def printline(
        self,
        label: str,
        pbx: Any,
        uniqueid: Any,
        channel: Any,
        calleridnum: Any,
        role: Any,
        activity: Any,
        channelstatedesc: Any,
        conference: Any,
        call: Any,
        sipcallid: Any,
    ) -> None:
        self.stream.write(
            FORMAT
            % (
                label,
                pbx,
                uniqueid,
                channel,
                calleridnum,
                role,
                activity,
                channelstatedesc,
                conference,
                call,
                sipcallid,
            )
        )

    def printchannel(self, chan: Any) -> None:
        self.printline(
            "    ",
            chan.pbx,
            chan.uniqueid,
            chan.channel,
            chan.calleridnum if chan.calleridnum else None,
            ROLE[chan.role],
            ACTIVITY[chan.activity],
            chan.channelstatedesc,
            chan.conference,
            hex(id(chan.call)) if chan.call is not None else None,
            chan.sipcallid.split("@", 1)[0] if chan.sipcallid is not None else None,
        )

    def preevent(self) -> None:
        """Before an event line."""

    def postevent(self) -> None:
        """After an event line."""
        self.stream.flush()

    def predisplay(self) -> None:
        """Before a table."""

    def postdisplay(self) -> None:
        """After a table."""
        self.stream.flush()

    def _event(self, *words: Any) -> None:
        self.preevent()
        self.stream.write(" ".join(str(w) for w in ("EVENT", self.sn, *words)) + "\n")
        self.sn += 1

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
        self._event(
            Event.BRIDGE, pbx, uniqueid1, channel1, callerid1, uniqueid2, channel2, callerid2
        )
        self.postevent()

    def confbridgeend(self, pbx: str, conference: str) -> None:
        self._event(Event.CONFBRIDGEEND, pbx, conference)
        self.postevent()

    def confbridgejoin(self, pbx: str, uniqueid: str, channel: str, conference: str) -> None:
        self._event(Event.CONFBRIDGEJOIN, pbx, uniqueid, channel, conference)
        self.postevent()

    def confbridgeleave(self, pbx: str, uniqueid: str, channel: str, conference: str) -> None:
        self._event(Event.CONFBRIDGELEAVE, pbx, uniqueid, channel, conference)
        self.postevent()

    def confbridgestart(self, pbx: str, conference: str) -> None:
        self._event(Event.CONFBRIDGESTART, pbx, conference)
        self.postevent()

    def dial(
        self, pbx: str, uniqueid: str, channel: str, destuniqueid: str, destination: str
    ) -> None:
        self._event(Event.DIAL, pbx, uniqueid, channel, destuniqueid, destination)
        self.postevent()

    def dialend(self, pbx: str, uniqueid: str, channel: str, dialstatus: str) -> None:
        self._event(Event.DIALEND, pbx, uniqueid, channel, dialstatus)
        self.postevent()

    def end(self, pbx: str) -> None:
        self._event(Event.END, pbx)
        self.postevent()

    def hangup(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._event(Event.HANGUP, pbx, uniqueid, channel)
        self.postevent()

    def hanguprequest(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._event(Event.HANGUPREQUEST, pbx, uniqueid, channel)
        self.postevent()

    def localbridge(
        self, pbx: str, uniqueid1: str, channel1: str, uniqueid2: str, channel2: str
    ) -> None:
        self._event(Event.LOCALBRIDGE, pbx, uniqueid1, channel1, uniqueid2, channel2)
        self.postevent()

    def musiconhold(self, pbx: str, uniqueid: str, channel: str) -> None:
        self._event(Event.MUSICONHOLD, pbx, uniqueid, channel, Event.START)
        self.postevent()

    def musicoffhold(self, pbx: str, uniqueid: str, channel: str) -> None:
        # No postevent here: the 2014 ViewPrint had none after this line (so its
        # ViewSingleStep did not stop on it).
        self._event(Event.MUSICONHOLD, pbx, uniqueid, channel, Event.STOP)

    def newcallerid(self, pbx: str, uniqueid: str, channel: str, calleridnum: str) -> None:
        self._event(Event.NEWCALLERID, pbx, uniqueid, channel, calleridnum)
        self.postevent()

    def newchannel(
        self,
        pbx: str,
        uniqueid: str,
        channel: str,
        calleridnum: str,
        channelstate: str,
        channelstatedesc: str,
    ) -> None:
        self._event(
            Event.NEWCHANNEL, pbx, uniqueid, channel, calleridnum, channelstate, channelstatedesc
        )
        self.postevent()

    def newstate(
        self, pbx: str, uniqueid: str, channel: str, channelstate: str, channelstatedesc: str
    ) -> None:
        self._event(Event.NEWSTATE, pbx, uniqueid, channel, channelstate, channelstatedesc)
        self.postevent()

    def rename(self, pbx: str, uniqueid: str, channel: str, newname: str) -> None:
        self._event(Event.RENAME, pbx, uniqueid, channel, newname)
        self.postevent()

    def sipcallid(self, pbx: str, uniqueid: str, channel: str, value: str) -> None:
        self._event(Event.SIPCALLID, pbx, uniqueid, channel, value)
        self.postevent()

    def softhanguprequest(self, pbx: str, uniqueid: str, channel: str, cause: str) -> None:
        self._event(Event.SOFTHANGUPREQUEST, pbx, uniqueid, channel, cause)
        self.postevent()

    def display(self) -> None:
        self.predisplay()
        model = self.model
        self.printline(
            "VIEW",
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
        if model.channels:
            self.stream.write(" CHANNELS\n")
            for channels in model.channels.values():
                for chan in channels.values():
                    self.printchannel(chan)
        for call in model.calls:
            self.stream.write(" CALL\n")
            for chan in call:
                self.printchannel(chan)
        if model.bridges:
            self.stream.write(" BRIDGES\n")
            for rooms in model.bridges.values():
                for members in rooms.values():
                    for chan in members.values():
                        self.printchannel(chan)
        if model.trunks:
            self.stream.write(" TRUNKS\n")
            for chan in model.trunks.values():
                self.printchannel(chan)
        if model.numbers:
            self.stream.write(" NUMBERS\n")
            for pbx, numbers in model.numbers.items():
                for channel, calleridnum in numbers.items():
                    self.printline("    ", pbx, "", channel, calleridnum, "", "", "", "", "", "")
        self.postdisplay()
