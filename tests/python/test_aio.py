"""asyncio: `engine.changes()` and `hackamore.aio.events()` against the stand-in server."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import hackamore
import pytest

from .conftest import FIXTURES, SECRET, USER

CAPTURE = FIXTURES / "conference-pbx1.ami"
Changes = list[tuple[str, tuple[tuple[str, str], ...]]]


def file_changes(path: Path) -> Changes:
    seen: Changes = []
    hooks = dict.fromkeys(
        hackamore.HOOK_NAMES, lambda c: seen.append((c.name, tuple(sorted(c.fields.items()))))
    )
    hackamore.Model(hooks=hooks).consume(hackamore.File("pbx1", path))
    return seen


async def collect(engine: hackamore.Engine) -> Changes:
    got: Changes = []
    async for change in engine.changes():
        got.append((change.name, tuple(sorted(change.fields.items()))))
        if change.name == "end":
            engine.stop()
    return got


@pytest.mark.parametrize("threaded", [False, True], ids=["Main", "Mains"])
def test_changes_are_every_change_in_order_for_every_iteration(threaded: bool) -> None:
    async def main() -> tuple[Changes, list[str], float]:
        with hackamore.ReplayServer(
            CAPTURE, username=USER, secret=SECRET, piece=64, delay=0.0005
        ) as pbx:
            engine = hackamore.Engine(
                [hackamore.Server("pbx1", "127.0.0.1", pbx.port, USER, SECRET)],
                threaded=threaded,
                backoff=60,
            )
            # Two consumers at once, and a ticker that notices a blocked event loop.
            gaps: list[float] = []
            done = asyncio.Event()

            async def ticker() -> None:
                last = time.monotonic()
                while not done.is_set():
                    await asyncio.sleep(0.005)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now

            tick = asyncio.create_task(ticker())
            second_stream = engine.changes()
            first = await collect(engine)

            async def drain() -> list[str]:
                return [c.name async for c in second_stream]

            second = await drain()
            done.set()
            await tick
            return first, second, max(gaps)

    first, second, worst = asyncio.run(main())
    assert first == file_changes(CAPTURE)
    assert second == [name for name, _ in first]
    # Generous: a loop blocked on the socket would stall for the whole replay.
    assert worst < 1.0, worst


def test_changes_of_a_finished_engine_end_at_once_and_hooks_still_run() -> None:
    hooked: list[str] = []

    async def main() -> list[str]:
        engine = hackamore.Engine(
            [hackamore.File("pbx1", CAPTURE)], hooks={"newchannel": lambda c: hooked.append(c.name)}
        )
        names = [c.name async for c in engine.changes()]  # a File ends by itself
        assert engine.join(5)
        assert [c async for c in engine.changes()] == []
        return names

    names = asyncio.run(main())
    assert names == [n for n, _ in file_changes(CAPTURE)]
    assert hooked == ["newchannel"] * names.count("newchannel")


def test_aio_events_yields_every_event_without_blocking() -> None:
    async def main() -> list[str | None]:
        with hackamore.ReplayServer(CAPTURE, username=USER, secret=SECRET, piece=256) as pbx:
            server = hackamore.Server("pbx1", "127.0.0.1", pbx.port, USER, SECRET, resync=False)
            return [e.name async for e in hackamore.aio.events(server)]

    names = asyncio.run(main())
    want = [e.name for e in hackamore.File("pbx1", CAPTURE)]
    # The live stream starts with the stand-in's own login answer (the capture's is
    # replaced) and ends with the stand-in's Shutdown and END, as the File does with END.
    assert names[1:] == [*want[1:-1], "Shutdown", want[-1]]
