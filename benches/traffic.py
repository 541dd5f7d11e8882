"""Synthetic AMI 2.x traffic of one PBX holding a chosen number of calls up, in the event
shapes of the recorded captures (Asterisk 13: each channel event carries the channel's
whole block of fields, dial and bridge events the second channel's with a ``Dest``
prefix), for measuring how the model's cost per message grows with live state.

``generate(calls_up, events)`` returns ``(warm, steady)``, both in Trace form (a
``SOURCE`` line per message, no END): ``warm`` brings ``calls_up`` calls up (their
set-up events only); ``steady`` is ``events`` messages of Poisson arrivals and the
departures of calls whose durations are exponential with a mean of ``calls_up`` arrival
intervals, so the number of calls up stays at ``calls_up`` on average (Little's law; the
warm calls' remaining durations are drawn from the same distribution, which is
memoryless). Calls are internal (answered, bridged), trunk calls (the same, with the
trunk variable set), unanswered, and conference members (rooms of about four). Each
call also makes the events the model ignores in the proportions of the recordings:
``Newexten``, ``VarSet`` of other variables, ``DeviceStateChange``.

    python benches/traffic.py 1000 50000 > /tmp/steady.trace   # a look at the output
"""

from __future__ import annotations

import heapq
import random
import sys

Fields = list[tuple[str, str]]


def channel_block(
    name: str, uid: str, linked: str, state: str, num: str, prefix: str = ""
) -> Fields:
    desc = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}[state]
    return [
        (prefix + "Channel", name),
        (prefix + "ChannelState", state),
        (prefix + "ChannelStateDesc", desc),
        (prefix + "CallerIDNum", num),
        (prefix + "CallerIDName", "<unknown>"),
        (prefix + "ConnectedLineNum", "<unknown>"),
        (prefix + "ConnectedLineName", "<unknown>"),
        (prefix + "Language", "en"),
        (prefix + "AccountCode", ""),
        (prefix + "Context", "internal"),
        (prefix + "Exten", num),
        (prefix + "Priority", "1"),
        (prefix + "Uniqueid", uid),
        (prefix + "Linkedid", linked),
    ]


def bridge_block(bridge: str, members: int) -> Fields:
    return [
        ("BridgeUniqueid", bridge),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", str(members)),
        ("BridgeVideoSourceMode", "none"),
    ]


def message(event: str, privilege: str, fields: Fields) -> str:
    lines = [f"Event: {event}", f"Privilege: {privilege}"]
    lines += [f"{k}: {v}" for k, v in fields]
    lines.append("SOURCE: pbx1")
    return "\r\n".join(lines) + "\r\n\r\n"


class Channel:
    def __init__(self, name: str, uid: str, linked: str, num: str) -> None:
        self.name, self.uid, self.linked, self.num = name, uid, linked, num
        self.state = "0"

    def block(self, prefix: str = "") -> Fields:
        return channel_block(self.name, self.uid, self.linked, self.state, self.num, prefix)


