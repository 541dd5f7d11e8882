"""The benchmark suite itself runs (small sizes): every figure and ratio is printed."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.timeout(900)
@pytest.mark.skipif(shutil.which("cargo") is None, reason="the memory benchmark needs cargo")
def test_benchmark_suite_runs_and_prints_every_figure() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "benches" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    for figure in (
        "limit: memchr scan",
        "decoder alone",
        "decoder + native model",
        "compat File->Controller->Manifold->Standard",
        "Python hook path",
        "plain-Python decode + reference model",
        "Main   1 PBX",
        "Mains  1 PBX",
        "hook latency at 10,000 events/s (Main): p50",
        "bytes per live channel",
        "decode + native model / reference model",
        "Mains 2 PBX / Mains 1 PBX",
        "decoder passing over what the model ignores",
        "changes, the same)",  # passing over changes nothing in the model
        "decode (passing over) + native model / memchr scan",
        "peer: panoramisk",
        "peer: asterisk-ami",
        "Python events / panoramisk",
        "Main    100 PBXes: replays in after",
        "Mains   100 PBXes: replays in after",
        "Main    100 PBXes,  10,000 events/s: logins",
        "Mains   100 PBXes,  10,000 events/s: logins",
        "Mains, 100 PBXes x 100/s: counted / sent",
        "Main, 100 PBXes x 100/s: hook latency p99",
        "changes/s acknowledged; consumer lag at 1,000 changes/s p50",
        "CPU per message over all engine threads",
        "live channels:",
        "model cost per message, most / least live state",
    ):
        assert figure in out, figure
    # Under load every message is counted (a count, not a timing: it cannot flake).
    counted = [line for line in out.splitlines() if "counted / sent" in line]
    assert len(counted) == 2 and all("(target 1: met)" in line for line in counted), counted
