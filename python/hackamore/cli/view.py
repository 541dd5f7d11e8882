"""The live view: each model change with the model's size after it, or on a terminal a
full-screen table of the channels, the parking and queue panel, the presence panel and
the latest changes."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from typing import Any

import hackamore
from hackamore.cli import presence
from hackamore.cli.output import plural, writing

CLEAR = "\x1b[2J\x1b[1;1H"


def wall_clock(t: float | None) -> str:
    """Unix seconds as the local time of day (None: not known)."""
    return "--:--:--" if t is None else time.strftime("%H:%M:%S", time.localtime(t))


class LiveView:
    """Prints each model change with the model's size after it; on a terminal
    (``screen``), redraws the channels as a table instead, at most 5 times a second."""

    def __init__(self, *, quiet: bool = False, limit: int | None = None, screen: bool = False):
        self.quiet, self.limit, self.screen = quiet, limit, screen
        self.counts: Counter[str] = Counter()
        self.peak = {"channels": 0, "calls": 0}
        self.model: hackamore.Model | None = None
        self.recent: list[str] = []
        self.seen = presence.Seen()
        self.drawn = 0.0
        self.dirty = False
        # Hooks run in the engine's Python thread; flush() in the main one.
        self.lock = threading.Lock()

    def hooks(self) -> dict[str, Any]:
        return dict.fromkeys(hackamore.HOOK_NAMES, writing(self.hook))

    def hook(self, change: hackamore.Change) -> None:
        n = sum(self.counts.values())
        self.counts[change.name] += 1
        sizes = change.sizes  # as right after the change, not as the model is now
        for k in self.peak:
            self.peak[k] = max(self.peak[k], sizes[k])
        if change.name in presence.CHANGES:
            with self.lock:
                self.seen.update(change)
        if self.quiet or (self.limit is not None and n >= self.limit):
            return
        fields = " ".join(f"{k}={v}" for k, v in change.fields.items() if k != "pbx" and v)
        extra = "".join(
            f" {label} {sizes[k]}"
            for k, label in (("parked", "parked"), ("queue_callers", "waiting"))
            if sizes[k]
        )
        line = (
            f"{n:>6} {change.pbx:<8} {change.name:<17} {fields}  "
            f"[channels {sizes['channels']} calls {sizes['calls']} rooms {sizes['rooms']}{extra}]"
        )
        if not self.screen:
            print(line, flush=True)
            return
        with self.lock:
            self.recent = [*self.recent[-9:], line]
            self.dirty = True
        if time.monotonic() - self.drawn >= 0.2:
            self.draw()

    def flush(self) -> None:
        """Draw changes the throttle held back (called while the stream is quiet)."""
        if self.dirty:
            self.draw()

    def draw(self) -> None:
        """Redraw the screen (from either thread: the lock keeps redraws whole)."""
        assert self.model is not None
        with self.lock:
            self.dirty = False
            self.drawn = time.monotonic()
            width = shutil.get_terminal_size().columns
            rows = [CLEAR + "hackamore: live model (Ctrl-C stops)", ""]
            rows.append(
                f"{'PBX':<10} {'UNIQUEID':<18} {'CHANNEL':<40} {'ROLE':<8} {'ACTIVITY':<8} "
                f"{'STATE':<8} {'ROOM':<6} CALL"
            )
            for c in self.model.channels():
                call = "" if c.call is None else str(c.call)
                rows.append(
                    f"{c.pbx:<10} {c.uniqueid:<18} {c.channel:<40} {c.role:<8} {c.activity:<8} "
                    f"{c.channelstatedesc:<8} {c.conference or '':<6} {call}"
                )
            rows += self.parking_and_queues()
            rows += presence.panel(presence.presence_of(self.model))
            rows += ["", "Recent changes:", *self.recent]
            print("\n".join(r[:width] for r in rows), flush=True)

    def parking_and_queues(self) -> list[str]:
        """The parking lot and queue panel: who is parked where, who waits in which
        queue, and what each queue member is doing (empty when there is none)."""
        assert self.model is not None
        rows: list[str] = []
        parked = self.model.parked()
        if parked:
            rows += [
                "",
                f"{'PARKED':<10} {'LOT':<10} {'SPACE':<6} {'CHANNEL':<40} {'SINCE':<8} TIMEOUT",
            ]
            for pbx, calls in parked.items():
                for p in calls:
                    rows.append(
                        f"{pbx:<10} {p['lot']:<10} {p['space']:<6} {p['channel']:<40} "
                        f"{wall_clock(p['since'])} {p['timeout']}s"
                    )
        queues = self.model.queues()
        if queues:
            rows += ["", f"{'QUEUE':<10} {'NAME':<10} {'WHO':<6} {'CHANNEL/INTERFACE':<40} STATE"]
            for pbx, by_name in queues.items():
                for name, q in by_name.items():
                    for c in q["callers"]:
                        ringing = f" ringing {', '.join(c['ringing'])}" if c["ringing"] else ""
                        rows.append(
                            f"{pbx:<10} {name:<10} {'#' + str(c['position']):<6} "
                            f"{c['channel']:<40} waiting since {wall_clock(c['since'])}{ringing}"
                        )
                    for m in q["members"]:
                        state = m["state"] or m["status"]
                        if m["paused"]:
                            state += " paused"
                        if m["connected"]:
                            state += f" with {m['connected']}"
                        rows.append(
                            f"{pbx:<10} {name:<10} {'agent':<6} {m['interface']:<40} {state} "
                            f"({m['callstaken']} calls)"
                        )
        return rows

    def summary(self, messages: int | None = None) -> None:
        if self.screen:
            self.draw()
        total = sum(self.counts.values())
        head = f"{plural(messages, 'message')}, " if messages is not None else ""
        print(
            f"\n{head}{plural(total, 'model change')}; at most "
            f"{plural(self.peak['channels'], 'channel')} in "
            f"{plural(self.peak['calls'], 'call')} at once"
        )
        for name, count in self.counts.most_common():
            print(f"  {count:>7}  {name}")
        with self.lock:
            seen = presence.summary(self.seen.presence)
        if seen:
            print("presence as last seen:")
            print("\n".join(seen))
