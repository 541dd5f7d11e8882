"""A consumer's side: the stream read in order, from the PBXes' latest states."""

from __future__ import annotations

import asyncio
import atexit
import json
import queue
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hackamore
from hackamore._native import CHANGES
from hackamore.errors import BrokerError
from hackamore.jsonout import VERSION

from .broker import (
    BEGINS,
    COLLECTOR,
    HEARTBEAT,
    MODEL_VERSION,
    PREFIX,
    RUN,
    STATE_EVERY,
    STATE_EVERY_HEADER,
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

#: A PBX's state in a model that has nothing of it.
EMPTY_STATE = hackamore.Model()._export_pbx("-")[1]


@dataclass
class _Message:
    """A change or a PBX's state, as the stream holds it."""

    seq: int  # in the stream
    pbx: str
    collector: str
    run: str
    version: int
    time: float  # when the stream stored it (Unix seconds)
    state: str | None = None  # a state's JSON
    record: dict[str, Any] | None = None  # a change's record
    state_every: float = STATE_EVERY
    begins: bool = False  # a change before which its PBX was empty (a base, as a state)

    @property
    def run_of(self) -> tuple[str, str]:
        return (self.collector, self.run)


@dataclass
class _Bad:
    """A message that cannot be read (skipped, logged, counted)."""

    seq: int
    subject: str
    why: str


@dataclass
class _Follow:
    """The collector run a consumer follows for one PBX, and how far."""

    run: tuple[str, str]
    applied: int  # the model version of the state taken or the last change applied
    last_seen: float  # when the stream stored this run's last message about the PBX
    state_every: float
    needs_state: bool = False  # changes are not applied until its next state
    ended: bool = False  # its last change of the PBX was its END


def _run_start(run: str) -> int:
    """When a run started (its id begins with hex milliseconds); 0 when it does not say."""
    try:
        return int(run.partition("-")[0], 16)
    except ValueError:
        return 0


# Readings being applied by Model.consume(), for the exit handler.
_consuming: weakref.WeakSet[Changes] = weakref.WeakSet()


@atexit.register
def _stop_consuming() -> None:
    """At exit, stop readings still applied by some thread and wait (1.5 s at most)
    until each thread has left ``Model.consume``: the interpreter ends a daemon thread
    that is still inside it in a way its native frames cannot unwind (the process
    aborts)."""
    readings = list(_consuming)
    for reading in readings:
        reading.stop()
    deadline = time.monotonic() + 1.5
    for reading in readings:
        reading._left.wait(max(0.0, deadline - time.monotonic()))


class Changes:
    """What collectors publish, read in the stream's order: a source for
    ``Model().consume()``, which rebuilds the model of every PBX of every collector,
    and for iteration (the change records, dicts as ``--json`` writes them).

    It starts from the latest state each PBX has in the stream, so it needs nothing
    older (``from_start=True``: from the stream's first message). ``consume()`` follows
    one collector run per PBX: it takes that PBX's state (or a change before which the
    collector had nothing of it), then applies the run's changes made after it, each
    once (a change stored twice is applied once); changes of a PBX it holds no state of,
    and other runs' changes, are not applied. It takes each newer state of the run it
    follows; after a change of the run is found missing (dropped by the publisher) or a
    record could not be read, that PBX's changes wait for it. A restarted collector's
    new run is followed at once; another collector's once the run followed has said its
    PBX ended or has been silent about it for twice its ``state_every``. A message that cannot be
    read (not JSON, a bad header or subject, a change kind it does not know) is skipped,
    logged with its stream sequence and counted (:meth:`stats`); its PBX then waits for
    its next state. With ``to_end``, the reading ends after the last message the stream
    held when it began (the model as of now); with ``idle`` seconds, once nothing new has
    come for that long; otherwise it goes on until :meth:`stop` or Ctrl-C. A broker that goes
    away is waited for (nats-py reconnects and the reading goes on where it was)."""

    def __init__(
        self,
        broker: Broker | str,
        *,
        stream: str = STREAM,
        prefix: str = PREFIX,
        idle: float | None = None,
        from_start: bool = False,
        to_end: bool = False,
    ) -> None:
        self.broker = _broker(broker)
        self.stream, self.prefix, self.idle = stream, prefix, idle
        self.from_start, self.to_end = from_start, to_end
        self.read = 0
        self.skipped = 0
        self.applied = 0
        self.states = 0
        self.ignored = 0
        self._stop = threading.Event()
        self._left = threading.Event()
        self._left.set()

    def __repr__(self) -> str:
        return f"<hackamore.distributed.Changes {self.broker.url} stream {self.stream}>"

    def stop(self) -> None:
        """End the reading (from any thread): ``consume()`` returns, or the iteration
        ends, before the next message."""
        self._stop.set()

    def stats(self) -> dict[str, int]:
        """``read`` (messages), ``applied`` (changes applied by ``consume()``),
        ``states`` (taken), ``ignored`` (changes not applied: already in the model, of a
        PBX without its state yet, of a run not followed), ``skipped`` (messages that
        could not be read or applied)."""
        return {
            "read": self.read,
            "applied": self.applied,
            "states": self.states,
            "ignored": self.ignored,
            "skipped": self.skipped,
        }

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self._items():
            if item.record is not None:
                yield item.record

    def _items(self) -> Iterator[_Message]:
        """States and changes, in order; what cannot be read is skipped."""
        records: queue.Queue[Any] = queue.Queue(maxsize=10_000)
        self._stop.clear()
        reader = threading.Thread(
            target=lambda: asyncio.run(self._read(records)), name="hackamore-changes", daemon=True
        )
        reader.start()
        try:
            while not self._stop.is_set():  # looked at before every message
                try:
                    item = records.get(timeout=0.1)  # so Ctrl-C is seen
                except queue.Empty:
                    if not reader.is_alive():
                        return  # stopped: the reader may not say so any more
                    continue
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                self.read += 1
                if isinstance(item, _Bad):
                    self._skip(item.seq, item.subject, item.why)
                    continue
                yield item
        finally:
            self._stop.set()
            # It stops within 0.1 s and then disconnects; not waited for long, as a
            # broker that is away may keep the disconnect waiting.
            reader.join(0.5)

    def _skip(self, seq: int, subject: str, why: str) -> None:
        self.skipped += 1
        if self.skipped <= 100 or self.skipped % 10_000 == 0:
            log.warning(
                "%s: stream %s message %d (%s) skipped: %s%s",
                self.broker.url,
                self.stream,
                seq,
                subject,
                why,
                f" ({self.skipped} skipped so far)" if self.skipped > 100 else "",
            )

    def _consume_into(self, model: hackamore.Model) -> int:
        """Apply what is read to `model` (``Model.consume`` calls this); returns the
        number of messages read."""
        self._left.clear()
        _consuming.add(self)
        try:
            return self._apply_all(model)
        finally:
            _consuming.discard(self)
            self._left.set()

    def _apply_all(self, model: hackamore.Model) -> int:
        follows: dict[str, _Follow] = {}
        # Each run's last change version: a publisher's changes carry every version in
        # turn, so a jump is a change it dropped.
        last: dict[tuple[str, str], int] = {}
        n = 0
        for m in self._items():
            n += 1
            f = follows.get(m.pbx)
            if m.state is not None:
                if self._takes_state(f, m):
                    try:
                        model._import_pbx(m.pbx, m.state)
                    except Exception as e:
                        self._skip(m.seq, f"{m.pbx} state", f"cannot be taken: {e}")
                        if f is not None:
                            f.needs_state = True
                        continue
                    follows[m.pbx] = _Follow(m.run_of, m.version, m.time, m.state_every)
                    self.states += 1
                elif f is not None and f.run == m.run_of:
                    f.last_seen, f.state_every = m.time, m.state_every
                continue
            assert m.record is not None
            seen = last.get(m.run_of)
            if seen is not None and m.version > seen + 1:
                log.info(
                    "%s: changes %d-%d of collector %s (run %s) are not in the stream: "
                    "its PBXes wait for their next state",
                    self.broker.url,
                    seen + 1,
                    m.version - 1,
                    m.collector,
                    m.run,
                )
                for g in follows.values():
                    g.needs_state |= g.run == m.run_of
            if seen is None or m.version > seen:
                last[m.run_of] = m.version
            if m.begins and self._takes_state(f, m):
                # The PBX was empty in the collector's model before this change: a base.
                model._import_pbx(m.pbx, EMPTY_STATE)
                f = follows[m.pbx] = _Follow(m.run_of, m.version - 1, m.time, STATE_EVERY)
            if f is None or f.run != m.run_of:
                self.ignored += 1
                continue
            f.last_seen = m.time
            if f.needs_state or m.version <= f.applied:
                self.ignored += 1
                continue
            change = m.record.get("change")
            fields = m.record.get("fields")
            if change not in CHANGES or not isinstance(fields, dict):
                f.needs_state = True
                self._skip(m.seq, m.pbx, f"change {change!r} unknown here: a newer collector?")
                continue
            try:
                model._apply_change(change, {**fields, "pbx": m.pbx})
            except Exception as e:  # a hook that raises is logged by the model itself
                f.needs_state = True
                self._skip(m.seq, m.pbx, f"change {change!r} cannot be applied: {e}")
                continue
            f.applied = m.version
            f.ended = change == "end"
            self.applied += 1
        return n

    @staticmethod
    def _takes_state(f: _Follow | None, m: _Message) -> bool:
        """Is `m`, a state, the one to follow its PBX from?"""
        if f is None:
            return True
        if f.run == m.run_of:
            # Each new state of the run followed: it holds the same (and joins calls
            # across PBXes as reading that PBX alone does), or mends what was missed.
            return m.version >= f.applied
        if f.run[0] == m.collector:
            # A restarted collector: its new run, never an older one read late.
            return (_run_start(m.run), m.run) > (_run_start(f.run[1]), f.run[1])
        # Another collector of the same PBX: only once the one followed is gone.
        return f.ended or m.time - f.last_seen > 2 * f.state_every

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
            end = (await js.stream_info(self.stream)).state.last_seq if self.to_end else None
            if end is not None and end < start:
                return  # nothing to read
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
                item = self._item(msg)
                if not put(item) or (end is not None and item.seq >= end):
                    break
        except Exception as e:
            why = getattr(e, "description", None) or str(e)
            put(BrokerError(f"{self.broker.url}: cannot read stream {self.stream}: {why}"))
        finally:
            await _close(nc)
            put(_END)

    def _item(self, msg: Any) -> _Message | _Bad:
        """A stream message as a state or a change, or why it cannot be read."""
        try:
            meta = msg.metadata
            seq, stored = int(meta.sequence.stream), meta.timestamp.timestamp()
        except Exception:
            seq, stored = 0, time.time()
        try:
            headers = msg.headers or {}
            _, token, kind = msg.subject.rsplit(".", 2)
            common = {
                "seq": seq,
                "pbx": pbx_of_token(token),
                "collector": headers.get(COLLECTOR, ""),
                "run": headers.get(RUN, ""),
                "version": int(headers.get(MODEL_VERSION, "0")),
                "time": stored,
            }
            if kind == "state":
                every = float(headers.get(STATE_EVERY_HEADER, repr(STATE_EVERY)))
                return _Message(**common, state=msg.data.decode(), state_every=every)
            if kind != "changes":
                return _Bad(seq, msg.subject, f"a subject of kind {kind!r}")
            record = json.loads(msg.data)
            if not isinstance(record, dict):
                return _Bad(seq, msg.subject, "not a change record")
            if record.get("v") != VERSION:
                log.debug("read a change of schema version %r as %d", record.get("v"), VERSION)
            return _Message(**common, record=record, begins=headers.get(BEGINS) == "1")
        except Exception as e:  # a bad subject token, header or body
            return _Bad(seq, getattr(msg, "subject", "?"), f"{type(e).__name__}: {e}")
