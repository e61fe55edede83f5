"""Facts derived from item snapshots, all in DuckDB (no per-row Python).

Daily sales follow the counter the mapping chose:
- ``sales_total`` (累计销量, cumulative): sales between two snapshots = the difference. When snapshot
  days are missing, the difference Δ between readings N days apart is spread over all N days (the
  skipped days and the day of the later reading), each row flagged ``estimated`` (估算) with
  ``days`` = N. Units stay whole and add up to Δ exactly: day k of the gap gets
  ⌊Δ·k/N⌋ − ⌊Δ·(k−1)/N⌋, i.e. the straight line between the readings rounded down, differenced —
  every day gets ⌊Δ/N⌋ or ⌈Δ/N⌉, the extra units fall evenly through the gap and the day of the
  later reading always gets ⌈Δ/N⌉. A gap longer than ``LOOKBACK_DAYS`` restarts the count
  (``first``), so a day has the same units whatever window it is read in (every window reads
  ``LOOKBACK_DAYS`` before and after itself).
  A counter that goes down is a data problem and is said so: ``reset`` when it falls to ≤ 20% of
  its last value (the platform restarted it — later days count from the new value), ``decrease``
  otherwise; neither gives a sales figure for that interval.
- ``sales_30d`` (月销量, rolling 30 days): daily sales = 月销量 / 30, the average of the trailing
  30 days; it may go down without anything being wrong.
Estimated revenue = daily units × the price of the day. Manual prices (`shopops rival price`)
override the snapshot's price on their day. A skipped day has no price of its own (unless a
snapshot without a counter or a manual price gave one): it takes the price of the later reading,
so a gap at one price adds up to Δ × that price exactly.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

RESET_SHARE = 0.2  # a counter that falls to ≤ 20% of its last value was reset
LOOKBACK_DAYS = 45  # history read before --from (previous snapshot, recent median price)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """The result of a query as a Polars frame."""
    result: pl.DataFrame = con.sql(sql, params=params).pl()
    return result


def _day(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def merged_sql(start: dt.date, end: dt.date) -> str:
    """CTEs ending in ``merged``: one row per item and day in [start - lookback, end], manual prices applied."""
    first = _day(start - dt.timedelta(days=LOOKBACK_DAYS))
    last = _day(end)
    return f"""
    snap AS (
        SELECT rival_shop, item_id, date, max(title) AS title, max(price) AS price,
               max(sales_total) AS sales_total, max(sales_30d) AS sales_30d, max(review_count) AS review_count
        FROM rival_snapshots WHERE date BETWEEN {first} AND {last} GROUP BY ALL
    ), manual AS (
        SELECT rival_shop, item_id, date, arg_max(price, entered_at) AS price
        FROM rival_manual WHERE price IS NOT NULL AND date BETWEEN {first} AND {last} GROUP BY ALL
    ), merged AS MATERIALIZED (
        SELECT coalesce(s.rival_shop, m.rival_shop) AS rival_shop, coalesce(s.item_id, m.item_id) AS item_id,
               coalesce(s.date, m.date) AS date, s.title, coalesce(m.price, s.price) AS price,
               m.price IS NOT NULL AS manual_price, s.sales_total, s.sales_30d, s.review_count
        FROM snap s FULL JOIN manual m USING (rival_shop, item_id, date)
    )"""


def observations_sql(start: dt.date, end: dt.date) -> str:
    """One row per rival item and snapshot day in [start - lookback, end], with the previous values."""
    previous = "OVER (PARTITION BY rival_shop, item_id ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    return f"""
    WITH {merged_sql(start, end)}
    SELECT *,
        last_value(price IGNORE NULLS) {previous} AS prev_price,
        last_value(CASE WHEN price IS NOT NULL THEN date END IGNORE NULLS) {previous} AS prev_price_date,
        last_value(sales_total IGNORE NULLS) {previous} AS prev_total,
        last_value(CASE WHEN sales_total IS NOT NULL THEN date END IGNORE NULLS) {previous} AS prev_total_date,
        last_value(review_count IGNORE NULLS) {previous} AS prev_reviews
    FROM merged
    """


def daily_sales_sql(start: dt.date, end: dt.date) -> str:
    """SQL of :func:`daily_sales` (used by findings and the report too)."""
    ahead = end + dt.timedelta(days=LOOKBACK_DAYS)  # a gap that straddles ``end`` closes after it
    return f"""
    WITH o AS ({observations_sql(start, ahead)}),
    d AS (
        SELECT *, CAST(date - prev_total_date AS INTEGER) AS days,
            CASE
                WHEN sales_total IS NULL AND sales_30d IS NOT NULL THEN 'rolling'
                WHEN sales_total IS NULL THEN 'blank'
                WHEN prev_total IS NULL OR date - prev_total_date > {LOOKBACK_DAYS} THEN 'first'
                WHEN sales_total >= prev_total AND date - prev_total_date > 1 THEN 'gap'
                WHEN sales_total >= prev_total THEN 'ok'
                WHEN sales_total <= prev_total * {RESET_SHARE} THEN 'reset'
                ELSE 'decrease'
            END AS counter_status
        FROM o
    ),
    steps AS (
        SELECT rival_shop, item_id, prev_total_date, days, sales_total - prev_total AS delta,
            price AS gap_price, title AS gap_title, unnest(range(1, days + 1)) AS k
        FROM d WHERE counter_status = 'gap'
    ),
    spread AS (
        SELECT rival_shop, item_id, CAST(prev_total_date + CAST(k AS INTEGER) AS DATE) AS date, days,
            delta * k // days - delta * (k - 1) // days AS spread_units, gap_price, gap_title
        FROM steps
    ),
    x AS (
        SELECT rival_shop, item_id, date, coalesce(d.title, s.gap_title) AS title,
            coalesce(d.price, s.gap_price) AS price, coalesce(d.manual_price, false) AS manual_price,
            d.sales_total, d.sales_30d, d.review_count, d.prev_total, coalesce(s.days, d.days) AS days,
            s.days IS NOT NULL AS estimated,
            CASE WHEN estimated THEN 'gap' ELSE d.counter_status END AS counter_status,
            CASE WHEN estimated THEN s.spread_units
                WHEN d.counter_status = 'ok' THEN d.sales_total - d.prev_total END AS counted,
            CASE WHEN d.counter_status = 'rolling' AND NOT estimated THEN d.sales_30d / 30.0 END AS rolling,
            d.prev_price, d.prev_price_date, d.prev_reviews
        FROM d FULL JOIN spread s USING (rival_shop, item_id, date)
        WHERE date BETWEEN {_day(start)} AND {_day(end)}
    )
    SELECT rival_shop, item_id, date, title, price, manual_price, sales_total, sales_30d, review_count,
        prev_total, days, counter_status, estimated,
        coalesce(CAST(counted AS DOUBLE), rolling) AS units,
        -- whole units × DECIMAL price stays exact, so a gap's revenue adds up to the cent
        CAST(coalesce(counted * price, rolling * price) AS DECIMAL(18, 2)) AS revenue,
        prev_price, prev_price_date, prev_reviews
    FROM x
    """


def daily_sales(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Per rival item and day: price, counters, derived units, estimated revenue, status, ``estimated``."""
    return frame(con, daily_sales_sql(start, end) + " ORDER BY rival_shop, item_id, date")


