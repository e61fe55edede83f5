"""The reason Pareto (`shopops returns reasons`) and 品退率 per SKU and style.

**Pareto** — the return cases buyers asked for in [start, end] (by 申请日; a case is the buyer's
request, and a problem shows by the day it is asked, not the day the money goes back), except those
closed without a refund (关闭: withdrawn or refused) and the cases that are not returns (价保, 补寄,
取消). ``amount`` is the case's refund (still 处理中: the amount asked). Grouped by reason, or by
reason class (``rules.class_sql``: the editable ``returns: reason_classes``), biggest first, with
share, cumulative share, and the previous period of the same length (its count and share, and the
change of the share in points: 0.05 = +5pp). A class row lists its top reasons.

**品退率** (product-caused refund rate, per SKU or per style) — by payment date, the cohort's rate:
successful cases of a product class (``rules.product_classes``, default 品质) of the lines paid in
[start, end] ÷ the paid order lines of [start, end] (LINES: 千牛 宝贝报表, 抖店 订单). A count over
lines, not money: one refund per 子订单. Style from the product master (ATTRIBUTES; a shop's own row,
else the '*' row). A SKU without paid lines has no rate ("—").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import polars as pl

from shopops.domains.returns.relations import ATTRIBUTES, CASES, LINES, RETURN_KINDS
from shopops.domains.returns.rules import ReturnRules

PARETO_COLUMNS = [
    "reason", "class", "count", "amount", "share", "cum_share", "count_prev", "share_prev", "share_change",
    "top_reasons",
]  # fmt: skip
RATE_COLUMNS = [
    "shop", "sku", "style", "name", "paid_lines", "product_cases", "product_rate", "return_cases", "return_rate",
    "product_amount", "top_reason",
]  # fmt: skip
UNSTATED = "（未填原因）"
TOP = 3  # reasons listed per class


@dataclass(frozen=True)
class Pareto:
    frame: pl.DataFrame  # PARETO_COLUMNS (by class: reason = the class's top reason)
    notes: list[str]
    cases: int  # in the period
    cases_prev: int


@dataclass(frozen=True)
class ProductRates:
    frame: pl.DataFrame  # RATE_COLUMNS (by style: sku = the number of SKUs)
    notes: list[str]


def _period_cases(shops: Sequence[str] | None) -> str:
    kinds = ", ".join(f"'{k}'" for k in RETURN_KINDS)
    scope = "AND list_contains($shops, shop)" if shops else ""
    return f"""
SELECT *, CAST(coalesce(applied_at, completed_at) AS DATE) AS day
FROM ({CASES}) WHERE (kind IS NULL OR kind IN ({kinds})) {scope}"""


def reason_pareto(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None,
    rules: ReturnRules,
    by: Literal["class", "reason"] = "class",
) -> Pareto:
    length = (end - start).days + 1
    before = start - dt.timedelta(days=length)
    params: dict[str, object] = {"start": start, "end": end, "before": before}
    if shops:
        params["shops"] = list(shops)
    sql = f"""
WITH cases AS ({_period_cases(shops)}),
kept AS (
    SELECT coalesce(reason, '{UNSTATED}') AS reason, {rules.class_sql("reason")} AS class, amount,
           day >= $start AS now
    FROM cases WHERE outcome <> '关闭' AND day BETWEEN $before AND $end
)
SELECT reason, class, count(*) FILTER (WHERE now) AS count,
       coalesce(sum(amount) FILTER (WHERE now), 0) AS amount,
       count(*) FILTER (WHERE NOT now) AS count_prev
