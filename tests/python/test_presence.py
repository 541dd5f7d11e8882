"""Presence (device and extension states, contacts, registrations, peers) on the PJSIP
lab's captures: the model's methods, the view's fold of presence changes, the command
line's panel and summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hackamore
import pytest
from hackamore.cli.presence import Seen, panel, presence_of, registration_key, summary

from .conftest import FIXTURES

SIP = sorted(FIXTURES.glob("sip-*.trace"))
CLI = [sys.executable, "-m", "hackamore"]


def test_the_lab_captures_are_here() -> None:
    assert [p.name for p in SIP] == [
        "sip-basic.trace",
        "sip-churn.trace",
        "sip-phones.trace",
        "sip-transfer.trace",
    ]


@pytest.mark.parametrize("path", SIP, ids=lambda p: p.stem)
def test_the_views_fold_of_changes_is_the_model_after_each_event(path: Path) -> None:
    """The live view keeps presence from the changes alone (so a summary can show it
    after the capture's END emptied the model): after every event it equals what the
    model holds."""
    model = hackamore.Model()
    changes: list[hackamore.Change] = []
    model._listen(changes.append)
    seen = Seen()
    compared = 0
    for event in hackamore.Trace("t", path):
        changes.clear()
        model.apply(event)
        if event.is_end:
            continue  # the model lets the PBX go; the fold keeps it, as last seen
        for change in changes:
            seen.update(change)
        for change in changes:
            if change.name in ("devicestate", "extensionstatus", "contactstatus", "registry"):
                pbx = change.pbx
                assert seen.presence[pbx] == presence_of(model, pbx)[pbx], (path.name, event)
                compared += 1
    assert compared > 20


def test_a_registration_dropped_and_restored_mid_call_is_followed_at_once() -> None:
    """sip-phones drops registrations (PJSIPUnregister) and restores them, idle and in
    calls: after each ContactStatus the model's contact says what the event said (or is
    gone, once Removed), whatever the calls on the PBX are doing."""
    model = hackamore.Model()
    in_call = 0
    statuses: set[str] = set()
    for event in hackamore.Trace("t", FIXTURES / "sip-phones.trace"):
        model.apply(event)
        if event.name != "ContactStatus":
            continue
        pbx, uri, status = event.source, event["URI"], event["ContactStatus"]
        contact = model.contacts().get(pbx, {}).get(uri)
        if status == "Removed":
            assert contact is None, event
        else:
            assert contact is not None and contact["status"] == status, event
        statuses.add(status)
        endpoint = event["EndpointName"]
        if any(c.device == f"PJSIP/{endpoint}" for c in model.channels(pbx)):
            in_call += 1
    assert {"Removed", "Reachable"} <= statuses
    assert in_call > 0  # some of them while the phone was in a call


def test_presence_methods_on_the_phones_capture() -> None:
    """Mid-capture, the methods show what the PBX said last; the channel says its
    device; every part is keyed as documented."""
    model = hackamore.Model()
    saw_device_in_call = False
    for event in hackamore.Trace("t", FIXTURES / "sip-phones.trace"):
        if event.is_end:
            break
        model.apply(event)
        for c in model.channels():
            if c.channel.startswith("PJSIP/") and c.device is not None:
                assert c.channel.startswith(c.device + "-")
                saw_device_in_call = True
    assert saw_device_in_call
    devices = model.devices()["pbx1"]
    assert devices and all(isinstance(s, str) and s for s in devices.values())
    assert not any(d.startswith(("Local/", "CBAnn/")) for d in devices)
    for key, e in model.extensions()["pbx1"].items():
        assert key == f"{e['exten']}@{e['context']}" and isinstance(e["status"], int)
    for uri, contact in model.contacts()["pbx1"].items():
        assert uri == contact["uri"] and "@" in uri
        assert contact["roundtrip"] is None or isinstance(contact["roundtrip"], int)
    for pbx, regs in model.registrations().items():
        for key, r in regs.items():
            assert key == registration_key(r["username"], r["domain"]), pbx
    sizes = model.sizes()
    assert sizes["devices"] == sum(len(d) for d in model.devices().values())
    snap = model.snapshot()
    assert snap["devices"] == model.devices() and snap["contacts"] == model.contacts()


def test_registration_keys_tell_every_registration_apart() -> None:
    assert registration_key("alice", "sip.example.com") == "alice@sip.example.com"
    assert registration_key("alice", "") == "alice"
    one = registration_key("sip:2001@127.0.0.1:5160", "sip:127.0.0.1:5160")
    two = registration_key("sip:2001@127.0.0.1:5160", "sip:127.0.0.1:5161")
    assert one != two and one.startswith("sip:2001@127.0.0.1:5160 ")


def test_panel_and_summary_of_the_phones_capture_mid_way() -> None:
    model = hackamore.Model()
    seen = Seen()
    model._listen(seen.update)
    events = list(hackamore.Trace("t", FIXTURES / "sip-phones.trace"))
    for event in events[: len(events) // 2]:
        model.apply(event)
    rows = panel(presence_of(model))
    assert any(r.startswith("EXTENSION") for r in rows)
    extension_rows = [r for r in rows if r.startswith("pbx1") and "PJSIP/" in r]
    assert extension_rows and all(
        "sip:" in r or "no contact known" in r or "unavailable" in r for r in extension_rows
    ), rows
    lines = summary(seen.presence)
    assert any(line.startswith("  pbx1: ") and "extension" in line for line in lines), lines
    assert panel({}) == [] and summary({}) == []


def test_replay_prints_presence_as_last_seen() -> None:
    out = subprocess.run(
        [*CLI, "replay", "--print", str(FIXTURES / "sip-phones.trace")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "presence as last seen:" in text
    tail = text.split("presence as last seen:", 1)[1]
    assert "pbx1: " in tail and "contact" in tail, tail


def test_replay_speed_off_a_terminal_prints_changes_not_a_screen() -> None:
    """--speed on a terminal shows the full-screen view; piped, the changes as lines."""
    out = subprocess.run(
        [*CLI, "replay", "--speed", "1000", str(FIXTURES / "sip-basic.trace")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout and "newchannel" in out.stdout
