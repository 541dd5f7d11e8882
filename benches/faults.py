#!/usr/bin/env python3
"""What faults cost, measured: stopping an engine whose PBXes never answer Logoff, and a
NATS broker away while a collector goes on publishing.

    python benches/faults.py                 # 100 PBXes; a 60 s outage at 1,000 changes/s
    python benches/faults.py --outage 6 --rate 10000

Every figure is printed with its target. The outage needs Debian's nats-server (started
here on 127.0.0.1, its store in a temporary folder).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hackamore

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"


def stop_time(pbxes: int, threaded: bool) -> tuple[float, int]:
    """(seconds from stop() to join(), END hooks run) for `pbxes` PBXes that never answer
    Logoff."""
    with hackamore.ReplayServer(
        FIXTURES / "basic-pbx1.ami", linger=True, answer_logoff=False
    ) as pbx:
        ended: set[str] = set()
        engine = hackamore.Engine(
            [
                hackamore.Server(f"pbx{i}", "127.0.0.1", pbx.port, "hackamore", "hackamore")
                for i in range(pbxes)
            ],
            hooks={"end": lambda change: ended.add(change.pbx)},
            threaded=threaded,
            backoff=60,
        )
        engine.start()
        while not all(f["connects"] for f in engine.stats()["feeds"].values()):
            time.sleep(0.01)
        began = time.perf_counter()
        engine.stop()
        engine.join()
        return time.perf_counter() - began, len(ended)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nats_server(port: int, store: str) -> subprocess.Popen[bytes]:
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    proc = subprocess.Popen(
        [server, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", store],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nats-server did not start")


def traffic(model: hackamore.Model, pbxes: int, n: int, start: int) -> int:
    """Apply events making about `n` changes over `pbxes` PBXes (a tenth of the channels
    stay up, so states grow); returns the next channel number."""
    made = 0
    while made < n:
        pbx, uid = f"pbx{start % pbxes}", f"{start}.1"
        made += model.apply(
            {
                "Event": "Newchannel",
                "Channel": f"PJSIP/{start}-0001",
                "Uniqueid": uid,
                "CallerIDNum": str(1000 + start % 9000),
                "ChannelState": "4",
                "ChannelStateDesc": "Ring",
            },
            pbx,
        )
        if start % 10:
            made += model.apply({"Event": "Hangup", "Uniqueid": uid, "Cause": "16"}, pbx)
        start += 1
    return start


def outage(seconds: float, rate: int, buffer: int, pbxes: int) -> None:
    from hackamore.distributed import Changes, Publisher

    port, store = free_port(), tempfile.mkdtemp()
    broker = nats_server(port, store)
    url = f"nats://127.0.0.1:{port}"
    model = hackamore.Model()
    publisher = Publisher(url, stream="OUTAGE", model=model, buffer=buffer, state_every=1.0)
    waits: list[float] = []
    made = [0]

    def publish(change: hackamore.Change) -> None:
        began = time.perf_counter()
        publisher.publish(change)
        waits.append(time.perf_counter() - began)
        made[0] += 1

    model._listen(publish)
    n = traffic(model, pbxes, 2_000, 0)
    while publisher.stats()["states"] < pbxes:
        time.sleep(0.05)
    publisher.flush(30)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    broker.kill()
    broker.wait()
    peak_states = peak_bytes = 0
    ticks = int(seconds * 10)
    began = time.monotonic()
    for i in range(1, ticks + 1):
        n = traffic(model, pbxes, rate // 10, n)
        stats = publisher.stats()
        peak_states = max(peak_states, stats["pending_states"])
        peak_bytes = max(peak_bytes, stats["pending_bytes"])
        time.sleep(max(0.0, began + i / 10 - time.monotonic()))
    during = time.monotonic() - began
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    broker = nats_server(port, store)
    back = time.monotonic()
    publisher.flush(120)
    caught_up = time.monotonic() - back
    stats = publisher.stats()
    publisher.close()
    seqs = [r["seq"] for r in Changes(url, stream="OUTAGE", to_end=True, from_start=True)]
    consumer = hackamore.Model()
    consumer.consume(Changes(url, stream="OUTAGE", to_end=True))
    same = sorted((c.pbx, c.uniqueid, c.channel) for c in consumer.channels()) == sorted(
        (c.pbx, c.uniqueid, c.channel) for c in model.channels()
    )
    broker.kill()
    broker.wait()
    waits.sort()
    exact = len(seqs) == made[0] - stats["dropped"] and seqs == sorted(set(seqs))
    print(
        f"outage of {during:.0f} s at {rate:,} changes/s, buffer {buffer:,}, {pbxes} PBXes: "
        f"{made[0]:,} changes made, {stats['dropped']:,} dropped, {len(seqs):,} in the "
        f"stream once and in order ({'exact' if exact else 'NOT EXACT'}; target: exact)"
    )
    print(
        f"  waiting at most {peak_states} states (target <= {pbxes}) and "
        f"{peak_bytes / 1e6:.1f} MB of records (bound {publisher.buffer_bytes / 1e6:.0f} MB); "
        f"process peak RSS {rss_before / 1024:.0f} -> {rss_peak / 1024:.0f} MB"
    )
    print(
        f"  publish() in the hook thread: p50 {waits[len(waits) // 2] * 1e6:.0f} µs, "
        f"p99 {waits[len(waits) * 99 // 100] * 1e6:.0f} µs, max {waits[-1] * 1e3:.2f} ms; "
        f"caught up {caught_up:.1f} s after the broker's return; a late consumer "
        f"{'equals' if same else 'DIFFERS FROM'} the collector"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pbxes", type=int, default=100)
    ap.add_argument("--outage", type=float, default=60.0, help="seconds the broker is away")
    ap.add_argument("--rate", type=int, default=1000, help="changes/s made meanwhile")
    ap.add_argument("--buffer", type=int, default=10_000)
    args = ap.parse_args()
    for threaded in (False, True):
        took, ended = stop_time(args.pbxes, threaded)
        name = "Mains" if threaded else "Main "
        verdict = "met" if took <= 0.5 and ended == args.pbxes else "MISSED"
        print(
            f"{name} {args.pbxes} PBXes that never answer Logoff: stop() to join() "
            f"{took:.3f} s, END hooks {ended}/{args.pbxes} (target <= 0.5 s, all: {verdict})"
        )
    if shutil.which("nats-server") or Path("/usr/sbin/nats-server").exists():
        outage(args.outage, args.rate, args.buffer, 20)
    else:
        print("outage: skipped, no nats-server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
