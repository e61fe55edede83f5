"""`shopops service team`: the service team of each shop per day or week, against the shop's own figures.

Per shop and period: 接待人数, 询单人数, 询单转化率 (recomputed from the counts of the settled days),
平均响应 (weighted by receptions), 客服销售额, and from the master table (the core's metrics) the
shop's 支付金额, 访客数 and 支付买家数 over the **same days** — so 支付转化率 (买家 ÷ 访客) and
客服销售额占比 (客服销售额 ÷ 支付金额) compare like with like. Persons of a team are added up (a buyer
who chatted with two agents counts twice); a week is its days added up (日累加: visitors and buyers
too, as the master table's weekly sums are).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import duckdb
import polars as pl

from shopops.domains.service.agents import Conversion, summarize
from shopops.domains.service.daily import day_rows, registered_shops
from shopops.metrics.master import master_table

Grain = Literal["day", "week"]
TEAM_COLUMNS = (
    "period",
    "shop",
    "days",
    "agents",
    "receptions",
    "inquiries",
    "inquiry_buyers",
    "inquiry_conversion",
    "avg_response_seconds",
    "service_sales",
    "gmv",
    "visitors",
    "buyers",
    "conversion_rate",
    "service_sales_share",
    "provisional",
    "basis",
)
_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "period": pl.Date,
    "shop": pl.String,
    "days": pl.Int64,
    "agents": pl.Int64,
    "receptions": pl.Int64,
    "inquiries": pl.Int64,
    "inquiry_buyers": pl.Int64,
    "inquiry_conversion": pl.Float64,
    "avg_response_seconds": pl.Float64,
    "service_sales": pl.Decimal(18, 2),
    "gmv": pl.Decimal(18, 2),
    "visitors": pl.Int64,
    "buyers": pl.Int64,
    "conversion_rate": pl.Float64,
    "service_sales_share": pl.Float64,
    "provisional": pl.Boolean,
    "basis": pl.String,
}


def team_trend(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    by: Grain = "day",
    group: str | None = None,
    conversion: Conversion = "paid",
    attribution: str | None = None,
) -> pl.DataFrame:
    """One row per shop and day (``by="day"``) or week (Monday first, cut to the window), TEAM_COLUMNS;
    ``group`` keeps one group (售前/售后); ``basis`` is "days" (按日) or "week_days" (日累加)."""
    rows = day_rows(con, start, end, shops, attribution=attribution)
    if group is not None:
        rows = rows.filter(pl.col("agent_group") == group)
    if rows.is_empty():
        return pl.DataFrame(schema=_SCHEMA)
    period = (
        pl.col("date") - pl.duration(days=pl.col("date").dt.weekday() - 1) if by == "week" else pl.col("date")
    )
    rows = rows.with_columns(period=period)
    team = summarize(rows, conversion, keys=("shop", "period")).select(
        "shop",
        "period",
        "receptions",
        "inquiries",
        "inquiry_buyers",
        "inquiry_conversion",
        "avg_response_seconds",
        pl.col("sales").alias("service_sales"),
        "provisional",
    )
    counted = rows.group_by("shop", "period").agg(
        pl.col("date").n_unique().cast(pl.Int64).alias("days"),
        pl.col("person").n_unique().cast(pl.Int64).alias("agents"),
    )
    days = rows.select("shop", "date", "period").unique()
    shop_days = days.join(
        _shop_figures(con, start, end, days["shop"].unique().to_list()), on=["shop", "date"], how="left"
    )
    shop = shop_days.group_by("shop", "period").agg(
        *(_known_sum(c) for c in ("gmv", "visitors", "buyers")),
    )
    out = team.join(counted, on=["shop", "period"]).join(shop, on=["shop", "period"], how="left")
    out = out.with_columns(
        conversion_rate=pl.when(pl.col("visitors") > 0).then(pl.col("buyers") / pl.col("visitors")),
        service_sales_share=pl.when(pl.col("gmv") > 0).then(
            pl.col("service_sales").cast(pl.Float64) / pl.col("gmv").cast(pl.Float64)
        ),
        basis=pl.lit("week_days" if by == "week" else "days"),
    )
    return out.select(TEAM_COLUMNS).cast(_SCHEMA).sort("shop", "period")  # type: ignore[arg-type]


def _shop_figures(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: list[str]
) -> pl.DataFrame:
    """支付金额, 访客数, 支付买家数 per shop and day from the master table (shops it knows)."""
    known = [shop for shop in shops if shop in set(registered_shops(con))]
    if not known:
        return pl.DataFrame(
            schema={
                "shop": pl.String,
                "date": pl.Date,
                "gmv": pl.Decimal(18, 2),
                "visitors": pl.Int64,
                "buyers": pl.Int64,
            }
        )
    frame = master_table(con, start, end, shops=known, grain="day")
    return frame.select("shop", "date", "gmv", "visitors", "buyers")


def _known_sum(column: str) -> pl.Expr:
    """Σ column over the period's days, unknown when one day is unknown (a blank is not a zero)."""
    return pl.when(pl.col(column).null_count() == 0).then(pl.col(column).sum()).alias(column)
