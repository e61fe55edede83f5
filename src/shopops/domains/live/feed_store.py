"""Storing a feed batch: the snapshots of one room, each kept once, with where it came from.

A batch is written on the caller's own cursor in one transaction, apart from the workspace's
import lock: a year of orders being imported does not hold up a live room. Per (shop, room,
captured_at) the first snapshot stays: the same one again is ``repeated``, one with other figures
is ``conflicting`` (kept out, and said). Every batch leaves a ``live_feed_batch`` row — where it
came from, what it added, what it skipped and why — so lines read + lines skipped = data lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from shopops.domains.live.feed import FeedRows
from shopops.warehouse import audit
from shopops.warehouse.connection import transaction

_MAX_NOTES = 20
_SQL_TYPES = {"money": "DECIMAL(18, 2)", "int": "BIGINT", "timestamp": "TIMESTAMP", "text": "VARCHAR"}


@dataclass
class BatchResult:
    shop: str
    room: str
    origin: str
    lines: int
    added: int = 0
    repeated: int = 0
    conflicting: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    unused_columns: tuple[str, ...] = ()
    batch_id: int | None = None
    latest: dt.datetime | None = None  # the newest captured_at added

    def summary(self) -> str:
        room = self.room or self.shop
        parts = [f"{room}：{self.lines} 行，新增 {self.added} 次采集"]
        if self.repeated:
            parts.append(f"{self.repeated} 次已有（相同，未重复记）")
        if self.conflicting:
            parts.append(f"{self.conflicting} 次与已存的数不同（保留先到的）")
        if self.skipped:
            parts.append(f"跳过 {self.skipped} 行")
        if self.unused_columns:
            parts.append("未使用的列：" + "、".join(self.unused_columns))
        return "，".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "shop": self.shop,
            "room": self.room,
            "origin": self.origin,
            "lines": self.lines,
            "added": self.added,
            "repeated": self.repeated,
            "conflicting": self.conflicting,
            "skipped": self.skipped,
            "notes": self.notes,
            "unused_columns": list(self.unused_columns),
            "batch_id": self.batch_id,
        }


def store_batch(
    cursor: duckdb.DuckDBPyConnection,
    feed: FeedRows,
    *,
    shop: str,
    room: str,
    origin: str,
    replay: bool = False,
    received_at: dt.datetime | None = None,
    audit_detail: bool = True,
) -> BatchResult:
    """Add the feed's new snapshots of one room (see the module). Nothing is written for a batch
    that adds nothing and skips nothing (a file read again unchanged)."""
    now = received_at or dt.datetime.now()
    result = BatchResult(shop, room, origin, feed.lines, unused_columns=feed.unused_columns)
    result.skipped = len(feed.skipped)
    result.notes = [why for _, why in feed.skipped[:_MAX_NOTES]]
    if len(feed.skipped) > _MAX_NOTES:
        result.notes.append(f"…另有 {len(feed.skipped) - _MAX_NOTES} 行跳过")
    columns = list(feed.types)  # captured_at, anchor and the figures: what makes two readings the same
    seen: dict[dt.datetime, dict[str, Any]] = {}
    fresh: list[dict[str, Any]] = []
    for row in feed.rows:
        key = row["captured_at"]
        if key in seen:
            _count(result, seen[key], row, columns)
            continue
        seen[key] = row
        fresh.append(row)
    with transaction(cursor):
        stored = _stored(cursor, shop, room, list(seen), columns)
        new = []
        for row in fresh:
            existing = stored.get(row["captured_at"])
            if existing is None:
                new.append(row)
            else:
                _count(result, existing, row, columns)
        if not new and not result.skipped and not result.conflicting:
            return result
        batch_id = cursor.execute("SELECT nextval('live_batch_id_seq')").fetchall()[0][0]
        result.batch_id = int(batch_id)
        if new:
            _insert(cursor, new, feed.types, (shop, room, replay, now, result.batch_id))
            result.added = len(new)
            result.latest = max(row["captured_at"] for row in new)
        cursor.execute(
            "INSERT INTO live_feed_batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.batch_id,
                shop,
                room,
                origin,
                now,
                result.lines,
                result.added,
                result.repeated,
                result.conflicting,
                result.skipped,
                "\n".join(result.notes) or None,
            ],
        )
        if audit_detail and not replay:
            audit.record_current(cursor, "live_feed", room or shop, result.to_json())
    return result


def _count(result: BatchResult, kept: dict[str, Any], row: dict[str, Any], columns: Sequence[str]) -> None:
    if all(kept.get(name) == row.get(name) for name in columns):
        result.repeated += 1
        return
    result.conflicting += 1
    if len(result.notes) < _MAX_NOTES:
        result.notes.append(
            f"第 {row.get('source_row', '?')} 行 {row['captured_at']:%Y-%m-%d %H:%M:%S} 已有一次采集，数不同：保留先到的"
        )


def _stored(
    cursor: duckdb.DuckDBPyConnection,
    shop: str,
    room: str,
    keys: Sequence[dt.datetime],
    columns: Sequence[str],
) -> dict[dt.datetime, dict[str, Any]]:
    if not keys:
        return {}
    rows = cursor.execute(
        f"SELECT {', '.join(columns)} FROM live_snapshot WHERE shop = ? AND room = ?"
        " AND captured_at BETWEEN ? AND ? AND list_contains(?::TIMESTAMP[], captured_at)",
        [shop, room, min(keys), max(keys), list(keys)],
    ).fetchall()
    return {row[0]: dict(zip(columns, row, strict=True)) for row in rows}


def _insert(
    cursor: duckdb.DuckDBPyConnection,
    rows: list[dict[str, Any]],
    types: dict[str, str],
    fixed: tuple[str, str, bool, dt.datetime, int],  # shop, room, replay, received_at, batch_id
) -> None:
    names = [*types, "source_row"]
    lists = [[row.get(name) for row in rows] for name in names]
    sql_types = {name: _SQL_TYPES.get(types.get(name, "int"), "DOUBLE") for name in names}
    unnests = ", ".join(f"unnest(?::{sql_types[name]}[]) AS {name}" for name in names)
    cursor.execute(
        f"INSERT INTO live_snapshot (shop, room, replay, received_at, batch_id, {', '.join(names)})"
        f" SELECT ?, ?, ?, ?, ?, {', '.join(names)} FROM (SELECT {unnests})",
        [*fixed, *lists],
    )
