"""The Python AMI libraries a user would otherwise pick, reading the same bytes as
hackamore, each through its own parsing code as it runs on a live connection:

- panoramisk (asyncio): ``AMIProtocol.data_received`` on chunks as a transport hands
  them over, each message dispatched to its manager (here a counter);
- asterisk-ami (threads): ``AMIClient.listen`` reading a socket (here the bytes, handed
  over in its own 1 KiB reads), each event fired to a listener.

Installed by ``pip install hackamore[bench]``; ``bench.py`` prints their rates beside
hackamore's Python iteration (an ``Event`` per message) on the same capture.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

CHUNK = 64 * 1024


def panoramisk_messages(data: bytes) -> int:
    from panoramisk.ami_protocol import AMIProtocol  # type: ignore[import-not-found]

    class Factory:
        save_stream = None
        n = 0

        def dispatch(self, message: Any) -> None:
            self.n += 1

    protocol = AMIProtocol()
    protocol.closed = False
    protocol.queue = deque()
    protocol.responses = {}
    protocol.factory = Factory()
    protocol.version = None
    protocol.log = logging.getLogger("peers.panoramisk")
    view = memoryview(data)
    for at in range(0, len(data), CHUNK):
        protocol.data_received(bytes(view[at : at + CHUNK]))
    return int(protocol.factory.n)


def asterisk_ami_events(data: bytes) -> int:
    from asterisk.ami import AMIClient  # type: ignore[import-not-found]

    class Socket:
        """What AMIClient reads: the banner, then the bytes, then the end."""

        def __init__(self, payload: bytes) -> None:
            self.view = memoryview(b"Asterisk Call Manager/13.0.0\r\n" + payload)
            self.at = 0

        def recv(self, n: int) -> bytes:
            out = bytes(self.view[self.at : self.at + n])
            self.at += len(out)
            return out

        def close(self) -> None:
            pass

    count = 0

    def on_event(event: Any, source: Any) -> None:
        nonlocal count
        count += 1

    client = AMIClient()
    client._socket = Socket(data)
    client.finished = threading.Event()
    client.add_event_listener(on_event)
    client.listen()
    return count


PEERS = {"panoramisk": panoramisk_messages, "asterisk-ami": asterisk_ami_events}


def without_goodbyes(data: bytes) -> bytes:
    """The bytes less the answers to Logoff, at which asterisk-ami stops reading."""
    return b"\r\n\r\n".join(m for m in data.split(b"\r\n\r\n") if b"Response: Goodbye" not in m)


def peer_rates(data: bytes, messages: int, runs: int) -> dict[str, tuple[float, int] | str]:
    """Each peer's (messages of `data` per second, messages it handed on), or why it
    could not run. `data` holds `messages` messages and no Logoff answer."""
    out: dict[str, tuple[float, int] | str] = {}
    for name, parse in PEERS.items():
        try:
            times, n = [], 0
            for _ in range(runs):
                t = time.perf_counter()
                n = parse(data)
                times.append(time.perf_counter() - t)
            out[name] = (messages / sorted(times)[len(times) // 2], n)
        except ImportError:
            out[name] = "not installed (pip install hackamore[bench])"
    return out
