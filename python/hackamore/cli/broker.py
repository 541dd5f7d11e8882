"""The NATS broker's options, shared by `hackamore run --publish` and `hackamore watch`."""

from __future__ import annotations

import argparse
import os
from typing import Any

import hackamore
from hackamore.cli.output import UsageProblem


def add_nats_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nats-user", help="NATS user (its password: HACKAMORE_NATS_PASSWORD)")
    p.add_argument("--nats-ca", help="CA certificate (PEM) to check a TLS NATS server with")
    p.add_argument("--stream", default="HACKAMORE", help="JetStream stream (default HACKAMORE)")


def broker_from(url: str, args: argparse.Namespace) -> Any:
    """The NATS broker at `url` with the command line's options; the password and token
    come from the environment only (HACKAMORE_NATS_PASSWORD, HACKAMORE_NATS_TOKEN), so
    they never show in a process list."""
    from hackamore.distributed import Broker

    _, sep, rest = url.partition("://")
    if sep and "@" in rest.partition("/")[0]:
        # Not even echoed: the command line is in every user's process list.
        raise UsageProblem(
            "a NATS URL on the command line carries no credentials (every user of this "
            "machine can read a command line): give --nats-user with the password in "
            "HACKAMORE_NATS_PASSWORD, or the token in HACKAMORE_NATS_TOKEN"
        )
    try:
        return Broker(
            url,
            user=args.nats_user,
            password=os.environ.get("HACKAMORE_NATS_PASSWORD"),
            token=os.environ.get("HACKAMORE_NATS_TOKEN"),
            ca=args.nats_ca,
        )
    except hackamore.ArgumentError as e:
        raise UsageProblem(str(e)) from None
