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
import json
import logging
import queue
import ssl
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hackamore
from hackamore.errors import ArgumentError, BrokerError, UsageError
from hackamore.jsonout import VERSION, change_record

log = logging.getLogger("hackamore.distributed")

STREAM = "HACKAMORE"
PREFIX = "hackamore"
MSG_ID = "Nats-Msg-Id"
#: The header naming the collector that published a change.
COLLECTOR = "Hackamore-Collector"
#: How long JetStream remembers message ids to drop a retried publish's duplicate.
DUPLICATE_WINDOW = 120.0

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


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

        async def error(e: Exception) -> None:
            # nats-py reports every failed reconnect here; the disconnect is logged once.
            log.debug("NATS %s: %s", self.url, e)

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
            raise BrokerError(
                f"{self.url}: cannot connect to NATS (nothing after {self.connect_timeout:g} s)"
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

    subjects = [f"{prefix}.*.changes"]
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        try:
            await js.add_stream(name=stream, subjects=subjects, duplicate_window=DUPLICATE_WINDOW)
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
    :meth:`Engine.publish <hackamore.Engine.publish>`."""

    def __init__(
        self,
        broker: Broker | str,
        *,
        stream: str = STREAM,
        prefix: str = PREFIX,
        buffer: int = 100_000,
        collector: str | None = None,
    ) -> None:
        if buffer < 1:
            raise ArgumentError(f"buffer {buffer}: at least one change")
        self.broker = _broker(broker)
        self.stream, self.prefix, self.buffer = stream, prefix, buffer
        self.collector = collector or uuid.uuid4().hex[:12]
        self.published = 0
        self.dropped = 0
        self.retries = 0
        self._seq = 0
        self._waiting: collections.deque[tuple[str, bytes, str]] = collections.deque()
        self._lock = threading.Condition()
        self._in_flight = 0
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
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
        message_id = f"{self.collector}-{self._seq}"
        self._seq += 1
        payload = json.dumps(record, ensure_ascii=False).encode()
        with self._lock:
            if self._closing:
                raise UsageError("publish() after close()")
            if len(self._waiting) >= self.buffer:
                self._waiting.popleft()
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 10_000 == 0:
                    log.warning(
                        "NATS publish buffer full (%d changes): %d oldest dropped so far",
                        self.buffer,
                        self.dropped,
                    )
            self._waiting.append((changes_subject(change.pbx, self.prefix), payload, message_id))
        self._poke()

    def stats(self) -> dict[str, int]:
        """``published`` (acknowledged by JetStream), ``pending`` (waiting or in flight),
        ``dropped`` (the buffer was full), ``retries`` (publishes tried again)."""
        with self._lock:
            return {
                "published": self.published,
                "pending": len(self._waiting),
                "dropped": self.dropped,
                "retries": self.retries,
            }

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait up to `timeout` seconds until every change given so far is acknowledged;
        True when it is."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._waiting, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Publish what is waiting (up to `timeout` seconds), then disconnect."""
        self.flush(timeout)
        with self._lock:
            self._closing = True
        self._poke()
        self._thread.join(timeout + 1.0)

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
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
        try:
            await self._pump(js)
        finally:
            await nc.close()

    async def _disconnected(self) -> None:
        if self._closing:
            return
        log.warning(
            "NATS %s: disconnected; changes wait (at most %d)", self.broker.url, self.buffer
        )

    async def _reconnected(self) -> None:
        log.info("NATS %s: reconnected", self.broker.url)
        self._poke()

    async def _pump(self, js: Any) -> None:
        assert self._wake is not None
        while True:
            with self._lock:
                batch = list(self._waiting)[:256]
                closing = self._closing
            if not batch:
                if closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                futures = [
                    await js.publish_async(
                        subject, payload, headers={MSG_ID: mid, COLLECTOR: self.collector}
                    )
                    for subject, payload, mid in batch
                ]
                await asyncio.wait_for(asyncio.gather(*futures), timeout=5.0)
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
                # Only the acknowledged leave the buffer (unless it dropped them meanwhile).
                for item in batch:
                    if self._waiting and self._waiting[0] is item:
                        self._waiting.popleft()
                        self.published += 1
                self._lock.notify_all()


_END = object()


class Changes:
    """The changes of every PBX in the stream, in the stream's order, from its start: a
    source for ``Model().consume()`` and for iteration (each a ``--json`` record, a
    dict). With ``idle`` seconds, the reading ends once nothing new has come for that
    long; otherwise it goes on until :meth:`stop` or Ctrl-C. A broker that goes away is
    waited for (the reader reconnects and goes on where it was)."""

    def __init__(
        self,
        broker: Broker | str,
        *,
        stream: str = STREAM,
        prefix: str = PREFIX,
        idle: float | None = None,
    ) -> None:
        self.broker = _broker(broker)
        self.stream, self.prefix, self.idle = stream, prefix, idle
        self.read = 0
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"<hackamore.distributed.Changes {self.broker.url} stream {self.stream}>"

    def stop(self) -> None:
        self._stop.set()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        records: queue.Queue[Any] = queue.Queue(maxsize=10_000)
        reader = threading.Thread(
            target=lambda: asyncio.run(self._read(records)), name="hackamore-changes", daemon=True
        )
        reader.start()
        try:
            while True:
                try:
                    item = records.get(timeout=0.1)  # so Ctrl-C is seen
                except queue.Empty:
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
        """Apply every change read to `model` (``Model.consume`` calls this)."""
        n = 0
        for record in self:
            model._apply_change(record["change"], {"pbx": record["pbx"], **record["fields"]})
            n += 1
        return n

    async def _read(self, records: queue.Queue[Any]) -> None:
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
            sub = await js.subscribe(
                f"{self.prefix}.*.changes", stream=self.stream, ordered_consumer=True
            )
            quiet = 0.0
            while not self._stop.is_set():
                try:
                    msg = await sub.next_msg(timeout=0.1)
                except asyncio.TimeoutError:
                    quiet += 0.1
                    if self.idle is not None and quiet >= self.idle:
                        break
                    continue
                except Exception as e:  # nats-py's own TimeoutError, or the connection
                    if type(e).__name__ == "TimeoutError":
                        quiet += 0.1
                        if self.idle is not None and quiet >= self.idle:
                            break
                        continue
                    raise
                quiet = 0.0
                record = json.loads(msg.data)
                if record.get("v") != VERSION:
                    log.warning("skipped a change of schema version %r", record.get("v"))
                    continue
                if not put(record):
                    break
        except Exception as e:
            why = getattr(e, "description", None) or str(e)
            put(BrokerError(f"{self.broker.url}: cannot read stream {self.stream}: {why}"))
        finally:
            await nc.close()
            put(_END)
