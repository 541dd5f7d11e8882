"""The hackamore exception hierarchy, rooted in :class:`Error`.

Where a built-in exception means the same thing, the class also derives from it, so
``except ConnectionError`` or ``except FileNotFoundError`` work as expected. Messages
name the PBX, address and user, never a secret.
"""

from __future__ import annotations

__all__ = [
    "ActionFailedError",
    "ActionRefusedError",
    "AuthenticationError",
    "CaptureError",
    "CaptureNotFoundError",
    "ConfigError",
    "ConnectError",
    "ConnectionLostError",
    "Error",
    "ProtocolError",
    "ResponseTimeoutError",
    "TLSError",
]


class Error(Exception):
    """Base class of every error hackamore raises."""


class ConfigError(Error, ValueError):
    """The configuration (environment or ~/.com_diag_hackamore) is malformed."""


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
