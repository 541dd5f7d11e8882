"""`hackamore watch URL`: the live model of every PBX published to NATS JetStream by
collectors (``hackamore run --publish URL``), in the live view or as JSON Lines."""

from __future__ import annotations

import argparse
import threading

import hackamore
from hackamore.cli.broker import broker_from


def cmd_watch(args: argparse.Namespace) -> int:
    from hackamore.cli.live import live_view
    from hackamore.distributed import Changes

    view, hooks, screen = live_view(args)
    model = hackamore.Model(hooks=hooks)
    view.model = model
    changes = Changes(
        broker_from(args.url, args), stream=args.stream, idle=args.idle, to_end=args.to_end
    )
    consumed: threading.Event | None = None
    try:
        if screen:
            # Changes applied in a thread of their own; this one redraws what the
            # throttle held back (a state or a burst of changes shows at once).
            failed: list[BaseException] = []
            consumed = threading.Event()

            def consume(done: threading.Event) -> None:
                try:
                    model.consume(changes)
                except BaseException as e:  # raised here, in the main thread
                    failed.append(e)
                finally:
                    done.set()

            threading.Thread(
                target=consume, args=(consumed,), name="hackamore-watch", daemon=True
            ).start()
            while not consumed.wait(0.2):
                view.flush()
            view.flush()
            if failed:
                raise failed[0]
        else:
            model.consume(changes)
    except KeyboardInterrupt:
        changes.stop()
        if consumed is not None:
            # The thread is out of the native Model.consume before the interpreter
            # exits: a daemon thread stopped inside it aborts the process (exit 134).
            # An Event, not Thread.join: a join that Ctrl-C interrupted may then say
            # the thread has ended when it has not (Python < 3.13).
            consumed.wait(1.0)
        if not args.json:
            view.summary()
        return 130
    if not args.json:
        view.summary()
    return 0
