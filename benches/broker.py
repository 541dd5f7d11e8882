"""Past one machine: a collector publishing to NATS JetStream and a consumer reading it
back, on a private nats-server on 127.0.0.1 (Debian's package; skipped without it).

Measured: the rate one publisher gets its changes acknowledged, publishing the changes
of the recorded churn trace as fast as it is given them; and the lag from a change's
``publish()`` to a consumer reading it, at a steady rate the publisher keeps up with.

    python benches/broker.py
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import hackamore
from hackamore.distributed import Changes, Publisher

ROOT = Path(__file__).resolve().parents[1]
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def recorded_changes() -> list[hackamore.Change]:
    changes: list[hackamore.Change] = []
    model = hackamore.Model()
    model._listen(changes.append)
    model.consume(hackamore.Trace("churn", ROOT / "tests/fixtures/asterisk/churn.trace"))
    return changes


def start_broker(store: str) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", store],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"nats://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("nats-server did not start")


def published_rate(url: str, changes: list[hackamore.Change], total: int) -> float:
    """Changes per second acknowledged, `total` given as fast as possible."""
    publisher = Publisher(url, stream="RATE", prefix="rate", buffer=total + 1)
    start = time.perf_counter()
    for i in range(total):
        publisher.publish(changes[i % len(changes)])
    if not publisher.flush(120):
        raise SystemExit(f"not every change acknowledged: {publisher.stats()}")
    elapsed = time.perf_counter() - start
    publisher.close()
    return total / elapsed


def consumer_lag(
    url: str, changes: list[hackamore.Change], rate: int, seconds: float
) -> tuple[float, float, int]:
    """(p50, p99) in ms from ``publish()`` to the consumer, at `rate` changes/s."""
    total = int(rate * seconds)
    lags: list[float] = []
    reader = Changes(url, stream="LAG", prefix="lag", from_start=True)
    publisher = Publisher(url, stream="LAG", prefix="lag")

    def read() -> None:
        for record in reader:
            lags.append(time.time() - record["time"])
            if len(lags) >= total:
                return

    thread = threading.Thread(target=read)
    thread.start()
    time.sleep(0.5)  # the reader subscribed
    start = time.perf_counter()
    for i in range(total):
        publisher.publish(changes[i % len(changes)])
        delay = start + (i + 1) / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    thread.join(30)
    reader.stop()
    publisher.close()
    lags.sort()
    return lags[len(lags) // 2] * 1e3, lags[int(len(lags) * 0.99)] * 1e3, len(lags)


def measure(quick: bool = False) -> tuple[float, float, float, int] | None:
    """(published changes/s, lag p50 ms, lag p99 ms, samples), or None without a
    nats-server."""
    if not Path(NATS_SERVER).exists():
        return None
    changes = recorded_changes()
    with tempfile.TemporaryDirectory() as store:
        proc, url = start_broker(store)
        try:
            rate = published_rate(url, changes, 5_000 if quick else 50_000)
            p50, p99, n = consumer_lag(url, changes, 1_000, 1.0 if quick else 5.0)
        finally:
            proc.kill()
            proc.wait()
    return rate, p50, p99, n


def main() -> None:
    result = measure("--quick" in sys.argv)
    if result is None:
        print("no nats-server: skipped")
        return
    rate, p50, p99, n = result
    print(
        f"published (acknowledged) {rate:,.0f} changes/s; consumer lag at 1,000 changes/s "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms ({n:,} samples)"
    )


if __name__ == "__main__":
    main()
