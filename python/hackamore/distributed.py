"""Past one machine: collectors publish every model change to a NATS JetStream stream,
and consumers rebuild the model of every PBX from it (see docs/distributed.md).

A collector is an :class:`~hackamore.Engine` (or ``hackamore run --publish URL``) with a
:class:`Publisher`: each change goes, as the JSON object of ``--json``, to the subject
``hackamore.<pbx>.changes`` of the stream ``HACKAMORE``, with a message id
(``Nats-Msg-Id``) that lets JetStream drop the duplicate of a retried publish. A
consumer reads the stream in order (:class:`Changes`; ``Model().consume(Changes(...))``
or ``hackamore watch URL``) and applies each change to its model: the same changes in
the same order make the same model, and trunk correlation joins calls of PBXes watched
by different collectors as it does for one.

nats-py (pure Python, asyncio) is the client: ``pip install 'hackamore[nats]'``. Each
publisher and each reader runs its own event loop in a thread of its own, so neither
the engine nor the caller needs asyncio.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import logging
import math
import queue
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hackamore
from hackamore.errors import ArgumentError, BrokerError, UsageError
from hackamore.jsonout import VERSION, change_record

log = logging.getLogger("hackamore.distributed")

STREAM = "HACKAMORE"
PREFIX = "hackamore"
MSG_ID = "Nats-Msg-Id"
#: The header naming the collector that published a change or a state.
COLLECTOR = "Hackamore-Collector"
#: The header giving the collector's model version after the change, or of the state.
MODEL_VERSION = "Hackamore-Version"
#: Seconds after a PBX's first change (or its END) that its state is published: by then
#: the resync of a PBX (re)connected is in.
STATE_AFTER = 1.0
#: How long the stream keeps what it holds (seconds); each PBX's state is published
#: again well within it.
MAX_AGE = 24 * 3600.0
#: How long JetStream remembers message ids to drop a retried publish's duplicate.
DUPLICATE_WINDOW = 120.0

# (subject, payload, headers) of one message to publish.
_Item = tuple[str, bytes, dict[str, str]]

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@functools.lru_cache(maxsize=4096)
def pbx_token(pbx: str) -> str:
    """`pbx` as one subject token (and key-value key): letters, digits, ``_`` and ``-``
    as they are, every other byte of its UTF-8 as ``=XX``. A PBX name may hold dots or
    spaces, which a subject may not."""
    if not pbx:
        raise ArgumentError("a PBX name is never empty")
    return "".join(c if c in _SAFE else "".join(f"={b:02X}" for b in c.encode()) for c in pbx)


def pbx_of_token(token: str) -> str:
    """The PBX name of :func:`pbx_token`'s token."""
    raw = bytearray()
    i = 0
    while i < len(token):
        if token[i] == "=":
            raw.append(int(token[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(token[i].encode())
            i += 1
    return raw.decode()


def changes_subject(pbx: str, prefix: str = PREFIX) -> str:
    """The subject of `pbx`'s changes."""
    return f"{prefix}.{pbx_token(pbx)}.changes"


def state_subject(pbx: str, prefix: str = PREFIX) -> str:
    """The subject of `pbx`'s whole state, published now and then among its changes."""
    return f"{prefix}.{pbx_token(pbx)}.state"


def _nats() -> Any:
    try:
        import nats
    except ImportError:
        raise UsageError("NATS needs the nats-py client: pip install 'hackamore[nats]'") from None
    return nats


@dataclass(frozen=True)
class Broker:
    """Where and how to reach NATS. ``user``/``password`` or ``token`` log in; ``ca``
    (a PEM file) makes the connection TLS and checks the server against it, ``cert`` and
    ``key`` present a client certificate. ``repr()`` never shows a password or token,
    and neither do logs."""

    url: str = "nats://127.0.0.1:4222"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    connect_timeout: float = 5.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("nats://", "tls://")):
            raise ArgumentError(f"{self.url!r}: a NATS URL starts nats:// or tls://")
        if (self.cert is None) != (self.key is None):
            raise ArgumentError("a client certificate needs both cert and key")

    def _tls(self) -> ssl.SSLContext | None:
        if self.ca is None and self.cert is None and not self.url.startswith("tls://"):
            return None
        context = ssl.create_default_context(cafile=self.ca)
        if self.cert is not None and self.key is not None:
            context.load_cert_chain(self.cert, self.key)
        return context

    async def _connect(self, **callbacks: Any) -> Any:
        nats = _nats()

        last: list[Exception] = []

        async def error(e: Exception) -> None:
            # nats-py reports every failed reconnect here; the disconnect is logged once.
            log.debug("NATS %s: %s", self.url, e)
            last[:] = [e]

        options: dict[str, Any] = {
            "error_cb": error,
            "servers": [self.url],
            "connect_timeout": self.connect_timeout,
            "allow_reconnect": True,
            "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.5,
            "name": "hackamore",
            **callbacks,
        }
        if self.user is not None:
            options["user"] = self.user
            options["password"] = self.password or ""
        if self.token is not None:
            options["token"] = self.token
        tls = self._tls()
        if tls is not None:
            options["tls"] = tls
        try:
            # nats-py retries a first connect that fails as it would a lost connection
            # (forever, here): a first connect is given its timeout, then reported.
            return await asyncio.wait_for(nats.connect(**options), self.connect_timeout)
        except asyncio.TimeoutError:
            why = f"; the last error: {last[0] or type(last[0]).__name__}" if last else ""
            raise BrokerError(
                f"{self.url}: cannot connect to NATS (not in {self.connect_timeout:g} s{why})"
            ) from None
        except Exception as e:  # nats-py raises several kinds, none of ours
            raise BrokerError(
                f"{self.url}: cannot connect to NATS: {e or type(e).__name__}"
            ) from None


def _broker(broker: Broker | str) -> Broker:
    return Broker(broker) if isinstance(broker, str) else broker


async def _ensure_stream(js: Any, stream: str, prefix: str) -> None:
    """The stream of every PBX's changes, made if missing."""
    from nats.js.errors import NotFoundError

    subjects = [f"{prefix}.*.changes", f"{prefix}.*.state"]
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        try:
            await js.add_stream(
                name=stream,
                subjects=subjects,
                duplicate_window=DUPLICATE_WINDOW,
                max_age=MAX_AGE,
            )
        except Exception as e:  # e.g. another stream already holds these subjects
            raise BrokerError(
                f"cannot make stream {stream} for {subjects[0]}: {getattr(e, 'description', e)}"
                " (another stream holds these subjects? give its name, or another prefix)"
            ) from None
        return
    if not set(subjects) <= set(info.config.subjects or []):
        raise BrokerError(
            f"stream {stream} holds {info.config.subjects}, not {subjects}: "
            "another prefix's stream? (give each its own stream name)"
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
            reader.join(2.0)

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

    async def _start(self, js: Any) -> int:
        """The stream sequence to read from: the oldest of the PBXes' latest states."""
        if self.from_start:
            return 1
        info = await js.stream_info(self.stream, subjects_filter=f"{self.prefix}.*.state")
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
            sub = await js.subscribe(
                f"{self.prefix}.*.*",
                stream=self.stream,
                ordered_consumer=True,
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


async def _close(nc: Any) -> None:
    """Disconnect, whatever state the connection is in (closing one that is
    reconnecting raises in nats-py)."""
    try:
        await nc.close()
    except Exception as e:
        log.debug("NATS close: %s", e)


def nats_timeout() -> type[BaseException]:
    """nats-py's own timeout error (not asyncio's in every version)."""
    from nats.errors import TimeoutError as NatsTimeout

    return NatsTimeout
