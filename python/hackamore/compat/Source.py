"""What the compat sources share: ``open()``, ``close()``, ``get()`` returning the next
event as a dict (AMI fields plus ``SOURCE``) or None, and ``finished`` once the source has
delivered its own END."""

from __future__ import annotations

import logging
from typing import Any

import hackamore
from hackamore.compat import Event, Logger


class Source:
    def __init__(self, name: str, logger: logging.Logger | None = None) -> None:
        self.name = name
        self.logger = Logger.logger() if logger is None else logger
        self.finished = False

    def __repr__(self) -> str:
        return f'{type(self).__name__}("{self.name}")'

    @property
    def native(self) -> Any:
        """The native source (File, Trace or Connection) while open, else None."""
        raise NotImplementedError

    def open(self) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def get(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def _own_end(self, event: hackamore.Event) -> bool:
        """Is this END the source's own (its last message)?"""
        return event.is_end

    def _dict(self, event: hackamore.Event) -> dict[str, Any]:
        self.finished = self._own_end(event)
        d: dict[str, Any] = event.to_dict()
        d.setdefault(Event.SOURCE, event.source)
        return d
