"""Actions round-trip against the stand-in server: responses, event lists, timeouts,
errors, concurrent callers, asyncio."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import hackamore
import pytest
from hackamore import actions

from .conftest import FIXTURES, SECRET, USER

CAPTURE = FIXTURES / "conference-pbx1.ami"


@pytest.fixture
def conn() -> Iterator[hackamore.Connection]:
    # Met mid-conference (checkpoint 1), lingering: a PBX that stays up and answers.
    with hackamore.ReplayServer(
        CAPTURE, username=USER, secret=SECRET, start_at=1, linger=True
    ) as server:
        connection = hackamore.Server("pbx1", "127.0.0.1", server.port, USER, SECRET).connect()
        try:
            yield connection
        finally:
            connection.close()


def test_simple_actions_and_their_errors(conn: hackamore.Connection) -> None:
    response, events = conn.action("Ping")
    assert response.response == "Success" and response["Ping"] == "Pong" and events == []
    assert actions.originate(conn, "Local/100@test", context="test", exten="conf").response == (
        "Success"
    )
    actions.setvar(conn, "COLOUR", "blue", channel="SIP/100-1")
    assert actions.getvar(conn, "COLOUR", channel="SIP/100-1") == "blue"
    assert actions.getvar(conn, "COLOUR") == ""  # a different (global) variable
    assert actions.redirect(conn, "SIP/100-1", "test", "echo").response == "Success"
    assert actions.hangup(conn, "SIP/100-1").response == "Success"
    assert actions.command(conn, "core show version") == [
        "Asterisk 13.0.0 built by the hackamore stand-in server"
    ]
    with pytest.raises(hackamore.ActionFailedError, match="pbx1: Hangup failed: No such channel"):
        actions.hangup(conn, "nonsense")
    with pytest.raises(hackamore.ActionFailedError, match="Invalid/unknown command"):
        conn.action("NoSuchAction")
    with pytest.raises(hackamore.ActionRefusedError):
        conn.action("Setvar", Variable="X", Value="a\r\nAction: Hangup")
    with pytest.raises(ValueError):
        actions.originate(conn, "SIP/100")


def test_event_lists_are_collected_to_their_end(conn: hackamore.Connection) -> None:
    response, events = conn.action("CoreShowChannels")
    assert response["EventList"] == "start"
    assert events[-1].name == "CoreShowChannelsComplete"
    channels = [e for e in events if e.name == "CoreShowChannel"]
    assert len(channels) == int(events[-1]["ListItems"]) >= 3
    # A PBX without queues answers with an empty list.
    assert actions.queue_status(conn, "support") == []


def test_queue_status_is_the_pbx_s_at_its_checkpoint() -> None:
    # Met with two callers waiting for queue `support` (checkpoint 1 of queue-pbx1).
    with hackamore.ReplayServer(
        FIXTURES / "queue-pbx1.ami", username=USER, secret=SECRET, start_at=1, linger=True
    ) as server:
        with hackamore.Server("pbx1", "127.0.0.1", server.port, USER, SECRET).connect() as conn:
            queue = actions.queue_status(conn, "support")
            assert [e.name for e in queue] == [
                "QueueParams",
                "QueueMember",
                "QueueEntry",
                "QueueEntry",
            ]
            assert [e["Position"] for e in queue if e.name == "QueueEntry"] == ["1", "2"]
            assert actions.queue_status(conn, "sales") == []


def test_answers_never_reach_the_event_stream(conn: hackamore.Connection) -> None:
    ping, _ = conn.action("Ping")
    listed, _ = conn.action("CoreShowChannels")
    taken = {ping["ActionID"], listed["ActionID"]}
    stream = []
    while (event := conn.poll(0.3)) is not None:
        stream.append(event)
    assert len(stream) > 10  # the replay itself, and the resync answers the model needs
    assert any((e.get("ActionID") or "").startswith("hackamore-sync-") for e in stream)
    assert not [e for e in stream if e.get("ActionID") in taken]


def test_timeouts_and_a_lost_connection(conn: hackamore.Connection) -> None:
    with pytest.raises(hackamore.ResponseTimeoutError, match=r"WaitEvent within 0\.3 s"):
        conn.action("WaitEvent", timeout=0.3, Timeout=60)
    assert conn.action("Ping")[0]["Ping"] == "Pong"  # the connection goes on
    conn.close()
    with pytest.raises(hackamore.ConnectionLostError):
        conn.action("Ping", timeout=2)


def test_concurrent_actions_from_several_threads(conn: hackamore.Connection) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(20):
                actions.setvar(conn, f"V{n}", str(i), channel=f"SIP/{n}")
                assert actions.getvar(conn, f"V{n}", channel=f"SIP/{n}") == str(i)
                _, events = conn.action("QueueStatus")
                assert events[-1].name == "QueueStatusComplete"
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_asyncio_actions(conn: hackamore.Connection) -> None:
    async def main() -> list[str]:
        answers = await asyncio.gather(
            *(hackamore.aio.action(conn, "Getvar", Variable=f"NONE{i}") for i in range(5))
        )
        return [r["Variable"] for r, _ in answers]

    assert asyncio.run(main()) == [f"NONE{i}" for i in range(5)]


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_actions_through_a_running_engine(threaded: bool) -> None:
    seen: list[str] = []
    with hackamore.ReplayServer(
        CAPTURE, username=USER, secret=SECRET, start_at=1, linger=True
    ) as server:
        engine = hackamore.Engine(
            [
                hackamore.Server("pbx1", "127.0.0.1", server.port, USER, SECRET),
                hackamore.File("capture", FIXTURES / "basic-pbx1.ami"),
            ],
            hooks={"newchannel": lambda c: seen.append(c.pbx)},
            threaded=threaded,
            backoff=60,
        )
        with pytest.raises(RuntimeError, match="not been started"):
            engine.action("pbx1", "Ping")
        with engine:
            response, _ = engine.action("pbx1", "Ping")  # waits for the login
            assert response["Ping"] == "Pong"
            _, channels = engine.action("pbx1", "CoreShowChannels")
            assert channels[-1].name == "CoreShowChannelsComplete"
            with pytest.raises(hackamore.ActionFailedError, match="No such channel"):
                engine.action("pbx1", "Hangup", Channel="nonsense")
            with pytest.raises(ValueError, match="not a server"):
                engine.action("capture", "Ping")
            with pytest.raises(hackamore.ResponseTimeoutError):
                engine.action("pbx1", "WaitEvent", timeout=0.2)
            results: list[str] = []
            threads = [
                threading.Thread(
                    target=lambda i=i: results.append(
                        engine.action("pbx1", "Getvar", Variable=f"X{i}")[0]["Variable"]
                    )
                )
                for i in range(8)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert sorted(results) == sorted(f"X{i}" for i in range(8))
    # The model still followed the stream (the resync made pbx1's channels).
    assert "pbx1" in seen and "capture" in seen
