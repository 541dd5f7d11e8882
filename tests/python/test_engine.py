"""Engines (Main: one polling thread; Mains: a thread per PBX), reconnect, backoff,
configuration and `hackamore run`, against the project's stand-in servers on loopback."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hackamore
import pytest
from hackamore.compat import Event, Main, Mains, Manifold, ModelCounter, Socket

from .conftest import FIXTURES, SECRET, USER, Terminal, default_sigint

CAPTURE = FIXTURES / "conference-pbx1.ami"


def wait_for(cond: Callable[[], bool], timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.01)


class Recorder:
    """Every change, in order, per PBX."""

    def __init__(self) -> None:
        self.by_pbx: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = defaultdict(list)
        self.all: list[tuple[str, str]] = []

    def hooks(self) -> dict[str, Any]:
        return dict.fromkeys(hackamore.HOOK_NAMES, self.hook)

    def hook(self, change: hackamore.Change) -> None:
        fields = tuple(sorted((k, v) for k, v in change.fields.items() if k != "pbx"))
        self.by_pbx[change.pbx].append((change.name, fields))
        self.all.append((change.pbx, change.name))


def file_changes(path: Path) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    rec = Recorder()
    hackamore.Model(hooks=rec.hooks()).consume(hackamore.File("pbx", path))
    return rec.by_pbx["pbx"]


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_three_servers_in_small_pieces_fire_every_hook_three_times(threaded: bool) -> None:
    expected = file_changes(CAPTURE)
    servers = [
        hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, piece=9, seed=i)
        for i in range(3)
    ]
    rec = Recorder()
    sources = [
        hackamore.Server(f"pbx{i}", "127.0.0.1", s.port, USER, SECRET, auth="md5")
        for i, s in enumerate(servers)
    ]
    # A long backoff: each server replays once, then the engine waits to reconnect.
    engine = hackamore.Engine(sources, hooks=rec.hooks(), threaded=threaded, backoff=60)
    engine.start()
    try:
        wait_for(lambda: sum(n == "end" for _, n in rec.all) == 3)
    finally:
        engine.stop()
        assert engine.join(5)
        for s in servers:
            s.close()
    for i in range(3):
        assert rec.by_pbx[f"pbx{i}"] == expected, f"pbx{i}"
    counts = Counter(n for _, n in rec.all)
    assert counts == Counter({k: 3 * v for k, v in Counter(n for n, _ in expected).items()})
    assert engine.model.sizes()["channels"] == 0
    stats = engine.stats()["feeds"]
    assert all(f["connects"] == 1 and f["disconnects"] == 1 for f in stats.values())


def canonical(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without the global order of call groups (which depends on how the
    engine interleaved the PBXes): each channel's call becomes the set of its members."""
    calls = [frozenset(map(tuple, call)) for call in snapshot["calls"]]
    channels = {
        pbx: {
            uid: {**f, "call": None if f["call"] is None else calls[f["call"]]}
            for uid, f in chans.items()
        }
        for pbx, chans in snapshot["channels"].items()
    }
    return {**snapshot, "channels": channels, "calls": set(calls)}


def test_main_and_mains_give_equal_models_midway() -> None:
    """Both engines over the same streams, stopped at the same point: equal models."""
    prefix = _prefix(CAPTURE, 9000)  # mid-conference: calls are up
    # The capture's messages, and the `Response: Error` a replay from the start gives to
    # each of the ten resync queries (it knows no state to report): BridgeList,
    # CoreShowChannels, Status, ParkedCalls, QueueStatus, ConfbridgeListRooms and the
    # presence lists ExtensionStateList, DeviceStateList, PJSIPShowContacts and
    # PJSIPShowRegistrationsOutbound.
    want = _messages(prefix) + 10
    snapshots = []
    for threaded in (False, True):
        servers = [
            hackamore.ReplayServer(
                prefix, username=USER, secret=SECRET, piece=13, seed=i, linger=True
            )
            for i in range(3)
        ]
        model = hackamore.Model()
        engine = hackamore.Engine(
            [
                hackamore.Server(f"pbx{i}", "127.0.0.1", s.port, USER, SECRET)
                for i, s in enumerate(servers)
            ],
            model,
            threaded=threaded,
            backoff=60,
        )
        engine.start()

        def delivered(engine: hackamore.Engine = engine) -> bool:
            stats = engine.stats()
            return stats["queued"] == 0 and all(
                f["messages"] == want for f in stats["feeds"].values()
            )

        try:
            wait_for(delivered)
            snapshots.append(canonical(model.snapshot()))
        finally:
            engine.stop()
            engine.join(5)
            for s in servers:
                s.close()
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["channels"]) == 3 and snapshots[0]["calls"]


