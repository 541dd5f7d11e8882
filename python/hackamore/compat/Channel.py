"""A channel as the old framework's containers hold it, with its role and activity."""

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
    """One Asterisk channel: ``pbx``, ``uniqueid``, ``channel`` (name), ``calleridnum``,
    ``sipcallid``, ``conference``, ``channelstate``, ``channelstatedesc``, ``role`` and
    ``activity`` (indexes into ROLE and ACTIVITY), ``linkedid`` and ``call`` (the list of
    channels it is connected with, the same list object as in ``model.calls``, or None)."""

    def __init__(
        self,
        pbx: str,
        uniqueid: str,
        channel: str,
        calleridnum: str | None = None,
        channelstate: str = "",
        channelstatedesc: str = "",
    ) -> None:
        self.pbx = pbx
        self.uniqueid = uniqueid
        self.channel = channel
        self.calleridnum = calleridnum
        self.channelstate = channelstate
        self.channelstatedesc = channelstatedesc
        self.sipcallid: str | None = None
        self.conference: str | None = None
        self.linkedid = ""
        self.role = IDLE
        self.activity = IDLE
        self.call: list[Channel] | None = None

    @classmethod
    def from_snapshot(cls, pbx: str, uniqueid: str, fields: dict[str, Any]) -> Channel:
        c = cls(
            pbx,
            uniqueid,
            fields["channel"],
            fields["calleridnum"],
            fields["channelstate"],
            fields["channelstatedesc"],
        )
        c.sipcallid = fields["sipcallid"]
        c.conference = fields["conference"]
        c.linkedid = fields["linkedid"]
        c.role = ROLE.index(fields["role"])
        c.activity = ACTIVITY.index(fields["activity"])
        return c

    def __repr__(self) -> str:
        return (
            f"Channel({self.pbx},{self.uniqueid},{self.channel},{self.calleridnum},"
            f"{self.sipcallid},{self.conference},{self.channelstatedesc},"
            f"{ROLE[self.role]},{ACTIVITY[self.activity]})"
        )
