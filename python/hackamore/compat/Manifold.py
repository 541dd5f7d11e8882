"""Manifold: maps each event dict onto the hooks of the View and of the Model, as the
2014 Manifold did: ``process(event)`` looks the event up in ``table`` (by its exact
``Event`` name, or ``END``), writes it to the tracer if there is one, and calls the
table's method, which calls the View's hook, the Model's hook, then ``view.display()``.

What each event means is decided natively under the 2014 framework's rules (exact field
names, values as sent; see ``hackamore.Model(rules="2014")``): the events it knew act as
they did, the AMI 1.x events it ignored are ignored, and the AMI 2.x+ events of Asterisk
12 and later (``DialBegin``, ``BridgeEnter``...), which it never saw, are in the table
too and map onto the same hooks. A subclass may override ``process`` (it sees every
event dict) or any table method (``bridge(event)``, ``hangup(event)``...)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import IO, Any

from hackamore._native import CHANGES, Normalizer
from hackamore.compat import Event, Logger
from hackamore.compat.stdio import fprintf

# Arguments of each hook, by the names of the change's fields (the change table's,
# hackamore._native.CHANGES): the Model's...
MODEL_ARGS: dict[str, tuple[str, ...]] = {
    name: tuple(params) for name, (_, params, _) in CHANGES.items() if params is not None
}

# ...and the View's: every field but the Linkedid, which the 2014 views never saw.
VIEW_ARGS: dict[str, tuple[str, ...]] = {
    name: tuple(f for f in fields if f != "linkedid")
    for name, (fields, params, _) in CHANGES.items()
    if params is not None
}


class Manifold:
    def __init__(
        self,
        model: Any,
        view: Any = None,
        tracer: IO[str] | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.logger = Logger.logger() if logger is None else logger
        self.tracer = tracer
        self.model = model
        self.view = view
        self.normalizer = Normalizer(
            getattr(model, "trunk_variable", Event.SIPCALLID), rules="2014"
        )
        self.table: dict[str, Callable[[dict[str, Any]], None]] = {
            # The 2014 framework's...
            Event.BRIDGE: self.bridge,
            Event.CONFBRIDGEEND: self.confbridgeend,
            Event.CONFBRIDGEJOIN: self.confbridgejoin,
            Event.CONFBRIDGELEAVE: self.confbridgeleave,
            Event.CONFBRIDGESTART: self.confbridgestart,
            Event.DIAL: self.dial,
            Event.END: self.end,
            Event.HANGUP: self.hangup,
            Event.HANGUPREQUEST: self.hanguprequest,
            Event.LOCALBRIDGE: self.localbridge,
            Event.MUSICONHOLD: self.musiconhold,
            Event.NEWCALLERID: self.newcallerid,
            Event.NEWCHANNEL: self.newchannel,
            Event.NEWSTATE: self.newstate,
            Event.RENAME: self.rename,
            Event.SOFTHANGUPREQUEST: self.softhanguprequest,
            Event.VARSET: self.varset,
            # ...and AMI 2.x+.
            Event.DIALBEGIN: self.dialbegin,
            Event.DIALEND: self.dialend,
            Event.BRIDGECREATE: self.bridgecreate,
            Event.BRIDGEENTER: self.bridgeenter,
            Event.BRIDGELEAVE: self.bridgeleave,
            Event.BRIDGEDESTROY: self.bridgedestroy,
            Event.MUSICONHOLDSTART: self.musiconholdstart,
            Event.MUSICONHOLDSTOP: self.musiconholdstop,
            Event.HOLD: self.hold,
            Event.UNHOLD: self.unhold,
            Event.NEWCONNECTEDLINE: self.newconnectedline,
        }
        # The native model gets the Linkedid, which the 2014 hooks have no room for.
        from hackamore.compat.ModelStandard import ModelStandard

        self._linkedid = getattr(type(model), "newchannel", None) is ModelStandard.newchannel

    def __repr__(self) -> str:
        return "Manifold(" + str(self.model) + "," + str(self.view) + ")"

    def _hooks(self, event: dict[str, Any]) -> None:
        """Call the View's hook, the Model's, then display(), for each change the event
        means."""
        view, model = self.view, self.model
        for name, fields in self.normalizer.normalize(event):
            if view is not None:
                show = getattr(view, name, None)
                if show is not None:
                    show(*[fields[k] for k in VIEW_ARGS[name]])
            args = [fields[k] for k in MODEL_ARGS[name]]
            if name == "newchannel" and self._linkedid:
                model.newchannel(*args, linkedid=fields["linkedid"])
            else:
                apply = getattr(model, name, None)
                if apply is not None:
                    apply(*args)
            if view is not None:
                view.display()

    # The 2014 framework's table methods.
    def bridge(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def confbridgeend(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def confbridgejoin(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def confbridgeleave(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def confbridgestart(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def dial(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def end(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def hangup(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def hanguprequest(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def localbridge(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def musiconhold(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def newcallerid(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def newchannel(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def newstate(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def rename(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def softhanguprequest(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def varset(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    # AMI 2.x+ (Asterisk 12 and later).
    def dialbegin(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def dialend(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def bridgecreate(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def bridgeenter(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def bridgeleave(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def bridgedestroy(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def musiconholdstart(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def musiconholdstop(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def hold(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def unhold(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def newconnectedline(self, event: dict[str, Any]) -> None:
        self._hooks(event)

    def trace(self, event: dict[str, Any]) -> None:
        """Write the event to the tracer: its fields as AMI lines, then an empty line."""
        assert self.tracer is not None
        for keyword, value in event.items():
            fprintf(self.tracer, "%s: %s\r\n", keyword, value)
        fprintf(self.tracer, "\r\n")

    def process(self, event: dict[str, Any]) -> None:
        """Hand one event dict (AMI fields, SOURCE) to the View and the Model."""
        if Event.END in event:
            handler = self.table.get(Event.END)
        elif Event.EVENT in event:
            name = event[Event.EVENT]
            handler = self.table.get(name)
            if name == Event.HOLD and Event.STATUS in event:
                handler = None  # 1.8's SIP Hold, which the 2014 framework ignored
        else:
            return
        if handler is not None:
            if self.tracer is not None:
                self.trace(event)
            handler(event)
