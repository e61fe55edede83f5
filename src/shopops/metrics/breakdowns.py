"""Figures below the shop level for reports: ad channels, refund reasons and refunded items.

Channel ROI and 推广费比 use the catalog formulas of ``ad_roi`` and ``ad_spend_ratio`` over the
channel's own parts, so they are defined once, like every other metric.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from shopops.channels import ad_channels
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.compile import metric_sql
from shopops.metrics.totals import TOTAL_SHOP

SUCCESSFUL_REFUND = "退款成功"


def channel_table(
    con: duckdb.DuckDBPyConnection,
    period: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    catalog: Catalog | None = None,
) -> pl.DataFrame:
    """Per shop (and 合计) and ad channel: spend, ad GMV, ROI and 推广费比 over [start, end].

    ``period`` is the master table of that period (one row per shop, optionally a 合计 row): spend per
    channel follows source precedence there; 成交金额 and ROI come from the plan-level ad reports.
    Channels a shop has no figure for are left out.
    """
    catalog = catalog or load_catalog()
    channels = ad_channels()
    shops = [s for s in period["shop"].to_list() if s != TOTAL_SHOP]
    spend_case = " ".join(f"WHEN '{c.key}' THEN m.\"ad_spend_{c.key}\"" for c in channels)
    values = ", ".join(f"('{c.key}', {position})" for position, c in enumerate(channels))
    roi = metric_sql(
        catalog.metrics["ad_roi"], catalog, {"ad_gmv": "x.ad_gmv", "ad_report_spend": "x.ad_report_spend"}
    )
    ratio = metric_sql(catalog.metrics["ad_spend_ratio"], catalog, {"ad_spend": "x.ad_spend", "gmv": "x.gmv"})
    frame = period.select("shop", "gmv", *[f"ad_spend_{c.key}" for c in channels])
    sql = f"""
WITH reports AS (
    SELECT shop, channel, sum(spend) AS ad_report_spend, sum(ad_gmv) AS ad_gmv
    FROM ad_plan_day WHERE date BETWEEN $start AND $end AND list_contains($shops, shop) GROUP BY ALL
    UNION ALL
    SELECT '{TOTAL_SHOP}', channel, sum(spend), sum(ad_gmv)
    FROM ad_plan_day WHERE date BETWEEN $start AND $end AND list_contains($shops, shop) GROUP BY ALL
),
x AS (
    SELECT m.shop, c.channel, c.position, CASE c.channel {spend_case} END AS ad_spend,
           m.gmv, r.ad_gmv, r.ad_report_spend
    FROM _so_period m CROSS JOIN (VALUES {values}) c(channel, position)
    LEFT JOIN reports r ON r.shop = m.shop AND r.channel = c.channel
)
SELECT x.shop, x.channel, x.ad_spend, x.ad_gmv, x.ad_report_spend, {roi} AS ad_roi, {ratio} AS ad_spend_ratio
FROM x WHERE x.ad_spend IS NOT NULL OR x.ad_gmv IS NOT NULL
ORDER BY x.shop = '{TOTAL_SHOP}', x.shop, x.position"""
    con.register("_so_period", frame)
    try:
        result: pl.DataFrame = con.sql(sql, params={"start": start, "end": end, "shops": shops}).pl()
    finally:
        con.unregister("_so_period")
    return result


def refund_reasons(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: Sequence[str], limit: int = 5
) -> pl.DataFrame:
    """Successful refunds completed in [start, end] by reason: per shop and for all shops (合计)."""
    return _refund_groups(con, start, end, shops, ["reason"], limit)


def refunded_items(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: Sequence[str], limit: int = 5
) -> pl.DataFrame:
    """The items with the most refunded money in [start, end], per shop (商家编码 and title)."""
    return _refund_groups(con, start, end, shops, ["sku_code", "title"], limit)


def _refund_groups(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str],
    keys: list[str],
    limit: int,
) -> pl.DataFrame:
    columns = ", ".join(keys)
    sql = f"""
WITH done AS (
    SELECT shop, {columns}, refund_amount FROM refunds
    WHERE status = '{SUCCESSFUL_REFUND}' AND CAST(completed_at AS DATE) BETWEEN $start AND $end
      AND list_contains($shops, shop)
),
grouped AS (
    SELECT shop, {columns}, count(*) AS refunds, sum(refund_amount) AS amount FROM done GROUP BY ALL
    UNION ALL
    SELECT '{TOTAL_SHOP}', {columns}, count(*), sum(refund_amount) FROM done GROUP BY ALL
),
ranked AS (
    SELECT *, amount / NULLIF(sum(amount) OVER (PARTITION BY shop), 0) AS share,
           row_number() OVER (PARTITION BY shop ORDER BY amount DESC, refunds DESC, {columns}) AS rank
    FROM grouped
)
SELECT shop, rank, {columns}, refunds, amount, CAST(share AS DOUBLE) AS share FROM ranked
WHERE rank <= $limit ORDER BY shop = '{TOTAL_SHOP}', shop, rank"""
    result: pl.DataFrame = con.sql(
        sql, params={"start": start, "end": end, "shops": list(shops), "limit": limit}
    ).pl()
    return result
