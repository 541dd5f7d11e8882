"""A live AMI connection as a source:
``Socket(pbx, username, secret, host="127.0.0.1", port=5038, timeout=5.0)``."""

from __future__ import annotations

import logging
from typing import Any

import hackamore
from hackamore.compat.Source import Source

HOST = "127.0.0.1"
PORT = 5038
TIMEOUT = 5.0


class Socket(Source):
    def __init__(
        self,
        name: str,
        username: str,
        secret: str,
        host: str = HOST,
        port: int = PORT,
        timeout: float = TIMEOUT,
        logger: logging.Logger | None = None,
    ) -> None:
        Source.__init__(self, name, logger)
        self.server = hackamore.Server(name, host, port, username, secret, timeout=timeout)
        self._connection: Any = None

    def __repr__(self) -> str:
        # Never the secret.
        s = self.server
        return f'Socket("{self.name}","{s.username}","{s.host}",{s.port})'

    @property
    def native(self) -> Any:
        return self._connection

    def open(self) -> bool:
        """Start connecting (a refused connection or login ends the source with END)."""
        self._connection = self.server.connect()
        self.finished = False
        return True

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()

    def get(self, timeout: float = 0.05) -> dict[str, Any] | None:
        if self._connection is None:
            return None
        try:
            event = self._connection.poll(timeout)
        except hackamore.Error as e:
            self.logger.error("%s", e)
            return None
        if event is None:
            if self._connection.ended:
                self.finished = True
            return None
        return self._dict(event)
