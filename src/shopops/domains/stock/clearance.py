"""`shopops stock clearance --season S`: the 换季清仓 list — a season's stock per style, worst first.

Per style (款式) of the product master's 季节 ``S`` with stock on the day's snapshot (stock status by
style: 实际库存, 可用, 库存金额, 库龄), from the sales of ``relations.SOLD``:

- **清仓得分** = 库存金额 × 库龄（月 = 天 ÷ 30）× (1 + 降速): money tied up × age × falling velocity, where
  降速 = 1 − 近14天销量 ÷ 前14天销量 (0 when sales held or rose; 1 when nothing sold in the last 14
  days). Largest first. Unknown (no cost) ranks last.
- **售罄率** to date: the named formula of :mod:`formulas` (``stock.sell_through``; default ``end``:
  期内销量 ÷ (期内销量 + 期末库存)), 期内 = since the style's 库龄 start (or the first day of sales we
  hold, when later: ``sold_from``), 期末库存 = 可用.
- **清完周数** = 可用 ÷ 周销量 at the current rate: 近14天销量 ÷ 2 (and, in CSV/JSON, 近28天销量 ÷ 4);
  unknown ("—") when nothing sold.
- **销量趋势** = 近14天销量 ÷ 前14天销量 − 1 (unknown when the 14 days before sold nothing).
- **建议折扣** from the style's own price elasticity (:mod:`elasticity`, with 季节校正 by the shop's
  same-season styles whose price never changed: ``seasonal_factor`` = their units after ÷ before): the
  折 band (of 基本售价) that sells the 可用 out in ``clearance_weeks`` weeks; "无价格历史" when its
  sales show no change of price held ``price_level_days`` days on both sides. 组合商品 components are
  left out of the price history (a pack's price share is not the item's price) but count for the
  velocity (:mod:`clearance_sales`).

Seasons: 春 (3–5月), 夏 (6–8), 秋 (9–11), 冬 (12–2), 四季 (all year); a 季节 such as "春季" or "春夏"
belongs to each season it names. ``old``: every season but the day's own (四季 never is old).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from shopops.domains.stock.clearance_sales import style_sales
from shopops.domains.stock.formulas import formula, sell_through
from shopops.domains.stock.status import StockRules, stock_status
from shopops.errors import UserError

SEASONS = ("春", "夏", "秋", "冬")
ALL_YEAR = ("四季", "全年", "全季", "通季")
OLD = "old"
CLEARANCE_COLUMNS = (
    "shop",
    "style",
    "name",
    "category",
    "season",
    "skus",
    "on_hand",
    "available",
    "stock_value",
    "age_days",
    "age_basis",
    "sell_through",
    "sell_through_formula",
    "sold_to_date",
    "sold_from",
    "units_14d",
    "units_prev_14d",
    "velocity_trend",
    "weeks_to_sell_out",
    "weeks_to_sell_out_28d",
    "score",
    "list_price",
    "current_price",
    "elasticity",
    "seasonal_factor",
    "suggested_price",
    "markdown_band",
)


@dataclass(frozen=True)
class Clearance:
    frame: pl.DataFrame  # CLEARANCE_COLUMNS, highest score first
    day: dt.date
    seasons: tuple[str, ...]  # the product master's 季节 values taken
    notes: list[str] = field(default_factory=list)
    has_stock: bool = True  # False: no snapshot on or before the day (the notes say what to import)


def season_of(day: dt.date) -> str:
    return SEASONS[((day.month - 3) % 12) // 3]


def matching_seasons(values: Sequence[str], wanted: str, day: dt.date) -> list[str]:
    """The product master's 季节 values that ``wanted`` (春/夏/秋/冬/四季/old, or a value itself) takes."""
    wanted = wanted.strip()
    if len(wanted) == 2 and wanted.endswith("季") and wanted[0] in SEASONS:
        wanted = wanted[0]  # 冬季 is 冬
    out = []
    for value in values:
        text = value.strip()
        all_year = text in ALL_YEAR
        if wanted == OLD:
            hit = not all_year and any(s in text for s in SEASONS) and season_of(day) not in text
        elif wanted in ALL_YEAR:
            hit = all_year
        else:
            hit = text == wanted or (wanted in SEASONS and wanted in text and not all_year)
        if hit:
            out.append(value)
    return out


