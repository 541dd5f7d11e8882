"""The reference model's presence rules (DESIGN §4), apart from its calls: each event
replaces its entry; a state that says the thing is gone (empty, an extension's -1, a
contact's Removed) takes it out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def device_of(name: str) -> str | None:
    """The device a channel of this name is on (`PJSIP/2001-0000000a` on `PJSIP/2001`):
    its name without the unique suffix after the last `-`; none for channels of no
    cached device state (Local, conference announcers and recorders)."""
    tech, slash, rest = name.partition("/")
    cached = name.replace(":", "/").split("/")[0].lower() not in ("local", "cbann", "cbrec")
    if not tech or not slash or not rest or not cached:
        return None
    base = name.split("<")[0]
    end = base.rfind("-")
    return name[:end] if end > len(tech) + 1 else None


def presence_entry(n: str, get: Callable[[str], str]) -> tuple[str, Any, Any] | None:
    """What presence event `n` (lower case) says: (the ReferenceModel's part, the key,
    the entry or None for gone); None when it says nothing the model keeps."""
    name: str
    key: Any
    entry: Any
    if n == "devicestatechange":
        key = get("Device")
        tech = key.replace(":", "/").split("/")[0].lower()
        if not key or tech in ("local", "cbann", "cbrec"):
            return None  # no state Asterisk caches
        name, entry = "devices", get("State") or None
    elif n == "extensionstatus":
        if not get("Exten"):
            return None
        key = f"{get('Exten')}@{get('Context')}"
        status = get("Status")
        name = "extensions"
        entry = None
        if status not in ("", "-1"):
            entry = {
                "exten": get("Exten"),
                "context": get("Context"),
                "hint": get("Hint"),
                "status": int(status) if status.lstrip("-").isdigit() else status,
                "statustext": get("StatusText"),
            }
    elif n == "contactstatus":
        key = get("URI")
        address = key.split(":", 1)[-1].split(";")[0].split("?")[0]
        if "@" not in address:
            return None  # a configured contact (a trunk's), not a registered one
        status = get("ContactStatus")
        name = "contacts"
        entry = None
        if status and status.lower() != "removed":
            rtt = get("RoundtripUsec")
            entry = {
                "aor": get("AOR"),
                "uri": key,
                "endpoint": get("EndpointName"),
                "status": status,
                "roundtrip": int(rtt) if rtt.isdigit() else None,
            }
    elif n == "registry":
        user, domain = get("Username"), get("Domain")
        if not user and not domain:
            return None
        key = (user, domain)
        name = "registrations"
        entry = None
        if get("Status"):
            entry = {
                "channeltype": get("ChannelType"),
                "username": user,
                "domain": domain,
                "status": get("Status"),
            }
    else:
        key = get("Peer")
        if not key:
            return None
        name = "peers"
        entry = None
        if get("PeerStatus"):
            entry = {
                "channeltype": get("ChannelType"),
                "peer": key,
                "status": get("PeerStatus"),
                "address": get("Address"),
            }
    return name, key, entry


class PresenceParts:
    """The reference model's presence: pbx -> key -> entry, as Model.devices() ...
    Model.peers() show them."""

    def __init__(self) -> None:
        self.devices: dict[str, dict[str, str]] = {}
        self.extensions: dict[str, dict[str, dict[str, Any]]] = {}
        self.contacts: dict[str, dict[str, dict[str, Any]]] = {}
        self.registrations: dict[str, dict[tuple[str, str], dict[str, str]]] = {}
        self.peers: dict[str, dict[str, dict[str, str]]] = {}

    def presence(self, n: str, pbx: str, get: Callable[[str], str]) -> None:
        said = presence_entry(n, get)
        if said is None:
            return
        name, key, entry = said
        part = getattr(self, name).setdefault(pbx, {})
        if entry is None:
            part.pop(key, None)
        else:
            part[key] = entry

    def presence_snapshot(self) -> dict[str, Any]:
        """The presence keys of ``Model.snapshot()``: PBXes with none left out."""

        def registration_key(user: str, domain: str) -> str:
            if not domain:
                return user
            return f"{user} {domain}" if "@" in user else f"{user}@{domain}"

        return {
            "devices": {p: dict(d) for p, d in self.devices.items() if d},
            "extensions": {p: dict(d) for p, d in self.extensions.items() if d},
            "contacts": {p: dict(d) for p, d in self.contacts.items() if d},
            "registrations": {
                p: {registration_key(u, dom): r for (u, dom), r in d.items()}
                for p, d in self.registrations.items()
                if d
            },
            "peers": {p: dict(d) for p, d in self.peers.items() if d},
        }
