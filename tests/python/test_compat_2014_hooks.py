"""hackamore.compat's hook sequence against the 2014 framework's: the legacy capture and
random AMI 1.x event sequences, each hook, its arguments and the model after it, against
the plain-Python restatement in reference_2014.py."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hackamore.compat import Controller, Event, File, Manifold, ModelStandard, Multiplex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .compat_record import Recorder, state
from .conftest import legacy
from .reference_2014 import Reference2014


def events_of(path: Path, pbx: str) -> Iterator[dict[str, Any]]:
    """A capture's messages as the 2014 File handed them out (then its END)."""
    f = File.File(pbx, str(path))
    f.open()
    while True:
        e = f.get()
        if e is None:
            continue
        yield e
        if Event.END in e:
            f.close()
            return


def test_the_legacy_capture_gives_the_2014_hook_sequence_and_model_after_each_hook() -> None:
    path = legacy("typescript.txt")
    reference = Reference2014()
    for e in events_of(path, "PBX"):
        reference.process(e)
    model = ModelStandard.ModelStandard()
    view = Recorder(model)
    Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, view)).loop(
        [File.File("PBX", str(path))], []
    )
    assert view.records == reference.records
    hooks = view.hooks()
    assert len(hooks) == 86 and hooks.count("bridge") == 16 and "dialend" not in hooks
    # The same through a Manifold subclass that sees every event dict.
    seen = []

    class Mine(Manifold.Manifold):
        def process(self, event: dict[str, Any]) -> None:
            seen.append(event.get("Event"))
            Manifold.Manifold.process(self, event)

    model = ModelStandard.ModelStandard()
    view = Recorder(model)
    Controller.Controller(Multiplex.Multiplex(), Mine(model, view)).loop(
        [File.File("PBX", str(path))], []
    )
    assert view.records == reference.records and len(seen) == 358


PBXES = ("p1", "p2")
UIDS = ("1", "2", "3", "4")


