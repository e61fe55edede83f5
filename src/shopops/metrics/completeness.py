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


def _table_partial_days(
    con: duckdb.DuckDBPyConnection, table: str, shops: Sequence[str] | None
) -> list[PartialDay]:
    where = "WHERE list_contains($shops, shop)" if shops is not None else ""
    params: dict[str, object] = {"shops": list(shops)} if shops is not None else {}
    edges = con.execute(
        f"""
        SELECT shop, min(coalesce(created_at, paid_at)), max(coalesce(created_at, paid_at)),
               CAST(min(paid_at) AS DATE), CAST(max(paid_at) AS DATE)
        FROM {table} {where} GROUP BY shop HAVING count(coalesce(created_at, paid_at)) > 0
        """,
        params,
    ).fetchall()
    found: list[PartialDay] = []
    label = ORDER_TABLES[table]
    for shop, first, last, first_paid, last_paid in edges:
        after, per_day = _missing(con, table, shop, last, "after")
        last_whole = last.date() if _whole(after, per_day) else last.date() - dt.timedelta(days=1)
        if last.date() > last_whole:
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
        before, per_day = _missing(con, table, shop, first, "before")
        if not _whole(before, per_day):
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


def _missing(
    con: duckdb.DuckDBPyConnection, table: str, shop: str, edge: dt.datetime, side: str
) -> tuple[float, float]:
    """The share of a usual day's orders created after (before) ``edge``'s time of day, and a usual
    day's order count — both from the days next to the edge."""
    near, far = (
        (edge - dt.timedelta(days=PROFILE_DAYS), edge)
        if side == "after"
        else (edge, edge + dt.timedelta(days=PROFILE_DAYS))
    )
    compare = ">" if side == "after" else "<"
    (share,) = con.execute(
        f"""
        SELECT coalesce(avg(CASE WHEN CAST(t AS TIME) {compare} CAST($edge AS TIME) THEN 1.0 ELSE 0.0 END), 0)
        FROM (SELECT coalesce(created_at, paid_at) AS t FROM {table} WHERE shop = $shop)
        WHERE t BETWEEN $near AND $far AND CAST(t AS DATE) <> CAST($edge AS DATE)
        """,
        {"shop": shop, "edge": edge, "near": near, "far": far},
    ).fetchone() or (0.0,)
    days = (
        (edge.date() - dt.timedelta(days=COUNT_DAYS), edge.date() - dt.timedelta(days=1))
        if side == "after"
        else (edge.date() + dt.timedelta(days=1), edge.date() + dt.timedelta(days=COUNT_DAYS))
    )
    (per_day,) = con.execute(
        f"""
        SELECT coalesce(median(n), 0) FROM (
            SELECT CAST(coalesce(created_at, paid_at) AS DATE) AS d, count(*) AS n FROM {table}
            WHERE shop = $shop AND CAST(coalesce(created_at, paid_at) AS DATE) BETWEEN $first AND $last
            GROUP BY d)
        """,
        {"shop": shop, "first": days[0], "last": days[1]},
    ).fetchone() or (0.0,)
    return float(share), float(per_day)


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
