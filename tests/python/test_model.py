"""hackamore.Model: lookups, snapshot, hooks, consume, and no leaks."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hackamore
import pytest

from .conftest import FIXTURES, SECRET, USER
from .reference_model import ReferenceModel
from .synthetic import to_wire, traffic


def newchannel(pbx: str, uid: str, name: str, num: str = "") -> dict[str, str]:
    return {
        "Event": "Newchannel",
        "Channel": name,
        "Uniqueid": uid,
        "CallerIDNum": num,
        "ChannelState": "4",
        "ChannelStateDesc": "Ring",
        "Linkedid": "L" + uid,
        "SOURCE": pbx,
    }


def test_channels_are_keyed_by_pbx_and_uniqueid() -> None:
    m = hackamore.Model()
    m.apply(newchannel("pbx1", "1.1", "SIP/a", "100"))
    m.apply(newchannel("pbx2", "1.1", "SIP/b", "200"))
    a, b = m.channel("pbx1", "1.1"), m.channel("pbx2", "1.1")
    assert a is not None and b is not None
    assert (a.channel, b.channel) == ("SIP/a", "SIP/b")
    assert a.linkedid == "L1.1" and a.role == "IDLE" and a.activity == "IDLE"
    assert m.numbers() == {"pbx1": {"SIP/a": "100"}, "pbx2": {"SIP/b": "200"}}
    assert len(m) == 2 and m.channel("pbx3", "1.1") is None
    m.apply({"Event": "Hangup", "Uniqueid": "1.1", "SOURCE": "pbx1"})
    assert [c.pbx for c in m.channels()] == ["pbx2"]


def test_a_channel_reads_as_python_in_its_repr() -> None:
    m = hackamore.Model()
    m.apply(newchannel("p", "1", "SIP/a"))
    m.apply(newchannel("p", "2", "SIP/b"))
    a = m.channel("p", "1")
    assert repr(a) == "<Channel p/1 SIP/a IDLE IDLE state=Ring call=None>"
    m.apply({"Event": "Bridge", "Uniqueid1": "1", "Uniqueid2": "2", "SOURCE": "p"})
    b = m.channel("p", "2")
    assert b is not None and b.call is not None
    assert repr(b).endswith(f"call={b.call}>") and "Some(" not in repr(b)


def test_dial_bridge_trunk_and_lookups() -> None:
    m = hackamore.Model(trunk_variable="XCORR")
    assert m.trunk_variable == "XCORR"
    for e in [
        newchannel("pbx1", "1", "SIP/100-1", "100"),
        newchannel("pbx1", "2", "SIP/200-2"),
        {"Event": "DialBegin", "Uniqueid": "1", "DestUniqueid": "2", "SOURCE": "pbx1"},
        {"Event": "BridgeEnter", "BridgeUniqueid": "b", "Uniqueid": "1", "SOURCE": "pbx1"},
        {"Event": "BridgeEnter", "BridgeUniqueid": "b", "Uniqueid": "2", "SOURCE": "pbx1"},
        newchannel("pbx2", "9", "IAX2/x"),
        {"Event": "VarSet", "Variable": "XCORR", "Value": "v", "Uniqueid": "1", "SOURCE": "pbx1"},
        {
            "Event": "VarSet",
            "Variable": "SIPCALLID",
            "Value": "v",
            "Uniqueid": "9",
            "SOURCE": "pbx2",
        },
    ]:
        m.apply(e)
    assert list(m.trunks()) == ["v"]  # SIPCALLID is not the variable here
    m.apply(
        {"Event": "VarSet", "Variable": "XCORR", "Value": "v", "Uniqueid": "9", "SOURCE": "pbx2"}
    )
    [call] = m.calls()
    assert [(c.pbx, c.uniqueid) for c in call] == [("pbx2", "9"), ("pbx1", "1"), ("pbx1", "2")]
    assert {c.role for c in call} == {"TRUNK", "CALLED"}
    assert m.trunks() == {}
    snap = m.snapshot()
    assert snap["calls"] == [[("pbx2", "9"), ("pbx1", "1"), ("pbx1", "2")]]
    assert snap["channels"]["pbx1"]["1"]["call"] == 0
    assert m.sizes()["calls"] == 1


class Hooks:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, list[str]]] = []

    def on_newchannel(self, change: hackamore.Change) -> None:
        self.seen.append((change.name, change["uniqueid"], [c.channel for c in change.channels]))

    def on_hangup(self, change: hackamore.Change) -> None:
        # The channel as it was just before it went.
        self.seen.append((change.name, change["uniqueid"], [c.channel for c in change.channels]))

    def on_bridge(self, change: hackamore.Change) -> None:
        self.seen.append((change.name, change.pbx, [c.role for c in change.channels]))
        raise RuntimeError("a broken hook")


def test_hooks_see_changes_and_a_raising_hook_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    hooks = Hooks()
    m = hackamore.Model(hooks=hooks)
    m.apply(newchannel("p", "1", "SIP/1"))
    m.apply(newchannel("p", "2", "SIP/2"))
    with caplog.at_level(logging.ERROR, logger="hackamore.hooks"):
        m.apply({"Event": "Bridge", "Uniqueid1": "1", "Uniqueid2": "2", "SOURCE": "p"})
    assert "a broken hook" in caplog.text and "Traceback" in caplog.text
    m.apply({"Event": "Hangup", "Uniqueid": "1", "Channel": "SIP/1", "SOURCE": "p"})
    assert hooks.seen == [
        ("newchannel", "1", ["SIP/1"]),
        ("newchannel", "2", ["SIP/2"]),
        ("bridge", "p", ["IDLE", "IDLE"]),
        ("hangup", "1", ["SIP/1"]),
    ]
    assert m.channel("p", "1") is None  # the model went on after the broken hook


def test_a_kept_changes_channels_stay_as_they_were() -> None:
    kept: list[hackamore.Change] = []
    m = hackamore.Model(hooks={"newchannel": kept.append, "dial": kept.append})
    m.apply(newchannel("p", "1", "SIP/1"))
    m.apply(newchannel("p", "2", "SIP/2"))
    m.apply(
        {
            "Event": "Newstate",
            "Uniqueid": "1",
            "ChannelState": "6",
            "ChannelStateDesc": "Up",
            "SOURCE": "p",
        }
    )
    m.apply({"Event": "DialBegin", "Uniqueid": "1", "DestUniqueid": "2", "SOURCE": "p"})
    m.apply({"Event": "Rename", "Uniqueid": "1", "Newname": "SIP/renamed", "SOURCE": "p"})
    m.apply({"Event": "Hangup", "Uniqueid": "2", "SOURCE": "p"})
    created, _, dialled = kept
    (c1,) = created.channels
    assert (c1.channel, c1.channelstatedesc, c1.role) == ("SIP/1", "Ring", "IDLE")
    assert [(c.channel, c.channelstatedesc, c.role) for c in dialled.channels] == [
        ("SIP/1", "Up", "CALLING"),
        ("SIP/2", "Ring", "CALLED"),
    ]
    now = m.channel("p", "1")
    assert now is not None and (now.channel, now.role) == ("SIP/renamed", "CALLING")
    assert m.channel("p", "2") is None


def test_hooks_as_a_dict_of_callables_and_bad_hooks() -> None:
    names: list[str] = []
    m = hackamore.Model(hooks={"newchannel": lambda c: names.append(c["channel"])})
    m.consume(hackamore.File("pbx1", FIXTURES / "basic-pbx1.ami"))
    assert names == [
        e["Channel"]
        for e in hackamore.File("p", FIXTURES / "basic-pbx1.ami")
        if e.name == "Newchannel"
    ]
    with pytest.raises(TypeError):
        hackamore.Model(hooks=object())


def test_consume_without_hooks_runs_no_python_per_event() -> None:
    m = hackamore.Model()
    calls = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    source = hackamore.Trace("t", FIXTURES / "churn.trace")
    sys.setprofile(profile)
    try:
        n = m.consume(source)
    finally:
        sys.setprofile(None)
    assert n == 2915  # every message of the capture
    assert calls == 0
    assert m.sizes()["channels"] == 0  # END of each PBX, then the Trace's own


def test_consume_runs_each_messages_hooks_before_applying_the_next() -> None:
    """consume() applies messages in batches, but a message whose changes have hooks ends
    its batch: each hook sees the model as that message left it, as with apply()."""
    path = FIXTURES / "churn.trace"

    def seen_by_hooks(consume: bool) -> list[tuple[int, dict[str, int]]]:
        seen: list[tuple[int, dict[str, int]]] = []

        def hook(change: hackamore.Change) -> None:
            seen.append((m.version, m.sizes()))

        m = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, hook))
        if consume:
            m.consume(hackamore.Trace("t", path))
        else:
            for event in hackamore.Trace("t", path):
                m.apply(event)
        return seen

    by_message = seen_by_hooks(consume=False)
    assert len(by_message) > 500
    assert seen_by_hooks(consume=True) == by_message


Seen = list[tuple[str, str, Any, dict[str, int]]]


def _seen_consuming(
    path: Path, stop_at: int, stop: Callable[[hackamore.Trace], None]
) -> tuple[Seen, int, list[int]]:
    """What every hook saw consuming `path` (the change, and the model's sizes after it),
    with `stop(trace)` called from the `stop_at`-th hook call and the source then consumed
    again to its end; how many hook calls the first consume() made; and the source's
    offset when `stop` was called and after the first consume()."""
    seen: Seen = []
    trace = hackamore.Trace("t", path)
    offsets: list[int] = []

    def hook(change: hackamore.Change) -> None:
        if change.pbx == "t":  # the END of a closed capture is the only change of "t"
            return
        seen.append((change.name, change.pbx, change.get("uniqueid"), m.sizes()))
        if len(seen) == stop_at:
            offsets.append(trace.offset)  # after the message applied, not the read-ahead
            stop(trace)

    m = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, hook))
    try:
        m.consume(trace)
    except KeyboardInterrupt:
        pass
    first = len(seen)
    offsets.append(trace.offset)
    trace.open()  # after a close, goes on after the last message consumed; else harmless
    m.consume(trace)
    return seen, first, offsets


def test_consume_stopped_by_ctrl_c_or_a_close_in_a_hook_goes_on_where_it_stopped() -> None:
    """consume() decodes a capture ahead on another thread; what it read but did not apply
    goes back into the capture, so stopping loses and repeats nothing."""
    path = FIXTURES / "churn.trace"
    whole, _, _ = _seen_consuming(path, 0, lambda t: None)
    assert len(whole) > 800

    def ctrl_c(trace: hackamore.Trace) -> None:
        raise KeyboardInterrupt

    def close_and_reopen(trace: hackamore.Trace) -> None:
        trace.close()
        trace.open()

    for stop in (ctrl_c, hackamore.Trace.close, close_and_reopen):
        for at in (1, 300, 850):
            seen, first, (in_hook, after) = _seen_consuming(path, at, stop)
            if stop is not close_and_reopen:
                # Nothing applied after the stopping message: its own changes' hooks at most;
                # the offset a hook reads is after the message applied, not the read-ahead.
                assert at <= first <= at + 3, (stop, at, first)
                assert in_hook == after, (stop, at)
            assert seen == whole, (stop, at)


def test_consume_several_sources_and_a_live_connection() -> None:
    m = hackamore.Model()
    files = [
        hackamore.File("pbx1", FIXTURES / "hold-pbx1.ami"),
        hackamore.File("pbx2", FIXTURES / "hold-pbx2.ami"),
    ]
    assert m.consume(files) == sum(
        1 for _ in hackamore.File("a", FIXTURES / "hold-pbx1.ami")
    ) + sum(1 for _ in hackamore.File("b", FIXTURES / "hold-pbx2.ami"))
    held: list[str] = []
    m2 = hackamore.Model(hooks={"musiconhold": lambda c: held.append(c["uniqueid"])})
    with hackamore.ReplayServer(
        FIXTURES / "hold-pbx1.ami", username=USER, secret=SECRET, piece=50
    ) as srv:
        conn = hackamore.Server("pbx1", "127.0.0.1", srv.port, USER, SECRET).connect()
        m2.consume(conn)
    expected = [
        e["Uniqueid"]
        for e in hackamore.File("p", FIXTURES / "hold-pbx1.ami")
        if e.name == "MusicOnHoldStart"
    ]
    assert held == expected and held
    assert len(m2) == 0


def test_a_refused_connection_is_not_applied_as_an_end(tmp_path: Path) -> None:
    m = hackamore.Model(hooks={"end": lambda c: pytest.fail("END of a refused connection applied")})
    with hackamore.ReplayServer(FIXTURES / "hold-pbx1.ami", username=USER, secret=SECRET) as srv:
        conn = hackamore.Server("pbx1", "127.0.0.1", srv.port, USER, "wrong").connect()
        assert m.consume(conn) == 1  # only the END, not applied


def test_long_synthetic_run_leaves_every_container_empty(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.trace"
    path.write_bytes(to_wire(traffic(6000, concurrent=300, seed=7)))
    native = hackamore.Model()
    peak = {"channels": 0}

    def watch(c: hackamore.Change) -> None:
        peak["channels"] = max(peak["channels"], len(native))

    native = hackamore.Model(hooks={"newchannel": watch})
    n = native.consume(hackamore.Trace("synthetic", path))
    assert n > 80_000
    assert peak["channels"] > 400  # many calls were up at once
    # The Trace's own END came last, but every call had hung up before it.
    sizes = native.sizes()
    assert all(v == 0 for v in sizes.values()), sizes
    # Same traffic without any END: empty through hangups alone, native and reference.
    m, ref = hackamore.Model(), ReferenceModel()
    for e in traffic(1500, concurrent=100, seed=3):
        m.apply(e)
        ref.apply(e)
    assert (
        m.snapshot()
        == ref.snapshot()
        == {
            "channels": {},
            "calls": [],
            "rooms": {},
            "trunks": {},
            "numbers": {},
            "bridges": {},
            "parked": {},
            "queues": {},
            "devices": {},
            "extensions": {},
            "contacts": {},
            "registrations": {},
            "peers": {},
        }
    )
    assert all(v == 0 for v in m.sizes().values()), m.sizes()
