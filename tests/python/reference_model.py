"""A plain-Python model written from DESIGN section 4 (and the event table of section 3),
independently of the native code: the oracle of the differential tests and the baseline
of the speed comparison. Input: event dicts (AMI fields, ``SOURCE``); output: a snapshot
in the format of ``hackamore.Model.snapshot()``."""

from __future__ import annotations

from typing import Any

ROLES = ("IDLE", "CALLING", "CALLED", "TRUNK")
ACTIVITIES = ("IDLE", "DIALING", "HUNGUP", "CAUSED", "HELD")


class Chan:
    def __init__(self, pbx: str, uid: str, name: str, num: str, state: str, desc: str, linked: str):
        self.pbx, self.uid, self.name, self.num = pbx, uid, name, num
        self.state, self.desc, self.linked = state, desc, linked
        self.sipcallid: str | None = None
        self.conference: str | None = None
        self.role = "IDLE"
        self.activity = "IDLE"
        self.call: list[Chan] | None = None


def lookup(event: dict[str, Any], key: str) -> str | None:
    """Case-insensitive first value (``UniqueID`` in old Dial events)."""
    if key in event:
        return str(event[key])
    low = key.lower()
    for k, v in event.items():
        if k.lower() == low:
            return str(v)
    return None


def num(v: str | None) -> str:
    return "" if v is None or v == "<unknown>" else v


