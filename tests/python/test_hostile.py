"""Hostile input, connection faults, a slow consumer, TLS and secrets: the stand-in server
plays the misbehaving PBX, on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import hackamore
import pytest

from .conftest import FIXTURES, SECRET, USER, served_events

TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"
BANNER = b"Asterisk Call Manager/13.0.0\r\n"


def valid(n: int) -> bytes:
    return f"Event: Valid\r\nSeq: {n}\r\nUniqueid: 1.{n}\r\n\r\n".encode()


def garbage(rng: random.Random) -> bytes:
    """Random bytes with NUL, lone CR and LF and high bytes, ended by a blank line."""
    junk = bytes(rng.choice(b"\x00\r\n\x80\xff\xc3abc ") for _ in range(rng.randint(1, 300)))
    return junk.replace(b":", b"") + b"\r\n\r\n"


HOSTILE = {
    "garbage": lambda rng: garbage(rng),
    "300 KiB line": lambda rng: b"Event: Big\r\nData: " + b"x" * (300 * 1024) + b"\r\n\r\n",
    "5,000 headers": lambda rng: (
        b"Event: Wide\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(5000)) + b"\r\n"
    ),
    "10 MiB message": lambda rng: (
        b"Event: Huge\r\n"
        + b"Line: "
        + b"y" * 60_000
        + b"\r\n" * 1
        + (b"Line: " + b"y" * 60_000 + b"\r\n") * 175
        + b"\r\n"
    ),
}


def stream_of(kind: str, rng: random.Random) -> tuple[bytes, int]:
    """Valid messages with the hostile kind between them; returns (capture, valid count)."""
    out, n = [BANNER, b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n"], 0
    for _ in range(3):
        for _ in range(5):
            out.append(valid(n))
            n += 1
        out.append(HOSTILE[kind](rng))
    for _ in range(5):
        out.append(valid(n))
        n += 1
    return b"".join(out), n


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_streams_through_a_socket_leave_valid_traffic_intact(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hackamore")
    capture = tmp_path / "hostile.ami"
    data, n = stream_of(kind, random.Random(kind))
    capture.write_bytes(data)
    # Random pieces up to 64 KiB: lines and messages split anywhere across reads.
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET, piece=65536, seed=3) as s:
        conn = hackamore.Server("pbx1", "127.0.0.1", s.port, USER, SECRET, timeout=5).connect()
        events = list(conn)
        stats = conn.stats
    got = [int(e["Seq"]) for e in events if e.name == "Valid"]
    assert got == list(range(n)), "every valid message, in order, once"
    assert events[-1].is_end and events[-1].end_count == len(events)
    if kind == "garbage":
        assert stats.dropped == 0  # junk lines become junk messages the model ignores
    else:
        assert stats.dropped == 3, stats
        assert {
            "300 KiB line": stats.oversized_lines,
            "5,000 headers": stats.too_many_headers,
            "10 MiB message": stats.oversized_messages,
        }[kind] == 3
        assert "dropped" in caplog.text  # each drop is logged


def test_utf8_split_across_reads_and_invalid_utf8_in_caller_names(tmp_path: Path) -> None:
    name = "Zoë Ünal 電話".encode()
    bad = b"\xff\xfe\xc3"  # not UTF-8
    body = (
        b"Event: Newchannel\r\nChannel: SIP/a-1\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\n"
        b"ChannelState: 0\r\nCallerIDNum: " + bad + b"100\r\nCallerIDName: " + name + b"\r\n\r\n"
        b"Event: Newchannel\r\nChannel: SIP/b-2\r\nUniqueid: 1.2\r\nLinkedid: 1.2\r\n"
        b"ChannelState: 0\r\nCallerIDNum: 200\r\nCallerIDName: " + bad + name + b"\r\n\r\n"
    )
    capture = tmp_path / "utf8.ami"
    capture.write_bytes(BANNER + body)
    # One byte per write: every multi-byte character arrives split.
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET, piece=1, seed=1) as s:
        model = hackamore.Model()
        events = list(hackamore.Server("pbx1", "127.0.0.1", s.port, USER, SECRET).connect())
    for e in events[:-1]:  # all but the END, which would empty the model
        model.apply(e)
    first, second = (e for e in events if e.name == "Newchannel")
    assert first["CallerIDName"] == "Zoë Ünal 電話"
    assert first.raw("CallerIDNum") == bad + b"100"  # kept as received
    assert first["CallerIDNum"] == "\ufffd\ufffd\ufffd100"
    assert second["CallerIDName"] == "\ufffd\ufffd\ufffd" + "Zoë Ünal 電話"
    channel = model.channel("pbx1", "1.1")
    assert channel is not None and channel.calleridnum == "\ufffd\ufffd\ufffd100"


def newchannel_wire(uid: str, extra: str = "") -> bytes:
    """A Newchannel message for `uid`, with `extra` lines (a Trace's SOURCE) at its end."""
    return (
        f"Event: Newchannel\r\nChannel: SIP/{uid}\r\nUniqueid: {uid}\r\n"
        f"Linkedid: {uid}\r\nChannelState: 0\r\n{extra}\r\n"
    ).encode()


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_an_end_header_from_the_pbx_ends_nothing(tmp_path: Path, threaded: bool) -> None:
    """A dialplan UserEvent can carry any header, `END: 1` included: it must not be taken
    for the end of the PBX's source (which would drop its channels and its connection)."""

    spoof = b"Event: UserEvent\r\nUserEvent: spoof\r\nEND: 1\r\n\r\n"
    capture = tmp_path / "spoof.ami"
    capture.write_bytes(BANNER + newchannel_wire("1.1") + spoof + newchannel_wire("1.2"))
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET) as s:
        events = list(hackamore.Server("pbx1", "127.0.0.1", s.port, USER, SECRET).connect())
    assert [e.is_end for e in events] == [False] * (len(events) - 1) + [True]
    assert any(e.get("END") == "1" for e in events[:-1])
    # Held open after the capture, so only a spoofed END could end the connection.
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET, linger=True) as s:
        server = hackamore.Server("pbx1", "127.0.0.1", s.port, USER, SECRET)
        ends: list[str] = []
        engine = hackamore.Engine(
            [server], hooks={"end": lambda c: ends.append(c.pbx)}, threaded=threaded, backoff=600
        )
        engine.start()
        try:
            deadline = time.monotonic() + 10
            while len(engine.model) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(engine.model) == 2  # both channels, the one after the spoof too
            time.sleep(0.3)
            assert ends == []
            assert engine.stats()["feeds"]["pbx1"]["disconnects"] == 0
        finally:
            engine.stop()
            engine.join(10)


