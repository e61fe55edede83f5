"""`shopops returns items`: the focus list — SKUs (or styles) ranked by how surely their return rate is
high, with their reasons, the sizes and colours the returns fall on, and the change since the period
before.

口径 (each output prints these lines, :func:`focus_notes`):

- **退货率** = 退货子订单 ÷ 支付子订单, by payment date: the order lines paid from ``start`` to ``end``
  (``relations.LINES``), and of those the ones with an after-sale case (``relations.CASES``) of a return
  kind (仅退款, 退货退款, 换货; or a kind the file does not say) that succeeded or is still open — a
  request is the signal; closed or refused cases are left out. Several cases of one order line
  (order, SKU) are one 退货子订单. A cohort by payment date keeps growing for ``rules.provisional_days``
  after its orders are paid: a period ending within them of the latest data is provisional.
- **Wilson 下限** (the rank): with x 退货子订单 of n, p = x / n and z the normal quantile of the two-sided
  ``rules.confidence`` interval (1.96 at 95%)::

      lower = (p + z²/2n − z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n)

  — the lowest return rate the data makes plausible: 2 of 3 (67%) gives 20.8%, 10 of 40 (25%) 14.2%,
  so a SKU is not first for three unlucky orders. Rows with fewer than ``rules.min_orders`` 支付子订单
  are left out.
- **退款金额** = the cases' 买家退款金额 (成功 + 处理中: what the requests ask); **已退款** = the 成功 ones.
- **原因**: the two commonest 退款原因 of the row's 退货子订单 (the first case's reason), their share and
  class (``rules.classify``); **主因大类** the commonest class and its share.
- **尺码/颜色** (product master): a style's 退货子订单 by size and colour ("S 45%·M 30%"); the focus size
  — a SKU's own, a style's with the most returns — and its return rate against the style's other
  sizes (the same for colours).
- **变化**: against the period of the same length just before, its cases counted as of ``as_of`` minus
  that length when ``as_of`` is given (the same maturity); in percentage points. "新": that period had
  fewer than ``rules.min_orders`` 支付子订单.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import Literal

import duckdb
import polars as pl

from shopops.domains.returns.cohorts import Cohorts, load_cohorts
from shopops.domains.returns.rules import ReturnRules

By = Literal["sku", "style"]
FOCUS_COLUMNS = (
    "rank", "shop", "sku", "style", "name", "color", "size", "skus",
    "lines", "returns", "rate", "lower_bound", "amount", "refunded",
    "top_reason", "top_reason_class", "top_reason_share",
    "second_reason", "second_reason_class", "second_reason_share",
    "top_class", "top_class_share", "top_class_prev_share",
    "sizes", "colors", "focus_size", "size_rate", "other_sizes_rate",
    "focus_color", "color_rate", "other_colors_rate",
    "prev_lines", "prev_returns", "prev_rate", "prev_lower_bound",
    "rate_change", "lower_bound_change", "new", "provisional",
)  # fmt: skip
SHOWN_SHARES = 3  # sizes / colours named in "S 45%·M 30%·L 15%"


@dataclass(frozen=True)
class FocusList:
    frame: pl.DataFrame  # FOCUS_COLUMNS, ranked by lower_bound
    by: By
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    provisional: bool
    has_lines: bool  # False: no paid order line in the period (the notes say what to import)
    notes: list[str] = field(default_factory=list)


def z_value(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` interval (0.95 → 1.959964)."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_lower(returns: int, lines: int, confidence: float = 0.95) -> float | None:
    """The Wilson score interval's lower end of ``returns`` of ``lines`` (None without lines)."""
    if lines <= 0:
        return None
    z, n = z_value(confidence), lines
    p = min(returns, n) / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max((centre - margin) / (1 + z * z / n), 0.0)


def wilson_expr(returns: pl.Expr, lines: pl.Expr, confidence: float, *, upper: bool = False) -> pl.Expr:
    """:func:`wilson_lower` over columns (null where ``lines`` is 0 or null); ``upper``: the upper
    bound of the same interval instead."""
    z2 = z_value(confidence) ** 2
    n = lines.cast(pl.Float64)
    p = pl.min_horizontal(returns.cast(pl.Float64), n) / n
    spread = math.sqrt(z2) * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    bound = (p + z2 / (2 * n) + (spread if upper else -spread)) / (1 + z2 / n)
    return pl.when(n > 0).then(bound.clip(0.0, 1.0))


