"""Complete days: whether an export has covered a whole day, per shop and source.

A 生意参谋 / 京东商智 daily export has a row per whole day: its days are complete. An order export
is a list of orders **by creation time** up to the moment it was taken: an export pulled at 00:37
has covered the day before, not the day it was pulled on. Sales are dated by payment time, so a
payment day ``D`` is complete when the export has orders created until the end of ``D``:

- the day of the last order created is complete when, on a usual day, hardly any orders come
  after that time of day: fewer than ``MAX_MISSING_SHARE`` of them, or fewer than
  ``MAX_MISSING_ORDERS`` expected (a quiet shop's last order at 21:00 proves nothing);
- payment days after it (orders created earlier, paid later) are incomplete: they hold only
  those payments;
- the first day is judged the same way from the first order created, when sales are dated on it.

Everything that defaults to "the latest day" takes the latest **complete** day and says which
day it skipped and why (:func:`latest_complete`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

# Order-level tables (orders listed by creation time, dated by payment time) and their labels.
ORDER_TABLES = {
    "orders": "订单导出",
    "order_lines": "宝贝报表",
    "douyin_order_lines": "抖店订单导出",
}
MAX_MISSING_SHARE = 0.05
MAX_MISSING_ORDERS = 3.0
PROFILE_DAYS = 28  # the time-of-day profile comes from this many days of orders at the edge
COUNT_DAYS = 7  # a usual day's order count: the median of this many days next to the edge


@dataclass(frozen=True)
class PartialDay:
    """A shop-day an export has not covered whole."""

    shop: str
    date: dt.date
    table: str
    reason: str  # Chinese: why, e.g. "订单导出按下单时间只到 02-29 23:59，…"

    @property
    def label(self) -> str:
        return ORDER_TABLES.get(self.table, self.table)

    def text(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.shop}：{self.reason}"


def partial_days(con: duckdb.DuckDBPyConnection, shops: Sequence[str] | None = None) -> list[PartialDay]:
    """Every incomplete shop-day of the order exports, oldest first."""
    found: list[PartialDay] = []
    for table in ORDER_TABLES:
        found += _table_partial_days(con, table, shops)
    return sorted(found, key=lambda p: (p.date, p.shop, p.table))


# Per shop of one order table, in one pass: the first and last order created, the first and last
# payment day, and at each edge the share of a usual day's orders on the far side of the edge's time
# of day (from the PROFILE_DAYS next to it) and a usual day's count (the median of COUNT_DAYS).
_EDGES = """
WITH t AS (SELECT shop, coalesce(created_at, paid_at) AS ts, paid_at FROM {table} {where}),
edges AS (
    SELECT shop, min(ts) AS first, max(ts) AS last, CAST(min(paid_at) AS DATE) AS first_paid,
           CAST(max(paid_at) AS DATE) AS last_paid
    FROM t GROUP BY shop HAVING count(ts) > 0),
shares AS (
    SELECT e.shop,
        avg(CASE WHEN CAST(t.ts AS TIME) > CAST(e.last AS TIME) THEN 1.0 ELSE 0.0 END) FILTER (
            WHERE t.ts >= e.last - INTERVAL {profile} DAY AND CAST(t.ts AS DATE) <> CAST(e.last AS DATE)
        ) AS after_share,
        avg(CASE WHEN CAST(t.ts AS TIME) < CAST(e.first AS TIME) THEN 1.0 ELSE 0.0 END) FILTER (
            WHERE t.ts <= e.first + INTERVAL {profile} DAY AND CAST(t.ts AS DATE) <> CAST(e.first AS DATE)
        ) AS before_share
    FROM t JOIN edges e USING (shop) GROUP BY e.shop),
