"""Type stubs of the compiled core (``hackamore._native``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, final

from typing_extensions import disjoint_base

__version__: str
__all__ = [
    "CHANGES",
    "HOOK_NAMES",
    "Change",
    "Channel",
    "Connection",
    "DecodeStats",
    "Event",
    "File",
    "Model",
    "Normalizer",
    "ReplayServer",
    "Server",
    "Trace",
    "_Engine",
    "__version__",
    "configured_servers",
    "credential",
    "decode",
    "encode_action",
    "md5_key",
]

@final
class Event:
    """One AMI message and the PBX it came from. Dict-like and read-only: lookups are
    case-insensitive and return the first value of a key; ``get_all`` returns every value
    of a repeated key (``ChanVariable``, ``Output``). Values are text, decoded with
    replacement characters where the PBX sent invalid UTF-8; ``raw`` gives the bytes."""

    def __new__(cls, fields: list[tuple[str, str]], source: str = "-") -> Event: ...
    @property
    def name(self) -> str | None:
        """The ``Event:`` value, ``"END"`` for the end-of-source marker, else None."""
    @property
    def source(self) -> str:
        """The PBX this message belongs to."""
    @property
    def response(self) -> str | None:
        """The ``Response:`` value (Success, Error, Follows, Goodbye), else None."""
    @property
    def is_end(self) -> bool:
        """True for the end-of-source marker: a source's last event, a Trace record that
        leads with ``END`` (as the recorder writes them), or an Event made with an ``END``
        field; never a PBX message that carries an ``END`` header (a dialplan UserEvent
        can), live or recorded, nor a DTMF ``End:`` field."""
    @property
    def end_count(self) -> int | None:
        """Messages the source delivered, this END included (None unless ``is_end``)."""
    def __getitem__(self, key: str, /) -> str: ...
    def get(self, key: str, default: str | None = None) -> str | None: ...
    def get_all(self, key: str) -> list[str]: ...
    def raw(self, key: str) -> bytes | None:
        """The first value of ``key`` as the bytes received."""
    def __contains__(self, key: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def keys(self) -> list[str]:
        """Distinct keys in first-seen order."""
    def items(self) -> list[tuple[str, str]]:
        """Every (key, value) pair in order, repeats included."""
    def to_dict(self) -> dict[str, str]:
        """A plain dict of first values."""
    def to_wire(self) -> bytes:
        """The message as AMI wire bytes."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class DecodeStats:
    """What a decoder decoded and dropped (each drop is also logged). ``Model.consume()``
    decodes a File or Trace up to a thousand messages ahead of the model, so its counts may
    include messages not yet applied."""

    @property
    def messages(self) -> int: ...
    @property
    def banners(self) -> int: ...
    @property
    def oversized_lines(self) -> int: ...
    @property
    def oversized_messages(self) -> int: ...
    @property
    def too_many_headers(self) -> int: ...
    @property
    def truncated(self) -> int: ...
    @property
    def dropped(self) -> int: ...

@final
class File:
    """A raw AMI capture: the bytes one AMI connection received. Iterating yields every
    message, then an END event carrying the count. ``close()`` then ``open()`` goes on
    after the last message delivered."""

    def __new__(cls, name: str, path: str | os.PathLike[str]) -> File: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Path:
        """The capture's path."""
    @property
    def offset(self) -> int:
        """Byte offset where reading goes on after ``close()`` and ``open()``."""
    @property
    def banner(self) -> str | None: ...
    @property
    def stats(self) -> DecodeStats: ...
    def open(self) -> None: ...
    def close(self) -> None: ...
    def __iter__(self) -> File: ...
    def __next__(self) -> Event: ...
    def __enter__(self) -> File: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

