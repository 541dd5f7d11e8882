"""``hackamore.Engine``: watch PBXes (and captures) and keep a Model live."""

from __future__ import annotations

import atexit
import math
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterable
from types import TracebackType

from hackamore._native import Change, Event, File, Model, Server, Trace, _Engine

# Not `typing.TYPE_CHECKING`: importing typing costs `import hackamore` milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from typing import Any

_DONE = object()

# Engines started and not finished, for the exit handler.
_running: weakref.WeakSet[Engine] = weakref.WeakSet()


@atexit.register
def _stop_engines() -> None:
    """At exit, stop the engines still running and wait for them (2 s at most), their
    queued hooks included; past that, the hooks still queued are dropped and the hook
    thread waited for. The interpreter would end that thread in a way the native frames
    it waits in cannot unwind: the process aborts."""
    engines = list(_running)
    for engine in engines:
        engine.stop()
    deadline = time.monotonic() + 2.0
    for engine in engines:
        if not engine.join(max(0.0, deadline - time.monotonic())):
            # Hooks still queued after 2 s are dropped: the hook thread must have left
            # the native dispatch before the interpreter goes.
            engine._native._abandon()
            if engine._dispatcher is not None:
                engine._dispatcher.join(1.0)


class Engine:
    """Read every source into one model.

    ``sources``: ``Server`` objects (a connection each, reconnected with exponential
    backoff and jitter from ``backoff`` up to ``backoff_max`` seconds after it drops or
    is refused; the model first drops that PBX's channels), and ``File``/``Trace``
    captures (read once). ``threaded=False`` runs one native thread that polls every
    socket (the old Main); ``threaded=True`` a native reader thread per source and one
    model thread (the old Mains; on Linux the readers run at nice +10, below the model
    thread, so they never starve it of CPU). Either way the readers never wait for Python: the model
    is updated natively and only changes with a hook are queued for Python.

    Give ``model`` (a ``hackamore.Model`` with its hooks) or ``hooks`` (then a new Model
    is made). ``run()`` blocks until every source has ended (servers only end when
    stopped) and runs the hooks in the calling thread; Ctrl-C stops it within a second.
    ``start()`` runs in the background (hooks in a Python thread); ``stop()`` from any
    thread; ``with Engine(...) as engine:`` starts and stops it. asyncio code iterates
    ``engine.changes()``.
    """

    def __init__(
        self,
        sources: Iterable[Server | File | Trace],
        model: Model | None = None,
        hooks: Any = None,
        *,
        threaded: bool = False,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        if model is not None and hooks is not None:
            raise ValueError("give the hooks to the Model, or give no Model")
        self.model: Model = Model(hooks=hooks) if model is None else model
        self.threaded = threaded
        self._native = _Engine(list(sources), self.model, threaded, backoff, backoff_max)
        self._dispatcher: threading.Thread | None = None
        self._listeners: list[Callable[[Any], None]] = []
        self._lock = threading.Lock()
        self._done = False

    def __repr__(self) -> str:
        kind = "threaded" if self.threaded else "single-thread"
        return f"<hackamore.Engine {kind} {self.model!r}>"

    def run(self) -> None:
        """Run until every source has ended or ``stop()``; hooks run in this thread."""
        self._native.start()
        try:
            while self._native.dispatch(0.1):
                pass
        except KeyboardInterrupt:
            # Ctrl-C: stop, and still run the hooks of what stopping changed (each PBX's
            # end: every PBX logs off at once, waiting a quarter of a second at most for
            # its Goodbye), so a consumer learns that its PBXes ended; within a second.
            self.stop()
            self._last_hooks(0.9)
            self._native.join(0.1)
            raise
        except BaseException:
            self.stop()
            self._native.join(1.0)
            raise
        finally:
            self._finished()
        self._native.join()

    def _last_hooks(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end and self._native.dispatch(0.05):
                pass
        except Exception:  # a hook that fails now changes nothing: we are stopping
            pass

    def start(self) -> Engine:
        """Run in the background; hooks run in a Python thread of the engine's. One
        still running when the program exits is stopped then (its last hooks run)."""
        self._native.start()
        with self._lock:
            if not self._done:
                _running.add(self)
        if self._dispatcher is None:
            self._dispatcher = threading.Thread(
                target=self._dispatch, name="hackamore-hooks", daemon=True
            )
            self._dispatcher.start()
        return self

    def _dispatch(self) -> None:
        try:
            while self._native.dispatch(0.1):
                pass
        except BaseException:
            # A hook raised SystemExit (or KeyboardInterrupt): without hooks running, the
            # engine must not go on reading.
            self.stop()
            raise
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._lock:
            self._done = True
            listeners = list(self._listeners)
        _running.discard(self)
        for put in listeners:
            put(_DONE)

    def _fan_out(self, change: Change) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for put in listeners:
            put(change)

    def subscribe(
        self, callback: Callable[[Change], None], ended: Callable[[], None] | None = None
    ) -> None:
        """Call `callback` with every model change, hooked or not, in the hook thread
        (after the change's hook), and `ended` once the engine has finished. Subscribe
        before ``start()`` to miss nothing."""

        def put(item: Any) -> None:
            if item is _DONE:
                if ended is not None:
                    ended()
            else:
                callback(item)

        with self._lock:
            if self._done:
                if ended is not None:
                    ended()
                return
            self._listeners.append(put)
            if len(self._listeners) == 1:
                self.model._listen(self._fan_out)

    def publish(self, broker: Any, **options: Any) -> Any:
        """Publish every model change to NATS JetStream (see
        :class:`hackamore.distributed.Publisher`, which takes the `options`), until the
        engine has finished; returns the Publisher. Call it before ``start()``."""
        from hackamore.distributed import Publisher

        def logins() -> dict[str, int]:
            """Each PBX's logins so far: a PBX's state goes out after each."""
            feeds = self._native.stats()["feeds"]
            return {name: feed["connects"] for name, feed in feeds.items()}

        options.setdefault("logins", logins)
        publisher = Publisher(broker, model=self.model, **options)
        # The engine ends when stopped (Ctrl-C): what the broker has not acknowledged
        # half a second later is logged as lost rather than waited for.
        self.subscribe(publisher.publish, lambda: publisher.close(timeout=0.5))
        return publisher

    def changes(self) -> AsyncIterator[Change]:
        """Every model change as it happens, for asyncio code::

            async for change in engine.changes():
                ...

        Call it from the event loop. It starts the engine if it is not running yet, after
        subscribing, so no change is missed. The loop never blocks: changes come from the
        engine's hook thread through ``call_soon_threadsafe``. The iteration ends when the
        engine has finished (after ``stop()``). Several iterations may run at once; each
        sees every change made while it exists."""
        import asyncio  # here: a program that never iterates changes never imports it

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop has closed: nobody is listening any more
                pass

        with self._lock:
            if self._done:
                queue.put_nowait(_DONE)
            else:
                self._listeners.append(put)
                if len(self._listeners) == 1:
                    self.model._listen(self._fan_out)
        if self._dispatcher is None and not self._done:
            self.start()
        return self._drain(queue, put)

    async def _drain(
        self, queue: asyncio.Queue[Any], put: Callable[[Any], None]
    ) -> AsyncIterator[Change]:
        try:
            while (item := await queue.get()) is not _DONE:
                yield item
        finally:
            with self._lock:
                if put in self._listeners:
                    self._listeners.remove(put)
                if not self._listeners:
                    self.model._listen(None)

    def action(
        self, pbx: str, name: str, /, *, timeout: float = 10.0, **fields: object
    ) -> tuple[Event, list[Event]]:
        """Send an action to the server named `pbx` and wait for its answer, as
        :meth:`hackamore.Connection.action` does (sent once that PBX is logged in). Any
        thread, once started; answers never reach the model or the hooks."""
        return self._native.action(pbx, name, timeout=timeout, **fields)

    def stop(self) -> None:
        """Stop: connections log off, nothing reconnects. Returns at once."""
        self._native.stop()

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds (None or infinity: no limit) for the engine and
        the hooks queued before it ended; True when done."""
        done = self._native.join(timeout)  # checks `timeout` (ArgumentError, TypeError)
        if done and self._dispatcher is not None:
            limited = timeout is not None and not math.isinf(timeout)
            self._dispatcher.join(timeout if limited else None)
            return not self._dispatcher.is_alive()
        return bool(done)

    def stats(self) -> dict[str, Any]:
        """Per source: messages, attempts, connects, disconnects, auth_failures, errors,
        outgoing (bytes of actions its PBX has not taken yet);
        and the reader-to-model queue (``queued``, ``queue_peak``), ``hooks_pending``."""
        stats: dict[str, Any] = self._native.stats()
        return stats

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.join(5.0)
