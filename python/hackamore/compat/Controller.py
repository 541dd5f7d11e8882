"""Controller: reads events from sources through a Multiplex and hands them to a
Manifold until every source has ended.

With the base Manifold, a ModelStandard, the base View (or none) and no tracer, nothing
Python would do per event: the whole loop then runs natively (``Model.consume``).
"""

from __future__ import annotations

import logging
from typing import Any

from hackamore.compat import Event, Logger
from hackamore.compat.File import File
from hackamore.compat.Manifold import Manifold
from hackamore.compat.ModelStandard import ModelStandard
from hackamore.compat.Multiplex import Multiplex
from hackamore.compat.Socket import Socket
from hackamore.compat.Source import Source
from hackamore.compat.Trace import Trace
from hackamore.compat.View import View


class Controller:
    def __init__(
        self, multiplex: Multiplex, manifold: Any, logger: logging.Logger | None = None
    ) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.multiplex = multiplex
        self.manifold = manifold

    def __repr__(self) -> str:
        return f"Controller({self.multiplex},{self.manifold})"

    def native(self, sources: list[Source]) -> bool:
        """Would this loop run entirely in Rust?"""
        m = self.manifold
        return (
            type(m) is Manifold
            and type(m.model) is ModelStandard
            and (m.view is None or type(m.view) is View)
            and m.tracer is None
            and all(type(s) in (File, Trace, Socket) for s in sources)
        )

    def loop(self, inputs: list[Source], outputs: list[Source]) -> None:
        """Open each source of `inputs` and process events until every open source has
        ended; each ended source is closed and appended to `outputs`. With the same list
        for both, ended sources are reopened (a reconnect, or a capture that grew)."""
        self.logger.info("Controller.loop: STARTING. %s", self)
        while True:
            opened = [s for s in list(inputs) if s.open()]
            for s in opened:
                inputs.remove(s)
                self.multiplex.register(s)
            if not self.multiplex.active():
                break
            if self.native(list(self.multiplex.sources.values())):
                self._native_round(outputs)
            else:
                self._python_round(outputs)
        self.logger.info("Controller.loop: STOPPING. %s", self)

    def _finish(self, source: Source, outputs: list[Source]) -> None:
        source.close()
        self.multiplex.unregister(source)
        outputs.append(source)

    def _python_round(self, outputs: list[Source]) -> None:
        for source, event in self.multiplex.multiplex():
            if Event.END in event:
                # An END after nothing else is a PBX that refused us: the model has
                # nothing of it to drop, so it is not processed (as before).
                if str(event[Event.END]) != "1":
                    self.manifold.process(event)
            elif event:
                self.manifold.process(event)
            if source.finished:
                self._finish(source, outputs)

    def _native_round(self, outputs: list[Source]) -> None:
        sources = list(self.multiplex.sources.values())
        self.manifold.model.consume([s.native for s in sources])
        for s in sources:
            s.finished = True
            self._finish(s, outputs)