_PREFIXES: dict[int, Path] = {}


def _prefix(path: Path, n: int) -> Path:
    """The capture up to the message boundary at or after byte n."""
    if n not in _PREFIXES:
        data = path.read_bytes()
        end = data.index(b"\r\n\r\n", n) + 4
        out = Path(__file__).parent / f"_prefix_{n}.ami"
        out.write_bytes(data[:end])
        _PREFIXES[n] = out
    return _PREFIXES[n]


def _messages(path: Path) -> int:
    # Messages a connection delivers: the capture's, less its banner (the stand-in
    # server answers the login itself, in place of the recorded answer).
    return sum(1 for e in hackamore.File("p", path) if not e.is_end)


@pytest.fixture(autouse=True, scope="module")
def _cleanup_prefixes() -> Any:
    yield
    for p in _PREFIXES.values():
        p.unlink(missing_ok=True)


def test_compat_main_and_mains_bodies_with_three_servers() -> None:
    reference = ModelCounter.ModelCounter()
    Main.body(Manifold.Manifold(reference, None), [_file(CAPTURE)], [])
    for body in (Main.body, Mains.body):
        servers = [
            hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, piece=5, seed=i)
            for i in range(3)
        ]
        counter = ModelCounter.ModelCounter()
        inputs = [
            Socket.Socket(f"pbx{i}", USER, SECRET, "127.0.0.1", s.port)
            for i, s in enumerate(servers)
        ]
        outputs: list[Any] = []
        body(Manifold.Manifold(counter, None), list(inputs), outputs)
        for s in servers:
            s.close()
        assert sorted(map(id, outputs)) == sorted(map(id, inputs))
        assert counter.counter == {k: 3 * v for k, v in reference.counter.items()}
        assert counter.counter[Event.NEWCHANNEL] > 0


def _file(path: Path) -> Any:
    from hackamore.compat import File

    return File.File("pbx", str(path))


def test_a_slow_pbx_never_delays_a_fast_one_in_the_single_thread_engine() -> None:
    fast_capture = FIXTURES / "churn-pbx2.ami"
    slow_capture = FIXTURES / "basic-pbx2.ami"
    slow = hackamore.ReplayServer(slow_capture, username=USER, secret=SECRET, piece=1, delay=0.003)
    fast = hackamore.ReplayServer(fast_capture, username=USER, secret=SECRET)
    rec = Recorder()
    engine = hackamore.Engine(
        [
            hackamore.Server("slow", "127.0.0.1", slow.port, USER, SECRET),
            hackamore.Server("fast", "127.0.0.1", fast.port, USER, SECRET),
        ],
        hooks=rec.hooks(),
        threaded=False,
        backoff=60,
    )
    engine.start()
    try:
        wait_for(lambda: ("slow", "end") in rec.all, timeout=30)
    finally:
        engine.stop()
        engine.join(5)
        slow.close()
        fast.close()
    fast_end = rec.all.index(("fast", "end"))
    slow_total = sum(p == "slow" for p, _ in rec.all)
    slow_before = sum(p == "slow" for p, _ in rec.all[:fast_end])
    # The fast PBX (hundreds of changes) was done while the slow one had delivered
    # less than half of its changes.
    assert sum(p == "fast" for p, _ in rec.all) > 500
    assert slow_before < slow_total / 2, (slow_before, slow_total)
    assert rec.by_pbx["fast"] == file_changes(fast_capture)
    assert rec.by_pbx["slow"] == file_changes(slow_capture)


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_server_restart_drops_the_pbx_then_reconnects_and_follows(threaded: bool) -> None:
    data = CAPTURE.read_bytes()
    cut = data.index(b"Event: ConfbridgeJoin")  # calls are up here
    first = hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, cut_after=cut)
    port = first.port
    rec = Recorder()
    engine = hackamore.Engine(
        [hackamore.Server("pbx1", "127.0.0.1", port, USER, SECRET)],
        hooks=rec.hooks(),
        threaded=threaded,
        backoff=0.3,
        backoff_max=1.0,
    )
    live_at_end: list[int] = []
    engine.start()
    try:
        wait_for(lambda: ("pbx1", "end") in rec.all)
        first.close()  # the PBX goes away...
        live_at_end.append(len(engine.model))
        before = len(rec.all)
        time.sleep(0.5)
        second = hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, port=port)
        try:  # ...and comes back on the same port
            wait_for(lambda: rec.all.count(("pbx1", "end")) == 2)
        finally:
            second.close()
    finally:
        engine.stop()
        engine.join(5)
    changes = rec.by_pbx["pbx1"]
    first_end = next(i for i, c in enumerate(changes) if c[0] == "end")
    assert any(n == "newchannel" for n, _ in changes[:first_end])
    assert live_at_end == [0]  # the END dropped that PBX's channels
    # After the reconnect the model follows the new stream from its start.
    assert changes[first_end + 1 :] == file_changes(CAPTURE)
    stats = engine.stats()["feeds"]["pbx1"]
    assert stats["connects"] >= 2 and stats["disconnects"] >= 2
    assert len(rec.all) > before


