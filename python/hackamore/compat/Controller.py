"""Controller: opens sources, reads their events through a Multiplex and hands them to a
Manifold, closing each source at its END, until no source is open.

``loop(inputs, outputs)`` is the 2014 loop: each source of `inputs` that opens is moved
to the Multiplex; an END ends its source, which is closed and appended to `outputs`
(an END that is a source's only message, a PBX that refused it, is not processed); the
loop returns once no source is open. With the same list for both, ended sources are
opened again (a PBX that restarted), and the loop ends when none will open.

With the base Manifold, a ModelStandard, the base View (or none) logging below DEBUG,
no tracer, and File, Trace or Socket sources not read yet in Python, no Python would run
per event: those rounds run natively (``Model.consume``), with the same results.
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

NATIVE_SOURCES = (File, Trace, Socket)


class Controller:
    def __init__(
        self, multiplex: Multiplex, manifold: Any, logger: logging.Logger | None = None
    ) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.multiplex = multiplex
        self.manifold = manifold

    def __repr__(self) -> str:
        return "Controller(" + str(self.multiplex) + "," + str(self.manifold) + ")"

    def loop(self, inputs: list[Source], outputs: list[Source]) -> None:
        self.logger.info("Controller.loop: STARTING. %s", self)
        while True:
            for source in list(inputs):
                if source.open():
                    self.multiplex.register(source)
                    inputs.remove(source)
            if not self.multiplex.active():
                break
            if self._natively():
                self._native_round(outputs)
            else:
                self._python_round(outputs)
        self.logger.info("Controller.loop: STOPPING. %s", self)

    def _natively(self) -> bool:
        """Would Python do nothing per event this round?"""
        m = self.manifold
        if type(m) is not Manifold or type(m.model) is not ModelStandard or m.tracer is not None:
            return False
        view = m.view
        if view is not None and (type(view) is not View or view.logger.isEnabledFor(logging.DEBUG)):
            return False
        return all(
            type(s) in NATIVE_SOURCES and s._readable_natively()  # type: ignore[attr-defined]
            for s in self.multiplex.sources.values()
        )

    def _finish(self, source: Source, outputs: list[Source]) -> None:
        source.close()
        outputs.append(source)
        self.multiplex.unregister(source)

    def _python_round(self, outputs: list[Source]) -> None:
        # A source read natively in an earlier round (before a source that must be read
        # in Python joined) is drained by its native reader, not by select(): look at it
        # at least every 50 ms.
        native = any(
            getattr(s, "_native", None) is not None for s in self.multiplex.sources.values()
        )
        messages = self.multiplex.multiplex(0.05) if native else self.multiplex.multiplex()
        for message in messages:
            event = message.event
            if Event.END not in event:
                self.manifold.process(event)
                continue
            if Event.SOURCE not in event:
                continue
            if event[Event.END] != "1":
                # An END after nothing else is a PBX that refused the connection: the
                # model has nothing of it to drop.
                self.manifold.process(event)
            found = self.multiplex.query(event[Event.SOURCE])
            if found is None:
                # The END of a PBX that a Trace holds besides its own name (the 2014
                # Controller failed here): the PBX ends, the Trace goes on.
                continue
            self._finish(found, outputs)
            messages.close()

    def _native_round(self, outputs: list[Source]) -> None:
        """Read natively until one source delivers the END that ends it."""
        sources: list[Any] = list(self.multiplex.sources.values())
        readers = [s._native_reader() for s in sources]
        ended = self.manifold.model._consume_until_end(readers)
        done = sources if ended is None else [sources[ended]]
        for source in done:
            source._native_ended()
            self._finish(source, outputs)
