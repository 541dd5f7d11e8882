"""Helpers for the common AMI actions, over :meth:`hackamore.Connection.action` (which
sends any action: ``conn.action("Originate", Channel="SIP/100", ...)``). Each raises
``ActionFailedError`` when the PBX answers ``Response: Error``, ``ResponseTimeoutError``
when it does not answer in time, ``ActionRefusedError`` for a value with CR or LF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hackamore._native import Connection, Event


def originate(
    conn: Connection,
    channel: str,
    *,
    context: str | None = None,
    exten: str | None = None,
    priority: int = 1,
    application: str | None = None,
    data: str | None = None,
    caller_id: str | None = None,
    ring_timeout: float = 30.0,
    variables: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Event:
    """Call `channel`, then send it to `context`/`exten`/`priority` or run `application`
    with `data`. Queued (``Async: true``): the call's progress shows as events."""
    fields: dict[str, Any] = {"Channel": channel, "Async": "true"}
    if application is not None:
        fields |= {"Application": application, "Data": data or ""}
    else:
        if context is None or exten is None:
            raise ValueError("originate: give context and exten, or application")
        fields |= {"Context": context, "Exten": exten, "Priority": priority}
    if caller_id is not None:
        fields["CallerID"] = caller_id
    fields["Timeout"] = int(ring_timeout * 1000)
    if variables:
        fields["Variable"] = ",".join(f"{k}={v}" for k, v in variables.items())
    return conn.action("Originate", timeout=timeout, **fields)[0]


def hangup(conn: Connection, channel: str, *, cause: int | None = None) -> Event:
    """Hang up `channel` (a name, or ``/regex/`` for several)."""
    fields: dict[str, Any] = {"Channel": channel}
    if cause is not None:
        fields["Cause"] = cause
    return conn.action("Hangup", **fields)[0]


def redirect(conn: Connection, channel: str, context: str, exten: str, priority: int = 1) -> Event:
    """Send `channel` to another place in the dialplan (a blind transfer)."""
    return conn.action(
        "Redirect", Channel=channel, Context=context, Exten=exten, Priority=priority
    )[0]


def getvar(conn: Connection, variable: str, channel: str | None = None) -> str:
    """The value of a channel variable (or a global one without `channel`)."""
    fields: dict[str, Any] = {"Variable": variable}
    if channel:
        fields["Channel"] = channel
    return conn.action("Getvar", **fields)[0].get("Value", "") or ""


def setvar(conn: Connection, variable: str, value: str, channel: str | None = None) -> None:
    """Set a channel variable (or a global one without `channel`)."""
    fields: dict[str, Any] = {"Variable": variable, "Value": value}
    if channel:
        fields["Channel"] = channel
    conn.action("Setvar", **fields)


def command(conn: Connection, cli: str, *, timeout: float = 10.0) -> list[str]:
    """Run an Asterisk CLI command; its output lines."""
    response = conn.action("Command", timeout=timeout, Command=cli)[0]
    lines: list[str] = []
    for text in response.get_all("Output"):
        lines.extend(text.splitlines() or [""])
    return lines


def queue_status(conn: Connection, queue: str | None = None) -> list[Event]:
    """The `QueueParams` and `QueueMember`/`QueueEntry` events of one queue or all."""
    fields: dict[str, Any] = {"Queue": queue} if queue else {}
    _, events = conn.action("QueueStatus", **fields)
    return [e for e in events if not (e.name or "").endswith("Complete")]
