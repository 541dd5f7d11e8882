"""hackamore benchmark suite: every figure and ratio from one run on one machine.

    python benches/bench.py            # full run (10 million events; a few minutes)
    python benches/bench.py --quick    # small sizes, to check the suite itself works

Workload: the recorded captures of tests/fixtures/asterisk (the merged traces, both PBXes,
every kind of call), repeated to --events messages. Rates are medians of --runs runs.
Slow Python paths run on a sample of the same stream (--sample messages); rates compare.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hackamore
from hackamore import _native

ROOT = Path(__file__).resolve().parents[1]


class Kernels:
    """The native benchmark kernels: private, in builds with the ``bench`` feature only
    (the test build has it; a released wheel does not)."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        kernel = getattr(_native, f"_bench_{name}", None)
        if kernel is None:
            sys.exit(
                "bench.py needs the benchmark kernels: install with\n"
                "  MATURIN_PEP517_ARGS='--features python,bench' pip install ."
            )
        return kernel  # type: ignore[no-any-return]


KERNELS = Kernels()
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"
sys.path.insert(0, str(ROOT / "tests" / "python"))
from reference_model import ReferenceModel  # noqa: E402

sys.path.insert(0, str(ROOT / "benches"))
import broker  # noqa: E402
import load  # noqa: E402
import many  # noqa: E402
import peers  # noqa: E402
import traffic  # noqa: E402


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def repetition() -> bytes:
    return b"".join(p.read_bytes() for p in sorted(FIXTURES.glob("*.trace")))


def workload(events: int) -> tuple[bytes, int]:
    rep = repetition()
    per = KERNELS.scan(rep)
    k = max(1, math.ceil(events / per))
    return rep * k, per * k


def py_events(data: bytes) -> Iterator[dict[str, str]]:
    """The plain-Python way: split messages and lines, first value of each key."""
    for block in data.split(b"\r\n\r\n"):
        if not block:
            continue
        d: dict[str, str] = {}
        for line in block.decode("utf-8", "replace").split("\r\n"):
            k, _, v = line.partition(": ")
            d.setdefault(k, v)
        yield d


def raw_capture(messages: int) -> bytes:
    """A raw AMI capture (banner once) of about `messages` messages, for the servers."""
    bodies = []
    for p in sorted(FIXTURES.glob("*-pbx*.ami")):
        data = p.read_bytes()
        body = data[data.index(b"\r\n") + 2 :]  # drop the banner
        body = body[body.index(b"\r\n\r\n") + 4 :]  # and the recorded login answer
        bodies.append(body)
    rep = b"".join(bodies)
    k = max(1, math.ceil(messages / KERNELS.scan(rep)))
    return b"Asterisk Call Manager/13.0.0\r\n" + rep * k


def pin_engine_threads(cores: set[int]) -> None:
    """Move this process's hackamore engine threads (named hackamore-*) to `cores`."""
    for tid in os.listdir("/proc/self/task"):
        try:
            name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
            if name.startswith("hackamore-"):
                os.sched_setaffinity(int(tid), cores)
        except OSError:
            pass  # the thread ended meanwhile


def engine_threads_cpu() -> tuple[float, float]:
    """CPU seconds of this process's engine threads (named ``hackamore-*``: Main's poll
    loop, Mains' readers and model thread), and of Mains' model thread alone, from
    /proc (``schedstat``: nanoseconds on a CPU); the stand-in servers' threads
    (``ami-replay-*``) are not counted."""
    total = model = 0.0
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            ran = int((task / "schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        if name.startswith("hackamore-"):
            total += ran
            model += ran if name == "hackamore-model" else 0.0
    return total, model


def engine_rate(
    capture: Path, want: int, pbxes: int, threaded: bool, servers_apart: bool = False
) -> tuple[float, float, float, float]:
    """(messages/s over all PBXes, seconds from start() to the first message delivered,
    CPU seconds of the engine's threads per message, of Mains' model thread per message).
    `want`: messages in the capture, END excluded. `servers_apart`: the stand-in servers
    on the last core, the engine on the others (Linux), as if the PBXes were elsewhere."""
    if not servers_apart:
        return measure_engine(capture, want, pbxes, threaded, None)
    everywhere = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(everywhere)})  # the servers' threads start from here
    try:
        return measure_engine(capture, want, pbxes, threaded, everywhere - {max(everywhere)})
    finally:
        os.sched_setaffinity(0, everywhere)


