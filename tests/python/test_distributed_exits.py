"""Leaving, and keeping secrets: `hackamore watch` and programs that consume or run an
engine in a thread exit cleanly (Ctrl-C, or the end of the program) however much is
queued, and no credential shows in a repr, an error or a log, however it was given."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import hackamore
import pytest
from hackamore.distributed import Broker, Changes, Publisher

from .brokers import (
    FIXTURES,
    Nats,
    basic_changes,
    free_port,
    hackamore_cli,
    publish_raw,
    raw_records,
)
from .conftest import Terminal, default_sigint, interrupt

BACKLOG = 100_000


@pytest.fixture
def backlog(nats: Nats) -> Nats:
    """The broker with 100,000 changes in stream BIG."""
    publish_raw(nats.url, "BIG", raw_records(BACKLOG))
    return nats


@pytest.mark.timeout(180)
def test_watch_with_a_backlog_stops_at_ctrl_c_within_a_second(backlog: Nats) -> None:
    """The reading was looked at for a stop only when nothing was queued: with a late
    consumer catching up, Ctrl-C left the applying thread inside the native consume and
    the interpreter aborted (exit 134). On a terminal and piped, Ctrl-C now exits 130
    within the second."""
    argv = [sys.executable, "-m", "hackamore", "watch", backlog.url, "--stream", "BIG"]
    for _ in range(3):
        with Terminal(argv, columns=120, lines=30) as terminal:
            terminal.read_until(lambda out: b"newchannel" in out or b"hangup" in out)
            rc, elapsed = terminal.ctrl_c()
        assert rc == 130 and elapsed < 1.0, (rc, elapsed, terminal.out[-500:])
    with subprocess.Popen(
        [*argv, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=default_sigint,
    ) as proc:
        assert proc.stdout is not None
        proc.stdout.readline()
        rc = interrupt(proc)
        err = proc.stderr.read() if proc.stderr else b""
    assert rc == 130 and b"FATAL" not in err, err


@pytest.mark.timeout(180)
def test_stop_ends_a_reading_before_its_next_change_whatever_is_queued(backlog: Nats) -> None:
    """`stop()` was looked at only when nothing was queued: a consumer catching up went
    on through its whole queue (10,000 changes) first. With a hook of a millisecond, a
    stopped reading now applies at most the change in hand."""
    import threading
    import time

    applied = threading.Event()
    at_stop: list[int] = []

    def slow(change: hackamore.Change) -> None:
        time.sleep(0.001)
        applied.set()

    reading = Changes(backlog.url, stream="BIG")
    model = hackamore.Model(hooks={name: slow for name in hackamore.HOOK_NAMES})
    consumer = threading.Thread(target=model.consume, args=(reading,))
    consumer.start()
    assert applied.wait(30)
    while reading.read < 1000:  # the reader's queue fills meanwhile
        time.sleep(0.01)
    at_stop.append(reading.stats()["applied"])
    reading.stop()
    consumer.join(10)
    assert not consumer.is_alive()
    assert reading.stats()["applied"] <= at_stop[0] + 1, (reading.stats(), at_stop)


EXITS_CONSUMING = """
import sys, threading, time
import hackamore
from hackamore.distributed import Changes

reading = Changes(sys.argv[1], stream="BIG")
threading.Thread(target=hackamore.Model().consume, args=(reading,), daemon=True).start()
while reading.read < 2000:
    time.sleep(0.01)
print("EXIT", flush=True)
# The program ends with the thread still applying: the exit handler stops it.
"""


@pytest.mark.timeout(180)
def test_a_program_that_ends_while_a_thread_consumes_exits_cleanly(backlog: Nats) -> None:
    """A daemon thread still inside the native `Model.consume` when the interpreter
    exits aborted the process; the exit handler stops the reading and waits for it."""
    for _ in range(4):
        exits_cleanly(EXITS_CONSUMING, backlog.url)


def exits_cleanly(script: str, *args: str) -> None:
    """`script` runs to its end and exits 0, saying EXIT: no abort at exit."""
    run = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == "EXIT\n" and "FATAL" not in run.stderr


EXITS_RUNNING = """
import sys, threading, time
import hackamore

port, threaded, pause = int(sys.argv[1]), sys.argv[2] == "threads", float(sys.argv[3])
hooked = []

def busy(change):
    hooked.append(change.name)
    time.sleep(pause)

engine = hackamore.Engine(
    [hackamore.Server(f"pbx{i}", "127.0.0.1", port, "hackamore", "hackamore") for i in range(4)],
    hooks={name: busy for name in hackamore.HOOK_NAMES},
    threaded=threaded,
    backoff=60,
)
engine.start()
while len(hooked) < 50:
    time.sleep(0.01)
