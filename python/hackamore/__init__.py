"""hackamore: a live model of who is on which call across Asterisk PBXes, read from their
Asterisk Manager Interface (AMI) event streams by a native (Rust) engine.

Sources yield :class:`Event` objects::

    import hackamore
    for event in hackamore.File("pbx1", "capture.ami"):
        print(event.name, event.get("Uniqueid"))
"""

from __future__ import annotations

from hackamore import actions, aio
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

__all__ = [
    "HOOK_NAMES",
    "ActionFailedError",
    "ActionRefusedError",
    "ArgumentError",
    "AuthenticationError",
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


def bundled_capture() -> str:
    """Path of the real AMI capture shipped with the package (three callers in a
    ConfBridge on an Asterisk 13-generation PBX), for demos and first runs."""
    from importlib.resources import files

    return str(files("hackamore") / "data" / "conference-pbx1.ami")
