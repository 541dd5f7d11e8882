"""Mains: a thread per PBX, each with its own Controller, all feeding one Serializer in
front of one Manifold (``python -m hackamore.compat.Mains``)."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from hackamore.compat import Configure, Logger
from hackamore.compat.Controller import Controller
from hackamore.compat.Manifold import Manifold
from hackamore.compat.ModelStandard import ModelStandard
from hackamore.compat.Multiplex import Multiplex
from hackamore.compat.Serializer import Serializer
from hackamore.compat.Source import Source
from hackamore.compat.ViewCurses import ViewCurses
from hackamore.compat.ViewPrint import ViewPrint


def body(manifold: Any, inputs: list[Source], outputs: list[Source]) -> None:
    """One thread per source, each looping its source into a shared Serializer."""
    serializer = Serializer(manifold)
    lock = threading.Lock()

    def run(source: Source) -> None:
        done: list[Source] = []
        Controller(Multiplex(), serializer).loop([source], done)
        with lock:
            outputs.extend(done)

    threads = [threading.Thread(target=run, args=(s,), name=f"Mains-{s.name}") for s in inputs]
    inputs_copy = list(inputs)
    for s in inputs_copy:
        inputs.remove(s)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    serializer.wait()
    serializer.shutdown()


def main() -> int:
    logger = Logger.logger()
    sources: list[Source] = list(Configure.servers())
    if not sources:
        print("No PBX configured (COM_DIAG_HACKAMORE_NAME1...).", file=sys.stderr)
        return 1
    model = ModelStandard()
    view = ViewCurses(model) if os.environ.get("TERM") else ViewPrint(model)
    manifold = Manifold(model, view)
    try:
        while sources:
            body(manifold, sources, sources)
            time.sleep(2.0)
            logger.info("Mains.main: RESTARTING.")
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
