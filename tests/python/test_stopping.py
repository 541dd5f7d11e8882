"""Ctrl-C (SIGINT) of a running engine and of `hackamore run`: each stops within a
second, and what stopping changed still reaches the hooks."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import hackamore
import pytest

from .conftest import FIXTURES, SECRET, USER, default_sigint, interrupt

CAPTURE = FIXTURES / "conference-pbx1.ami"


def _sigint_within_a_second(argv: list[str], ready: str) -> tuple[int, float, str]:
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=default_sigint,
    ) as proc:
        try:
            assert proc.stdout is not None
            seen = []
            for line in proc.stdout:
                seen.append(line)
                if ready in line:
                    break
            sent = time.monotonic()
            rc = interrupt(proc)
            elapsed = time.monotonic() - sent
            seen.append(proc.stdout.read())  # what it said as it stopped
            return rc, elapsed, "".join(seen)
        finally:
            proc.kill()
            proc.wait()


def test_a_child_stops_on_sigint_when_the_test_runner_ignores_it() -> None:
    """Started from a shell that ignores SIGINT (a background job), the runner ignores
    it, and so would the children it starts: the tests that stop a child with SIGINT
    give it the default back."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        rc, _, out = _sigint_within_a_second(
            [sys.executable, "-c", "import time; print('READY', flush=True); time.sleep(30)"],
            "READY",
        )
    finally:
        signal.signal(signal.SIGINT, before)
    # Ended by the signal (Python exits so on an uncaught KeyboardInterrupt), not killed
    # after the wait.
    assert rc == -signal.SIGINT, (rc, out)


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_ctrl_c_stops_engine_run_within_a_second(threaded: bool) -> None:
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, linger=True) as srv:
        script = textwrap.dedent(
            f"""
            import hackamore
            def show(change):
                if change.name == "confbridgeend":
                    print("READY", flush=True)
            engine = hackamore.Engine(
                [hackamore.Server("pbx1", "127.0.0.1", {srv.port}, {USER!r}, {SECRET!r})],
                hooks={{"confbridgeend": show}}, threaded={threaded})
            try:
                engine.run()
            except KeyboardInterrupt:
                print("INTERRUPTED", flush=True)
                raise SystemExit(3)
            """
        )
        rc, elapsed, _ = _sigint_within_a_second([sys.executable, "-c", script], "READY")
    assert rc == 3
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_ctrl_c_on_engine_run_runs_the_end_hook_of_every_pbx(threaded: bool) -> None:
    """100 PBXes that never answer Logoff: each logs off at once and waits a quarter of
    a second at most for its Goodbye, so every END hook runs before run() raises, within
    the second. (One after the other, Main ran the END hook of 1 PBX of 16.)"""
    with hackamore.ReplayServer(
        CAPTURE, username=USER, secret=SECRET, linger=True, answer_logoff=False
    ) as srv:
        script = textwrap.dedent(
            f"""
            import hackamore
            n = 100
            ended, rooms = set(), []
            def room_end(change):
                rooms.append(change.pbx)
                if len(rooms) == n:
                    print("READY", flush=True)
            engine = hackamore.Engine(
                [hackamore.Server(f"pbx{{i}}", "127.0.0.1", {srv.port}, {USER!r}, {SECRET!r})
                 for i in range(n)],
                hooks={{"confbridgeend": room_end, "end": lambda c: ended.add(c.pbx)}},
                threaded={threaded}, backoff=60)
            try:
                engine.run()
            except KeyboardInterrupt:
                print("ENDED", len(ended), flush=True)
                raise SystemExit(3)
            """
        )
        rc, elapsed, out = _sigint_within_a_second([sys.executable, "-c", script], "READY")
    assert rc == 3, out
    assert "ENDED 100\n" in out, out
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


def test_ctrl_c_stops_hackamore_run_within_a_second() -> None:
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, linger=True) as srv:
        argv = [
            sys.executable,
            "-m",
            "hackamore",
            "run",
            "--print",
            "--server",
            f"pbx1=127.0.0.1:{srv.port}",
            "--username",
            USER,
            "--secret",
            SECRET,
        ]
        rc, elapsed, out = _sigint_within_a_second(argv, "confbridgeend")
    assert rc == 130
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert SECRET not in out
