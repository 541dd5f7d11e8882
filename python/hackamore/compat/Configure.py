"""Configure: the PBXes named by ``COM_DIAG_HACKAMORE_NAMEn`` / ``SERVERn`` / ``PORTn`` /
``USERNAMEn`` / ``SECRETn`` (n = 1, 2, ... until a NAME is missing), as unopened Sockets."""

from __future__ import annotations

import logging

from hackamore.compat import Credentials, Logger
from hackamore.compat.Socket import HOST, PORT, Socket
from hackamore.errors import ConfigError

PREFIX = "COM_DIAG_HACKAMORE_"


def servers(logger: logging.Logger | None = None) -> list[Socket]:
    logger = Logger.logger() if logger is None else logger
    sources = []
    index = 1
    while True:
        name = Credentials.credential(f"{PREFIX}NAME{index}")
        if not name:
            break
        server = Credentials.credential(f"{PREFIX}SERVER{index}") or HOST
        port_text = Credentials.credential(f"{PREFIX}PORT{index}") or str(PORT)
        try:
            port = int(port_text)
            if not 0 < port < 65536:
                raise ValueError(port_text)
        except ValueError:
            raise ConfigError(
                f"{PREFIX}PORT{index}={port_text!r} is not a port number (1-65535)"
            ) from None
        username = Credentials.credential(f"{PREFIX}USERNAME{index}", "") or ""
        secret = Credentials.credential(f"{PREFIX}SECRET{index}", "") or ""
        # Never log the secret (the old framework did).
        logger.info("Configure.servers: %s at %s:%d as %r", name, server, port, username)
        sources.append(Socket(name, username, secret, server, port))
        index += 1
    return sources
