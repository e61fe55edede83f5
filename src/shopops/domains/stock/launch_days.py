"""Each SKU's launch day (上新日), its attributes and cost, for `products structure` and `products new`.

上新日, from the best evidence, named in ``launch_basis``:

1. **创建时间** — the product master's 创建时间 (聚水潭 商品资料; our template's 上新日期);
2. else **首次有库存** — the first stock snapshot holding the SKU (实际库存 > 0), when that came after the
   shop's first snapshot (a SKU already in the first snapshot was launched before it: unknown);
3. else **首次销售** — its first sale (relations.SOLD), when after the shop's first day of sales;
4. else unknown (None): launched before the history began.

Attributes (style, name, category, season, 基本售价) are the product master's, else the latest
snapshot's. SKUs of
the shop = those of its product master, its snapshots and its sales; 组合商品 codes (BOM) are not SKUs
of their own (their sales are their components').
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from shopops.domains.stock.relations import PRODUCTS, SOLD

BASES = ("创建时间", "首次有库存", "首次销售")
EPOCH = dt.date(1970, 1, 1)


def sql_params(sql: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The named parameters ``sql`` uses, from ``values`` (DuckDB refuses unused ones; the shared
    relations may gain one, e.g. ``$as_of``)."""
    used = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    missing = used - set(values)
    if missing:
        raise KeyError(f"no value for ${sorted(missing)[0]}")
    return {k: v for k, v in values.items() if k in used}


def query(con: duckdb.DuckDBPyConnection, sql: str, **values: Any) -> pl.DataFrame:
    frame: pl.DataFrame = con.sql(sql, params=sql_params(sql, values)).pl()
    return frame


LAUNCH_SQL = f"""
WITH master AS ({PRODUCTS}),
sold AS ({SOLD}),
combos AS (SELECT DISTINCT shop, combo_sku AS sku FROM product_bom),
snap AS (
    SELECT shop, sku, min(period_start) FILTER (WHERE on_hand > 0) AS first_stock,
           arg_max(style, period_start) AS style, arg_max(name, period_start) AS name,
           arg_max(category, period_start) AS category
    FROM stock_snapshot WHERE period_start <= $end AND ($shops IS NULL OR list_contains($shops, shop))
    GROUP BY shop, sku
), snap_start AS (
    SELECT shop, min(period_start) AS first_day FROM stock_snapshot GROUP BY shop
), sales AS (
    SELECT shop, sku, min(day) FILTER (WHERE units > 0) AS first_sold FROM sold
    WHERE $shops IS NULL OR list_contains($shops, shop) GROUP BY shop, sku
), sales_start AS (
    SELECT shop, min(day) AS first_day FROM sold GROUP BY shop
), skus AS (
    SELECT shop, sku FROM master WHERE shop <> '*' AND ($shops IS NULL OR list_contains($shops, shop))
    UNION SELECT shop, sku FROM snap UNION SELECT shop, sku FROM sales
)
SELECT k.shop, k.sku,
       coalesce(m.style, sn.style, k.sku) AS style, coalesce(m.name, sn.name) AS name,
       coalesce(m.category, sn.category) AS category, m.season, m.list_price,
       CASE WHEN m.created_at IS NOT NULL THEN m.created_at
            WHEN sn.first_stock > ss.first_day THEN sn.first_stock
            WHEN sa.first_sold > st.first_day THEN sa.first_sold END AS launch,
       CASE WHEN m.created_at IS NOT NULL THEN '创建时间'
            WHEN sn.first_stock > ss.first_day THEN '首次有库存'
            WHEN sa.first_sold > st.first_day THEN '首次销售' END AS launch_basis
FROM skus k
LEFT JOIN master m ON m.shop = k.shop AND m.sku = k.sku
LEFT JOIN snap sn ON sn.shop = k.shop AND sn.sku = k.sku
LEFT JOIN snap_start ss ON ss.shop = k.shop
LEFT JOIN sales sa ON sa.shop = k.shop AND sa.sku = k.sku
LEFT JOIN sales_start st ON st.shop = k.shop
WHERE NOT EXISTS (SELECT 1 FROM combos c WHERE c.shop = k.shop AND c.sku = k.sku)
"""


def sku_facts(con: duckdb.DuckDBPyConnection, end: dt.date, shops: Sequence[str] | None) -> pl.DataFrame:
    """One row per shop and SKU: style, name, category, season, list_price, launch, launch_basis."""
    return query(
        con,
        LAUNCH_SQL,
        end=end,
        shops=list(shops) if shops is not None else None,
        sold_start=EPOCH,
        sold_end=end,
        as_of=end,
    )
