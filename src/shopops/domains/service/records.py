"""From stored rows to one record per person and period: reports merged, attribution chosen, roster applied.

Three rules keep the figures honest (see the catalog's 客服 section):

- **One attribution.** 赤兔 credits orders to agents under an option (下单优先判定 / 付款优先判定) that
  changes 客服销售额; rows under different options are never added up. The window uses one option
  (asked for, or the one most rows use); rows that state none are read with it; the others are
  counted in ``Records.passed_over`` so that every output can say they exist.
- **One record per account and period.** Several reports of the same account and period (售前明细,
  a custom report, 千牛 满意度) describe the same people: they are merged, a figure two of them give
  is the same figure (the larger is kept where a re-export moved it), never added.
- **A range is not the sum of its days.** An export for a week counts a buyer who chatted on two
  days once. Within a window a person's figures come from the range row that is exactly the window,
  else from their day rows added up (日累加), else from range rows that do not overlap (分段累加).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

COUNTS = (
    "chats",
    "receptions",
    "inquiries",
    "inquiry_ordered",
    "inquiry_paid",
    "inquiry_next_day_paid",
    "units",
    "sales_buyers",
    "sales_orders",
    "unreplied",
    "slow_responses",
    "long_sessions",
    "buyer_messages",
    "agent_messages",
    "transfers_out",
    "very_satisfied",
    "satisfied",
    "neutral",
    "dissatisfied",
    "very_dissatisfied",
    "refunds",
    "work_days",
)
MONEY = ("sales", "refund_amount")
# Per-reception averages and stated rates: weighted by receptions when periods are put together.
WEIGHTED = (
    "avg_response_seconds",
    "first_response_seconds",
    "avg_session_seconds",
    "reply_rate_stated",
    "satisfaction_rate_stated",
    "response_rate_stated",
    "inquiry_conversion_stated",
)
SETTLE_DAYS = 4  # 询单->最终付款 settles about 4 days after the day (赤兔 help: "延迟 4 天")

BASIS_LABELS = {"period": "整段导出", "days": "日累加", "ranges": "分段累加"}
UNSTATED = "未注明"


@dataclass(frozen=True)
class Records:
    """Merged rows of one window: ``frame`` has one row per shop, person and period."""

    frame: pl.DataFrame
    attribution: dict[str, str]  # shop → the option used ('' = none stated)
    passed_over: dict[str, dict[str, int]]  # shop → {other option: rows not used}


def load_records(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    attribution: str | None = None,
) -> Records:
    """Every stored period inside [start, end], merged per shop, person and period (see the module)."""
    shop_filter, params = _shops(shops)
    rows = con.execute(
        f"""
        SELECT shop, attribution, count(*) AS n FROM service_agent_period
        WHERE period_start >= ? AND period_end <= ? {shop_filter} GROUP BY ALL
        """,
        [start, end, *params],
    ).fetchall()
    chosen: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    for shop, option, n in rows:
        counts.setdefault(shop, {})[option] = n
    for shop, options in counts.items():
        stated = {k: v for k, v in options.items() if k}
        if attribution is not None and attribution in stated:  # asked for, where the shop has it
            chosen[shop] = attribution
        else:  # JD's 促成下单 stays JD's when 赤兔's 付款优先判定 is asked for
            chosen[shop] = max(stated, key=lambda k: (stated[k], k)) if stated else ""
    passed = {
        shop: {k: v for k, v in options.items() if k and k != chosen[shop]}
        for shop, options in counts.items()
        if any(k and k != chosen[shop] for k in options)
    }
    if not chosen:
        return Records(_empty(), {}, {})
    con.execute("CREATE OR REPLACE TEMP TABLE _so_service_choice (shop VARCHAR, attribution VARCHAR)")
    con.executemany("INSERT INTO _so_service_choice VALUES (?, ?)", list(chosen.items()))
    merged = ", ".join(f"max(p.{c}) AS {c}" for c in (*COUNTS, *MONEY, *WEIGHTED))
    # Accounts of one person (a renamed 旺旺) in the same period add up; averages by receptions.
    summed = ", ".join(
        [f"CAST({_sum('a.' + c)} AS BIGINT) AS {c}" for c in COUNTS]
        + [f"CAST({_sum('a.' + c)} AS DECIMAL(18, 2)) AS {c}" for c in MONEY]
        + [
            f"CASE WHEN count(a.{c}) = 1 AND count(*) = 1 THEN any_value(a.{c})"
            f" ELSE sum(a.{c} * a.receptions) / nullif(sum(a.receptions) FILTER (WHERE a.{c} IS NOT NULL), 0)"
            f" END AS {c}"
            for c in WEIGHTED
        ]
    )
    frame: pl.DataFrame = con.sql(
        f"""
        WITH accounts AS (
            SELECT p.shop, p.agent, p.period_start, p.period_end, max(p.agent_group) AS file_group,
                   bool_or(p.pending) AS pending, min(CAST(i.imported_at AS DATE)) AS as_of, {merged}
            FROM service_agent_period p
            JOIN _so_service_choice c ON c.shop = p.shop AND p.attribution IN (c.attribution, '')
            LEFT JOIN imports i ON i.import_id = p.import_id
            WHERE p.period_start >= ? AND p.period_end <= ? {shop_filter.replace("shop", "p.shop")}
            GROUP BY ALL
        ), roster AS (
            SELECT shop, account, any_value(person) AS person FROM service_roster GROUP BY ALL
        ), people AS (  -- a person's group and status: from the roster row of their latest account
            SELECT shop, person,
                   arg_max(agent_group, coalesce(start_date, DATE '1900-01-01')) AS agent_group,
                   arg_max(status, coalesce(start_date, DATE '1900-01-01')) AS status,
                   max(end_date) AS end_date
            FROM service_roster GROUP BY ALL
        )
        SELECT a.shop, coalesce(r.person, a.agent) AS person,
               string_agg(DISTINCT a.agent, '、' ORDER BY a.agent) AS accounts,
               coalesce(any_value(pp.agent_group), max(a.file_group)) AS agent_group,
               any_value(pp.status) AS status, any_value(pp.end_date) AS end_date,
               a.period_start, a.period_end, bool_or(a.pending) AS pending, min(a.as_of) AS as_of,
               {summed}
        FROM accounts a
        LEFT JOIN roster r ON r.shop = a.shop AND r.account = a.agent
        LEFT JOIN people pp ON pp.shop = a.shop AND pp.person = coalesce(r.person, a.agent)
        GROUP BY a.shop, coalesce(r.person, a.agent), a.period_start, a.period_end
        ORDER BY 1, 2, 7, 8
        """,
        params=[start, end, *params],
    ).pl()
    con.execute("DROP TABLE IF EXISTS _so_service_choice")
    # Not settled: a cell said 延迟统计, or the export was imported within SETTLE_DAYS of the period's end.
    frame = frame.with_columns(
        provisional=pl.col("pending")
        | (
            pl.col("as_of").is_not_null()
            & (pl.col("as_of") < pl.col("period_end") + pl.duration(days=SETTLE_DAYS))
        )
    )
    return Records(frame, chosen, passed)


def choose_periods(frame: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Per shop and person, the rows that describe [start, end] without counting a buyer twice,
    with ``basis`` saying how (整段导出 / 日累加 / 分段累加)."""
    if frame.is_empty():
        return frame.with_columns(basis=pl.lit(None, pl.String))
    keys = ["shop", "person"]
    exact = frame.filter((pl.col("period_start") == start) & (pl.col("period_end") == end))
    days = frame.filter(pl.col("period_start") == pl.col("period_end")).join(
        exact.select(keys).unique(), on=keys, how="anti"
    )
    days = (
        days.with_columns(basis=pl.lit("days"))
        if start != end
        else days.head(0).with_columns(basis=pl.lit("days"))
    )
    exact = exact.with_columns(basis=pl.lit("period"))
    taken = pl.concat([exact.select(keys), days.select(keys)]).unique()
    ranges = frame.filter(pl.col("period_start") != pl.col("period_end")).join(taken, on=keys, how="anti")
    chosen_ranges = []
    for _, group in ranges.sort("period_start").group_by(keys, maintain_order=True):
        last_end: dt.date | None = None
        for row in group.iter_rows(named=True):
            if last_end is None or row["period_start"] > last_end:
                chosen_ranges.append(row)
                last_end = row["period_end"]
    parts = [exact, days]
    if chosen_ranges:
        parts.append(pl.DataFrame(chosen_ranges, schema=frame.schema).with_columns(basis=pl.lit("ranges")))
    return pl.concat(parts, how="vertical_relaxed").sort([*keys, "period_start"])


def _sum(column: str) -> str:
    """A sum that is unknown when any part is (a day the export left blank is not a zero)."""
    return f"CASE WHEN count({column}) = count(*) THEN sum({column}) END"


def _shops(shops: Sequence[str] | None) -> tuple[str, list[str]]:
    if shops is None:
        return "", []
    if not shops:
        return "AND false", []
    return f"AND shop IN ({', '.join('?' for _ in shops)})", list(shops)


def _empty() -> pl.DataFrame:
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "shop": pl.String,
        "person": pl.String,
        "accounts": pl.String,
        "agent_group": pl.String,
        "status": pl.String,
        "end_date": pl.Date,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "pending": pl.Boolean,
        "as_of": pl.Date,
    }
    schema |= dict.fromkeys(COUNTS, pl.Int64) | {c: pl.Decimal(18, 2) for c in MONEY}
    schema |= dict.fromkeys(WEIGHTED, pl.Float64) | {"provisional": pl.Boolean}
    return pl.DataFrame(schema=schema)
