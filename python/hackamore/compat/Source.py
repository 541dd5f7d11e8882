"""Source: the base of every compat source. A source hands out whole AMI messages as
dicts (``get()``), built from the lines its subclass reads (``read()``); each carries
``SOURCE`` (the PBX name) and ``TIME`` (when it was completed), and the last one, made
when ``read()`` raises at the end of input, carries ``END`` (the count of messages).

Return values are the 2014 framework's: ``open()`` True, then False while open;
``close()`` True, then False; ``get()`` a dict or None; ``put()`` True when every line
was written."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from hackamore.compat import Event, Logger

USERNAME = ""
SECRET = ""


class Source:
    def __init__(
        self,
        pbx: str,
        username: str = USERNAME,
        secret: str = SECRET,
        logger: logging.Logger | None = None,
    ) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.pbx = pbx
        self.username = username
        self.secret = secret
        self.count = 0
        self.state = False
        self.authenticated = False
        self.event: dict[str, Any] = {}
        self.initialize()

    def __repr__(self) -> str:
        return "Source(" + str(self.pbx) + ")"

    # ----- what a subclass provides -----

    def read(self, multiplexing: Any = None) -> str | None:
        """One line without its line ending, or None when none is ready yet; raises
        ``End.End`` at the end of input."""
        return None

    def write(self, line: str) -> bool | None:
        """Write one line (the line ending is added); True when written."""
        return None

    def fileno(self) -> int:
        """A descriptor ``select()`` can wait on, or -1."""
        return -1

    def service(self) -> None:
        """Take in what the descriptor has (called when ``select()`` says it is ready)."""

    # ----- the message being assembled -----

    def initialize(self) -> None:
        """Start a message."""
        self.event[Event.SOURCE] = self.pbx

    def finalize(self) -> None:
        """Complete a message."""
        self.event[Event.TIME] = str(time.time())

    def terminate(self) -> None:
        """Make the message being assembled the end-of-source marker."""
        self.event[Event.END] = str(self.count)

    def authentication(self, event: dict[str, Any]) -> None:
        """Follow the login's answer and the logoff's."""
        response = event.get(Event.RESPONSE)
        if response is None:
            return
        if not self.authenticated:
            if response == Event.SUCCESS and event.get(Event.MESSAGE) == (
                Event.AUTHENTICATEDACCEPTED
            ):
                self.authenticated = True
                self.logger.info("Source.authentication: AUTHENTICATED. %s", self)
        elif response == Event.GOODBYE:
            self.authenticated = False
            self.logger.info("Source.authentication: DEAUTHENTICATED. %s", self)

    # ----- public -----

    def open(self) -> bool:
        if self.state:
            return False
        self.count = 0
        self.state = True
        self.authenticated = False
        self.logger.info("Source.open: OPENED. %s", self)
        return True

    def close(self) -> bool:
        if not self.state:
            return False
        self.state = False
        self.logger.info("Source.close: CLOSED. %s", self)
        return True

    def get(self, multiplexing: Any = None) -> dict[str, Any] | None:
        """The next whole message, or None if none is complete yet. A line without
        ``": "`` is a key with an empty value; a later line with the same key wins."""
        while True:
            try:
                line = self.read(multiplexing)
            except Exception:
                # The end of input (End), or a failure that ends it all the same.
                self.count += 1
                self.terminate()
                self.finalize()
                self.logger.info("Source.get: END: %s %d", self, self.count)
                return self._complete()
            if line is None:
                return None
            if not line:
                self.count += 1
                self.finalize()
                event = self._complete()
                self.authentication(event)
                return event
            key, sep, value = line.partition(": ")
            self.event[key] = value if sep else ""

    def _complete(self) -> dict[str, Any]:
        event = self.event
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug("Source.get: GET: %s %s", self, event)
        self.event = {}
        self.initialize()
        return event

    def put(self, request: Iterable[tuple[str, str]]) -> bool:
        """Write one message (pairs of key and value), then the empty line ending it."""
        result = True
        for key, value in request:
            if not self.write(key + ": " + value):
                result = False
                break
        if not self.write(""):
            result = False
        return result

    def login(self) -> bool:
        return self.put(
            (("Action", "Login"), ("Username", str(self.username)), ("Secret", str(self.secret)))
        )

    def logout(self) -> bool:
        return self.put((("Action", "Logoff"),))
