"""A collector's side: every model change, and each PBX's state, published in order."""

from __future__ import annotations

import asyncio
import collections
import json
import math
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import hackamore
from hackamore.errors import ArgumentError, BrokerError, UsageError
from hackamore.jsonout import change_record

from .broker import (
    COLLECTOR,
    MODEL_VERSION,
    MSG_ID,
    PREFIX,
    STATE_AFTER,
    STREAM,
    Broker,
    _broker,
    _close,
    _ensure_stream,
    _Item,
    changes_subject,
    log,
    pbx_token,
    state_subject,
)


class Publisher:
    """Publishes each change it is given to the stream, in order, from a thread of its
    own. Connecting fails with :class:`~hackamore.BrokerError` (within the broker's
    ``connect_timeout``); later, while the broker is away, changes wait in a buffer of
    at most ``buffer`` changes (the oldest are dropped and counted beyond that) and are
    published, with their message ids, once it is back: JetStream drops a duplicate of
    one it already had. Give :meth:`hooks` to a Model or Engine, or call
    :meth:`Engine.publish <hackamore.Engine.publish>`.

    Given the ``model`` the changes come from, it also publishes each PBX's whole state
    among its changes: a second after the first change of a PBX (once a (re)connected
    PBX's resync is in), after every (re)connect to the broker, after changes were
    dropped, and every ``state_every`` seconds for the PBXes that changed. A consumer
    starts from the latest states and needs nothing older; after an outage or a restart
    of the collector it converges on the state that follows."""

    def __init__(
        self,
        broker: Broker | str,
        *,
        stream: str = STREAM,
        prefix: str = PREFIX,
        buffer: int = 100_000,
        collector: str | None = None,
        model: hackamore.Model | None = None,
        state_every: float = 60.0,
    ) -> None:
        if buffer < 1:
            raise ArgumentError(f"buffer {buffer}: at least one change")
        self.broker = _broker(broker)
        self.stream, self.prefix, self.buffer = stream, prefix, buffer
        self.collector = collector or uuid.uuid4().hex[:12]
        self.published = 0
        self.states = 0
        self.duplicates = 0
        self.dropped = 0
        self.retries = 0
        self.model = model
        self.state_every = state_every
        self._seq = 0
        self._pbxes: set[str] = set()  # every PBX a change was published of
        self._changed: set[str] = set()  # since its last state
        # Every PBX's state at the next chance (after a broker reconnect or drops). Not
        # at the start: a PBX's first state waits until its resync is in.
        self._state_due = False
        self._state_soon: dict[str, float] = {}  # a PBX's state at this monotonic time
        # Not yet handed to the client; and handed, awaiting acknowledgement (sent again,
        # with the same ids, until acknowledged). Only the first are ever dropped: one
        # handed over may reach the stream whatever happens next.
        self._waiting: collections.deque[_Item] = collections.deque()
        self._in_flight: list[_Item] = []
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
            f"collector {self.collector}>"
        )

    def hooks(self) -> dict[str, Callable[[hackamore.Change], None]]:
        """Every hook name, each publishing its change."""
        return dict.fromkeys(hackamore.HOOK_NAMES, self.publish)

    def publish(self, change: hackamore.Change) -> None:
        """Queue `change` for the stream (returns at once)."""
        record = change_record(change, self._seq)
        headers = {
            MSG_ID: f"{self.collector}-{self._seq}",
            COLLECTOR: self.collector,
            MODEL_VERSION: str(change.version),
        }
        self._seq += 1
        payload = json.dumps(record, ensure_ascii=False).encode()
        with self._lock:
            if self._closing:
                raise UsageError("publish() after close()")
            if change.pbx not in self._pbxes or change.name == "end":
                # A PBX new here, or connecting again: its state once its resync is in.
                self._state_soon[change.pbx] = time.monotonic() + STATE_AFTER
            self._pbxes.add(change.pbx)
            self._changed.add(change.pbx)
            self._queue((changes_subject(change.pbx, self.prefix), payload, headers))
            asleep, self._asleep = self._asleep, False
        if asleep:
            self._poke()

    def publish_state(self, pbxes: Iterable[str] | None = None) -> None:
        """Queue the whole state of `pbxes` (default: every PBX published so far), taken
        from the model now, after the changes queued before it."""
        if self.model is None:
            return
        with self._lock:
            names = sorted(self._pbxes if pbxes is None else pbxes)
            for pbx in names:
                version, state = self.model._export_pbx(pbx)
                headers = {
                    MSG_ID: f"{self.collector}-state-{pbx_token(pbx)}-{version}",
                    COLLECTOR: self.collector,
                    MODEL_VERSION: str(version),
                }
                self._queue((state_subject(pbx, self.prefix), state.encode(), headers))
                self._changed.discard(pbx)
        self._poke()

    def _queue(self, item: _Item) -> None:
        """Append `item` (the lock held), dropping the oldest not yet handed over when
        the buffer is full; the next chance then publishes every PBX's state again."""
        if len(self._waiting) >= self.buffer:
            self._waiting.popleft()
            self.dropped += 1
            self._state_due = True
            if self.dropped == 1 or self.dropped % 10_000 == 0:
                log.warning(
                    "NATS publish buffer full (%d changes): %d oldest dropped so far",
                    self.buffer,
                    self.dropped,
                )
        self._waiting.append(item)

    def stats(self) -> dict[str, int]:
        """``published`` (stored by JetStream, changes and states), ``states`` (of them,
        PBX states), ``duplicates`` (acknowledged as stored already: a publish retried
        after its acknowledgement was lost, a state unchanged since the last),
        ``pending`` (waiting or in flight), ``dropped`` (the buffer was full),
        ``retries`` (publishes tried again)."""
        with self._lock:
            return {
                "published": self.published,
                "states": self.states,
                "duplicates": self.duplicates,
                "pending": len(self._waiting) + len(self._in_flight),
                "dropped": self.dropped,
                "retries": self.retries,
            }

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait up to `timeout` seconds until every change given so far is acknowledged;
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
                await nc.close()
                raise
        except BaseException as e:  # handed to the constructor's thread
            started.put(e)
            return
        started.put(None)
        log.info(
            "publishing to %s, stream %s, as collector %s",
            self.broker.url,
            self.stream,
            self.collector,
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

    async def _pump(self, js: Any) -> None:
        assert self._wake is not None
        next_state = asyncio.get_running_loop().time() + self.state_every
        while True:
            now = asyncio.get_running_loop().time()
            with self._lock:
                state_due, self._state_due = self._state_due, False
                changed = set(self._changed)
                clock = time.monotonic()
                soon = [pbx for pbx, at in self._state_soon.items() if at <= clock]
                for pbx in soon:
                    del self._state_soon[pbx]
                wake_at = min(self._state_soon.values(), default=math.inf) - clock + now
            if state_due:
                self.publish_state()
            elif now >= next_state:
                next_state = now + self.state_every
                if changed:
                    self.publish_state(changed)
            elif soon:
                self.publish_state(soon)
            with self._lock:
                if not self._in_flight:
                    while self._waiting and len(self._in_flight) < 256:
                        self._in_flight.append(self._waiting.popleft())
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
                    await asyncio.wait_for(
                        self._wake.wait(), max(0.01, min(next_state, wake_at) - now)
                    )
                except asyncio.TimeoutError:
                    pass
                with self._lock:
                    self._asleep = False
                continue
            try:
                futures = [
                    await js.publish_async(subject, payload, headers=dict(headers))
                    for subject, payload, headers in batch
                ]
                # asyncio.wait, not gather: a gather cancelled by close() leaves an
                # exception nobody retrieves (logged by asyncio).
                _, unacknowledged = await asyncio.wait(futures, timeout=5.0)
                if unacknowledged:
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
                for (subject, _, _), ack in zip(batch, acks):
                    if ack.duplicate:
                        self.duplicates += 1
                    else:
                        self.published += 1
                        self.states += subject.endswith(".state")
                self._in_flight.clear()
                self._lock.notify_all()