def focus_items(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    rules: ReturnRules | None = None,
    by: By = "sku",
    *,
    as_of: dt.date | None = None,
) -> FocusList:
    """The focus list of the orders paid from ``start`` to ``end`` (``shops`` None or empty: every
    shop); ``as_of``: count only the cases known (applied) by that day — the findings' replay of a
    past day; None: every case in the warehouse."""
    rules = rules or ReturnRules()
    length = (end - start).days + 1
    data = load_cohorts(con, start - dt.timedelta(days=length), end, shops, rules)
    return focus_from(data, start, end, rules=rules, by=by, as_of=as_of)


def focus_from(
    data: Cohorts,
    start: dt.date,
    end: dt.date,
    *,
    rules: ReturnRules,
    by: By = "sku",
    as_of: dt.date | None = None,
) -> FocusList:
    """:func:`focus_items` over cohorts already loaded (they must cover the period before as well)."""
    length = (end - start).days + 1
    previous_start, previous_end = start - dt.timedelta(days=length), start - dt.timedelta(days=1)
    reference = as_of or data.latest
    provisional = reference is not None and (reference - end).days < rules.provisional_days
    has_lines = data.lines.filter(pl.col("day").is_between(start, end)).height > 0
    current = _period(data, start, end, as_of, by, rules)
    before_as_of = None if as_of is None else as_of - dt.timedelta(days=length)
    previous = _period(data, previous_start, previous_end, before_as_of, by, rules)
    frame = _compare(current, previous, rules, by).with_columns(provisional=pl.lit(provisional))
    frame = frame.filter(pl.col("lines") >= rules.min_orders).sort(
        ["lower_bound", "rate", "returns", "shop", "key"],
        descending=[True, True, True, False, False],
        nulls_last=True,
    )
    frame = frame.with_columns(rank=pl.int_range(1, frame.height + 1, dtype=pl.Int64)).select(FOCUS_COLUMNS)
    focus = FocusList(frame, by, start, end, previous_start, previous_end, provisional, has_lines)
    return replace(focus, notes=focus_notes(focus, data, rules))


def keyed(frame: pl.DataFrame, data: Cohorts, by: By) -> pl.DataFrame:
    """``frame`` (shop, sku …) with the SKU's attributes and its row's ``key``: the SKU, or its style."""
    frame = frame.join(data.attributes, on=["shop", "sku"], how="left")
    return frame.with_columns(key=pl.col("sku") if by == "sku" else pl.coalesce("style", "sku"))


def returned_lines(data: Cohorts, first: dt.date, last: dt.date, as_of: dt.date | None) -> pl.DataFrame:
    """The 退货子订单 of the orders paid from ``first`` to ``last`` (known by ``as_of``): one row per
    shop, SKU and order, its payment ``day``, the first case's reason and class, the cases' amounts."""
    cases = data.returns.filter(pl.col("day").is_between(first, last))
    if as_of is not None:
        cases = cases.filter(pl.col("known").is_null() | (pl.col("known") <= as_of))
    return (
        cases.sort("applied_at", "case_id", nulls_last=True)
        .group_by("shop", "sku", "order_key", maintain_order=True)
        .agg(
            pl.col("day").min(),
            pl.col("reason").first(),
            pl.col("reason_class").first(),
            pl.col("amount").sum(),
            pl.col("amount").filter(pl.col("outcome") == "成功").sum().alias("refunded"),
        )
    )


