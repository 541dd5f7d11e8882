"""A Model that only counts how often each hook is called (for tests)."""

from __future__ import annotations

import logging
from typing import Any

from hackamore.compat import Event
from hackamore.compat.Model import Model


class ModelCounter(Model):
    """``counter[Event.X]`` is the number of calls of the hook for event X."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        Model.__init__(self, logger)
        self.counter: dict[str, int] = dict.fromkeys(Event.NAMES.values(), 0)

    def __repr__(self) -> str:
        return Model.__repr__(self) + ".ModelCounter()"

    def _count(self, hook: str) -> None:
        name = Event.NAMES[hook]
        self.counter[name] += 1


def _counting(hook: str) -> Any:
    def method(self: ModelCounter, *args: Any) -> None:
        self._count(hook)

    method.__name__ = hook
    method.__doc__ = f"Count a {hook} call."
    return method


for _hook in Event.NAMES:
    setattr(ModelCounter, _hook, _counting(_hook))
