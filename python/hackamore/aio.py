"""asyncio helpers. Model changes: ``async for change in engine.changes()`` (see
:class:`hackamore.Engine`). Raw AMI events of one PBX: ``async for event in
hackamore.aio.events(server)``. Actions: ``await hackamore.aio.action(conn, "Ping")``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from hackamore._native import Connection, Event, Server


async def action(
    conn: Connection, name: str, /, *, timeout: float = 10.0, **fields: object
) -> tuple[Event, list[Event]]:
    """:meth:`Connection.action` for asyncio: the wait happens in a worker thread."""
    return await asyncio.to_thread(conn.action, name, timeout=timeout, **fields)


async def events(source: Server | Connection, *, wait: float = 0.2) -> AsyncIterator[Event]:
    """Every event of one connection, END last, without blocking the event loop: events
    already read are taken at once; waiting for more happens in a worker thread, at most
    `wait` seconds at a time. Given a ``Server`` it connects, and closes (logging off)
    when the iteration stops early."""
    conn = source.connect() if isinstance(source, Server) else source
    try:
        while True:
            event = conn.poll(0.0)
            if event is None:
                if conn.ended:
                    return
                event = await asyncio.to_thread(conn.poll, wait)
                if event is None:
                    continue
            yield event
            if event.is_end:
                return
    finally:
        if isinstance(source, Server):
            conn.close()
