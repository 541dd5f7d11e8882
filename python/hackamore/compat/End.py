"""End: what a source's ``read()`` raises at the end of its input (end of file, or the far
end closed the socket). ``Source.get()`` turns it into the source's END event."""

from __future__ import annotations


class End(Exception):
    def __repr__(self) -> str:
        return Exception.__repr__(self) + ".End()"
