"""Serializer: a queue in front of a Manifold, drained by one thread, so several
Controllers (one per thread) can feed one Model. It has the Manifold's ``process``."""

from __future__ import annotations

import logging
import threading
from typing import Any

from hackamore.compat import Logger


class Serializer:
    def __init__(self, manifold: Any, logger: logging.Logger | None = None) -> None:
        self.manifold = manifold
        self.logger = logger if logger is not None else getattr(manifold, "logger", Logger.logger())
        self.mutex = threading.Condition()
        self.queue: list[dict[str, Any]] = []
        self.complete = False
        self.busy = False
        self.processor = threading.Thread(target=self._run, name="Serializer", daemon=True)
        self.processor.start()

    def __repr__(self) -> str:
        return f"Serializer({self.manifold},{self.backlog()})"

    def _run(self) -> None:
        while True:
            with self.mutex:
                while not self.queue and not self.complete:
                    self.mutex.wait()
                if self.complete:
                    return
                event = self.queue.pop(0)
                self.busy = True
            try:
                self.manifold.process(event)
            except Exception:
                self.logger.exception("Serializer: processing an event failed")
            with self.mutex:
                self.busy = False
                self.mutex.notify_all()

    def process(self, event: dict[str, Any]) -> None:
        """Queue an event for the Manifold."""
        with self.mutex:
            self.queue.append(event)
            self.mutex.notify_all()

    def backlog(self) -> int:
        """Events queued and not yet processed."""
        with self.mutex:
            return len(self.queue)

    def wait(self) -> None:
        """Block until every queued event has been processed (or shutdown)."""
        with self.mutex:
            while (self.queue or self.busy) and not self.complete:
                self.mutex.wait()

    def shutdown(self) -> None:
        with self.mutex:
            self.complete = True
            self.mutex.notify_all()
        self.processor.join()
