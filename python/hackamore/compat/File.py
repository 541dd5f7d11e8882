"""A raw AMI capture as a source: ``File(pbx, path)``."""

from __future__ import annotations

import logging
import os
from typing import Any

import hackamore
from hackamore.compat.Source import Source


class File(Source):
    native_class: Any = hackamore.File

    def __init__(self, name: str, path: str, logger: logging.Logger | None = None) -> None:
        Source.__init__(self, name, logger)
        self.path = path
        self._native: Any = None

    def __repr__(self) -> str:
        return f'{type(self).__name__}("{self.name}","{self.path}")'

    @property
    def native(self) -> Any:
        return self._native

    def open(self) -> bool:
        """Open (or reopen where it stopped). False when the file is missing or has
        nothing new since it ended, so reopening a finished capture does not spin."""
        try:
            if self._native is None:
                self._native = self.native_class(self.name, self.path)
            else:
                if self.finished and os.path.getsize(self.path) <= self._native.offset:
                    return False
                self._native.open()
        except (hackamore.Error, OSError) as e:
            self.logger.error("%s: cannot open: %s", self, e)
            return False
        self.finished = False
        return True

    def close(self) -> None:
        if self._native is not None:
            self._native.close()

    def get(self) -> dict[str, Any] | None:
        if self._native is None:
            return None
        try:
            event = next(self._native)
        except StopIteration:
            self.finished = True
            return None
        except hackamore.Error as e:
            self.logger.error("%s: %s", self, e)
            return None
        return self._dict(event)
