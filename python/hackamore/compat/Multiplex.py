"""Multiplex: the open sources a Controller reads, by PBX name. ``multiplex()`` is a
generator of ``Event`` objects: ``select()`` tells which sources have input, each is
serviced, and every whole message of every source is handed out; only when no source
had any does it wait (up to ``timeout``), so a source with data never waits for one
without. The caller may ``close()`` the generator (after an END, say) and start another."""

from __future__ import annotations

import logging
import select
from collections.abc import Generator

from hackamore.compat import Logger
from hackamore.compat.Event import Event
from hackamore.compat.Source import Source

SELECT = 1.0


class Multiplex:
    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.sources: dict[str, Source] = {}
        self.effective = 0.0

    def __repr__(self) -> str:
        return "Multiplex(" + str(self.sources) + ")"

    def register(self, source: Source) -> None:
        """Add an open source (one with a descriptor; others are left out)."""
        if source.fileno() >= 0:
            self.sources[source.pbx] = source

    def unregister(self, source: Source) -> None:
        self.sources.pop(source.pbx, None)

    def deregister(self) -> None:
        """Remove every source."""
        self.sources = {}

    def active(self) -> bool:
        return bool(self.sources)

    def query(self, pbx: str) -> Source | None:
        """The source registered as `pbx`, or None."""
        return self.sources.get(pbx)

    def _candidates(self) -> list[Source]:
        return [s for s in self.sources.values() if s.fileno() >= 0]

    def service(self, timeout: float = SELECT) -> None:
        """Take in what every source with input has, waiting up to `timeout` for one
        (for callers that read sources themselves)."""
        candidates = self._candidates()
        if candidates:
            for source in select.select(candidates, (), (), timeout)[0]:
                source.service()

    def multiplex(self, timeout: float = SELECT) -> Generator[Event, None, None]:
        candidates = self._candidates()
        wait = 0.0
        while candidates:
            # A source closed meanwhile has no descriptor left to wait on.
            candidates = [s for s in candidates if s.fileno() >= 0]
            for source in select.select(candidates, (), (), wait)[0]:
                source.service()
            active = False
            for source in candidates:
                while True:
                    event = source.get(self)
                    if event is None:
                        break
                    active = True
                    yield Event(event, source.logger)
            wait = 0.0 if active else timeout
            if wait > self.effective:
                self.logger.debug("Multiplex.multiplex: WAITING. %s", self)
            self.effective = wait
