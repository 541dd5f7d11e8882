"""Where the broker is and how to reach it, the stream and its subjects: what a
publisher and a consumer share."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from hackamore.errors import ArgumentError, BrokerError, UsageError

log = logging.getLogger("hackamore.distributed")


class _NoSslEofWarning(logging.Filter):
    """asyncio warns that nats-py's protocol returns True from ``eof_received()`` on
    every TLS connection the broker closes; nothing is wrong, and nothing can be done
    about it here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "eof_received()" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_NoSslEofWarning())

STREAM = "HACKAMORE"
PREFIX = "hackamore"
MSG_ID = "Nats-Msg-Id"
#: The header naming the collector that published a change or a state.
COLLECTOR = "Hackamore-Collector"
#: The header naming the collector's run (its process run): ``<start, hex ms>-<random>``.
RUN = "Hackamore-Run"
#: The header giving the collector's model version after the change, or of the state.
MODEL_VERSION = "Hackamore-Version"
#: The header of a state giving its publisher's ``state_every``: a consumer takes another
#: collector's state of a PBX once the one it follows has been silent for twice that.
STATE_EVERY_HEADER = "Hackamore-State-Every"
#: The header of a change before which its PBX was empty in the collector's model ("1"):
#: the first change of each PBX a publisher was given from the start, and the first
#: after a PBX's END. A consumer may start following the PBX there, as from a state.
BEGINS = "Hackamore-Begins"
#: Seconds between states of every PBX (a Publisher's ``state_every``).
STATE_EVERY = 60.0
#: Seconds after a PBX's first change (or its END) that its state is published: by then
#: the resync of a PBX (re)connected is in.
STATE_AFTER = 1.0
#: How long the stream keeps what it holds (seconds); each PBX's state is published
#: again well within it.
MAX_AGE = 24 * 3600.0
#: How long JetStream remembers message ids to drop a retried publish's duplicate.
DUPLICATE_WINDOW = 120.0
#: Seconds between the broker's heartbeats to a consumer while nothing comes.
HEARTBEAT = 1.0

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
            raise ArgumentError(f"{_shown(self.url)!r}: a NATS URL starts nats:// or tls://")
        if (self.cert is None) != (self.key is None):
            raise ArgumentError("a client certificate needs both cert and key")
        self._take_credentials_from_url()

    def _take_credentials_from_url(self) -> None:
        """``nats://user:password@host`` or ``nats://token@host`` (as nats-py reads them):
        the credentials move into ``user``/``password`` or ``token``, and ``url`` keeps
        only where the broker is, so that no repr, error or log shows them."""
        parts = urllib.parse.urlsplit(self.url)
        userinfo, at, where = parts.netloc.rpartition("@")
        if not at:
            return
        name, colon, secret = userinfo.partition(":")
        name, secret = urllib.parse.unquote(name), urllib.parse.unquote(secret)
        if colon:
            if self.user is not None or self.password is not None or self.token is not None:
                raise ArgumentError(
                    f"{_shown(self.url)}: credentials in the URL and as arguments; give them once"
                )
            object.__setattr__(self, "user", name)
            object.__setattr__(self, "password", secret)
        else:
            if self.token is not None or self.user is not None:
                raise ArgumentError(
                    f"{_shown(self.url)}: a token in the URL and credentials as arguments; "
                    "give them once"
                )
            object.__setattr__(self, "token", name)
        object.__setattr__(self, "url", urllib.parse.urlunsplit(parts._replace(netloc=where)))

    def _tls(self) -> ssl.SSLContext | None:
        if self.ca is None and self.cert is None and not self.url.startswith("tls://"):
            return None
        context = ssl.create_default_context(cafile=self.ca)
        if self.cert is not None and self.key is not None:
            context.load_cert_chain(self.cert, self.key)
        return context

    async def _connect(self, **callbacks: Any) -> Any:
        nats = _nats()
        from nats.errors import AuthorizationError

        last: list[Exception] = []
        # A first connect the broker refuses (a wrong password or token, a certificate
        # not trusted) fails at once: trying again cannot mend it. One that finds no
        # broker is retried for its timeout (the broker may be starting).
        refused: asyncio.Future[Exception] = asyncio.get_running_loop().create_future()

        async def error(e: Exception) -> None:
            # nats-py reports every failed reconnect here; the disconnect is logged once.
            log.debug("NATS %s: %s", self.url, e)
            last[:] = [e]
            # nats-py passes the server's "-ERR 'Authorization Violation'" on as a
            # plain nats.errors.Error.
            denied = (
                isinstance(e, AuthorizationError) or "authorization violation" in str(e).lower()
            )
            if (denied or isinstance(e, ssl.SSLCertVerificationError)) and not refused.done():
                refused.set_result(e)

        # The caller's callbacks speak of a connection made: not of a first connect that
        # fails (closing it would say "disconnected").
        connected = False

        def once_connected(callback: Any) -> Any:
            async def call(*args: Any) -> None:
                if connected:
                    await callback(*args)

            return call

        options: dict[str, Any] = {
            "error_cb": error,
            "servers": [self.url],
            "connect_timeout": self.connect_timeout,
            "allow_reconnect": True,
            "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.5,
            "name": "hackamore",
            **{name: once_connected(cb) for name, cb in callbacks.items()},
        }
        if self.user is not None:
            options["user"] = self.user
            options["password"] = self.password or ""
        if self.token is not None:
            options["token"] = self.token
        tls = self._tls()
        if tls is not None:
            options["tls"] = tls
        # nats-py retries a first connect that fails as it would a lost connection
        # (forever, here): a first connect is given its timeout, then reported. The
        # client is made here, so that one given up on is closed, its socket with it (a
        # cancelled nats.connect() left its transport to the garbage collector, which
        # warned long after the event loop had closed).
        nc = nats.NATS()
        _close_before_reconnecting(nc)
        connect = asyncio.ensure_future(nc.connect(**options))
        await asyncio.wait(
            {connect, refused}, timeout=self.connect_timeout, return_when="FIRST_COMPLETED"
        )
        if connect.done():
            try:
                connect.result()
                connected = True
                return nc
            except Exception as e:  # nats-py raises several kinds, none of ours
                await _close(nc)
                raise BrokerError(
                    f"{self.url}: cannot connect to NATS: {e or type(e).__name__}"
                ) from None
        connect.cancel()
        await asyncio.wait({connect})
        await _close(nc)
        if refused.done():
            raise BrokerError(f"{self.url}: NATS refused the connection: {refused.result()}")
        why = f"; the last error: {last[0] or type(last[0]).__name__}" if last else ""
        raise BrokerError(
            f"{self.url}: cannot connect to NATS (not in {self.connect_timeout:g} s{why})"
        )


