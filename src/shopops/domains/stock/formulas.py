"""The named formulas of 商品与库存 (DESIGN §8): 售罄率, 动销率, 库存周转, ABC, 新品期.

Practitioners disagree on these (research ``next-batch-research.md`` §2.2 found five 售罄率 formulas).
Each variant is a small pure function here, named in a registry (:data:`FORMULAS`) with the text every
output prints (``note``) and the key a ``formula`` field in CSV/JSON carries; the default is the common
practice, the others are chosen in ``shopops.yaml``::

    stock:
      sell_through: end        # 售罄率: end | received | first_stock | with_transit
      active_rate: on_sale     # 动销率: on_sale | listed
      turnover: start_end      # 库存周转: start_end | snapshots
      abc_a: 80                # ABC cut-offs, cumulative share in %
      abc_b: 95

Unknown is ``None`` (shown "—"), never 0: a ratio whose denominator is 0 or unknown is unknown.
Ratios are always computed from sums at the grain shown (a category's 售罄率 is its units ÷ its
stock, never the mean of its SKUs' rates): call these functions on the summed figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

import polars as pl

from shopops.errors import WorkspaceError

Number = int | float | Decimal


@dataclass(frozen=True)
class Formula:
    metric: str  # sell_through, active_rate, turnover, abc, launch_bucket
    key: str  # the setting's value and the ``formula`` field of CSV/JSON
    label: str  # 售罄率 …
    note: str  # the formula as every output prints it
    source: str  # where practitioners use it (research §2.2)


FORMULAS: dict[str, dict[str, Formula]] = {
    "sell_through": {
        f.key: f
        for f in (
            Formula(
                "sell_through",
                "end",
                "售罄率",
                "售罄率 = 期内销量 ÷ (期内销量 + 期末库存)",
                "research §2.2 售罄率 (3) 月售 ÷ (月售 + 期末库存), (5) 售出 ÷ (售出 + 剩余库存)",
            ),
            Formula(
                "sell_through",
                "received",
                "售罄率",
                "售罄率 = 期内销量 ÷ (期初库存 + 期内入库)",
                "research §2.2 售罄率 (1) 近30天销量 ÷ (30天前库存 + 近30天采购入库 − 采购退货)",
            ),
            Formula(
                "sell_through",
                "first_stock",
                "售罄率",
                "售罄率 = 首次有库存以来销量 ÷ 首次库存（首发库存）",
                "research §2.2 售罄率 (2) 累计销量 ÷ 期初库存（首发日快照）",
            ),
            Formula(
                "sell_through",
                "with_transit",
                "售罄率",
                "售罄率 = 期内销量 ÷ (期内销量 + 期末库存 + 在途)",
                "research §2.2 售罄率 (4) 累计销量 ÷ (累计销量 + 在途 + 总仓 + 门店库存)",
            ),
        )
    },
    "active_rate": {
        f.key: f
        for f in (
            Formula(
                "active_rate",
                "on_sale",
                "动销率",
                "动销率 = 期内有销售的SKU数 ÷ 在售SKU数（期内任一库存快照有库存，或期内有销售）",
                "research §2.2 动销率: 有销售记录的SKU数 ÷ 在售SKU总数",
            ),
            Formula(
                "active_rate",
                "listed",
                "动销率",
                "动销率 = 期内有销售的SKU数 ÷ 商品资料中期末前已创建的SKU数（含期内有销售的）",
                "research §2.2 动销率, denominator = every listed SKU",
            ),
        )
    },
    "turnover": {
        f.key: f
        for f in (
            Formula(
                "turnover",
                "start_end",
                "库存周转率",
                "库存周转率 = 期内销售成本 ÷ ((期初库存金额 + 期末库存金额) ÷ 2)；周转天数 = 天数 ÷ 周转率",
                "research §2.2 库存周转率: 30-day COGS ÷ average inventory cost",
            ),
            Formula(
                "turnover",
                "snapshots",
                "库存周转率",
                "库存周转率 = 期内销售成本 ÷ 期内各库存快照金额的平均；周转天数 = 天数 ÷ 周转率",
                "average inventory over every snapshot of the period",
            ),
        )
    },
}
DEFAULTS = {"sell_through": "end", "active_rate": "on_sale", "turnover": "start_end"}
ABC_CUTS = (80.0, 95.0)  # cumulative share in %, research §2.2 ABC
ABC_NOTE = (
    "ABC：按金额从大到小累计，排在前面、合计达到 {a:g}% 的最少SKU为 A，累计到 {b:g}% 为 B，其余为 C；"
    "金额相同的SKU同级（取其中排在最前者的级别）；≤ 0 为 C，未知为 —"
)
LAUNCH_BUCKETS = (7, 14, 30, 60)  # 新品期 by days since launch: < 7, 7–14, 14–30, 30–60, ≥ 60
LAUNCH_NOTE = "新品期按上新后天数，左闭右开：<7、7–14、14–30、30–60、≥60 天"


# The `stock:` settings of these formulas (StockRules in status.py holds them; the numbers there go
# through its own check): a formula's name, the 价格带 edges, whole days.
CHOICES = {"sell_through", "active_rate", "turnover"}
DAY_SETTINGS = {"new_days", "cohort_days"}
RULE_SETTINGS = CHOICES | DAY_SETTINGS | {"price_bands"}


def rule_setting(key: str, value: object) -> Any:
    """The value of a formula setting of ``shopops.yaml`` ``stock:``, or a one-line error."""
    where = f"shopops.yaml: stock.{key}"
    if key in CHOICES:
        names = ", ".join(FORMULAS[key])
        if value not in FORMULAS[key]:
            raise WorkspaceError(f"{where} is {value!r}, not a formula — use one of {names}")
        return str(value)
    if key == "price_bands":
        try:
            edges = tuple(float(v) for v in value) if isinstance(value, list) else ()
        except (TypeError, ValueError):
            edges = ()
        if not edges or any(b <= a for a, b in pairwise(edges)) or edges[0] <= 0:
            raise WorkspaceError(f"{where} must be rising prices, e.g. price_bands: [100, 200, 300]")
        return edges
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise WorkspaceError(f"{where} is {value!r}, not a number of days — write e.g. {key}: 30")
    try:
        days = int(value)
    except ValueError:
        raise WorkspaceError(f"{where} is {value!r}, not a number of days — write e.g. {key}: 30") from None
    if days <= 0:
        raise WorkspaceError(f"{where} must be a positive number of days")
    return days


def check_rules(rules: Any) -> None:
    """The cut-offs must rise: ABC ``abc_a < abc_b ≤ 100``, 上新 ``lags < takes_off``."""
    if not 0 < rules.abc_a < rules.abc_b <= 100:
        raise WorkspaceError("shopops.yaml: stock ABC cut-offs need 0 < abc_a < abc_b ≤ 100 (e.g. 80 and 95)")
    if not 0 <= rules.lags < rules.takes_off <= 100:
        raise WorkspaceError(
            "shopops.yaml: stock 上新 percentiles need 0 ≤ lags < takes_off ≤ 100 (e.g. 25 and 75)"
        )


def formula(metric: str, key: str | None = None) -> Formula:
    """The registered formula of ``metric`` named ``key`` (None: the default)."""
    return FORMULAS[metric][key or DEFAULTS[metric]]


def _ratio(numerator: Number | None, denominator: Number | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return float(numerator) / float(denominator)


def _stock(value: Number | None) -> float | None:
    """A stock figure as the formulas count it: a negative stock (超卖) is none left, 0."""
    return None if value is None else max(float(value), 0.0)


# --- 售罄率 (sell-through) ---------------------------------------------------------------------


def sell_through_end(sold: Number | None, end_stock: Number | None) -> float | None:
    """售罄率 = 期内销量 ÷ (期内销量 + 期末库存) — the default.

    Research §2.2 (3) ``月售 ÷ (月售 + 期末库存)`` and (5) ``售出 ÷ (售出 + 剩余库存)`` (one formula).
    Why the default: the apparel textbook form is 销量 ÷ 进货 (期初库存 + 期内入库, variant ``received``),
    and where the books balance (期初 + 入库 = 销量 + 期末) the two are the same number; but this one
    needs only the period's sales and the stock at its end — one snapshot, what every ERP export
    gives — while ``received`` needs a snapshot from the day before the period and a record of what
    came in, which stock snapshots do not carry. 期末库存 is 可用库存 (paid but unshipped units are
    already in the sales); a negative stock (超卖) counts as 0.
    """
    stock = _stock(end_stock)
    return None if sold is None or stock is None else _ratio(sold, float(sold) + stock)


def sell_through_received(
    sold: Number | None, start_stock: Number | None, received: Number | None
) -> float | None:
    """售罄率 = 期内销量 ÷ (期初库存 + 期内入库) — research §2.2 (1) (近30天销量 ÷ (30天前库存 +
    近30天采购入库 − 采购退货)); 期内入库 is net of returns to the supplier."""
    stock = _stock(start_stock)
    return None if stock is None or received is None else _ratio(sold, stock + float(received))


def sell_through_first_stock(sold_since: Number | None, first_stock: Number | None) -> float | None:
    """售罄率 = 首次有库存以来累计销量 ÷ 首次库存 — research §2.2 (2) (累计销量 ÷ 首发日 snapshot;
    targets 新品 ≥ 80%, 常青款 ≥ 90%, 清仓款 ≥ 95%). Can pass 100% when the style was restocked."""
    return _ratio(sold_since, _stock(first_stock))


def sell_through_with_transit(
    sold: Number | None, end_stock: Number | None, in_transit: Number | None
) -> float | None:
    """售罄率 = 期内销量 ÷ (期内销量 + 期末库存 + 在途) — research §2.2 (4) (累计销量 ÷ (累计销量 + 在途 +
    总仓 + 门店库存)): what is on its way counts as stock to sell."""
    stock, transit = _stock(end_stock), _stock(in_transit)
    if sold is None or stock is None or transit is None:
        return None
    return _ratio(sold, float(sold) + stock + transit)


def sell_through(
    variant: str,
    *,
    sold: Number | None,
    end_stock: Number | None = None,
    start_stock: Number | None = None,
    received: Number | None = None,
    in_transit: Number | None = None,
    first_stock: Number | None = None,
) -> float | None:
    """售罄率 by the named variant (:data:`FORMULAS` ``["sell_through"]``); for ``first_stock``,
    ``sold`` is the units sold since the first stock."""
    if variant == "end":
        return sell_through_end(sold, end_stock)
    if variant == "received":
        return sell_through_received(sold, start_stock, received)
    if variant == "first_stock":
        return sell_through_first_stock(sold, first_stock)
    if variant == "with_transit":
        return sell_through_with_transit(sold, end_stock, in_transit)
    raise ValueError(f"unknown 售罄率 formula {variant!r}")


def sell_through_expr(variant: str) -> pl.Expr:
    """The same formulas over a frame of summed figures: columns ``sold``, ``end_stock``,
    ``start_stock``, ``received``, ``in_transit``, ``first_stock`` (those the variant needs)."""

    def stock(name: str) -> pl.Expr:
        return pl.when(pl.col(name) < 0).then(0).otherwise(pl.col(name))

    sold = pl.col("sold")
    denominator = {
        "end": sold + stock("end_stock"),
        "received": stock("start_stock") + pl.col("received"),
        "first_stock": stock("first_stock"),
        "with_transit": sold + stock("end_stock") + stock("in_transit"),
    }[variant]
    return pl.when(denominator > 0).then(sold.cast(pl.Float64) / denominator.cast(pl.Float64))


# --- 动销率 (share of SKUs that sold) ----------------------------------------------------------


def active_rate(sold_skus: int | None, on_sale_skus: int | None) -> float | None:
    """动销率 = 期内有销售的SKU数 ÷ 在售SKU数 (research §2.2; < 70% → start 滞销 actions).

    在售 (variant ``on_sale``, the default): the SKU had stock in some snapshot of the period (or in
    the last snapshot before it: the stock the period started with), or it sold in the period — so a
    SKU that sold out and one that sold from stock both count, and the rate is at most 100%.
    Variant ``listed``: every SKU of the product master created by the period's end (and any that
    sold): the same function, a larger denominator.
    """
    return _ratio(sold_skus, on_sale_skus)


# --- 库存周转 (inventory turnover) -------------------------------------------------------------


def average_inventory(start_value: Number | None, end_value: Number | None) -> float | None:
    """Average inventory = (期初 + 期末) ÷ 2. Research §2.2 quotes practitioner code that writes
    ``/((cost30+cost)*2)`` — it multiplies by 2 where an average divides by 2 (a rate 4× too small)."""
    if start_value is None or end_value is None:
        return None
    return (float(start_value) + float(end_value)) / 2


def turnover_rate(cogs: Number | None, average: Number | None) -> float | None:
    """库存周转率 = 期内销售成本 (COGS) ÷ 平均库存金额 (research §2.2; 30-day COGS ÷ average inventory
    cost). ``average``: :func:`average_inventory` (``start_end``, the default) or the mean of the
    period's snapshots (``snapshots``)."""
    return _ratio(cogs, average)


