"""A collector's side: every model change, and each PBX's state, published in order."""

from __future__ import annotations

import asyncio
import json
import math
import queue
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import hackamore
from hackamore.errors import ArgumentError, BrokerError, UsageError
from hackamore.jsonout import change_record

from .broker import (
    BEGINS,
    COLLECTOR,
    MODEL_VERSION,
    MSG_ID,
    PREFIX,
    RUN,
    STATE_AFTER,
    STATE_EVERY,
    STATE_EVERY_HEADER,
    STREAM,
    Broker,
    _broker,
    _close,
    _ensure_stream,
    changes_subject,
    log,
    pbx_token,
    state_subject,
)

#: Bytes of records a publisher keeps at most while the broker is away (see `buffer_bytes`).
BUFFER_BYTES = 128 * 1024 * 1024
#: Messages handed to the client at once (each awaits its acknowledgement).
BATCH = 256


def new_run() -> str:
    """A collector run's id: when it started (hex milliseconds) and a random part, so a
    restarted collector's message ids never repeat its last run's, and runs of one
    collector sort by their start."""
    return f"{int(time.time() * 1000):x}-{uuid.uuid4().hex[:8]}"


@dataclass
class _Item:
    """One message to publish: a change, or a PBX's state."""

    subject: str
    payload: bytes
    headers: dict[str, str]
    version: int
    pbx: str
    state: bool
    superseded: bool = False  # a state a newer one of its PBX replaced: not published

    @property
    def size(self) -> int:
        return len(self.payload) + sum(len(k) + len(v) for k, v in self.headers.items())


