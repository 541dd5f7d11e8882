"""The ``hackamore`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hackamore
from hackamore import Event
from hackamore.jsonout import JsonLines
from hackamore.record import Recorder

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
    if args.json:
        writer = JsonLines(sys.stdout)
        model = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, writing(writer.write)))
        messages = model.consume(sources)
        print(f"{messages} messages, {writer.seq} changes", file=sys.stderr)
        return 0
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


CLEAR = "\x1b[2J\x1b[1;1H"


def wall_clock(t: float) -> str:
    """Unix seconds as the local time of day."""
    return time.strftime("%H:%M:%S", time.localtime(t))


class LiveView:
    """Prints each model change with the model's size after it; on a terminal
    (``screen``), redraws the channels as a table instead, at most 5 times a second."""

    def __init__(self, *, quiet: bool = False, limit: int | None = None, screen: bool = False):
        self.quiet, self.limit, self.screen = quiet, limit, screen
        self.counts: Counter[str] = Counter()
        self.peak = {"channels": 0, "calls": 0}
        self.model: hackamore.Model | None = None
        self.recent: list[str] = []
        self.drawn = 0.0
        self.dirty = False
        # Hooks run in the engine's Python thread; flush() in the main one.
        self.lock = threading.Lock()

    def hooks(self) -> dict[str, Any]:
        return dict.fromkeys(hackamore.HOOK_NAMES, writing(self.hook))

    def hook(self, change: hackamore.Change) -> None:
        n = sum(self.counts.values())
        self.counts[change.name] += 1
        sizes = change.sizes  # as right after the change, not as the model is now
        for k in self.peak:
            self.peak[k] = max(self.peak[k], sizes[k])
        if self.quiet or (self.limit is not None and n >= self.limit):
            return
        fields = " ".join(f"{k}={v}" for k, v in change.fields.items() if k != "pbx" and v)
        extra = "".join(
            f" {label} {sizes[k]}"
            for k, label in (("parked", "parked"), ("queue_callers", "waiting"))
            if sizes[k]
        )
        line = (
            f"{n:>6} {change.pbx:<8} {change.name:<17} {fields}  "
            f"[channels {sizes['channels']} calls {sizes['calls']} rooms {sizes['rooms']}{extra}]"
        )
        if not self.screen:
            print(line, flush=True)
            return
        with self.lock:
            self.recent = [*self.recent[-9:], line]
            self.dirty = True
        if time.monotonic() - self.drawn >= 0.2:
            self.draw()

    def flush(self) -> None:
        """Draw changes the throttle held back (called while the stream is quiet)."""
        if self.dirty:
            self.draw()

    def draw(self) -> None:
        """Redraw the screen (from either thread: the lock keeps redraws whole)."""
        assert self.model is not None
        with self.lock:
            self.dirty = False
            self.drawn = time.monotonic()
            width = shutil.get_terminal_size().columns
            rows = [CLEAR + "hackamore: live model (Ctrl-C stops)", ""]
            rows.append(
                f"{'PBX':<10} {'UNIQUEID':<18} {'CHANNEL':<40} {'ROLE':<8} {'ACTIVITY':<8} "
                f"{'STATE':<8} {'ROOM':<6} CALL"
            )
            for c in self.model.channels():
                call = "" if c.call is None else str(c.call)
                rows.append(
                    f"{c.pbx:<10} {c.uniqueid:<18} {c.channel:<40} {c.role:<8} {c.activity:<8} "
                    f"{c.channelstatedesc:<8} {c.conference or '':<6} {call}"
                )
            rows += self.parking_and_queues()
            rows += ["", "Recent changes:", *self.recent]
            print("\n".join(r[:width] for r in rows), flush=True)

    def parking_and_queues(self) -> list[str]:
        """The parking lot and queue panel: who is parked where, who waits in which
        queue, and what each queue member is doing (empty when there is none)."""
        assert self.model is not None
        rows: list[str] = []
        parked = self.model.parked()
        if parked:
            rows += [
                "",
                f"{'PARKED':<10} {'LOT':<10} {'SPACE':<6} {'CHANNEL':<40} {'SINCE':<8} TIMEOUT",
            ]
            for pbx, calls in parked.items():
                for p in calls:
                    rows.append(
                        f"{pbx:<10} {p['lot']:<10} {p['space']:<6} {p['channel']:<40} "
                        f"{wall_clock(p['since'])} {p['timeout']}s"
                    )
        queues = self.model.queues()
        if queues:
            rows += ["", f"{'QUEUE':<10} {'NAME':<10} {'WHO':<6} {'CHANNEL/INTERFACE':<40} STATE"]
            for pbx, by_name in queues.items():
                for name, q in by_name.items():
                    for c in q["callers"]:
                        ringing = f" ringing {', '.join(c['ringing'])}" if c["ringing"] else ""
                        rows.append(
                            f"{pbx:<10} {name:<10} {'#' + str(c['position']):<6} "
                            f"{c['channel']:<40} waiting since {wall_clock(c['since'])}{ringing}"
                        )
                    for m in q["members"]:
                        state = m["state"] or m["status"]
                        if m["paused"]:
                            state += " paused"
                        if m["connected"]:
                            state += f" with {m['connected']}"
                        rows.append(
                            f"{pbx:<10} {name:<10} {'agent':<6} {m['interface']:<40} {state} "
                            f"({m['callstaken']} calls)"
                        )
        return rows

    def summary(self, messages: int | None = None) -> None:
        if self.screen:
            self.draw()
        total = sum(self.counts.values())
        head = f"{messages} messages, " if messages is not None else ""
        print(
            f"\n{head}{total} model changes; at most {self.peak['channels']} channels "
            f"in {self.peak['calls']} calls at once"
        )
        for name, count in self.counts.most_common():
            print(f"  {count:>7}  {name}")


def show_changes(
    sources: list[hackamore.File | hackamore.Trace], *, quiet: bool, limit: int | None
) -> int:
    """The live view: each model change as it happens, with the model's size after it."""
    view = LiveView(quiet=quiet, limit=limit)
    model = hackamore.Model(hooks=view.hooks())
    view.model = model
    messages = model.consume(sources)
    view.summary(messages)
    return messages


