"""File and Trace sources, events as dict-like objects, decode and encode helpers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import hackamore
import pytest

from .conftest import FIXTURES, event_lines, legacy


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.ami")), ids=lambda p: p.name)
def test_file_yields_every_event_then_end(path: Path) -> None:
    events = list(hackamore.File("pbx1", path))
    names = Counter(e.name for e in events if e.name and not e.is_end)
    assert names == Counter(event_lines(path))
    last = events[-1]
    assert last.is_end and last.name == "END"
    assert last.end_count == len(events)
    assert all(e.source == "pbx1" for e in events)


def test_trace_events_carry_their_own_pbx() -> None:
    events = list(hackamore.Trace("trace", FIXTURES / "cross-pbx.trace"))
    sources = Counter(e.source for e in events)
    assert set(sources) == {"pbx1", "pbx2", "trace"}
    assert sources["trace"] == 1  # only the Trace's own END
    ends = [e.source for e in events if e.is_end]
    assert ends == ["pbx1", "pbx2", "trace"]


def test_event_is_dict_like() -> None:
    wire = (
        b"Event: VarSet\r\nUniqueID: 1.5\r\nVariable: SIPCALLID\r\nValue: abc@host\r\n"
        b"ChanVariable: a=1\r\nChanVariable: b=2\r\nAccountCode: \r\n\r\n"
    )
    [e] = hackamore.decode(wire, "pbx9")
    assert e.name == "VarSet" and e.source == "pbx9" and e.response is None
    assert e["uniqueid"] == "1.5" and e["UNIQUEID"] == "1.5"
    assert e.get_all("chanvariable") == ["a=1", "b=2"]
    assert e["ChanVariable"] == "a=1"
    assert e["AccountCode"] == ""
    assert "variable" in e and "Nope" not in e
    assert e.get("Nope") is None and e.get("Nope", "x") == "x"
    with pytest.raises(KeyError):
        e["Nope"]
    assert len(e) == 7
    assert list(e) == ["Event", "UniqueID", "Variable", "Value", "ChanVariable", "AccountCode"]
    assert e.items()[4:6] == [("ChanVariable", "a=1"), ("ChanVariable", "b=2")]
    assert e.to_dict()["ChanVariable"] == "a=1"
    assert e.to_wire() == wire
    assert hackamore.decode(e.to_wire(), "pbx9") == [e]


def test_invalid_utf8_is_kept_and_replaced_for_text() -> None:
    [e] = hackamore.decode(b"Event: Newchannel\r\nCallerIDName: Jos\xe9\r\n\r\n")
    assert e["CallerIDName"] == "Jos\ufffd"
    assert e.raw("CallerIDName") == b"Jos\xe9"


def test_dtmf_end_field_is_not_the_end_marker() -> None:
    events = list(hackamore.File("pbx", legacy("typescript.txt")))
    dtmf = [e for e in events if e.name == "DTMF"]
    assert dtmf and all("End" in e for e in dtmf)
    assert not any(e.is_end for e in dtmf)
    assert [e for e in events if e.is_end] == [events[-1]]


def test_legacy_tracelet_as_trace() -> None:
    events = list(hackamore.Trace("PBX", legacy("tracelet.txt")))
    assert [e.source for e in events] == ["PBX"] * 6
    assert events[-2].is_end and events[-2].end_count == 5  # the recorded END
    assert events[-1].is_end and events[-1].end_count == 6  # the Trace's own


def test_close_and_open_go_on_where_they_stopped() -> None:
    path = FIXTURES / "hold.trace"
    whole = [e for e in hackamore.Trace("t", path) if not (e.is_end and e.source == "t")]
    t = hackamore.Trace("t", path)
    got = [next(t) for _ in range(7)]
    t.close()
    assert next(t).is_end
    with pytest.raises(StopIteration):
        next(t)
    t.open()
    got += [e for e in t if not (e.is_end and e.source == "t")]
    assert got == whole


def test_missing_capture_is_file_not_found() -> None:
    with pytest.raises(FileNotFoundError) as info:
        hackamore.File("pbx1", "/nonexistent/capture.ami")
    assert isinstance(info.value, hackamore.CaptureNotFoundError)
    assert "/nonexistent/capture.ami" in str(info.value)


def test_stats_count_drops() -> None:
    path = Path(__file__).parent / "_big.ami"
    try:
        path.write_bytes(b"Event: Big\r\nData: " + b"x" * 70_000 + b"\r\n\r\nEvent: Ok\r\n\r\n")
        f = hackamore.File("p", path)
        assert [e.name for e in f] == ["Ok", "END"]
        assert f.stats.oversized_lines == 1 and f.stats.dropped == 1 and f.stats.messages == 1
    finally:
        path.unlink()


def test_encode_action_refuses_injection() -> None:
    wire = hackamore.encode_action("Ping", [("ActionID", "p1")])
    assert wire == b"Action: Ping\r\nActionID: p1\r\n\r\n"
    assert b"ActionID: " in hackamore.encode_action("Ping", [])
    for fields in ([("Channel", "x\r\nAction: Logoff")], [("Chan\nnel", "x")], [("V", "v" * 2000)]):
        with pytest.raises(hackamore.ActionRefusedError):
            hackamore.encode_action("Hangup", fields)
    with pytest.raises(ValueError):
        hackamore.encode_action("Hangup\r\nAction: Logoff", [])


def test_encode_action_takes_a_dict_in_its_order_or_pairs_that_repeat_a_key() -> None:
    wire = hackamore.encode_action("Originate", {"Channel": "SIP/100", "ActionID": "o1"})
    assert wire == b"Action: Originate\r\nChannel: SIP/100\r\nActionID: o1\r\n\r\n"
    pairs = [("Variable", "A=1"), ("Variable", "B=2"), ("ActionID", "o2")]
    assert hackamore.encode_action("Originate", pairs).count(b"Variable: ") == 2
    assert b"ActionID: " in hackamore.encode_action("Ping")
    with pytest.raises(TypeError, match="a dict of str, or a list of"):
        hackamore.encode_action("Ping", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hackamore.encode_action("Ping", {"Channel": 5})  # type: ignore[dict-item]


def test_md5_key() -> None:
    assert hackamore.md5_key("message ", "digest") == "f96b697d7cb7938d525a2f31aaf161d0"


@pytest.mark.parametrize("name", ["churn-pbx1.ami", "churn.trace"])
def test_consume_counts_every_message_though_it_passes_over_most(name: str) -> None:
    path = FIXTURES / name
    every = sum(1 for _ in hackamore.File("p", path))
    source = hackamore.File("p", path)
    assert hackamore.Model().consume(source) == every
    assert source.stats.messages == every - 1  # the END is the source's, not decoded


class Stop(BaseException):
    """Not an Exception: a hook raising one stops consume() (as Ctrl-C does)."""


@pytest.mark.parametrize("after", [1, 40, 400])
def test_a_capture_iterated_after_an_interrupted_consume_misses_nothing(after: int) -> None:
    # consume() passes over what the model ignores, reading ahead on a helper thread;
    # stopped by a hook, the capture goes on from where the model stopped, every event
    # there (Newexten, VarSet...) included.
    path = FIXTURES / "churn-features-pbx1.ami"
    full = [(e.name, e.get("Uniqueid")) for e in hackamore.File("p", path)]
    changes = 0

    def hook(change: hackamore.Change) -> None:
        nonlocal changes
        changes += 1
        if changes == after:
            raise Stop

    source = hackamore.File("p", path)
    with pytest.raises(Stop):
        hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, hook)).consume(source)
    rest = [(e.name, e.get("Uniqueid")) for e in source]
    assert 0 < len(rest) < len(full)
    assert rest == full[-len(rest) :]
    assert any(name == "Newexten" for name, _ in rest)
