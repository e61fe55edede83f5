"""`shopops service agents`: one row per person over a window, every ratio recomputed from counts.

询单转化率 has two 口径 in practice (DESIGN §8): 询单->最终付款人数 ÷ 询单人数 (``paid``, the default,
赤兔's 询单->最终付款成功率) or 询单->最终下单人数 ÷ 询单人数 (``ordered``). The table names the one it
used. 询单->最终付款 settles about 4 days after the day: the conversion is taken over the settled
days only (both counts from the same days), and ``provisional`` says that some days are not in it yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import polars as pl

from shopops.domains.service.records import (
    BASIS_LABELS,
    UNSTATED,
    Records,
    choose_periods,
    load_records,
)

Conversion = Literal["paid", "ordered"]
CONVERSION_LABELS: dict[str, str] = {
    "paid": "询单->最终付款人数 ÷ 询单人数",
    "ordered": "询单->最终下单人数 ÷ 询单人数",
}

AGENT_COLUMNS = (
    "agent",
    "shop",
    "group",
    "days",
    "receptions",
    "inquiries",
    "inquiry_buyers",
    "settled_inquiries",
    "inquiry_conversion",
    "sales",
    "sales_orders",
    "aov",
    "avg_response_seconds",
    "first_response_seconds",
    "reply_rate",
    "slow_responses",
    "satisfaction_rate",
    "refund_amount",
    "provisional",
    "basis",
    "status",
    "accounts",
)


@dataclass(frozen=True)
class AgentTable:
    frame: pl.DataFrame  # AGENT_COLUMNS, one row per shop and person, best 销售额 first
    start: dt.date
    end: dt.date
    conversion: Conversion
    attribution: dict[str, str]  # shop → 赤兔 attribution option used ('' = not stated)
    passed_over: dict[str, dict[str, int]]  # shop → {other option: rows not merged}
    notes: list[str] = field(default_factory=list)  # lines every output shows under the table


def agent_table(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    group: str | None = None,
    attribution: str | None = None,
    conversion: Conversion = "paid",
) -> AgentTable:
    records = load_records(con, start, end, shops, attribution=attribution)
    chosen = choose_periods(records.frame, start, end)
    frame = summarize(chosen, conversion).select(AGENT_COLUMNS)
    frame = frame.sort(["shop", "sales", "agent"], descending=[False, True, False], nulls_last=True)
    if group is not None:
        frame = frame.filter(pl.col("group") == group)
    table = AgentTable(frame, start, end, conversion, records.attribution, records.passed_over)
    table.notes.extend(_notes(table, records, chosen))
    return table


def summarize(
    rows: pl.DataFrame, conversion: Conversion = "paid", keys: Sequence[str] = ("shop", "person")
) -> pl.DataFrame:
    """Put period rows together per ``keys``: counts added (unknown if a part is), ratios from the
    sums, averages weighted by receptions, conversion over the settled periods."""
    converted = "inquiry_paid" if conversion == "paid" else "inquiry_ordered"
    settled = pl.col(converted).is_not_null() & pl.col("inquiries").is_not_null()
    out = rows.group_by(list(keys), maintain_order=True).agg(
        pl.col("agent_group").drop_nulls().last().alias("group")
        if "agent_group" in rows.columns
        else pl.lit(None),
        pl.col("status").drop_nulls().last().alias("status") if "status" in rows.columns else pl.lit(None),
        pl.col("accounts").str.split("、").explode().unique().sort().str.join("、")
        if "accounts" in rows.columns
        else pl.lit(None),
        _known_sum("work_days").alias("work_days"),
        pl.len().alias("periods"),
        (pl.col("period_start") == pl.col("period_end")).sum().alias("_day_rows"),
        _known_sum("receptions"),
        _known_sum("inquiries"),
        pl.col(converted).filter(settled).sum().alias("inquiry_buyers"),
        pl.col("inquiries").filter(settled).sum().alias("_settled_inquiries"),
        (settled.sum() > 0).alias("_any_settled"),
        _known_sum("sales"),
        _known_sum("sales_buyers"),
        _known_sum("sales_orders"),
        _known_sum("unreplied"),
        _known_sum("slow_responses"),
        _known_sum("refund_amount"),
        *(_weighted(c) for c in ("avg_response_seconds", "first_response_seconds", "reply_rate_stated")),
        *(_weighted(c) for c in ("satisfaction_rate_stated",)),
        (pl.col("very_satisfied") + pl.col("satisfied")).sum().alias("_pleased"),
        pl.sum_horizontal("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
        .filter(pl.col("very_satisfied").is_not_null())
        .sum()
        .alias("_rated"),
        pl.col("provisional").any().alias("provisional"),
        pl.col("basis").drop_nulls().unique().sort().str.join("+").alias("basis"),
    )
    receptions = pl.col("receptions").cast(pl.Float64)
    out = out.with_columns(
        agent=pl.col("person") if "person" in out.columns else pl.lit(None, pl.String),
        # 上班天数 when the exports state it, else the days with a day row; unknown for a range.
        days=pl.coalesce("work_days", pl.when(pl.col("_day_rows") == pl.col("periods")).then("_day_rows")),
        inquiry_buyers=pl.when(pl.col("_any_settled")).then(pl.col("inquiry_buyers")),
        # the 询单人数 of the settled days: the denominator of inquiry_conversion
        settled_inquiries=pl.when(pl.col("_any_settled")).then(pl.col("_settled_inquiries")),
        inquiry_conversion=pl.when(pl.col("_any_settled") & (pl.col("_settled_inquiries") > 0)).then(
            pl.col("inquiry_buyers") / pl.col("_settled_inquiries")
        ),
        aov=pl.when(pl.col("sales_buyers") > 0).then(
            pl.col("sales").cast(pl.Float64) / pl.col("sales_buyers")
        ),
        reply_rate=pl.when(pl.col("unreplied").is_not_null() & (receptions > 0))
        .then(1 - pl.col("unreplied") / receptions)
        .otherwise(pl.col("reply_rate_stated")),
        satisfaction_rate=pl.when(pl.col("_rated") > 0)
        .then(pl.col("_pleased") / pl.col("_rated"))
        .otherwise(pl.col("satisfaction_rate_stated")),
    )
    return out


def _known_sum(column: str) -> pl.Expr:
    """Σ column, unknown when any part is unknown (a blank is not a zero)."""
    return pl.when(pl.col(column).null_count() == 0).then(pl.col(column).sum()).alias(column)


def _weighted(column: str) -> pl.Expr:
    """A per-reception average over periods, weighted by receptions; one period keeps its own value."""
    known = pl.col(column).is_not_null() & pl.col("receptions").is_not_null()
    weight = pl.col("receptions").filter(known).sum()
    weighted = (pl.col(column) * pl.col("receptions")).filter(known).sum() / weight
    single = pl.col(column).drop_nulls().first()
    return (
        pl.when(pl.col(column).drop_nulls().len() == 1)
        .then(single)
        .when(weight > 0)
        .then(weighted)
        .alias(column)
    )


def _notes(table: AgentTable, records: Records, chosen: pl.DataFrame) -> list[str]:
    notes = [f"询单转化率 = {CONVERSION_LABELS[table.conversion]}（已结算的日期）"]
    for shop, option in sorted(records.attribution.items()):
        line = f"{shop}：客服销售额按 {option or UNSTATED}"
        others = records.passed_over.get(shop, {})
        if others:
            listed = "、".join(f"{name} {rows} 行" for name, rows in sorted(others.items()))
            line += f"；另有 {listed} 未合并（口径不同，用 --attribution 查看）"
        notes.append(line)
    if not chosen.is_empty():
        bases = sorted(set(chosen["basis"].drop_nulls().to_list()))
        if "days" in bases:
            notes.append("日累加：人数为每天人数之和，同一买家跨天会重复计数")
        if "ranges" in bases:
            notes.append("分段累加：窗口内几段导出相加，买家跨段会重复计数")
        labels = "、".join(BASIS_LABELS[b] for b in bases)
        notes.append(f"数据口径：{labels}")
    if not table.frame.is_empty() and table.frame["provisional"].any():
        notes.append("暂定：部分日期的询单->最终付款尚未结算（约 4 天后稳定），结算后重新导入即更新")
    return notes