def price_changes(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, *, promo_drop: float = 0.15
) -> pl.DataFrame:
    """Every price change between consecutive observed days, with the drop against the recent median.

    ``promotion`` is true when the new price is at least ``promo_drop`` below the item's median
    price of the 14 days before (a 活动价 / 降价促销).
    """
    sql = f"""
    WITH c AS (
        SELECT rival_shop AS shop, item_id, date, prev_price_date AS previous_date, title,
            prev_price AS old_price, price AS new_price,
            round((price - prev_price) / prev_price, 4)::DOUBLE AS change, manual_price AS manual
        FROM ({observations_sql(start, end)})
        WHERE date BETWEEN {_day(start)} AND {_day(end)} AND price IS NOT NULL AND prev_price IS NOT NULL
          AND price <> prev_price
    ), m AS (
        SELECT c.shop, c.item_id, c.date, median(p.price) AS recent_median
        FROM c JOIN rival_snapshots p ON p.rival_shop = c.shop AND p.item_id = c.item_id
            AND p.date BETWEEN c.date - INTERVAL 14 DAYS AND c.date - INTERVAL 1 DAY
        GROUP BY ALL
    )
    SELECT c.shop, c.item_id, c.date, previous_date, title, old_price, new_price, change, recent_median,
        coalesce(new_price <= recent_median * (1 - {float(promo_drop)}), false) AS promotion, manual
    FROM c LEFT JOIN m USING (shop, item_id, date)
    ORDER BY date, shop, item_id
    """
    return frame(con, sql)


