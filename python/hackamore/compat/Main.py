"""Main: one thread reads every configured PBX into one model, shown by the print view
(full screen when TERM is set): ``python -m hackamore.compat.Main``."""

from __future__ import annotations

import logging
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

# Seconds between rounds of (re)opening the sources.
RESTART = 2.0


def body(
    manifold: Any,
    inputs: list[Source],
    outputs: list[Source],
    logger: logging.Logger | None = None,
) -> None:
    """Loop the sources of `inputs` through one Controller while any is left to open:
    with the same list for both, ended sources are reopened every RESTART seconds."""
    logger = Logger.logger() if logger is None else logger
    controller = Controller(Multiplex(), manifold)
    logger.info("Main.body: STARTING.")
    while inputs:
        controller.loop(inputs, outputs)
        time.sleep(RESTART)
        logger.info("Main.body: RESTARTING.")
    logger.info("Main.body: STOPPING.")


def manifold(name: str) -> tuple[list[Source], Manifold] | None:
    """The configured PBXes and a Manifold over a ModelStandard with the print view
    (ViewCurses when TERM is set). None, said on standard error, when none is configured."""
    logger = Logger.logger()
    sources: list[Source] = list(Configure.servers(logger))
    if not sources:
        print(
            f"{name}: no PBX configured (COM_DIAG_HACKAMORE_NAME1... in the environment "
            "or ~/.com_diag_hackamore)",
            file=sys.stderr,
        )
        return None
    model = ModelStandard()
    view = ViewCurses(model) if "TERM" in os.environ else ViewPrint(model)
    return sources, Manifold(model, view)


def run(name: str, loop: Any) -> int:
    """Run `loop(manifold, sources, sources)` until Ctrl-C."""
    configured = manifold(name)
    if configured is None:
        return 1
    sources, m = configured
    try:
        loop(m, sources, sources)
    except KeyboardInterrupt:
        Logger.logger().info("%s.main: STOPPING.", name)
    return 0


def main() -> int:
    return run("Main", body)


if __name__ == "__main__":
    raise SystemExit(main())
