"""One JSON object per model change, for other programs: ``hackamore run --json`` and
``hackamore replay --json`` write them to stdout, one per line (JSON Lines).

Each object follows :data:`SCHEMA` (JSON Schema, draft 2020-12)::

    {"v": 5, "seq": 0, "time": 1795692237.1, "pbx": "pbx1",
     "change": "newchannel", "kind": "channel_created",
     "fields": {"uniqueid": "1795692237.11", "channel": "Local/conf@test-00000005;1", ...},
     "channels": [{"pbx": "pbx1", "uniqueid": "1795692237.11", "channel": "...",
                   "calleridnum": "", "linkedid": "...", "state": "Up", "role": "IDLE",
                   "activity": "IDLE", "conference": null, "bridge": null,
                   "call": null, "sipcallid": null, "device": null}],
     "sizes": {"channels": 1, "calls": 0, "rooms": 0, ...}}

``change`` is the hook name (see ``hackamore.HOOK_NAMES``), ``kind`` a coarser name
for consumers that do not care about AMI generations: ``channel_created``,
``channel_state``, ``dialing``, ``dial_ended``, ``call_joined``, ``room_opened``,
``room_joined``, ``room_left``, ``room_closed``, ``trunk_linked``, ``hold``,
``hangup_requested``, ``callerid``, ``renamed``, ``channel_gone``, ``pbx_ended``; and
for AMI 2.x state beyond the 2014 framework's: ``bridge_created``, ``bridge_entered``,
``bridge_left``, ``bridge_destroyed``, ``parked``, ``unparked``, ``queue_joined``,
``queue_left``, ``queue_abandoned``, ``agent_ringing``, ``agent_connected``,
``agent_done``, ``agent_no_answer``, ``queue_member``, ``queue_member_removed``,
``transferred``, ``relinked`` (a channel's Linkedid changed); and for presence:
``device_state``, ``extension_state``, ``contact_state``, ``registration``,
``peer_state`` (their ``channels`` are empty). Version 2 added most of those and each
channel's ``bridge``; version 3 lets ``time`` be null; version 4 adds ``relinked``;
version 5 the presence kinds and each channel's ``device`` (null for a channel of no
device: Local, a conference announcer).
``channels`` are the channels the change involves as they were right after it (for
``channel_gone``: just before); ``sizes`` the model's sizes right after it. ``time`` is
when the change was written (Unix seconds) by ``run``, and null from ``replay``: a
replay has no "when" of its own, so replaying a capture twice writes the same bytes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TextIO

import hackamore
from hackamore._native import CHANGES

VERSION = 5

# The change table's (hackamore._native.CHANGES).
KINDS: dict[str, str] = {name: kind for name, (_, _, kind) in CHANGES.items()}

_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://hackamore.invalid/change-v{VERSION}.json",
    "title": "hackamore model change",
    "type": "object",
    "additionalProperties": False,
    "required": ["v", "seq", "time", "pbx", "change", "kind", "fields", "channels", "sizes"],
    "properties": {
        "v": {"const": VERSION},
        "seq": {"type": "integer", "minimum": 0},
        "time": {"type": ["number", "null"]},
        "pbx": {"type": "string", "minLength": 1},
        "change": {"enum": sorted(KINDS)},
        "kind": {"enum": sorted(set(KINDS.values()))},
        "fields": {"type": "object", "additionalProperties": _TEXT},
        "channels": {
            "type": "array",
            "maxItems": 2,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "pbx",
                    "uniqueid",
                    "channel",
                    "calleridnum",
                    "linkedid",
                    "state",
                    "role",
                    "activity",
                    "conference",
                    "bridge",
                    "call",
                    "sipcallid",
                    "device",
                ],
                "properties": {
                    "pbx": _TEXT,
                    "uniqueid": _TEXT,
                    "channel": _TEXT,
                    "calleridnum": _TEXT,
                    "linkedid": _TEXT,
                    "state": _TEXT,
                    "role": {"enum": ["IDLE", "CALLING", "CALLED", "TRUNK"]},
                    "activity": {"enum": ["IDLE", "DIALING", "HUNGUP", "CAUSED", "HELD"]},
                    "conference": _MAYBE_TEXT,
                    "bridge": _MAYBE_TEXT,
                    "call": {"type": ["integer", "null"]},
                    "sipcallid": _MAYBE_TEXT,
                    "device": _MAYBE_TEXT,
                },
            },
        },
        "sizes": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
    },
}


def channel_record(c: hackamore.Channel) -> dict[str, Any]:
    return {
        "pbx": c.pbx,
        "uniqueid": c.uniqueid,
        "channel": c.channel,
        "calleridnum": c.calleridnum,
        "linkedid": c.linkedid,
        "state": c.channelstatedesc,
        "role": c.role,
        "activity": c.activity,
        "conference": c.conference,
        "bridge": c.bridge,
        "call": c.call,
        "sipcallid": c.sipcallid,
        "device": c.device,
    }


def change_record(
    change: hackamore.Change, seq: int, clock: Callable[[], float] | None = time.time
) -> dict[str, Any]:
    """The JSON object of one change (see :data:`SCHEMA`); ``time`` from ``clock``,
    null without one."""
    return {
        "v": VERSION,
        "seq": seq,
        "time": None if clock is None else round(clock(), 6),
        "pbx": change.pbx,
        "change": change.name,
        "kind": KINDS[change.name],
        "fields": {k: v for k, v in change.fields.items() if k != "pbx"},
        "channels": [channel_record(c) for c in change.channels],
        "sizes": dict(change.sizes),
    }


class JsonLines:
    """Hooks that write each change as one line of JSON to ``out``, its ``time`` from
    ``clock`` (null with ``clock=None``, as a replay writes)."""

    def __init__(self, out: TextIO, clock: Callable[[], float] | None = time.time) -> None:
        self.out = out
        self.clock = clock
        self.seq = 0

    def hooks(self) -> dict[str, Any]:
        return dict.fromkeys(hackamore.HOOK_NAMES, self.write)

    def write(self, change: hackamore.Change) -> None:
        line = json.dumps(change_record(change, self.seq, self.clock), ensure_ascii=False)
        self.seq += 1
        self.out.write(line + "\n")
        self.out.flush()
