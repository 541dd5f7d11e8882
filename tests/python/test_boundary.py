"""The Python boundary: every argument is taken or refused as documented (a value out of
range is an ArgumentError, a wrong type a TypeError, never a panic or a bare OverflowError),
misspelt keywords are errors, Ctrl-C is never lost, and the command line stops quietly
when its output is closed."""

from __future__ import annotations

import functools
import logging
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import hackamore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import FIXTURES, SECRET, USER

EXTREMES = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            1,
            65535,
            65536,
            70000,
            2**31,
            2**63,
            2**64,
            2**70,
            -(2**70),
            0.0,
            -0.0,
            -1.5,
            1e-12,
            1e300,
            float("inf"),
            float("-inf"),
            float("nan"),
            True,
            None,
            "5038",
            "",
            [],
            b"1",
            object(),
        ]
    ),
    st.integers(),
    st.floats(),
)


def accepted_or_refused(call: Callable[[], Any]) -> Any:
    """Call; an error must be an ArgumentError-like hackamore.Error or a TypeError (and
    a BaseException that is no Exception, like pyo3's PanicException, fails the test)."""
    try:
        return call()
    except (hackamore.Error, TypeError) as e:
        return e


@pytest.fixture(scope="module")
def ended_connection() -> Any:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conn = hackamore.Server("p", "127.0.0.1", port, "u", "s").connect()
    for _ in range(3):  # the refusal, then its END, then nothing
        try:
            conn.poll(1)
        except hackamore.ConnectError:
            pass
    return conn


@settings(max_examples=60, deadline=None)
@given(value=EXTREMES)
def test_every_numeric_argument_is_taken_or_refused_cleanly(
    value: Any, ended_connection: Any
) -> None:
    for keyword in (
        "port",
        "timeout",
        "ping_interval",
        "ping_timeout",
        "max_line",
        "max_message",
        "max_headers",
    ):
        accepted_or_refused(functools.partial(hackamore.Server, "p", "h", **{keyword: value}))
    accepted_or_refused(lambda: ended_connection.poll(value))
    accepted_or_refused(lambda: ended_connection.action("Ping", timeout=value))
    capture = str(FIXTURES / "basic-pbx1.ami")
    for keyword in ("piece", "delay", "garbage", "cut_after", "stall_after", "seed", "start_at"):
        server = accepted_or_refused(
            functools.partial(hackamore.ReplayServer, capture, **{keyword: value})
        )
        if isinstance(server, hackamore.ReplayServer):
            server.close()
    for keyword in ("backoff", "backoff_max"):
        sources = [hackamore.File("p", capture)]
        accepted_or_refused(functools.partial(hackamore.Engine, sources, **{keyword: value}))
    engine = hackamore.Engine([hackamore.File("p", capture)])
    accepted_or_refused(lambda: engine.join(value))
    accepted_or_refused(lambda: engine.action("p", "Ping", timeout=value))


def test_the_values_once_reported() -> None:
    capture = str(FIXTURES / "basic-pbx1.ami")
    with pytest.raises(hackamore.ArgumentError, match="port"):
        hackamore.Server("p", "h", 70000)
    with pytest.raises(hackamore.ArgumentError):
        hackamore.Server("p", "h", timeout=float("nan"))
    with pytest.raises(TypeError):
        hackamore.Server("p", "h", port="5038")  # type: ignore[arg-type]
    engine = hackamore.Engine([hackamore.File("p", capture)])
    engine.start()
    assert engine.join(float("inf")) is True  # no limit, as None
    with pytest.raises(hackamore.UsageError):
        hackamore.Engine([hackamore.File("p", capture)]).action("p", "Ping")
    with hackamore.ReplayServer(capture) as taken:
        with pytest.raises(hackamore.ServeError, match=str(taken.port)) as raised:
            hackamore.ReplayServer(capture, port=taken.port)
        assert isinstance(raised.value, OSError)
    assert issubclass(hackamore.ArgumentError, ValueError)


def test_a_misspelt_keyword_of_the_model_is_an_error_not_a_lost_hook() -> None:
    with pytest.raises(TypeError, match="hoooks"):
        hackamore.Model(hoooks={"hangup": print})
    with pytest.raises(TypeError, match="trunk_varible"):
        hackamore.Model(trunk_varible="X")
    with pytest.raises(TypeError):
        hackamore.Model("positional")
    with pytest.raises(hackamore.ArgumentError, match="rules"):
        hackamore.Model(rules="2013")

    class Mine(hackamore.Model):
        def __init__(self, label: str, *, extra: int = 0) -> None:
            self.label, self.extra = label, extra

    mine = Mine("x", extra=3)
    assert (mine.label, mine.extra, mine.rules) == ("x", 3, "standard")


def test_ctrl_c_while_a_hook_error_is_logged_stops_consume() -> None:
    """Ctrl-C arriving while a hook's exception is being logged: a KeyboardInterrupt
    raised inside the logging call. Before, it was printed and lost, and consume() read
    on."""

    class Interrupted(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise KeyboardInterrupt

    def hook(change: hackamore.Change) -> None:
        raise RuntimeError("a bug in a hook")

    seen: list[hackamore.Change] = []
    logger = logging.getLogger("hackamore.hooks")
    handler = Interrupted()
    logger.addHandler(handler)
    try:
        model = hackamore.Model(hooks={"newchannel": hook, "hangup": seen.append})
        with pytest.raises(KeyboardInterrupt):
            model.consume(hackamore.File("pbx1", FIXTURES / "conference-pbx1.ami"))
    finally:
        logger.removeHandler(handler)
    assert seen == []  # stopped at the first hook error, not read to the end


CLI = [sys.executable, "-m", "hackamore"]


@pytest.mark.parametrize("extra", [[], ["--json"], ["--table"], ["--events"]])
def test_replay_into_a_closed_pipe_stops_quietly(extra: list[str]) -> None:
    """`hackamore replay | head -1`: one line, then the command ends, without a word on
    standard error but the usual first line."""
    cmd = [*CLI, "replay", *extra, str(FIXTURES / "churn.trace")]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # what `head` does once it has its lines
        rc = proc.wait(timeout=60)
        err = proc.stderr.read().decode()
    assert rc == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_run_into_a_closed_pipe_stops_although_the_pbx_stays() -> None:
    """`hackamore run | head`: a live PBX never ends its stream; a closed output ends the
    command."""
    with (
        tempfile.TemporaryDirectory() as d,
        # Paced (5 ms a message, 6 s in all): the command still writes after this test
        # has read its first line and closed the pipe, however slow the machine. At full
        # speed the whole replay could fit in the pipe before the close, and then the
        # command wrote nothing more to notice it (it waited for a PBX that lingers).
        hackamore.ReplayServer(
            FIXTURES / "churn-pbx1.ami", username=USER, secret=SECRET, linger=True, delay=0.005
        ) as server,
    ):
        cmd = [
            *CLI,
            "run",
            "--print",
            "--server",
            f"pbx1=127.0.0.1:{server.port}",
            "--username",
            USER,
            "--secret",
            SECRET,
        ]
        with subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"HOME": d, "PATH": "/usr/bin:/bin"},
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.readline()
            proc.stdout.close()
            try:
                rc = proc.wait(timeout=20)
            finally:
                proc.kill()
                proc.wait()
            err = proc.stderr.read().decode()
    assert rc == 141, err
    assert "Traceback" not in err, err
