"""Which imported files a report rests on, and which shop-days have no data of a kind.

A shop-day is covered by an export kind (target table) when an import into that table for that
shop spans the day; outside such spans a missing row means "no data", not zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from shopops.domains import domains

COST_TABLE = "product_master"  # 商品资料 with its cost versions; the SKU 成本表 writes here too
ITEM_TABLE = "sycm_item_day"  # 生意参谋 商品效果: exported for the shops whose items are followed


def files_used(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Imports whose days overlap [start, end] (cost sheets: valid from on or before ``end``)."""
    frame: pl.DataFrame = con.sql(
        """
SELECT import_id, file_name, source_key, target_table, shops, rows_imported, rows_replaced,
       date_min, date_max, imported_at
FROM imports
WHERE (target_table = $cost AND coalesce(date_min, $end) <= $end)
   OR (target_table <> $cost AND date_min <= $end AND date_max >= $start)
ORDER BY target_table = $cost, date_min, file_name""",
        params={"start": start, "end": end, "cost": COST_TABLE},
    ).pl()
    return frame


def coverage(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: Sequence[str]
) -> pl.DataFrame:
    """Per shop and export kind ever imported: the days of [start, end] no import covers.

    Columns: shop, target_table, covered_days, total_days, missing (a list of dates).
    """
    frame: pl.DataFrame = con.sql(
        """
WITH days AS (
    SELECT CAST(range AS DATE) AS date
    FROM range(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY)
),
family AS (
    SELECT name AS shop, CASE WHEN platform IN ('tmall', 'taobao') THEN 'taobao' ELSE platform END AS family
    FROM shops
),
-- An export kind counts for the shops of the platforms it was imported for (no 京东商智 for a
-- Taobao shop); per-session live exports and anchor schedules exist only on days with a session.
kinds AS (
    SELECT DISTINCT i.target_table, f.family FROM imports i, unnest(string_split(i.shops, ',')) u(shop)
    JOIN family f ON f.shop = u.shop
    WHERE NOT list_contains($undated, i.target_table) AND i.target_table NOT LIKE 'live_session%'
      AND NOT list_contains($per_shop, i.target_table)
),
-- Exports a shop has only when it uses the tool behind them (an ERP's stock, 商品效果) count for
-- the shops that imported them once, not for every shop of the platform.
own_kinds AS (
    SELECT DISTINCT u.shop, i.target_table FROM imports i, unnest(string_split(i.shops, ',')) u(shop)
    WHERE list_contains($per_shop, i.target_table)
),
grid AS (
    SELECT s.shop, k.target_table, d.date FROM unnest($shops) s(shop)
    JOIN family f ON f.shop = s.shop JOIN kinds k ON k.family = f.family, days d
    UNION ALL
    SELECT s.shop, o.target_table, d.date FROM unnest($shops) s(shop) JOIN own_kinds o ON o.shop = s.shop, days d
),
covered AS (
    SELECT DISTINCT g.shop, g.target_table, g.date FROM grid g JOIN imports i
      ON i.target_table = g.target_table AND list_contains(string_split(i.shops, ','), g.shop)
     AND g.date BETWEEN i.date_min AND i.date_max
)
SELECT g.shop, g.target_table, count(c.date) AS covered_days, count(*) AS total_days,
       list(g.date ORDER BY g.date) FILTER (WHERE c.date IS NULL) AS missing
FROM grid g LEFT JOIN covered c USING (shop, target_table, date)
GROUP BY ALL ORDER BY g.shop, g.target_table""",
        params={
            "start": start,
            "end": end,
            "shops": list(shops),
            "undated": undated_tables(),
            "per_shop": per_shop_tables(),
        },
    ).pl()
    return frame


def undated_tables() -> list[str]:
    """Tables whose imports state no days to cover: cost sheets, anchor schedules, a domain's lists."""
    return [COST_TABLE, "anchor_schedule", "targets", *(t for d in domains() for t in d.undated_tables)]


def per_shop_tables() -> list[str]:
    """Tables of exports only some shops have (商品效果, a domain's ERP exports): see ``coverage``."""
    return [ITEM_TABLE, *(t for d in domains() for t in d.per_shop_tables)]


def has_data(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: Sequence[str]) -> bool:
    """Whether any export (other than cost sheets) covers a day of [start, end] for one of ``shops``."""
    rows = con.execute(
        """
SELECT count(*) FROM imports i, unnest($shops) s(shop)
WHERE i.target_table <> $cost AND i.date_min <= $end AND i.date_max >= $start
  AND list_contains(string_split(i.shops, ','), s.shop)""",
        {"start": start, "end": end, "shops": list(shops), "cost": COST_TABLE},
    ).fetchall()
    return bool(rows and rows[0][0])