def test_bad_secret_is_logged_and_retried_with_backoff(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hackamore")
    server = hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET)
    engine = hackamore.Engine(
        [hackamore.Server("pbx1", "127.0.0.1", server.port, USER, "not-the-secret")],
        backoff=0.2,
        backoff_max=0.4,
    )
    engine.start()
    time.sleep(2.0)
    engine.stop()
    engine.join(5)
    clients = server.clients
    server.close()
    stats = engine.stats()["feeds"]["pbx1"]
    # Delays of 0.1-0.2 s, then 0.2-0.4 s: a handful of attempts in 2 s, not a busy loop.
    assert 3 <= stats["attempts"] <= 15, stats
    # Every attempt was refused, but the last may have been in flight when we stopped.
    assert stats["attempts"] - 1 <= stats["auth_failures"] <= stats["attempts"]
    assert stats["auth_failures"] <= clients <= stats["attempts"]
    assert stats["connects"] == 0
    errors = [r for r in caplog.records if "authentication error" in r.getMessage()]
    assert errors and all(r.levelno == logging.ERROR for r in errors)
    assert "not-the-secret" not in caplog.text
    assert engine.model.sizes()["channels"] == 0


def _clean_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COM_DIAG_HACKAMORE_", "HACKAMORE_"))
    }
    env["HOME"] = str(home)
    return env


def test_hackamore_run_with_nothing_configured_replays_the_bundled_call_at_its_pace(
    tmp_path: Path,
) -> None:
    def run(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
        t = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "hackamore", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=_clean_env(tmp_path),
            check=False,
        )
        return r, time.monotonic() - t

    # The bundled Trace spans 11.0 s: at 4x, about 2.75 s; at 1000x, at once.
    r, slow = run("run", "--speed", "4")
    assert r.returncode == 0, r.stderr
    assert "No PBX configured" in r.stderr and "at the pace it was recorded" in r.stderr
    lines = r.stdout.splitlines()
    assert sum(" confbridgejoin " in line for line in lines) == 3
    assert lines[0].split()[1:3] == ["pbx1", "newchannel"]
    assert "model changes" in r.stdout and "in 3 calls at once" in r.stdout
    fast, quick = run("run", "--speed", "1000")
    assert fast.stdout == r.stdout
    assert slow > 2.5 and slow > quick + 2.0, (slow, quick)
    # The same lines as `replay` of the same Trace, each with the model right after it.
    replay, _ = run("replay", "--speed", "1000", hackamore.bundled_capture(trace=True))
    changes = [line for line in lines if line.endswith("]")]
    assert changes == [line for line in replay.stdout.splitlines() if line.endswith("]")]
    assert any("[channels 6 calls" in line for line in changes)


