"""`hackamore replay`: captures through the model, as fast as they decode or at the pace
they were recorded."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import hackamore
from hackamore import Event
from hackamore.cli.output import plural, writing
from hackamore.cli.view import LiveView
from hackamore.jsonout import JsonLines


class NotACapture(hackamore.CaptureError):
    """A file that holds no AMI message."""


# Fields worth showing for a channel event, in the order shown.
SUMMARY_KEYS = (
    "Channel",
    "Uniqueid",
    "DestChannel",
    "ChannelStateDesc",
    "CallerIDNum",
    "BridgeUniqueid",
    "Conference",
    "Variable",
    "Value",
    "DialStatus",
    "Cause-txt",
    "ActionID",
    "Message",
)


def summary(event: Event) -> str:
    parts = [f"{k}={event[k]}" for k in SUMMARY_KEYS if k in event and event[k] != ""]
    return " ".join(parts)


# An AMI capture's banner, or a line of a message (`Key: Value`).
_AMI_LINE = re.compile(rb"^(Asterisk Call Manager/|[A-Za-z][A-Za-z0-9_-]*: )", re.M)


def looks_like_ami(path: Path) -> bool:
    """Does the file's start hold an AMI message's line (or the banner)? Asked
    before reading it, so that a file that is no capture is one line of error, not a
    decoder warning and an empty summary first."""
    try:
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
    except OSError:
        return True  # the capture's own opening says what is wrong, as it always has
    return _AMI_LINE.search(head) is not None


def open_capture(
    path: Path, name: str | None, trace: bool | None
) -> hackamore.File | hackamore.Trace:
    if path.is_dir():
        raise NotACapture(f"{path} is a directory, not an AMI capture")
    if not looks_like_ami(path):
        raise NotACapture(f"{path}: no AMI message in it: not an AMI capture?")
    is_trace = trace if trace is not None else path.suffix == ".trace"
    pbx = name or path.stem
    return hackamore.Trace(pbx, path) if is_trace else hackamore.File(pbx, path)


def decoded(sources: list[hackamore.File | hackamore.Trace]) -> int:
    """Messages the sources decoded (their END markers not counted)."""
    return sum(s.stats.messages for s in sources)


def replay_paced(
    model: hackamore.Model,
    source: hackamore.File | hackamore.Trace,
    speed: float,
    waiting: Callable[[], None] | None = None,
) -> None:
    """Apply `source`'s messages at the pace they were recorded (a Trace's `TIME` of each
    message), `speed` times faster; a capture without times goes as fast as it decodes.
    `waiting` is called before each pause (a view draws what it held back)."""
    start = first = None
    for event in source:
        at = event.get("TIME")
        if at is not None:
            t = float(at)
            if start is None or first is None:
                start, first = time.monotonic(), t
            wait = start + (t - first) / speed - time.monotonic()
            if wait > 0:
                if waiting is not None:
                    waiting()
                time.sleep(wait)
        model.apply(event)


def cmd_replay(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.captures]
    if not paths:
        paths = [Path(hackamore.bundled_capture())]
        args.name = args.name or "pbx1"
        print(f"No capture given: replaying the bundled capture {paths[0].name}", file=sys.stderr)
    sources = [open_capture(p, args.name, args.trace) for p in paths]
    if args.speed is not None and not all(isinstance(s, hackamore.Trace) for s in sources):
        print(
            "hackamore replay: a raw capture records no times (a Trace does): "
            "its messages go as fast as they decode",
            file=sys.stderr,
        )
    if args.json:
        writer = JsonLines(sys.stdout, clock=None)
        model = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, writing(writer.write)))
        if args.speed is None:
            model.consume(sources)
        else:
            for source in sources:
                replay_paced(model, source, args.speed)
    elif args.events:
        show_events(sources, quiet=args.quiet, limit=args.limit)
    elif args.table:
        show_tables(sources)
    else:
        screen = (
            args.speed is not None
            and not (args.print or args.quiet or args.limit is not None)
            and sys.stdout.isatty()
            and bool(os.environ.get("TERM"))
        )
        show_changes(sources, quiet=args.quiet, limit=args.limit, speed=args.speed, screen=screen)
    for path, source in zip(paths, sources):
        stats = source.stats
        if stats.messages == 0:
            raise NotACapture(
                f"{path}: no AMI message in it ({plural(stats.dropped, 'piece')} of text "
                "dropped): not an AMI capture?"
            )
        print(
            f"{path}: {plural(stats.messages, 'message')} decoded, {stats.dropped} dropped"
            + (f" (banner: {source.banner})" if source.banner else "")
            + (f", {plural(writer.seq, 'model change')}" if args.json else ""),
            file=sys.stderr,
        )
    return 0


def show_changes(
    sources: list[hackamore.File | hackamore.Trace],
    *,
    quiet: bool,
    limit: int | None,
    speed: float | None,
    screen: bool = False,
) -> None:
    """The live view: each model change as it happens, with the model's size after it;
    or (`screen`, a paced replay on a terminal) the full-screen view, redrawn as the
    model changes."""
    view = LiveView(quiet=quiet, limit=limit, screen=screen)
    model = hackamore.Model(hooks=view.hooks())
    view.model = model
    if speed is None:
        model.consume(sources)
    else:
        for source in sources:
            replay_paced(model, source, speed, view.flush)
    view.summary(decoded(sources))


def show_tables(sources: list[hackamore.File | hackamore.Trace]) -> None:
    """The old framework's print view: each change, then the whole model as a table."""
    from hackamore.compat import Controller, Logger, Manifold, ModelStandard, Multiplex, ViewPrint
    from hackamore.compat import File as CompatFile
    from hackamore.compat import Trace as CompatTrace
    from hackamore.compat.Source import Source

    # The 2014 classes log each open and close at INFO on a handler of their own; here
    # the command's own logging (-v) shows what matters.
    Logger.logger(level=logging.WARNING, handler=logging.NullHandler())

    model = ModelStandard.ModelStandard()
    view = ViewPrint.ViewPrint(model)
    inputs: list[Source] = [
        (CompatTrace.Trace if isinstance(s, hackamore.Trace) else CompatFile.File)(
            s.name, str(s.path)
        )
        for s in sources
    ]
    Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, view)).loop(inputs, [])
    # The 2014 classes read their own copies: count the messages natively, for the totals.
    for s in sources:
        for _ in s:
            pass


def show_events(
    sources: list[hackamore.File | hackamore.Trace], *, quiet: bool, limit: int | None
) -> None:
    """Each AMI message as it was received, then counts by event name."""
    names: Counter[str] = Counter()
    n = 0
    for source in sources:
        with source:
            for event in source:
                label = event.name or f"Response:{event.response}"
                names[label] += 1
                if not quiet and (limit is None or n < limit):
                    print(f"{n:>7} {event.source:<10} {label:<28} {summary(event)}")
                n += 1
    print(f"\n{plural(decoded(sources), 'message')}; events by name:")
    for name, count in names.most_common():
        print(f"  {count:>7}  {name}")