def _close_before_reconnecting(nc: Any) -> None:
    """nats-py (2.16) opens a new socket for each reconnect attempt without closing the
    last one when that one connected but its handshake failed (a broker going away, or
    starting up, while the client connects): each such socket was left to the garbage
    collector, long after the event loop had closed ("unclosed transport", seen one run
    in nine of the test suite). Here the client closes its socket before each attempt,
    as it does before the first of a series."""
    attempt = getattr(nc, "_connect_to_server", None)
    if attempt is None:  # another nats-py: nothing to mend
        return

    async def connect_to_server(server: Any) -> None:
        transport = getattr(nc, "_transport", None)
        if transport is not None:
            await _shut(transport)
        await attempt(server)

    nc._connect_to_server = connect_to_server


def _shown(url: str) -> str:
    """`url` with whatever precedes an ``@`` in its authority hidden."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


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


async def _close(nc: Any) -> None:
    """Disconnect, whatever state the connection is in: closing one that is reconnecting
    raises in nats-py, and one whose last write fails leaves its socket open; the socket
    is closed here in every case, while its event loop still runs."""
    try:
        await asyncio.wait_for(nc.close(), 2.0)
    except (Exception, asyncio.TimeoutError) as e:
        log.debug("NATS close: %r", e)
    transport = getattr(nc, "_transport", None)
    if transport is not None:
        await _shut(transport)


async def _shut(transport: Any) -> None:
    """Close a nats-py transport and the socket under it while the event loop runs. A
    TLS connection closes its socket only at the end of its TLS shutdown, which needs
    the loop: one whose loop ended first (nats-py's close raising, or not waiting) left
    the socket to the garbage collector, a ResourceWarning long after. The socket is
    given a second to close politely, then cut."""
    try:
        transport.close()
    except Exception as e:
        log.debug("NATS close of the socket: %r", e)
    # Waited on aside: a TLS upgrade that failed leaves the writer's close waiter
    # cancelled, which is no reason to cancel the caller.
    closed = asyncio.ensure_future(transport.wait_closed())
    await asyncio.wait({closed}, timeout=1.0)
    if not closed.done():
        closed.cancel()
    elif not closed.cancelled() and closed.exception() is not None:
        log.debug("NATS close of the socket: %r", closed.exception())
    # The TCP connection a TLS one was started on (nats-py keeps it).
    bare = getattr(getattr(transport, "_bare_io_writer", None), "transport", None)
    if bare is not None and not bare.is_closing():
        bare.abort()
        await asyncio.sleep(0)  # its connection_lost, which closes the socket, runs now


def nats_timeout() -> type[BaseException]:
    """nats-py's own timeout error (not asyncio's in every version)."""
    from nats.errors import TimeoutError as NatsTimeout

    return NatsTimeout


def reconnecting() -> type[BaseException]:
    """What nats-py raises for a request made while it reconnects."""
    from nats.errors import ConnectionReconnectingError

    return ConnectionReconnectingError
