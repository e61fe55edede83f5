"""Reading a room's snapshots, shifts and plan back from the warehouse (what the feed stored:
:mod:`shopops.domains.live.feed_store`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from shopops.domains.live.fields import FIELDS, MONEY
from shopops.domains.live.intervals import Slot, Snapshot

COLUMNS = ("captured_at", "anchor", *FIELDS)
REPLAY_SUFFIX = "回放"


def replay_room(shop: str, room: str) -> str:
    """Where a replay of the room plays: a twin beside it, never the room's own readings."""
    return f"{room or shop}·{REPLAY_SUFFIX}"


def recorded_room(shop: str, room: str) -> str:
    """The room a replay twin plays (itself for any other room): its plan and its anchors' past
    sessions are the recorded room's, so a replay is judged as the live was."""
    if not room.endswith(f"·{REPLAY_SUFFIX}"):
        return room
    base = room[: -len(REPLAY_SUFFIX) - 1]
    return "" if base == shop else base


def load_snapshots(
    cursor: duckdb.DuckDBPyConnection,
    shop: str,
    room: str,
    start: dt.datetime,
    end: dt.datetime,
) -> list[Snapshot]:
    """The room's snapshots from ``start`` up to (not including) ``end``, one per captured_at."""
    rows = cursor.execute(
        f"SELECT {', '.join(COLUMNS)}, received_at FROM live_snapshot"
        " WHERE shop = ? AND room = ? AND captured_at >= ? AND captured_at < ?"
        " QUALIFY row_number() OVER (PARTITION BY captured_at ORDER BY batch_id NULLS LAST, import_id) = 1"
        " ORDER BY captured_at",
        [shop, room, start, end],
    ).fetchall()
    snapshots = []
    for row in rows:
        values = {name: _value(name, value) for name, value in zip(FIELDS, row[2:-1], strict=True)}
        snapshots.append(Snapshot(row[0], values, anchor=row[1], received_at=row[-1]))
    return snapshots


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in MONEY:
        return Decimal(value)
    return value


@dataclass(frozen=True)
class Room:
    shop: str
    room: str  # '' = the shop's own room
    replay: bool
    latest: dt.datetime

    @property
    def name(self) -> str:
        return self.room or self.shop


def rooms(cursor: duckdb.DuckDBPyConnection, shops: Sequence[str] | None = None) -> list[Room]:
    """Every room with snapshots (of the given shops), the most recently seen first."""
    rows = cursor.execute(
        "SELECT shop, room, bool_or(replay), max(captured_at) FROM live_snapshot"
        " WHERE ? IS NULL OR list_contains(?::VARCHAR[], shop)"
        " GROUP BY shop, room ORDER BY max(captured_at) DESC, shop, room",
        [None if shops is None else list(shops), None if shops is None else list(shops)],
    ).fetchall()
    return [Room(row[0], row[1], bool(row[2]), row[3]) for row in rows]


def shifts(cursor: duckdb.DuckDBPyConnection, shop: str, start: dt.datetime, end: dt.datetime) -> list[Slot]:
    """The 主播排班表's shifts of the shop that overlap [start, end] (a shift may cross midnight)."""
    rows = cursor.execute(
        "SELECT starts_at, ends_at, anchor FROM anchor_schedule"
        " WHERE shop = ? AND starts_at < ? AND ends_at > ? ORDER BY starts_at",
        [shop, end, start],
    ).fetchall()
    return [Slot(row[0], row[1], row[2]) for row in rows]


@dataclass(frozen=True)
class PlanSlot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    target_gmv: Decimal | None
    budget: Decimal | None
    product: str | None


def plan_slots(cursor: duckdb.DuckDBPyConnection, shop: str, room: str, day: dt.date) -> list[PlanSlot]:
    rows = cursor.execute(
        "SELECT starts_at, ends_at, target_gmv, budget, coalesce(product, product_id) FROM live_plan"
        " WHERE shop = ? AND room = ? AND date = ? ORDER BY starts_at",
        [shop, room, day],
    ).fetchall()
    return [PlanSlot(*row) for row in rows]
