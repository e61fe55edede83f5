"""`shopops products new`: 上新 curves — who is taking off, who is stuck.

A launch is a style (款): its SKUs summed (``by="sku"``: each SKU). 上新日 of a style = the earliest of
its SKUs' (``launch_days``: 创建时间, else 首次有库存, else 首次销售; unknown when one of its SKUs is
older than the history). Day 1 is the launch day. For each style launched in [since, end]:

- **销量** of days 1–7, 1–14, 1–30 (relations.SOLD), and its daily units from day 1;
- **访客, 支付买家** of the same days from 生意参谋 商品效果 (``sycm_item_day``), an item matched to a style
  by 货号/商家编码 = 款式编码, else by its 商品ID in the product master, else through the order lines
  (商品ID → 商家编码 = SKU); **转化率** = Σ支付买家 ÷ Σ访客. A window is known only when imports cover
  each of its days (sales: order-line or ERP sales exports; 访客: 商品效果 exports), never a partial sum.
- **同类对比 (cohort)**: the styles of the same shop and category launched in the ``cohort_days`` (180)
  before it whose same window is known; their median, 25th and 75th percentile of the window's units
  (``formulas.percentile``). The verdict window is the style's days so far, at most 30 (days 1–N,
  against the cohort's same first N days): **起量** above the cohort's ``takes_off`` (75th)
  percentile, **滞后** below the ``lags`` (25th), else **跟随**; "—" with fewer than :data:`MIN_COHORT`
  comparable launches, or when neither it nor its cohort sold anything in those days (not on sale yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import polars as pl

from shopops.domains.stock.formulas import percentile
from shopops.domains.stock.launch_days import query, sku_facts
from shopops.domains.stock.relations import PRODUCTS, SOLD, SOLD_TABLES
from shopops.domains.stock.status import StockRules

WINDOWS = (7, 14, 30)
MIN_COHORT = 3
VERDICTS = ("起量", "跟随", "滞后")
LAUNCH_COLUMNS = (
    "shop",
    "style",
    "sku",
    "name",
    "category",
    "launch",
    "launch_basis",
    "age_days",
    "skus",
    *(f"units_{n}d" for n in WINDOWS),
    *(f"visitors_{n}d" for n in WINDOWS),
    *(f"buyers_{n}d" for n in WINDOWS),
    *(f"conversion_{n}d" for n in WINDOWS),
    *(f"cohort_median_{n}d" for n in WINDOWS),
    "verdict_days",
    "verdict_units",
    "verdict_visitors",
    "verdict_conversion",
    "cohort_size",
    "cohort_p25",
    "cohort_median",
    "cohort_p75",
    "verdict",
    "daily_units",
    "formula",
)

Grain = Literal["style", "sku"]


@dataclass(frozen=True)
class Launches:
    frame: pl.DataFrame  # LAUNCH_COLUMNS, one row per launch, newest first
    since: dt.date
    end: dt.date
    by: Grain
    notes: list[str] = field(default_factory=list)


def launches(
    con: duckdb.DuckDBPyConnection,
    since: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    by: Grain = "style",
    rules: StockRules | None = None,
) -> Launches:
    rules = rules or StockRules()
    shop_list = list(shops) if shops is not None else None
    items = _items(sku_facts(con, end, shop_list), by)
    new = items.filter(pl.col("launch").is_between(since, end))
    notes = [
        f"上新：{since} ~ {end} 上新的{'款' if by == 'style' else 'SKU'}；上新日 = 创建时间，否则首次有库存，否则首次销售"
        + ("（款取其SKU中最早的）" if by == "style" else ""),
        f"同类对比：同店同分类、上新前 {rules.cohort_days} 天内上新且该窗口数据齐全的款，取同样第 1–N 天的销量；"
        f"判断窗口 = 上新以来的天数（至多 30 天）：高于第 {rules.takes_off:g} 百分位为起量，"
        f"低于第 {rules.lags:g} 百分位为滞后，其余跟随；可比的不足 {MIN_COHORT} 款、或它与同类都还没卖出为 —",
        "转化率 = 支付买家数 ÷ 访客数（生意参谋 商品效果，由合计重算）",
    ]
    if new.is_empty():
        return Launches(_empty(), since, end, by, notes)
    earliest = since - dt.timedelta(days=rules.cohort_days)
    pool = items.filter(pl.col("launch").is_between(earliest, end))
    shop_names = pool["shop"].unique().to_list()
    daily = _daily_units(con, pool, by, earliest, end)
    sales_days = _covered(con, SOLD_TABLES, shop_names, earliest, end)
    traffic, traffic_days = _traffic(con, pool, by, earliest, end, shop_names)
    rows = []
    for item in new.sort(["shop", "launch", "item"], descending=[False, True, False]).iter_rows(named=True):
        rows.append(_row(item, pool, daily, traffic, sales_days, traffic_days, end, rules, by))
    frame = pl.DataFrame(rows, schema=_schema(), orient="row")
    notes += _traffic_notes(frame, traffic_days, by, end)
    return Launches(frame, since, end, by, notes)


def _items(facts: pl.DataFrame, by: Grain) -> pl.DataFrame:
    """One row per launch: the style (its SKUs' earliest launch; unknown if one is unknown) or SKU."""
    if by == "sku":
        return facts.select(
            "shop", "style", "name", "category", "launch", "launch_basis",
            item="sku", sku="sku", skus=pl.lit(1, pl.Int64), members=pl.concat_list("sku"),
        )  # fmt: skip
    return (
        facts.sort("launch", nulls_last=True)
        .group_by("shop", "style", maintain_order=True)
        .agg(
            pl.col("name").drop_nulls().first(),
            pl.col("category").drop_nulls().first(),
            pl.when(pl.col("launch").null_count() == 0).then(pl.col("launch").min()).alias("launch"),
            pl.col("launch_basis").first(),
            pl.col("sku").count().cast(pl.Int64).alias("skus"),
            pl.col("sku").alias("members"),
        )
        .with_columns(item=pl.col("style"), sku=pl.lit(None, pl.String))
    )


def _daily_units(
    con: duckdb.DuckDBPyConnection, pool: pl.DataFrame, by: Grain, start: dt.date, end: dt.date
) -> dict[tuple[str, str], dict[dt.date, int]]:
    sold = query(
        con,
        f"SELECT shop, sku, day, CAST(sum(units) AS BIGINT) AS units FROM ({SOLD}) GROUP BY ALL",
        sold_start=start,
        sold_end=end,
        as_of=end,
    )
    members = pool.select("shop", "item", "members").explode("members").rename({"members": "sku"})
    joined = sold.join(members, on=["shop", "sku"]).group_by("shop", "item", "day").agg(pl.col("units").sum())
    out: dict[tuple[str, str], dict[dt.date, int]] = {}
    for shop, item, day, units in joined.iter_rows():
        out.setdefault((shop, item), {})[day] = int(units)
    return out


def _covered(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], shops: list[str], start: dt.date, end: dt.date
) -> dict[str, set[dt.date]]:
    """Per shop, the days in [start, end] that an import of ``tables`` covers (sale or not)."""
    rows = con.execute(
        "SELECT shops, date_min, date_max FROM imports WHERE list_contains($tables, target_table)"
        " AND date_min IS NOT NULL AND date_min <= $end AND date_max >= $start",
        {"tables": list(tables), "start": start, "end": end},
    ).fetchall()
    out: dict[str, set[dt.date]] = {shop: set() for shop in shops}
    for names, first, last in rows:
        days = {
            max(first, start) + dt.timedelta(days=i)
            for i in range((min(last, end) - max(first, start)).days + 1)
        }
        for shop in str(names).split(","):
            if shop in out:
                out[shop] |= days
    return out


