"""The command line's answers to ordinary mistakes: one line on standard error and exit
status 2 (a bad argument) or 1 (a file that is no capture), never a traceback; and what
its defaults are."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import hackamore
import pytest

from .conftest import FIXTURES, SECRET, USER, default_sigint

CLI = [sys.executable, "-m", "hackamore"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def one_line_error(r: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    assert r.returncode == status, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve", "--port", "70000"], ["--port", "70000 is not a port"]),
        (["serve", "--port", "-1"], ["--port", "-1 is not a port"]),
        (["serve", "--piece", "0"], ["--piece", "at least 1"]),
        (["serve", "--garbage", "2"], ["--garbage", "from 0 to 1"]),
        (["serve", "--delay", "-1"], ["--delay", "0 or more"]),
        (["serve", "--delay", "nan"], ["--delay", "finite"]),
        (["serve", "--host", "nosuch.invalid", "--port", "0"], ["nosuch.invalid"]),
        (["replay", "--speed", "0"], ["--speed", "above 0"]),
        (["run", "--server", "p=127.0.0.1:1"], ["--server needs --username"]),
        (["run", "--server", "p=127.0.0.1:99999", "--username", "u"], ["not a port"]),
        (["run", "--server", "p=::1:5038", "--username", "u"], ["in brackets"]),
        (
            ["run", "--server", "p=127.0.0.1:1", "--server", "p=127.0.0.1:2", "--username", "u"],
            ["'p' is given twice"],
        ),
    ],
)
def test_a_mistake_is_one_line_and_status_2(args: list[str], words: list[str]) -> None:
    one_line_error(cli(*args), 2, *words)


def test_serve_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        one_line_error(cli("serve", "--port", str(port)), 2, "in use", "--port 0")


def test_record_into_a_file_is_a_mistake(tmp_path: Path) -> None:
    out = tmp_path / "capture"
    out.write_text("")
    r = cli("record", "--out", str(out), "--server", "p=127.0.0.1:1", "--username", "u")
    one_line_error(r, 2, "a file is there")


def test_replay_of_what_is_no_capture_is_an_error_with_a_hint(tmp_path: Path) -> None:
    one_line_error(cli("replay", str(tmp_path)), 1, "is a directory")
    text = tmp_path / "notes.txt"
    text.write_text("dear diary\nnothing AMI here\n")
    # One line, nothing else: no decoder warning, no empty summary before it.
    one_line_error(cli("replay", str(text)), 1, "not an AMI capture?")
    assert cli("replay", str(text)).stdout == ""
    empty = tmp_path / "empty.ami"
    empty.write_bytes(b"")
    one_line_error(cli("replay", str(empty)), 1, "not an AMI capture?")


def test_replay_counts_agree_everywhere() -> None:
    capture = str(FIXTURES / "conference-pbx1.ami")
    plain = cli("replay", capture)
    table = cli("replay", "--table", capture)
    events = cli("replay", "--events", capture)
    n = hackamore.File("x", capture)
    for _ in n:
        pass
    decoded = n.stats.messages
    assert f"{decoded} messages, " in plain.stdout
    assert f"{decoded} messages;" in events.stdout
    for r in (plain, table, events):
        assert f"{decoded} messages decoded" in r.stderr, r.stderr
    one = cli("replay", "--limit", "1", str(FIXTURES / "basic-pbx1.ami"))
    assert " 1 messages" not in one.stdout + one.stderr


def test_serve_replays_the_bundled_capture_and_keeps_its_clients(tmp_path: Path) -> None:
    help_text = cli("serve", "--help").stdout
    assert "default hackamore" in help_text and "HACKAMORE_SECRET, else" in help_text
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HACKAMORE_SECRET": "from-env"}
    with subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--secret", SECRET, "--username", USER],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=default_sigint,  # stopped with SIGINT below
    ) as proc:
        try:
            assert proc.stderr is not None
            assert "conference-pbx1.ami" in proc.stderr.readline()
            # The explicit --secret wins over HACKAMORE_SECRET.
            server = hackamore.Server("p", "127.0.0.1", port, USER, SECRET, timeout=5)
            with server.connect() as conn:
                names = []
                while (e := conn.poll(1.0)) is not None:
                    names.append(e.name)
                # The replay is over, the connection is still open (a PBX keeps its
                # monitors): no END.
                assert "ConfbridgeEnd" in names and not conn.ended
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(10)


def test_run_stops_when_a_named_pbx_refuses_the_first_login(tmp_path: Path) -> None:
    with hackamore.ReplayServer(FIXTURES / "basic-pbx1.ami", username=USER, secret=SECRET) as pbx:
        server = f"pbx1=127.0.0.1:{pbx.port}"
        t = time.monotonic()
        bad = "not-the-secret-7f3a"
        r = cli("run", "--print", "--server", server, "--username", USER, "--secret", bad)
        assert time.monotonic() - t < 10
        assert r.returncode == 2, r.stderr
        assert "pbx1: the PBX refused the login" in r.stderr.splitlines()[-1]
        assert bad not in r.stderr
        # --retry keeps trying: still running after two seconds.
        with subprocess.Popen(
            [
                *CLI,
                "run",
                "-q",
                "--retry",
                "--backoff",
                "0.2",
                "--server",
                server,
                "--username",
                USER,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HACKAMORE_SECRET": bad, "HOME": str(tmp_path)},
            preexec_fn=default_sigint,  # stopped with SIGINT below
        ) as proc:
            time.sleep(2)
            assert proc.poll() is None
            proc.send_signal(signal.SIGINT)
            assert proc.wait(10) == 130


def test_import_hackamore_leaves_asyncio_for_those_who_use_it() -> None:
    code = (
        "import sys, hackamore; "
        "assert 'asyncio' not in sys.modules and 'typing' not in sys.modules, 'eager'; "
        "hackamore.aio; assert 'asyncio' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
