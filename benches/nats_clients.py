"""Which NATS client publishes a collector's changes: nats-py (Python, what
hackamore.distributed uses) against async-nats (Rust), on a private nats-server on
127.0.0.1, in one run.

Both clients publish the same records (the recorded churn trace's changes as ``--json``
writes them, ~700 bytes each) to a JetStream stream the same way hackamore's Publisher
does: a ``Nats-Msg-Id`` and the two hackamore headers on each, at most 256 awaiting
their acknowledgement, either handed over 256 at a time and all awaited (``batch``, the
Publisher's way) or refilled as each is acknowledged (``window``). Also printed: what
hackamore's Publisher gets acknowledged end to end (a change object in, its JSON made
in Python), and what making that JSON costs per change.

    python benches/nats_clients.py [--rounds 3] [--total 50000]

Needs nats-server and cargo (builds benches/nats_clients, its own workspace).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from broker import NATS_SERVER, published_rate, recorded_changes, start_broker
from hackamore.jsonout import change_record

HERE = Path(__file__).resolve().parent
IN_FLIGHT = 256


async def nats_py_rate(url: str, records: list[bytes], total: int, mode: str) -> float:
    import nats

    nc = await nats.connect(url)
    js = nc.jetstream()
    name = f"PY{os.getpid()}{mode}"
    await js.add_stream(name=name, subjects=[f"{name.lower()}.*.changes"], duplicate_window=120)
    subject = f"{name.lower()}.pbx1.changes"

    def headers(i: int) -> dict[str, str]:
        return {
            "Nats-Msg-Id": f"c0ffee-{i}",
            "Hackamore-Collector": "c0ffee",
            "Hackamore-Version": str(i),
        }

    async def publish(i: int) -> Any:
        return await js.publish_async(subject, records[i % len(records)], headers=headers(i))

    start = time.perf_counter()
    acks = []
    if mode == "batch":
        for first in range(0, total, IN_FLIGHT):
            futures = [await publish(i) for i in range(first, min(first + IN_FLIGHT, total))]
            acks += await asyncio.gather(*futures)
    else:
        window: collections.deque[Any] = collections.deque()
        for i in range(total):
            if len(window) == IN_FLIGHT:
                acks.append(await window.popleft())
            window.append(await publish(i))
        acks += [await f for f in window]
    elapsed = time.perf_counter() - start
    assert len(acks) == total and not any(a.duplicate for a in acks)
    await js.delete_stream(name)
    await nc.close()
    return total / elapsed


def async_nats_rate(binary: Path, url: str, records: Path, total: int, mode: str) -> float:
    out = subprocess.run(
        [str(binary), url, str(records), str(total), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def json_cost(changes: list[Any], n: int = 20_000) -> float:
    """Microseconds to make one change's JSON, as Publisher.publish() does."""
    start = time.perf_counter()
    for i in range(n):
        json.dumps(change_record(changes[i % len(changes)], i), ensure_ascii=False).encode()
    return (time.perf_counter() - start) / n * 1e6


def build() -> Path:
    manifest = HERE / "nats_clients" / "Cargo.toml"
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--manifest-path", str(manifest)], check=True
    )
    return HERE / "nats_clients" / "target" / "release" / "nats-clients-bench"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--total", type=int, default=50_000, help="changes per measurement")
    args = ap.parse_args()
    if not Path(NATS_SERVER).exists() or shutil.which("cargo") is None:
        raise SystemExit("needs nats-server and cargo")
    binary = build()
    changes = recorded_changes()
    records = [
        json.dumps(change_record(c, i), ensure_ascii=False).encode() for i, c in enumerate(changes)
    ]
    rates: dict[str, list[float]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "records.jsonl"
        lines.write_bytes(b"\n".join(records) + b"\n")
        proc, url = start_broker(str(Path(tmp) / "store"))
        try:
            for _ in range(args.rounds):  # interleaved: both see the same machine
                for mode in ("batch", "window"):
                    rates[f"async-nats {mode}"].append(
                        async_nats_rate(binary, url, lines, args.total, mode)
                    )
                    rates[f"nats-py {mode}"].append(
                        asyncio.run(nats_py_rate(url, records, args.total, mode))
                    )
                rates["hackamore Publisher (nats-py)"].append(
                    published_rate(url, changes, args.total)
                )
        finally:
            proc.kill()
            proc.wait()
    print(f"{args.total:,} changes of ~{sum(map(len, records)) // len(records)} bytes each, ")
    print(f"{args.rounds} rounds, median changes/s acknowledged:")
    median = {k: statistics.median(v) for k, v in rates.items()}
    for name, rate in median.items():
        spread = ", ".join(f"{r:,.0f}" for r in rates[name])
        print(f"  {name:32} {rate:9,.0f}   ({spread})")
    for mode in ("batch", "window"):
        ratio = median[f"async-nats {mode}"] / median[f"nats-py {mode}"]
        print(f"async-nats / nats-py ({mode}): {ratio:.1f}x")
    print(f"making a change's JSON in Python: {json_cost(changes):.1f} us")


if __name__ == "__main__":
    main()