def turnover_days(days: int, cogs: Number | None, average: Number | None) -> float | None:
    """库存周转天数 = 天数 ÷ 库存周转率 = 平均库存金额 × 天数 ÷ 销售成本."""
    rate = turnover_rate(cogs, average)
    return None if rate is None or rate == 0 else days / rate


# --- ABC --------------------------------------------------------------------------------------

AbcClass = Literal["A", "B", "C"]


def abc_frame(
    frame: pl.DataFrame,
    value: str,
    *,
    over: Sequence[str] = (),
    name: str = "abc",
    cuts: tuple[float, float] = ABC_CUTS,
) -> pl.DataFrame:
    """``frame`` with a column ``name``: each row's ABC class by ``value`` within ``over`` (research
    §2.2: cumulative-share cut-offs 80% / 95%).

    Rows are ranked by value, largest first; a row's class comes from the share of the total held by
    the rows ranked above it: below ``cuts[0]`` → A, below ``cuts[1]`` → B, else C. So A is the
    fewest top rows that together reach 80% (the row that crosses 80% is A: a SKU making 90% alone
    is A, not B), B the next up to 95%. Ties: equal values get the same class, the one the first of
    them gets (the share above the tie group decides). Values ≤ 0 (a loss) are C and do not add to
    the total; unknown values (None) get no class and add nothing.
    """
    a, b = cuts
    v = pl.col(value)
    positive = pl.when(v > 0).then(v).otherwise(0)
    keys = list(over)
    work = frame.with_row_index("_abc_row").sort(
        [*keys, value], descending=[False] * len(keys) + [True], nulls_last=True
    )
    total = positive.sum()
    above = positive.cum_sum() - positive  # the rows ranked above (ties: some of the group)
    if keys:
        total, above = total.over(keys), above.over(keys)
    work = work.with_columns(_abc_total=total, _abc_above=above)
    work = work.with_columns(_abc_above=pl.col("_abc_above").min().over([*keys, value]))
    share = pl.col("_abc_above") * 100
    cls = (
        pl.when(v.is_null() | (pl.col("_abc_total") <= 0))
        .then(None)
        .when(v <= 0)
        .then(pl.lit("C"))
        .when(share < pl.col("_abc_total") * a)
        .then(pl.lit("A"))
        .when(share < pl.col("_abc_total") * b)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C"))
    )
    return work.with_columns(cls.alias(name)).sort("_abc_row").drop("_abc_row", "_abc_total", "_abc_above")


def abc_classes(values: Sequence[Number | None], cuts: tuple[float, float] = ABC_CUTS) -> list[str | None]:
    """The ABC class of each value (see :func:`abc_frame`), in the order given."""
    frame = pl.DataFrame(
        {"value": [None if v is None else float(v) for v in values]}, schema={"value": pl.Float64}
    )
    return abc_frame(frame, "value", cuts=cuts)["abc"].to_list()


# --- 新品期 (days since launch) ----------------------------------------------------------------


def launch_bucket(days_since: int | None) -> str | None:
    """新品期 bucket of a SKU by days since launch (research §2.2: < 7, 7–14, 14–30, 30–60, > 60 days
    since the first SKU's create_time), left-closed, right-open: day 7 is in 7–14."""
    if days_since is None or days_since < 0:
        return None
    low = 0
    for high in LAUNCH_BUCKETS:
        if days_since < high:
            return f"<{high}" if low == 0 else f"{low}–{high}"
        low = high
    return f"≥{low}"


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) by linear interpolation between ranks (numpy's default,
    Excel's PERCENTILE.INC); the median is ``q = 50``. None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
