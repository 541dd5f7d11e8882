"""The logger the old framework's classes share: ``logging.getLogger("hackamore")``."""

from __future__ import annotations

import logging


def logger() -> logging.Logger:
    return logging.getLogger("hackamore")
