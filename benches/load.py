"""Many PBXes under load: an engine connected to N stand-in PBXes, each sending a steady
rate of recorded traffic, served by another process. Measured: connects, events sent and
counted, the engine process's CPU while the traffic flows, and the latency from the
sender's write of a ``Newchannel`` to its Python hook running.

The sender (``--serve``) answers the login and every action as a PBX with nothing going
on would (an empty list), then sends each connection the events of the recorded captures
of tests/fixtures/asterisk in a loop, paced to ``rate`` events per second and spread
evenly over the connections; each ``Newchannel`` carries the wall clock of its write in
``CallerIDNum`` (the hook reads it). The recorded answers to the captures' own actions
are left out: they answer nothing the engine asked.

    python benches/load.py 1000            # Main, 1,000 PBXes x 100 events/s, 10 s
    python benches/load.py 200 --threaded  # Mains
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import selectors
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"
TICK = 0.05  # each connection gets its events this often, in one write


def recorded_events() -> list[tuple[bytes, bytes] | bytes]:
    """The captures' events (no responses, no list answers), in order. A ``Newchannel``
    is a (before, after) pair around its ``CallerIDNum`` value, for the stamp."""
    out: list[tuple[bytes, bytes] | bytes] = []
    for p in sorted(FIXTURES.glob("*-pbx*.ami")):
        data = p.read_bytes()
        for block in data.split(b"\r\n\r\n")[1:]:  # the first holds the banner and login
            if not block.startswith(b"Event: ") or b"\r\nActionID: " in block:
                continue
            if block.startswith(b"Event: Newchannel\r\n") and b"\r\nCallerIDNum: " in block:
                before, rest = block.split(b"\r\nCallerIDNum: ", 1)
                after = rest.split(b"\r\n", 1)[1] if b"\r\n" in rest else b""
                out.append(
                    (
                        before + b"\r\nCallerIDNum: ",
                        b"\r\n" + after + b"\r\n\r\n" if after else b"\r\n\r\n",
                    )
                )
            else:
                out.append(block + b"\r\n\r\n")
    return out


def answer(action: dict[bytes, bytes]) -> bytes:
    """What an idle PBX answers: logins accepted, lists empty, Ping ponged."""
    name = action.get(b"action", b"").lower()
    aid = action.get(b"actionid")
    tag = b"ActionID: " + aid + b"\r\n" if aid is not None else b""
    if name == b"login":
        return b"Response: Success\r\n" + tag + b"Message: Authentication accepted\r\n\r\n"
    if name == b"logoff":
        return b"Response: Goodbye\r\n" + tag + b"Message: Thanks for all the fish.\r\n\r\n"
    if name == b"ping":
        return b"Response: Success\r\n" + tag + b"Ping: Pong\r\n\r\n"
    title = action.get(b"action", b"Unknown")
    return (
        b"Response: Success\r\n" + tag + b"EventList: start\r\nMessage: listed\r\n\r\n"
        b"Event: " + title + b"Complete\r\n" + tag + b"EventList: Complete\r\nListItems: 0\r\n\r\n"
    )


@dataclass
class Peer:
    sock: socket.socket
    inbox: bytes = b""
    live: bool = False
    position: int = 0
    messages: int = 0  # every message written: answers and events


def serve(pbxes: int, rate: int, seconds: float) -> None:
    """The sender process: prints its port, then ``counted <messages>`` once the traffic
    has been sent; answers actions until stdin closes."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    events = recorded_events()
    per_tick = max(1, round(rate * TICK))
    listener = socket.create_server(("127.0.0.1", 0), backlog=pbxes)
    listener.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    peers: list[Peer] = []
    print(listener.getsockname()[1], flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()

    def read(peer: Peer) -> None:
        try:
            data = peer.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            sel.unregister(peer.sock)
            peer.sock.close()
            peer.live = False
            return
        peer.inbox += data
        while b"\r\n\r\n" in peer.inbox:
            block, peer.inbox = peer.inbox.split(b"\r\n\r\n", 1)
            fields = dict(
                (k.strip().lower(), v.strip())
                for k, _, v in (line.partition(b":") for line in block.split(b"\r\n"))
            )
            out = answer(fields)
            peer.messages += out.count(b"\r\n\r\n")
            peer.sock.setblocking(True)
            peer.sock.sendall(out)
            peer.sock.setblocking(False)
            if fields.get(b"action", b"").lower() == b"login":
                peer.live = True

    def poll(timeout: float) -> None:
        for key, _ in sel.select(timeout):
            if key.fileobj is listener:
                while True:
                    try:
                        conn, _ = listener.accept()
                    except BlockingIOError:
                        break
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    conn.sendall(b"Asterisk Call Manager/13.0.0\r\n")
                    conn.setblocking(False)
                    peer = Peer(conn)
                    peers.append(peer)
                    sel.register(conn, selectors.EVENT_READ, peer)
            else:
                read(key.data)

    while sum(p.live for p in peers) < pbxes:  # everyone logged in before the clock starts
        poll(0.05)
        if done.is_set():
            return
    start = time.perf_counter()
    rounds = int(seconds / TICK)
    for r in range(rounds):
        for j, peer in enumerate(peers):
            due = start + (r + j / len(peers)) * TICK
            while (left := due - time.perf_counter()) > 0:
                poll(left)
            if not peer.live:
                continue
            out = []
            for _ in range(per_tick):
                e = events[peer.position % len(events)]
                peer.position += 1
                if isinstance(e, tuple):
                    out.append(e[0] + str(time.time_ns()).encode() + e[1])
                else:
                    out.append(e)
            peer.messages += per_tick
            peer.sock.setblocking(True)
            peer.sock.sendall(b"".join(out))
            peer.sock.setblocking(False)
        poll(0)
    print("counted", sum(p.messages for p in peers), flush=True)
    while not done.is_set():
        poll(0.1)
    for p in peers:
        p.sock.close()


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    pbxes: int
    connected: float  # seconds from start() to every login
    sent: int  # messages the sender wrote (events and answers)
    counted: int  # messages the engine counted
    engine_cpu: float  # share of a core while the traffic flowed
    sender_cpu: float
    p50_ms: float  # hook latency, after the first second of traffic
    p99_ms: float
    p99_all_ms: float  # including the first second (the logins' resync answers)
    samples: int


def load(pbxes: int, rate: int, seconds: float, threaded: bool) -> Load:
    import hackamore

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with subprocess.Popen(
        [sys.executable, __file__, "--serve", str(pbxes), str(rate), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as sender:
        assert sender.stdout is not None and sender.stdin is not None
        port = int(sender.stdout.readline())
        stamps: list[tuple[int, int]] = []  # (hook time, latency) in ns

        def newchannel(change: hackamore.Change) -> None:
            now = time.time_ns()
            stamps.append((now, now - int(change["calleridnum"])))

        engine = hackamore.Engine(
            [hackamore.Server(f"pbx{i}", "127.0.0.1", port, "b", "b") for i in range(pbxes)],
            hooks={"newchannel": newchannel},
            threaded=threaded,
            backoff=60,
        )
        start = time.perf_counter()
        engine.start()
        while not all(f["connects"] for f in engine.stats()["feeds"].values()):
            if time.perf_counter() - start > 60:
                raise SystemExit(f"{pbxes} PBXes: not every login in after 60 s")
            time.sleep(0.002)
        connected = time.perf_counter() - start
        mine, theirs = time.process_time(), cpu_seconds(sender.pid)
        t = time.perf_counter()
        line = sender.stdout.readline().split()  # the traffic has been sent
        wall = time.perf_counter() - t
        engine_cpu = (time.process_time() - mine) / wall
        sender_cpu = (cpu_seconds(sender.pid) - theirs) / wall
        sent = int(line[1])
        # Until every message sent is counted: a loaded machine catches up late, and a
        # fixed wait made the count a timing (the deadline only ends a run that hangs).
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            counted = sum(f["messages"] for f in engine.stats()["feeds"].values())
            if counted >= sent and engine.stats()["hooks_pending"] == 0:
                break
            time.sleep(0.01)
        engine.stop()
        engine.join(10)
        sender.stdin.close()
        sender.wait()

    def percentile(values: list[int], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * q))] / 1e6 if values else math.nan

    settled = stamps[0][0] + 1_000_000_000 if stamps else 0
    steady = [lat for t, lat in stamps if t >= settled]
    return Load(
        pbxes,
        connected,
        sent,
        counted,
        engine_cpu,
        sender_cpu,
        percentile(steady, 0.5),
        percentile(steady, 0.99),
        percentile([lat for _, lat in stamps], 0.99),
        len(stamps),
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
        return
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pbxes", type=int)
    ap.add_argument("--rate", type=int, default=100, help="events per second per PBX")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--threaded", action="store_true")
    args = ap.parse_args()
    r = load(args.pbxes, args.rate, args.seconds, args.threaded)
    print(
        f"{r.pbxes} PBXes x {args.rate} events/s ({'Mains' if args.threaded else 'Main'}): "
        f"logins in {r.connected:.2f} s; {r.counted:,} of {r.sent:,} messages counted; "
        f"engine {r.engine_cpu:.1%} of a core, sender {r.sender_cpu:.1%}; hook latency "
        f"after the first second p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms (with it "
        f"{r.p99_all_ms:.2f} ms; {r.samples:,} samples)"
    )


if __name__ == "__main__":
    main()
