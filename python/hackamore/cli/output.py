"""What every command shares about its output: a closed standard output, plurals."""

from __future__ import annotations

from typing import Any

import hackamore

# The exit status of a command whose standard output was closed under it: SIGPIPE's,
# as for the Unix tools that die of it (`yes | head`).
CLOSED_OUTPUT = 128 + 13


class OutputClosed(SystemExit):
    """Standard output was closed under us (`hackamore replay | head`). A SystemExit, so
    that raised in a hook it stops the model or the engine instead of being logged."""


def writing(hook: Any) -> Any:
    """`hook`, turning a closed standard output into OutputClosed."""

    def guarded(change: hackamore.Change) -> None:
        try:
            hook(change)
        except BrokenPipeError:
            raise OutputClosed(CLOSED_OUTPUT) from None

    return guarded


class UsageProblem(Exception):
    """A mistake on the command line or in what it names: one line on standard error,
    exit status 2."""


def plural(n: int, word: str) -> str:
    """`1 message`, `2 messages`."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")
