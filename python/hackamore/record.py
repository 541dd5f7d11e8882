"""``hackamore record``: write what each PBX sends to a capture file that ``replay`` and
:class:`hackamore.File` read back, and every PBX merged, in arrival order, into one
Trace (the old framework's format: ``SOURCE`` and ``TIME`` added to each message, one
``END`` per PBX at the end)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import hackamore

log = logging.getLogger("hackamore.record")

TRACE = "merged.trace"


def _trace_message(event: hackamore.Event, pbx: str) -> bytes:
    wire = event.to_wire()[:-2]  # without its blank line: SOURCE and TIME go last
    return wire + f"SOURCE: {pbx}\r\nTIME: {time.time():.6f}\r\n\r\n".encode()


class Recorder:
    """Records the connections of `servers` into `directory`: `<name>.ami` per PBX (a new
    file per connection after the first: `<name>.1.ami`...) and `merged.trace`."""

    def __init__(self, servers: Iterable[hackamore.Server], directory: Path) -> None:
        self.servers = list(servers)
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.trace = (directory / TRACE).open("wb")
        self.counts = {s.name: 0 for s in self.servers}
        self.connections = {s.name: 0 for s in self.servers}

    def _open_capture(self, server: hackamore.Server) -> BinaryIO:
        n = self.connections[server.name]
        self.connections[server.name] += 1
        name = f"{server.name}.ami" if n == 0 else f"{server.name}.{n}.ami"
        return (self.directory / name).open("wb")

    def run(self, once: bool = False, backoff: float = 1.0) -> dict[str, int]:
        """Record until Ctrl-C (or, with `once`, until every PBX has ended once); returns
        the messages recorded per PBX."""
        live: dict[str, tuple[hackamore.Connection, BinaryIO]] = {}
        retry: dict[str, float] = {s.name: 0.0 for s in self.servers}
        done: set[str] = set()
        by_name = {s.name: s for s in self.servers}
        try:
            while len(done) < len(self.servers):
                now = time.monotonic()
                for name, at in list(retry.items()):
                    if at <= now:
                        del retry[name]
                        live[name] = (by_name[name].connect(), self._open_capture(by_name[name]))
                if not live:
                    time.sleep(0.05)
                    continue
                idle = True
                for name, (conn, capture) in list(live.items()):
                    event = conn.poll(0.0)
                    if event is None:
                        continue
                    idle = False
                    if event.is_end:
                        capture.close()
                        del live[name]
                        if once:
                            done.add(name)
                        else:
                            retry[name] = time.monotonic() + backoff
                        continue
                    if capture.tell() == 0 and conn.banner:
                        capture.write(conn.banner.encode() + b"\r\n")
                    capture.write(event.to_wire())
                    self.trace.write(_trace_message(event, name))
                    self.counts[name] += 1
                if idle:
                    time.sleep(0.005)
        finally:
            for conn, capture in live.values():
                conn.close()
                capture.close()
            self.close()
        return self.counts

    def close(self) -> None:
        if not self.trace.closed:
            for name, count in self.counts.items():
                end = f"END: {count + 1}\r\nSOURCE: {name}\r\nTIME: {time.time():.6f}\r\n\r\n"
                self.trace.write(end.encode())
            self.trace.close()
