"""The live view's presence panel: each extension with its state and its phone's
contacts, the other endpoints (trunks) with their reachability, and the registrations a
PBX makes to others; and a one-line count per PBX for summaries."""

from __future__ import annotations

from collections import Counter
from typing import Any

import hackamore

# The changes that alter presence: the view takes a fresh copy of it after each.
CHANGES = frozenset({"devicestate", "extensionstatus", "contactstatus", "registry", "peerstatus"})

# Extension states as AMI names them (`StatusText`), and device states.
_EXTENSION = {
    "Idle": "idle",
    "InUse": "in use",
    "Busy": "busy",
    "Unavailable": "unavailable",
    "Ringing": "ringing",
    "InUse&Ringing": "in use, ringing",
    "Hold": "on hold",
    "InUse&Hold": "in use, on hold",
}
_DEVICE = {
    "NOT_INUSE": "idle",
    "INUSE": "in use",
    "BUSY": "busy",
    "UNAVAILABLE": "unavailable",
    "RINGING": "ringing",
    "RINGINUSE": "in use, ringing",
    "ONHOLD": "on hold",
    "INVALID": "invalid",
    "UNKNOWN": "unknown",
}

# Technologies whose devices are endpoints a PBX talks SIP or IAX2 to.
_ENDPOINTS = ("PJSIP/", "SIP/", "IAX2/")

Presence = dict[str, dict[str, Any]]


def presence_of(model: hackamore.Model, pbx: str | None = None) -> Presence:
    """`{pbx: {"extensions", "devices", "contacts", "registrations", "peers"}}` of the
    model now (of one PBX, or all)."""
    parts: dict[str, dict[str, dict[str, Any]]] = {
        "extensions": model.extensions(),
        "devices": model.devices(),
        "contacts": model.contacts(),
        "registrations": model.registrations(),
        "peers": model.peers(),
    }
    pbxes = sorted({p for part in parts.values() for p in part} if pbx is None else {pbx})
    return {p: {name: part.get(p, {}) for name, part in parts.items()} for p in pbxes}


def _status(status: str) -> int | str:
    try:
        return int(status)
    except ValueError:
        return status


def registration_key(username: str, domain: str) -> str:
    """A registration's key in ``Model.registrations()``: ``chan_sip``'s
    ``user@domain``; PJSIP's client and server URIs, a space between them (one client
    URI may register to two servers)."""
    if not domain:
        return username
    return f"{username} {domain}" if "@" in username else f"{username}@{domain}"


class Seen:
    """Presence as last seen, kept from the presence changes alone: a replay's summary
    shows it after the capture's end took the PBX (and its presence) out of the model.
    Each change replaces or removes one entry, as the model's rules do (docs/model.md)."""

    def __init__(self) -> None:
        self.presence: Presence = {}

    def update(self, change: hackamore.Change) -> None:
        f = change.fields
        p = self.presence.setdefault(
            change.pbx,
            {name: {} for name in ("extensions", "devices", "contacts", "registrations", "peers")},
        )
        if change.name == "devicestate":
            part, key = p["devices"], f["device"]
            entry: Any = f["state"] or None
        elif change.name == "extensionstatus":
            part, key = p["extensions"], f"{f['exten']}@{f['context']}"
            gone = f["status"] in ("", "-1")
            entry = (
                None
                if gone
                else {
                    "exten": f["exten"],
                    "context": f["context"],
                    "hint": f["hint"],
                    "status": _status(f["status"]),
                    "statustext": f["statustext"],
                }
            )
        elif change.name == "contactstatus":
            part, key = p["contacts"], f["uri"]
            gone = f["status"] == "" or f["status"].lower() == "removed"
            entry = (
                None
                if gone
                else {
                    "aor": f["aor"],
                    "uri": f["uri"],
                    "endpoint": f["endpoint"],
                    "status": f["status"],
                    "roundtrip": int(f["roundtrip"]) if f["roundtrip"].isdigit() else None,
                }
            )
        elif change.name == "registry":
            part = p["registrations"]
            key = registration_key(f["username"], f["domain"])
            entry = {k: f[k] for k in ("channeltype", "username", "domain", "status")}
            entry = entry if f["status"] else None
        elif change.name == "peerstatus":
            part, key = p["peers"], f["peer"]
            entry = {k: f[k] for k in ("channeltype", "peer", "status", "address")}
            entry = entry if f["status"] else None
        else:
            return
        if entry is None:
            part.pop(key, None)
        else:
            part[key] = entry


