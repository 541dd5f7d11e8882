"""Main: one thread reads every configured PBX and keeps one model (``python -m
hackamore.compat.Main``). The engines issue completes reconnect and backoff."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from hackamore.compat import Configure, Logger
from hackamore.compat.Controller import Controller
from hackamore.compat.Manifold import Manifold
from hackamore.compat.ModelStandard import ModelStandard
from hackamore.compat.Multiplex import Multiplex
from hackamore.compat.Source import Source
from hackamore.compat.ViewCurses import ViewCurses
from hackamore.compat.ViewPrint import ViewPrint


def body(manifold: Any, inputs: list[Source], outputs: list[Source]) -> None:
    """Run one Controller over `inputs` until every source has ended."""
    Controller(Multiplex(), manifold).loop(inputs, outputs)


def main() -> int:
    logger = Logger.logger()
    sources: list[Source] = list(Configure.servers())
    if not sources:
        print("No PBX configured (COM_DIAG_HACKAMORE_NAME1...).", file=sys.stderr)
        return 1
    model = ModelStandard()
    view = ViewCurses(model) if os.environ.get("TERM") else ViewPrint(model)
    manifold = Manifold(model, view)
    logger.info("Main.main: STARTING.")
    try:
        while sources:
            body(manifold, sources, sources)
            time.sleep(2.0)
            logger.info("Main.main: RESTARTING.")
    except KeyboardInterrupt:
        pass
    logger.info("Main.main: STOPPING.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