print("EXIT", flush=True)
# The program ends with the engine running and hooks queued: the exit handler stops it.
"""


@pytest.mark.timeout(180)
@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
@pytest.mark.parametrize("pause", [0.001, 0.02], ids=["busy", "slow"])
def test_a_program_that_leaves_an_engine_running_exits_cleanly(
    threaded: bool, pause: float
) -> None:
    """The hook thread was ended inside the native dispatch at exit (the process
    aborted, 5 runs of 5 with busy hooks); the exit handler stops running engines and
    runs their last hooks (2 s at most; hooks so slow that more are queued are
    dropped)."""
    with hackamore.ReplayServer(FIXTURES / "churn-pbx1.ami", linger=True) as pbx:
        for _ in range(4):
            mode = "threads" if threaded else "one"
            exits_cleanly(EXITS_RUNNING, str(pbx.port), mode, str(pause))


@pytest.mark.timeout(120)
def test_no_credential_in_any_repr_error_or_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A password or token given in the URL (moved out of it), as arguments, or through
    the environment on the command line: never in a repr, an error or a log record; a
    URL with credentials on the command line is refused in one line."""
    caplog.set_level(logging.DEBUG)
    secrets = []
    changes = basic_changes()[:5]
    password = Nats(
        free_port(), tmp_path / "pw", options=("--user", "collector", "--pass", "pw-s3cret")
    )
    token = Nats(free_port(), tmp_path / "tok", options=("--auth", "tok-s3cret"))
    for server in (password, token):
        server.start()
    try:
        pw_at, tok_at = f"127.0.0.1:{password.port}", f"127.0.0.1:{token.port}"
        good = [
            Broker(f"nats://collector:pw-s3cret@{pw_at}"),
            Broker(f"nats://{pw_at}", user="collector", password="pw-s3cret"),
            Broker(f"nats://tok-s3cret@{tok_at}"),
            Broker(f"nats://{tok_at}", token="tok-s3cret"),
        ]
        secrets += ["pw-s3cret", "tok-s3cret"]
        for i, broker in enumerate(good):
            assert "@" not in broker.url
            publisher = Publisher(broker, stream=f"S{i}", prefix=f"s{i}")
            for c in changes:
                publisher.publish(c)
            assert publisher.flush(10)
            reading = Changes(broker, stream=f"S{i}", prefix=f"s{i}", to_end=True)
            assert len(list(reading)) == len(changes)
            for shown in (repr(broker), repr(publisher), repr(reading), str(broker)):
                assert not any(s in shown for s in secrets), shown
            publisher.close()
        wrong = [
            Broker(f"nats://collector:pw-wr0ng@{pw_at}", connect_timeout=2),
            Broker(f"nats://{pw_at}", user="collector", password="pw-wr0ng2"),
            Broker(f"nats://tok-wr0ng@{tok_at}", connect_timeout=2),
            Broker(f"nats://{tok_at}", token="tok-wr0ng2", connect_timeout=2),
        ]
        secrets += ["pw-wr0ng", "pw-wr0ng2", "tok-wr0ng", "tok-wr0ng2"]
        for broker in wrong:
            with pytest.raises(hackamore.BrokerError) as refused:
                Publisher(broker, stream="W")
            assert not any(s in str(refused.value) for s in secrets), refused.value
        # Given twice: refused, without saying the secret.
        with pytest.raises(hackamore.ArgumentError) as twice:
            Broker(f"nats://u:pw-tw1ce@{pw_at}", password="x")
        assert "pw-tw1ce" not in str(twice.value)
        # The command line: credentials in the URL refused in one line (not echoed);
        # from the environment, a refusal that does not show them.
        url_cli = hackamore_cli("watch", f"nats://collector:pw-cl1@{pw_at}", home=tmp_path)
        assert url_cli.returncode == 2 and len(url_cli.stderr.splitlines()) == 1
        assert "pw-cl1" not in url_cli.stderr + url_cli.stdout
        env = {**os.environ, "HACKAMORE_NATS_PASSWORD": "pw-env-wr0ng", "HOME": str(tmp_path)}
        env_cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "hackamore",
                "watch",
                "--nats-user",
                "collector",
                f"nats://{pw_at}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert env_cli.returncode == 1 and "refused" in env_cli.stderr, env_cli.stderr
        assert "pw-env-wr0ng" not in env_cli.stderr + env_cli.stdout
    finally:
        for server in (password, token):
            server.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(s in logged for s in secrets)
    assert logged  # the DEBUG records were there to look at


def test_a_url_with_credentials_keeps_only_where_the_broker_is() -> None:
    b = Broker("tls://alice:p%40ss@broker.example:4443")
    assert (b.url, b.user, b.password, b.token) == (
        "tls://broker.example:4443",
        "alice",
        "p@ss",
        None,
    )
    assert "p@ss" not in repr(b)
    t = Broker("nats://t0ken@broker.example")
    assert (t.url, t.user, t.token) == ("nats://broker.example", None, "t0ken")
    with pytest.raises(hackamore.ArgumentError) as bad:
        Broker("http://alice:s3cret@broker.example")
    assert "s3cret" not in str(bad.value)
