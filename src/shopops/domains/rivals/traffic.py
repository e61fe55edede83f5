"""Traffic-source mix (入店来源) of a rival item against ours.

A rival's mix is the share of its 流量指数 by source — a share of an index, not of visitors, and
labelled so. Ours is the share of real 访客数 by source, with the real 支付转化率 (买家/访客). A
rival's conversion by source is its 支付转化指数 (an index, never a rate).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from shopops.domains.rivals.facts import frame


def traffic_mix(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Per item (rivals and ours) and source: index share or visitor share, and conversion."""
    return frame(
        con,
        """
        WITH t AS (
            SELECT rival_shop, item_id, traffic_source, our_visitors IS NOT NULL AS ours,
                sum(traffic_index) AS traffic_index, avg(conversion_index) AS conversion_index,
                sum(our_visitors) AS visitors, sum(our_buyers) AS buyers
            FROM rival_traffic_day WHERE date BETWEEN $start AND $end GROUP BY ALL
        )
        SELECT CASE WHEN ours THEN '本店' ELSE rival_shop END AS shop, item_id, traffic_source, ours,
            traffic_index,
            CASE WHEN NOT ours THEN traffic_index / nullif(sum(traffic_index)
                OVER (PARTITION BY rival_shop, item_id, ours), 0) END AS index_share,
            visitors,
            CASE WHEN ours THEN visitors / nullif(sum(visitors) OVER (PARTITION BY rival_shop, item_id, ours), 0)
                END AS visitor_share,
            conversion_index,
            CASE WHEN ours THEN buyers / nullif(visitors, 0) END AS conversion_rate
        FROM t ORDER BY ours DESC, shop, item_id, coalesce(visitors, traffic_index) DESC NULLS LAST
        """,
        {"start": start, "end": end},
    )
