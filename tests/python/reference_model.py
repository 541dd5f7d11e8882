"""A plain-Python model written from DESIGN section 4 (and the event table of section 3),
independently of the native code: the oracle of the differential tests and the baseline
of the speed comparison. Input: event dicts (AMI fields, ``SOURCE``); output: a snapshot
in the format of ``hackamore.Model.snapshot()``."""

from __future__ import annotations

from typing import Any

try:
    from .reference_presence import PresenceParts, device_of
except ImportError:  # imported as a top-level module (benches/bench.py)
    from reference_presence import PresenceParts, device_of  # type: ignore[no-redef,import-not-found]

ROLES = ("IDLE", "CALLING", "CALLED", "TRUNK")
DEVICE_STATES = {
    "0": "UNKNOWN",
    "1": "NOT_INUSE",
    "2": "INUSE",
    "3": "BUSY",
    "4": "INVALID",
    "5": "UNAVAILABLE",
    "6": "RINGING",
    "7": "RINGINUSE",
    "8": "ONHOLD",
}
ACTIVITIES = ("IDLE", "DIALING", "HUNGUP", "CAUSED", "HELD")


class Chan:
    def __init__(self, pbx: str, uid: str, name: str, num: str, state: str, desc: str, linked: str):
        self.pbx, self.uid, self.name, self.num = pbx, uid, name, num
        self.state, self.desc, self.linked = state, desc, linked
        self.sipcallid: str | None = None
        self.conference: str | None = None
        self.bridge: str | None = None
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


# DESIGN §4: Asterisk spells "none" as an empty value, <unknown>, <none> and (null).
NONE = ("", "<unknown>", "<none>", "(null)")


def num(v: str | None) -> str:
    return "" if v is None or v in NONE else v


def holds_only(bridgetype: str, technology: str) -> bool:
    """Parking lots and holding bridges join nobody."""
    return bridgetype.lower() in ("holding", "parking") or technology.lower() == "holding_bridge"


def count(v: str | None, default: int) -> int:
    """An unsigned 32-bit count as AMI writes it (digits only), else ``default``."""
    return int(v) if v is not None and v.isdigit() and int(v) < 2**32 else default


def flag(v: str) -> bool:
    return v.lower() in ("1", "yes", "true")


def seconds(at: float, ago: str | None) -> float:
    """Unix seconds ``ago`` seconds before ``at``, to the millisecond, as the model has them."""
    try:
        back = max(float(ago or "0"), 0.0)
    except ValueError:
        back = 0.0
    return float(f"{at - back:.3f}")


class Bridge:
    def __init__(self, bid: str) -> None:
        self.id, self.type, self.technology = bid, "", ""
        self.numchannels = 0
        self.members: list[str] = []


class Queue:
    def __init__(self) -> None:
        self.callers: list[dict[str, Any]] = []
        self.members: list[dict[str, Any]] = []

    def renumber(self) -> None:
        for i, c in enumerate(self.callers):
            c["position"] = i + 1

    def leave(self, uid: str) -> None:
        self.callers = [c for c in self.callers if c["uniqueid"] != uid]
        for m in self.members:
            if m["ringing"] == uid:
                m["ringing"] = None
        self.renumber()

    def member(self, interface: str) -> dict[str, Any] | None:
        return next((m for m in self.members if m["interface"] == interface), None)

    def caller(self, uid: str) -> dict[str, Any] | None:
        return next((c for c in self.callers if c["uniqueid"] == uid), None)


