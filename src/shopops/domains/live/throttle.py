"""One message per room per ``minutes``: a bad ten minutes is one message in the group, not ten.

The first alert of a quiet room goes at once. Alerts that come while the room's window is open are
held; when it closes, what was held goes as one message ("另有 3 条提醒") — nothing is dropped, and
the live page shows every alert as it comes anyway. A data-health alert (the feed stopped) is not
held: it is said once per outage by its rule, and a broken feed must not wait behind a pacing
note. Time is the room's clock (the board's readings; a replay's virtual time), so a replay at
60× throttles as the live would have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shopops.domains.live.alerts import Alert

RoomKey = tuple[str, str]


@dataclass
class Outgoing:
    """One message: its alerts, the first being the headline."""

    room: RoomKey
    alerts: list[Alert]
    digest: bool = False  # the held alerts of a window that closed


@dataclass
class Throttle:
    minutes: float = 10.0
    last_sent: dict[RoomKey, dt.datetime] = field(default_factory=dict)
    held: dict[RoomKey, list[Alert]] = field(default_factory=dict)

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)

    def offer(self, room: RoomKey, alert: Alert, now: dt.datetime) -> Outgoing | None:
        if alert.severity == "data":
            return Outgoing(room, [alert])
        last = self.last_sent.get(room)
        if last is not None and now - last < self.window:
            self.held.setdefault(room, []).append(alert)
            return None
        self.last_sent[room] = now
        return Outgoing(room, [alert])

    def due(self, room: RoomKey, now: dt.datetime) -> Outgoing | None:
        """The held alerts of the room once its window has closed, as one message."""
        last = self.last_sent.get(room)
        if not self.held.get(room) or last is None or now - last < self.window:
            return None
        self.last_sent[room] = now
        return Outgoing(room, self.held.pop(room), digest=True)