def test_configuration_from_environment_and_dotfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    dotfile = tmp_path / ".com_diag_hackamore"
    dotfile.write_text(
        "# PBXes\nCOM_DIAG_HACKAMORE_NAME1 = alpha\nCOM_DIAG_HACKAMORE_SERVER1=127.0.0.1\n"
        "COM_DIAG_HACKAMORE_PORT1 = 5039\nCOM_DIAG_HACKAMORE_USERNAME1=admin\n"
        "COM_DIAG_HACKAMORE_SECRET1=sekrit-1\nCOM_DIAG_HACKAMORE_NAME2=beta\n"
    )
    dotfile.chmod(0o600)
    for k in list(os.environ):
        if k.startswith("COM_DIAG_HACKAMORE_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COM_DIAG_HACKAMORE_USERNAME2", "from-env")
    caplog.set_level(logging.INFO, logger="hackamore")
    alpha, beta = hackamore.configured_servers()
    assert (alpha.name, alpha.host, alpha.port, alpha.username) == (
        "alpha",
        "127.0.0.1",
        5039,
        "admin",
    )
    assert (beta.name, beta.host, beta.port, beta.username) == (
        "beta",
        "127.0.0.1",
        5038,
        "from-env",
    )
    assert "sekrit-1" not in caplog.text and "sekrit-1" not in repr(alpha)
    assert "readable by group or others" not in caplog.text
    dotfile.chmod(0o644)
    hackamore.configured_servers()
    assert "readable by group or others (mode 644); chmod 600 it" in caplog.text
    assert not alpha.tls and not beta.tls
    monkeypatch.setenv("COM_DIAG_HACKAMORE_CAFILE2", str(tmp_path / "ca.pem"))
    assert [s.tls for s in hackamore.configured_servers()] == [False, True]
    monkeypatch.setenv("COM_DIAG_HACKAMORE_VERIFY2", "no")
    with pytest.raises(hackamore.ConfigError, match="contradict"):
        hackamore.configured_servers()
    monkeypatch.delenv("COM_DIAG_HACKAMORE_CAFILE2")
    monkeypatch.setenv("COM_DIAG_HACKAMORE_TLS1", "maybe")
    with pytest.raises(hackamore.ConfigError, match="COM_DIAG_HACKAMORE_TLS1"):
        hackamore.configured_servers()
    monkeypatch.setenv("COM_DIAG_HACKAMORE_TLS1", "yes")
    assert "verify=False" in repr(hackamore.configured_servers()[1])
    monkeypatch.setenv("COM_DIAG_HACKAMORE_PORT1", "50x9")
    with pytest.raises(hackamore.ConfigError, match="COM_DIAG_HACKAMORE_PORT1"):
        hackamore.configured_servers()
    assert hackamore.credential("COM_DIAG_HACKAMORE_NAME1") == "alpha"
    assert hackamore.credential("NOPE", "dflt") == "dflt"


@pytest.mark.parametrize("program", ["Main", "Mains"])
def test_compat_programs_run_from_configuration(program: str, tmp_path: Path) -> None:
    """`python -m hackamore.compat.Main` (and Mains): PBXes from the configuration, the
    print view without TERM, Ctrl-C ends it cleanly."""
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, linger=True) as srv:
        env = _clean_env(tmp_path)
        env.pop("TERM", None)
        env.update(
            COM_DIAG_HACKAMORE_NAME1="pbx1",
            COM_DIAG_HACKAMORE_PORT1=str(srv.port),
            COM_DIAG_HACKAMORE_USERNAME1=USER,
            COM_DIAG_HACKAMORE_SECRET1=SECRET,
        )
        argv = [sys.executable, "-m", f"hackamore.compat.{program}"]
        log = tmp_path / "stderr.txt"
        with (
            log.open("w") as errors,
            subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                env=env,
                preexec_fn=default_sigint,
            ) as proc,
        ):
            try:
                assert proc.stdout is not None
                seen = []
                ended = False
                for line in proc.stdout:
                    seen.append(line)
                    ended = ended or (line.startswith("EVENT") and " ConfbridgeEnd pbx1 " in line)
                    if ended and line.strip() == "NUMBERS":
                        break  # that event's table is complete
                os.kill(proc.pid, signal.SIGINT)
                rest, _ = proc.communicate(timeout=10)
            finally:
                proc.kill()
                proc.wait()
    out = "".join(seen) + rest
    assert proc.returncode == 0, out
    assert out.startswith("EVENT 0 Newchannel pbx1 ")
    lines = out.splitlines()
    events = [i for i, line in enumerate(lines) if line.startswith("EVENT ")]
    assert len(events) > 30
    # Each event is followed by its table (the last one may be cut by the Ctrl-C).
    assert all(lines[i + 1].startswith("VIEW SOURCE") for i in events[:-1])
    # Standard error has the 2014 framework's log lines, never the secret.
    logged = log.read_text()
    assert "Controller.loop: STARTING." in logged and f"{program}.main: STOPPING." in logged
    assert SECRET not in out + logged


def test_a_pbx_that_never_answers_the_handshake_delays_nobody() -> None:
    """A listener on loopback whose accept queue is full leaves new connects hanging in
    the TCP handshake. The single-thread engine keeps serving the other PBX meanwhile."""
    import socket as sockets

    hole = sockets.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(0)
    fillers = []
    for _ in range(4):
        c = sockets.socket()
        c.setblocking(False)
        c.connect_ex(hole.getsockname())
        fillers.append(c)
    time.sleep(0.2)
    fast = hackamore.ReplayServer(FIXTURES / "churn-pbx2.ami", username=USER, secret=SECRET)
    rec = Recorder()
    engine = hackamore.Engine(
        [
            hackamore.Server(
                "silent", "127.0.0.1", hole.getsockname()[1], USER, SECRET, timeout=4.0
            ),
            hackamore.Server("fast", "127.0.0.1", fast.port, USER, SECRET),
        ],
        hooks=rec.hooks(),
        threaded=False,
        backoff=60,
    )
    engine.start()
    try:
        wait_for(lambda: ("fast", "end") in rec.all, timeout=20)
        silent = engine.stats()["feeds"]["silent"]
    finally:
        engine.stop()
        assert engine.join(3)  # stopping does not wait for the hanging connect
        fast.close()
        for c in fillers:
            c.close()
        hole.close()
    # The fast PBX was fully processed while the silent one was still connecting.
    assert silent["attempts"] == 1 and silent["errors"] == 0 and silent["connects"] == 0
    assert rec.by_pbx["fast"] == file_changes(FIXTURES / "churn-pbx2.ami")


