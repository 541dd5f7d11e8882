"""What the NATS tests share: a real nats-server (JetStream, on 127.0.0.1, its store in a
test folder), collectors watching stand-in PBXes, and models to compare."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hackamore

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "asterisk"

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Nats:
    """A nats-server with JetStream, its store in a test folder."""

    port: int
    store: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    options: tuple[str, ...] = ()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                NATS_SERVER,
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-sd",
                str(self.store),
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def checkpoint(capture: Path, k: int) -> tuple[int, bytes]:
    """(bytes of the stand-in's replay, bytes of the capture) up to recorded checkpoint
    `k`: the replay leaves out the banner and the recorded login answer."""
    data = capture.read_bytes()
    login_end = data.index(b"\r\n\r\n", data.index(b"\r\n") + 2) + 4
    at = data.index(f"ActionID: truth-{k}\r\n".encode())
    cut = data.rindex(b"\r\n\r\n", 0, at) + 4
    return cut - login_end, data[:cut]


def model_of(captures: dict[str, bytes], tmp_path: Path) -> hackamore.Model:
    """One process reading every PBX's capture (up to its cut), without the END."""
    model = hackamore.Model()
    for pbx, data in captures.items():
        path = tmp_path / f"{pbx}.ami"
        path.write_bytes(data)
        for event in hackamore.File(pbx, path):
            if event.is_end:
                break
            model.apply(event)
    return model


def state(model: hackamore.Model) -> dict[str, Any]:
    """The model as comparable values (call ids differ between models: calls as sets)."""
    channels = sorted(
        (
            c.pbx,
            c.uniqueid,
            c.channel,
            c.calleridnum,
            c.channelstatedesc,
            c.role,
            c.activity,
            c.conference,
            c.bridge,
            c.sipcallid,
        )
        for c in model.channels()
    )
    calls = sorted(sorted((c.pbx, c.uniqueid) for c in call) for call in model.calls())
    sizes = model.sizes()
    rooms = {
        pbx: {room: sorted(c.uniqueid for c in members) for room, members in pbx_rooms.items()}
        for pbx, pbx_rooms in model.rooms().items()
    }
    return {"channels": channels, "calls": calls, "rooms": rooms, "sizes": sizes}


def collect(
    nats: Nats, pbx: str, capture: Path, k: int, stream: str, prefix: str = "hackamore"
) -> Any:
    """A collector: an Engine watching one stand-in PBX that goes silent at checkpoint
    `k`."""
    server = hackamore.ReplayServer(capture, stall_at=k)
    engine = hackamore.Engine(
        [hackamore.Server(pbx, "127.0.0.1", server.port, "hackamore", "hackamore")], backoff=60
    )
    publisher = engine.publish(nats.url, stream=stream, prefix=prefix)
    engine.start()
    return server, engine, publisher


def stop(collectors: list[Any]) -> None:
    for _, engine, _ in collectors:
        engine.stop()
    for server, engine, _ in collectors:
        engine.join(5)
        server.close()


def basic_changes() -> list[hackamore.Change]:
    """Every change of the basic call's first PBX, as a model makes them."""
    model = hackamore.Model()
    changes: list[hackamore.Change] = []
    model._listen(changes.append)
    model.consume(hackamore.File("pbx1", FIXTURES / "basic-pbx1.ami"))
    return changes


def wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def hackamore_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COM_DIAG_HACKAMORE")}
    env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "hackamore", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def raw_records(n: int, pbx: str = "pbx1") -> list[tuple[str, bytes, dict[str, str]]]:
    """`n` change records of `pbx` as a collector run publishes them (the basic call's
    changes over and over, the model version going up by one each), for tests that need
    a stream of many messages made fast."""
    import json

    from hackamore.distributed import BEGINS, COLLECTOR, MODEL_VERSION, MSG_ID, RUN
    from hackamore.jsonout import change_record

    changes = basic_changes()
    run = "1-raw"
    out = []
    for seq in range(n):
        record = change_record(changes[seq % len(changes)], seq)
        record["pbx"] = pbx
        headers = {
            MSG_ID: f"raw-{run}-{seq}",
            COLLECTOR: "raw",
            RUN: run,
            MODEL_VERSION: str(seq + 1),
        }
        if seq == 0:
            headers[BEGINS] = "1"
        subject = f"hackamore.{pbx}.changes"
        out.append((subject, json.dumps(record).encode(), headers))
    return out


def publish_raw(url: str, stream: str, messages: list[tuple[str, bytes, dict[str, str]]]) -> None:
    """Publish `messages` as they are to `stream` (made if missing), in order, each
    acknowledged."""
    import asyncio

    import nats as nats_py
    from nats.js.errors import NotFoundError

    async def run() -> None:
        nc = await nats_py.connect(url)
        js = nc.jetstream()
        try:
            await js.stream_info(stream)
        except NotFoundError:
            await js.add_stream(name=stream, subjects=["hackamore.*.changes", "hackamore.*.state"])
        for i in range(0, len(messages), 2000):
            acks = [
                await js.publish_async(subject, data, headers=headers)
                for subject, data, headers in messages[i : i + 2000]
            ]
            await asyncio.gather(*acks)
        await nc.close()

    asyncio.run(run())


def differences(got: dict[str, Any], want: dict[str, Any]) -> str:
    """What differs between two `state()`s, briefly (for an assertion's message)."""
    out = []
    for key in want:
        if got.get(key) == want[key]:
            continue
        if key == "channels":
            out.append(f"channels only got: {sorted(set(got[key]) - set(want[key]))}")
            out.append(f"channels only wanted: {sorted(set(want[key]) - set(got[key]))}")
        else:
            out.append(f"{key}: got {got.get(key)}, wanted {want[key]}")
    return "\n".join(out)