def test_a_recorded_end_header_from_the_pbx_ends_nothing_when_replayed(tmp_path: Path) -> None:
    """The recorder appends SOURCE to whatever the PBX sent, `END: 1` included; replayed,
    only the recorder's own END records (which lead with END) end a source."""

    def newchannel(uid: str) -> bytes:
        return newchannel_wire(uid, "SOURCE: pbx1\r\n")

    spoof = b"Event: UserEvent\r\nUserEvent: spoof\r\nEND: 1\r\nSOURCE: pbx1\r\n\r\n"
    trace = tmp_path / "spoof.trace"
    trace.write_bytes(
        newchannel("1.1") + spoof + newchannel("1.2") + b"END: 4\r\nSOURCE: pbx1\r\n\r\n"
    )
    # The recorded END, then the Trace source's own.
    assert [e.is_end for e in hackamore.Trace("t", trace)] == [False, False, False, True, True]
    sizes: list[int] = []
    m = hackamore.Model(hooks={"newchannel": lambda c: sizes.append(c.sizes["channels"])})
    m.consume(hackamore.Trace("t", trace))
    assert sizes == [1, 2]  # the spoof did not drop the first channel
    assert len(m) == 0  # the recorded END did


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_half_open_connection_is_found_by_ping_and_reconnected(threaded: bool) -> None:
    capture = FIXTURES / "conference-pbx1.ami"
    data = capture.read_bytes()
    stall = data.index(b"Event: ConfbridgeJoin")  # calls are up when the PBX goes silent
    server = hackamore.ReplayServer(capture, username=USER, secret=SECRET, stall_after=stall)
    names: list[str] = []
    engine = hackamore.Engine(
        [
            hackamore.Server(
                "pbx1", "127.0.0.1", server.port, USER, SECRET, ping_interval=0.3, ping_timeout=0.3
            )
        ],
        hooks=dict.fromkeys(hackamore.HOOK_NAMES, lambda c: names.append(c.name)),
        threaded=threaded,
        backoff=0.2,
        backoff_max=0.5,
    )
    started = time.monotonic()
    engine.start()
    try:
        deadline = time.monotonic() + 20
        while engine.stats()["feeds"]["pbx1"]["connects"] < 2:
            assert time.monotonic() < deadline, engine.stats()
            time.sleep(0.02)
        took = time.monotonic() - started
    finally:
        engine.stop()
        engine.join(5)
        server.close()
    feed = engine.stats()["feeds"]["pbx1"]
    assert feed["disconnects"] >= 1 and feed["errors"] >= 1
    assert "end" in names and names.index("newchannel") < names.index("end")
    # 0.3 s quiet + 0.3 s unanswered + backoff: found within seconds, not minutes.
    assert took < 10, took