def test_hackamore_run_on_a_terminal_is_a_full_screen_view() -> None:
    with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, linger=True) as srv:
        argv = [
            sys.executable,
            "-m",
            "hackamore",
            "run",
            "--server",
            f"pbx1=127.0.0.1:{srv.port}",
            "--username",
            USER,
            "--secret",
            SECRET,
        ]
        with Terminal(argv, columns=150, lines=40) as terminal:
            # The conference ended: the last screen shows it among the recent changes.
            terminal.read_until(lambda out: b"confbridgeend" in out.rsplit(b"\x1b[2J", 1)[-1])
            rc, elapsed = terminal.ctrl_c()
        out = terminal.out
    screens = out.split(b"\x1b[2J\x1b[1;1H")
    assert len(screens) > 2, "the screen is redrawn"
    last = screens[-1].decode(errors="replace")
    assert "hackamore: live model (Ctrl-C stops)" in last
    assert "PBX        UNIQUEID" in last and "Recent changes:" in last
    assert all(len(line) <= 150 for line in last.replace("\r", "").splitlines())
    assert rc == 130 and elapsed < 1.0, (rc, elapsed)


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_engine_started_mid_call_rebuilds_from_the_resync_answers(threaded: bool) -> None:
    # The stand-in PBX is met right after checkpoint 1 of the conference capture: three
    # callers are in room 100. Hooks see them created by the resync, then follow them.
    import re

    text = CAPTURE.read_text()
    start = text.index("ActionID: truth-1")
    listed = set(
        re.findall(r"Uniqueid: (\S+)", text[start : text.index("CoreShowChannelsComplete", start)])
    )
    assert len(listed) >= 3
    for resync in (True, False):
        server = hackamore.ReplayServer(
            CAPTURE, username=USER, secret=SECRET, start_at=1, piece=4096
        )
        rec = Recorder()
        engine = hackamore.Engine(
            [hackamore.Server("pbx1", "127.0.0.1", server.port, USER, SECRET, resync=resync)],
            hooks=rec.hooks(),
            threaded=threaded,
            backoff=60,
        )
        engine.start()
        try:
            wait_for(lambda rec=rec: ("pbx1", "end") in rec.all)  # type: ignore[misc]
        finally:
            engine.stop()
            engine.join(5)
            server.close()
        created = {dict(f)["uniqueid"] for n, f in rec.by_pbx["pbx1"] if n == "newchannel"}
        joined = [dict(f)["uniqueid"] for n, f in rec.by_pbx["pbx1"] if n == "confbridgejoin"]
        hung_up = {dict(f)["uniqueid"] for n, f in rec.by_pbx["pbx1"] if n == "hangup"}
        if resync:
            assert listed <= created and listed <= hung_up
            assert len(joined) >= 3
        else:
            assert not (listed & created)  # never known to this model


def test_ctrl_c_inside_a_hook_stops_but_a_hook_exception_does_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def faulty(change: hackamore.Change) -> None:
        calls.append(change.name)
        raise ValueError("a bug in a hook")

    hackamore.Model(hooks={"newchannel": faulty}).consume(hackamore.File("pbx1", CAPTURE))
    assert len(calls) > 1 and "a bug in a hook" in caplog.text  # logged, the model went on

    def interrupted(change: hackamore.Change) -> None:
        raise KeyboardInterrupt  # what Ctrl-C does while a hook runs

    with pytest.raises(KeyboardInterrupt):
        hackamore.Model(hooks={"newchannel": interrupted}).consume(hackamore.File("pbx1", CAPTURE))
    server = hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, linger=True)
    engine = hackamore.Engine(
        [hackamore.Server("pbx1", "127.0.0.1", server.port, USER, SECRET)],
        hooks={"newchannel": interrupted},
        backoff=60,
    )
    try:
        with pytest.raises(KeyboardInterrupt):
            engine.run()  # would run forever against a lingering server
        assert engine.join(5)
    finally:
        server.close()
