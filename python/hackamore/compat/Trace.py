"""Trace: a capture whose messages already carry ``SOURCE`` and ``TIME`` (and ``END``
messages of their own), as a Manifold's tracer writes them; one trace may hold several
PBXes. Unlike a File, a Trace can be closed and reopened and goes on where it stopped;
``force()`` closes it for good.

Read as the 2014 Trace was (its last message comes even without the empty line that
should end it), with one addition: at the end of the file, when nothing is left over, it
hands out its own END, naming itself, as a File does, so a Controller closes it (the
2014 Trace handed out empty messages there, and a Controller read them forever)."""

from __future__ import annotations

import logging
import os
import time
from typing import IO, Any

import hackamore
from hackamore.compat import Event
from hackamore.compat._natively import NativeReading
from hackamore.compat.End import End
from hackamore.compat.File import read_line
from hackamore.compat.Source import Source

READLINE = 512
OPEN = "rb"


class Trace(NativeReading, Source):
    def __init__(
        self, pbx: str, path: str, bufsize: int = READLINE, logger: logging.Logger | None = None
    ) -> None:
        Source.__init__(self, pbx, logger=logger)
        self.path = path
        self.active = False
        self.eof = False
        self.file: IO[bytes] | None = None
        self.bufsize = bufsize
        self.oversized = 0

    def __repr__(self) -> str:
        return Source.__repr__(self) + ".Trace(" + str(self.path) + ")"

    def __del__(self) -> None:
        f = getattr(self, "file", None)
        if f is not None:
            f.close()

    # Its messages carry their own SOURCE and TIME, and its END messages are recorded.
    def initialize(self) -> None:
        pass

    def finalize(self) -> None:
        pass

    def terminate(self) -> None:
        if not self.event:
            self.event.update(
                {Event.SOURCE: self.pbx, Event.END: str(self.count), Event.TIME: str(time.time())}
            )

    def open(self) -> bool:
        """Open, or go on after a ``close()``: False while open, and after the end of
        the file or ``force()``."""
        if self.active or self.eof:
            return False
        if self.file is not None:
            self.active = True
            return True
        try:
            self.file = open(self.path, OPEN)
        except OSError as e:
            self.logger.error("Trace.open: FAILED! %s %s", self, e)
            return False
        self.logger.info("Trace.open: OPENED. %s", self)
        Source.open(self)
        self.active = True
        self.eof = False
        return True

    def close(self) -> bool:
        """Stop reading; the file stays open where it is, unless its end was reached."""
        if not self.active or self.file is None:
            return False
        if not self.eof:
            self.active = False
            return True
        try:
            self.file.close()
        except OSError as e:
            self.logger.error("Trace.close: FAILED! %s %s", self, e)
        else:
            self.logger.info("Trace.close: CLOSED. %s", self)
        self.active = False
        self.file = None
        self._native = None
        Source.close(self)
        return True

    def force(self) -> bool:
        """Close for good, wherever reading is."""
        self.active = True
        self.eof = True
        return self.close()

    def fileno(self) -> int:
        return self.file.fileno() if self.file is not None and self.active else -1

    def read(self, multiplexing: Any = None) -> str | None:
        if not self.active or self.file is None:
            return None
        try:
            line = read_line(self.file, self)
        except OSError as e:
            self.logger.error("Trace.read: FAILED! %s %s", self, e)
            self.eof = True
            raise
        if line is None:
            self.logger.info("Trace.read: END. %s", self)
            self.eof = True
            raise End
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug('Trace.read: READ: %s "%s"', self, line)
        return line

    # ----- native reading (NativeReading) -----

    def _fresh(self) -> bool:
        f = self.file
        return (
            f is not None and self.active and self.count == 0 and not self.event and (f.tell() == 0)
        )

    def _open_native(self) -> Any:
        return hackamore.Trace(self.pbx, self.path)

    def _as_dict(self, event: hackamore.Event) -> dict[str, Any]:
        d: dict[str, Any] = dict(event.items())
        if event.is_end and Event.SOURCE not in d:
            self.eof = True  # its own END (a recorded one names its PBX)
            d = {Event.SOURCE: self.pbx, **d, Event.TIME: str(time.time())}
        return d

    def _native_ended(self) -> None:
        """The native reader delivered an END naming this trace: at the end of the file
        it is done, else it goes on after a reopen (as when read in Python)."""
        self.eof = self._native.offset >= os.path.getsize(self.path)
