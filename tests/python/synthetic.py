"""Synthetic AMI traffic in which every call hangs up: many concurrent calls of every
kind (dial + bridge, Local channels, conferences, hold, cross-PBX trunks via SIPCALLID,
renames, caller id changes), in AMI 1.x and 2.x form, interleaved."""

from __future__ import annotations

import random
from collections.abc import Iterator


def call_events(rnd: random.Random, n: int, generation: int) -> list[dict[str, str]]:
    """The events of call `n`, in order; every channel it makes is hung up."""
    a, b = f"{n}.1", f"{n}.2"
    pa, pb = f"SIP/{n}-a", f"SIP/{n}-b"
    pbx = "pbx1"
    ev: list[dict[str, str]] = []

    def add(**fields: str) -> None:
        ev.append({**fields, "SOURCE": pbx})

    for uid, name, num in ((a, pa, str(1000 + n % 9000)), (b, pb, "<unknown>")):
        add(
            Event="Newchannel",
            Channel=name,
            Uniqueid=uid,
            CallerIDNum=num,
            ChannelState="0",
            ChannelStateDesc="Down",
            Linkedid=a,
        )
    if generation == 1:
        add(Event="Dial", SubEvent="Begin", Channel=pa, UniqueID=a, Destination=pb, DestUniqueID=b)
        add(Event="Newstate", Channel=pb, Uniqueid=b, ChannelState="6", ChannelStateDesc="Up")
        add(
            Event="Bridge",
            Bridgestate="Link",
            Channel1=pa,
            Channel2=pb,
            Uniqueid1=a,
            Uniqueid2=b,
            CallerID1="1",
            CallerID2="2",
        )
    else:
        add(Event="DialBegin", Channel=pa, Uniqueid=a, DestChannel=pb, DestUniqueid=b)
        add(Event="DialEnd", Channel=pa, Uniqueid=a, DestUniqueid=b, DialStatus="ANSWER")
        add(Event="BridgeCreate", BridgeUniqueid=f"br-{n}", BridgeType="basic")
        add(
            Event="BridgeEnter",
            BridgeUniqueid=f"br-{n}",
            BridgeType="basic",
            Channel=pa,
            Uniqueid=a,
        )
        add(
            Event="BridgeEnter",
            BridgeUniqueid=f"br-{n}",
            BridgeType="basic",
            Channel=pb,
            Uniqueid=b,
        )
    kind = rnd.choice(["plain", "local", "conference", "hold", "trunk", "rename"])
    extra: list[tuple[str, str, str]] = []  # channels to hang up at the end
    if kind == "local":
        l1, l2 = f"{n}.3", f"{n}.4"
        for uid, half in ((l1, ";1"), (l2, ";2")):
            add(
                Event="Newchannel",
                Channel=f"Local/x@t-{n}{half}",
                Uniqueid=uid,
                CallerIDNum="",
                ChannelState="0",
                ChannelStateDesc="Down",
            )
            extra.append((pbx, uid, f"Local/x@t-{n}{half}"))
        if generation == 1:
            add(
                Event="LocalBridge",
                Channel1=f"Local/x@t-{n};1",
                Channel2=f"Local/x@t-{n};2",
                Uniqueid1=l1,
                Uniqueid2=l2,
            )
        else:
            add(
                Event="LocalBridge",
                LocalOneChannel=f"Local/x@t-{n};1",
                LocalTwoChannel=f"Local/x@t-{n};2",
                LocalOneUniqueid=l1,
                LocalTwoUniqueid=l2,
            )
        add(
            Event="Bridge",
            Bridgestate="Link",
            Channel1=pb,
            Channel2=f"Local/x@t-{n};1",
            Uniqueid1=b,
            Uniqueid2=l1,
        )
    elif kind == "conference":
        conf = f"{n % 7}"
        add(Event="ConfbridgeStart", Conference=conf)
        add(Event="ConfbridgeJoin", Conference=conf, Channel=pa, Uniqueid=a)
        add(Event="ConfbridgeJoin", Conference=conf, Channel=pb, Uniqueid=b)
        add(Event="ConfbridgeLeave", Conference=conf, Channel=pa, Uniqueid=a)
    elif kind == "hold":
        if generation == 1:
            add(Event="MusicOnHold", State="Start", Channel=pb, UniqueID=b)
            add(Event="MusicOnHold", State="Stop", Channel=pb, UniqueID=b)
        else:
            add(Event="MusicOnHoldStart", Channel=pb, Uniqueid=b)
            add(Event="Hold", Channel=pa, Uniqueid=a)
            add(Event="Unhold", Channel=pa, Uniqueid=a)
    elif kind == "trunk":
        t = f"{n}.9"
        ev.append(
            {
                "Event": "Newchannel",
                "Channel": f"IAX2/pbx1-{n}",
                "Uniqueid": t,
                "CallerIDNum": "",
                "ChannelState": "4",
                "ChannelStateDesc": "Ring",
                "SOURCE": "pbx2",
            }
        )
        add(Event="VarSet", Channel=pa, Uniqueid=a, Variable="SIPCALLID", Value=f"call-{n}@h")
        ev.append(
            {
                "Event": "VarSet",
                "Channel": f"IAX2/pbx1-{n}",
                "Uniqueid": t,
                "Variable": "__SIPCALLID",
                "Value": f"call-{n}@h",
                "SOURCE": "pbx2",
            }
        )
        extra.append(("pbx2", t, f"IAX2/pbx1-{n}"))
    elif kind == "rename":
        add(Event="NewCallerid", Channel=pb, Uniqueid=b, CallerIDNum=str(2000 + n % 9000))
        add(Event="Rename", Channel=pb, Newname=f"{pb}<MASQ>", Uniqueid=b)
    add(Event="HangupRequest", Channel=pa, Uniqueid=a)
    add(Event="SoftHangupRequest", Channel=pb, Uniqueid=b, Cause="16")
    if generation == 2:
        add(Event="BridgeLeave", BridgeUniqueid=f"br-{n}", Channel=pa, Uniqueid=a)
        add(Event="BridgeLeave", BridgeUniqueid=f"br-{n}", Channel=pb, Uniqueid=b)
        add(Event="BridgeDestroy", BridgeUniqueid=f"br-{n}")
    if kind == "conference":
        add(Event="ConfbridgeEnd", Conference=f"{n % 7}")
    for uid, name in ((a, pa), (b, pb)):
        add(Event="Hangup", Channel=name, Uniqueid=uid, Cause="16")
    for p, uid, name in extra:
        ev.append({"Event": "Hangup", "Channel": name, "Uniqueid": uid, "SOURCE": p})
    return ev


def traffic(calls: int, concurrent: int = 200, seed: int = 1) -> Iterator[dict[str, str]]:
    """`calls` calls, up to `concurrent` at once, events of different calls interleaved
    (each call's own order kept)."""
    rnd = random.Random(seed)
    live: list[list[dict[str, str]]] = []
    started = 0
    while started < calls or live:
        while started < calls and len(live) < concurrent:
            live.append(call_events(rnd, started, rnd.choice([1, 2])))
            started += 1
        i = rnd.randrange(len(live))
        yield live[i].pop(0)
        if not live[i]:
            live.pop(i)


def to_wire(events: Iterator[dict[str, str]]) -> bytes:
    """AMI bytes of a Trace (SOURCE on each message)."""
    out = []
    for e in events:
        out.append("".join(f"{k}: {v}\r\n" for k, v in e.items()) + "\r\n")
    return "".join(out).encode()