class Calls:
    """Makes each call's set-up and tear-down events."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.serial = 0
        self.rooms: dict[str, int] = {}  # members in each open room

    def channel(self, tech: str, linked: str | None = None) -> Channel:
        self.serial += 1
        uid = f"1796000000.{self.serial}"
        num = str(1000 + self.serial % 9000)
        return Channel(f"{tech}/{num}-{self.serial:08x}", uid, linked or uid, num)

    def noise(self, c: Channel, n_exten: int, n_varset: int) -> list[str]:
        out = []
        for i in range(n_exten):
            app = [("Extension", c.num), ("Application", "Dial" if i else "Set"), ("AppData", "x")]
            out.append(message("Newexten", "dialplan,all", c.block() + app))
        for var in ["DIALSTATUS", "BRIDGEPEER", "RTPAUDIOQOS"][:n_varset]:
            out.append(
                message("VarSet", "dialplan,all", [*c.block(), ("Variable", var), ("Value", "x")])
            )
        return out

    def device(self, c: Channel, state: str) -> str:
        return message(
            "DeviceStateChange", "call,all", [("Device", c.name.split("-")[0]), ("State", state)]
        )

    def new(self, c: Channel) -> str:
        return message("Newchannel", "call,all", c.block())

    def newstate(self, c: Channel, state: str) -> str:
        c.state = state
        return message("Newstate", "call,all", c.block())

    def hangup(self, c: Channel) -> list[str]:
        cause = [("Cause", "16"), ("Cause-txt", "Normal Clearing")]
        return [
            message("HangupRequest", "call,all", [*c.block(), ("Cause", "16")]),
            message("Hangup", "call,all", c.block() + cause),
            self.device(c, "NOT_INUSE"),
        ]

    def call(self) -> tuple[list[str], list[str]]:
        """(set-up events, tear-down events) of a new call."""
        kind = self.rnd.random()
        if kind < 0.15:
            return self.conference_member()
        a = self.channel("SIP")
        b = self.channel("SIP", linked=a.uid)
        up = [self.new(a), *self.noise(a, 2, 1), self.new(b), self.device(b, "RINGING")]
        up.append(
            message("DialBegin", "call,all", a.block() + b.block("Dest") + [("DialString", b.num)])
        )
        up.append(self.newstate(b, "5"))
        if kind < 0.30:  # unanswered: over when it stops ringing
            end = [
                message(
                    "DialEnd",
                    "call,all",
                    a.block() + b.block("Dest") + [("DialStatus", "NOANSWER")],
                )
            ]
            return up, end + self.hangup(b) + self.hangup(a)
        up.append(self.newstate(b, "6"))
        up.append(
            message("DialEnd", "call,all", a.block() + b.block("Dest") + [("DialStatus", "ANSWER")])
        )
        if kind < 0.50:  # a trunk call: the trunk variable joins it to the far PBX's
            up.append(
                message(
                    "VarSet",
                    "dialplan,all",
                    [*b.block(), ("Variable", "SIPCALLID"), ("Value", f"{b.uid}@trunk")],
                )
            )
        up += self.noise(b, 1, 2)
        bridge = f"bridge-{a.uid}"
        up.append(message("BridgeCreate", "call,all", bridge_block(bridge, 0)))
        up.append(message("BridgeEnter", "call,all", bridge_block(bridge, 1) + a.block()))
        up.append(message("BridgeEnter", "call,all", bridge_block(bridge, 2) + b.block()))
        down = [
            message("BridgeLeave", "call,all", bridge_block(bridge, 1) + a.block()),
            message("BridgeLeave", "call,all", bridge_block(bridge, 0) + b.block()),
            message("BridgeDestroy", "call,all", bridge_block(bridge, 0)),
            *self.hangup(b),
            *self.hangup(a),
        ]
        return up, down

    def conference_member(self) -> tuple[list[str], list[str]]:
        c = self.channel("SIP")
        open_rooms = [r for r, n in self.rooms.items() if n < 4]
        up = [self.new(c), *self.noise(c, 2, 1), self.newstate(c, "6")]
        if open_rooms:
            room = open_rooms[0]
        else:
            room = f"room-{self.serial}"
            up.append(
                message(
                    "ConfbridgeStart",
                    "call,all",
                    [("Conference", room), ("BridgeUniqueid", f"b-{room}")],
                )
            )
        self.rooms[room] = self.rooms.get(room, 0) + 1
        conf = [("Conference", room), ("BridgeUniqueid", f"b-{room}")]
        up.append(message("ConfbridgeJoin", "call,all", conf + c.block() + [("Admin", "No")]))
        down = [message("ConfbridgeLeave", "call,all", conf + c.block()), *self.hangup(c)]
        return up, down

    def left(self, events: list[str]) -> list[str]:
        """A conference member's tear-down: the room's end goes with its last member."""
        first = events[0]
        if "Event: ConfbridgeLeave" not in first:
            return events
        room = first.split("Conference: ", 1)[1].split("\r\n", 1)[0]
        self.rooms[room] -= 1
        if self.rooms[room] == 0:
            del self.rooms[room]
            end = message(
                "ConfbridgeEnd", "call,all", [("Conference", room), ("BridgeUniqueid", f"b-{room}")]
            )
            return [*events, end]
        return events


def generate(calls_up: int, events: int, seed: int = 7) -> tuple[bytes, bytes]:
    rnd = random.Random(seed)
    calls = Calls(rnd)
    # (departure time, serial, tear-down events): a heap of the calls up.
    up: list[tuple[float, int, list[str]]] = []
    warm: list[str] = []
    mean = float(max(calls_up, 1))
    for i in range(calls_up):
        setup, down = calls.call()
        warm += setup
        heapq.heappush(up, (rnd.expovariate(1 / mean), i, down))
    steady: list[str] = []
    now, serial = 0.0, calls_up
    while len(steady) < events:
        now += rnd.expovariate(1.0)
        while up and up[0][0] <= now:
            steady += calls.left(heapq.heappop(up)[2])
        setup, down = calls.call()
        steady += setup
        serial += 1
        heapq.heappush(up, (now + rnd.expovariate(1 / mean), serial, down))
    return "".join(warm).encode(), "".join(steady).encode()


def main() -> None:
    calls_up, events = int(sys.argv[1]), int(sys.argv[2])
    warm, steady = generate(calls_up, events)
    out = sys.stdout.buffer
    out.write(warm)
    out.write(steady)


if __name__ == "__main__":
    main()
