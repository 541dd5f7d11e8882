"""File: a raw AMI capture (the bytes one AMI connection received) as a source.

It reads line by line as the 2014 File did, and returns the same values, with two
differences that lose nothing: a line is not cut at ``bufsize`` bytes (only a line over
``MAX_LINE`` is dropped, logged and counted in ``oversized``), and a line may end with a
bare LF (captures edited on Unix) or, at the end of the file, with nothing."""

from __future__ import annotations

import logging
from typing import IO, Any

import hackamore
from hackamore.compat._natively import NativeReading
from hackamore.compat.End import End
from hackamore.compat.Source import Source

READLINE = 512
OPEN = "rb"
MAX_LINE = 65536


def read_line(stream: IO[bytes], source: Any) -> str | None:
    """The next line of `stream` without its line ending, or None at the end. A line
    over MAX_LINE bytes is skipped (logged, counted in ``source.oversized``)."""
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(MAX_LINE + 1)
            source.oversized += 1
            source.logger.error("%s: a line over %d bytes dropped", source, MAX_LINE)
            continue
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        text: str = line.decode("utf-8", "replace")
        return text


class File(NativeReading, Source):
    def __init__(
        self, pbx: str, path: str, bufsize: int = READLINE, logger: logging.Logger | None = None
    ) -> None:
        Source.__init__(self, pbx, logger=logger)
        self.path = path
        self.eof = False
        self.file: IO[bytes] | None = None
        self.bufsize = bufsize
        self.oversized = 0

    def __repr__(self) -> str:
        return Source.__repr__(self) + ".File(" + str(self.path) + ")"

    def __del__(self) -> None:
        f = getattr(self, "file", None)
        if f is not None:
            f.close()

    def open(self) -> bool:
        """Open the file: False once it has been read to its end (or closed), or when it
        cannot be opened (logged)."""
        if self.eof or self.file is not None:
            return False
        try:
            self.file = open(self.path, OPEN)
        except OSError as e:
            self.logger.error("File.open: FAILED! %s %s", self, e)
            return False
        self.logger.info("File.open: OPENED. %s", self)
        Source.open(self)
        return True

    def close(self) -> bool:
        if self.file is None:
            return False
        try:
            self.file.close()
        except OSError as e:
            self.logger.error("File.close: FAILED! %s %s", self, e)
        else:
            self.logger.info("File.close: CLOSED. %s", self)
        self.eof = True
        self.file = None
        self._native = None
        Source.close(self)
        return True

    def fileno(self) -> int:
        return self.file.fileno() if self.file is not None else -1

    def read(self, multiplexing: Any = None) -> str | None:
        if self.file is None:
            return None
        line = read_line(self.file, self)
        if line is None:
            self.logger.info("File.read: END. %s", self)
            raise End
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug('File.read: READ: %s "%s"', self, line)
        return line

    # ----- native reading (NativeReading) -----

    def _fresh(self) -> bool:
        f = self.file
        return f is not None and self.count == 0 and len(self.event) <= 1 and f.tell() == 0

    def _open_native(self) -> Any:
        return hackamore.File(self.pbx, self.path)
