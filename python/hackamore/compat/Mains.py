"""Mains: a thread per PBX, each with its own Controller, all feeding one Serializer in
front of one Manifold: ``python -m hackamore.compat.Mains``."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from hackamore.compat import Logger, Main
from hackamore.compat.Controller import Controller
from hackamore.compat.Multiplex import Multiplex
from hackamore.compat.Serializer import Serializer
from hackamore.compat.Source import Source

# Seconds a join waits before the others are looked at.
TIMEOUT = 1.0


class Producer(threading.Thread):
    """One PBX's thread: loops its Controller while its source is left to open."""

    def __init__(
        self,
        inputs: list[Source],
        outputs: list[Source],
        controller: Controller,
        logger: logging.Logger,
    ) -> None:
        threading.Thread.__init__(self, daemon=True)
        self.logger = logger
        self.controller = controller
        self.inputs = inputs
        self.outputs = outputs

    def __repr__(self) -> str:
        return "Thread(" + threading.Thread.__repr__(self) + ").Producer()"

    def run(self) -> None:
        self.logger.info("Mains.Producer.run: STARTING. %s", self)
        while self.inputs:
            self.controller.loop(self.inputs, self.outputs)
            time.sleep(Main.RESTART)
            self.logger.info("Mains.Producer.run: RESTARTING. %s", self)
        self.logger.info("Mains.Producer.run: STOPPING. %s", self)


def body(
    manifold: Any,
    inputs: list[Source],
    outputs: list[Source],
    logger: logging.Logger | None = None,
) -> None:
    """A Producer per source of `inputs` (each source leaves `inputs`); with the same list
    for both, a Producer reopens its source as Main does. Returns when every Producer has
    stopped and every queued event has been processed; ended sources are in `outputs`."""
    logger = Logger.logger() if logger is None else logger
    serializer = Serializer(manifold)
    same = inputs is outputs
    producers = []
    while inputs:
        source = inputs.pop(0)
        sources = [source]
        producers.append(
            Producer(sources, sources if same else [], Controller(Multiplex(), serializer), logger)
        )
    for producer in producers:
        producer.start()
    try:
        while producers:
            for producer in list(producers):
                producer.join(TIMEOUT)
                if not producer.is_alive():
                    producers.remove(producer)
                    outputs.extend(producer.outputs)
    finally:
        serializer.wait()
        serializer.shutdown()


def main() -> int:
    return Main.run("Mains", body)


if __name__ == "__main__":
    raise SystemExit(main())
