"""Recording what a 2014-style program sees through ``hackamore.compat``: every hook call
of a View with its arguments, and after each ``display()`` the model, in the shape
``reference_2014.Reference2014.records`` has."""

from __future__ import annotations

from typing import Any

from hackamore.compat import Channel, View

HOOKS = (
    "bridge",
    "confbridgeend",
    "confbridgejoin",
    "confbridgeleave",
    "confbridgestart",
    "dial",
    "dialend",
    "end",
    "hangup",
    "hanguprequest",
    "localbridge",
    "musiconhold",
    "musicoffhold",
    "newcallerid",
    "newchannel",
    "newstate",
    "rename",
    "sipcallid",
    "softhanguprequest",
)


def state(model: Any) -> dict[str, Any]:
    """A compat model's containers as plain data."""
    return {
        "channels": {
            p: {
                u: [
                    c.channel,
                    c.calleridnum,
                    c.sipcallid,
                    c.conference,
                    c.channelstate,
                    c.channelstatedesc,
                    Channel.ROLE[c.role],
                    Channel.ACTIVITY[c.activity],
                    None if c.call is None else sorted([x.pbx, x.uniqueid] for x in c.call),
                ]
                for u, c in d.items()
            }
            for p, d in model.channels.items()
        },
        "calls": [[[x.pbx, x.uniqueid] for x in call] for call in model.calls],
        "bridges": {p: {k: sorted(v) for k, v in d.items()} for p, d in model.bridges.items()},
        "trunks": {k: [c.pbx, c.uniqueid] for k, c in model.trunks.items()},
        "numbers": {p: dict(d) for p, d in model.numbers.items()},
    }


class Recorder(View.View):
    """Records every hook call and, at each display(), the model."""

    def __init__(self, model: Any) -> None:
        View.View.__init__(self, model)
        self.records: list[list[Any]] = []

    def display(self) -> None:
        self.records.append(["display", state(self.model)])

    def hooks(self) -> list[str]:
        return [r[0] for r in self.records if r[0] != "display"]


def _recording(name: str) -> Any:
    def hook(self: Recorder, *args: Any) -> None:
        self.records.append([name, *(str(a) for a in args)])

    hook.__name__ = name
    return hook


for _name in HOOKS:
    setattr(Recorder, _name, _recording(_name))