def _traffic(
    con: duckdb.DuckDBPyConnection,
    pool: pl.DataFrame,
    by: Grain,
    start: dt.date,
    end: dt.date,
    shops: list[str],
) -> tuple[dict[tuple[str, str], dict[dt.date, tuple[int | None, int | None]]], dict[str, set[dt.date]]]:
    """访客 and 支付买家 per launch and day (styles only: 商品效果 has no SKU grain), and its days."""
    covered = _covered(con, ("sycm_item_day",), shops, start, end)
    if by == "sku":
        return {}, covered
    frame = query(con, _TRAFFIC_SQL, start=start, end=end, shops=shops, as_of=end)
    styles = set(pool.select("shop", "item").iter_rows())
    out: dict[tuple[str, str], dict[dt.date, tuple[int | None, int | None]]] = {}
    for shop, style, day, visitors, buyers in frame.iter_rows():
        if (shop, style) in styles:
            out.setdefault((shop, style), {})[day] = (visitors, buyers)
    return out, covered


def _row(
    item: dict[str, Any],
    pool: pl.DataFrame,
    daily: dict[tuple[str, str], dict[dt.date, int]],
    traffic: dict[tuple[str, str], dict[dt.date, tuple[int | None, int | None]]],
    sales_days: dict[str, set[dt.date]],
    traffic_days: dict[str, set[dt.date]],
    end: dt.date,
    rules: StockRules,
    by: Grain,
) -> dict[str, Any]:
    shop, launch = item["shop"], item["launch"]
    age = (end - launch).days + 1
    key = (shop, item["item"])

    def window(start: dt.date, days: int, covered: set[dt.date]) -> list[dt.date] | None:
        span = [start + dt.timedelta(days=i) for i in range(days)]
        return span if span[-1] <= end and all(d in covered for d in span) else None

    def units(who: tuple[str, str], start: dt.date, days: int) -> int | None:
        span = window(start, days, sales_days.get(shop, set()))
        return None if span is None else sum(daily.get(who, {}).get(d, 0) for d in span)

    row: dict[str, Any] = {
        "shop": shop, "style": item["style"], "sku": item["sku"], "name": item["name"],
        "category": item["category"], "launch": launch, "launch_basis": item["launch_basis"],
        "age_days": age, "skus": item["skus"],
    }  # fmt: skip
    earlier = pool.filter(
        (pl.col("shop") == shop)
        & (pl.col("category").eq_missing(item["category"]))
        & pl.col("launch").is_between(
            launch - dt.timedelta(days=rules.cohort_days), launch - dt.timedelta(days=1)
        )
    )
    cohort = [(shop, other, start) for other, start in earlier.select("item", "launch").iter_rows()]

    def cohort_values(days: int) -> list[float]:
        values = (units((s, o), start, days) for s, o, start in cohort)
        return [float(v) for v in values if v is not None]

    for n in WINDOWS:
        row[f"units_{n}d"] = units(key, launch, n)
        span = window(launch, n, traffic_days.get(shop, set())) if by == "style" else None
        seen = [traffic.get(key, {}).get(d, (0, 0)) for d in span] if span else []
        row[f"visitors_{n}d"] = _known_sum([v for v, _ in seen])
        row[f"buyers_{n}d"] = _known_sum([b for _, b in seen])
        visitors = row[f"visitors_{n}d"]
        row[f"conversion_{n}d"] = row[f"buyers_{n}d"] / visitors if visitors else None
        row[f"cohort_median_{n}d"] = percentile(cohort_values(n), 50)
    days = min(age, WINDOWS[-1])
    mine, values = units(key, launch, days), cohort_values(days)
    low, mid, high = (percentile(values, q) for q in (rules.lags, 50, rules.takes_off))
    verdict = None
    if mine is not None and len(values) >= MIN_COHORT and low is not None and high is not None:
        if mine > high:
            verdict = "起量"
        elif mine < low:
            verdict = "滞后"
        elif mine > 0 or high > 0:  # neither it nor its cohort sold in these days: nothing to judge
            verdict = "跟随"
    span = window(launch, days, traffic_days.get(shop, set())) if by == "style" else None
    seen = [traffic.get(key, {}).get(d, (0, 0)) for d in span] if span else []
    visitors, buyers = _known_sum([v for v, _ in seen]), _known_sum([b for _, b in seen])
    curve = [daily.get(key, {}).get(launch + dt.timedelta(days=i), 0) for i in range(min(age, 30))]
    row |= {
        "verdict_days": days, "verdict_units": mine, "verdict_visitors": visitors,
        "verdict_conversion": buyers / visitors if buyers is not None and visitors else None, "cohort_size": len(values), "cohort_p25": low,
        "cohort_median": mid, "cohort_p75": high, "verdict": verdict,
        "daily_units": ",".join(str(u) for u in curve),
        "formula": f"cohort_days={rules.cohort_days}; takes_off=p{rules.takes_off:g}; lags=p{rules.lags:g}",
    }  # fmt: skip
    return row