def _period(
    data: Cohorts, first: dt.date, last: dt.date, as_of: dt.date | None, by: By, rules: ReturnRules
) -> dict[str, pl.DataFrame]:
    """The period's rows per key (``rows``), and its lines and 退货子订单 with their attributes."""
    lines = keyed(data.lines.filter(pl.col("day").is_between(first, last)), data, by)
    returned = keyed(returned_lines(data, first, last, as_of), data, by)
    per_key = lines.group_by("shop", "key").agg(
        pl.col("lines").sum(),
        pl.col("sku").n_unique().alias("skus"),
        pl.col("sku").first().alias("sku") if by == "sku" else pl.lit(None, pl.String).alias("sku"),
        pl.col("style").drop_nulls().first(),
        pl.coalesce(pl.col("name").drop_nulls().first(), pl.col("title").drop_nulls().first()).alias("name"),
        pl.col("color").drop_nulls().first() if by == "sku" else pl.lit(None, pl.String).alias("color"),
        pl.col("size").drop_nulls().first() if by == "sku" else pl.lit(None, pl.String).alias("size"),
    )
    counts = returned.group_by("shop", "key").agg(
        pl.len().cast(pl.Int64).alias("returns"), pl.col("amount").sum(), pl.col("refunded").sum()
    )
    rows = per_key.join(counts, on=["shop", "key"], how="left").with_columns(pl.col("returns").fill_null(0))
    if by == "style":  # a SKU without a 款式编码 stands for itself
        rows = rows.with_columns(sku=pl.when(pl.col("style").is_null()).then(pl.col("key")))
    rows = rows.with_columns(
        rate=pl.col("returns") / pl.col("lines"),
        lower_bound=wilson_expr(pl.col("returns"), pl.col("lines"), rules.confidence),
    )
    return {"rows": rows, "lines": lines, "returned": returned}


def _shares(returned: pl.DataFrame, column: str) -> pl.DataFrame:
    """Per key, the values of ``column`` among its 退货子订单, commonest first, with their shares."""
    return (
        returned.filter(pl.col(column).is_not_null())
        .group_by("shop", "key", column)
        .agg(pl.len().alias("n"))
        .with_columns(share=pl.col("n") / pl.col("n").sum().over("shop", "key"))
        .sort(["shop", "key", "n", column], descending=[False, False, True, False])
    )


def _top(returned: pl.DataFrame, column: str, names: tuple[str, str], nth: int = 0) -> pl.DataFrame:
    shares = _shares(returned, column)
    picked = shares.group_by("shop", "key", maintain_order=True).agg(
        pl.col(column).get(nth, null_on_oob=True).alias(names[0]),
        pl.col("share").get(nth, null_on_oob=True).alias(names[1]),
    )
    return picked


