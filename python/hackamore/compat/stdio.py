"""C-style formatted output, as the 2014 framework's scripts and views used it."""

from __future__ import annotations

import sys
from typing import IO, Any


def fprintf(stream: IO[str], fmt: str, *args: Any) -> int:
    """Write ``fmt % args`` to `stream`; returns what ``write()`` returns."""
    return stream.write(fmt % args)


def printf(fmt: str, *args: Any) -> int:
    """Write ``fmt % args`` to standard output."""
    return sys.stdout.write(fmt % args)