class ReferenceModel:
    def __init__(self, trunk_variable: str = "SIPCALLID") -> None:
        self.trunk_variable = trunk_variable
        self.channels: dict[str, dict[str, Chan]] = {}
        self.calls: list[list[Chan]] = []
        self.rooms: dict[str, dict[str, list[Chan]]] = {}
        self.trunks: dict[str, Chan] = {}
        self.numbers: dict[str, dict[str, str]] = {}
        # AMI 2.x bridges: (pbx, bridge id) -> [holding?, [members]]
        self.bridges2: dict[tuple[str, str], list[Any]] = {}

    # ----- event dicts -> rules -----

    def apply(self, event: dict[str, Any]) -> None:
        pbx = event.get("SOURCE")
        if not pbx:
            return
        if "END" in event:  # exact key: a DTMF "End" field is something else
            self.bridges2 = {k: v for k, v in self.bridges2.items() if k[0] != pbx}
            self.end(pbx)
            return
        name = lookup(event, "Event")
        if name is None:
            return

        def get(k: str) -> str:
            return lookup(event, k) or ""

        def need(*keys: str) -> bool:
            return all(lookup(event, k) for k in keys)

        n = name.lower()
        if n == "newchannel" and need("Uniqueid"):
            self.newchannel(
                pbx,
                get("Uniqueid"),
                get("Channel"),
                num(lookup(event, "CallerIDNum")),
                get("ChannelState"),
                get("ChannelStateDesc"),
                get("Linkedid"),
            )
        elif n == "newstate" and need("Uniqueid"):
            c = self.chan(pbx, get("Uniqueid"))
            if c:
                c.state, c.desc = get("ChannelState"), get("ChannelStateDesc")
        elif n == "dial":
            sub = get("SubEvent").lower()
            if sub in ("", "begin") and need("UniqueID", "DestUniqueID"):
                self.dial(pbx, get("UniqueID"), get("DestUniqueID"))
            elif sub == "end" and need("Uniqueid"):
                self.dialend(pbx, get("Uniqueid"), get("DialStatus"))
        elif n == "dialbegin" and need("Uniqueid", "DestUniqueid"):
            self.dial(pbx, get("Uniqueid"), get("DestUniqueid"))
        elif n == "dialend" and need("Uniqueid"):
            self.dialend(pbx, get("Uniqueid"), get("DialStatus"))
        elif n in ("bridge", "link"):
            if get("Bridgestate").lower() != "unlink" and need("Uniqueid1", "Uniqueid2"):
                self.bridge(pbx, get("Uniqueid1"), get("Uniqueid2"))
        elif n == "bridgecreate" and need("BridgeUniqueid"):
            b = self.bridges2.setdefault((pbx, get("BridgeUniqueid")), [False, []])
            b[0] = get("BridgeType").lower() == "holding"
        elif n == "bridgeenter" and need("BridgeUniqueid", "Uniqueid"):
            key = (pbx, get("BridgeUniqueid"))
            if key not in self.bridges2:
                self.bridges2[key] = [get("BridgeType").lower() == "holding", []]
            holding, members = self.bridges2[key]
            uid = get("Uniqueid")
            if not holding and uid not in members:
                members.append(uid)
                if len(members) > 1:
                    self.bridge(pbx, members[0], uid)
        elif n == "bridgeleave" and need("BridgeUniqueid", "Uniqueid"):
            found = self.bridges2.get((pbx, get("BridgeUniqueid")))
            if found and get("Uniqueid") in found[1]:
                found[1].remove(get("Uniqueid"))
        elif n == "bridgedestroy" and need("BridgeUniqueid"):
            self.bridges2.pop((pbx, get("BridgeUniqueid")), None)
        elif n == "localbridge":
            if lookup(event, "LocalOneUniqueid") is not None:
                one, two = "LocalOneUniqueid", "LocalTwoUniqueid"
            else:
                one, two = "Uniqueid1", "Uniqueid2"
            if need(one, two):
                self.localbridge(pbx, get(one), get(two))
        elif n == "varset":
            if get("Variable").lstrip("_") == self.trunk_variable and need("Uniqueid", "Value"):
                self.sipcallid(pbx, get("Uniqueid"), get("Value"))
        elif n == "confbridgestart" and need("Conference"):
            self.rooms.setdefault(pbx, {}).setdefault(get("Conference"), [])
        elif n == "confbridgeend" and need("Conference"):
            self.confend(pbx, get("Conference"))
        elif n == "confbridgejoin" and need("Uniqueid", "Conference"):
            self.confjoin(pbx, get("Uniqueid"), get("Conference"))
        elif n == "confbridgeleave" and need("Uniqueid", "Conference"):
            self.confleave(pbx, get("Uniqueid"), get("Conference"))
        elif n == "musiconhold" and need("Uniqueid"):
            self.activity(
                pbx, get("Uniqueid"), "IDLE" if get("State").lower() == "stop" else "HELD"
            )
        elif n == "musiconholdstart" and need("Uniqueid"):
            self.activity(pbx, get("Uniqueid"), "HELD")
        elif n in ("musiconholdstop", "unhold") and need("Uniqueid"):
            self.activity(pbx, get("Uniqueid"), "IDLE")
        elif n == "hold" and need("Uniqueid"):
            self.activity(
                pbx, get("Uniqueid"), "IDLE" if get("Status").lower() == "off" else "HELD"
            )
        elif n == "hanguprequest" and need("Uniqueid"):
            self.activity(pbx, get("Uniqueid"), "HUNGUP")
        elif n == "softhanguprequest" and need("Uniqueid"):
            self.activity(pbx, get("Uniqueid"), "CAUSED")
        elif n in ("newcallerid", "newconnectedline") and need("Uniqueid"):
            self.newcallerid(pbx, get("Uniqueid"), num(lookup(event, "CallerIDNum")))
        elif n == "rename" and need("Uniqueid", "Newname"):
            self.rename(pbx, get("Uniqueid"), get("Newname"))
        elif n == "hangup" and need("Uniqueid"):
            uid = get("Uniqueid")
            for (p, _), b in self.bridges2.items():
                if p == pbx and uid in b[1]:
                    b[1].remove(uid)
            self.hangup(pbx, uid)

    # ----- the rules of section 4 -----

    def chan(self, pbx: str, uid: str) -> Chan | None:
        return self.channels.get(pbx, {}).get(uid)

    def newchannel(
        self, pbx: str, uid: str, name: str, number: str, state: str, desc: str, linked: str
    ) -> None:
        if self.chan(pbx, uid):
            self.hangup(pbx, uid)
        self.channels.setdefault(pbx, {})[uid] = Chan(pbx, uid, name, number, state, desc, linked)
        if number:
            self.numbers.setdefault(pbx, {})[name] = number

    def dial(self, pbx: str, uid: str, dest: str) -> None:
        c = self.chan(pbx, uid)
        if c is None:
            return
        c.role = {"IDLE": "CALLING", "CALLED": "TRUNK"}.get(c.role, c.role)
        c.activity = "DIALING"
        d = self.chan(pbx, dest)
        if d is not None:
            d.role = {"IDLE": "CALLED", "CALLING": "TRUNK"}.get(d.role, d.role)

    def dialend(self, pbx: str, uid: str, status: str) -> None:
        if status.upper() != "ANSWER":
            self.activity(pbx, uid, "IDLE")

    def bridge(self, pbx: str, uid1: str, uid2: str) -> None:
        a, b = self.chan(pbx, uid1), self.chan(pbx, uid2)
        if a and b:
            a.activity = "IDLE"
            self.merge(a, b)

    def localbridge(self, pbx: str, uid1: str, uid2: str) -> None:
        a, b = self.chan(pbx, uid1), self.chan(pbx, uid2)
        if a and b:
            a.role = b.role = "TRUNK"
            self.merge(a, b)

    def sipcallid(self, pbx: str, uid: str, value: str) -> None:
        c = self.chan(pbx, uid)
        if c is None:
            return
        old = c.sipcallid
        c.sipcallid = value
        if old is not None and old != value and self.trunks.get(old) is c:
            del self.trunks[old]
        waiting = self.trunks.get(value)
        if waiting is None:
            self.trunks[value] = c
        elif waiting is not c:
            del self.trunks[value]
            c.role = waiting.role = "TRUNK"
            self.merge(c, waiting)

    def merge(self, a: Chan, b: Chan) -> None:
        if a is b:
            return
        if a.call is None and b.call is None:
            call = [a, b]
            a.call = b.call = call
            self.calls.append(call)
        elif a.call is None:
            assert b.call is not None
            b.call.insert(0, a)
            a.call = b.call
        elif b.call is None:
            a.call.append(b)
            b.call = a.call
        elif a.call is not b.call:
            call = a.call + b.call
            self.calls = [k for k in self.calls if k is not a.call and k is not b.call]
            for c in call:
                c.call = call
            self.calls.append(call)

    def confjoin(self, pbx: str, uid: str, conf: str) -> None:
        rooms = self.rooms.get(pbx, {})
        c = self.chan(pbx, uid)
        if c is None or conf not in rooms:
            return
        if c.conference is not None and c.conference != conf and c.conference in rooms:
            rooms[c.conference] = [m for m in rooms[c.conference] if m is not c]
        c.conference = conf
        if c not in rooms[conf]:
            rooms[conf].append(c)

    def confleave(self, pbx: str, uid: str, conf: str) -> None:
        room = self.rooms.get(pbx, {}).get(conf)
        c = self.chan(pbx, uid)
        if room is not None and c is not None and c in room:
            room.remove(c)
            c.conference = None

    def confend(self, pbx: str, conf: str) -> None:
        rooms = self.rooms.get(pbx, {})
        if conf in rooms:
            for c in rooms.pop(conf):
                c.conference = None
        self.tidy(pbx)

    def activity(self, pbx: str, uid: str, activity: str) -> None:
        c = self.chan(pbx, uid)
        if c is not None:
            c.activity = activity

    def newcallerid(self, pbx: str, uid: str, number: str) -> None:
        c = self.chan(pbx, uid)
        if c is None:
            return
        c.num = number
        if number:
            self.numbers.setdefault(pbx, {})[c.name] = number

    def rename(self, pbx: str, uid: str, newname: str) -> None:
        c = self.chan(pbx, uid)
        if c is None:
            return
        old, c.name = c.name, newname
        numbers = self.numbers.get(pbx, {})
        if not c.num:
            if newname in numbers:
                c.num = numbers[newname]
        elif old in numbers:
            numbers[newname] = numbers.pop(old)

    def hangup(self, pbx: str, uid: str) -> None:
        c = self.chan(pbx, uid)
        if c is None:
            return
        del self.channels[pbx][uid]
        self.numbers.get(pbx, {}).pop(c.name, None)
        if c.conference is not None:
            room = self.rooms.get(pbx, {}).get(c.conference)
            if room is not None and c in room:
                room.remove(c)
                if not room:
                    del self.rooms[pbx][c.conference]
        if c.call is not None:
            c.call.remove(c)
            if not c.call:
                self.calls = [k for k in self.calls if k is not c.call]
        if c.sipcallid is not None and self.trunks.get(c.sipcallid) is c:
            del self.trunks[c.sipcallid]
        self.tidy(pbx)

    def end(self, pbx: str) -> None:
        for uid in list(self.channels.get(pbx, {})):
            self.hangup(pbx, uid)
        for d in (self.channels, self.rooms, self.numbers):
            d.pop(pbx, None)

    def tidy(self, pbx: str) -> None:
        if not self.channels.get(pbx) and not self.rooms.get(pbx) and not self.numbers.get(pbx):
            for d in (self.channels, self.rooms, self.numbers):
                d.pop(pbx, None)

    # ----- the snapshot format of hackamore.Model.snapshot() -----

    def snapshot(self) -> dict[str, Any]:
        index = {id(call): i for i, call in enumerate(self.calls)}
        pbxes = sorted(set(self.channels) | set(self.rooms) | set(self.numbers))
        return {
            "channels": {
                p: {
                    c.uid: {
                        "channel": c.name,
                        "calleridnum": c.num,
                        "linkedid": c.linked,
                        "sipcallid": c.sipcallid,
                        "conference": c.conference,
                        "channelstate": c.state,
                        "channelstatedesc": c.desc,
                        "role": c.role,
                        "activity": c.activity,
                        "call": None if c.call is None else index[id(c.call)],
                    }
                    for c in self.channels[p].values()
                }
                for p in pbxes
                if self.channels.get(p)
            },
            "calls": [[(c.pbx, c.uid) for c in call] for call in self.calls],
            "rooms": {
                p: {conf: [c.uid for c in members] for conf, members in self.rooms[p].items()}
                for p in pbxes
                if self.rooms.get(p)
            },
            "trunks": {v: (c.pbx, c.uid) for v, c in sorted(self.trunks.items())},
            "numbers": {
                p: dict(sorted(self.numbers[p].items())) for p in pbxes if self.numbers.get(p)
            },
        }

    def sizes(self) -> int:
        return sum(
            len(d) for d in (self.channels, self.calls, self.rooms, self.trunks, self.numbers)
        )