class Publisher:
    """Publishes each change it is given to the stream, in order, from a thread of its
    own. Connecting fails with :class:`~hackamore.BrokerError` (within the broker's
    ``connect_timeout``). Later, while the broker is away, changes wait: at most
    ``buffer`` changes and ``buffer_bytes`` bytes of records; past either the oldest
    waiting changes are dropped, each counted, and every PBX's state follows them. Once
    the broker is back they go out with their message ids, so JetStream drops a
    duplicate of one it already had. Give :meth:`hooks` to a Model or Engine, or call
    :meth:`Engine.publish <hackamore.Engine.publish>`.

    Given the ``model`` the changes come from, it also publishes each PBX's whole state
    among its changes: once a PBX is logged in (``logins``: a callable giving each
    PBX's count of logins, as an Engine's stats have them) or has its first change, a
    second later (its resync is in), after every reconnect to the broker, after changes
    were dropped, and every ``state_every`` seconds for every PBX. At most one state of
    a PBX waits at a time (a newer one replaces it). A consumer starts from the latest
    states and needs nothing older; after an outage or a restart of the collector it
    converges on the state that follows.

    Each process run of a collector is a run of its own (``run``): message ids are
    ``<collector>-<run>-<n>``, so a collector restarted under the same name within the
    duplicate window loses nothing, and a consumer follows one run of a PBX at a time."""

    def __init__(
        self,
        broker: Broker | str,
        *,
        stream: str = STREAM,
        prefix: str = PREFIX,
        buffer: int = 100_000,
        buffer_bytes: int = BUFFER_BYTES,
        collector: str | None = None,
        model: hackamore.Model | None = None,
        state_every: float = STATE_EVERY,
        logins: Callable[[], dict[str, int]] | None = None,
    ) -> None:
        if buffer < 1:
            raise ArgumentError(f"buffer {buffer}: at least one change")
        if buffer_bytes < 1024:
            raise ArgumentError(f"buffer_bytes {buffer_bytes}: at least 1024")
        if not state_every > 0:
            raise ArgumentError(f"state_every {state_every}: a positive number of seconds")
        self.broker = _broker(broker)
        self.stream, self.prefix = stream, prefix
        self.buffer, self.buffer_bytes = buffer, buffer_bytes
        self.collector = collector or socket.gethostname() or "collector"
        self.run = new_run()
        self.model = model
        self.state_every = state_every
        self._logins = logins
        self._login_counts: dict[str, int] = {}
        self.published = 0
        self.states = 0
        self.duplicates = 0
        self.dropped = 0
        self.states_dropped = 0
        self.retries = 0
        self._seq = 0
        self._state_seq = 0
        self._pbxes: set[str] = set()  # every PBX a change or login was seen of
        # Given every change from the start (no model, or one that had made none): each
        # PBX's first change begins it. PBXes whose END was the last change seen.
        self._empty: set[str] = set()
        self._fresh = model is None or model.version == 0
        self._begun: set[str] = set()  # PBXes a change was published of
        # Every PBX's state at the next chance (after a broker reconnect or drops).
        self._state_due = False
        self._state_soon: dict[str, float] = {}  # a PBX's state at this monotonic time
        # Not yet handed to the client, in model version order; and handed, awaiting
        # acknowledgement (sent again, with the same ids, until acknowledged). Only
        # waiting ones are ever dropped: one handed over may reach the stream whatever
        # happens next.
        self._waiting: deque[_Item] = deque()
        self._waiting_state: dict[str, _Item] = {}  # each PBX's state waiting, if any
        self._in_flight: list[_Item] = []
        self._changes_waiting = 0
        self._bytes = 0  # of every item waiting or in flight
        self._lock = threading.Condition()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        # The pump waits for news (nothing to publish): only then does a change wake it.
        # Waking the event loop from another thread costs more than publishing.
        self._asleep = False
        self._task: asyncio.Future[None] | None = None
        started: queue.Queue[BaseException | None] = queue.Queue()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main(started)), name="hackamore-publish", daemon=True
        )
        self._thread.start()
        error = started.get()
        if error is not None:
            self._thread.join()
            raise error

    def __repr__(self) -> str:
        return (
            f"<hackamore.distributed.Publisher {self.broker.url} stream {self.stream} "
            f"collector {self.collector} run {self.run}>"
        )

    def hooks(self) -> dict[str, Callable[[hackamore.Change], None]]:
        """Every hook name, each publishing its change."""
        return dict.fromkeys(hackamore.HOOK_NAMES, self.publish)

    def _headers(self, version: int) -> dict[str, str]:
        return {COLLECTOR: self.collector, RUN: self.run, MODEL_VERSION: str(version)}

    def publish(self, change: hackamore.Change) -> None:
        """Queue `change` for the stream (returns at once)."""
        with self._lock:
            if self._closing:
                raise UsageError("publish() after close()")
            seq = self._seq
            self._seq += 1
            payload = json.dumps(change_record(change, seq), ensure_ascii=False).encode()
            headers = {
                MSG_ID: f"{self.collector}-{self.run}-{seq}",
                **self._headers(change.version),
            }
            if self._fresh and change.pbx not in self._begun:
                self._empty.add(change.pbx)
            self._begun.add(change.pbx)
            if change.pbx in self._empty:
                # The PBX was empty in the model before this change: where a consumer
                # may start following it, as from a state.
                headers[BEGINS] = "1"
                self._empty.discard(change.pbx)
            if change.name == "end":
                self._empty.add(change.pbx)
            if change.pbx not in self._pbxes or change.name == "end":
                # A PBX new here, or connecting again: its state once its resync is in.
                self._state_soon[change.pbx] = time.monotonic() + STATE_AFTER
            self._pbxes.add(change.pbx)
            subject = changes_subject(change.pbx, self.prefix)
            self._waiting.append(
                _Item(subject, payload, headers, change.version, change.pbx, False)
            )
            self._changes_waiting += 1
            self._bytes += self._waiting[-1].size
            self._trim()
            asleep, self._asleep = self._asleep, False
        if asleep:
            self._poke()

    def publish_state(self, pbxes: Iterable[str] | None = None) -> None:
        """Queue the whole state of `pbxes` (default: every PBX known so far), taken from
        the model now, each after the changes it holds and before those it does not."""
        if self.model is None:
            return
        with self._lock:
            names = sorted(self._pbxes if pbxes is None else pbxes)
        for pbx in names:
            # Exported without the publisher's lock: the hook thread never waits for it.
            version, state = self.model._export_pbx(pbx)
            with self._lock:
                self._state_seq += 1
                n = self._state_seq
            # Its own id each time: a quiet PBX's state, unchanged, is stored again (the
            # stream keeps it, and a late consumer starts near the end); a retried
            # publish of it keeps its id.
            headers = {
                MSG_ID: f"{self.collector}-{self.run}-state-{pbx_token(pbx)}-{version}-{n}",
                **self._headers(version),
                STATE_EVERY_HEADER: repr(self.state_every),
            }
            item = _Item(
                state_subject(pbx, self.prefix), state.encode(), headers, version, pbx, True
            )
            with self._lock:
                self._insert_state(item)
        self._poke()

    def _insert_state(self, item: _Item) -> None:
        """Put a state where its version goes (the lock held): after every waiting change
        it holds, before those made after it was taken (queued meanwhile); a waiting older
        state of the same PBX is replaced. Changes in flight are all older than it: they
        were queued before it was taken."""
        older = self._waiting_state.pop(item.pbx, None)
        if older is not None:
            # Left in place (no search), its bytes let go, passed over when due.
            self._bytes -= older.size
            older.superseded, older.payload = True, b""
        self._waiting_state[item.pbx] = item
        at = len(self._waiting)
        while at > 0 and self._waiting[at - 1].version > item.version:
            at -= 1
        self._waiting.insert(at, item)
        self._bytes += item.size
        self._trim()

    def _trim(self) -> None:
        """Drop the oldest waiting changes while more than ``buffer`` changes or
        ``buffer_bytes`` bytes wait (the lock held); states are dropped only when no
        change is left to drop. What was dropped is followed by every PBX's state."""
        while self._changes_waiting > self.buffer or self._bytes > self.buffer_bytes:
            victim = next((i for i, it in enumerate(self._waiting) if not it.state), None)
            if victim is None:
                live = [i for i, it in enumerate(self._waiting) if not it.superseded]
                if not live:
                    return  # only what is in flight: it cannot be dropped
                victim = live[0]
                del self._waiting_state[self._waiting[victim].pbx]
                self.states_dropped += 1
            else:
                self._changes_waiting -= 1
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 10_000 == 0:
                    log.warning(
                        "NATS publish buffer full (%d changes, %d bytes): "
                        "%d oldest changes dropped so far",
                        self.buffer,
                        self.buffer_bytes,
                        self.dropped,
                    )
            self._bytes -= self._waiting[victim].size
            del self._waiting[victim]
            self._state_due = True

    def stats(self) -> dict[str, int]:
        """``published`` (stored by JetStream, changes and states), ``states`` (of them,
        PBX states), ``duplicates`` (acknowledged as stored already: a publish retried
        after its acknowledgement was lost),
        ``pending`` (waiting or in flight), ``pending_states`` (of them, states waiting:
        one per PBX at most), ``pending_bytes``, ``dropped`` (changes: the buffer was
        full), ``states_dropped``, ``retries`` (publishes tried again)."""
        with self._lock:
            return {
                "published": self.published,
                "states": self.states,
                "duplicates": self.duplicates,
                "pending": len(self._waiting) + len(self._in_flight),
                "pending_states": len(self._waiting_state),
                "pending_bytes": self._bytes,
                "dropped": self.dropped,
                "states_dropped": self.states_dropped,
                "retries": self.retries,
            }

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait up to `timeout` seconds until everything given so far is acknowledged;
        True when it is."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._waiting and not self._in_flight, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Publish what is waiting (up to `timeout` seconds), then disconnect; what is
        still unpublished then is logged as lost."""
        if not self.flush(timeout):
            log.warning(
                "NATS %s: closing with %d changes unpublished",
                self.broker.url,
                self.stats()["pending"],
            )
        with self._lock:
            self._closing = True
        # The pump may be waiting for acknowledgements that will not come: stop it.
        if self._task is not None:
            self._in_loop(self._task.cancel)
        self._thread.join(1.0)

    def _poke(self) -> None:
        if self._wake is not None:
            self._in_loop(self._wake.set)

    def _in_loop(self, call: Callable[[], Any]) -> None:
        """Have the publisher's event loop run `call` (from any thread)."""
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(call)
            except RuntimeError:  # the loop has ended
                pass

    async def _main(self, started: queue.Queue[BaseException | None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        try:
            nc = await self.broker._connect(
                disconnected_cb=self._disconnected, reconnected_cb=self._reconnected
            )
            try:
                await _ensure_stream(nc.jetstream(), self.stream, self.prefix)
            except BrokerError:
                self._closing = True  # no "disconnected" warning for this close
                await _close(nc)
                raise
        except BaseException as e:  # handed to the constructor's thread
            started.put(e)
            return
        started.put(None)
        log.info(
            "publishing to %s, stream %s, as collector %s (run %s)",
            self.broker.url,
            self.stream,
            self.collector,
            self.run,
        )
        js = nc.jetstream()
        self._task = asyncio.ensure_future(self._pump(js))
        try:
            await self._task
        except asyncio.CancelledError:
            pass  # close(): what was not acknowledged is counted as pending
        finally:
            await _close(nc)

    async def _disconnected(self) -> None:
        if self._closing:
            return
        log.warning(
            "NATS %s: disconnected; changes wait (at most %d)", self.broker.url, self.buffer
        )

    async def _reconnected(self) -> None:
        log.info("NATS %s: reconnected; publishing every PBX's state", self.broker.url)
        with self._lock:
            self._state_due = True
        self._poke()

    def _logged_in(self, clock: float) -> None:
        """PBXes logged in again since the last look: their state once the resync is in;
        PBXes not seen before are known from now on (a quiet PBX has a state too)."""
        if self._logins is None:
            return
        try:
            counts = self._logins()
        except Exception as e:  # the engine is going away
            log.debug("NATS publisher: cannot read the logins: %s", e)
            return
        with self._lock:
            for pbx, n in counts.items():
                if n > self._login_counts.get(pbx, 0):
                    self._state_soon[pbx] = clock + STATE_AFTER
                self._login_counts[pbx] = n
                if n:
                    self._pbxes.add(pbx)

    def _states_due(self, now: float, next_state: float) -> tuple[float, float]:
        """Queue the states due now; returns (the next periodic time, the next wake).
        While a batch waits for the broker, none is taken: a state taken during an
        outage would be replaced by the next, or followed by more drops."""
        clock = time.monotonic()
        self._logged_in(clock)
        with self._lock:
            if self._in_flight:
                return next_state, now + 1.0
            every, self._state_due = self._state_due, False
            soon = [pbx for pbx, at in self._state_soon.items() if at <= clock]
            for pbx in soon:
                del self._state_soon[pbx]
            wake_at = min(self._state_soon.values(), default=math.inf) - clock + now
        if now >= next_state:
            every = True
            next_state = now + self.state_every
        if every:
            self.publish_state()
        elif soon:
            self.publish_state(soon)
        return next_state, min(next_state, wake_at, now + 1.0)

    async def _pump(self, js: Any) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        next_state = loop.time() + self.state_every
        while True:
            now = loop.time()
            next_state, wake_at = self._states_due(now, next_state)
            with self._lock:
                if not self._in_flight:
                    while self._waiting and len(self._in_flight) < BATCH:
                        item = self._waiting.popleft()
                        if item.superseded:
                            continue
                        if item.state:
                            del self._waiting_state[item.pbx]
                        else:
                            self._changes_waiting -= 1
                        self._in_flight.append(item)
                batch = list(self._in_flight)
                closing = self._closing
            if not batch:
                if closing:
                    return
                self._wake.clear()
                with self._lock:
                    if self._waiting:
                        continue  # came since
                    self._asleep = True
                try:
                    await asyncio.wait_for(self._wake.wait(), max(0.01, wake_at - now))
                except asyncio.TimeoutError:
                    pass
                with self._lock:
                    self._asleep = False
                continue
            try:
                futures = [
                    await js.publish_async(it.subject, it.payload, headers=dict(it.headers))
                    for it in batch
                ]
                # asyncio.wait, not gather: a gather cancelled by close() leaves an
                # exception nobody retrieves (logged by asyncio).
                _, unacknowledged = await asyncio.wait(futures, timeout=5.0)
                if unacknowledged:
                    for f in unacknowledged:
                        f.cancel()
                    raise TimeoutError(f"{len(unacknowledged)} publishes not acknowledged")
                acks = [ack.result() for ack in futures]  # a refused publish raises here
            except Exception as e:  # the broker is away: the same ids again later
                with self._lock:
                    self.retries += len(batch)
                    closing = self._closing
                log.debug("NATS publish of %d changes failed (%s); trying again", len(batch), e)
                if closing:
                    return
                await asyncio.sleep(0.2)
                continue
            with self._lock:
                for it, ack in zip(batch, acks):
                    self._bytes -= it.size
                    if ack.duplicate:
                        self.duplicates += 1
                    else:
                        self.published += 1
                        self.states += it.state
                self._in_flight.clear()
                self._lock.notify_all()
