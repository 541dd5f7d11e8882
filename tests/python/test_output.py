"""Structured output (`--json`, validated against its documented schema) and `record`
(then `replay`: the same model as the original capture)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import hackamore
import jsonschema  # type: ignore[import-untyped]
import pytest
from hackamore.jsonout import KINDS, SCHEMA, JsonLines

from .conftest import FIXTURES, SECRET, USER, default_sigint, interrupt

CLI = [sys.executable, "-m", "hackamore"]


def hook_sequence(source: Any) -> dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]]:
    """Every change per PBX, in order, with its fields."""
    seen: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = defaultdict(list)

    def hook(c: hackamore.Change) -> None:
        seen[c.pbx].append((c.name, tuple(sorted(c.fields.items()))))

    hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, hook)).consume(source)
    return dict(seen)


def validate(lines: list[str]) -> list[dict[str, Any]]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    records = [json.loads(line) for line in lines]
    for r in records:
        validator.validate(r)
    assert [r["seq"] for r in records] == list(range(len(records)))
    return records


def test_the_schema_rejects_what_it_should() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    good = {
        "v": 5,
        "seq": 0,
        "time": 1.0,
        "pbx": "p",
        "change": "hangup",
        "kind": "channel_gone",
        "fields": {"uniqueid": "1.1"},
        "channels": [],
        "sizes": {"channels": 0},
    }
    validator.validate(good)
    validator.validate({**good, "time": None})  # from a replay
    for bad in (
        {**good, "time": "now"},
        {**good, "kind": "exploded"},
        {**good, "v": 4},
        {**good, "extra": 1},
        {**good, "fields": {"uniqueid": 5}},
        {k: v for k, v in good.items() if k != "pbx"},
    ):
        assert not validator.is_valid(bad), bad


@pytest.mark.parametrize("capture", sorted(FIXTURES.glob("*.trace")), ids=lambda p: p.stem)
def test_replay_json_matches_the_schema_and_the_model(capture: Path) -> None:
    r = subprocess.run(
        [*CLI, "replay", "--json", str(capture)], capture_output=True, text=True, check=True
    )
    records = validate(r.stdout.splitlines())
    expected = hook_sequence(hackamore.Trace(capture.stem, capture))  # the CLI names it so
    got: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = defaultdict(list)
    for rec in records:
        assert rec["kind"] == KINDS[rec["change"]]
        fields = {**rec["fields"], "pbx": rec["pbx"]}
        got[rec["pbx"]].append((rec["change"], tuple(sorted(fields.items()))))
    assert dict(got) == expected
    # Channels are as the model had them: a hangup shows the channel it removed.
    gone = [rec for rec in records if rec["kind"] == "channel_gone" and rec["channels"]]
    assert gone and all(rec["channels"][0]["uniqueid"] == rec["fields"]["uniqueid"] for rec in gone)


@pytest.mark.parametrize("name", ["queue.trace", "queue-pbx1.ami", "park-pbx1.ami"])
def test_replay_json_is_the_same_bytes_from_run_to_run(name: str) -> None:
    # A raw capture records no times: its queue callers and parked calls wait since an
    # unknown time ("") rather than since whenever it is replayed.
    capture = str(FIXTURES / name)
    runs = [
        subprocess.run([*CLI, "replay", "--json", capture], capture_output=True, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout
    records = validate(runs[0].stdout.decode().splitlines())
    assert len(records) > 10 and all(r["time"] is None for r in records)
    for r in records:
        # The sizes in one fixed order, the model's own.
        assert list(r["sizes"]) == [
            "pbxes", "channels", "calls", "rooms", "trunks", "numbers", "bridges",
            "parked", "queues", "queue_callers", "queue_members",
            "devices", "extensions", "contacts", "registrations", "peers",
        ]  # fmt: skip
    since = [r["fields"]["since"] for r in records if "since" in r["fields"]]
    assert since
    if name.endswith(".trace"):
        assert all(float(s) > 1e9 for s in since)  # the Trace's own TIME
    else:
        assert set(since) == {""}


def test_run_json_has_the_time_it_was_written() -> None:
    out = io.StringIO()
    writer = JsonLines(out, clock=lambda: 1234.5)
    hackamore.Model(hooks=writer.hooks()).consume(
        hackamore.File("pbx1", hackamore.bundled_capture())
    )
    records = validate(out.getvalue().splitlines())
    assert records and {r["time"] for r in records} == {1234.5}


def test_run_json_against_the_stand_in_server() -> None:
    capture = FIXTURES / "conference-pbx1.ami"
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET) as server:
        env = {**os.environ, "HACKAMORE_SECRET": SECRET}
        with subprocess.Popen(
            [
                *CLI,
                "run",
                "--json",
                "--server",
                f"pbx1=127.0.0.1:{server.port}",
                "--username",
                USER,
                "--backoff",
                "60",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            preexec_fn=default_sigint,
        ) as proc:
            assert proc.stdout is not None
            lines = []
            try:
                for line in proc.stdout:
                    lines.append(line)
                    if '"kind": "pbx_ended"' in line:
                        break
            finally:
                interrupt(proc)
    records = validate(lines)
    expected = hook_sequence(hackamore.File("pbx1", capture))["pbx1"]
    got = [(r["change"], tuple(sorted({**r["fields"], "pbx": "pbx1"}.items()))) for r in records]
    assert got == expected


def test_run_json_stopped_by_ctrl_c_says_each_pbx_ended() -> None:
    capture = FIXTURES / "conference-pbx1.ami"
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET, linger=True) as server:
        argv = [*CLI, "run", "--json", "--server", f"pbx1=127.0.0.1:{server.port}"]
        with subprocess.Popen(
            [*argv, "--username", USER, "--secret", SECRET],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            preexec_fn=default_sigint,
        ) as proc:
            assert proc.stdout is not None
            out = proc.stdout
            lines: list[str] = []
            seen_end = threading.Event()

            def read() -> None:
                # Read on all along: a pipe left full would block the writer mid-line.
                for line in out:
                    lines.append(line)
                    if '"change": "confbridgeend"' in line:
                        seen_end.set()

            reader = threading.Thread(target=read)
            reader.start()
            assert seen_end.wait(20)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(10) == 130
            reader.join(10)
    records = validate(lines)
    assert [r["kind"] for r in records[-1:]] == ["pbx_ended"]
    assert records[-1]["pbx"] == "pbx1" and records[-1]["sizes"]["channels"] == 0


def test_record_then_replay_gives_the_same_model(tmp_path: Path) -> None:
    originals = {
        "pbx1": FIXTURES / "cross-pbx-pbx1.ami",
        "pbx2": FIXTURES / "cross-pbx-pbx2.ami",
    }
    servers = {
        name: hackamore.ReplayServer(path, username=USER, secret=SECRET, piece=512)
        for name, path in originals.items()
    }
    try:
        env = {**os.environ, "HACKAMORE_SECRET": SECRET}
        argv = [*CLI, "record", "--once", "--out", str(tmp_path), "--username", USER]
        for name, s in servers.items():
            argv += ["--server", f"{name}=127.0.0.1:{s.port}"]
        r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
    finally:
        for s in servers.values():
            s.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged.trace", "pbx1.ami", "pbx2.ami"]
    merged = hook_sequence(hackamore.Trace("trace", tmp_path / "merged.trace"))
    for name, original in originals.items():
        want = hook_sequence(hackamore.File(name, original))[name]
        assert hook_sequence(hackamore.File(name, tmp_path / f"{name}.ami"))[name] == want
        assert merged[name] == want
        # `hackamore replay` reads the recording too.
        out = subprocess.run(
            [*CLI, "replay", "--json", str(tmp_path / f"{name}.ami"), "--name", name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert len(validate(out)) == len(want)