def _extension_state(e: dict[str, Any]) -> str:
    text = str(e["statustext"])
    return _EXTENSION.get(text, text.lower() or str(e["status"]))


def _device_state(state: str) -> str:
    return _DEVICE.get(state, state.lower())


def _reachability(contacts: list[dict[str, Any]]) -> str:
    """A phone's contacts in a few words: the first's status and round trip."""
    if not contacts:
        return "no contact known"
    first = contacts[0]
    words = f"{first['uri']} {str(first['status']).lower()}"
    if first["roundtrip"] is not None:
        words += f" {first['roundtrip'] / 1000:.1f} ms"
    if len(contacts) > 1:
        words += f" (+{len(contacts) - 1} more)"
    return words


def _endpoint(device: str) -> str:
    """`PJSIP/2001` -> `2001`, the PJSIP endpoint a contact names."""
    return device.split("/", 1)[1] if "/" in device else device


def panel(presence: Presence) -> list[str]:
    """The panel's rows (none when no PBX reports presence)."""
    extensions: list[str] = []
    endpoints: list[str] = []
    registrations: list[str] = []
    for pbx, p in presence.items():
        contacts: dict[str, list[dict[str, Any]]] = {}
        for c in p["contacts"].values():
            contacts.setdefault(str(c["endpoint"] or c["aor"]), []).append(c)
        hinted: set[str] = set()
        for name, e in p["extensions"].items():
            devices = [d for d in str(e["hint"]).split("&") if d]
            hinted.update(devices)
            phones = [d for d in devices if d.startswith("PJSIP/")]
            if phones:
                reach = _reachability([c for d in phones for c in contacts.get(_endpoint(d), [])])
            else:
                peers = [p["peers"][d]["status"] for d in devices if d in p["peers"]]
                reach = ", ".join(peers)
            extensions.append(
                f"{pbx:<10} {name:<18} {_extension_state(e):<16} {e['hint']:<20} {reach}"
            )
        others = {d for d in p["devices"] if d.startswith(_ENDPOINTS)} | set(p["peers"])
        for device in sorted(others - hinted):
            state = p["devices"].get(device)
            peer = p["peers"].get(device)
            reach = peer["status"] if peer else ""
            if device.startswith("PJSIP/") and _endpoint(device) in contacts:
                reach = _reachability(contacts[_endpoint(device)])
            endpoints.append(
                f"{pbx:<10} {device:<18} {_device_state(state) if state else '':<16} {reach}"
            )
        for r in p["registrations"].values():
            who = f"{r['username']} -> {r['domain']}" if r["domain"] else r["username"]
            registrations.append(f"{pbx:<10} {who:<54} {r['status']}")
    rows: list[str] = []
    if extensions:
        rows += ["", f"{'EXTENSION':<10} {'':<18} {'STATE':<16} {'HINT':<20} CONTACT", *extensions]
    if endpoints:
        rows += ["", f"{'ENDPOINT':<10} {'DEVICE':<18} {'STATE':<16} REACHABILITY", *endpoints]
    if registrations:
        rows += ["", f"{'REGISTERED':<10} {'AS -> WITH':<54} STATUS", *registrations]
    return rows


def _counted(states: Counter[str]) -> str:
    return ", ".join(f"{n} {state}" for state, n in states.most_common())


def summary(presence: Presence) -> list[str]:
    """One line per PBX: how many of each presence part, by state."""
    lines = []
    for pbx, p in sorted(presence.items()):
        parts = []
        for name, entries, state in (
            ("extension", p["extensions"].values(), _extension_state),
            ("contact", p["contacts"].values(), lambda c: str(c["status"]).lower()),
            ("registration", p["registrations"].values(), lambda r: str(r["status"]).lower()),
            ("peer", p["peers"].values(), lambda r: str(r["status"]).lower()),
        ):
            states = Counter(state(e) for e in entries)
            n = sum(states.values())
            if n:
                parts.append(f"{n} {name}{'' if n == 1 else 's'} ({_counted(states)})")
        devices = len(p["devices"])
        if devices:
            parts.append(f"{devices} device state{'' if devices == 1 else 's'}")
        if parts:
            lines.append(f"  {pbx}: " + "; ".join(parts))
    return lines
