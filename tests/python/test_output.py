"""Structured output (`--json`, validated against its documented schema) and `record`
(then `replay`: the same model as the original capture)."""

from __future__ import annotations

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
from hackamore.jsonout import KINDS, SCHEMA

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
        "v": 2,
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
    for bad in (
        {**good, "kind": "exploded"},
        {**good, "v": 1},
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


def test_replay_json_is_the_same_from_run_to_run_but_for_the_time() -> None:
    # A Trace: its messages carry the time they came (a raw capture's queue callers wait
    # since the time they are replayed).
    capture = str(FIXTURES / "queue.trace")
    runs = [
        subprocess.run([*CLI, "replay", "--json", capture], capture_output=True, check=True)
        for _ in range(3)
    ]
    records = [[json.loads(line) for line in r.stdout.splitlines()] for r in runs]
    for rs in records:
        for r in rs:
            del r["time"]
            # The sizes in one fixed order, the model's own.
            assert list(r["sizes"]) == [
                "pbxes", "channels", "calls", "rooms", "trunks", "numbers", "bridges",
                "parked", "queues", "queue_callers", "queue_members",
            ]  # fmt: skip
    assert records[0] == records[1] == records[2] and len(records[0]) > 10
    lines = [[json.dumps(r) for r in rs] for rs in records]
    assert lines[0] == lines[1] == lines[2]


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
