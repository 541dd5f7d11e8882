"""Socket: a live AMI connection as a source, speaking as the 2014 Socket did: ``open()``
connects (False when the PBX refuses or cannot be reached, logged) and sends the Login
action; every line the PBX sends is passed on, the login's answer included, and the
end of the connection becomes the END message.

Differences that lose nothing: lines may end with a bare LF, a line over ``MAX_LINE``
bytes is dropped (logged, counted in ``oversized``), bytes are read in larger pieces, a
reconnect starts with nothing left over from the previous connection, a failed read
other than a timeout ends the connection (instead of failing again at every read), and
the secret never reaches a log."""

from __future__ import annotations

import codecs
import collections
import logging
import socket
from typing import Any

import hackamore
from hackamore.compat._natively import NativeReading
from hackamore.compat.End import End
from hackamore.compat.File import MAX_LINE
from hackamore.compat.Source import Source

HOST = "127.0.0.1"
PORT = 5038
CONNECT = 5.0
TIMEOUT = CONNECT
RECV = 65536


class Socket(NativeReading, Source):
    def __init__(
        self,
        pbx: str,
        username: str,
        secret: str,
        host: str = HOST,
        port: int | str = PORT,
        timeout: float = CONNECT,
        bufsize: int = RECV,
        logger: logging.Logger | None = None,
    ) -> None:
        Source.__init__(self, pbx, username, secret, logger=logger)
        self.host = host
        self.port = port
        self.timeout = timeout
        self.bufsize = bufsize
        self.eof = False
        self.prefix = ""
        self.partial: list[str] = []
        self.queue: collections.deque[str] = collections.deque()
        self.socket: socket.socket | None = None
        self.oversized = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._skipping = False

    def __repr__(self) -> str:
        return Source.__repr__(self) + ".Socket(" + str(self.host) + "," + str(self.port) + ")"

    def __del__(self) -> None:
        s = getattr(self, "socket", None)
        if s is not None:
            s.close()

    # ----- lines from fragments -----

    def assemble(self, fragment: str | bytes) -> None:
        """Take one fragment of the stream: whole lines go to ``queue``; the line still
        incomplete stays in pieces in ``partial``, except that a piece ending in CR waits
        in ``prefix`` for the LF that may follow."""
        if isinstance(fragment, bytes):
            fragment = self._decoder.decode(fragment)
        if not fragment:
            return
        fragment = self.prefix + fragment
        self.prefix = ""
        if fragment.endswith("\r"):
            cut = fragment.rfind("\n") + 1
            fragment, self.prefix = fragment[:cut], fragment[cut:]
        if fragment:
            *lines, last = fragment.split("\n")
            for line in lines:
                self.partial.append(line)
                whole = "".join(self.partial)
                self.partial = []
                if self._skipping:
                    self._skipping = False
                    continue
                self.queue.append(whole[:-1] if whole.endswith("\r") else whole)
            self.partial.append(last)
        if not self._skipping and sum(map(len, self.partial)) + len(self.prefix) > MAX_LINE:
            self.partial = [""]
            self.prefix = ""
            self._skipping = True
            self.oversized += 1
            self.logger.error("%s: a line over %d bytes dropped", self, MAX_LINE)

    # ----- public -----

    def open(self) -> bool:
        """Connect, and send the Login action. False when already open, or when the
        connection cannot be made (logged)."""
        if self.socket is not None:
            return False
        try:
            self.socket = socket.create_connection((self.host, self.port), self.timeout)  # type: ignore[arg-type]
        except Exception as e:
            self.logger.error("Socket.open: FAILED! %s %s", self, e)
            return False
        self.eof = False
        self.prefix = ""
        self.partial = []
        self.queue.clear()
        self._decoder.reset()
        self._skipping = False
        self.logger.info("Socket.open: CONNECTED. %s", self)
        self.login()
        Source.open(self)
        return True

    def close(self) -> bool:
        if self.socket is None:
            return False
        try:
            self.socket.close()
        except OSError as e:
            self.logger.error("Socket.close: FAILED! %s %s", self, e)
        else:
            self.logger.info("Socket.close: DISCONNECTED. %s", self)
        self.socket = None
        if self._native is not None:
            self._native.close()
            self._native = None
        Source.close(self)
        return True

    def fileno(self) -> int:
        return self.socket.fileno() if self.socket is not None else -1

    def service(self) -> None:
        """Receive what the connection has (waiting up to ``timeout`` for it)."""
        if self.socket is None or self.eof:
            return
        try:
            fragment = self.socket.recv(self.bufsize)
        except TimeoutError as e:
            self.logger.error("Socket.read: FAILED! %s %s", self, e)
            return
        except OSError as e:
            self.logger.error("Socket.read: FAILED! %s %s", self, e)
            self.eof = True
            return
        if not fragment:
            self.eof = True
            self.logger.info("Socket.read: END. %s", self)
        else:
            self.assemble(fragment)

    def read(self, multiplexing: Any = None) -> str | None:
        if multiplexing is None:
            self.service()
        if self.queue:
            line = self.queue.popleft()
            if self.logger.isEnabledFor(logging.DEBUG):
                self.logger.debug('Socket.read: READ: %s "%s"', self, line)
            return line
        if self.eof:
            raise End
        return None

    def write(self, line: str) -> bool:
        if self.socket is None:
            return False
        try:
            self.socket.sendall((line + "\r\n").encode())
        except OSError as e:
            self.logger.error("Socket.write: FAILED! %s %s", self, e)
            return False
        if self.logger.isEnabledFor(logging.DEBUG):
            shown = "Secret: ********" if line.startswith("Secret:") else line
            self.logger.debug('Socket.write: WRITE: %s "%s"', self, shown)
        return True

    # ----- native reading (NativeReading) -----

    def _fresh(self) -> bool:
        return (
            self.socket is not None
            and hasattr(hackamore.Connection, "_adopt")  # POSIX
            and self.count == 0
            and not self.queue
            and not self.partial
            and not self.prefix
        )

    def _open_native(self) -> Any:
        return hackamore.Connection._adopt(self.pbx, self.socket)

    def _next_native(self) -> hackamore.Event | None:
        event: hackamore.Event | None = self._native.poll(0)
        return event
