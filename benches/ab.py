"""Two builds of hackamore on the same workload, taken in turns, in one run: the decoder +
native model kernels' rates and the ratio of the second build's to the first's.

    python benches/ab.py OLD_PYTHON NEW_PYTHON [--events N] [--runs N]

Each PYTHON is an interpreter whose hackamore was built with the benchmark kernels
(``--features python,bench``), e.g. a worktree of an older commit with its own venv. The
workload is the recorded traces of tests/fixtures (this checkout's) repeated to about N
messages. Turns alternate (A B B A ...) so that a machine's drift weighs on both alike.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"
KERNELS = ("model", "model_wanted")

# Run in each build's interpreter: the kernels' rates on the workload, one line each.
MEASURE = """
import sys, time
from hackamore import _native
data = open(sys.argv[1], "rb").read()
for name in sys.argv[2:]:
    kernel = getattr(_native, "_bench_" + name)
    t = time.perf_counter()
    n, changes = kernel(data)
    print(name, n / (time.perf_counter() - t), n, changes)
"""


def measure(python: str, workload: Path) -> dict[str, tuple[float, int, int]]:
    out = subprocess.run(
        [python, "-c", MEASURE, str(workload), *KERNELS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rates = {}
    for line in out.splitlines():
        name, rate, n, changes = line.split()
        rates[name] = (float(rate), int(n), int(changes))
    return rates


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", help="the first build's Python")
    ap.add_argument("new", help="the second build's Python")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rep = b"".join(p.read_bytes() for p in sorted(FIXTURES.glob("*.trace")))
    per = rep.count(b"\r\n\r\n")
    data = rep * max(1, math.ceil(args.events / per))
    rates: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    counts: dict[str, dict[str, tuple[int, int]]] = {"old": {}, "new": {}}
    with tempfile.TemporaryDirectory() as tmp:
        workload = Path(tmp) / "workload.trace"
        workload.write_bytes(data)
        print(
            f"workload: {len(data) / 1e6:,.0f} MB of {len(list(FIXTURES.glob('*.trace')))} traces"
        )
        for run in range(args.runs):
            order = ("old", "new") if run % 2 == 0 else ("new", "old")
            for build in order:
                python = args.old if build == "old" else args.new
                for name, (rate, n, changes) in measure(python, workload).items():
                    rates[build].setdefault(name, []).append(rate)
                    counts[build][name] = (n, changes)
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    print(
        f"{'kernel':<14} {'old M msg/s':>12} {'new M msg/s':>12} {'new / old':>10}  changes old/new"
    )
    for name in KERNELS:
        old = statistics.median(rates["old"][name])
        new = statistics.median(rates["new"][name])
        c_old, c_new = counts["old"][name][1], counts["new"][name][1]
        print(
            f"{name:<14} {old / 1e6:>12.2f} {new / 1e6:>12.2f} {new / old:>10.3f}  {c_old:,}/{c_new:,}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