def test_slow_consumer_readers_keep_draining_and_nothing_is_lost() -> None:
    capture = FIXTURES / "basic-pbx1.ami"
    expected = Counter[str]()
    model = hackamore.Model(
        hooks=dict.fromkeys(hackamore.HOOK_NAMES, lambda c: expected.update([c.name]))
    )
    model.consume(hackamore.File("pbx", capture))
    per_pbx = sum(1 for e in hackamore.File("pbx", capture) if not e.is_end)
    servers = [hackamore.ReplayServer(capture, username=USER, secret=SECRET) for _ in range(3)]
    seen = Counter[str]()
    lock = threading.Lock()

    def slow(change: hackamore.Change) -> None:
        time.sleep(0.05)
        with lock:
            seen[change.name] += 1

    engine = hackamore.Engine(
        [
            hackamore.Server(f"pbx{i}", "127.0.0.1", s.port, USER, SECRET)
            for i, s in enumerate(servers)
        ],
        hooks=dict.fromkeys(hackamore.HOOK_NAMES, slow),
        threaded=True,
        backoff=60,
    )
    total_hooks = 3 * sum(expected.values())
    engine.start()
    try:
        # Every socket is drained long before the hooks are through (50 ms each).
        deadline = time.monotonic() + 10
        while not all(f["messages"] >= per_pbx for f in engine.stats()["feeds"].values()):
            assert time.monotonic() < deadline, engine.stats()
            time.sleep(0.01)
        with lock:
            done_when_drained = sum(seen.values())
        assert done_when_drained < total_hooks / 2, (done_when_drained, total_hooks)
        # The backlog is somewhere between the readers and the hooks (the feeds count a
        # message when read, before the model thread has queued its hooks).
        stats = engine.stats()
        assert stats["queued"] + stats["hooks_pending"] > 0, stats
        deadline = time.monotonic() + 0.06 * total_hooks + 20
        while sum(seen.values()) < total_hooks:
            assert time.monotonic() < deadline, (seen, total_hooks)
            time.sleep(0.05)
    finally:
        engine.stop()
        engine.join(10)
        for s in servers:
            s.close()
    assert seen == Counter({k: 3 * v for k, v in expected.items()})
    assert engine.model.sizes()["channels"] == 0  # caught up: every END applied


def tls_server(capture: Path) -> hackamore.ReplayServer:
    """The stand-in server speaking TLS with the test certificate (tests/fixtures/tls)."""
    return hackamore.ReplayServer(
        capture,
        username=USER,
        secret=SECRET,
        tls_cert=TLS / "server.pem",
        tls_key=TLS / "server.key",
    )


@pytest.mark.parametrize("verify", ["ca_file", "skip"])
def test_tls_to_the_stand_in_server(verify: str) -> None:
    capture = FIXTURES / "conference-pbx1.ami"
    with tls_server(capture) as s:
        kwargs: dict[str, object] = (
            {"ca_file": TLS / "ca.pem"} if verify == "ca_file" else {"tls": True, "verify": False}
        )
        server = hackamore.Server("pbx1", "localhost", s.port, USER, SECRET, **kwargs)  # type: ignore[arg-type]
        assert server.tls and SECRET not in repr(server)
        got = [(e.name, e.get("Uniqueid")) for e in server.connect() if e.name]
    assert got == served_events(capture)


def test_tls_with_an_unknown_ca_raises_a_clear_error() -> None:
    capture = FIXTURES / "conference-pbx1.ami"
    with tls_server(capture) as s:
        conn = hackamore.Server(
            "pbx1", "127.0.0.1", s.port, USER, SECRET, ca_file=TLS / "other-ca.pem"
        ).connect()
        with pytest.raises(hackamore.TLSError, match="UnknownIssuer") as err:
            list(conn)
    assert isinstance(err.value, ConnectionError) and isinstance(err.value, hackamore.Error)
    assert SECRET not in str(err.value)
    # Plain TCP against a TLS server, system roots against a private CA: errors, not hangs.
    with pytest.raises(ValueError, match="contradict"):
        hackamore.Server("pbx1", "127.0.0.1", 1, ca_file=TLS / "ca.pem", verify=False)


