"""Many PBXes: an engine connected to N stand-in PBXes served by another process (each
replays the bundled capture, then stays connected, as a PBX does). Measured: the time
from ``start()`` until every PBX has delivered its replay (connect, login, resync,
replay), then the CPU both processes use over a few idle seconds.

    python benches/many.py 1000          # Main; add --threaded for Mains
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import hackamore

SERVERS = """
import resource, sys, hackamore
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
servers = [hackamore.ReplayServer(hackamore.bundled_capture(), linger=True) for _ in range(int(sys.argv[1]))]
print(" ".join(str(s.port) for s in servers), flush=True)
sys.stdin.read()  # until the benchmark closes it
for s in servers:
    s.close()
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def many_pbxes(n: int, threaded: bool, idle: float = 3.0) -> tuple[float, float, float, int]:
    """(seconds until every PBX's replay is in, the engine process's and the servers'
    process's share of a core while idle, messages counted)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    per = sum(1 for e in hackamore.File("p", hackamore.bundled_capture()) if not e.is_end)
    with subprocess.Popen(
        [sys.executable, "-c", SERVERS, str(n)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as servers:
        assert servers.stdout is not None and servers.stdin is not None
        ports = [int(p) for p in servers.stdout.readline().split()]
        sources = [
            hackamore.Server(f"pbx{i}", "127.0.0.1", port, "hackamore", "hackamore")
            for i, port in enumerate(ports)
        ]
        engine = hackamore.Engine(sources, backoff=60, threaded=threaded)
        start = time.perf_counter()
        engine.start()
        deadline = start + 60
        while True:
            feeds = engine.stats()["feeds"]
            if all(f["messages"] >= per for f in feeds.values()):
                break
            if time.perf_counter() > deadline:
                raise SystemExit(f"{n} PBXes: not every replay in after 60 s")
            time.sleep(0.005)
        ready = time.perf_counter() - start
        time.sleep(0.5)  # the last resync answers
        mine, theirs, t = time.process_time(), cpu_seconds(servers.pid), time.perf_counter()
        time.sleep(idle)
        wall = time.perf_counter() - t
        engine_cpu = (time.process_time() - mine) / wall
        server_cpu = (cpu_seconds(servers.pid) - theirs) / wall
        messages = sum(f["messages"] for f in engine.stats()["feeds"].values())
        engine.stop()
        engine.join()
        servers.stdin.close()
        servers.wait()
    return ready, engine_cpu, server_cpu, messages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pbxes", type=int)
    ap.add_argument("--threaded", action="store_true")
    args = ap.parse_args()
    ready, engine_cpu, server_cpu, messages = many_pbxes(args.pbxes, args.threaded)
    print(
        f"{args.pbxes} PBXes ({'Mains' if args.threaded else 'Main'}): every replay in after "
        f"{ready:.2f} s ({messages:,} messages); idle: engine {engine_cpu:.1%} of a core, "
        f"stand-in servers {server_cpu:.1%}"
    )


if __name__ == "__main__":
    main()