@final
class Trace:
    """A Trace capture (messages tagged with ``SOURCE`` and ``TIME``, per-PBX ``END``
    messages): each event's ``source`` is its ``SOURCE``. At the end of the file the
    Trace delivers its own END."""

    def __new__(cls, name: str, path: str | os.PathLike[str]) -> Trace: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Path:
        """The capture's path."""
    @property
    def offset(self) -> int:
        """Byte offset where reading goes on after ``close()`` and ``open()``."""
    @property
    def banner(self) -> str | None: ...
    @property
    def stats(self) -> DecodeStats: ...
    def open(self) -> None: ...
    def close(self) -> None: ...
    def __iter__(self) -> Trace: ...
    def __next__(self) -> Event: ...
    def __enter__(self) -> Trace: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

@final
class Server:
    """Where and how to reach one PBX's AMI. Iterating (or ``connect()``) opens a
    connection; the secret is never shown in ``repr``, logs or errors.

    ``tls=True`` speaks TLS, verifying the PBX's certificate against the system's roots,
    or against ``ca_file`` only; ``verify=False`` skips verification (lab PBXes only).
    After ``ping_interval`` seconds without a byte a ``Ping`` goes out, and ``ping_timeout``
    more seconds of silence end the connection (half-open; the engine reconnects);
    ``ping_interval=0`` turns this off. ``max_line``/``max_message``/``max_headers``
    cap what one message may hold; a message over a cap is dropped, logged and counted.
    ``resync`` asks the PBX after login for its bridges, channels, each channel's
    ``trunk_variable`` and conference rooms (``BridgeList``, ``CoreShowChannels``,
    ``Status``, ``ConfbridgeListRooms``, ``ConfbridgeList``) so a model that starts or
    reconnects in the middle of calls is rebuilt; the answers go by like any message
    (ActionIDs ``hackamore-sync-...``). An Engine asks for its model's trunk variable.
    A value out of range raises ArgumentError (a ValueError)."""

    def __new__(
        cls,
        name: str,
        host: str,
        port: int = 5038,
        username: str = "",
        secret: str = "",
        *,
        auth: str = "plain",
        timeout: float = 5.0,
        events: bool = True,
        tls: bool = False,
        ca_file: str | os.PathLike[str] | None = None,
        verify: bool = True,
        server_name: str | None = None,
        ping_interval: float = 20.0,
        ping_timeout: float = 10.0,
        max_line: int = 65536,
        max_message: int = 1048576,
        max_headers: int = 4096,
        resync: bool = True,
        trunk_variable: str = "SIPCALLID",
    ) -> Server: ...
    @property
    def name(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def auth(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def tls(self) -> bool: ...
    def connect(self) -> Connection: ...
    def __iter__(self) -> Connection: ...

@final
class Connection:
    """A live AMI connection read by a native thread. Iterate for events; it ends with an
    END event. A refused connection or login raises (an END event follows if you go on
    iterating). Ctrl-C interrupts a waiting iteration within about 0.1 s."""

    @staticmethod
    def _adopt(name: str, sock: Any) -> Connection:
        """Read a connection Python made and logged in on (a duplicate of its descriptor)."""
    @property
    def name(self) -> str: ...
    @property
    def banner(self) -> str | None: ...
    @property
    def version(self) -> str | None: ...
    @property
    def stats(self) -> DecodeStats: ...
    def __iter__(self) -> Connection: ...
    def __next__(self) -> Event: ...
    def poll(self, timeout: float | None) -> Event | None:
        """The next event within ``timeout`` seconds (None: no limit), or None (also once
        ended)."""
    def action(
        self, name: str, /, *, timeout: float | None = 10.0, **fields: object
    ) -> tuple[Event, list[Event]]:
        """Send an action and wait for its answer: the ``Response`` and, for an event list,
        its events up to the one that completes it."""
    @property
    def ended(self) -> bool:
        """True once every event, END included, was taken and the reader stopped."""
    def close(self) -> None:
        """Log off and close; waits for the reader thread (well under a second)."""
    def __enter__(self) -> Connection: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class _ChangeSource(Protocol):
    """What ``Model.consume()`` takes besides AMI sources: changes it applies itself."""

    def _consume_into(self, model: Model) -> int: ...

@final
class ReplayServer:
    """The project's stand-in PBX: an AMI server that greets with a banner, checks a login
    (plain or MD5 challenge; a wrong secret gets ``Response: Error``), then replays
    ``capture`` to each client. ``piece`` writes random pieces of 1..piece bytes,
    ``delay`` pauses after each piece, ``garbage`` is the per-message chance of a junk
    block, ``cut_after`` closes the connection after that many bytes, ``stall_after``
    goes silent after that many bytes without closing (a half-open peer), ``linger`` keeps
    the connection open after the replay, ``answer_login=False`` never answers a login,
    ``tls_cert``/``tls_key`` (PEM files) make it speak TLS, and ``start_at=k`` starts
    the replay at the capture's recorded checkpoint ``k`` and answers state queries
    (``CoreShowChannels``, ``ConfbridgeListRooms``, ``ConfbridgeList``) with it;
    ``stall_at=k`` goes silent there instead (a PBX that stays mid-call); with
    ``start_at``, ``booting=True`` plays a PBX still booting: ``ParkedCalls`` refused and
    ``QueueStatus`` empty until it says ``FullyBooted``, after its first answers;
    ``answer_logoff=False`` ignores ``Logoff`` (a PBX that never says ``Goodbye``)."""

    def __new__(
        cls,
        capture: str | os.PathLike[str],
        *,
        username: str = "hackamore",
        secret: str = "hackamore",
        host: str = "127.0.0.1",
        port: int = 0,
        piece: int | None = None,
        delay: float = 0.0,
        garbage: float = 0.0,
        cut_after: int | None = None,
        stall_after: int | None = None,
        linger: bool = False,
        answer_login: bool = True,
        seed: int = 1,
        tls_cert: str | os.PathLike[str] | None = None,
        tls_key: str | os.PathLike[str] | None = None,
        start_at: int | None = None,
        stall_at: int | None = None,
        booting: bool = False,
        answer_logoff: bool = True,
    ) -> ReplayServer: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def clients(self) -> int: ...
    def serve_forever(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> ReplayServer: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

def decode(data: bytes, source: str = "-") -> list[Event]:
    """Decode AMI bytes into events (banner skipped, an incomplete last message dropped)."""

def md5_key(challenge: str, secret: str) -> str:
    """``md5(challenge + secret)`` in lower-case hex: the Key of an MD5 AMI login."""

def encode_action(
    name: str, fields: Mapping[str, str] | Sequence[tuple[str, str]] | None = None
) -> bytes:
    """Encode an action (ActionID added when absent): ``fields`` a dict, or (key, value)
    pairs where a key repeats (``Variable``). Raises ActionRefusedError on CR/LF in any
    key or value or a line over 1024 bytes."""

HOOK_NAMES: list[str]
CHANGES: dict[str, tuple[list[str], list[str] | None, str]]

@final
class Channel:
    """A copy of one channel's state when it was taken. ``role`` is IDLE, CALLING,
    CALLED or TRUNK; ``activity`` IDLE, DIALING, HUNGUP, CAUSED or HELD; ``call``
    identifies its call group while that exists (None when in no call)."""

    @property
    def pbx(self) -> str: ...
    @property
    def uniqueid(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def calleridnum(self) -> str: ...
    @property
    def linkedid(self) -> str: ...
    @property
    def sipcallid(self) -> str | None: ...
    @property
    def conference(self) -> str | None: ...
    @property
    def bridge(self) -> str | None:
        """The AMI 2.x bridge it is in now (``BridgeUniqueid``), if any."""
    @property
    def device(self) -> str | None:
        """The device it is on (``PJSIP/2001`` for ``PJSIP/2001-0000000a``), whose state
        ``Model.devices()`` keeps; None for a channel of no device (Local, an announcer)."""
    @property
    def channelstate(self) -> str: ...
    @property
    def channelstatedesc(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def activity(self) -> str: ...
    @property
    def call(self) -> int | None: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Change:
    """One model change as given to a hook: ``name`` (one of HOOK_NAMES), ``pbx``,
    ``fields`` (e.g. uniqueid, channel, destuniqueid) and the ``channels`` involved,
    after the change (for ``hangup``: as they were just before)."""

    @property
    def name(self) -> str: ...
    @property
    def pbx(self) -> str: ...
    @property
    def fields(self) -> dict[str, str]: ...
    @property
    def channels(self) -> list[Channel]: ...
    @property
    def version(self) -> int:
        """The model's version right after this change (each change adds one)."""
    @property
    def sizes(self) -> dict[str, int]:
        """The model's container sizes right after this change."""
    def __getitem__(self, key: str, /) -> str: ...
    def get(self, key: str, default: str | None = None) -> str | None: ...

@final
class Normalizer:
    """AMI 1.x and 2.x events to model changes (stateful: it follows AMI 2.x bridges)."""

    def __new__(
        cls, trunk_variable: str = "SIPCALLID", *, rules: str = "standard"
    ) -> Normalizer: ...
    @property
    def trunk_variable(self) -> str: ...
    @property
    def rules(self) -> str: ...
    def normalize(
        self, event: Event | dict[str, Any], pbx: str | None = None, model: Model | None = None
    ) -> list[tuple[str, dict[str, str]]]:
        """The changes one event means, as ``(hook name, fields)``. Given the native
        ``model`` they are for, answers to resync queries become the changes that bring
        it in line with the PBX."""

@disjoint_base
class Model:
    """The standard call-state model, native. ``hooks``: an object with ``on_<change>``
    methods, or a dict of callables by change name, each called with a :class:`Change`
    after the model applied it; a hook that raises is logged (logger
    ``hackamore.hooks``) and the model goes on. Without hooks no Python runs per event.
    Channels are keyed by (pbx, Uniqueid). Subclassable (see hackamore.compat)."""

    def __new__(
        cls,
        *args: Any,
        trunk_variable: str = "SIPCALLID",
        hooks: Any = None,
        rules: str = "standard",
        **kwargs: Any,
    ) -> Model:
        """Keywords only; a subclass may take arguments of its own (its ``__init__`` sees
        them), the Model itself refuses any other (TypeError)."""
    @property
    def trunk_variable(self) -> str: ...
    @property
    def rules(self) -> str:
        """``"standard"``, or ``"2014"`` for the 2014 framework's rules (hackamore.compat)."""
    def _listen(self, listener: Callable[[Change], object] | None) -> None:
        """Call ``listener`` with every change, hooked or not (None: stop)."""
    @property
    def version(self) -> int:
        """Increases with every change applied."""
    def apply(self, event: Event | dict[str, Any], pbx: str | None = None) -> int:
        """Apply one event (an Event, or a dict of AMI fields with SOURCE); returns the
        number of changes it made."""
    def consume(self, sources: File | Trace | Connection | list[Any] | _ChangeSource) -> int:
        """Read sources (taken in turn) to their end, natively; returns messages read.
        A source of changes (``hackamore.distributed.Changes``) applies its own.
        A message's hooks run before the next message is applied. An END from a source
        that delivered nothing else is not applied. A File or Trace is decoded ahead on a
        helper thread while that is faster; stopping early hands what was read ahead
        back to it."""
    def _consume_until_end(self, sources: list[Any]) -> int | None:
        """As ``consume()``, until a source delivers its own END: that source's index."""
    def _hook(self, name: str, *args: str | None, **fields: str) -> None:
        """Apply one change of the 2014 Model API directly (hackamore.compat)."""
    def _export_pbx(self, pbx: str) -> tuple[int, str]:
        """(the model's version, what it holds of `pbx` as JSON), taken together."""
    def _import_pbx(self, pbx: str, state: str) -> None:
        """Hold another model's exported state of `pbx` instead of this one's."""
    def _apply_change(self, name: str, fields: dict[str, str | None]) -> None:
        """Apply one change of another model (a ``--json`` record's ``change`` and
        ``fields`` with ``pbx``), running this model's hooks."""
    def channel(self, pbx: str, uniqueid: str) -> Channel | None: ...
    def channels(self, pbx: str | None = None) -> list[Channel]: ...
    def calls(self) -> list[list[Channel]]: ...
    def rooms(self) -> dict[str, dict[str, list[Channel]]]: ...
    def trunks(self) -> dict[str, Channel]: ...
    def numbers(self) -> dict[str, dict[str, str]]: ...
    def sizes(self) -> dict[str, int]: ...
    def bridges(self) -> dict[str, dict[str, dict[str, Any]]]:
        """AMI 2.x bridges now: ``{pbx: {bridge: {"type", "technology", "numchannels",
        "members"}}}``."""
    def parked(self) -> dict[str, list[dict[str, Any]]]:
        """Parked calls: ``{pbx: [{"uniqueid", "channel", "lot", "space", "parker",
        "timeout", "since"}]}``."""
    def queues(self) -> dict[str, dict[str, dict[str, list[dict[str, Any]]]]]:
        """Queues: ``{pbx: {queue: {"callers": [...], "members": [...]}}}``."""
    def devices(self) -> dict[str, dict[str, str]]:
        """Device states: ``{pbx: {device: state}}`` (``NOT_INUSE``, ``INUSE``, ``BUSY``,
        ``RINGING``, ``RINGINUSE``, ``ONHOLD``, ``UNAVAILABLE``, ``INVALID``, ``UNKNOWN``)."""
    def extensions(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Extension states from their hints: ``{pbx: {"exten@context": {"exten",
        "context", "hint", "status", "statustext"}}}``, ``status`` an int as AMI numbers
        it (0 idle, 1 in use, 2 busy, 4 unavailable, 8 ringing, 9 in use and ringing, 16
        on hold)."""
    def contacts(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Contacts PJSIP endpoints registered: ``{pbx: {uri: {"aor", "uri", "endpoint",
        "status", "roundtrip"}}}``, ``roundtrip`` in microseconds or None."""
    def registrations(self) -> dict[str, dict[str, dict[str, str]]]:
        """Registrations each PBX makes to others: ``{pbx: {key: {"channeltype",
        "username", "domain", "status"}}}``, keyed by ``chan_sip``'s user@domain, or
        PJSIP's client and server URIs with a space between them."""
    def peers(self) -> dict[str, dict[str, dict[str, str]]]:
        """Peers' reachability (``PeerStatus``): ``{pbx: {peer: {"channeltype", "peer",
        "status", "address"}}}``."""
    def snapshot(self) -> dict[str, Any]:
        """The whole model as plain data (see docs/model.md)."""
    def _snapshot_with_call_ids(self) -> tuple[dict[str, Any], list[int]]: ...
    def __len__(self) -> int: ...

@final
class _Engine:
    def __new__(
        cls,
        sources: list[Server | File | Trace],
        model: Model,
        threaded: bool = False,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
    ) -> _Engine: ...
    @property
    def model(self) -> Model: ...
    def start(self) -> None: ...
    def dispatch(self, timeout: float | None) -> bool: ...
    def action(
        self, pbx: str, name: str, /, *, timeout: float | None = 10.0, **fields: object
    ) -> tuple[Event, list[Event]]: ...
    def _abandon(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> bool: ...
    def stats(self) -> dict[str, Any]: ...

def credential(
    keyword: str, default: str | None = None, path: str | os.PathLike[str] | None = None
) -> str | None:
    """``keyword`` from the environment, else from ``~/.com_diag_hackamore`` (or ``path``)."""

def configured_servers() -> list[Server]:
    """The PBXes named by COM_DIAG_HACKAMORE_NAMEn, SERVERn, PORTn, USERNAMEn, SECRETn
    (environment first, then the dotfile); ConfigError for a malformed port."""
