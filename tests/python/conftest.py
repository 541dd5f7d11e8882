from __future__ import annotations

import gc
import os
import pty
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hackamore
import pytest

from .brokers import NATS_SERVER, Nats, free_port

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"
LEGACY = ROOT.parent / "shared" / "fixtures" / "legacy"

USER = "hackamore"
SECRET = "py-s3cret-0451"


def legacy(name: str) -> Path:
    """A capture from ../shared/fixtures/legacy (read there, never copied into the repo).
    Missing is a failure, never a silent pass."""
    path = LEGACY / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the legacy captures are read from ../shared")
    return path


def pytest_configure(config: pytest.Config) -> None:
    """Started from a shell that ignores SIGINT (a background job without job control),
    the runner ignores it, and so would every child it starts (an ignored signal stays
    ignored across exec): a test that stops a child with SIGINT would wait for ever.
    The runner takes SIGINT back; `default_sigint` does it for each child as well."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def default_sigint() -> None:
    """`preexec_fn` of a child a test stops with SIGINT: started from a shell that ignores
    SIGINT (a background job), the test runner passes that on, and the child would ignore
    the test's Ctrl-C too."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(proc: subprocess.Popen[str] | subprocess.Popen[bytes], wait: float = 10) -> int:
    """Send SIGINT, and reap the child whatever happens (killed if it will not stop)."""
    try:
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout=wait)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Terminal:
    """`argv` run on a pseudo-terminal (TERM=xterm, `columns` x `lines`), as a user's
    terminal runs it: its output (stdout and stderr) gathered in ``out`` as it is read."""

    def __init__(self, argv: list[str], columns: int = 150, lines: int = 40) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": str(columns), "LINES": str(lines)}
        self.proc = subprocess.Popen(
            argv, stdout=slave, stderr=slave, stdin=slave, env=env, preexec_fn=default_sigint
        )
        os.close(slave)
        self.out = b""

    def read_until(self, done: Callable[[bytes], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not done(self.out):
            assert time.monotonic() < deadline, self.out[-2000:]
            if select.select([self.master], [], [], 0.1)[0]:
                self.out += os.read(self.master, 65536)

    def ctrl_c(self) -> tuple[int, float]:
        """SIGINT, as Ctrl-C sends it: (exit status, seconds until the exit)."""
        sent = time.monotonic()
        status = interrupt(self.proc)
        return status, time.monotonic() - sent

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)


def served_events(capture: Path) -> list[tuple[str | None, str | None]]:
    """(name, Uniqueid) of each event the stand-in server sends for `capture`: the
    capture's, the `Shutdown` Asterisk sends before it closes the connection, the END."""
    events = [(e.name, e.get("Uniqueid")) for e in hackamore.File("pbx1", capture) if e.name]
    assert events[-1] == ("END", None)
    return [*events[:-1], ("Shutdown", None), events[-1]]


def event_lines(path: Path) -> list[str]:
    """Event names read straight from the text, independently of the decoder."""
    names = []
    for line in path.read_bytes().split(b"\n"):
        line = line.rstrip(b"\r")
        if line.startswith(b"Event: "):
            names.append(line[len(b"Event: ") :].decode())
    return names


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[Nats]:
    """A nats-server with JetStream on 127.0.0.1, its store in the test's folder."""
    assert Path(NATS_SERVER).exists(), "nats-server is needed (scripts/test installs it)"
    server = Nats(free_port(), tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()
    # A NATS client this test left open (its socket outliving its event loop) is found
    # now, in this test, not by whichever test the collector happens to run in.
    gc.collect()
