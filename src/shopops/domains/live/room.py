"""A room's session with what surrounds it — the 排班表's shifts, the 直播计划, the anchors' own
benchmarks — and its picture as data: what the live page, ``shopops live monitor`` and
``shopops live intervals`` all show (one computation, several faces)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from shopops.domains.live.alerts import Alert
from shopops.domains.live.benchmarks import anchor_benchmarks
from shopops.domains.live.fields import COUNTERS, RATIOS
from shopops.domains.live.intervals import Session, Slot, attribute, interval_record, split_sessions
from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.pacing import pace_at
from shopops.domains.live.store import (
    PlanSlot,
    Room,
    load_snapshots,
    plan_slots,
    recorded_room,
    rooms,
    shifts,
)
from shopops.errors import UserError

CHINA = dt.timezone(dt.timedelta(hours=8))  # the boards' clock: Asia/Shanghai, no daylight saving


def china_now() -> dt.datetime:
    """Now on the boards' clock (captured_at is Asia/Shanghai local time, naive)."""
    return dt.datetime.now(CHINA).replace(tzinfo=None)


@dataclass
class RoomSession:
    session: Session
    plan: list[PlanSlot] = field(default_factory=list)
    shifts: list[Slot] = field(default_factory=list)
    benchmarks: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.session.room or self.session.shop


def room_sessions(
    cursor: duckdb.DuckDBPyConnection,
    shop: str,
    room: str,
    settings: LiveSettings,
    *,
    day: dt.date | None = None,
    benchmarks: bool = True,
) -> list[RoomSession]:
    """The sessions that started on ``day`` (default: the room's latest session), attributed."""
    gap = dt.timedelta(minutes=settings.session_gap_minutes)
    if day is None:
        latest = cursor.execute(
            "SELECT max(captured_at) FROM live_snapshot WHERE shop = ? AND room = ?", [shop, room]
        ).fetchall()[0][0]
        if latest is None:
            return []
        start, end = latest - dt.timedelta(hours=30), latest + dt.timedelta(seconds=1)
    else:
        start = dt.datetime.combine(day, dt.time()) - gap
        end = dt.datetime.combine(day + dt.timedelta(days=2), dt.time())
    sessions = split_sessions(load_snapshots(cursor, shop, room, start, end), shop, room, gap=gap)
    sessions = sessions[-1:] if day is None else [s for s in sessions if s.date == day]
    found = []
    for session in sessions:
        recorded = recorded_room(shop, room)  # a replay twin: the recorded room's plan and anchors
        plan = plan_slots(cursor, shop, recorded, session.date)
        on_air = shifts(cursor, shop, session.start, session.end)
        attribute(session, on_air, [Slot(p.starts_at, p.ends_at, p.product) for p in plan if p.product])
        bench = anchor_benchmarks(cursor, shop, recorded, session.start, settings) if benchmarks else {}
        found.append(RoomSession(session, plan, on_air, bench))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value


# What a picture carries of each interval: the page's and the monitor's columns, and the deltas its
# ratios are made of (the page pools them per anchor). A 3-hour session read every 10 s is ~1,000
# intervals: every key more is paid by every viewer at every update.
PICTURE_KEYS = (
    "start",
    "end",
    "anchor",
    "product",
    "gmv_delta",
    "orders_delta",
    "spend_delta",
    "viewers_delta",
    "exposures_delta",
    "product_exposures_delta",
    "product_clicks_delta",
    "online_viewers",
    "entry_rate",
    "product_click_rate",
    "click_to_order_rate",
    "view_to_order_rate",
    "gpm",
    "roi",
    "gmv_per_minute",
    "reset",
    "stale",
    "gap",
)


def interval_rows(room: RoomSession, keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every interval as data (``keys``: only those)."""
    rows = [interval_record(i) for i in room.session.intervals]
    if keys is None:
        return [{k: _plain(v) for k, v in row.items()} for row in rows]
    return [{k: _plain(row[k]) for k in keys} for row in rows]


def status_of(session: Session, now: dt.datetime | None, settings: LiveSettings) -> tuple[str, float | None]:
    """live | stale (no new figures for stale_minutes) | ended (silent for a whole session gap),
    with the seconds since the last new figures."""
    if now is None:
        return "ended", None
    silent = (now - session.end).total_seconds()
    if silent >= settings.session_gap_minutes * 60:
        return "ended", silent
    return ("stale" if silent >= settings.stale_minutes * 60 else "live"), silent


def room_view(
    room: RoomSession, alerts: Sequence[Alert], *, now: dt.datetime | None, settings: LiveSettings
) -> dict[str, Any]:
    """The room's picture as JSON: status, totals, pace, benchmarks, intervals (oldest first), alerts."""
    session = room.session
    pace = pace_at(session, room.plan, session.end)
    status, silent = status_of(session, now, settings)
    # On air now: the board's last reading says so, else the last interval's (the 排班表's).
    anchor = (session.last or session.opening).anchor or (
        session.intervals[-1].anchor if session.intervals else None
    )
    totals: dict[str, Any] = {name: _plain(session.total(name)) for name in COUNTERS}
    totals |= {metric.key: session.total_ratio(metric.key) for metric in RATIOS}
    return {
        "shop": session.shop,
        "room": session.room,
        "name": room.name,
        "date": session.date.isoformat(),
        "start": _plain(session.start),
        "end": _plain(session.end),
        "status": status,
        "silent_seconds": silent,
        "anchor": anchor,
        "snapshots": session.snapshots,
        "stale_snapshots": session.stale,
        "resets": sum(i.reset for i in session.intervals),
        "gaps": sum(i.gap for i in session.intervals),
        "opening": {k: _plain(v) for k, v in session.opening.values.items()},
        "totals": totals,
        "pace": {
            "planned_gmv": _plain(pace.planned_gmv),
            "actual_gmv": _plain(pace.actual_gmv),
            "target_gmv": _plain(pace.target_gmv),
            "gmv_pace": pace.gmv_pace,
            "planned_spend": _plain(pace.planned_spend),
            "actual_spend": _plain(pace.actual_spend),
            "budget": _plain(pace.budget),
            "spend_pace": pace.spend_pace,
        },
        "benchmark": room.benchmarks.get(anchor or "", {}),
        "intervals": interval_rows(room, PICTURE_KEYS),
        "alerts": [alert.to_json() for alert in alerts],
    }


class RoomNotFound(UserError):
    pass


def pick_room(cursor: duckdb.DuckDBPyConnection, name: str | None, shop: str | None = None) -> Room:
    """The room a user names (a room, or a shop for its own room; a replay twin by its name), or
    the only/most recent one when none is named."""
    known = rooms(cursor, None if shop is None else [shop])
    if not known:
        where = f"店铺「{shop}」" if shop else "这个工作区"
        raise RoomNotFound(
            f"{where}还没有直播大屏数据 — 把采集工具的 直播大屏累计数据.csv 放进 inbox/live/<直播间>/，或 shopops import"
        )
    if name is None:
        return known[0]
    matches = [r for r in known if name in (r.room, r.name) or (not r.room and name == r.shop)]
    if len(matches) == 1:
        return matches[0]
    listed = "、".join(dict.fromkeys(r.name for r in known))
    if not matches:
        raise RoomNotFound(f"没有直播间「{name}」— 有：{listed}")
    raise RoomNotFound(f"「{name}」不止一个店铺有 — 加 --shop 店铺名")
