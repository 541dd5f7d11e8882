"""The logger every compat class uses unless given one: made on first use with a level
(INFO) and a handler on standard error, as the 2014 framework's was. Its name follows the
migration rule: ``com.diag.hackamore`` became ``hackamore.compat``."""

from __future__ import annotations

import logging
import sys
import threading

NAME = "hackamore.compat"
LEVEL = logging.INFO

_made: logging.Logger | None = None
_lock = threading.Lock()


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (a test harness or a
    daemon may replace it after the logger was made)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property  # type: ignore[override,unused-ignore]
    def stream(self) -> object:
        return sys.stderr


def logger(
    name: str = NAME, level: int = LEVEL, handler: logging.Handler | None = None
) -> logging.Logger:
    """The shared logger; `name`, `level` and `handler` count only on the first call,
    which makes it."""
    global _made
    with _lock:
        if _made is None:
            made = logging.getLogger(name)
            made.setLevel(level)
            made.addHandler(handler if handler is not None else _StandardError())
            _made = made
        return _made