def test_secrets_stay_out_of_reprs_errors_logs_and_views(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    capture = FIXTURES / "basic-pbx1.ami"
    secret = "Sup3r-S3cret-Value"
    with hackamore.ReplayServer(capture, username=USER, secret=SECRET) as s:
        server = hackamore.Server("pbx1", "127.0.0.1", s.port, USER, secret, auth="md5")
        assert secret not in repr(server)
        with pytest.raises(hackamore.AuthenticationError) as err:
            list(server.connect())
        assert secret not in str(err.value) and secret not in repr(err.value)
    action = hackamore.encode_action("Login", [("Username", USER), ("Secret", secret)])
    assert secret in action.decode()  # the wire carries it, of course...
    login = hackamore.Event([("Action", "Login"), ("Secret", secret)])
    assert secret not in repr(login)  # ...but nothing shows it
    assert secret not in caplog.text


class ResettingPBX:
    """Greets, accepts any login, sends one call's start and half a message, then resets
    the connection (RST, not FIN): what a crashing PBX or a firewall does."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            with conn, contextlib.suppress(OSError):  # the client may go first
                conn.sendall(BANNER)
                buf = b""
                while b"\r\n\r\n" not in buf:
                    buf += conn.recv(4096)
                conn.sendall(
                    b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n"
                    b"Event: Newchannel\r\nChannel: SIP/a-1\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\n"
                    b"ChannelState: 6\r\nCallerIDNum: 100\r\n\r\nEvent: Newst"
                )
                time.sleep(0.05)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def close(self) -> None:
        self.listener.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("fault", ["refused", "reset", "login error", "login never answered"])
@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_connection_faults_log_end_and_retry_with_backoff(
    fault: str, threaded: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hackamore")
    capture = FIXTURES / "basic-pbx1.ami"
    closer: Callable[[], None] = lambda: None  # noqa: E731
    secret = SECRET
    if fault == "refused":
        port = free_port()
    elif fault == "reset":
        pbx = ResettingPBX()
        port, closer = pbx.port, pbx.close
    else:
        srv = hackamore.ReplayServer(
            capture, username=USER, secret=SECRET, answer_login=fault != "login never answered"
        )
        port, closer = srv.port, srv.close
        secret = "wrong" if fault == "login error" else SECRET
    names: list[str] = []
    engine = hackamore.Engine(
        [hackamore.Server("pbx1", "127.0.0.1", port, USER, secret, timeout=0.3)],
        hooks=dict.fromkeys(hackamore.HOOK_NAMES, lambda c: names.append(c.name)),
        threaded=threaded,
        backoff=0.2,
        backoff_max=0.4,
    )
    engine.start()
    time.sleep(2.5)
    engine.stop()
    assert engine.join(5)
    closer()
    stats = engine.stats()["feeds"]["pbx1"]
    # Delays 0.1-0.2 s then 0.2-0.4 s (plus a 0.3 s timeout per attempt when the login
    # is never answered): a handful of attempts, never a busy loop.
    assert 2 <= stats["attempts"] <= 15, stats
    assert stats["errors"] >= stats["attempts"] - 1, stats
    why = {
        "refused": "cannot connect to 127.0.0.1",
        "reset": "connection to 127.0.0.1",
        "login error": "refused",
        "login never answered": "login timed out",
    }[fault]
    assert why in caplog.text, caplog.text
    assert SECRET not in caplog.text
    if fault == "reset":
        # Each connection streamed a channel, then lost it: END dropped it every time.
        assert stats["connects"] >= 2 and names.count("newchannel") == stats["connects"]
        assert names.count("end") >= stats["connects"] - 1
    else:
        assert stats["connects"] == 0 and "newchannel" not in names
    assert engine.model.sizes()["channels"] == 0


def test_reading_a_source_from_python_while_consume_logs_under_its_lock_does_not_deadlock(
    tmp_path: Path,
) -> None:
    """`consume()` logs each dropped line (Python logging takes the GIL) while it holds
    the capture; another thread asking that capture for its stats must not wait for it
    with the GIL held. Run in a child process: a deadlock there is a timeout here."""
    capture = tmp_path / "oversized.ami"
    ok = b"Event: Newexten\r\nChannel: SIP/1\r\nUniqueid: 1.1\r\n\r\n"
    big = b"Event: UserEvent\r\nUserEvent: " + b"x" * 70_000 + b"\r\n\r\n"
    capture.write_bytes(BANNER + (ok * 20 + big) * 100)
    script = textwrap.dedent(
        f"""
        import logging, threading
        import hackamore
        logging.basicConfig(level=logging.INFO, filename={str(tmp_path / "log")!r})
        for _ in range(3):
            source, model = hackamore.File("pbx1", {str(capture)!r}), hackamore.Model()
            done = threading.Event()
            threading.Thread(target=lambda: (model.consume(source), done.set())).start()
            while not done.is_set():
                source.stats, model.sizes()  # each takes the lock consume() holds
            assert source.stats.oversized_lines == 100, source.stats
        print("done")
        """
    )
    try:
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=45)
    except subprocess.TimeoutExpired:
        pytest.fail("deadlock: the child did not finish in 45 s")
    assert run.returncode == 0 and run.stdout.strip() == b"done", run.stderr[-2000:]
    assert "message dropped" in (tmp_path / "log").read_text()
