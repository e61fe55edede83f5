"""无数据: a day inside an export's covered range that has no row at all.

An order export that covers 02-01…03-01 but holds no order of 02-16 is either a day the shop sold
nothing or a day the export lost; a 生意参谋 export of a month without one of its days has lost it.
Both are findings (``no_data``), never silence. A quiet shop (fewer than ``MIN_USUAL_ORDERS`` orders
on a usual day) has days without orders: no gap is claimed there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from shopops.metrics.completeness import ORDER_TABLES

# Daily exports (one row per shop and whole day) and their labels.
DAILY_TABLES = {"sycm_shop_day": "生意参谋 店铺整体", "jd_shop_day": "京东商智 店铺概况"}
MIN_USUAL_ORDERS = 5.0  # P(a day without orders) < 1 % for a Poisson day of 5


@dataclass(frozen=True)
class Gap:
    date: dt.date
    table: str
    label: str
    covered_from: dt.date
    covered_to: dt.date
    usual_rows: float | None  # orders on a usual day (order exports)

    def text(self) -> str:
        where = f"{self.label}覆盖 {self.covered_from:%m-%d}…{self.covered_to:%m-%d}"
        if self.usual_rows is None:
            return f"{where}，却没有 {self.date:%m-%d} 这一天：导出漏了这一天，请补导"
        return (
            f"{where}，{self.date:%m-%d} 却一笔订单都没有（近几天每天约 {self.usual_rows:.0f} 笔）："
            "是全天零成交，还是导出漏了这一天？请核对，必要时补导这一天"
        )


def data_gaps(con: duckdb.DuckDBPyConnection, shop: str, start: dt.date, end: dt.date) -> list[Gap]:
    """The days of [start, end] an import of ``shop`` covers with no row, per table."""
    gaps: list[Gap] = []
    for table, label in {**ORDER_TABLES, **DAILY_TABLES}.items():
        present = (  # the days with a row: an order created or paid that day
            f"SELECT CAST(created_at AS DATE) AS d FROM {table} WHERE shop = $shop"
            f" UNION SELECT CAST(paid_at AS DATE) FROM {table} WHERE shop = $shop"
            if table in ORDER_TABLES
            else f"SELECT date AS d FROM {table} WHERE shop = $shop"
        )
        rows = con.execute(
            f"""
            WITH covered AS (
                SELECT CAST(r.range AS DATE) AS date, min(i.date_min) AS first, max(i.date_max) AS last
                FROM imports i, range(CAST(i.date_min AS TIMESTAMP), CAST(i.date_max AS TIMESTAMP)
                                      + INTERVAL 1 DAY, INTERVAL 1 DAY) r
                WHERE i.target_table = '{table}' AND list_contains(string_split(i.shops, ','), $shop)
                GROUP BY ALL),
            present AS ({present})
            SELECT c.date, c.first, c.last FROM covered c
            WHERE c.date BETWEEN $start AND $end AND c.date NOT IN (SELECT d FROM present WHERE d IS NOT NULL)
            ORDER BY c.date
            """,
            {"shop": shop, "start": start, "end": end},
        ).fetchall()
        for day, first, last in rows:
            usual = _usual_orders(con, table, shop, day) if table in ORDER_TABLES else None
            if usual is not None and usual < MIN_USUAL_ORDERS:
                continue
            gaps.append(Gap(day, table, label, first, last, usual))
    return gaps


def _usual_orders(con: duckdb.DuckDBPyConnection, table: str, shop: str, day: dt.date) -> float:
    """The median orders a day over the 14 days before ``day`` (days without orders count as 0)."""
    row = con.execute(
        f"""
        SELECT median(coalesce(n, 0)) FROM range(CAST($day AS TIMESTAMP) - INTERVAL 14 DAY,
            CAST($day AS TIMESTAMP), INTERVAL 1 DAY) r
        LEFT JOIN (SELECT CAST(coalesce(paid_at, created_at) AS DATE) AS d, count(*) AS n FROM {table}
                   WHERE shop = $shop GROUP BY d) c ON c.d = CAST(r.range AS DATE)
        """,
        {"shop": shop, "day": day},
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0