FROM kept GROUP BY ALL"""
    reasons = con.sql(sql, params=params).pl()
    closed = con.execute(
        f"SELECT count(*) FROM ({_period_cases(shops)}) WHERE outcome = '关闭' AND day BETWEEN $start AND $end",
        {k: v for k, v in params.items() if k != "before"},
    ).fetchall()[0]  # fetchall: a result left open would block the caller's next query
    total, total_prev = int(reasons["count"].sum() or 0), int(reasons["count_prev"].sum() or 0)
    grouped = (
        _by_class(reasons, rules)
        if by == "class"
        else reasons.with_columns(top_reasons=pl.lit(None, pl.String))
    )
    frame = _shares(grouped, total, total_prev)
    notes = [
        f"按申请日：{start} ~ {end} 买家申请的退货/退款（不含已关闭的、价保/补寄/取消），金额为退款金额（处理中的为申请金额）",
        f"上期 {before} ~ {start - dt.timedelta(days=1)}（同样 {length} 天）；占比变化为百分点",
        "原因大类："
        + "、".join(
            f"{c.name}（{'、'.join(c.words[:4]) or '其余'}{' …' if len(c.words) > 4 else ''}）"
            for c in rules.reason_classes
        )
        + "，按顺序取第一个命中的大类；在 shopops.yaml returns.reason_classes 修改",
    ]
    if closed and closed[0]:
        notes.append(f"另有 {closed[0]} 个退款已关闭（买家撤销或被拒），未计入")
    return Pareto(frame, notes, total, total_prev)


def _by_class(reasons: pl.DataFrame, rules: ReturnRules) -> pl.DataFrame:
    rows = []
    for name in rules.class_names:
        part = reasons.filter(pl.col("class") == name).sort(
            ["count", "amount", "reason"], descending=[True, True, False]
        )
        if part.is_empty():
            continue
        current = part.filter(pl.col("count") > 0)
        top = "、".join(f"{r} {n}" for r, n in current.select("reason", "count").head(TOP).iter_rows())
        rows.append(
            {
                "reason": current["reason"][0] if current.height else None,
                "class": name,
                "count": int(part["count"].sum()),
                "amount": part["amount"].sum(),
                "count_prev": int(part["count_prev"].sum()),
                "top_reasons": top or None,
            }
        )
    schema: dict[str, Any] = {"reason": pl.String, "class": pl.String, "count": pl.Int64,
                              "amount": reasons.schema["amount"], "count_prev": pl.Int64, "top_reasons": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def _shares(frame: pl.DataFrame, total: int, total_prev: int) -> pl.DataFrame:
    ranked = frame.filter(pl.col("count") > 0).sort(["count", "amount"], descending=True, maintain_order=True)
    gone = frame.filter(pl.col("count") == 0).sort("count_prev", descending=True)  # last period only
    both = pl.concat([ranked, gone])
    share = pl.col("count") / total if total else pl.lit(None, pl.Float64)
    share_prev = pl.col("count_prev") / total_prev if total_prev else pl.lit(None, pl.Float64)
    return (
        both.with_columns(share=share, share_prev=share_prev)
        .with_columns(
            cum_share=pl.col("share").cum_sum(), share_change=pl.col("share") - pl.col("share_prev")
        )
        .with_columns(pl.col("share", "share_prev", "cum_share", "share_change").cast(pl.Float64))
        .select(PARETO_COLUMNS)
    )


def product_rates(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None,
    rules: ReturnRules,
    by: Literal["sku", "style"] = "sku",
) -> ProductRates:
    """品退率 per shop and SKU (or style): see the module."""
    products = ", ".join(f"'{p}'" for p in rules.product_classes) or "NULL"
    scope = "AND list_contains($shops, shop)" if shops else ""
    params: dict[str, object] = {"start": start, "end": end}
    if shops:
        params["shops"] = list(shops)
    key = "coalesce(a.style, s.style)" if by == "style" else "x.sku"
    sql = f"""
