"""`hackamore run` and `hackamore record`: live PBXes (or, with none configured, the
bundled capture at the pace it was recorded)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

import hackamore
from hackamore.cli.broker import broker_from
from hackamore.cli.output import OutputClosed, UsageProblem, writing
from hackamore.cli.replay import replay_paced
from hackamore.cli.view import LiveView
from hackamore.jsonout import JsonLines
from hackamore.record import Recorder

log = logging.getLogger("hackamore.cli")


def parse_server(text: str, username: str, secret: str, auth: str) -> hackamore.Server:
    """`NAME=HOST[:PORT]`; an IPv6 address in brackets (`NAME=[::1]:5038`)."""
    name, sep, address = text.partition("=")
    if not sep or not name or not address:
        raise UsageProblem(f"--server {text!r}: expected NAME=HOST[:PORT]")
    if address.startswith("["):
        host, bracket, rest = address[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise UsageProblem(f"--server {text!r}: expected NAME=[IPV6]:PORT")
        port_text = rest[1:]
    elif address.count(":") > 1:
        raise UsageProblem(f"--server {text!r}: put an IPv6 address in brackets: [{address}]")
    else:
        host, _, port_text = address.partition(":")
    try:
        port = int(port_text) if port_text else 5038
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise UsageProblem(f"--server {text!r}: {port_text!r} is not a port (1-65535)") from None
    return hackamore.Server(name, host or "127.0.0.1", port, username, secret, auth=auth)


def servers_from(args: argparse.Namespace) -> list[hackamore.Server]:
    """The --server PBXes (the explicit --secret before HACKAMORE_SECRET), else the
    configured ones."""
    if not args.server:
        return list(hackamore.configured_servers())
    if not args.username:
        raise UsageProblem("--server needs --username (the AMI user to log in as)")
    secret = args.secret if args.secret is not None else os.environ.get("HACKAMORE_SECRET", "")
    auth = "md5" if args.md5 else "plain"
    servers = [parse_server(s, args.username, secret, auth) for s in args.server]
    names = [s.name for s in servers]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageProblem(f"--server: the PBX name {twice[0]!r} is given twice")
    return servers


def live_view(args: argparse.Namespace) -> tuple[LiveView, dict[str, Any], bool]:
    """The view of `run` and `watch` (--print, --quiet, --json), its hooks, and whether
    it draws a full screen."""
    screen = (
        sys.stdout.isatty() and bool(os.environ.get("TERM")) and not args.print and not args.json
    )
    view = LiveView(quiet=args.quiet or args.json, screen=screen)
    hooks = view.hooks()
    if args.json:
        writer = JsonLines(sys.stdout)
        hooks = {name: writing(_both(view.hook, writer.write)) for name in hooks}
    return view, hooks, screen


def cmd_run(args: argparse.Namespace) -> int:
    servers = servers_from(args)
    broker = broker_from(args.publish, args) if args.publish else None
    view, hooks, screen = live_view(args)
    if not servers:
        return run_demo(view, hooks, args, broker)
    engine = hackamore.Engine(servers, hooks=hooks, threaded=args.threads, backoff=args.backoff)
    view.model = engine.model
    if broker is not None:
        engine.publish(broker, stream=args.stream, collector=args.collector)
    log.info("running %r over %s", engine, ", ".join(repr(s) for s in servers))
    # A PBX named on the command line whose first login is refused is a mistake to
    # report; configured PBXes (a daemon) and --retry keep retrying.
    refused = RefusalWatch(engine) if args.server and not args.retry else None
    try:
        if screen:
            # Hooks in the engine's thread; this one redraws what the throttle held back.
            engine.start()
            while not engine.join(0.2):
                view.flush()
        else:
            engine.run()  # hooks in this thread: a closed output stops it at once
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
    finally:
        if refused is not None:
            refused.done.set()
    if refused is not None and refused.pbx is not None:
        raise UsageProblem(
            f"{refused.pbx}: the PBX refused the login (wrong --username or secret?); "
            "--retry keeps trying"
        )
    if not args.json:
        view.summary()
    return 0


class RefusalWatch:
    """Stops `engine` when a PBX refuses its first login (`.pbx` names it)."""

    def __init__(self, engine: hackamore.Engine) -> None:
        self.pbx: str | None = None
        self.done = threading.Event()
        self.engine = engine
        threading.Thread(target=self.watch, name="hackamore-login-watch", daemon=True).start()

    def watch(self) -> None:
        while not self.done.wait(0.1):
            self.pbx = first_login_refused(self.engine)
            if self.pbx is not None:
                self.engine.stop()
                return


def first_login_refused(engine: hackamore.Engine) -> str | None:
    """The name of a PBX that refused every login so far, if any."""
    for name, feed in engine.stats()["feeds"].items():
        if feed["auth_failures"] and not feed["connects"]:
            return str(name)
    return None


def run_demo(view: LiveView, hooks: dict[str, Any], args: argparse.Namespace, broker: Any) -> int:
    """The bundled Trace through the live view, at its recorded pace times --speed
    (published to `broker` when there is one)."""
    model = hackamore.Model(hooks=hooks)
    view.model = model
    publisher = None
    if broker is not None:  # connected first: a broker that is not there is the news
        from hackamore.distributed import Publisher

        publisher = Publisher(broker, stream=args.stream, model=model, collector=args.collector)
        model._listen(publisher.publish)
    print(
        "No PBX configured (COM_DIAG_HACKAMORE_NAME1... in the environment or "
        "~/.com_diag_hackamore, or --server NAME=HOST:PORT): replaying the bundled "
        "capture of three callers in a conference, at the pace it was recorded.",
        file=sys.stderr,
    )
    try:
        demo = hackamore.Trace("conference", hackamore.bundled_capture(trace=True))
        replay_paced(model, demo, args.speed, view.flush)
    except KeyboardInterrupt:
        if not args.json:
            view.summary()
        return 130
    finally:
        if publisher is not None:
            publisher.close(timeout=0.5)
    if not args.json:
        view.summary()
    return 0


def _both(first: Any, second: Any) -> Any:
    def hook(change: hackamore.Change) -> None:
        first(change)
        second(change)

    return hook


def cmd_record(args: argparse.Namespace) -> int:
    servers = servers_from(args)
    if not servers:
        raise UsageProblem(
            "no PBX to record: give --server NAME=HOST[:PORT] "
            "or configure COM_DIAG_HACKAMORE_NAME1..."
        )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"--out {out}: a file is there; give a directory to write into")
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
