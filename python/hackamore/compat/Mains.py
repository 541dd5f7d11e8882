"""Mains: a thread per PBX, each with its own Controller, all feeding one Serializer in
front of one Manifold (``python -m hackamore.compat.Mains``)."""

from __future__ import annotations

import threading
from typing import Any

from hackamore.compat import Main
from hackamore.compat.Controller import Controller
from hackamore.compat.Multiplex import Multiplex
from hackamore.compat.Serializer import Serializer
from hackamore.compat.Source import Source


def body(manifold: Any, inputs: list[Source], outputs: list[Source]) -> None:
    """One thread per source, each looping its source into a shared Serializer."""
    serializer = Serializer(manifold)
    lock = threading.Lock()

    def run(source: Source) -> None:
        done: list[Source] = []
        Controller(Multiplex(), serializer).loop([source], done)
        with lock:
            outputs.extend(done)

    threads = [threading.Thread(target=run, args=(s,), name=f"Mains-{s.name}") for s in inputs]
    inputs_copy = list(inputs)
    for s in inputs_copy:
        inputs.remove(s)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    serializer.wait()
    serializer.shutdown()


def main() -> int:
    return Main.loop("Mains", body)


if __name__ == "__main__":
    raise SystemExit(main())
