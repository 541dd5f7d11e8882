"""A Trace capture as a source: ``Trace(pbx, path)``. Its per-PBX END messages pass
through (each ends that PBX in the model); the Trace itself ends at the end of the file,
whatever PBX names it holds."""

from __future__ import annotations

from typing import Any

import hackamore
from hackamore.compat.File import File


class Trace(File):
    native_class: Any = hackamore.Trace

    def _own_end(self, event: hackamore.Event) -> bool:
        # The recorded ENDs carry SOURCE; the Trace's own END at the end of file does not.
        return event.is_end and "SOURCE" not in event
