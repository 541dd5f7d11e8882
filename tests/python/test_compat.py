"""The migration layer: old module names, signatures and behaviour."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import hackamore
import pytest
from hackamore.compat import (
    Channel,
    Controller,
    Credentials,
    Event,
    File,
    Manifold,
    Model,
    ModelCounter,
    ModelStandard,
    Multiplex,
    Trace,
    View,
    ViewCurses,
    ViewPrint,
)

from .checkpoints import CheckingManifold
from .compat_record import Recorder, state
from .conftest import FIXTURES, legacy

FIXTURE_FILES = sorted(FIXTURES.glob("*.ami")) + sorted(FIXTURES.glob("*.trace"))


def run_loop(manifold: Any, sources: list[Any]) -> list[Any]:
    outputs: list[Any] = []
    Controller.Controller(Multiplex.Multiplex(), manifold).loop(list(sources), outputs)
    return outputs


def source_for(path: Path) -> Any:
    return (
        Trace.Trace("trace", str(path)) if path.suffix == ".trace" else File.File("pbx", str(path))
    )


def test_every_fixture_agrees_with_every_checkpoint_through_compat() -> None:
    total: dict[str, int] = {}
    errors: list[str] = []
    assert len(FIXTURE_FILES) == 60
    for path in FIXTURE_FILES:
        model = ModelStandard.ModelStandard()
        manifold = CheckingManifold(model)
        outputs = run_loop(manifold, [source_for(path)])
        assert len(outputs) == 1
        assert manifold.checked > 0, path.name
        for kind, n in manifold.kinds.items():
            total[kind] = total.get(kind, 0) + n
        errors += [f"{path.name}: {e}" for e in manifold.errors]
        assert model.channels == {} and model.calls == [], path.name
    assert errors == []
    # Each answer is checked in the PBX's own capture and again in the merged trace.
    assert total == {"truth": 644, "conf": 644, "parked": 564}


def test_merged_trace_with_its_own_name_among_the_pbxes() -> None:
    # The old framework crashed on an END naming a PBX other than the trace's own.
    model = ModelStandard.ModelStandard()
    manifold = CheckingManifold(model)
    outputs = run_loop(manifold, [Trace.Trace("pbx1", str(FIXTURES / "cross-pbx.trace"))])
    assert len(outputs) == 1 and manifold.errors == [] and manifold.checked > 0


def test_legacy_capture_through_controller_manifold_modelstandard_and_a_view() -> None:
    path = legacy("typescript.txt")
    model = ModelStandard.ModelStandard()
    view = Recorder(model)
    outputs = run_loop(Manifold.Manifold(model, view), [File.File("PBX", str(path))])
    hooks = view.hooks()
    # display() right after every handled event.
    names = [r[0] for r in view.records]
    assert all(names[i + 1] == "display" for i, n in enumerate(names) if n != "display")
    assert names.count("display") == len(hooks)
    # DTMF events carry End: Yes/No; only the source's own END ends the PBX.
    assert b"\r\nEnd: Yes\r\n" in path.read_bytes()
    assert hooks.count("end") == 1 and hooks[-1] == "end"
    assert [r[1:] for r in view.records if r[0] == "end"] == [["PBX"]]
    assert len(outputs) == 1
    assert model.channels == {} and model.calls == [] and model.bridges == {}
    assert model.trunks == {} and model.numbers == {}


def test_legacy_capture_model_state_midway() -> None:
    """Containers have the old shapes while calls are up."""
    path = legacy("typescript.txt")
    model = ModelStandard.ModelStandard()
    snapshots: list[Any] = []

    class Peek(View.View):
        def display(self) -> None:
            if model.calls:
                snapshots.append((dict(model.channels), list(model.calls)))

    run_loop(Manifold.Manifold(model, Peek(model)), [File.File("PBX", str(path))])
    channels, calls = snapshots[len(snapshots) // 2]
    chan = next(iter(channels["PBX"].values()))
    assert isinstance(chan, Channel.Channel) and chan.pbx == "PBX"
    assert Channel.ROLE[chan.role] in Channel.ROLE
    for call in calls:
        assert all(c.call is call for c in call)


def test_native_fast_path_applies_what_the_python_path_applies() -> None:
    """Controller.loop reads natively for the base classes; a View subclass makes it read
    in Python. Both leave the same model after every fixture (Model.version counts the
    changes applied)."""
    for path in FIXTURE_FILES:
        fast = ModelStandard.ModelStandard()
        ctl = Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(fast, View.View(fast)))
        source = source_for(path)
        assert source.open()
        ctl.multiplex.register(source)
        assert ctl._natively()
        ctl.loop([], [])
        slow = ModelStandard.ModelStandard()
        run_loop(Manifold.Manifold(slow, Recorder(slow)), [source_for(path)])
        assert fast.version == slow.version > 0, path.name
        assert fast.sizes() == slow.sizes() and state(fast) == state(slow)


def test_modelcounter_counts_each_hook() -> None:
    counter = ModelCounter.ModelCounter()
    run_loop(
        Manifold.Manifold(counter, View.View(counter)),
        [File.File("pbx", str(FIXTURES / "conference-pbx1.ami"))],
    )
    events = list(hackamore.File("pbx", FIXTURES / "conference-pbx1.ami"))
    assert counter.counter[Event.NEWCHANNEL] == sum(e.name == "Newchannel" for e in events)
    assert counter.counter[Event.HANGUP] == sum(e.name == "Hangup" for e in events)
    assert counter.counter[Event.CONFBRIDGEJOIN] == 3
    assert counter.counter[Event.END] == 1
    assert counter.channels == {}  # the base Model changes nothing


def test_viewprint_layout() -> None:
    model = ModelStandard.ModelStandard()
    out = io.StringIO()
    view = ViewPrint.ViewPrint(model, out=out)
    model_events = [
        {
            "Event": "Newchannel",
            "Channel": "SIP/100-1",
            "CallerIDNum": "100",
            "ChannelState": "4",
            "ChannelStateDesc": "Ring",
            "Uniqueid": "1.1",
            "SOURCE": "pbx1",
        },
        {
            "Event": "Newchannel",
            "Channel": "SIP/200-2",
            "CallerIDNum": "200",
            "ChannelState": "0",
            "ChannelStateDesc": "Down",
            "Uniqueid": "1.2",
            "SOURCE": "pbx1",
        },
        {
            "Event": "Dial",
            "SubEvent": "Begin",
            "Channel": "SIP/100-1",
            "UniqueID": "1.1",
            "Destination": "SIP/200-2",
            "DestUniqueID": "1.2",
            "SOURCE": "pbx1",
        },
        {
            "Event": "VarSet",
            "Channel": "SIP/100-1",
            "Uniqueid": "1.1",
            "Variable": "SIPCALLID",
            "Value": "abc123@10.0.0.1",
            "SOURCE": "pbx1",
        },
        {
            "Event": "Bridge",
            "Bridgestate": "Link",
            "Channel1": "SIP/100-1",
            "Channel2": "SIP/200-2",
            "Uniqueid1": "1.1",
            "Uniqueid2": "1.2",
            "CallerID1": "100",
            "CallerID2": "200",
            "SOURCE": "pbx1",
        },
    ]
    manifold = Manifold.Manifold(model, view)
    for e in model_events:
        manifold.process(e)
    lines = out.getvalue().splitlines()
    assert lines[0] == "EVENT 0 Newchannel pbx1 1.1 SIP/100-1 100 4 Ring"
    assert "EVENT 2 Dial pbx1 1.1 SIP/100-1 1.2 SIP/200-2" in lines
    assert "EVENT 3 SIPCALLID pbx1 1.1 SIP/100-1 abc123@10.0.0.1" in lines
    assert "EVENT 4 Bridge pbx1 1.1 SIP/100-1 100 1.2 SIP/200-2 200" in lines
    header = lines[1]
    assert header.split() == [
        "VIEW",
        "SOURCE",
        "UNIQUEID",
        "CHANNEL",
        "CALLERID",
        "ROLE",
        "ACTIVITY",
        "STATE",
        "BRIDGE",
        "CALL",
        "SIPCALLID",
    ]
    # Left-aligned columns: 4, then 16, 16, 64, 16, 8, 8, 8, 8, 12 (one space apart).
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    assert starts == [0, 5, 22, 39, 104, 121, 130, 139, 148, 157, 170]
    last_table = lines[lines.index("EVENT 4 Bridge pbx1 1.1 SIP/100-1 100 1.2 SIP/200-2 200") + 1 :]
    assert last_table[1] == " CHANNELS"
    row = last_table[2]
    call = hex(id(model.calls[0]))  # the call list's id, as in the 2014 view
    assert row[5:].split() == [
        "pbx1",
        "1.1",
        "SIP/100-1",
        "100",
        "CALLING",
        "IDLE",
        "Ring",
        "None",  # no conference
        call,
        "abc123",  # SIPCALLID shows the part before '@'
    ]
    assert last_table[3][5:].split()[7:9] == ["None", call]
    # Only sections with something in them (no conference room here).
    sections = [line for line in last_table if line.startswith(" ") and not line.startswith("    ")]
    assert sections == [" CHANNELS", " CALL", " TRUNKS", " NUMBERS"]


def test_viewcurses_clears_before_each_event() -> None:
    model = ModelStandard.ModelStandard()
    out = io.StringIO()
    manifold = Manifold.Manifold(model, ViewCurses.ViewCurses(model, out=out))
    manifold.process(
        {
            "Event": "Newchannel",
            "Channel": "SIP/1",
            "Uniqueid": "1",
            "SOURCE": "p",
            "CallerIDNum": "",
            "ChannelState": "0",
            "ChannelStateDesc": "Down",
        }
    )
    assert out.getvalue().startswith("\x1b[2J\x1b[1;1HEVENT 0 Newchannel p 1 SIP/1")


def test_model_subclass_of_modelstandard_is_called_and_can_delegate() -> None:
    seen: list[str] = []

    class Mine(ModelStandard.ModelStandard):
        def hangup(self, pbx: str, uniqueid: str) -> None:
            seen.append(uniqueid)
            ModelStandard.ModelStandard.hangup(self, pbx, uniqueid)

    model = Mine()
    run_loop(
        Manifold.Manifold(model, View.View(model)),
        [File.File("pbx", str(FIXTURES / "basic-pbx1.ami"))],
    )
    assert len(seen) == sum(
        e.name == "Hangup" for e in hackamore.File("p", FIXTURES / "basic-pbx1.ami")
    )
    assert model.channels == {}
    assert isinstance(model, Model.Model)


def test_credentials_dotfile_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotfile = tmp_path / Credentials.DOTFILE
    dotfile.write_text(
        "# comment line\n\n  COM_DIAG_HACKAMORE_NAME1 = pbx1  \nEMPTY =\n"
        "COM_DIAG_HACKAMORE_SECRET1=s=e=c # trailing comment\nBOTH=file\n"
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BOTH", "environment")
    monkeypatch.delenv("COM_DIAG_HACKAMORE_NAME1", raising=False)
    assert Credentials.credential("COM_DIAG_HACKAMORE_NAME1") == "pbx1"
    assert Credentials.credential("EMPTY") == ""
    assert Credentials.credential("COM_DIAG_HACKAMORE_SECRET1") == "s=e=c"
    assert Credentials.credential("BOTH") == "environment"
    assert Credentials.credential("MISSING") is None
    assert Credentials.credential("MISSING", "dflt") == "dflt"


OLD_SCRIPTS = {
    "subclass_model_and_view": """
        import sys
        from com.diag.hackamore import File, Model, View, Manifold, Multiplex, Controller

        class Tally(Model.Model):
            def __init__(self):
                Model.Model.__init__(self)
                self.live = set()
            def newchannel(self, pbx, uniqueid, channel, calleridnum, channelstate, channelstatedesc):
                self.live.add(uniqueid)
            def hangup(self, pbx, uniqueid):
                self.live.discard(uniqueid)

        class Hangups(View.View):
            def hangup(self, pbx, uniqueid, channel):
                print("HANGUP", pbx, uniqueid, channel)

        model = Tally()
        view = Hangups(model)
        manifold = Manifold.Manifold(model, view)
        controller = Controller.Controller(Multiplex.Multiplex(), manifold)
        inputs = [File.File("PBX", sys.argv[1])]
        outputs = []
        controller.loop(inputs, outputs)
        print("LIVE", len(model.live), "ENDED", len(outputs))
    """,
    "modelcounter": """
        import sys
        from com.diag.hackamore import Event, File, ModelCounter, Manifold, Multiplex, Controller
        model = ModelCounter.ModelCounter()
        Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, None)).loop(
            [File.File("PBX", sys.argv[1])], [])
        print("NEWCHANNEL", model.counter[Event.NEWCHANNEL], "HANGUP", model.counter[Event.HANGUP])
    """,
    "viewprint": """
        import sys
        from com.diag.hackamore import File, ModelStandard, ViewPrint, Manifold, Multiplex, Controller
        model = ModelStandard.ModelStandard()
        view = ViewPrint.ViewPrint(model)
        Controller.Controller(Multiplex.Multiplex(), Manifold.Manifold(model, view)).loop(
            [File.File("PBX", sys.argv[1])], [])
        print("CHANNELS", len(model.channels))
    """,
    "credentials": """
        from com.diag.hackamore import Credentials, Configure
        print("NAME", Credentials.credential("COM_DIAG_HACKAMORE_NAME1"))
        print("SERVERS", [repr(s) for s in Configure.servers()])
    """,
}


def run_old_script(name: str, *args: str, env: dict[str, str] | None = None) -> str:
    code = textwrap.dedent(OLD_SCRIPTS[name]).replace("com.diag.hackamore", "hackamore.compat")
    r = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "topsecret" not in r.stderr  # the 2014 Configure logged the secret
    return r.stdout


def test_old_scripts_run_unchanged_but_for_the_import_prefix(tmp_path: Path) -> None:
    capture = str(FIXTURES / "conference-pbx1.ami")
    events = list(hackamore.File("p", FIXTURES / "conference-pbx1.ami"))
    hangups = sum(e.name == "Hangup" for e in events)
    news = sum(e.name == "Newchannel" for e in events)

    out = run_old_script("subclass_model_and_view", capture)
    assert out.count("HANGUP PBX ") == hangups
    assert out.strip().endswith("LIVE 0 ENDED 1")

    out = run_old_script("modelcounter", capture)
    assert out.strip() == f"NEWCHANNEL {news} HANGUP {hangups}"

    out = run_old_script("viewprint", capture)
    assert out.startswith("EVENT 0 Newchannel PBX ")
    assert out.count("VIEW SOURCE") == out.count("EVENT ")
    assert out.strip().endswith("CHANNELS 0")

    (tmp_path / ".com_diag_hackamore").write_text(
        "COM_DIAG_HACKAMORE_NAME1=alpha\nCOM_DIAG_HACKAMORE_PORT1=5039\n"
        "COM_DIAG_HACKAMORE_USERNAME1=admin\nCOM_DIAG_HACKAMORE_SECRET1=topsecret\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COM_DIAG_HACKAMORE_")}
    env["HOME"] = str(tmp_path)
    out = run_old_script("credentials", env=env)
    assert "NAME alpha" in out
    assert "Source(alpha).Socket(127.0.0.1,5039)" in out
    assert "topsecret" not in out
