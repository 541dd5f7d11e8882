"""Manifold maps each event dict onto the View's and the Model's hooks, then asks the
View to display. A subclass that overrides ``process(event)`` sees every event dict."""

from __future__ import annotations

import logging
import time
from typing import IO, Any

from hackamore._native import Normalizer
from hackamore.compat import Event, Logger

# Arguments of each hook, by the normalised change's field names: the Model's...
MODEL_ARGS: dict[str, tuple[str, ...]] = {
    "bridge": ("pbx", "uniqueid1", "uniqueid2"),
    "confbridgeend": ("pbx", "conference"),
    "confbridgejoin": ("pbx", "uniqueid", "conference"),
    "confbridgeleave": ("pbx", "uniqueid", "conference"),
    "confbridgestart": ("pbx", "conference"),
    "dial": ("pbx", "uniqueid", "destuniqueid"),
    "dialend": ("pbx", "uniqueid", "dialstatus"),
    "end": ("pbx",),
    "hangup": ("pbx", "uniqueid"),
    "hanguprequest": ("pbx", "uniqueid"),
    "localbridge": ("pbx", "uniqueid1", "uniqueid2"),
    "musiconhold": ("pbx", "uniqueid"),
    "musicoffhold": ("pbx", "uniqueid"),
    "newcallerid": ("pbx", "uniqueid", "channel", "calleridnum"),
    "newchannel": (
        "pbx",
        "uniqueid",
        "channel",
        "calleridnum",
        "channelstate",
        "channelstatedesc",
    ),
    "newstate": ("pbx", "uniqueid", "channelstate", "channelstatedesc"),
    "rename": ("pbx", "uniqueid", "newname"),
    "sipcallid": ("pbx", "uniqueid", "value"),
    "softhanguprequest": ("pbx", "uniqueid", "cause"),
}

# ...and the View's, which also get channel names.
VIEW_ARGS: dict[str, tuple[str, ...]] = {
    "bridge": ("pbx", "uniqueid1", "channel1", "callerid1", "uniqueid2", "channel2", "callerid2"),
    "confbridgeend": ("pbx", "conference"),
    "confbridgejoin": ("pbx", "uniqueid", "channel", "conference"),
    "confbridgeleave": ("pbx", "uniqueid", "channel", "conference"),
    "confbridgestart": ("pbx", "conference"),
    "dial": ("pbx", "uniqueid", "channel", "destuniqueid", "destination"),
    "dialend": ("pbx", "uniqueid", "channel", "dialstatus"),
    "end": ("pbx",),
    "hangup": ("pbx", "uniqueid", "channel"),
    "hanguprequest": ("pbx", "uniqueid", "channel"),
    "localbridge": ("pbx", "uniqueid1", "channel1", "uniqueid2", "channel2"),
    "musiconhold": ("pbx", "uniqueid", "channel"),
    "musicoffhold": ("pbx", "uniqueid", "channel"),
    "newcallerid": ("pbx", "uniqueid", "channel", "calleridnum"),
    "newchannel": (
        "pbx",
        "uniqueid",
        "channel",
        "calleridnum",
        "channelstate",
        "channelstatedesc",
    ),
    "newstate": ("pbx", "uniqueid", "channel", "channelstate", "channelstatedesc"),
    "rename": ("pbx", "uniqueid", "channel", "newname"),
    "sipcallid": ("pbx", "uniqueid", "channel", "value"),
    "softhanguprequest": ("pbx", "uniqueid", "channel", "cause"),
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
        self.model = model
        self.view = view
        self.tracer = tracer
        self.normalizer = Normalizer(getattr(model, "trunk_variable", Event.SIPCALLID))
        # Known to the native model: pass the Linkedid it keeps (old hooks have no room).
        from hackamore.compat.ModelStandard import ModelStandard

        self._native = isinstance(model, ModelStandard)

    def __repr__(self) -> str:
        return f"Manifold({self.model},{self.view})"

    def trace(self, event: dict[str, Any]) -> None:
        """Write the event to the tracer in the Trace format (with SOURCE and TIME)."""
        assert self.tracer is not None
        for keyword, value in event.items():
            self.tracer.write(f"{keyword}: {value}\r\n")
        if Event.TIME not in event:
            self.tracer.write(f"{Event.TIME}: {time.time():.6f}\r\n")
        self.tracer.write("\r\n")

    def process(self, event: dict[str, Any]) -> None:
        """Hand one event dict (AMI fields plus SOURCE) to the View and the Model."""
        # The native model lets resync answers (started mid-call) rebuild it.
        changes = self.normalizer.normalize(event, model=self.model if self._native else None)
        if self.tracer is not None and (Event.END in event or Event.EVENT in event):
            self.trace(event)
        for name, fields in changes:
            # A duck-typed Model or View without a hook (say `dialend`, new here) is skipped.
            show = getattr(self.view, name, None) if self.view is not None else None
            if show is not None:
                show(*(fields[k] for k in VIEW_ARGS[name]))
            args = [fields[k] for k in MODEL_ARGS[name]]
            if name == "newchannel" and self._native:
                self.model.newchannel(*args, linkedid=fields["linkedid"])
            else:
                apply = getattr(self.model, name, None)
                if apply is not None:
                    apply(*args)
            if self.view is not None:
                self.view.display()
