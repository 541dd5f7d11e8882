"""hackamore.compat against the 2014 framework's behaviour: its modules and return values,
its sources' internals, and the select()-driven reading that serves whichever source has
data. The hook sequence is test_compat_2014_hooks.py."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import hackamore
import pytest
from hackamore.compat import (
    Controller,
    End,
    Event,
    File,
    Manifold,
    Model,
    ModelCounter,
    ModelStandard,
    Multiplex,
    Serializer,
    Socket,
    Source,
    Trace,
    View,
    stdio,
)

from .conftest import FIXTURES, legacy

SAMPLE = b"OneOne: AlphaAlpha\r\nOneTwo: AlphaBeta\r\nOneThree: AlphaGamma\r\n\r\n"
SAMPLE += b"TwoOne: BetaAlpha\r\nTwoTwo: BetaBeta\r\n\r\nThreeOne: GammaAlpha\r\n"
SAMPLE += b"ThreeTwo: GammaBeta\r\nThreeThree: GammaGamma\r\n\r\nFourOne: DeltaAlpha\r\n\r\n"


@pytest.fixture
def sample(tmp_path: Path) -> str:
    path = tmp_path / "sample.txt"
    path.write_bytes(SAMPLE)
    return str(path)


class Streamer:
    """A peer that sends `data` to each client it accepts, then half-closes (as the
    2014 test servers did), and counts the clients; `silent` sends nothing. After
    `limit` clients it stops listening."""

    def __init__(self, data: bytes = b"", silent: bool = False, limit: int = 0) -> None:
        self.data, self.silent, self.limit = data, silent, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.clients = 0
        self.peers: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                peer, _ = self.listener.accept()
            except OSError:
                return
            self.clients += 1
            self.peers.append(peer)
            if not self.silent:
                peer.sendall(self.data)
                peer.shutdown(socket.SHUT_WR)
            if self.clients == self.limit:
                self.listener.close()
                return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        self.listener.close()
        self.thread.join(5)
        for p in self.peers:
            p.close()


# ----- modules and return values -----


def test_end_is_the_exception_of_an_ended_source_and_stdio_formats(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(End.End) as raised:
        raise End.End()
    assert isinstance(raised.value, Exception)
    assert repr(raised.value).endswith(".End()")
    assert stdio.printf("%s=%d\n", "x", 3) == 4
    out = io.StringIO()
    stdio.fprintf(out, "%-4s|", "ab")
    assert out.getvalue() == "ab  |"
    assert capsys.readouterr().out == "x=3\n"


def test_event_wraps_a_dict_with_its_logger_and_the_constants_are_the_2014_ones() -> None:
    logger = logging.getLogger("mine")
    e = Event.Event({"Event": "Hangup"}, logger)
    assert e.event == {"Event": "Hangup"} and e.logger is logger
    assert Event.Event(None).event is None and Event.Event({}).logger is not None
    assert repr(Event.Event({"a": "b"})) == "Event({'a': 'b'})"
    assert (Event.RESPONSE, Event.MESSAGE, Event.SUCCESS, Event.ERROR, Event.GOODBYE) == (
        "Response",
        "Message",
        "Success",
        "Error",
        "Goodbye",
    )
    assert Event.AUTHENTICATEDACCEPTED == "Authentication accepted"
    assert (Event.START, Event.STOP, Event.END, Event.TIME) == ("Start", "Stop", "END", "TIME")


def test_source_base_returns_what_the_2014_one_returned() -> None:
    source = Source.Source("pbx")
    assert source.pbx == "pbx" and source.event == {Event.SOURCE: "pbx"}
    for _ in range(2):
        assert source.open() is True and source.open() is False
        assert source.read() is None and not source.write("")
        assert source.get() is None
        assert source.put(()) is False  # the closing empty line cannot be written
        assert source.close() is True and source.close() is False
    assert source.fileno() == -1


def test_file_reads_lines_then_raises_end_and_gets_messages_with_time(sample: str) -> None:
    source = File.File("pbx", sample)
    assert source.file is None and source.path == sample
    assert source.open() is True and source.open() is False and source.file is not None
    lines = []
    while True:
        try:
            line = source.read()
        except End.End:
            break
        if line is not None:
            lines.append(line)
    assert lines[:4] == ["OneOne: AlphaAlpha", "OneTwo: AlphaBeta", "OneThree: AlphaGamma", ""]
    assert len(lines) == 13
    assert source.close() is True and source.close() is False and source.file is None
    assert source.open() is False  # a File is read once

    source = File.File("pbx", sample)
    source.open()
    events = []
    while not events or Event.END not in events[-1]:
        event = source.get()
        if event is not None:
            events.append(event)
    assert [len(e) for e in events] == [5, 4, 5, 3, 3]
    assert all(e[Event.SOURCE] == "pbx" and float(e[Event.TIME]) > 0 for e in events)
    assert events[0]["OneTwo"] == "AlphaBeta"
    assert events[-1][Event.END] == "5"
    source.close()


def test_file_get_with_a_multiplex_and_a_missing_file(sample: str) -> None:
    multiplex = Multiplex.Multiplex()
    source = File.File("pbx", sample)
    assert source.open()
    multiplex.register(source)
    got: list[dict[str, Any]] = []
    while not got or Event.END not in got[-1]:
        multiplex.service()
        event = source.get(multiplex)
        if event is not None:
            got.append(event)
    assert len(got) == 5
    source.close()
    missing = File.File("pbx", sample + ".missing")
    assert missing.open() is False and missing.fileno() == -1


def test_trace_reopens_where_it_stopped_forces_and_delivers_an_unterminated_last_message(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.trace"
    path.write_bytes(
        b"SOURCE: A\r\nTIME: 1.0\r\nEvent: One\r\n\r\n"
        b"SOURCE: A\r\nEND: 2\r\nTIME: 2.0\r\n\r\n"
        b"SOURCE: A\r\nTIME: 3.0\r\nEvent: Two\r\n\r\n"
        b"SOURCE: A\r\nEND: 4\r\nTIME: 4.0\r\n"  # no empty line after the last message
    )
    trace = Trace.Trace("A", str(path))
    assert trace.open() is True and trace.open() is False
    multiplex = Multiplex.Multiplex()
    multiplex.register(trace)
    seen: list[dict[str, Any]] = []
    for reopens in (True, False):
        for message in multiplex.multiplex():
            seen.append(message.event)
            if Event.END in message.event:
                break
        # Closed before the end of the file, it goes on; at the end it is done.
        assert trace.close() is True
        assert trace.open() is reopens
    assert [e.get("Event", e.get("END")) for e in seen] == ["One", "2", "Two", "4"]
    assert seen[-1] == {"SOURCE": "A", "END": "4", "TIME": "4.0"}
    assert trace.force() is False and trace.open() is False
    trace = Trace.Trace("A", str(path))
    assert trace.open() and trace.force() is True and trace.force() is False


def test_socket_keeps_its_arguments_and_assembles_lines_across_fragments() -> None:
    source = Socket.Socket("pbx", "user", "secret", "", "5038")
    assert (source.host, source.port, source.socket) == ("", "5038", None)
    source.assemble("OneOne: ")
    source.assemble("Alpha")
    assert (source.prefix, list(source.partial), list(source.queue)) == (
        "",
        ["OneOne: ", "Alpha"],
        [],
    )
    source.assemble(b"\r\nTwo: B\r")
    assert source.prefix == "Two: B\r" and list(source.queue) == ["OneOne: Alpha"]
    source.assemble("\nThree: \xe9\r\n\r\n")
    assert list(source.queue) == ["OneOne: Alpha", "Two: B", "Three: \xe9", ""]
    event = source.get(True)
    assert event is not None
    assert float(event.pop(Event.TIME)) == pytest.approx(time.time(), abs=60)
    assert event == {"SOURCE": "pbx", "OneOne": "Alpha", "Two": "B", "Three": "\xe9"}


def test_socket_open_is_false_when_refused_and_a_loop_ends_when_the_pbx_is_gone() -> None:
    gone = socket.create_server(("127.0.0.1", 0))
    port = gone.getsockname()[1]
    gone.close()
    source = Socket.Socket("pbx", "u", "s", "127.0.0.1", port)
    assert source.open() is False and source.socket is None
    assert source.read() is None and source.close() is False

    peer = Streamer(SAMPLE, limit=3)
    source = Socket.Socket("pbx", "u", "s", "127.0.0.1", str(peer.port))  # a port as text
    sources: list[Any] = [source]
    counter = ModelCounter.ModelCounter()
    Controller.Controller(
        Multiplex.Multiplex(), Manifold.Manifold(counter, View.View(counter))
    ).loop(sources, sources)
    # Reopened while the PBX answered, then the loop ended instead of reconnecting.
    assert sources == [source] and peer.clients == 3
    assert counter.counter[Event.END] == 3
    peer.close()


def test_a_socket_passes_on_every_message_before_the_login_answer() -> None:
    """The 2014 Socket sent its Login and handed out whatever came, answered or not."""
    peer = Streamer(SAMPLE)
    source = Socket.Socket("pbx", "u", "s", "127.0.0.1", peer.port)
    assert source.open() is True and source.open() is False
    events: list[dict[str, Any]] = []
    while not events or Event.END not in events[-1]:
        event = source.get()
        if event is not None:
            events.append(event)
    assert len(events) == 5 and events[-1][Event.END] == "5"
    assert all(Event.TIME in e for e in events)
    assert not source.authenticated
    assert source.close() is True and source.close() is False
    peer.close()


def test_multiplex_is_a_generator_a_caller_may_close() -> None:
    multiplex = Multiplex.Multiplex()
    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d) / "a", Path(d) / "b"
        a.write_bytes(SAMPLE)
        b.write_bytes(SAMPLE)
        sources = [File.File("a", str(a)), File.File("b", str(b))]
        for s in sources:
            s.open()
            multiplex.register(s)
        assert multiplex.query("a") is sources[0] and multiplex.active()
        messages = multiplex.multiplex()
        first = next(messages)
        assert isinstance(first, Event.Event) and first.event[Event.SOURCE] == "a"
        messages.close()
        with pytest.raises(StopIteration):
            next(messages)
        multiplex.deregister()
        assert not multiplex.active()
        for s in sources:
            s.close()


def test_modelcounter_counts_under_the_2014_keys() -> None:
    counter = ModelCounter.ModelCounter()
    Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(counter, None)).loop(
        [File.File("pbx", str(legacy("typescript.txt")))], []
    )
    assert set(counter.counter) == {
        Event.BRIDGE,
        Event.CONFBRIDGEEND,
        Event.CONFBRIDGEJOIN,
        Event.CONFBRIDGELEAVE,
        Event.CONFBRIDGESTART,
        Event.DIAL,
        Event.END,
        Event.HANGUP,
        Event.LOCALBRIDGE,
        Event.NEWCHANNEL,
        Event.NEWSTATE,
        Event.RENAME,
        Event.SIPCALLID,
        Event.HANGUPREQUEST,
        Event.START,
        Event.STOP,
        Event.NEWCALLERID,
        Event.SOFTHANGUPREQUEST,
    }
    assert (counter.counter[Event.START], counter.counter[Event.STOP]) == (4, 3)
    assert counter.counter[Event.BRIDGE] == 16  # Link and Unlink alike
    assert counter.counter[Event.DIAL] == 3  # SubEvent Begin only


def test_the_tracer_writes_only_handled_events_and_end(tmp_path: Path) -> None:
    path = tmp_path / "trace.txt"
    with open(path, "w") as tracer:
        model = Model.Model()
        manifold = Manifold.Manifold(model, View.View(model), tracer=tracer)
        Controller.Controller(Multiplex.Multiplex(), manifold).loop(
            [File.File("PBX", str(legacy("typescript.txt")))], []
        )
    trace = Trace.Trace("PBX", str(path))
    trace.open()
    multiplex = Multiplex.Multiplex()
    multiplex.register(trace)
    events = []
    for message in multiplex.multiplex():
        events.append(message.event)
        if Event.END in message.event:
            break
    assert len(events) == 253  # 252 handled events, then the END
    assert all(e[Event.SOURCE] == "PBX" and Event.TIME in e for e in events)
    assert events[-1][Event.END] == "358"
    trace.force()


def test_serializer_queues_what_the_manifold_handles() -> None:
    counter = ModelCounter.ModelCounter()
    manifold = Manifold.Manifold(counter, None)
    serializer = Serializer.Serializer(manifold)
    serializer.process({"SOURCE": "p", "Event": "Newexten"})  # not in the table: dropped
    serializer.process({"SOURCE": "p", "Event": "Hangup", "Channel": "c", "Uniqueid": "1"})
    serializer.process({"SOURCE": "p", "END": "3"})
    serializer.wait()
    assert counter.counter[Event.HANGUP] == 1 and counter.counter[Event.END] == 1
    assert serializer.backlog() == 0
    serializer.shutdown()


# ----- no source waits for another -----


def burst_seconds(read: Any, quiet: bool, tries: int = 3) -> float:
    """The least time (of `tries`) `read(burst_port, quiet_port or None)` takes to apply a
    burst of 137 recorded messages from one PBX, with or without a silent PBX beside."""
    capture = FIXTURES / "conference-pbx1.ami"
    best = float("inf")
    for _ in range(tries):
        burst = hackamore.ReplayServer(capture, username="u", secret="s")
        with tempfile.NamedTemporaryFile(suffix=".ami") as empty:
            silent = hackamore.ReplayServer(empty.name, username="u", secret="s", linger=True)
            try:
                best = min(best, read(burst.port, silent.port if quiet else None, silent))
            finally:
                burst.close()
                silent.close()
    return best


def compat_python_round(burst: int, quiet: int | None, silent: Any) -> float:
    model = ModelStandard.ModelStandard()
    ended: list[float] = []

    class Ends(View.View):
        def end(self, pbx: str) -> None:
            if pbx == "burst":
                ended.append(time.monotonic())
                silent.close()  # then the quiet one ends too

    sources: list[Any] = [Socket.Socket("burst", "u", "s", "127.0.0.1", burst)]
    if quiet is not None:
        sources.append(Socket.Socket("quiet", "u", "s", "127.0.0.1", quiet))
    start = time.monotonic()
    Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, Ends(model))).loop(
        sources, []
    )
    return ended[0] - start


def compat_native_round(burst: int, quiet: int | None, silent: Any) -> float:
    model = ModelStandard.ModelStandard()
    sources: list[Any] = [Socket.Socket("burst", "u", "s", "127.0.0.1", burst)]
    if quiet is not None:
        sources.append(Socket.Socket("quiet", "u", "s", "127.0.0.1", quiet))
    outputs: list[Any] = []
    controller = Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, None))
    for s in sources:
        assert s.open()
        controller.multiplex.register(s)
    assert controller._natively()
    start = time.monotonic()
    thread = threading.Thread(target=controller.loop, args=([], outputs))
    thread.start()
    while not outputs:
        time.sleep(0.001)
    took = time.monotonic() - start
    assert outputs[0].pbx == "burst"
    silent.close()
    thread.join(10)
    return took


def native_consume(burst: int, quiet: int | None, silent: Any) -> float:
    ended: list[float] = []

    def on_end(change: Any) -> None:
        if change.pbx == "burst":
            ended.append(time.monotonic())
            silent.close()

    model = hackamore.Model(hooks={"end": on_end})
    connections = []
    if quiet is not None:
        quiet_connection = hackamore.Server("quiet", "127.0.0.1", quiet, "u", "s").connect()
        assert quiet_connection.poll(5) is not None  # logged in: silent from now on
        connections.append(quiet_connection)
    connections.insert(0, hackamore.Server("burst", "127.0.0.1", burst, "u", "s").connect())
    start = time.monotonic()
    model.consume(connections)
    return ended[0] - start


@pytest.mark.parametrize(
    "read", [compat_python_round, compat_native_round, native_consume], ids=lambda f: f.__name__
)
def test_a_burst_beside_a_silent_pbx_is_read_as_fast_as_alone(read: Any) -> None:
    alone = burst_seconds(read, quiet=False)
    beside = burst_seconds(read, quiet=True)
    assert beside < alone + 0.1, (alone, beside)


def test_a_source_read_natively_then_in_python_gives_2014_messages(sample: str) -> None:
    """A source a native round started reading goes on through its native reader when a
    later round is read in Python (a source that must be read in Python joined)."""
    source = File.File("pbx", sample)
    source.open()
    source._native_reader()
    got = [source.get() for _ in range(5)]
    assert [next(iter(e)) for e in got if e] == ["SOURCE"] * 5
    assert all(e is not None and Event.TIME in e for e in got)
    assert got[0] is not None and got[0]["OneTwo"] == "AlphaBeta"
    assert got[-1] is not None and got[-1][Event.END] == "5" and source.get() is None
    source.close()
    peer = Streamer(SAMPLE)
    sock = Socket.Socket("pbx", "u", "s", "127.0.0.1", peer.port)
    assert sock.open()
    sock._native_reader()
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while (not events or Event.END not in events[-1]) and time.monotonic() < deadline:
        event = sock.get()
        if event is not None:
            events.append(event)
    assert [e.get("OneOne") for e in events][:1] == ["AlphaAlpha"] and len(events) == 5
    sock.close()
    peer.close()


def test_reading_natively_needs_the_base_classes_and_sources_not_read_in_python(
    sample: str,
) -> None:
    model = ModelStandard.ModelStandard()
    fresh = File.File("pbx", sample)
    fresh.open()
    controller = Controller.Controller(
        Multiplex.Multiplex(), Manifold.Manifold(model, View.View(model))
    )
    controller.multiplex.register(fresh)
    assert controller._natively()
    fresh.get()  # read in Python: the native reader would start over
    assert not controller._natively()
    fresh.close()
    debug = View.View(model, logger=logging.getLogger("debugging"))
    debug.logger.setLevel(logging.DEBUG)
    for manifold in (Manifold.Manifold(model, debug), Manifold.Manifold(Model.Model(), None)):
        other = File.File("pbx", sample)
        other.open()
        c = Controller.Controller(Multiplex.Multiplex(), manifold)
        c.multiplex.register(other)
        assert not c._natively()
        other.close()
    assert os.path.exists(sample)