def show_tables(sources: list[hackamore.File | hackamore.Trace]) -> int:
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


def parse_server(text: str, username: str, secret: str, auth: str) -> hackamore.Server:
    name, sep, address = text.partition("=")
    if not sep or not name:
        raise hackamore.ConfigError(f"--server {text!r}: expected NAME=HOST[:PORT]")
    host, _, port_text = address.rpartition(":") if ":" in address else (address, "", "")
    try:
        port = int(port_text) if port_text else 5038
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise hackamore.ConfigError(f"--server {text!r}: {port_text!r} is not a port") from None
    return hackamore.Server(name, host or "127.0.0.1", port, username, secret, auth=auth)


def cmd_run(args: argparse.Namespace) -> int:
    sources: list[hackamore.Server | hackamore.File] = list(servers_from(args))
    if not sources:
        print(
            "No PBX configured (COM_DIAG_HACKAMORE_NAME1... in the environment or "
            "~/.com_diag_hackamore, or --server NAME=HOST:PORT): replaying the bundled "
            "capture through the live view.",
            file=sys.stderr,
        )
        sources = [hackamore.File("pbx1", hackamore.bundled_capture())]
    screen = (
        sys.stdout.isatty() and bool(os.environ.get("TERM")) and not args.print and not args.json
    )
    view = LiveView(quiet=args.quiet or args.json, screen=screen)
    hooks = view.hooks()
    if args.json:
        writer = JsonLines(sys.stdout)
        hooks = {name: writing(_both(view.hook, writer.write)) for name in hooks}
    engine = hackamore.Engine(sources, hooks=hooks, threaded=args.threads, backoff=args.backoff)
    view.model = engine.model
    log.info("running %r over %s", engine, ", ".join(repr(s) for s in sources))
    try:
        if screen:
            # Hooks in the engine's thread; this one redraws what the throttle held back.
            engine.start()
            while not engine.join(0.2):
                view.flush()
        else:
            engine.run()
    except KeyboardInterrupt:
        engine.stop()
        engine.join(1.0)
        if not args.json:
            view.summary()
        return 130
    except OutputClosed:
        engine.stop()
        engine.join(1.0)
        raise
    if not args.json:
        view.summary()
    return 0


