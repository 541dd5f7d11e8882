"""hackamore: a live model of who is on which call across Asterisk PBXes, read from their
Asterisk Manager Interface (AMI) event streams by a native (Rust) engine.

Sources yield :class:`Event` objects::

    import hackamore
    for event in hackamore.File("pbx1", "capture.ami"):
        print(event.name, event.get("Uniqueid"))
"""

from __future__ import annotations

from hackamore._native import (
    HOOK_NAMES,
    Change,
    Channel,
    Connection,
    DecodeStats,
    Event,
    File,
    Model,
    Normalizer,
    ReplayServer,
    Server,
    Trace,
    __version__,
    configured_servers,
    credential,
    decode,
    encode_action,
    md5_key,
)
from hackamore.engine import Engine
from hackamore.errors import (
    ActionFailedError,
    ActionRefusedError,
    ArgumentError,
    AuthenticationError,
    BrokerError,
    CaptureError,
    CaptureNotFoundError,
    ConfigError,
    ConnectError,
    ConnectionLostError,
    Error,
    ProtocolError,
    ResourceError,
    ResponseTimeoutError,
    ServeError,
    TLSError,
    UsageError,
)

# Not `typing.TYPE_CHECKING`: importing typing costs `import hackamore` milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hackamore import actions, aio

__all__ = [
    "HOOK_NAMES",
    "ActionFailedError",
    "ActionRefusedError",
    "ArgumentError",
    "AuthenticationError",
    "BrokerError",
    "CaptureError",
    "CaptureNotFoundError",
    "Change",
    "Channel",
    "ConfigError",
    "ConnectError",
    "Connection",
    "ConnectionLostError",
    "DecodeStats",
    "Engine",
    "Error",
    "Event",
    "File",
    "Model",
    "Normalizer",
    "ProtocolError",
    "ReplayServer",
    "ResourceError",
    "ResponseTimeoutError",
    "ServeError",
    "Server",
    "TLSError",
    "Trace",
    "UsageError",
    "__version__",
    "actions",
    "aio",
    "bundled_capture",
    "configured_servers",
    "credential",
    "decode",
    "encode_action",
    "md5_key",
]


def __getattr__(name: str) -> Any:
    """`hackamore.actions` and `hackamore.aio` are imported when first used: they bring
    asyncio, which `import hackamore` alone does not need."""
    if name in ("actions", "aio"):
        import importlib

        return importlib.import_module(f"hackamore.{name}")
    raise AttributeError(f"module 'hackamore' has no attribute {name!r}")


def bundled_capture(trace: bool = False) -> str:
    """Path of the real AMI capture shipped with the package (three callers in a
    ConfBridge on an Asterisk 13-generation PBX), for demos and first runs: the raw
    bytes PBX ``pbx1`` sent, or with ``trace=True`` the same call as a Trace of both
    PBXes with the time each message arrived (what ``hackamore run`` replays at its
    recorded pace when no PBX is configured)."""
    from importlib.resources import files

    name = "conference.trace" if trace else "conference-pbx1.ami"
    return str(files("hackamore") / "data" / name)