def _known_sum(values: list[int | None]) -> int | None:
    """The sum of a window's days; unknown when the window is not covered or a day's figure is unknown."""
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _traffic_notes(
    frame: pl.DataFrame, covered: dict[str, set[dt.date]], by: Grain, end: dt.date
) -> list[str]:
    if by == "sku":
        return ["访客、转化率：生意参谋 商品效果按商品（宝贝）统计，不分SKU，按SKU看时为 —（用 --by style）"]
    notes = []
    for shop in frame["shop"].unique(maintain_order=True).to_list():
        rows = frame.filter(pl.col("shop") == shop)
        first = min(rows["launch"].to_list())
        missing = [d for d in _days(first, end) if d not in covered.get(shop, set())]
        if not covered.get(shop):
            notes.append(
                f"{shop}：没有 生意参谋 商品效果 的导出，访客、转化率为 —；导入 商品效果（按日）后才有"
            )
        elif missing:
            notes.append(
                f"{shop}：生意参谋 商品效果 缺 {missing[0]} ~ {missing[-1]} 中的 {len(missing)} 天，"
                "这些天所在窗口的访客、转化率为 —"
            )
    return notes


def _days(first: Any, last: Any) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _schema() -> dict[str, Any]:
    types: dict[str, Any] = dict.fromkeys(LAUNCH_COLUMNS, pl.Int64)
    for name in (
        "shop",
        "style",
        "sku",
        "name",
        "category",
        "launch_basis",
        "verdict",
        "daily_units",
        "formula",
    ):
        types[name] = pl.String
    types["launch"] = pl.Date
    for name in LAUNCH_COLUMNS:
        if name.startswith(("conversion_", "cohort_median", "cohort_p", "verdict_conversion")):
            types[name] = pl.Float64
    return types


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_schema())