def _both(first: Any, second: Any) -> Any:
    def hook(change: hackamore.Change) -> None:
        first(change)
        second(change)

    return hook


def servers_from(args: argparse.Namespace) -> list[hackamore.Server]:
    secret = os.environ.get("HACKAMORE_SECRET", args.secret or "")
    auth = "md5" if args.md5 else "plain"
    servers = [parse_server(s, args.username or "", secret, auth) for s in args.server]
    return servers or list(hackamore.configured_servers())


def cmd_record(args: argparse.Namespace) -> int:
    servers = servers_from(args)
    if not servers:
        raise hackamore.ConfigError(
            "no PBX to record: give --server NAME=HOST[:PORT] "
            "or configure COM_DIAG_HACKAMORE_NAME1..."
        )
    out = Path(args.out)
    print(
        f"recording {', '.join(s.name for s in servers)} into {out}/ (Ctrl-C stops)",
        file=sys.stderr,
    )
    try:
        counts = Recorder(servers, out).run(once=args.once, backoff=args.backoff)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    for name, n in counts.items():
        print(f"{name}: {n} messages", file=sys.stderr)
    return 0


def add_server_options(p: argparse.ArgumentParser, verb: str) -> None:
    p.add_argument(
        "--server",
        action="append",
        default=[],
        metavar="NAME=HOST[:PORT]",
        help=f"a PBX to {verb} (repeatable); replaces the configured ones",
    )
    p.add_argument("--username", help="AMI username for --server PBXes")
    p.add_argument("--secret", help="AMI secret for --server PBXes (better: HACKAMORE_SECRET)")
    p.add_argument("--md5", action="store_true", help="log in with an MD5 challenge")


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
    r.add_argument(
        "--json", action="store_true", help="one JSON object per model change (hackamore.jsonout)"
    )
    r.set_defaults(func=cmd_replay)

    u = sub.add_parser(
        "run",
        help="watch PBXes live (with none configured: the bundled capture)",
        description="Watch the configured PBXes (COM_DIAG_HACKAMORE_NAMEn... from the "
        "environment, then ~/.com_diag_hackamore) or those given with --server, keeping "
        "the native model live: a full-screen view on a terminal, one line per change "
        "otherwise. Lost or refused connections are retried with backoff. With no PBX "
        "configured, the bundled capture is replayed through the live view. Ctrl-C stops.",
    )
    add_server_options(u, "watch")
    u.add_argument("--threads", action="store_true", help="a reader thread per PBX (Mains)")
    u.add_argument("--backoff", type=float, default=0.5, help="first reconnect delay, seconds")
    u.add_argument("--print", action="store_true", help="one line per change, even on a terminal")
    u.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    u.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per model change on stdout (schema: hackamore.jsonout)",
    )
    u.set_defaults(func=cmd_run)

    rec = sub.add_parser(
        "record",
        help="record PBXes' AMI streams to capture files",
        description="Connect to the configured PBXes (or --server ones) and write each "
        "one's stream to OUT/<name>.ami (a new file per reconnection: <name>.1.ami...) and "
        "all of them, merged in arrival order, to OUT/merged.trace; `hackamore replay` and "
        "hackamore.File/Trace read them back. Ctrl-C stops.",
    )
    add_server_options(rec, "record")
    rec.add_argument("--out", default="capture", help="directory to write (default ./capture)")
    rec.add_argument("--once", action="store_true", help="stop once every PBX has ended once")
    rec.add_argument("--backoff", type=float, default=1.0, help="reconnect delay, seconds")
    rec.set_defaults(func=cmd_record)

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
    except (BrokenPipeError, OutputClosed):
        # `hackamore replay | head`: stop quietly. Python flushes standard output on the
        # way out, which would fail again: point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return CLOSED_OUTPUT
