"""The ``hackamore`` command line: its parser, the checks of its arguments, and how a
command's failure becomes one line and an exit status."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TypeVar

import hackamore
from hackamore.cli.broker import add_nats_options
from hackamore.cli.live import cmd_record, cmd_run
from hackamore.cli.output import CLOSED_OUTPUT, OutputClosed, UsageProblem
from hackamore.cli.replay import cmd_replay
from hackamore.cli.serve import DEFAULT_SECRET, DEFAULT_USERNAME, cmd_serve
from hackamore.cli.watch import cmd_watch

_T = TypeVar("_T")


class Parser(argparse.ArgumentParser):
    """An argument mistake is one line (with where to look), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _checked(
    parse: Callable[[str], _T], ok: Callable[[_T], bool], wanted: str
) -> Callable[[str], _T]:
    """An argparse type: `parse`, then `ok`, else `wanted` (formatted with the text)."""

    def check(text: str) -> _T:
        value = parse(text)
        if not ok(value):
            raise argparse.ArgumentTypeError(wanted.format(text=text))
        return value

    return check


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _number(text: str) -> float:
    try:
        t = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(t):
        raise argparse.ArgumentTypeError(f"{text}: expected a finite number")
    return t


# The values the native layer would refuse too (src/python/args.rs), checked here so that
# the message names the flag.
port = _checked(
    _integer, lambda n: 0 <= n <= 65535, "{text} is not a port (0-65535; 0 picks a free one)"
)
count = _checked(_integer, lambda n: n >= 1, "{text}: expected a whole number of at least 1")
count_or_zero = _checked(
    _integer, lambda n: n >= 0, "{text}: expected a whole number of at least 0"
)
seconds = _checked(_number, lambda t: t >= 0, "{text}: expected seconds, 0 or more")
speed = _checked(_number, lambda t: t > 0, "{text}: expected a speed above 0 (2: twice as fast)")
probability = _checked(_number, lambda p: 0 <= p <= 1, "{text}: expected a chance from 0 to 1")


def add_server_options(p: argparse.ArgumentParser, verb: str) -> None:
    p.add_argument(
        "--server",
        action="append",
        default=[],
        metavar="NAME=HOST[:PORT]",
        help=f"a PBX to {verb} (repeatable); replaces the configured ones",
    )
    p.add_argument("--username", help="AMI username for --server PBXes (required with them)")
    p.add_argument(
        "--secret", help="AMI secret for --server PBXes (default: $HACKAMORE_SECRET, else empty)"
    )
    p.add_argument("--md5", action="store_true", help="log in with an MD5 challenge")


def add_view_options(p: argparse.ArgumentParser) -> None:
    """The live view's options, of `run` and `watch`."""
    p.add_argument("--print", action="store_true", help="one line per change, even on a terminal")
    p.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per model change on stdout (schema: hackamore.jsonout)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="hackamore",
        description="Watch Asterisk PBXes through their AMI streams with a native engine.",
    )
    p.add_argument("--version", action="version", version=f"hackamore {hackamore.__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

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
    r.add_argument(
        "--print",
        action="store_true",
        help="with --speed: one line per change, even on a terminal (which otherwise "
        "shows the full-screen live view)",
    )
    r.add_argument("--limit", type=count, default=None, help="show at most N events")
    r.add_argument(
        "--speed",
        type=speed,
        default=None,
        help="apply a Trace's messages at the pace they were recorded, N times faster, "
        "in the full-screen live view on a terminal (default: as fast as they decode)",
    )
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
    u.add_argument("--backoff", type=seconds, default=0.5, help="first reconnect delay, seconds")
    u.add_argument(
        "--retry",
        action="store_true",
        help="keep retrying a --server PBX that refuses the first login (configured PBXes "
        "always do)",
    )
    u.add_argument(
        "--speed",
        type=speed,
        default=1.0,
        help="with no PBX configured: replay the bundled capture N times faster than it "
        "was recorded (default 1)",
    )
    add_view_options(u)
    u.add_argument(
        "--publish",
        metavar="URL",
        help="also publish every model change to NATS JetStream at URL (nats://HOST:PORT)",
    )
    u.add_argument(
        "--collector",
        metavar="NAME",
        help="this collector's name in the stream (default: the host's name); a collector "
        "restarted under its name takes its PBXes over at once",
    )
    add_nats_options(u)
    u.set_defaults(func=cmd_run)

    w = sub.add_parser(
        "watch",
        help="the live model of every PBX that collectors publish to NATS",
        description="Read the changes that collectors (hackamore run --publish URL) publish "
        "to NATS JetStream and keep the model of every PBX of every collector live: the "
        "same view and --json as run. Ctrl-C stops.",
    )
    w.add_argument("url", help="the NATS server, nats://HOST:PORT (tls://... for TLS)")
    add_nats_options(w)
    add_view_options(w)
    w.add_argument(
        "--idle",
        type=seconds,
        default=None,
        help="stop once nothing new has come for this many seconds (default: never)",
    )
    w.add_argument(
        "--to-end",
        action="store_true",
        help="stop after what the stream holds now (the model as of now)",
    )
    w.set_defaults(func=cmd_watch)

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
    rec.add_argument("--backoff", type=seconds, default=1.0, help="reconnect delay, seconds")
    rec.set_defaults(func=cmd_record)

    s = sub.add_parser(
        "serve",
        help="replay a capture as a stand-in AMI server",
        description="Serve CAPTURE (default: the bundled one) to every AMI client that "
        "logs in (plain or MD5), for tests and demos; a client stays connected after the "
        "replay, as a PBX keeps its monitors (--once: close it at the end).",
    )
    s.add_argument(
        "capture", nargs="?", metavar="CAPTURE", help="raw AMI capture to replay (default: bundled)"
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=port, default=5038, help="port (default 5038; 0 picks one)")
    s.add_argument(
        "--username",
        default=DEFAULT_USERNAME,
        help=f"accepted username (default {DEFAULT_USERNAME})",
    )
    s.add_argument(
        "--secret",
        default=None,
        help=f"accepted secret (default: $HACKAMORE_SECRET, else {DEFAULT_SECRET})",
    )
    s.add_argument("--piece", type=count, default=None, help="write random pieces of 1..N bytes")
    s.add_argument("--delay", type=seconds, default=0.0, help="seconds to pause after each piece")
    s.add_argument(
        "--garbage", type=probability, default=0.0, help="chance (0-1) of junk before a message"
    )
    s.add_argument("--cut-after", type=count, default=None, help="close after N bytes of replay")
    s.add_argument(
        "--once", action="store_true", help="close each connection at the end of the replay"
    )
    s.add_argument("--seed", type=count_or_zero, default=1, help="seed for pieces and garbage")
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
    except UsageProblem as e:
        print(f"hackamore {args.command}: {e}", file=sys.stderr)
        return 2
    except hackamore.Error as e:
        print(f"hackamore {args.command}: {e}", file=sys.stderr)
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
