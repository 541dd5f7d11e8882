"""`hackamore serve`: the stand-in AMI server, for tests and demos."""

from __future__ import annotations

import argparse
import os
import sys

import hackamore
from hackamore.cli.output import UsageProblem

DEFAULT_USERNAME = "hackamore"
DEFAULT_SECRET = "hackamore"


def cmd_serve(args: argparse.Namespace) -> int:
    # The explicit --secret first, then HACKAMORE_SECRET, then the default.
    secret = args.secret if args.secret is not None else os.environ.get("HACKAMORE_SECRET")
    capture = args.capture or hackamore.bundled_capture()
    try:
        server = hackamore.ReplayServer(
            capture,
            username=args.username,
            secret=secret if secret is not None else DEFAULT_SECRET,
            host=args.host,
            port=args.port,
            piece=args.piece,
            delay=args.delay,
            garbage=args.garbage,
            cut_after=args.cut_after,
            linger=not args.once,
            seed=args.seed,
        )
    except hackamore.ServeError as e:
        in_use = "in use" in str(e).lower()
        hint = " (another server is there: --port 0 picks a free port)" if in_use else ""
        raise UsageProblem(f"{e}{hint}") from None
    except (hackamore.CaptureError, hackamore.ArgumentError) as e:
        raise UsageProblem(str(e)) from None
    with server:
        print(
            f"Replaying {capture} as an AMI server on {server.host}:{server.port} "
            f"(user {server.username!r}); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