def _bounds_sql() -> str:
    return """
    SELECT *, min(first_seen) OVER (PARTITION BY rival_shop) AS shop_first,
        max(last_seen) OVER (PARTITION BY rival_shop) AS shop_last
    FROM (SELECT rival_shop, item_id, min(date) AS first_seen, max(date) AS last_seen, max(title) AS title
          FROM rival_snapshots GROUP BY ALL)
    """


def new_items(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Items first seen in [start, end] after their shop's first snapshot (上新)."""
    sql = f"""
    SELECT rival_shop AS shop, item_id, first_seen AS date, title FROM ({_bounds_sql()})
    WHERE first_seen > shop_first AND first_seen BETWEEN {_day(start)} AND {_day(end)} ORDER BY date, shop, item_id
    """
    return frame(con, sql)


def disappeared_items(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Items whose last snapshot is before their shop's latest one (下架/消失), by last day seen."""
    sql = f"""
    SELECT rival_shop AS shop, item_id, last_seen, shop_last, title FROM ({_bounds_sql()})
    WHERE last_seen < shop_last AND last_seen BETWEEN {_day(start)} AND {_day(end)}
    ORDER BY last_seen, shop, item_id
    """
    return frame(con, sql)


def review_growth(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """New reviews per item between its first and last observed count in [start, end]."""
    sql = f"""
    SELECT rival_shop AS shop, item_id, min(date) AS first_day, max(date) AS last_day,
        arg_min(review_count, date) AS first_reviews, arg_max(review_count, date) AS last_reviews,
        last_reviews - first_reviews AS review_growth
    FROM rival_snapshots WHERE review_count IS NOT NULL AND date BETWEEN {_day(start)} AND {_day(end)}
    GROUP BY ALL ORDER BY review_growth DESC NULLS LAST, shop, item_id
    """
    return frame(con, sql)


def _group_sql() -> str:
    return """coalesce(nullif((SELECT any_value(i.group_name) FROM rival_items i WHERE i.rival_shop = x.rival_shop
        AND i.item_id = x.item_id), ''), (SELECT any_value(s.group_name) FROM rival_shops s
        WHERE s.name = x.rival_shop), '')"""


def group_share(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, *, by: str = "shop"
) -> pl.DataFrame:
    """Share of each group's units and estimated revenue in [start, end], by rival shop or by item."""
    if by not in ("shop", "item"):
        raise ValueError(by)
    keys = "rival_shop" if by == "shop" else "rival_shop, item_id"
    sql = f"""
    WITH x AS ({daily_sales_sql(start, end)}),
    g AS (SELECT {_group_sql()} AS group_name, * FROM x),
    t AS (SELECT group_name, {keys}, sum(units) AS units, sum(revenue) AS revenue FROM g GROUP BY ALL)
    SELECT group_name, {keys.replace("rival_shop", "rival_shop AS shop")}, units, revenue,
        units / nullif(sum(units) OVER (PARTITION BY group_name), 0) AS unit_share,
        CAST(revenue AS DOUBLE) / nullif(sum(CAST(revenue AS DOUBLE)) OVER (PARTITION BY group_name), 0)
            AS revenue_share
    FROM t ORDER BY group_name, revenue DESC NULLS LAST, shop
    """
    return frame(con, sql)


def rank_changes(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Each item's rank by units within its group in [start, end] against the same-length period before."""
    days = (end - start).days + 1
    before_start, before_end = start - dt.timedelta(days=days), start - dt.timedelta(days=1)
    sql = f"""
    WITH now AS (SELECT rival_shop, item_id, sum(units) AS units FROM ({daily_sales_sql(start, end)}) GROUP BY ALL),
    before AS (SELECT rival_shop, item_id, sum(units) AS units
        FROM ({daily_sales_sql(before_start, before_end)}) GROUP BY ALL),
    x AS (SELECT coalesce(n.rival_shop, b.rival_shop) AS rival_shop, coalesce(n.item_id, b.item_id) AS item_id,
        n.units AS units, b.units AS units_before FROM now n FULL JOIN before b USING (rival_shop, item_id)),
    g AS (SELECT {_group_sql()} AS group_name, * FROM x)
    SELECT group_name, rival_shop AS shop, item_id, units, units_before,
        CASE WHEN units IS NOT NULL THEN rank() OVER (PARTITION BY group_name ORDER BY units DESC NULLS LAST) END
            AS rank,
        CASE WHEN units_before IS NOT NULL THEN rank() OVER (PARTITION BY group_name
            ORDER BY units_before DESC NULLS LAST) END AS rank_before,
        rank_before - rank AS rank_change
    FROM g ORDER BY group_name, rank NULLS LAST, shop, item_id
    """
    return frame(con, sql)
