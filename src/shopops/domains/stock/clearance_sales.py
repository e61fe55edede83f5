"""The sales side of the clearance list: per style its velocity windows, units sold to date, prices,
price elasticity (季节校正 by the same-season styles without a price change) and markdown band.

Reads ``relations.SOLD`` by style (the product master's 款式编码, else the SKU) and day over the last
:data:`HISTORY_DAYS` days (or the style's 库龄, when longer). The price history leaves out 组合商品
components and days with a line lacking its 实付金额; velocities count every unit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import duckdb
import polars as pl

from shopops.domains.stock.alerts import sql_frame
from shopops.domains.stock.elasticity import NO_HISTORY, Level, elasticity, markdown_band, price_levels
from shopops.domains.stock.relations import PRODUCTS, SOLD
from shopops.domains.stock.status import StockRules

HISTORY_DAYS = 365  # the sales read for price levels
SCHEMA = {
    "shop": pl.String, "style": pl.String, "units_14d": pl.Int64, "units_prev_14d": pl.Int64,
    "units_28d": pl.Int64, "sold_to_date": pl.Int64, "sold_from": pl.Date, "list_price": pl.Float64,
    "current_price": pl.Float64, "elasticity": pl.Float64, "seasonal_factor": pl.Float64,
    "suggested_price": pl.Float64, "markdown_band": pl.String,
}  # fmt: skip

_DAILY_SQL = f"""
WITH sold AS ({SOLD}), products AS ({PRODUCTS})
SELECT s.shop, coalesce(p.style, s.sku) AS style, s.day,
       EXISTS (SELECT 1 FROM product_bom b WHERE b.shop = s.shop AND b.sku = s.sku) AS component,
       sum(s.units) AS units, sum(s.revenue) AS revenue, count(*) = count(s.revenue) AS whole,
       any_value(p.season) AS season
FROM sold s LEFT JOIN products p ON p.shop = s.shop AND p.sku = s.sku
WHERE list_contains($shops, s.shop) GROUP BY ALL
"""
_PRICES_SQL = f"""
SELECT shop, style, CAST(max(list_price) AS DOUBLE) AS list_price, CAST(max(cost_price) AS DOUBLE) AS cost
FROM ({PRODUCTS}) WHERE list_contains($shops, shop) GROUP BY ALL
"""

Key = tuple[str, str]


def style_sales(
    con: duckdb.DuckDBPyConnection, day: dt.date, picked: pl.DataFrame, rules: StockRules
) -> pl.DataFrame:
    """:data:`SCHEMA` per shop and style of ``picked`` (the clearance rows: shop, style, available, age_days)."""
    shops = picked["shop"].unique().to_list()
    oldest = max((int(a) for a in picked["age_days"].drop_nulls().to_list()), default=0)
    first = day - dt.timedelta(days=max(HISTORY_DAYS, oldest))
    params = {"shops": shops, "sold_start": first, "sold_end": day, "as_of": day}
    daily = sql_frame(con, _DAILY_SQL, params)
    prices = {(r[0], r[1]): (r[2], r[3]) for r in sql_frame(con, _PRICES_SQL, params).iter_rows()}
    parts: dict[Key, pl.DataFrame] = {
        (str(k[0]), str(k[1])): part for k, part in daily.group_by("shop", "style")
    }
    levels = {key: _levels(part, day) for key, part in parts.items()}
    control = _control(parts, levels)
    starts = dict(daily.group_by("shop").agg(pl.col("day").min()).iter_rows())  # the sales we hold
    rows = []
    for row in picked.iter_rows(named=True):
        key = (row["shop"], row["style"])
        part = parts.get(key)
        list_price, cost = prices.get(key, (None, None))
        if part is None:  # nothing sold in the history: no velocity, no price history
            rows.append(_nothing(key, list_price))
            continue
        season = part["season"].drop_nulls().first()
        own = _own_units(part)
        control_units = control.get((key[0], str(season)))
        figures = _figures(row, part, day, levels[key], own, control_units, list_price, cost, rules)
        rows.append(figures | {"sold_from": max(figures["sold_from"], starts[key[0]])})
    return pl.DataFrame(rows, schema=SCHEMA)


def _levels(part: pl.DataFrame, day: dt.date) -> list[Level]:
    own = part.filter(~pl.col("component") & pl.col("whole") & (pl.col("units") > 0))
    return price_levels(
        ((d, int(u), float(r)) for d, u, r in own.select("day", "units", "revenue").iter_rows()), day
    )


def _own_units(part: pl.DataFrame) -> dict[dt.date, int]:
    own = part.filter(~pl.col("component") & pl.col("whole"))
    return {d: int(u) for d, u in own.select("day", "units").iter_rows()}


def _control(parts: dict[Key, pl.DataFrame], levels: dict[Key, list[Level]]) -> dict[Key, Counter[dt.date]]:
    """Per shop and 季节: the daily units of its styles whose price never changed (one level or none)."""
    control: dict[Key, Counter[dt.date]] = {}
    for key, part in parts.items():
        season = part["season"].drop_nulls().first()
        if season is None or len(levels[key]) > 1:
            continue
        totals = control.setdefault((key[0], str(season)), Counter())
        for d, units in part.group_by("day").agg(pl.col("units").sum()).iter_rows():
            totals[d] += int(units)
    return control


def _figures(
    row: dict[str, Any],
    part: pl.DataFrame,
    day: dt.date,
    levels: list[Level],
    own: dict[dt.date, int],
    control: Counter[dt.date] | None,
    list_price: float | None,
    cost: float | None,
    rules: StockRules,
) -> dict[str, Any]:
    def units(first: int, last: int) -> int:
        since, until = day - dt.timedelta(days=last), day - dt.timedelta(days=first)
        return int(part.filter(pl.col("day").is_between(since, until))["units"].sum())

    recent, before = units(0, 13), units(14, 27)
    sold_from = day - dt.timedelta(days=int(row["age_days"] or 0))  # the 库龄 start (later: the sales' start)
    found = elasticity(levels, rules.price_level_days, own, control)
    band = markdown_band(
        stock=row["available"],
        days_left=rules.clearance_weeks * 7,
        rate_now=recent / 14,
        price_now=levels[-1].price if levels else None,
        list_price=list_price,
        epsilon=None if found is None else found.value,
        cost=cost,
    )
    return {
        "shop": row["shop"], "style": row["style"], "units_14d": recent, "units_prev_14d": before,
        "units_28d": recent + before, "sold_to_date": int(part.filter(pl.col("day") >= sold_from)["units"].sum()),
        "sold_from": sold_from, "list_price": list_price, "current_price": levels[-1].price if levels else None,
        "elasticity": None if found is None else found.value,
        "seasonal_factor": None if found is None else found.control, "suggested_price": band.price,
        "markdown_band": band.text,
    }  # fmt: skip


def _nothing(key: Key, list_price: float | None) -> dict[str, Any]:
    return {
        "shop": key[0], "style": key[1], "units_14d": 0, "units_prev_14d": 0, "units_28d": 0,
        "sold_to_date": 0, "sold_from": None, "list_price": list_price, "current_price": None,
        "elasticity": None, "seasonal_factor": None, "suggested_price": None, "markdown_band": NO_HISTORY,
    }  # fmt: skip
