"""ModelStandard: the 2014 framework's standard model, native. Its rules (what each hook
does to the call state) run in Rust under ``rules="2014"``: the 2014 ModelStandard's,
where hackamore's own model chose otherwise (see docs/compat.md).

Its containers (``channels``, ``calls``, ``bridges``, ``trunks``, ``numbers``) have the
2014 shapes and are kept as the 2014 ones were: the same dicts, call lists and Channel
objects go on being used (and updated) while what they stand for exists, so a script that
holds one sees it change. They are brought up to date when read after the model changed.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from hackamore._native import CHANGES
from hackamore._native import Model as NativeModel
from hackamore.compat import Logger
from hackamore.compat.Channel import Channel
from hackamore.compat.Model import Model


def _update(target: dict[Any, Any], new: dict[Any, Any]) -> None:
    """Make `target` equal `new` in place, keeping the dicts nested in it (and so their
    order: a new key goes last, as in the 2014 framework's dicts)."""
    for key in [k for k in target if k not in new]:
        del target[key]
    for key, value in new.items():
        old = target.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            _update(old, value)
        elif old is not value:
            target[key] = value


class _Containers:
    """The 2014 containers over the native state."""

    def __init__(self) -> None:
        self.version = -1
        self.channels: dict[str, dict[str, Channel]] = {}
        self.calls: list[list[Channel]] = []
        self.bridges: dict[str, dict[str, dict[str, Channel]]] = {}
        self.trunks: dict[str, Channel] = {}
        self.numbers: dict[str, dict[str, str]] = {}
        self._channel: dict[tuple[str, str], Channel] = {}
        self._call: dict[int, list[Channel]] = {}

    def refresh(self, snapshot: dict[str, Any], call_ids: list[int], version: int) -> None:
        channel: dict[tuple[str, str], Channel] = {}
        for pbx, chans in snapshot["channels"].items():
            for uid, fields in chans.items():
                c = self._channel.get((pbx, uid))
                if c is None:
                    c = Channel(pbx, uid, "", "", "", "")
                c._take(fields)
                channel[(pbx, uid)] = c
        self._channel = channel
        for c in channel.values():
            c.call = None
        call: dict[int, list[Channel]] = {}
        for cid, members in zip(call_ids, snapshot["calls"]):
            group = self._call.get(cid, [])
            group[:] = [channel[(k[0], k[1])] for k in members]
            call[cid] = group
            for c in group:
                c.call = group
        self._call = call
        self.calls[:] = list(call.values())
        _update(
            self.channels,
            {
                pbx: {uid: channel[(pbx, uid)] for uid in chans}
                for pbx, chans in snapshot["channels"].items()
            },
        )
        _update(
            self.bridges,
            {
                pbx: {
                    conf: {uid: channel[(pbx, uid)] for uid in uids if (pbx, uid) in channel}
                    for conf, uids in rooms.items()
                }
                for pbx, rooms in snapshot["rooms"].items()
            },
        )
        _update(
            self.trunks,
            {value: channel[(pbx, uid)] for value, (pbx, uid) in snapshot["trunks"].items()},
        )
        _update(self.numbers, snapshot["numbers"])
        self.version = version


class ModelStandard(NativeModel, Model):
    """The standard model of the 2014 framework. Its methods are the hooks
    (``bridge(pbx, uniqueid1, uniqueid2)``...), applied natively; a subclass may override
    them and call ``ModelStandard.<hook>(self, ...)``. ``trunk_variable`` names the
    correlation variable (default SIPCALLID).

    (Its container properties stand in for the native lookup methods of the same names
    on purpose: the 2014 shapes are what migrated scripts use.)"""

    def __new__(cls, logger: logging.Logger | None = None, **kwargs: Any) -> ModelStandard:
        kwargs.setdefault("rules", "2014")
        model: ModelStandard = NativeModel.__new__(cls, **kwargs)  # type: ignore[assignment]
        return model

    def __init__(self, logger: logging.Logger | None = None, **kwargs: Any) -> None:
        # The native state was made by __new__; only the Python side is set up here.
        self.logger = Logger.logger() if logger is None else logger
        self._containers = _Containers()

    def __repr__(self) -> str:
        return f"Model({hex(id(self))}).ModelStandard()"

    def _view(self) -> _Containers:
        containers: _Containers = self.__dict__["_containers"]
        version = self.version
        if containers.version != version:
            snapshot, call_ids = self._snapshot_with_call_ids()
            containers.refresh(snapshot, call_ids, version)
        return containers

    @property
    def channels(self) -> dict[str, dict[str, Channel]]:  # type: ignore[override]
        return self._view().channels

    @property
    def calls(self) -> list[list[Channel]]:  # type: ignore[override]
        return self._view().calls

    @property
    def bridges(self) -> dict[str, dict[str, dict[str, Channel]]]:  # type: ignore[override]
        return self._view().bridges

    @property
    def trunks(self) -> dict[str, Channel]:  # type: ignore[override]
        return self._view().trunks

    @property
    def numbers(self) -> dict[str, dict[str, str]]:  # type: ignore[override]
        return self._view().numbers


def _native_hook(name: str, params: list[str]) -> Callable[..., None]:
    """The 2014 Model hook `name`, applied natively."""

    def hook(self: ModelStandard, *args: Any, **fields: Any) -> None:
        self._hook(name, *args, **fields)

    hook.__name__ = hook.__qualname__ = name
    hook.__doc__ = f"{name}({', '.join(params)}), applied natively."
    # What inspect.signature() shows: the 2014 hook's own arguments.
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    hook.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", positional)] + [inspect.Parameter(p, positional) for p in params]
    )
    return hook


# The hooks and their arguments are the change table's (hackamore._native.CHANGES).
for _name, (_fields, _params, _json) in CHANGES.items():
    if _params is not None:
        setattr(ModelStandard, _name, _native_hook(_name, _params))