def clearance_list(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    season: str,
    shops: Sequence[str] | None = None,
    *,
    rules: StockRules | None = None,
) -> Clearance:
    """The clearance list of ``season`` on ``day`` (the latest snapshot on or before it per shop)."""
    rules = rules or StockRules()
    known = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT season FROM product_master WHERE season IS NOT NULL AND season <> ''"
            " ORDER BY season"
        ).fetchall()
    ]
    if not known:
        raise UserError(
            "the product master (商品资料) has no 季节: import 聚水潭 商品资料 (or our template) with a 季节 column,"
            " e.g. `shopops import 聚水潭_商品资料.xlsx --shop 店铺名`"
        )
    taken = matching_seasons(known, season, day)
    if not taken:
        raise UserError(
            f"--season {season}: no product of that season in the product master (季节 there: {', '.join(known)})"
            f" — use one of them, 春/夏/秋/冬/四季, or old (every season but {season_of(day)})"
        )
    status = stock_status(con, day, shops, by="style", rules=rules)
    if status.frame.is_empty():
        return Clearance(_empty(), day, tuple(taken), status.notes, has_stock=False)
    picked = status.frame.filter(pl.col("season").is_in(taken) & (pl.col("on_hand") > 0))
    chosen = formula("sell_through", rules.sell_through)
    target = day + dt.timedelta(days=round(rules.clearance_weeks * 7))
    notes = [
        f"季节：{season}（商品资料 季节 = {'、'.join(taken)}）；当前季节 {season_of(day)}",
        "清仓得分 = 库存金额 × 库龄(月) × (1 + 降速)，降速 = 1 − 近14天销量 ÷ 前14天销量（不为负；近14天无销售为 1）",
        f"{chosen.note}（{chosen.key}）；期内 = 自库龄起点（或所存销量的第一天，取晚者），期末库存 = 可用",
        "清完周数 = 可用 ÷ (近14天销量 ÷ 2)；销量趋势 = 近14天 ÷ 前14天 − 1",
        f"价格弹性 ε = ln((q₂/q₁) ÷ 季节系数) ÷ ln(p₂/p₁)：调价前后各 {rules.price_level_days:g} 天的日均销量 q 与价格 p"
        "（两个价格各持续 ≥ 该天数）；季节系数 = 同季节未调价款式同期销量之比（无则不校正）",
        f"建议折扣：按弹性推算在 {target}（{rules.clearance_weeks:g} 周）前卖完可用库存的价格 p* = p₀ × (所需日销 ÷ 近14天日销)^(1/ε)，"
        "折 = p* ÷ 基本售价；无价格历史 = 没有持续够久的两个价格",
        *(n for n in status.notes if not n.startswith(("可售天数", "状态"))),
    ]
    if picked.is_empty():
        return Clearance(_empty(), day, tuple(taken), notes)
    sales = style_sales(con, day, picked, rules)
    frame = picked.join(sales, on=["shop", "style"], how="left")
    return Clearance(_finish(frame, day, rules), day, tuple(taken), notes)


def _finish(frame: pl.DataFrame, day: dt.date, rules: StockRules) -> pl.DataFrame:
    stock = pl.col("available").clip(lower_bound=0)
    recent, before = pl.col("units_14d"), pl.col("units_prev_14d")
    fall = (
        pl.when(recent == 0)
        .then(1.0)
        .when(before > 0)
        .then((1 - recent / before).clip(lower_bound=0))
        .otherwise(0.0)
    )
    frame = frame.with_columns(
        skus=pl.col("sku").cast(pl.Int64),
        velocity_trend=pl.when(before > 0).then(recent / before - 1),
        weeks_to_sell_out=pl.when(recent > 0).then(stock / (recent / 2)),
        weeks_to_sell_out_28d=pl.when(pl.col("units_28d") > 0).then(stock / (pl.col("units_28d") / 4)),
        score=(pl.col("stock_value").cast(pl.Float64) * pl.col("age_days") / 30 * (1 + fall)).round(0),
        sell_through=pl.Series(
            [_sell_through(r, rules.sell_through) for r in frame.iter_rows(named=True)], dtype=pl.Float64
        ),
        sell_through_formula=pl.lit(rules.sell_through),
    )
    return frame.sort(["score", "shop", "style"], descending=[True, False, False], nulls_last=True).select(
        CLEARANCE_COLUMNS
    )


def _sell_through(row: dict[str, Any], variant: str) -> float | None:
    """售罄率 to date by the workspace's formula; ``received`` and ``first_stock`` need stock history
    this list does not read (入库, 首发库存): unknown for them."""
    if variant in ("end", "with_transit"):
        return sell_through(
            variant, sold=row["sold_to_date"], end_stock=row["available"], in_transit=row["in_transit"]
        )
    return None


def _empty() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(CLEARANCE_COLUMNS, pl.Float64)
    schema |= dict.fromkeys(
        ("shop", "style", "name", "category", "season", "age_basis", "sell_through_formula", "markdown_band"),
        pl.String,
    )
    schema |= dict.fromkeys(
        ("skus", "on_hand", "available", "age_days", "sold_to_date", "units_14d", "units_prev_14d"), pl.Int64
    )
    return pl.DataFrame(schema=schema | {"sold_from": pl.Date})