# 访客 and 支付买家 per shop, style and day: a 商品效果 item is a style by 货号 = 款式编码, else by its
# 商品ID in the product master, else by the SKU its order lines carry (the style most of them name).
_TRAFFIC_SQL = f"""
WITH master AS ({PRODUCTS}),
styles AS (SELECT DISTINCT shop, style FROM master WHERE style IS NOT NULL),
by_id AS (
    SELECT shop, item_id, mode(style) AS style FROM product_master p
    WHERE item_id IS NOT NULL AND style IS NOT NULL GROUP BY shop, item_id
), by_line AS (
    SELECT l.shop, l.item_id, mode(m.style) AS style FROM order_lines l
    JOIN master m ON m.shop = l.shop AND m.sku = l.sku_code
    WHERE l.item_id IS NOT NULL AND m.style IS NOT NULL GROUP BY l.shop, l.item_id
)
SELECT i.shop, coalesce(s.style, d.style, o.style) AS style, i.date AS day,
       CAST(sum(i.visitors) AS BIGINT) AS visitors, CAST(sum(i.buyers) AS BIGINT) AS buyers
FROM sycm_item_day i
LEFT JOIN styles s ON s.shop = i.shop AND s.style = i.item_code
LEFT JOIN by_id d ON d.shop = i.shop AND d.item_id = i.item_id
LEFT JOIN by_line o ON o.shop = i.shop AND o.item_id = i.item_id
WHERE i.date BETWEEN $start AND $end AND list_contains($shops, i.shop)
  AND coalesce(s.style, d.style, o.style) IS NOT NULL
GROUP BY ALL
"""
