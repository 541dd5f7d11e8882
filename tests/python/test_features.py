"""What offices and call centres do, from the recorded captures: parking lots, queues,
transfers; and how the model, its hooks and the live view show them."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from typing import Any

import hackamore
from hackamore.cli import LiveView

from .conftest import FIXTURES


def replay(name: str, hooks: dict[str, Any]) -> hackamore.Model:
    model = hackamore.Model(hooks=hooks)
    model.consume(hackamore.File("pbx1", FIXTURES / name))
    return model


def test_two_callers_parked_at_once_are_on_two_calls_in_one_lot() -> None:
    seen: list[dict[str, Any]] = []
    model: hackamore.Model

    def look(change: hackamore.Change) -> None:
        lot = model.parked().get("pbx1", [])
        if len(lot) == 2:
            a, b = (model.channel("pbx1", p["uniqueid"]) for p in lot)
            assert a is not None and b is not None
            bridge = model.bridges()["pbx1"].get(a.bridge or "", {})
            seen.append(
                {
                    "lot": lot,
                    "calls": (a.call, b.call),
                    "bridges": (a.bridge, b.bridge),
                    "type": bridge.get("type"),
                }
            )

    model = hackamore.Model(hooks={"parkedcall": look, "bridgeenter": look})
    model.consume(hackamore.File("pbx1", FIXTURES / "park-two-pbx1.ami"))
    assert seen, "never two calls parked at once"
    for s in seen:
        assert s["calls"][0] != s["calls"][1]  # two strangers, not one call
        assert {p["space"] for p in s["lot"]} == {"701", "702"}
        assert {p["lot"] for p in s["lot"]} == {"default"}
    # Once both are in the lot's bridge (a parking bridge), they are still two calls.
    together = [s for s in seen if s["bridges"][0] == s["bridges"][1] is not None]
    assert together and all(s["type"] == "parking" for s in together)
    assert model.sizes()["parked"] == 0  # all taken back, then END


def test_parking_hooks_name_lot_space_parker_and_retriever() -> None:
    changes: list[hackamore.Change] = []
    names = ["parkedcall", "unparkedcall", "parkedcalltimeout", "parkedcallgiveup"]
    replay("park-pbx1.ami", dict.fromkeys(names, changes.append))
    kinds = [c.name for c in changes]
    assert kinds.count("parkedcall") == 3
    assert "unparkedcall" in kinds and "parkedcalltimeout" in kinds
    park = changes[0]
    assert park["lot"] == "default" and park["space"] == "701" and park["parker"]
    # A raw capture records no time: parked since an unknown time, not the replay's.
    assert park["since"] == "" and int(park["timeout"]) > 0
    back = next(c for c in changes if c.name == "unparkedcall")
    assert back["retriever"] and back["retrieverchannel"]
    assert [ch.uniqueid for ch in back.channels] == [back["uniqueid"], back["retriever"]]


def test_a_capture_applied_event_by_event_records_no_time_either() -> None:
    """`Model.apply()` of a raw capture's events set a parked call's `since` (and a queue
    caller's) to the wall clock; `consume()` of the same capture left it unknown. Both
    make the same changes now, and the model shows an unknown time as None, not 1970."""
    for name, look in [("park-pbx1.ami", "parked"), ("queue-pbx1.ami", "queues")]:
        source = FIXTURES / name
        made: dict[str, list[tuple[str, dict[str, str]]]] = {"consume": [], "apply": []}
        times: list[Any] = []

        def hooks(into: list[tuple[str, dict[str, str]]]) -> dict[str, Any]:
            def seen(change: hackamore.Change) -> None:
                into.append((change.name, dict(change.fields)))

            return dict.fromkeys(hackamore.HOOK_NAMES, seen)

        hackamore.Model(hooks=hooks(made["consume"])).consume(hackamore.File("pbx1", source))
        applied = hackamore.Model(hooks=hooks(made["apply"]))
        for event in hackamore.File("pbx1", source):
            applied.apply(event)
            for pbx in getattr(applied, look)().values():
                if look == "parked":
                    times += [p["since"] for p in pbx]
                else:
                    times += [c["since"] for q in pbx.values() for c in q["callers"]]
        assert made["apply"] == made["consume"]
        assert any(f.get("since") == "" for _, f in made["apply"]), name
        assert times and all(t is None for t in times), (name, set(times))


def test_queue_callers_and_members_through_ringing_answer_and_abandon() -> None:
    model: hackamore.Model
    states: dict[str, Any] = {}

    def look(change: hackamore.Change) -> None:
        queue = model.queues()["pbx1"].get("support", {"callers": [], "members": []})
        if change.name == "queuecallerjoin" and len(queue["callers"]) == 2:
            states["two waiting"] = [(c["uniqueid"], c["position"]) for c in queue["callers"]]
        if change.name == "agentcalled":
            caller = next(c for c in queue["callers"] if c["uniqueid"] == change["uniqueid"])
            states.setdefault("ringing", caller["ringing"])
        if change.name == "agentconnect":
            member = next(m for m in queue["members"] if m["interface"] == change["interface"])
            states.setdefault("connected", (member["connected"], member["incall"]))
            states.setdefault("answered", change["uniqueid"])
        if change.name == "queuecallerabandon":
            caller = next(c for c in queue["callers"] if c["uniqueid"] == change["uniqueid"])
            states["abandoned"] = caller["abandoned"]

    hooks = dict.fromkeys(
        ["queuecallerjoin", "agentcalled", "agentconnect", "queuecallerabandon"], look
    )
    model = hackamore.Model(hooks=hooks)
    model.consume(hackamore.File("pbx1", FIXTURES / "queue-pbx1.ami"))
    first, second = states["two waiting"]
    assert (first[1], second[1]) == (1, 2)
    assert states["ringing"] == ["Local/agent1@test"]
    assert states["connected"] == (states["answered"], True)
    assert states["abandoned"] is True


def test_transfers_say_who_sent_whom_where_and_who_was_joined_to_whom() -> None:
    blind: list[hackamore.Change] = []
    replay("blind-transfer-pbx1.ami", {"blindtransfer": blind.append})
    assert len(blind) == 3
    for c in blind:
        assert c["transferer"] and c["transferee"] and c["extension"] == "bxfer"
    model: hackamore.Model
    joined: list[tuple[int | None, int | None]] = []

    def attended(change: hackamore.Change) -> None:
        transferee = model.channel("pbx1", change["transferee"])
        target = model.channel("pbx1", change["target"])
        assert transferee is not None and target is not None, change.fields
        joined.append((transferee.call, target.call))

    model = hackamore.Model(hooks={"attendedtransfer": attended})
    model.consume(hackamore.File("pbx1", FIXTURES / "attended-transfer-pbx1.ami"))
    assert joined and all(a == b is not None for a, b in joined)


def test_the_live_view_shows_a_panel_of_lots_and_queues() -> None:
    panels: list[list[str]] = []
    view = LiveView(quiet=True)

    def hook(change: hackamore.Change) -> None:
        view.hook(change)
        if change.name in ("parkedcall", "agentconnect"):
            panels.append(view.parking_and_queues())

    for capture in ("park-two-pbx1.ami", "queue-pbx1.ami"):
        model = hackamore.Model(hooks=dict.fromkeys(hackamore.HOOK_NAMES, hook))
        view.model = model
        model.consume(hackamore.File("pbx1", FIXTURES / capture))
    text = "\n".join("\n".join(p) for p in panels)
    assert "PARKED" in text and " default " in text and " 702 " in text
    assert "QUEUE" in text and "support" in text and "agent" in text and "INUSE" in text
    # And the whole screen, drawn once more at the end.
    out = io.StringIO()
    view.screen = True
    with redirect_stdout(out):
        view.draw()
    assert "hackamore: live model" in out.getvalue()
