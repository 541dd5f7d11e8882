"""The ground truth recorded inside the fixtures (see tests/fixtures/asterisk and the
fixtures README): a Manifold subclass that checks the model at every checkpoint: the
channels (`truth-k`), the conference room (`conf-k`) and, where recorded, that calls
parked at once are on different calls (`parked-k`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hackamore.compat import Manifold


def in_one_call(chans: list[Any]) -> bool:
    calls = {id(c.call) for c in chans}
    return len(calls) == 1 and chans[0].call is not None


def holds_only(kind: tuple[str, str]) -> bool:
    """A parking lot or holding bridge: its members are not talking to each other."""
    bridgetype, technology = (k.lower() for k in kind)
    return bridgetype in ("holding", "parking") or technology == "holding_bridge"


class CheckingManifold(Manifold.Manifold):
    """Sees every event dict (as a migrated script's Manifold subclass does), passes it
    on, and at each checkpoint compares the model with what the PBX reported."""

    def __init__(self, model: Any, view: Any = None) -> None:
        Manifold.Manifold.__init__(self, model, view)
        self.entries: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.bridge_types: dict[str, tuple[str, str]] = {}
        self.checked = 0
        self.kinds: dict[str, int] = defaultdict(int)
        self.errors: list[str] = []

    def process(self, event: dict[str, Any]) -> None:
        Manifold.Manifold.process(self, event)
        pbx = event.get("SOURCE", "")
        action = event.get("ActionID", "")
        name = event.get("Event")
        if event.get("BridgeUniqueid") and "BridgeType" in event:
            kind = (event["BridgeType"], event.get("BridgeTechnology", ""))
            self.bridge_types[event["BridgeUniqueid"]] = kind
        if name in ("CoreShowChannel", "ConfbridgeList") or (name == "ParkedCall" and action):
            self.entries[(pbx, action)].append(event)
        elif name == "ParkedCallsComplete" and action.startswith("parked-"):
            self.check_parked(pbx, action, self.entries.pop((pbx, action), []))
        elif name == "CoreShowChannelsComplete" and action.startswith("truth-"):
            self.check_channels(pbx, action, self.entries.pop((pbx, action), []))
        elif name == "ConfbridgeListComplete" and action.startswith("conf-"):
            self.check_room(pbx, action, self.entries.pop((pbx, action), []))
        elif name is None and action.startswith("conf-") and event.get("Response") == "Error":
            self.check_room(pbx, action, [])

    def fail(self, pbx: str, action: str, text: str) -> None:
        self.errors.append(f"{pbx} {action}: {text}")

    def count(self, action: str) -> None:
        self.checked += 1
        self.kinds[action.split("-")[0]] += 1

    def check_parked(self, pbx: str, action: str, entries: list[dict[str, Any]]) -> None:
        """Two calls parked at once are never one call."""
        self.count(action)
        chans = self.model.channels.get(pbx, {})
        parked = [chans[e["ParkeeUniqueid"]] for e in entries if e["ParkeeUniqueid"] in chans]
        if len(parked) != len(entries):
            self.fail(pbx, action, "a parked channel is missing")
        for i, a in enumerate(parked):
            for b in parked[i + 1 :]:
                if in_one_call([a, b]):
                    self.fail(pbx, action, f"parked {a.uniqueid} and {b.uniqueid} on one call")

    def check_channels(self, pbx: str, action: str, entries: list[dict[str, Any]]) -> None:
        self.count(action)
        chans = self.model.channels.get(pbx, {})
        want = {(e["Uniqueid"], e["Channel"], e["ChannelState"]) for e in entries}
        have = {(c.uniqueid, c.channel, c.channelstate) for c in chans.values()}
        if want != have:
            self.fail(pbx, action, f"missing {want - have}, extra {have - want}")
            return
        groups: dict[str, list[Any]] = defaultdict(list)
        for e in entries:
            bridge = e.get("BridgeId")
            if bridge and not holds_only(self.bridge_types.get(bridge, ("", ""))):
                groups[bridge].append(chans[e["Uniqueid"]])
        for bridge, members in groups.items():
            if len(members) > 1 and not in_one_call(members):
                self.fail(pbx, action, f"bridge {bridge} split across calls")
        by_name = {c.channel: c for c in chans.values()}
        for name, c in by_name.items():
            twin = by_name.get(name[:-2] + ";2") if name.endswith(";1") else None
            if twin is not None and not in_one_call([c, twin]):
                self.fail(pbx, action, f"Local {name[:-2]} halves in different calls")
        values: dict[str, list[Any]] = defaultdict(list)
        for channels in self.model.channels.values():
            for c in channels.values():
                if c.sipcallid:
                    values[c.sipcallid].append(c)
        for value, members in values.items():
            if len(members) > 1 and not in_one_call(members):
                self.fail(pbx, action, f"SIPCALLID {value} split across calls")

    def check_room(self, pbx: str, action: str, entries: list[dict[str, Any]]) -> None:
        self.count(action)
        room = self.model.bridges.get(pbx, {}).get("100", {})
        want = sorted(e["Channel"] for e in entries)
        have = sorted(c.channel for c in room.values())
        if want != have:
            self.fail(pbx, action, f"room 100 holds {have}, PBX says {want}")