class ReferenceModel(PresenceParts):
    def __init__(self, trunk_variable: str = "SIPCALLID") -> None:
        self.trunk_variable = trunk_variable
        self.channels: dict[str, dict[str, Chan]] = {}
        self.calls: list[list[Chan]] = []
        self.rooms: dict[str, dict[str, list[Chan]]] = {}
        self.trunks: dict[str, Chan] = {}
        self.numbers: dict[str, dict[str, str]] = {}
        # AMI 2.x bridges as the normaliser tracks them for calls:
        # (pbx, bridge id) -> [holding?, [members]]
        self.bridges2: dict[tuple[str, str], list[Any]] = {}
        # ... and as the model shows them: pbx -> bridge id -> Bridge
        self.bridges: dict[str, dict[str, Bridge]] = {}
        self.parked: dict[str, dict[str, dict[str, Any]]] = {}
        self.queues: dict[str, dict[str, Queue]] = {}
        # (pbx, queue, interface) of members between their AgentConnect and AgentComplete.
        self.answered: set[tuple[str, str, str]] = set()
        # pbx -> trunk value -> the Uniqueid of that PBX's leg (the first to say it).
        self.legs: dict[str, dict[str, str]] = {}
        PresenceParts.__init__(self)

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
        if name is None or lookup(event, "ActionID") is not None:
            return  # an ActionID: a line of a list action's answer, not an event

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
            b[0] = holds_only(get("BridgeType"), get("BridgeTechnology"))
            self.bridgecreate(
                pbx, get("BridgeUniqueid"), get("BridgeType"), get("BridgeTechnology")
            )
        elif n == "bridgeenter" and need("BridgeUniqueid", "Uniqueid"):
            bid, uid = get("BridgeUniqueid"), get("Uniqueid")
            self.bridgeenter(pbx, bid, uid, get("BridgeType"), get("BridgeTechnology"))
            self.bridgecount(pbx, bid, lookup(event, "BridgeNumChannels"))
            key = (pbx, bid)
            if key not in self.bridges2:
                self.bridges2[key] = [holds_only(get("BridgeType"), get("BridgeTechnology")), []]
            holding, members = self.bridges2[key]
            if not holding and uid not in members:
                members.append(uid)
                if len(members) > 1:
                    self.bridge(pbx, members[0], uid)
        elif n == "bridgeleave" and need("BridgeUniqueid", "Uniqueid"):
            bid, uid = get("BridgeUniqueid"), get("Uniqueid")
            found = self.bridges2.get((pbx, bid))
            if found and uid in found[1]:
                found[1].remove(uid)
            shown = self.bridges.get(pbx, {}).get(bid)
            if shown is not None and uid in shown.members:
                shown.members.remove(uid)
            c = self.chan(pbx, uid)
            if c is not None and c.bridge == bid:
                c.bridge = None
            self.bridgecount(pbx, bid, lookup(event, "BridgeNumChannels"))
        elif n == "bridgedestroy" and need("BridgeUniqueid"):
            self.bridges2.pop((pbx, get("BridgeUniqueid")), None)
            gone = self.bridges.get(pbx, {}).pop(get("BridgeUniqueid"), None)
            for uid in gone.members if gone else []:
                c = self.chan(pbx, uid)
                if c is not None:
                    c.bridge = None
            self.tidy(pbx)
        elif n == "parkedcall" and need("ParkeeUniqueid"):
            uid = get("ParkeeUniqueid")
            if self.chan(pbx, uid) is not None:
                self.parked.setdefault(pbx, {})[uid] = {
                    "uniqueid": uid,
                    "channel": get("ParkeeChannel"),
                    "lot": get("Parkinglot"),
                    "space": get("ParkingSpace"),
                    "parker": get("ParkerDialString"),
                    "timeout": count(lookup(event, "ParkingTimeout"), 0),
                    "since": seconds(float(event["TIME"]), lookup(event, "ParkingDuration")),
                }
        elif n in ("unparkedcall", "parkedcalltimeout", "parkedcallgiveup") and need(
            "ParkeeUniqueid"
        ):
            self.parked.get(pbx, {}).pop(get("ParkeeUniqueid"), None)
            self.tidy(pbx)
        elif n.startswith(("queue", "agent")) and need("Queue"):
            self.queue_event(n, pbx, event)
        elif n == "localbridge":
            if lookup(event, "LocalOneUniqueid") is not None:
                one, two = "LocalOneUniqueid", "LocalTwoUniqueid"
            else:
                one, two = "Uniqueid1", "Uniqueid2"
            if need(one, two):
                self.localbridge(pbx, get(one), get(two))
        elif n == "varset":
            if get("Variable").lstrip("_") == self.trunk_variable and need("Uniqueid", "Value"):
                if get("Value") not in NONE:
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
        elif n in (
            "devicestatechange",
            "extensionstatus",
            "contactstatus",
            "registry",
            "peerstatus",
        ):
            self.presence(n, pbx, get)
            self.tidy(pbx)

    def queue_event(self, n: str, pbx: str, event: dict[str, Any]) -> None:
        def get(k: str) -> str:
            return lookup(event, k) or ""

        queue, uid = get("Queue"), get("Uniqueid")
        interface = lookup(event, "Interface") or lookup(event, "Location") or ""
        queues = self.queues.setdefault(pbx, {})
        q = queues.get(queue)
        if n == "queuecallerjoin" and uid:
            if self.chan(pbx, uid) is None:
                return
            q = queues.setdefault(queue, Queue())
            q.callers = [c for c in q.callers if c["uniqueid"] != uid]
            at = min(max(count(lookup(event, "Position"), 2**32 - 1), 1) - 1, len(q.callers))
            caller = {
                "uniqueid": uid,
                "channel": get("Channel"),
                "position": 0,
                "since": seconds(float(event["TIME"]), "0"),
                "ringing": [],
                "abandoned": False,
            }
            q.callers.insert(at, caller)
            q.renumber()
        elif n == "queuecallerleave" and uid and q is not None:
            q.leave(uid)
        elif n == "queuecallerabandon" and uid and q is not None:
            c = q.caller(uid)
            if c is not None:
                c["abandoned"] = True
        elif n in ("agentcalled", "agentringnoanswer", "agentconnect", "agentcomplete"):
            if not interface or q is None:
                return
            c, m = q.caller(uid), q.member(interface)
            if n == "agentcalled":
                if c is not None and interface not in c["ringing"]:
                    c["ringing"].append(interface)
                if m is not None:
                    m["ringing"] = uid
            elif n == "agentringnoanswer":
                if c is not None and interface in c["ringing"]:
                    c["ringing"].remove(interface)
                if m is not None:
                    m["ringing"] = None
            elif m is not None and n == "agentconnect":
                m["ringing"], m["connected"], m["incall"] = None, uid, True
                self.answered.add((pbx, queue, interface))
            elif m is not None:
                m["connected"], m["incall"] = None, False
                self.answered.discard((pbx, queue, interface))
        elif n in (
            "queuememberadded",
            "queuememberstatus",
            "queuememberpause",
            "queuememberpaused",
        ):
            if not interface:
                return
            q = queues.setdefault(queue, Queue())
            status = get("Status")
            fields = {
                "interface": interface,
                "membername": lookup(event, "MemberName") or get("Name"),
                "stateinterface": get("StateInterface"),
                "membership": get("Membership"),
                "status": status,
                "state": DEVICE_STATES.get(status, ""),
                "paused": flag(get("Paused")),
                "callstaken": count(lookup(event, "CallsTaken"), 0),
                "incall": flag(get("InCall")),
            }
            m = q.member(interface)
            fields["incall"] = fields["incall"] or (
                m is not None and (pbx, queue, interface) in self.answered
            )
            if m is None:
                q.members.append({**fields, "ringing": None, "connected": None})
            else:
                m.update(fields)
        elif n == "queuememberremoved" and interface and q is not None:
            q.members = [m for m in q.members if m["interface"] != interface]
            self.answered.discard((pbx, queue, interface))
        for name in [k for k, v in queues.items() if not v.callers and not v.members]:
            del queues[name]
        self.tidy(pbx)

    def bridgecreate(self, pbx: str, bid: str, bridgetype: str, technology: str) -> None:
        b = self.bridges.setdefault(pbx, {}).setdefault(bid, Bridge(bid))
        b.type = bridgetype or b.type
        b.technology = technology or b.technology

    def bridgeenter(self, pbx: str, bid: str, uid: str, bridgetype: str, technology: str) -> None:
        c = self.chan(pbx, uid)
        if c is None:
            return
        self.bridgecreate(pbx, bid, bridgetype, technology)
        if c.bridge is not None and c.bridge != bid:
            old = self.bridges[pbx].get(c.bridge)
            if old is not None and uid in old.members:
                old.members.remove(uid)
        c.bridge = bid
        if uid not in self.bridges[pbx][bid].members:
            self.bridges[pbx][bid].members.append(uid)

    def bridgecount(self, pbx: str, bid: str, numchannels: str | None) -> None:
        b = self.bridges.get(pbx, {}).get(bid)
        if b is not None:
            b.numchannels = count(numchannels, len(b.members))

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
        legs = self.legs.setdefault(pbx, {})
        if old is not None and old != value:
            if legs.get(old) == uid:
                del legs[old]
            if self.trunks.get(old) is c:
                del self.trunks[old]
        leg = legs.get(value)
        if leg is not None and leg != uid and self.chan(pbx, leg) is not None:
            return  # inherited from its PBX's leg of the dialog: nobody's twin
        legs[value] = uid
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
        b = self.bridges.get(pbx, {}).get(c.bridge or "")
        if b is not None and uid in b.members:
            b.members.remove(uid)
        self.parked.get(pbx, {}).pop(uid, None)
        queues = self.queues.get(pbx, {})
        for q in queues.values():
            q.leave(uid)
            for m in q.members:
                if m["connected"] == uid:
                    m["connected"] = None
        for name in [k for k, v in queues.items() if not v.callers and not v.members]:
            del queues[name]
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
        if c.sipcallid is not None and self.legs.get(pbx, {}).get(c.sipcallid) == uid:
            del self.legs[pbx][c.sipcallid]
        self.tidy(pbx)

    def end(self, pbx: str) -> None:
        for uid in list(self.channels.get(pbx, {})):
            self.hangup(pbx, uid)
        for d in self.per_pbx():
            d.pop(pbx, None)
        self.legs.pop(pbx, None)
        self.answered = {a for a in self.answered if a[0] != pbx}

    def per_pbx(self) -> list[dict[str, Any]]:
        return [
            self.channels,
            self.rooms,
            self.numbers,
            self.bridges,
            self.parked,
            self.queues,
            self.devices,
            self.extensions,
            self.contacts,
            self.registrations,
            self.peers,
        ]

    def tidy(self, pbx: str) -> None:
        if not any(d.get(pbx) for d in self.per_pbx()):
            for d in self.per_pbx():
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
                        "bridge": c.bridge,
                        "device": device_of(c.name),
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
            "bridges": {
                p: {
                    b.id: {
                        "type": b.type,
                        "technology": b.technology,
                        "numchannels": b.numchannels,
                        "members": list(b.members),
                    }
                    for b in bridges.values()
                }
                for p, bridges in self.bridges.items()
                if bridges
            },
            "parked": {
                p: sorted(
                    (dict(c) for c in calls.values()),
                    key=lambda c: (c["lot"], c["space"], c["uniqueid"]),
                )
                for p, calls in self.parked.items()
                if calls
            },
            "queues": {
                p: {
                    name: {
                        "callers": [dict(c, ringing=list(c["ringing"])) for c in q.callers],
                        "members": [dict(m) for m in q.members],
                    }
                    for name, q in queues.items()
                }
                for p, queues in self.queues.items()
                if queues
            },
            **self.presence_snapshot(),
        }

    def sizes(self) -> int:
        return sum(
            len(d) for d in (self.channels, self.calls, self.rooms, self.trunks, self.numbers)
        )
