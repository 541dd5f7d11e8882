"""The standard model, native: the old framework's ModelStandard rules run in Rust.

Its containers (``channels``, ``calls``, ``bridges``, ``trunks``, ``numbers``) are built on
access from the native state, as the old framework's shapes (dicts of Channel objects, a
list of channel lists), and rebuilt only after the model has changed.
"""

from __future__ import annotations

import logging
from typing import Any

from hackamore._native import Model as NativeModel
from hackamore.compat import Logger
from hackamore.compat.Channel import Channel
from hackamore.compat.Model import Model


class _Containers:
    __slots__ = ("bridges", "calls", "channels", "numbers", "trunks", "version")

    def __init__(self, snapshot: dict[str, Any], version: int) -> None:
        self.version = version
        calls: list[list[Channel]] = [[] for _ in snapshot["calls"]]
        self.channels: dict[str, dict[str, Channel]] = {}
        for pbx, chans in snapshot["channels"].items():
            d = self.channels[pbx] = {}
            for uniqueid, fields in chans.items():
                chan = d[uniqueid] = Channel.from_snapshot(pbx, uniqueid, fields)
                if fields["call"] is not None:
                    chan.call = calls[fields["call"]]
        for i, members in enumerate(snapshot["calls"]):
            calls[i].extend(self.channels[pbx][uid] for pbx, uid in members)
        self.calls = calls
        self.bridges = {
            pbx: {
                conf: {uid: self.channels[pbx][uid] for uid in uids} for conf, uids in rooms.items()
            }
            for pbx, rooms in snapshot["rooms"].items()
        }
        self.trunks = {
            value: self.channels[pbx][uid] for value, (pbx, uid) in snapshot["trunks"].items()
        }
        self.numbers: dict[str, dict[str, str]] = snapshot["numbers"]


class ModelStandard(NativeModel, Model):
    """The standard model. (Its container properties replace the native lookup methods
    of the same names on purpose: the old shapes are what migrated scripts use.)

    Methods are the old hooks (``bridge(pbx, uniqueid1,
    uniqueid2)``...), applied natively; a subclass may override them and call
    ``ModelStandard.<hook>(self, ...)``. ``trunk_variable`` names the correlation
    variable (default SIPCALLID)."""

    def __init__(self, logger: logging.Logger | None = None, **kwargs: Any) -> None:
        # The native state was made by __new__; only the Python side is set up here.
        self.logger = Logger.logger() if logger is None else logger
        self._containers: _Containers | None = None

    def __repr__(self) -> str:
        return f"Model({hex(id(self))}).ModelStandard()"

    def _view(self) -> _Containers:
        version = self.version
        cached = self.__dict__.get("_containers")
        if cached is None or cached.version != version:
            cached = _Containers(self.snapshot(), version)
            self.__dict__["_containers"] = cached
        return cached

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
