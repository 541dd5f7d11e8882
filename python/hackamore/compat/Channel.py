"""A channel as the 2014 framework's containers hold it, with its role and activity."""

from __future__ import annotations

from typing import Any

# Roles.
IDLE = 0
CALLING = 1
CALLED = 2
TRUNK = 3
ROLE = ("IDLE", "CALLING", "CALLED", "TRUNK")

# Activities (IDLE is 0 here too).
DIALING = 1
HUNGUP = 2
CAUSED = 3
HELD = 4
ACTIVITY = ("IDLE", "DIALING", "HUNGUP", "CAUSED", "HELD")


class Channel:
    """One Asterisk channel: ``pbx``, ``uniqueid``, ``channel`` (its name),
    ``calleridnum``, ``sipcallid``, ``conference``, ``channelstate``,
    ``channelstatedesc``, ``role`` and ``activity`` (indexes into ROLE and ACTIVITY),
    ``call`` (the list of channels it is connected with, the same list object as in
    ``model.calls``, or None) and, added here, ``linkedid``.

    The methods are the 2014 framework's state changes, for models written in Python."""

    def __init__(
        self,
        pbx: str,
        uniqueid: str,
        channel: str,
        calleridnum: str | None,
        channelstate: str,
        channelstatedesc: str,
    ) -> None:
        self.pbx = pbx
        self.uniqueid = uniqueid
        self.calleridnum = calleridnum
        self.sipcallid: str | None = None
        self.conference: str | None = None
        self.channel = channel
        self.channelstate = channelstate
        self.channelstatedesc = channelstatedesc
        self.role = IDLE
        self.call: list[Channel] | None = None
        self.activity = IDLE
        self.linkedid = ""

    def __repr__(self) -> str:
        return (
            f"Channel({self.pbx},{self.uniqueid},{self.channel},{self.calleridnum},"
            f"{self.sipcallid},{self.conference},{self.channelstatedesc},"
            f"{ROLE[self.role]},{ACTIVITY[self.activity]})"
        )

    def _take(self, fields: dict[str, Any]) -> None:
        """Take the state the native model reports (its snapshot's fields)."""
        self.channel = fields["channel"]
        self.calleridnum = fields["calleridnum"]
        self.channelstate = fields["channelstate"]
        self.channelstatedesc = fields["channelstatedesc"]
        self.sipcallid = fields["sipcallid"]
        self.conference = fields["conference"]
        self.linkedid = fields["linkedid"]
        self.role = ROLE.index(fields["role"])
        self.activity = ACTIVITY.index(fields["activity"])

    def newstate(self, channelstate: str, channelstatedesc: str) -> None:
        self.channelstate = channelstate
        self.channelstatedesc = channelstatedesc

    def rename(self, channel: str) -> None:
        self.channel = channel

    def endpoint(self, sipcallid: str) -> None:
        """The trunk-correlation value seen on this channel."""
        self.sipcallid = sipcallid

    def trunk(self) -> None:
        self.role = TRUNK

    def calling(self) -> None:
        """It dials: IDLE becomes CALLING; a CALLED channel that dials on is a TRUNK."""
        if self.role == IDLE:
            self.role = CALLING
        elif self.role == CALLED:
            self.role = TRUNK

    def called(self) -> None:
        """It is dialled: IDLE becomes CALLED; a CALLING channel dialled is a TRUNK."""
        if self.role == IDLE:
            self.role = CALLED
        elif self.role == CALLING:
            self.role = TRUNK

    def dial(self, calleridnum: str | None) -> None:
        """Its caller id number."""
        self.calleridnum = calleridnum

    def join(self, conference: str) -> None:
        self.conference = conference

    def leave(self) -> None:
        self.conference = None

    def held(self) -> None:
        self.activity = HELD

    def idled(self) -> None:
        self.activity = IDLE

    def dialing(self) -> None:
        self.activity = DIALING

    def hungup(self) -> None:
        self.activity = HUNGUP

    def caused(self) -> None:
        self.activity = CAUSED