daily AS (SELECT shop, CAST(ts AS DATE) AS day, count(*) AS orders FROM t WHERE ts IS NOT NULL GROUP BY ALL),
counts AS (
    SELECT e.shop,
        median(d.orders) FILTER (WHERE d.day BETWEEN CAST(e.last AS DATE) - {count} AND CAST(e.last AS DATE) - 1)
            AS per_day_after,
        median(d.orders) FILTER (WHERE d.day BETWEEN CAST(e.first AS DATE) + 1 AND CAST(e.first AS DATE) + {count})
            AS per_day_before
    FROM daily d JOIN edges e USING (shop) GROUP BY e.shop)
SELECT e.shop, e.first, e.last, e.first_paid, e.last_paid,
       coalesce(s.after_share, 0), coalesce(c.per_day_after, 0),
       coalesce(s.before_share, 0), coalesce(c.per_day_before, 0)
FROM edges e LEFT JOIN shares s USING (shop) LEFT JOIN counts c USING (shop)
"""


def _table_partial_days(
    con: duckdb.DuckDBPyConnection, table: str, shops: Sequence[str] | None
) -> list[PartialDay]:
    where = "WHERE list_contains($shops, shop)" if shops is not None else ""
    params: dict[str, object] = {"shops": list(shops)} if shops is not None else {}
    sql = _EDGES.format(table=table, where=where, profile=PROFILE_DAYS, count=COUNT_DAYS)
    found: list[PartialDay] = []
    label = ORDER_TABLES[table]
    for shop, first, last, first_paid, last_paid, after, per_day_after, before, per_day_before in con.execute(
        sql, params
    ).fetchall():
        if not _whole(float(after), float(per_day_after)):
            found.append(
                PartialDay(
                    shop,
                    last.date(),
                    table,
                    f"{label}最后一笔下单在 {last:%H:%M}，平时这之后还有约 {after:.0%} 的订单（这一天还没导完）",
                )
            )
        day = last.date() + dt.timedelta(days=1)
        while last_paid is not None and day <= last_paid:
            found.append(
                PartialDay(
                    shop,
                    day,
                    table,
                    f"{label}按下单时间只到 {last:%m-%d %H:%M}，{day:%m-%d} 只有此前下单、当天付款的订单",
                )
            )
            day += dt.timedelta(days=1)
        if first_paid is None or first.date() < first_paid or first.date() >= last.date():
            continue  # no sales are dated on the first day (an order of the evening before, paid later)
        if not _whole(float(before), float(per_day_before)):
            found.append(
                PartialDay(
                    shop,
                    first.date(),
                    table,
                    f"{label}第一笔下单在 {first:%H:%M}，平时这之前已有约 {before:.0%} 的订单（这一天不是从 0 点导出的）",
                )
            )
    return found


def _whole(share: float, per_day: float) -> bool:
    return share < MAX_MISSING_SHARE or share * per_day < MAX_MISSING_ORDERS


def latest_complete(
    last: dt.date | None, partial: Iterable[PartialDay]
) -> tuple[dt.date | None, list[PartialDay]]:
    """The latest day on or before ``last`` no shop has incomplete, and the partial days skipped."""
    by_day: dict[dt.date, list[PartialDay]] = {}
    for part in partial:
        by_day.setdefault(part.date, []).append(part)
    skipped: list[PartialDay] = []
    day = last
    while day is not None and day in by_day:
        skipped += by_day[day]
        day -= dt.timedelta(days=1)
    return day, skipped


def skipped_text(skipped: Sequence[PartialDay]) -> str:
    """One line: "2020-03-01 数据不完整，默认用 2020-02-29（天猫店：订单导出按下单时间只到 …）"."""
    if not skipped:
        return ""
    days = sorted({p.date for p in skipped})
    shown = "、".join(f"{d:%Y-%m-%d}" for d in days)
    previous = days[0] - dt.timedelta(days=1)
    reasons = "；".join(f"{p.shop}：{p.reason}" for p in skipped[:2])
    more = f" 等 {len(skipped)} 处" if len(skipped) > 2 else ""
    return f"{shown} 数据不完整，默认用 {previous:%Y-%m-%d}（{reasons}{more}）"
