"""Configure: the PBXes named by ``COM_DIAG_HACKAMORE_NAMEn`` / ``SERVERn`` / ``PORTn`` /
``USERNAMEn`` / ``SECRETn`` (n = 1, 2, ... until a NAME is missing), from the environment
or ``~/.com_diag_hackamore``, as unopened Sockets. The secret is never logged (the 2014
framework logged it)."""

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
        if name is None:
            break
        server = Credentials.credential(f"{PREFIX}SERVER{index}", HOST) or HOST
        port_text = Credentials.credential(f"{PREFIX}PORT{index}", str(PORT)) or str(PORT)
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
        logger.info(
            "Configure.servers: %sNAME%d=%r %sSERVER%d=%r %sPORT%d=%d %sUSERNAME%d=%r",
            PREFIX,
            index,
            name,
            PREFIX,
            index,
            server,
            PREFIX,
            index,
            port,
            PREFIX,
            index,
            username,
        )
        sources.append(Socket(name, username, secret, server, port))
        index += 1
    return sources
