"""Server/Connection against the project's stand-in AMI server, on loopback only."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import hackamore
import pytest

from .conftest import FIXTURES, SECRET, USER, default_sigint, interrupt, served_events

CAPTURE = FIXTURES / "conference-pbx1.ami"


@pytest.fixture
def server() -> Iterator[hackamore.ReplayServer]:
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET) as s:
        yield s


def pbx(port: int, secret: str = SECRET, auth: str = "plain") -> hackamore.Server:
    return hackamore.Server("pbx1", "127.0.0.1", port, USER, secret, auth=auth, timeout=3.0)


def file_events() -> list[tuple[str | None, str | None]]:
    return served_events(CAPTURE)


@pytest.mark.parametrize("auth", ["plain", "md5"])
def test_login_and_stream(
    server: hackamore.ReplayServer, auth: str, caplog: pytest.LogCaptureFixture
) -> None:
    with pbx(server.port, auth=auth).connect() as conn:
        events = list(conn)
        assert conn.version == "13.0.0"
        assert conn.banner == "Asterisk Call Manager/13.0.0"
    assert events[0].response == "Success"
    assert events[0]["Message"] == "Authentication accepted"
    assert [(e.name, e.get("Uniqueid")) for e in events if e.name] == file_events()
    assert events[-1].is_end and events[-1].end_count == len(events)
    # The stand-in said Shutdown before it closed: an orderly end, no warning.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_small_pieces_and_garbage() -> None:
    with hackamore.ReplayServer(
        CAPTURE, username=USER, secret=SECRET, piece=5, garbage=0.3, seed=9
    ) as s:
        conn = pbx(s.port, auth="md5").connect()
        got = [(e.name, e.get("Uniqueid")) for e in conn if e.name]
    assert got == file_events()


@pytest.mark.parametrize("auth", ["plain", "md5"])
def test_wrong_secret_raises_and_the_source_ends(
    server: hackamore.ReplayServer, auth: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hackamore")
    conn = pbx(server.port, secret="not-the-secret", auth=auth).connect()
    with pytest.raises(hackamore.AuthenticationError) as info:
        next(conn)
    assert "Authentication failed" in str(info.value)
    assert "not-the-secret" not in str(info.value)
    end = next(conn)
    assert end.is_end and end.end_count == 1
    with pytest.raises(StopIteration):
        next(conn)
    assert "not-the-secret" not in caplog.text
    # Raised, so not also logged as a warning or error.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_connection_refused_is_a_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conn = pbx(port).connect()
    with pytest.raises(ConnectionError) as info:
        next(conn)
    assert isinstance(info.value, hackamore.ConnectError)
    assert f"127.0.0.1:{port}" in str(info.value)


def test_peer_closing_mid_message_ends_with_end() -> None:
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, cut_after=4000) as s:
        conn = pbx(s.port).connect()
        events = list(conn)
    assert events[-1].is_end and events[-1].end_count == len(events)
    assert 2 < len(events) < len(file_events())
    assert conn.stats.truncated == 1


def test_secret_never_in_repr() -> None:
    srv = pbx(5038)
    assert SECRET not in repr(srv)
    assert srv.username == USER and srv.auth == "plain"
    with pytest.raises(ValueError):
        hackamore.Server("p", "127.0.0.1", 5038, auth="kerberos")


def test_ctrl_c_interrupts_a_waiting_iteration_within_a_second() -> None:
    # A server that replays then stays silent: the iteration blocks waiting for events.
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, linger=True) as s:
        script = textwrap.dedent(
            f"""
            import hackamore, sys
            conn = hackamore.Server("pbx1", "127.0.0.1", {s.port}, {USER!r}, {SECRET!r}).connect()
            n = 0
            try:
                for event in conn:
                    n += 1
                    if event.name == "ConfbridgeEnd":
                        print("READY", flush=True)
            except KeyboardInterrupt:
                print("INTERRUPTED", n, flush=True)
                sys.exit(3)
            """
        )
        with subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=default_sigint,
        ) as proc:
            try:
                assert proc.stdout is not None
                assert proc.stdout.readline().strip() == "READY"
                time.sleep(0.3)  # now blocked waiting for more
                sent = time.monotonic()
                rc = interrupt(proc)
                elapsed = time.monotonic() - sent
            finally:
                proc.kill()
                proc.wait()
        assert rc == 3
        assert elapsed < 1.0, f"took {elapsed:.2f} s"
