"""No lock of hackamore's is waited for with the GIL held while its holder may need the
GIL (hackamore's own threads log through Python logging). Each scenario runs in a child
process with a time limit: a deadlock is a child that never ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
    """The reader logs its refused connect at DEBUG (holding the GIL, in a handler that takes its
    time); close() waits for the reader; another thread asks `ended`. Before, `ended`
    waited with the GIL for the lock close() held across the join: for ever."""
    out = run(
        """
        import logging, threading, time
        import hackamore
        entered = threading.Event()

        class Slow(logging.Handler):
            def emit(self, record):
                if not entered.is_set():
                    entered.set()
                    time.sleep(0.5)

        logging.getLogger("hackamore").addHandler(Slow())
        logging.getLogger("hackamore").setLevel(logging.DEBUG)
        conn = hackamore.Server("p", "127.0.0.1", closed_port, "u", "s").connect()
        assert entered.wait(10)
        closer = threading.Thread(target=conn.close)
        closer.start()
        time.sleep(0.1)  # close() is waiting for the reader
        print("ended", conn.ended, conn.stats.messages, flush=True)
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