def measure_engine(
    capture: Path, want: int, pbxes: int, threaded: bool, engine_cores: set[int] | None
) -> tuple[float, float, float, float]:
    servers = [hackamore.ReplayServer(capture, username="b", secret="b") for _ in range(pbxes)]
    engine = hackamore.Engine(
        [hackamore.Server(f"pbx{i}", "127.0.0.1", s.port, "b", "b") for i, s in enumerate(servers)],
        threaded=threaded,
        backoff=600,
    )
    first = math.nan
    t = time.perf_counter()
    engine.start()
    if engine_cores:
        pin_engine_threads(engine_cores)
    try:
        while True:
            stats = engine.stats()
            if math.isnan(first) and any(f["messages"] for f in stats["feeds"].values()):
                first = time.perf_counter() - t
            if stats["queued"] == 0 and all(f["messages"] >= want for f in stats["feeds"].values()):
                break
            time.sleep(0.0005 if math.isnan(first) else 0.002)
        elapsed = time.perf_counter() - t
        cpu, model_cpu = engine_threads_cpu()  # before stop(): the threads are still there
    finally:
        engine.stop()
        engine.join(10)
        for s in servers:
            s.close()
    return pbxes * want / elapsed, first, cpu / (pbxes * want), model_cpu / (pbxes * want)


SENDER = textwrap.dedent(
    """
    import socket, sys, time
    rate, seconds, port = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    srv = socket.create_server(("127.0.0.1", port))
    print("LISTENING", flush=True)
    conn, _ = srv.accept()
    # Events go out as they happen (without this, Nagle's algorithm meets the reader's
    # delayed ACK and adds up to 40 ms: a property of the sender, not of hackamore).
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.sendall(b"Asterisk Call Manager/13.0.0\\r\\n")
    buf = b""
    while b"\\r\\n\\r\\n" not in buf:
        buf += conn.recv(4096)
    aid = [l for l in buf.split(b"\\r\\n") if l.startswith(b"ActionID: ")]
    aid = b"ActionID: " + aid[0][10:] + b"\\r\\n" if aid else b""  # the 2014 Login had none
    conn.sendall(b"Response: Success\\r\\n" + aid + b"Message: Authentication accepted\\r\\n\\r\\n")
    per_tick = max(1, rate // 1000)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        out = []
        for _ in range(per_tick):
            if n % 2 == 0:  # a new channel, stamped with the wall clock just before the write
                out.append(f"Event: Newchannel\\r\\nChannel: SIP/{n}\\r\\nUniqueid: 1.{n}\\r\\n"
                           f"ChannelState: 6\\r\\nChannelStateDesc: Up\\r\\nCallerIDNum: {time.time_ns()}\\r\\n\\r\\n")
            else:
                out.append(f"Event: Hangup\\r\\nChannel: SIP/{n - 1}\\r\\nUniqueid: 1.{n - 1}\\r\\n\\r\\n")
            n += 1
        conn.sendall("".join(out).encode())
        delay = start + (n // per_tick) / 1000 - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    conn.close()
    """
)


