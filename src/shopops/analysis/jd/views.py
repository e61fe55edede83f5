"""JD views from successive 京东商智 SKU exports and the coupon report.

- price changes: a SKU's 京东价 differs from its price on the previous day it was exported;
- listings: a SKU's 上下柜状态 changes (上柜 → 下柜 is delisted, 下柜 → 上柜 listed again), and the
  first day a SKU appears is "new";
- coupons: per coupon over a period, 优惠金额 (cost), 领取/使用, the GMV of the orders that used it
  and ROI = 用券成交金额 / 优惠金额 (unknown when nothing was spent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_SUCCESSIVE = """
WITH days AS (
    SELECT shop, sku_id, sku_name, date, price, status,
           lag(price) OVER w AS old_price, lag(status) OVER w AS old_status, lag(date) OVER w AS previous_date
    FROM jd_sku_day WINDOW w AS (PARTITION BY shop, sku_id ORDER BY date)
)
SELECT * FROM days WHERE date BETWEEN ? AND ? AND (? IS NULL OR shop = ?)"""


def price_changes(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shop: str | None = None
) -> list[dict[str, Any]]:
    """One row per SKU and day whose 京东价 changed since the SKU's previous export."""
    sql = (
        "SELECT shop, sku_id, sku_name, date, previous_date, old_price, price AS new_price,"
        " CAST(price - old_price AS DECIMAL(18, 2)) AS change,"
        " CAST(price AS DOUBLE) / NULLIF(CAST(old_price AS DOUBLE), 0) - 1 AS change_rate"
        f" FROM ({_SUCCESSIVE}) WHERE old_price IS NOT NULL AND price IS NOT NULL AND price <> old_price"
        " ORDER BY date, shop, sku_id"
    )
    return _rows(con, sql, [start, end, shop, shop])


def listing_changes(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shop: str | None = None
) -> list[dict[str, Any]]:
    """SKUs listed (新上架 or 重新上柜) and delisted (下柜) in the period."""
    sql = (
        "SELECT shop, sku_id, sku_name, date, old_status, status,"
        " CASE WHEN old_status IS NULL THEN 'new' WHEN status LIKE '%下%' THEN 'delisted' ELSE 'listed' END AS event"
        f" FROM ({_SUCCESSIVE})"
        " WHERE (old_status IS NULL AND previous_date IS NULL AND date > (SELECT min(date) FROM jd_sku_day))"
        "    OR (old_status IS NOT NULL AND status IS NOT NULL AND status <> old_status)"
        " ORDER BY date, shop, sku_id"
    )
    return _rows(con, sql, [start, end, shop, shop])


def coupon_effect(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shop: str | None = None
) -> list[dict[str, Any]]:
    """Per coupon: issued, used, usage rate, cost, GMV carried and ROI over the period."""
    sql = """
SELECT shop, coupon_id, any_value(coupon_name) AS coupon_name, any_value(kind) AS kind,
       sum(issued) AS issued, sum(used) AS used,
       CAST(sum(used) AS DOUBLE) / NULLIF(sum(issued), 0) AS usage_rate,
       sum(cost) AS cost, sum(gmv) AS gmv, sum(orders) AS orders,
       CAST(sum(gmv) AS DOUBLE) / NULLIF(CAST(sum(cost) AS DOUBLE), 0) AS roi
FROM jd_coupon_day WHERE date BETWEEN ? AND ? AND (? IS NULL OR shop = ?)
GROUP BY shop, coupon_id ORDER BY shop, gmv DESC, coupon_id"""
    return _rows(con, sql, [start, end, shop, shop])
