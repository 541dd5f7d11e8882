"""The hackamore exception hierarchy, rooted in :class:`Error`.

Where a built-in exception means the same thing, the class also derives from it, so
``except ConnectionError`` or ``except FileNotFoundError`` work as expected. Messages
name the PBX, address and user, never a secret.
"""

from __future__ import annotations

__all__ = [
    "ActionFailedError",
    "ActionRefusedError",
    "ArgumentError",
    "AuthenticationError",
    "BrokerError",
    "CaptureError",
    "CaptureNotFoundError",
    "ConfigError",
    "ConnectError",
    "ConnectionLostError",
    "Error",
    "ProtocolError",
    "ResourceError",
    "ResponseTimeoutError",
    "ServeError",
    "TLSError",
    "UsageError",
]


class Error(Exception):
    """Base class of every error hackamore raises."""


class ArgumentError(Error, ValueError):
    """An argument's value cannot be used: a port outside 1-65535, a timeout that is
    negative, infinite or not a number, a size of zero, an unknown name. (An argument of
    the wrong type raises TypeError, as Python does.)"""


class UsageError(Error, RuntimeError):
    """Asked at a time it cannot be done (an Engine's action before ``start()``)."""


class ResourceError(Error, OSError):
    """The system refused what hackamore needed (a thread)."""


class ServeError(Error, OSError):
    """The stand-in server could not listen where asked (the port is in use, or the
    address is not this host's)."""


class ConfigError(Error, ValueError):
    """The configuration (environment or ~/.com_diag_hackamore) is malformed."""


class BrokerError(Error, ConnectionError):
    """The NATS broker of :mod:`hackamore.distributed` could not be used: not reachable,
    credentials refused, or its stream configured otherwise than asked."""


class ProtocolError(Error):
    """The peer broke the AMI protocol (e.g. closed the connection during login)."""


class AuthenticationError(Error):
    """The PBX refused the login (wrong username or secret)."""


class ConnectError(Error, ConnectionError):
    """The TCP connection to the PBX could not be made (refused, unreachable, timed out)."""


class TLSError(ConnectError):
    """TLS could not be set up: the PBX's certificate failed verification (unknown issuer,
    wrong name, expired), the handshake failed, or the CA file is unusable."""


class ConnectionLostError(Error, ConnectionError):
    """An established connection failed with an I/O error."""


class ResponseTimeoutError(Error, TimeoutError):
    """The PBX did not answer in time (e.g. a login never answered)."""


class CaptureError(Error, OSError):
    """A capture file could not be read."""


class CaptureNotFoundError(CaptureError, FileNotFoundError):
    """A capture file does not exist."""


class ActionRefusedError(Error, ValueError):
    """An action was refused before sending: CR/LF in a key or value, or a line over the
    1024-byte AMI limit."""


class ActionFailedError(Error):
    """The PBX answered an action with ``Response: Error``; the message is the PBX's."""
