"""A consumer's side: the stream read in order, from the PBXes' latest states."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hackamore
from hackamore.errors import BrokerError
from hackamore.jsonout import VERSION

from .broker import (
    COLLECTOR,
    HEARTBEAT,
    MODEL_VERSION,
    PREFIX,
    STREAM,
    Broker,
    _broker,
    _close,
    log,
    nats_timeout,
    pbx_of_token,
    reconnecting,
)

_END = object()


@dataclass
class _State:
    """A PBX's state from the stream."""

    pbx: str
    collector: str
    version: int
    state: str


class Changes:
    """What collectors publish, read in the stream's order: a source for
    ``Model().consume()``, which rebuilds the model of every PBX of every collector,
    and for iteration (the change records, dicts as ``--json`` writes them).

    It starts from the latest state each PBX has in the stream, so it needs nothing
    older (``from_start=True``: from the stream's first message). ``consume()`` takes a
    PBX's state over when it comes, then applies the changes of the same collector made
    after it; a newer state (a collector restarted, or back after an outage) replaces
    it. With ``idle`` seconds, the reading ends once nothing new has come for that long;
    otherwise it goes on until :meth:`stop` or Ctrl-C. A broker that goes away is waited
    for (nats-py reconnects and the reading goes on where it was)."""

    def __init__(
        self,
        broker: Broker | str,
        *,
        stream: str = STREAM,
        prefix: str = PREFIX,
        idle: float | None = None,
        from_start: bool = False,
    ) -> None:
        self.broker = _broker(broker)
        self.stream, self.prefix, self.idle = stream, prefix, idle
        self.from_start = from_start
        self.read = 0
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"<hackamore.distributed.Changes {self.broker.url} stream {self.stream}>"

    def stop(self) -> None:
        self._stop.set()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self._items():
            if not isinstance(item, _State):
                yield item[0]

    def _items(self) -> Iterator[tuple[dict[str, Any], str, int] | _State]:
        """States, and changes with their collector and model version, in order."""
        records: queue.Queue[Any] = queue.Queue(maxsize=10_000)
        self._stop.clear()
        reader = threading.Thread(
            target=lambda: asyncio.run(self._read(records)), name="hackamore-changes", daemon=True
        )
        reader.start()
        try:
            while True:
                try:
                    item = records.get(timeout=0.1)  # so Ctrl-C is seen
                except queue.Empty:
                    if self._stop.is_set() or not reader.is_alive():
                        return  # stopped: the reader may not say so any more
                    continue
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                self.read += 1
                yield item
        finally:
            self._stop.set()
            # It stops within 0.1 s and then disconnects; not waited for long, as a
            # broker that is away may keep the disconnect waiting.
            reader.join(0.5)

    def _consume_into(self, model: hackamore.Model) -> int:
        """Apply what is read to `model` (``Model.consume`` calls this); returns the
        number of changes and states read."""
        # Per PBX, the state taken over last: its collector and model version.
        owner: dict[str, tuple[str, int]] = {}
        n = 0
        for item in self._items():
            n += 1
            if isinstance(item, _State):
                model._import_pbx(item.pbx, item.state)
                owner[item.pbx] = (item.collector, item.version)
                continue
            record, collector, version = item
            held = owner.get(record["pbx"])
            if held is not None and (collector != held[0] or version <= held[1]):
                continue  # in that state already, or another collector's before it
            model._apply_change(record["change"], {"pbx": record["pbx"], **record["fields"]})
        return n

    async def _start(self, js: Any) -> int | None:
        """The stream sequence to read from: the oldest of the PBXes' latest states; None
        while there is no stream."""
        from nats.js.errors import NotFoundError

        try:
            info = await js.stream_info(self.stream, subjects_filter=f"{self.prefix}.*.state")
        except NotFoundError:
            return None
        if self.from_start:
            return 1
        subjects = info.state.subjects or {}
        starts = [(await js.get_last_msg(self.stream, subject)).seq for subject in subjects]
        return min(starts, default=1)

    async def _read(self, records: queue.Queue[Any]) -> None:
        from nats.js.api import ConsumerConfig, DeliverPolicy

        def put(item: Any) -> bool:
            while not self._stop.is_set():
                try:
                    records.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            nc = await self.broker._connect()
        except BaseException as e:
            put(e)
            return
        try:
            js = nc.jetstream()
            start = await self._start(js)
            waited = 0.0
            while start is None:  # a consumer started before any collector: wait
                if waited == 0.0:
                    log.warning(
                        "%s: no stream %s yet; waiting for a collector to publish "
                        "(hackamore run --publish)",
                        self.broker.url,
                        self.stream,
                    )
                if self._stop.is_set() or (self.idle is not None and waited >= self.idle):
                    return
                await asyncio.sleep(0.2)
                waited += 0.2
                try:
                    start = await self._start(js)
                except (asyncio.TimeoutError, nats_timeout(), reconnecting()) as e:
                    log.debug("%s: asking for stream %s: %r", self.broker.url, self.stream, e)
            sub = await js.subscribe(
                f"{self.prefix}.*.*",
                stream=self.stream,
                ordered_consumer=True,
                # The client re-creates the consumer after two missed heartbeats: a
                # broker back after a restart is followed within seconds (5 s, nats-py's
                # default, took 10-15 s).
                idle_heartbeat=HEARTBEAT,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                config=ConsumerConfig(opt_start_seq=start),
            )
            quiet = 0.0
            while not self._stop.is_set():
                try:
                    msg = await sub.next_msg(timeout=0.1)
                except (asyncio.TimeoutError, nats_timeout()):
                    quiet += 0.1
                    if self.idle is not None and quiet >= self.idle:
                        break
                    continue
                quiet = 0.0
                if not put(self._item(msg)):
                    break
        except Exception as e:
            why = getattr(e, "description", None) or str(e)
            put(BrokerError(f"{self.broker.url}: cannot read stream {self.stream}: {why}"))
        finally:
            await _close(nc)
            put(_END)

    def _item(self, msg: Any) -> Any:
        headers = msg.headers or {}
        collector = headers.get(COLLECTOR, "")
        version = int(headers.get(MODEL_VERSION, "0"))
        _, token, kind = msg.subject.rsplit(".", 2)
        if kind == "state":
            return _State(pbx_of_token(token), collector, version, msg.data.decode())
        record = json.loads(msg.data)
        if record.get("v") != VERSION:
            log.warning("read a change of schema version %r as %d", record.get("v"), VERSION)
        return (record, collector, version)
