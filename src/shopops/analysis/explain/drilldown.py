"""Figures below the shop-day for explanations: ad channels (spend, clicks), 淘客 clicks, items.

Spend per channel follows source precedence in the master table (``ad_spend_<channel>``); clicks
and ad GMV come from the plan-level ad reports; item sales from 生意参谋商品效果 where it was
imported for the shop and both days, else from the 千牛 order lines (price × quantity, by 付款时间).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from shopops.channels import ad_channels


def channel_short_label(key: str) -> str:
    """直通车 rather than 关键词推广（直通车）: the name operators say."""
    for channel in ad_channels():
        if channel.key == key:
            label = channel.label
            if "（" in label:
                return label.split("（", 1)[1].rstrip("）").split("/")[0]
            return label
    return key


@dataclass(frozen=True)
class ChannelChange:
    channel: str
    label: str
    spend_before: Decimal | None
    spend_after: Decimal | None
    clicks_before: int | None
    clicks_after: int | None

    @property
    def spend_change(self) -> Decimal | None:
        if self.spend_before is None or self.spend_after is None:
            return None
        return self.spend_after - self.spend_before

    @property
    def spend_relative(self) -> float | None:
        if self.spend_before is None or self.spend_after is None or not self.spend_before:
            return None
        return float(self.spend_after / self.spend_before - 1)

    @property
    def clicks_relative(self) -> float | None:
        if self.clicks_before is None or self.clicks_after is None or not self.clicks_before:
            return None
        return self.clicks_after / self.clicks_before - 1


@dataclass(frozen=True)
class ItemChange:
    item: str
    title: str
    sales_before: Decimal
    sales_after: Decimal

    @property
    def change(self) -> Decimal:
        return self.sales_after - self.sales_before


def ad_clicks(
    con: duckdb.DuckDBPyConnection, shops: Sequence[str], days: Sequence[dt.date]
) -> dict[tuple[dt.date, str], int]:
    """Clicks per (day, channel) summed over ``shops`` from the plan-level ad reports."""
    rows = con.execute(
        "SELECT date, channel, sum(clicks) FROM ad_plan_day"
        " WHERE list_contains($shops, shop) AND list_contains($days, date) GROUP BY ALL",
        {"shops": list(shops), "days": list(days)},
    ).fetchall()
    return {(row[0], row[1]): int(row[2]) for row in rows if row[2] is not None}


def channel_changes(
    spend_before: Mapping[str, Decimal | None],
    spend_after: Mapping[str, Decimal | None],
    clicks: Mapping[tuple[dt.date, str], int],
    before: dt.date,
    after: dt.date,
) -> list[ChannelChange]:
    """Every channel with spend on either day, the largest spend change first."""
    changes = [
        ChannelChange(
            channel.key,
            channel_short_label(channel.key),
            spend_before.get(channel.key),
            spend_after.get(channel.key),
            clicks.get((before, channel.key)),
            clicks.get((after, channel.key)),
        )
        for channel in ad_channels()
        if spend_before.get(channel.key) is not None or spend_after.get(channel.key) is not None
    ]
    changes.sort(key=lambda c: -abs(c.spend_change or Decimal(0)))
    return changes


def affiliate_clicks(
    con: duckdb.DuckDBPyConnection, shops: Sequence[str], days: Sequence[dt.date]
) -> dict[dt.date, int]:
    rows = con.execute(
        "SELECT date, sum(clicks) FROM affiliate_day WHERE list_contains($shops, shop)"
        " AND list_contains($days, date) GROUP BY ALL",
        {"shops": list(shops), "days": list(days)},
    ).fetchall()
    return {row[0]: int(row[1]) for row in rows if row[1] is not None}


def item_changes(
    con: duckdb.DuckDBPyConnection, shops: Sequence[str], before: dt.date, after: dt.date, limit: int = 5
) -> list[ItemChange]:
    """The items whose sales changed most between two days, over ``shops``."""
    sycm_shops = {
        row[0]
        for row in con.execute(
            "SELECT shop FROM sycm_item_day WHERE list_contains($shops, shop) AND list_contains($days, date)"
            " GROUP BY shop HAVING count(DISTINCT date) = 2",
            {"shops": list(shops), "days": [before, after]},
        ).fetchall()
    }
    sql = """
WITH sales AS (
    SELECT item_id AS item, any_value(item_name) AS title, date, sum(coalesce(gmv, 0)) AS amount
    FROM sycm_item_day WHERE list_contains($sycm, shop) AND list_contains($days, date) GROUP BY item_id, date
    UNION ALL
    SELECT coalesce(sku_code, item_id, title) AS item, any_value(title) AS title, CAST(paid_at AS DATE) AS date,
           sum(coalesce(price * quantity, paid_amount, 0)) AS amount
    FROM order_lines
    WHERE list_contains($lines, shop) AND paid_at IS NOT NULL AND list_contains($days, CAST(paid_at AS DATE))
    GROUP BY ALL
)
SELECT item, any_value(title), coalesce(sum(amount) FILTER (WHERE date = $before), 0),
       coalesce(sum(amount) FILTER (WHERE date = $after), 0)
FROM sales GROUP BY item
ORDER BY abs(coalesce(sum(amount) FILTER (WHERE date = $after), 0)
           - coalesce(sum(amount) FILTER (WHERE date = $before), 0)) DESC, item
LIMIT $limit"""
    rows = con.execute(
        sql,
        {
            "days": [before, after],
            "before": before,
            "after": after,
            "sycm": sorted(sycm_shops),
            "lines": [s for s in shops if s not in sycm_shops],
            "limit": limit,
        },
    ).fetchall()
    return [
        ItemChange(str(row[0]), str(row[1] or row[0]), Decimal(row[2]), Decimal(row[3]))
        for row in rows
        if row[2] != row[3]
    ]