def hook_latency(rate: int, seconds: float, threaded: bool) -> tuple[float, float, int]:
    """Latency from the sender's write of an event to its Python hook running."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with subprocess.Popen(
        [sys.executable, "-c", SENDER, str(rate), str(seconds), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    ) as sender:
        assert sender.stdout is not None
        sender.stdout.readline()
        latencies: list[int] = []

        def newchannel(change: hackamore.Change) -> None:
            latencies.append(time.time_ns() - int(change["calleridnum"]))

        engine = hackamore.Engine(
            [hackamore.Server("pbx1", "127.0.0.1", port, "b", "b")],
            hooks={"newchannel": newchannel},
            threaded=threaded,
            backoff=600,
        )
        runner = threading.Thread(target=engine.run)
        runner.start()
        sender.wait()
        time.sleep(0.2)
        engine.stop()
        runner.join()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1e6
    p99 = latencies[int(len(latencies) * 0.99)] / 1e6
    return p50, p99, len(latencies)


def beside_idle_latency(rate: int, seconds: float, compat: bool) -> tuple[float, float, int]:
    """Latency from the sender's write of an event to the model having it, read beside a
    second live connection that sends nothing: through ``Model.consume`` (a hook), or the
    2014-style compat loop (a View hook), both reading several sources in one thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (
        tempfile.NamedTemporaryFile(suffix=".ami") as empty,
        subprocess.Popen(
            [sys.executable, "-c", SENDER, str(rate), str(seconds), str(port)],
            stdout=subprocess.PIPE,
            text=True,
        ) as sender,
    ):
        assert sender.stdout is not None
        sender.stdout.readline()
        idle = hackamore.ReplayServer(empty.name, username="b", secret="b", linger=True)
        latencies: list[int] = []

        def ended() -> None:
            sender.wait()
            time.sleep(0.2)
            idle.close()  # then the idle connection ends too

        waiter = threading.Thread(target=ended)
        waiter.start()
        if compat:
            from hackamore.compat import (
                Controller,
                Logger,
                Manifold,
                ModelStandard,
                Multiplex,
                Socket,
                View,
            )

            Logger.logger().setLevel(logging.WARNING)  # the 2014 loop logs each connect

            class Stamps(View.View):
                def newchannel(
                    self, pbx: str, uniqueid: str, channel: str, number: str, *_: Any
                ) -> None:
                    latencies.append(time.time_ns() - int(number))

            model = ModelStandard.ModelStandard()
            sources: list[Any] = [
                Socket.Socket("active", "b", "b", "127.0.0.1", port),
                Socket.Socket("idle", "b", "b", "127.0.0.1", idle.port),
            ]
            Controller.Controller(
                Multiplex.Multiplex(), Manifold.Manifold(model, Stamps(model))
            ).loop(sources, [])
        else:

            def newchannel(change: hackamore.Change) -> None:
                latencies.append(time.time_ns() - int(change["calleridnum"]))

            model = hackamore.Model(hooks={"newchannel": newchannel})
            model.consume(
                [
                    hackamore.Server("active", "127.0.0.1", port, "b", "b").connect(),
                    hackamore.Server("idle", "127.0.0.1", idle.port, "b", "b").connect(),
                ]
            )
        waiter.join()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1e6
    p99 = latencies[int(len(latencies) * 0.99)] / 1e6
    return p50, p99, len(latencies)


