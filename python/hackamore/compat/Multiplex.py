"""Multiplex: the set of open sources a Controller reads in turn."""

from __future__ import annotations

import logging
import time
from typing import Any

from hackamore.compat import Logger
from hackamore.compat.Source import Source


class Multiplex:
    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.sources: dict[int, Source] = {}

    def __repr__(self) -> str:
        return f"Multiplex({len(self.sources)})"

    def register(self, source: Source) -> None:
        self.sources[id(source)] = source

    def unregister(self, source: Source) -> None:
        self.sources.pop(id(source), None)

    def active(self) -> bool:
        return bool(self.sources)

    def query(self, name: str) -> Source | None:
        """The registered source named `name` (the first, if several)."""
        for s in self.sources.values():
            if s.name == name:
                return s
        return None

    def multiplex(self) -> list[tuple[Source, dict[str, Any]]]:
        """One event from each source that has one, in turn; waits briefly if none has."""
        out = []
        for source in list(self.sources.values()):
            event = source.get()
            if event is not None:
                out.append((source, event))
            elif source.finished:
                out.append((source, {}))
        if not out:
            time.sleep(0.01)
        return out
