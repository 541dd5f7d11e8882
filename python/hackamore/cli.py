"""The ``hackamore`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import hackamore
from hackamore import Event

log = logging.getLogger("hackamore.cli")

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


def open_capture(
    path: Path, name: str | None, trace: bool | None
) -> hackamore.File | hackamore.Trace:
    is_trace = trace if trace is not None else path.suffix == ".trace"
    pbx = name or path.stem
    return hackamore.Trace(pbx, path) if is_trace else hackamore.File(pbx, path)


def cmd_replay(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.captures]
    if not paths:
        paths = [Path(hackamore.bundled_capture())]
        args.name = args.name or "pbx1"
        print(f"No capture given: replaying the bundled capture {paths[0].name}", file=sys.stderr)
    sources = [open_capture(p, args.name, args.trace) for p in paths]
    if args.events:
        shown = show_events(sources, quiet=args.quiet, limit=args.limit)
    elif args.table:
        shown = show_tables(sources)
    else:
        shown = show_changes(sources, quiet=args.quiet, limit=args.limit)
    for path, source in zip(paths, sources):
        stats = source.stats
        print(
            f"{path}: {stats.messages} messages decoded, {stats.dropped} dropped"
            + (f" (banner: {source.banner})" if source.banner else ""),
            file=sys.stderr,
        )
    return 0 if shown >= 0 else 1


def show_changes(
    sources: list[hackamore.File | hackamore.Trace], *, quiet: bool, limit: int | None
) -> int:
    """The live view: each model change as it happens, with the model's size after it."""
    counts: Counter[str] = Counter()
    peak = {"channels": 0, "calls": 0}
    model: hackamore.Model

    def hook(change: hackamore.Change) -> None:
        n = sum(counts.values())
        counts[change.name] += 1
        sizes = model.sizes()
        for k in peak:
            peak[k] = max(peak[k], sizes[k])
        if quiet or (limit is not None and n >= limit):
            return
        fields = " ".join(f"{k}={v}" for k, v in change.fields.items() if k != "pbx" and v)
        print(
            f"{n:>6} {change.pbx:<8} {change.name:<17} {fields}  "
            f"[channels {sizes['channels']} calls {sizes['calls']} rooms {sizes['rooms']}]"
        )

    model = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, hook))
    messages = model.consume(sources)
    print(
        f"\n{messages} messages, {sum(counts.values())} model changes; "
        f"at most {peak['channels']} channels in {peak['calls']} calls at once"
    )
    for name, count in counts.most_common():
        print(f"  {count:>7}  {name}")
    return messages


def show_tables(sources: list[hackamore.File | hackamore.Trace]) -> int:
    """The old framework's print view: each change, then the whole model as a table."""
    from hackamore.compat import Controller, Manifold, ModelStandard, Multiplex, ViewPrint
    from hackamore.compat import File as CompatFile
    from hackamore.compat import Trace as CompatTrace
    from hackamore.compat.Source import Source

    model = ModelStandard.ModelStandard()
    view = ViewPrint.ViewPrint(model)
    inputs: list[Source] = [
        (CompatTrace.Trace if isinstance(s, hackamore.Trace) else CompatFile.File)(
            s.name, str(s.path)
        )
        for s in sources
    ]
    Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, view)).loop(inputs, [])
    return view.sn


def show_events(
    sources: list[hackamore.File | hackamore.Trace], *, quiet: bool, limit: int | None
) -> int:
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
    print(f"\n{n} messages; events by name:")
    for name, count in names.most_common():
        print(f"  {count:>7}  {name}")
    return n


def cmd_serve(args: argparse.Namespace) -> int:
    secret = os.environ.get("HACKAMORE_SECRET", args.secret)
    with hackamore.ReplayServer(
        args.capture,
        username=args.username,
        secret=secret,
        host=args.host,
        port=args.port,
        piece=args.piece,
        delay=args.delay,
        garbage=args.garbage,
        cut_after=args.cut_after,
        linger=args.linger,
        seed=args.seed,
    ) as server:
        print(
            f"Replaying {args.capture} as an AMI server on {server.host}:{server.port} "
            f"(user {server.username!r}); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hackamore",
        description="Watch Asterisk PBXes through their AMI streams with a native engine.",
    )
    p.add_argument("--version", action="version", version=f"hackamore {hackamore.__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser(
        "replay",
        help="replay AMI captures through the native model and show it live",
        description="Replay raw AMI captures (.ami) or Traces (.trace) through the native "
        "call-state model and show each change with the model's size (--table: the whole "
        "model; --events: the raw messages), then counts. With no capture, the bundled "
        "real capture is replayed.",
    )
    r.add_argument(
        "captures", nargs="*", metavar="CAPTURE", help="capture files (default: bundled)"
    )
    r.add_argument("--name", help="PBX name for raw captures (default: the file's stem)")
    kind = r.add_mutually_exclusive_group()
    kind.add_argument(
        "--trace", dest="trace", action="store_true", default=None, help="read as Trace"
    )
    kind.add_argument("--raw", dest="trace", action="store_false", help="read as raw AMI")
    view = r.add_mutually_exclusive_group()
    view.add_argument(
        "--events", action="store_true", help="show each AMI message instead of model changes"
    )
    view.add_argument(
        "--table", action="store_true", help="print the whole model after each change"
    )
    r.add_argument("-q", "--quiet", action="store_true", help="only the counts")
    r.add_argument("--limit", type=int, default=None, help="show at most N events")
    r.set_defaults(func=cmd_replay)

    s = sub.add_parser(
        "serve",
        help="replay a capture as a stand-in AMI server",
        description="Serve CAPTURE to every AMI client that logs in (plain or MD5), for "
        "tests and demos. The secret may come from HACKAMORE_SECRET.",
    )
    s.add_argument("capture", metavar="CAPTURE", help="raw AMI capture to replay")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=5038, help="port (default 5038; 0 picks one)")
    s.add_argument("--username", default="hackamore", help="accepted username")
    s.add_argument("--secret", default="hackamore", help="accepted secret")
    s.add_argument("--piece", type=int, default=None, help="write random pieces of 1..N bytes")
    s.add_argument("--delay", type=float, default=0.0, help="seconds to pause after each piece")
    s.add_argument("--garbage", type=float, default=0.0, help="chance of junk before each message")
    s.add_argument("--cut-after", type=int, default=None, help="close after N bytes of replay")
    s.add_argument("--linger", action="store_true", help="keep connections open after the replay")
    s.add_argument("--seed", type=int, default=1, help="seed for pieces and garbage")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except hackamore.Error as e:
        print(f"hackamore: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `hackamore replay | head`: stop quietly.
        sys.stderr.close()
        return 0