def memory_figures() -> str:
    try:
        r = subprocess.run(
            ["cargo", "bench", "--quiet", "--bench", "memory"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"memory: not measured ({e})"
    return r.stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--sample", type=int, default=300_000, help="messages for the Python paths")
    ap.add_argument("--server-messages", type=int, default=500_000, help="per stand-in server")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="tiny sizes: check the suite works")
    args = ap.parse_args()
    if args.quick:
        args.events, args.sample, args.server_messages, args.runs = 50_000, 5_000, 5_000, 1
    out: list[str] = []
    # The stand-in server closes each connection at the end of its capture, which the
    # engines log as a warning; the figures are what this prints.
    logging.getLogger("hackamore").setLevel(logging.ERROR)

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    say(f"hackamore {hackamore.__version__} benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    data, messages = workload(args.events)
    mb = len(data) / 1e6
    say(
        f"workload: the recorded traces repeated: {messages:,} messages, {mb:,.0f} MB; median of {args.runs} runs"
    )
    say()
    rates: dict[str, float] = {}

    t, n = median_time(lambda: KERNELS.scan_lines(data), args.runs)
    rates["scan"] = n / t
    say(f"{'limit: memchr scan of line ends':<44} {mb / t:>9,.0f} MB/s {n / t:>14,.0f} msg/s")
    t, n = median_time(lambda: KERNELS.scan(data), args.runs)
    rates["memmem"] = n / t
    say(f"{'(memmem search for blank lines)':<44} {mb / t:>9,.0f} MB/s {n / t:>14,.0f} msg/s")
    t, n = median_time(lambda: KERNELS.decode(data), args.runs)
    rates["decode"] = n / t
    say(f"{'decoder alone':<44} {mb / t:>9,.0f} MB/s {n / t:>14,.0f} msg/s")
    t, (n, changes) = median_time(lambda: KERNELS.model(data), args.runs)
    rates["model"] = n / t
    say(f"{'decoder + native model':<44} {'':>14} {n / t:>14,.0f} msg/s   ({changes:,} changes)")
    t, n = median_time(lambda: KERNELS.decode_wanted(data), args.runs)
    rates["decode_wanted"] = n / t
    say(
        f"{'decoder passing over what the model ignores':<44} {mb / t:>9,.0f} MB/s {n / t:>14,.0f} msg/s"
    )
    t, (n, passed_changes) = median_time(lambda: KERNELS.model_wanted(data), args.runs)
    rates["model_wanted"] = n / t
    say(
        f"{'the same + native model (as engines read)':<44} {'':>14} {n / t:>14,.0f} msg/s   "
        f"({passed_changes:,} changes{', the same' if passed_changes == changes else ': DIFFERENT'})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "workload.trace"
        big.write_bytes(data)
        per = KERNELS.scan(repetition())
        sample = Path(tmp) / "sample.trace"
        sample.write_bytes(repetition() * max(1, math.ceil(args.sample / per)))
        sample_n = KERNELS.scan(sample.read_bytes())
        data = b""  # the file holds the workload now; free the memory

        from hackamore.compat import Controller, Manifold, ModelStandard, Multiplex, Trace, View

        def compat() -> int:
            model = ModelStandard.ModelStandard()
            ctl = Controller.Controller(
                Multiplex.Multiplex(), Manifold.Manifold(model, View.View(model))
            )
            ctl.loop([Trace.Trace("trace", str(big))], [])
            return model.version

        t, _ = median_time(compat, args.runs)
        rates["compat"] = messages / t
        say(
            f"{'compat File->Controller->Manifold->Standard':<44} {'':>14} {messages / t:>14,.0f} msg/s"
        )

        calls = 0

        def noop(change: hackamore.Change) -> None:
            nonlocal calls
            calls += 1

        def hooked() -> int:
            m = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, noop))
            return m.consume(hackamore.Trace("trace", sample))

        t, n = median_time(hooked, args.runs)
        rates["hooks"] = n / t
        say(
            f"{'Python hook path (a hook on every change)':<44} {'':>14} {n / t:>14,.0f} msg/s   ({calls // args.runs:,} hook calls per run)"
        )

        sample_bytes = sample.read_bytes()

        def reference() -> int:
            r = ReferenceModel()
            k = 0
            for e in py_events(sample_bytes):
                r.apply(e)
                k += 1
            return k

        t, n = median_time(reference, args.runs)
        rates["reference"] = n / t
        say(
            f"{'plain-Python decode + reference model':<44} {'':>14} {n / t:>14,.0f} msg/s   (on {sample_n:,} messages)"
        )

        # The peers read the same sample (less its Logoff answers); so does hackamore,
        # handing each message to Python as they do.
        peer_sample = Path(tmp) / "peers.trace"
        peer_sample.write_bytes(peers.without_goodbyes(sample_bytes))
        peer_n = KERNELS.scan(peer_sample.read_bytes())
        t, _ = median_time(lambda: sum(1 for _ in hackamore.Trace("t", peer_sample)), args.runs)
        rates["iterate"] = peer_n / t
        say(f"{'hackamore: a Python Event per message':<44} {'':>14} {peer_n / t:>14,.0f} msg/s")
        for name, got in peers.peer_rates(peer_sample.read_bytes(), peer_n, args.runs).items():
            if isinstance(got, str):
                say(f"{'peer: ' + name:<44} {got}")
                continue
            rates[name] = got[0]
            say(f"{'peer: ' + name:<44} {'':>14} {got[0]:>14,.0f} msg/s   ({got[1]:,} handed on)")

        capture = Path(tmp) / "server.ami"
        capture.write_bytes(raw_capture(args.server_messages))
        say()
        say(
            "engines over loopback from the stand-in server (no hooks), total msg/s (± half the runs' range):"
        )
        want = sum(1 for e in hackamore.File("p", capture) if not e.is_end)
        # (row label, threaded, servers apart): Main once more with the stand-in servers
        # on a core of their own where the OS lets us place threads.
        configs = [("Main", False, False), ("Mains", True, False)]
        if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2:
            configs.append(("Main, the stand-in servers on a core of their own:", False, True))
        engine_rates: dict[tuple[str, int], float] = {}
        firsts: dict[bool, list[float]] = {False: [], True: []}
        cpu_per_message: dict[tuple[str, int], float] = {}
        model_per_message: dict[tuple[str, int], float] = {}
        for label, threaded, apart in configs:
            row = []
            for pbxes in (1, 2, 4):
                runs = [
                    engine_rate(capture, want, pbxes, threaded, servers_apart=apart)
                    for _ in range(args.runs)
                ]
                rates_seen = [run[0] for run in runs]
                r = statistics.median(rates_seen)
                if not apart:
                    firsts[threaded] += [run[1] for run in runs]
                    cpu_per_message[(label, pbxes)] = statistics.median(run[2] for run in runs)
                    model_per_message[(label, pbxes)] = statistics.median(run[3] for run in runs)
                engine_rates[(label, pbxes)] = r
                spread = (max(rates_seen) - min(rates_seen)) / r * 100
                row.append(f"{pbxes} PBX {r:>10,.0f} (±{spread / 2:.0f}%)")
            say(f"  {label:<6} " + "   ".join(row))
        say(
            "  CPU per message over all engine threads (µs): "
            + ", ".join(
                f"{label} {k} PBX {cpu_per_message[(label, k)] * 1e6:.2f}"
                for label in ("Main", "Mains")
                for k in (1, 2, 4)
            )
            + f"; Mains / Main at 2 PBXes {cpu_per_message[('Mains', 2)] / cpu_per_message[('Main', 2)]:.2f}x"
        )
        mains_model = model_per_message[("Mains", 2)]
        say(
            f"  Mains' model thread alone: {mains_model * 1e6:.2f} µs per message, so with a core "
            f"for it and each reader its rate could reach {1 / mains_model:,.0f} msg/s (on paper)"
            if mains_model > 0
            else "  Mains' model thread: no CPU time measured"
        )
        say(
            "  from start() to the first message (connect + login), median: "
            f"Main {statistics.median(firsts[False]) * 1e3:.1f} ms, "
            f"Mains {statistics.median(firsts[True]) * 1e3:.1f} ms"
        )

    say()
    p50, p99, samples = hook_latency(10_000, 3.0 if not args.quick else 1.0, threaded=False)
    say(
        f"hook latency at 10,000 events/s (Main): p50 {p50:.3f} ms, p99 {p99:.3f} ms ({samples:,} samples)"
    )
    p50t, p99t, _ = hook_latency(10_000, 3.0 if not args.quick else 1.0, threaded=True)
    say(f"hook latency at 10,000 events/s (Mains): p50 {p50t:.3f} ms, p99 {p99t:.3f} ms")
    beside: dict[str, float] = {}
    for label, compat in (("Model.consume", False), ("compat Controller.loop", True)):
        p50b, p99b, n = beside_idle_latency(1_000, 3.0 if not args.quick else 1.0, compat)
        beside[label] = p99b
        say(
            f"wire-to-model latency at 1,000 events/s beside an idle live PBX ({label}): "
            f"p50 {p50b:.3f} ms, p99 {p99b:.3f} ms ({n:,} samples)"
        )
    say()
    for line in memory_figures().splitlines():
        say(line)

    say()
    say(
        "many PBXes (benches/many.py: stand-in PBXes in another process, each replaying the "
        "bundled capture, then idle):"
    )
    many_rows = []
    for label, threaded, counts in (
        ("Main", False, (10, 100) if args.quick else (10, 100, 1000)),
        ("Mains", True, (10, 100) if args.quick else (10, 100, 200)),
    ):
        for pbxes in counts:
            ready, engine_cpu, server_cpu, _ = many.many_pbxes(pbxes, threaded, idle=2.0)
            many_rows.append((label, pbxes, ready, engine_cpu))
            say(
                f"  {label:<5} {pbxes:>5} PBXes: replays in after {ready:5.2f} s; idle, engine "
                f"{engine_cpu:6.1%} of a core, stand-in servers {server_cpu:6.1%}"
            )
    say()
    rate, seconds = 100, (2.0 if args.quick else 6.0)
    say(
        f"many PBXes under load (benches/load.py: each PBX sends {rate} events/s of the "
        "recorded captures for "
        f"{seconds:g} s from a sender process; hook latency from the sender's write of a "
        "Newchannel to its hook, after the first second of traffic, and with it):"
    )
    loads: list[tuple[str, load.Load]] = []
    for label, threaded, counts in (
        ("Main", False, (10, 100) if args.quick else (10, 100, 1000)),
        ("Mains", True, (10, 100) if args.quick else (10, 100, 200)),
    ):
        for pbxes in counts:
            r = load.load(pbxes, rate, seconds, threaded)
            loads.append((label, r))
            say(
                f"  {label:<5} {pbxes:>5} PBXes, {pbxes * rate:>7,} events/s: logins "
                f"{r.connected:4.2f} s, counted {r.counted:,} of {r.sent:,}; engine "
                f"{r.engine_cpu:6.1%} of a core (sender {r.sender_cpu:5.1%}); latency p50 "
                f"{r.p50_ms:5.2f} ms, p99 {r.p99_ms:6.2f} ms (with the first second "
                f"{r.p99_all_ms:6.2f} ms)"
            )

    say()
    nats = broker.measure(quick=args.quick)
    if nats is None:
        say("NATS JetStream (benches/broker.py): skipped, no nats-server")
    else:
        rate_pub, lag50, lag99, lag_n = nats
        say(
            f"NATS JetStream (benches/broker.py, a private nats-server): one publisher "
            f"{rate_pub:,.0f} changes/s acknowledged; consumer lag at 1,000 changes/s p50 "
            f"{lag50:.2f} ms, p99 {lag99:.2f} ms ({lag_n:,} samples)"
        )

    say()
    levels = (5, 50, 500) if args.quick else (5, 500, 50_000)
    steady = 20_000 if args.quick else 200_000
    say(
        f"model cost with live state (benches/traffic.py: {steady:,} messages of Poisson "
        "arrivals and departures, after bringing the calls up):"
    )
    live_costs = []
    for calls in levels:
        warm, traffic_bytes = traffic.generate(calls, steady)
        best = min(
            (KERNELS.model_after(warm, traffic_bytes) for _ in range(args.runs)),
            key=lambda r: r[2],
        )
        n, _, seconds, channels = best
        live_costs.append(seconds / n * 1e9)
        say(
            f"  {calls:>7,} calls up, {channels:>7,} live channels: {live_costs[-1]:>7,.0f} ns per message"
        )
        del warm, traffic_bytes

    say()
    say("ratios and targets:")

    def target(name: str, value: float, goal: float, unit: str = "x") -> None:
        verdict = "met" if value >= goal else "MISSED"
        say(f"  {name:<52} {value:>8.2f}{unit}  (target >= {goal}{unit}: {verdict})")

    target("decode + native model / reference model", rates["model"] / rates["reference"], 50)
    target(
        "decode (passing over) + native model / memchr scan",
        rates["model_wanted"] / rates["scan"],
        1.0,
    )
    say(
        f"  {'(ceiling, the decoder passing over with no model: ' + format(rates['decode_wanted'] / rates['scan'], '.2f') + 'x)'}"
    )
    target("compat path / memchr scan", rates["compat"] / rates["scan"], 0.8)
    for name in peers.PEERS:
        if name in rates:
            target(f"Python events / {name}", rates["iterate"] / rates[name], 1.0)
    for label, pbxes, ready, engine_cpu in many_rows:
        if pbxes == max(n for lb, n, _, _ in many_rows if lb == label):
            name = f"{label}, {pbxes} PBXes: replays in (s) / idle (% of a core)"
            verdict = "met" if ready < 2 and engine_cpu < 0.02 else "MISSED"
            say(f"  {name:<52} {ready:>5.2f} / {engine_cpu:.1%}  (target < 2 s / < 2%: {verdict})")
    for label, r in loads:
        if r.pbxes == max(x.pbxes for lb, x in loads if lb == label):
            name = f"{label}, {r.pbxes} PBXes x {rate}/s: counted / sent"
            verdict = "met" if r.counted == r.sent else "MISSED"
            say(f"  {name:<52} {r.counted / r.sent:>8.4f}   (target 1: {verdict})")
            name = f"{label}, {r.pbxes} PBXes x {rate}/s: engine CPU"
            verdict = "met" if r.engine_cpu < 0.30 else "MISSED"
            say(f"  {name:<52} {r.engine_cpu:>8.1%}  (target < 30% of a core: {verdict})")
            name = f"{label}, {r.pbxes} PBXes x {rate}/s: hook latency p99"
            verdict = "met" if r.p99_ms < 5 else "MISSED"
            say(f"  {name:<52} {r.p99_ms:>8.2f}ms (target < 5 ms: {verdict})")
    growth = max(live_costs) / min(live_costs)
    say(
        f"  {'model cost per message, most / least live state':<52} {growth:>8.2f}x  "
        f"(target <= 1.2x: {'met' if growth <= 1.2 else 'MISSED'})"
    )
    target("compat path / reference model", rates["compat"] / rates["reference"], 50)
    target(
        "decoder / memchr scan of line ends (fraction)", rates["decode"] / rates["scan"], 0.5, ""
    )
    say(
        f"  {'(decoder / memmem search: ' + format(rates['decode'] / rates['memmem'], '.2f') + ')'}"
    )
    target("Python hook path / reference model", rates["hooks"] / rates["reference"], 10)
    target(
        "Mains 2 PBX / Mains 1 PBX", engine_rates[("Mains", 2)] / engine_rates[("Mains", 1)], 1.6
    )
    for k in (2, 4):
        target(
            f"Main {k} PBX / Main 1 PBX (never below 1)",
            engine_rates[("Main", k)] / engine_rates[("Main", 1)],
            1.0,
        )
    apart = configs[-1][0] if configs[-1][2] else None
    if apart:
        ratios = [engine_rates[(apart, k)] / engine_rates[(apart, 1)] for k in (2, 4)]
        say(
            f"  {'(the same, servers on a core of their own: ' + ', '.join(f'{x:.2f}x' for x in ratios) + ')'}"
        )
    say(
        f"  {'hook latency p99 (Main)':<52} {p99:>8.3f}ms (target < 1 ms: {'met' if p99 < 1 else 'MISSED'})"
    )
    for label, p99b in beside.items():
        name = f"p99 beside an idle PBX ({label})"
        say(f"  {name:<52} {p99b:>8.3f}ms (target < 100 ms: {'met' if p99b < 100 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