WITH lines AS (
    SELECT shop, sku, count(*) AS paid_lines FROM ({LINES})
    WHERE CAST(paid_at AS DATE) BETWEEN $start AND $end {scope} GROUP BY ALL
), cases AS (
    SELECT shop, sku, amount, coalesce(order_id, case_id) AS refunded, coalesce(reason, '{UNSTATED}') AS reason,
           {rules.class_sql("reason")} AS class
    FROM ({_period_cases(shops)})
    WHERE outcome = '成功' AND CAST(paid_at AS DATE) BETWEEN $start AND $end
), per_sku AS (
    SELECT shop, sku, count(DISTINCT refunded) FILTER (WHERE class IN ({products})) AS product_cases,
           count(DISTINCT refunded) AS return_cases,
           coalesce(sum(amount) FILTER (WHERE class IN ({products})), 0) AS product_amount,
           mode(reason) FILTER (WHERE class IN ({products})) AS top_reason
    FROM cases GROUP BY ALL
), joined AS (
    SELECT coalesce(l.shop, c.shop) AS shop, coalesce(l.sku, c.sku) AS sku, coalesce(l.paid_lines, 0) AS paid_lines,
           coalesce(c.product_cases, 0) AS product_cases, coalesce(c.return_cases, 0) AS return_cases,
           coalesce(c.product_amount, 0) AS product_amount, c.top_reason
    FROM lines l FULL JOIN per_sku c ON c.shop = l.shop AND c.sku IS NOT DISTINCT FROM l.sku
), attrs AS ({ATTRIBUTES})
SELECT x.shop, {key} AS key, {"count(DISTINCT x.sku)" if by == "style" else "any_value(coalesce(a.style, s.style))"} AS n_or_style,
       {"CAST(NULL AS VARCHAR)" if by == "style" else "any_value(coalesce(a.name, s.name))"} AS name,
       CAST(sum(x.paid_lines) AS BIGINT) AS paid_lines, CAST(sum(x.product_cases) AS BIGINT) AS product_cases,
       CAST(sum(x.return_cases) AS BIGINT) AS return_cases,
       sum(x.product_amount) AS product_amount, mode(x.top_reason) AS top_reason
FROM joined x
LEFT JOIN attrs a ON a.shop = x.shop AND a.sku = x.sku
LEFT JOIN attrs s ON s.shop = '*' AND s.sku = x.sku
GROUP BY x.shop, {key}"""
    raw = con.sql(sql, params=params).pl()
    rate = pl.when(pl.col("paid_lines") > 0)
    frame = raw.with_columns(
        product_rate=rate.then(pl.col("product_cases").cast(pl.Float64) / pl.col("paid_lines")),
        return_rate=rate.then(pl.col("return_cases").cast(pl.Float64) / pl.col("paid_lines")),
    )
    if by == "style":
        frame = frame.rename({"key": "style"}).with_columns(sku=pl.col("n_or_style").cast(pl.String))
    else:
        frame = frame.rename({"key": "sku"}).with_columns(style=pl.col("n_or_style").cast(pl.String))
    frame = frame.sort(
        ["product_cases", "product_rate", "shop", "sku" if by == "sku" else "style"],
        descending=[True, True, False, False],
        nulls_last=True,
    ).select(RATE_COLUMNS)
    labels = "、".join(rules.product_classes) or "（无）"
    notes = [
        f"品退率 = 有品退大类（{labels}）成功退款的子订单 ÷ 支付子订单，按支付日：{start} ~ {end} 付款的子订单"
        "及其退款（无论何时完结；同一订单同一 SKU 退几次都计一次）；退货率 = 有任一成功退货/退款的子订单 ÷ 支付子订单",
        "品退大类在 shopops.yaml returns.product_classes 修改",
    ]
    if by == "style":
        notes.append("按款式：款式取自商品资料（款式编码）；没有商品资料的 SKU 款式为 —")
    unknown = frame.filter(pl.col("paid_lines") == 0)
    if unknown.height:
        notes.append(
            f"{unknown.height} 个{'款式' if by == 'style' else 'SKU'}有退款但期内没有支付子订单（没导入宝贝报表/抖店订单，或编码对不上）：品退率为 —"
        )
    return ProductRates(frame, notes)