def _share_text(returned: pl.DataFrame, column: str, out: str) -> pl.DataFrame:
    shares = _shares(returned, column).with_columns(
        part=pl.col(column) + " " + (pl.col("share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "%"
    )
    return shares.group_by("shop", "key", maintain_order=True).agg(
        pl.col("part").head(SHOWN_SHARES).str.join("·").alias(out)
    )


def _focus_rates(period: dict[str, pl.DataFrame], attribute: str, by: By) -> pl.DataFrame:
    """Per key, the focus size (or colour) and its return rate against the style's other ones.

    A SKU's focus is its own; a style's the one with most 退货子订单. The rates are the style's (all its
    SKUs of that size against all of the others), so a size problem shows whichever colour is asked.
    """
    style = pl.coalesce("style", "sku")
    lines = period["lines"].with_columns(group=style)
    returned = period["returned"].with_columns(group=style)
    per_value = (
        lines.filter(pl.col(attribute).is_not_null())
        .group_by("shop", "group", attribute)
        .agg(pl.col("lines").sum())
        .join(
            returned.group_by("shop", "group", attribute).agg(pl.len().alias("returns")),
            on=["shop", "group", attribute],
            how="left",
        )
        .with_columns(pl.col("returns").fill_null(0))
    )
    totals = per_value.group_by("shop", "group").agg(
        pl.col("lines").sum().alias("all_lines"), pl.col("returns").sum().alias("all_returns")
    )
    per_value = per_value.join(totals, on=["shop", "group"]).with_columns(
        value_rate=pl.col("returns") / pl.col("lines"),
        other_rate=pl.when(pl.col("all_lines") > pl.col("lines")).then(
            (pl.col("all_returns") - pl.col("returns")) / (pl.col("all_lines") - pl.col("lines"))
        ),
    )
    if by == "sku":
        keys = lines.select("shop", "key", "group", attribute).unique(["shop", "key"])
    else:
        top = _top(returned, attribute, (attribute, "_share"))
        keys = top.join(lines.select("shop", "key", "group").unique(["shop", "key"]), on=["shop", "key"])
    focus = f"focus_{attribute}"
    plural = "sizes" if attribute == "size" else "colors"
    return keys.join(per_value, on=["shop", "group", attribute], how="left").select(
        "shop",
        "key",
        pl.col(attribute).alias(focus),
        pl.col("value_rate").alias(f"{attribute}_rate"),
        pl.col("other_rate").alias(f"other_{plural}_rate"),
    )


def _compare(
    current: dict[str, pl.DataFrame], previous: dict[str, pl.DataFrame], rules: ReturnRules, by: By
) -> pl.DataFrame:
    rows, returned = current["rows"], current["returned"]
    on = ["shop", "key"]
    frame = rows
    for part in (
        _top(returned, "reason", ("top_reason", "top_reason_share")),
        _top(returned, "reason", ("second_reason", "second_reason_share"), 1),
        _top(returned, "reason_class", ("top_class", "top_class_share")),
        _share_text(returned, "size", "sizes"),
        _share_text(returned, "color", "colors"),
        _focus_rates(current, "size", by),
        _focus_rates(current, "color", by),
    ):
        frame = frame.join(part, on=on, how="left")
    classes = returned.select("reason", "reason_class").unique("reason")
    for which in ("top", "second"):
        frame = frame.join(
            classes.rename({"reason": f"{which}_reason", "reason_class": f"{which}_reason_class"}),
            on=f"{which}_reason",
            how="left",
        )
    if by == "sku":
        frame = frame.with_columns(sizes=pl.lit(None, pl.String), colors=pl.lit(None, pl.String))
    before = previous["rows"].select(
        "shop",
        "key",
        pl.col("lines").alias("prev_lines"),
        pl.col("returns").alias("prev_returns"),
        pl.col("rate").alias("prev_rate"),
        pl.col("lower_bound").alias("prev_lower_bound"),
    )
    class_before = _shares(previous["returned"], "reason_class").select(
        "shop",
        "key",
        pl.col("reason_class").alias("top_class"),
        pl.col("share").alias("top_class_prev_share"),
    )
    frame = frame.join(before, on=on, how="left").join(class_before, on=[*on, "top_class"], how="left")
    new = pl.col("prev_lines").fill_null(0) < rules.min_orders
    frame = frame.with_columns(
        prev_lines=pl.col("prev_lines").fill_null(0),
        prev_returns=pl.col("prev_returns").fill_null(0),
        new=new,
        rate_change=pl.when(~new).then(pl.col("rate") - pl.col("prev_rate")),
        lower_bound_change=pl.when(~new).then(pl.col("lower_bound") - pl.col("prev_lower_bound")),
        top_class_prev_share=pl.when(~new & (pl.col("prev_returns").fill_null(0) > 0)).then(
            pl.col("top_class_prev_share").fill_null(0.0)
        ),
    )
    return frame


def focus_notes(focus: FocusList, data: Cohorts, rules: ReturnRules) -> list[str]:
    """The 口径 lines every focus-list output carries (and what is missing)."""
    notes = [
        f"退货率 = 退货子订单 ÷ 支付子订单，按付款日期：{focus.start}…{focus.end} 付款的子订单中，有 仅退款/退货退款/换货"
        " 申请（成功或处理中；已关闭、被拒的不算）的；同一子订单多次申请算一次",
        f"排序按退货率的 Wilson 下限（{rules.confidence:.0%} 置信）：单量少的 SKU 不会因偶然几单退货排到前面；"
        f"支付子订单少于 {rules.min_orders} 的不列",
        f"变化 = 与上一期（{focus.previous_start}…{focus.previous_end} 付款）相比，单位百分点；"
        f"上一期支付子订单不足 {rules.min_orders} 的记为「新」",
        "退款金额 = 这些申请的买家退款金额（成功 + 处理中）；已退款 = 其中退款成功的",
    ]
    if focus.provisional:
        notes.append(
            f"暂定：付款后约 {rules.provisional_days} 天内还会有退货申请进来，{focus.end} 前后付款的订单退货率还会上升"
        )
    if data.unmatched:
        notes.append(
            f"{data.unmatched} 个退款单没有商品编码，其订单也不止一个 SKU（或不在订单报表里）：未计入任何 SKU"
        )
    for shop in data.shops_without_lines:
        notes.append(
            f"{shop} 有退款单但没有订单行：退货率需要 千牛 已卖出的宝贝 宝贝报表（或 抖店 订单）——先导入它"
        )
    return notes
