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


def setup() -> tuple[list[Source], Manifold] | None:
    """The configured PBXes and a Manifold over a ModelStandard with the old programs'
    view: full screen when TERM is set, else print. None when nothing is configured."""
    sources: list[Source] = list(Configure.servers())
    if not sources:
        print("No PBX configured (COM_DIAG_HACKAMORE_NAME1...).", file=sys.stderr)
        return None
    model = ModelStandard()
    view = ViewCurses(model) if os.environ.get("TERM") else ViewPrint(model)
    return sources, Manifold(model, view)


def loop(name: str, run: Any) -> int:
    """Run `run(manifold, sources, sources)` until Ctrl-C, restarting as the old programs
    did when every source has ended."""
    configured = setup()
    if configured is None:
        return 1
    sources, manifold = configured
    logger = Logger.logger()
    logger.info("%s.main: STARTING.", name)
    try:
        while sources:
            run(manifold, sources, sources)
            time.sleep(2.0)
            logger.info("%s.main: RESTARTING.", name)
    except KeyboardInterrupt:
        pass
    logger.info("%s.main: STOPPING.", name)
    return 0


def main() -> int:
    return loop("Main", body)


if __name__ == "__main__":
    raise SystemExit(main())
