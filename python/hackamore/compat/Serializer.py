"""Serializer: a queue in front of a Manifold, drained by one thread of its own, so
several Controllers (one per thread, as in Mains) can feed one Model and View. It has
the Manifold's ``process``: an event the Manifold's table has is queued, others are
dropped here."""

from __future__ import annotations

import logging
import threading
from typing import Any

from hackamore.compat import Event


class Processor(threading.Thread):
    """The thread that hands queued events to the Manifold, one at a time."""

    def __init__(self, serializer: Serializer) -> None:
        threading.Thread.__init__(self, name="Serializer", daemon=True)
        self.serializer = serializer

    def __repr__(self) -> str:
        return "Thread(" + threading.Thread.__repr__(self) + ").Processor()"

    def run(self) -> None:
        s = self.serializer
        while True:
            with s.mutex:
                while not s.queue and not s.complete:
                    s.mutex.wait()
                if not s.queue:
                    s.logger.info("Serializer.Processor.run: COMPLETE. %s", self)
                    return
                event = s.queue.pop(0)
                # Under the lock, as the 2014 Serializer did: wait() returns only once
                # the event it saw last has been processed.
                try:
                    s.manifold.process(event)
                except Exception:
                    s.logger.exception("Serializer: processing an event failed")
                s.mutex.notify_all()


class Serializer:
    def __init__(self, manifold: Any, logger: logging.Logger | None = None) -> None:
        self.manifold = manifold
        self.logger = logger if logger is not None else manifold.logger
        self.mutex = threading.Condition()
        self.queue: list[dict[str, Any]] = []
        self.complete = False
        self.processor = Processor(self)
        self.processor.start()

    def __repr__(self) -> str:
        return (
            "Serializer("
            + str(self.manifold)
            + ","
            + str(self.processor)
            + ","
            + str(self.backlog())
            + ")"
        )

    def enqueue(self, event: dict[str, Any]) -> None:
        with self.mutex:
            self.queue.append(event)
            self.mutex.notify_all()

    def backlog(self) -> int:
        """Events queued and not yet processed."""
        with self.mutex:
            return len(self.queue)

    def wait(self) -> None:
        """Block until the queue is empty (or the Serializer was shut down)."""
        with self.mutex:
            while self.queue and not self.complete:
                self.mutex.wait()

    def process(self, event: dict[str, Any]) -> None:
        """Queue an event for the Manifold, if its table has it."""
        table = self.manifold.table
        if Event.END in event:
            if Event.END in table:
                self.enqueue(event)
        elif Event.EVENT in event and event[Event.EVENT] in table:
            self.enqueue(event)

    def shutdown(self) -> None:
        """Stop the thread once what is queued has been processed."""
        with self.mutex:
            self.complete = True
            self.mutex.notify_all()
        self.processor.join()