@st.composite
def legacy_events(draw: Any) -> list[dict[str, Any]]:
    """AMI 1.x event dicts, fields sometimes missing or empty, avoiding the inputs that
    would leave the 2014 model a stale Channel or one channel twice in a call (see
    reference_2014): two channels a Bridge names are two."""
    live: set[tuple[str, str]] = set()
    roomed: set[tuple[str, str]] = set()
    trunked: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 40))):
        pbx = draw(st.sampled_from(PBXES))
        uid = draw(st.sampled_from(UIDS))
        other = draw(st.sampled_from([u for u in UIDS if u != uid]))
        name = draw(
            st.sampled_from(
                [
                    "Newchannel",
                    "Newstate",
                    "Dial",
                    "Bridge",
                    "LocalBridge",
                    "VarSet",
                    "ConfbridgeStart",
                    "ConfbridgeJoin",
                    "ConfbridgeLeave",
                    "ConfbridgeEnd",
                    "MusicOnHold",
                    "HangupRequest",
                    "SoftHangupRequest",
                    "NewCallerid",
                    "Rename",
                    "Hangup",
                    "END",
                    "Link",
                    "Newexten",
                ]
            )
        )
        number = draw(st.sampled_from(["", "100", "200", "<unknown>"]))
        chan = f"SIP/{uid}"
        if name == "END":
            out.append({"SOURCE": pbx, "END": "9"})
            live = {k for k in live if k[0] != pbx}
            roomed = {k for k in roomed if k[0] != pbx}
            trunked = {k for k in trunked if k[0] != pbx}
            continue
        e: dict[str, Any] = {"Event": name, "SOURCE": pbx}
        if name == "Newchannel":
            if (pbx, uid) in live:
                continue
            live.add((pbx, uid))
            e |= {
                "Channel": chan,
                "CallerIDNum": number,
                "ChannelState": "4",
                "ChannelStateDesc": "Ring",
                "Uniqueid": uid,
            }
        elif name == "Dial":
            e |= {
                "SubEvent": draw(st.sampled_from(["Begin", "End", ""])),
                "Channel": chan,
                "Destination": f"SIP/{other}",
                "DestUniqueID": other,
                "UniqueID": uid,
            }
        elif name in ("Bridge", "Link"):
            e |= {
                "Bridgestate": draw(st.sampled_from(["Link", "Unlink"])),
                "Channel1": chan,
                "Channel2": f"SIP/{other}",
                "Uniqueid1": uid,
                "Uniqueid2": other,
                "CallerID1": number,
                "CallerID2": "",
            }
        elif name == "LocalBridge":
            e |= {
                "Channel1": chan,
                "Channel2": f"SIP/{other}",
                "Uniqueid1": uid,
                "Uniqueid2": other,
            }
        elif name == "VarSet":
            variable = draw(st.sampled_from(["SIPCALLID", "__SIPCALLID", "OTHER"]))
            if variable == "SIPCALLID":
                if (pbx, uid) in trunked:
                    continue
                if (pbx, uid) in live:
                    trunked.add((pbx, uid))
            e |= {
                "Variable": variable,
                "Channel": chan,
                "Uniqueid": uid,
                "Value": draw(st.sampled_from(["a@x", "b@y"])),
            }
        elif name in ("ConfbridgeStart", "ConfbridgeEnd"):
            e["Conference"] = draw(st.sampled_from(["100", "200"]))
        elif name in ("ConfbridgeJoin", "ConfbridgeLeave"):
            if name == "ConfbridgeJoin":
                if (pbx, uid) in roomed:
                    continue
                roomed.add((pbx, uid))
            else:
                roomed.discard((pbx, uid))
            e |= {
                "Channel": chan,
                "Conference": draw(st.sampled_from(["100", "200"])),
                "Uniqueid": uid,
            }
        elif name == "MusicOnHold":
            e |= {
                "Channel": chan,
                "State": draw(st.sampled_from(["Start", "Stop", "Other"])),
                "UniqueID": uid,
            }
        elif name == "Newstate":
            e |= {"Channel": chan, "ChannelState": "6", "ChannelStateDesc": "Up", "Uniqueid": uid}
        elif name in ("HangupRequest", "Hangup"):
            e |= {"Channel": chan, "Uniqueid": uid}
            if name == "Hangup":
                live.discard((pbx, uid))
                roomed.discard((pbx, uid))
                trunked.discard((pbx, uid))
        elif name == "SoftHangupRequest":
            e |= {"Channel": chan, "Uniqueid": uid, "Cause": "16"}
        elif name == "NewCallerid":
            e |= {"Channel": chan, "Uniqueid": uid, "CallerIDNum": number}
        elif name == "Rename":
            e |= {"Channel": chan, "Uniqueid": uid, "Newname": f"SIP/{other}"}
        # Sometimes a field the 2014 dispatch needs is missing.
        if len(e) > 3 and draw(st.integers(0, 9)) == 0:
            e.pop(draw(st.sampled_from(sorted(k for k in e if k not in ("Event", "SOURCE")))))
        out.append(e)
    return out


def wire(events: list[dict[str, Any]]) -> bytes:
    return b"".join(
        b"".join(f"{k}: {v}\r\n".encode() for k, v in e.items() if k != "SOURCE") + b"\r\n"
        for e in events
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(legacy_events())
def test_random_1x_events_give_the_2014_hooks_and_models(events: list[dict[str, Any]]) -> None:
    reference = Reference2014()
    model = ModelStandard.ModelStandard()
    view = Recorder(model)
    manifold = Manifold.Manifold(model, view)
    for e in events:
        reference.process(e)
        manifold.process(dict(e))
    assert view.records == reference.records
    # The native rounds (no Python per event) leave the model the Python rounds leave.
    one = [e for e in events if e["SOURCE"] == "p1" and "END" not in e]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p1.ami"
        path.write_bytes(wire(one))
        python = ModelStandard.ModelStandard()
        run = Controller.Controller(
            Multiplex.Multiplex(), Manifold.Manifold(python, Recorder(python))
        )
        run.loop([File.File("p1", str(path))], [])
        native = ModelStandard.ModelStandard()
        run = Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(native, None))
        source = File.File("p1", str(path))
        source.open()
        run.multiplex.register(source)
        assert run._natively()
        run.loop([], [])
    assert native.version == python.version
    assert state(native) == state(python)
