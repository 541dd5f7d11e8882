"""No lock of hackamore's is waited for with the GIL held while its holder may need the
GIL (hackamore's own threads log through Python logging). Each scenario runs in a child
process with a time limit: a deadlock is a child that never ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from .conftest import FIXTURES

CLOSED_PORT = """
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); closed_port = s.getsockname()[1]; s.close()
"""


def run(script: str, *args: str, limit: float) -> str:
    code = textwrap.dedent(CLOSED_PORT) + textwrap.dedent(script)
    r = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=limit,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_asking_whether_a_connection_ended_while_close_waits_for_its_logging_reader() -> None:
    """The reader logs its refused connect at DEBUG (holding the GIL, in a handler that waits
    until the test has asked); close() waits for the reader; another thread asks `ended`.
    Before, `ended` waited with the GIL for the lock close() held across the join: for
    ever."""
    out = run(
        """
        import logging, sys, threading
        import hackamore
        entered, release = threading.Event(), threading.Event()

        class Slow(logging.Handler):
            def emit(self, record):
                if not entered.is_set():
                    entered.set()
                    release.wait(10)  # the reader logging, until the test has asked

        logging.getLogger("hackamore").addHandler(Slow())
        logging.getLogger("hackamore").setLevel(logging.DEBUG)
        conn = hackamore.Server("p", "127.0.0.1", closed_port, "u", "s").connect()
        assert entered.wait(10)
        # The GIL changes hands only when its holder blocks: once the closer has said it
        # is closing, this thread runs again only when close() waits for the reader.
        sys.setswitchinterval(60)
        closing = threading.Event()

        def close():
            closing.set()
            conn.close()

        closer = threading.Thread(target=close)
        closer.start()
        assert closing.wait(10)  # and close() is waiting for the reader
        print("ended", conn.ended, conn.stats.messages, flush=True)
        sys.setswitchinterval(0.005)
        release.set()
        closer.join(10)
        print("closed", not closer.is_alive())
        """,
        limit=60,
    )
    assert out.splitlines() == ["ended False 0", "closed True"]


def test_many_threads_at_once_on_connections_and_servers() -> None:
    """close, ended, stats, banner, poll and action from several threads on one
    Connection, and clients against close on a ReplayServer, hundreds of times."""
    out = run(
        """
        import logging, sys, tempfile, threading, time
        import hackamore
        logging.basicConfig(level=logging.INFO, stream=open("/dev/null", "w"))
        rounds = int(sys.argv[1])
        empty = tempfile.NamedTemporaryFile(suffix=".ami")

        def hammer(*calls):
            stop = threading.Event()

            def spin(call):
                while not stop.is_set():
                    time.sleep(0.0002)
                    try:
                        call()
                    except hackamore.Error:
                        pass

            threads = [threading.Thread(target=spin, args=(c,)) for c in calls]
            for t in threads:
                t.start()
            return stop, threads

        for i in range(rounds):
            conn = hackamore.Server("p", "127.0.0.1", closed_port, "u", "s", timeout=1).connect()
            stop, threads = hammer(
                lambda: conn.ended,
                lambda: conn.stats,
                lambda: conn.banner,
                lambda: conn.poll(0),
                lambda: conn.action("Ping", timeout=0.05),
            )
            time.sleep(0.001 * (i % 4))
            conn.close()
            stop.set()
            for t in threads:
                t.join()
            if i % 10 == 0:
                server = hackamore.ReplayServer(empty.name, linger=True)
                client = hackamore.Server(
                    "p", "127.0.0.1", server.port, "hackamore", "hackamore"
                ).connect()
                stop, threads = hammer(lambda: server.clients, lambda: server.clients)
                time.sleep(0.002)
                server.close()
                stop.set()
                for t in threads:
                    t.join()
                client.close()
        print("rounds", rounds)
        """,
        "600",
        limit=120,
    )
    assert out.strip() == "rounds 600"


def test_reading_the_model_from_other_threads_while_engines_run() -> None:
    """docs/engines.md: ``engine.model`` may be read from any thread while the engine
    applies changes. Four stand-in PBXes stream the churn recordings at full speed into
    each engine (Main, then Mains) with a hook on every change, while three threads read
    every lookup in a loop: each answer is whole (no channel of a call missing, no call
    index pointing elsewhere) and the model ends as one process reading the same bytes
    makes it."""
    out = run(
        """
        import sys, threading
        import hackamore
        from pathlib import Path

        fixtures = Path(sys.argv[1])
        captures = [fixtures / f"{name}-{pbx}.ami" for name in ("churn", "churn-features")
                    for pbx in ("pbx1", "pbx2")]
        names = ["a", "b", "c", "d"]

        def whole(snap):
            calls, channels = snap["calls"], snap["channels"]
            for i, call in enumerate(calls):
                assert call, "an empty call"
                for pbx, uid in call:
                    assert channels[pbx][uid]["call"] == i, (pbx, uid, i)
            for pbx, chans in channels.items():
                for uid, c in chans.items():
                    if c["call"] is not None:
                        assert [pbx, uid] in [list(m) for m in calls[c["call"]]]
            for pbx, rooms in snap["rooms"].items():
                for members in rooms.values():
                    for uid in members:
                        assert uid in channels[pbx], (pbx, uid)

        def reference():
            model = hackamore.Model()
            for name, path in zip(names, captures):
                for event in hackamore.File(name, path):
                    if not event.is_end:  # the stand-ins linger: no END
                        model.apply(event)
            return model

        def state(model):
            channels = sorted((c.pbx, c.uniqueid, c.channel, c.role, c.activity, c.call is None)
                              for c in model.channels())
            calls = sorted(sorted((c.pbx, c.uniqueid) for c in call) for call in model.calls())
            return channels, calls, model.sizes()

        want = reference()
        for threaded in (False, True):
            # Paced (a millisecond a message, about 2 s a recording) so the readers
            # overlap the whole replay.
            servers = [hackamore.ReplayServer(p, linger=True, delay=0.001) for p in captures]
            hooked = []
            engine = hackamore.Engine(
                [hackamore.Server(n, "127.0.0.1", s.port, "hackamore", "hackamore")
                 for n, s in zip(names, servers)],
                hooks={name: hooked.append for name in hackamore.HOOK_NAMES},
                threaded=threaded, backoff=60,
            )
            done = threading.Event()
            reads = [0, 0, 0]
            versions = set()
            errors = []

            def read(i):
                model = engine.model
                try:
                    while not done.is_set():
                        versions.add(model.version)
                        whole(model.snapshot())
                        for c in model.channels():
                            got = model.channel(c.pbx, c.uniqueid)
                            assert got is None or got.uniqueid == c.uniqueid
                        for call in model.calls():
                            assert call
                        model.rooms(); model.bridges(); model.parked(); model.queues()
                        model.trunks(); model.numbers(); model.sizes(); len(model)
                        reads[i] += 1
                except BaseException as e:
                    errors.append(repr(e))

            readers = [threading.Thread(target=read, args=(i,)) for i in range(3)]
            for r in readers:
                r.start()
            with engine:
                # Until the engine's model has made every change one process makes.
                while engine.model.version < want.version or len(hooked) < want.version:
                    assert not errors, errors
                    threading.Event().wait(0.01)
                done.set()
                for r in readers:
                    r.join(30)
                assert not errors, errors
                assert engine.model.version == want.version
                assert state(engine.model) == state(want)
            for s in servers:
                s.close()
            # Some reads saw the model halfway: they ran while the engine applied changes.
            halfway = any(0 < v < want.version for v in versions)
            print(threaded, min(reads) > 0 and halfway, flush=True)
        """,
        str(FIXTURES),
        limit=240,
    )
    assert out.split() == ["False", "True", "True", "True"]
