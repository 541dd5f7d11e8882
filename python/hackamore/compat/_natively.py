"""What a compat source needs to be read natively in a Controller's native rounds (and
to go on being read, message by message, in a Python round after one)."""

from __future__ import annotations

import time
from typing import Any

import hackamore
from hackamore.compat import Event


def as_dict(pbx: str, event: hackamore.Event) -> dict[str, Any]:
    """A native event as a 2014 source's dict: SOURCE first, a repeated key's last value,
    TIME last."""
    d: dict[str, Any] = {Event.SOURCE: pbx}
    d.update(event.items())
    d.setdefault(Event.TIME, str(time.time()))
    return d


class NativeReading:
    """Mixed into File, Trace and Socket (before Source): once a native round has started
    a native reader for the source, ``get()`` takes its messages from it."""

    pbx: str
    count: int
    eof: bool
    _native: Any = None

    # ----- what each source provides -----

    def _fresh(self) -> bool:
        """Open, and nothing read from it in Python yet."""
        raise NotImplementedError

    def _open_native(self) -> Any:
        """A native reader over the same input."""
        raise NotImplementedError

    def _next_native(self) -> hackamore.Event | None:
        """The native reader's next message, or None if none is there (yet)."""
        try:
            event: hackamore.Event = next(self._native)
        except StopIteration:
            return None
        return event

    def _as_dict(self, event: hackamore.Event) -> dict[str, Any]:
        return as_dict(self.pbx, event)

    # ----- for the Controller -----

    def _readable_natively(self) -> bool:
        return self._native is not None or self._fresh()

    def _native_reader(self) -> Any:
        if self._native is None:
            self._native = self._open_native()
        return self._native

    def _native_ended(self) -> None:
        """The native reader delivered this source's own END."""
        self.eof = True

    def get(self, multiplexing: Any = None) -> dict[str, Any] | None:
        if self._native is None:
            got: dict[str, Any] | None = super().get(multiplexing)  # type: ignore[misc]
            return got
        event = self._next_native()
        if event is None:
            return None
        self.count += 1
        return self._as_dict(event)
