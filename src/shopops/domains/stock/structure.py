"""`shopops products structure`: the assortment (产品结构) by category, season or price band, or per SKU.

For a period [start, end] and each shop, per group: SKU数 and 款数, 新品/老品, 动销率, 销量, 销售额 and
its share, 毛利 and its share, ABC counts (by 销售额 and by 毛利), 售罄率, 库存金额 and its share. Every
ratio is recomputed from the group's sums (never an average of its SKUs' ratios); a 合计 row per shop.

- **SKUs of the period (在售)**: 动销率's denominator (``formulas``: ``on_sale`` — stock in some snapshot of
  the period or in the last one before it, or sold in the period; ``listed`` — every SKU of the product
  master created by the end, or sold). 组合商品 are not SKUs: their sales count for their components.
- **Sales** are ``relations.SOLD`` (ERP sales, else paid order lines by payment day; combos exploded).
- **毛利** = 销售额 − Σ 每天销量 × 当天成本价 (商品资料: the shop's version valid that day, else the
  every-shop '*' one); unknown ("—", never 0) when a SKU sold on a day without a cost — and so is its
  group's, its shop's and their shares.
- **ABC** over the shop's SKUs of the period (``formulas.abc_frame``: the fewest top SKUs making 80% are
  A, up to 95% B, the rest C; ties share a class); per group the counts, ``--by sku`` each SKU's class.
- **新品**: launched (``launch_days``: 创建时间, else 首次有库存, else 首次销售) within ``new_days`` (30)
  days up to the period's end; an unknown launch counts as old.
- **Stock at the end**: the shop's latest snapshot on or before the end (``status.stock_status``: one ERP
  per day): 可用 for 售罄率, 实际库存 × 成本价 for 库存金额. A SKU missing from that snapshot has 0 left;
  a shop without a snapshot has stock unknown.
- **价格带** from 基本售价 (吊牌价), edges ``price_bands`` (100, 200, 300), left-closed: 100–200 = 100 ≤ 价 < 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import polars as pl

from shopops.domains.stock.formulas import ABC_NOTE, abc_frame, formula, sell_through_expr
from shopops.domains.stock.launch_days import query, sku_facts
from shopops.domains.stock.relations import MOVEMENTS
from shopops.domains.stock.status import StockRules, stock_status
from shopops.domains.stock.structure_sql import FIRST_STOCK_SQL, OPENING_SQL, PERIOD_SQL

Grain = Literal["category", "season", "price_band", "sku"]
GRAINS: tuple[Grain, ...] = ("category", "season", "price_band", "sku")
GROUP_LABELS = {"category": "分类", "season": "季节", "price_band": "价格带", "sku": "SKU"}
UNKNOWN_GROUP = {"category": "未分类", "season": "未填季节", "price_band": "无售价"}
TOTAL = "合计"
SEASONS = ("春", "夏", "秋", "冬", "四季")
SUMS = ("units", "gmv", "profit", "end_stock", "in_transit", "start_stock", "received", "first_stock")
GROUP_COLUMNS = (
    "shop",
    "group",
    "skus",
    "styles",
    "new_skus",
    "old_skus",
    "sold_skus",
    "active_rate",
    "units",
    "gmv",
    "gmv_share",
    "profit",
    "profit_share",
    "gmv_a",
    "gmv_b",
    "gmv_c",
    "profit_a",
    "profit_b",
    "profit_c",
    "end_stock",
    "in_transit",
    "start_stock",
    "received",
    "first_stock",
    "sell_through",
    "stock_value",
    "stock_value_share",
    "formula",
)
SKU_COLUMNS = (
    "shop",
    "sku",
    "style",
    "name",
    "category",
    "season",
    "price_band",
    "list_price",
    "launch",
    "launch_basis",
    "new",
    "units",
    "gmv",
    "gmv_share",
    "profit",
    "profit_share",
    "abc_gmv",
    "abc_profit",
    "end_stock",
    "in_transit",
    "start_stock",
    "received",
    "first_stock",
    "sell_through",
    "stock_value",
    "stock_value_share",
    "formula",
)


@dataclass(frozen=True)
class Structure:
    frame: pl.DataFrame  # GROUP_COLUMNS (``group`` named by the grain) or SKU_COLUMNS
    start: dt.date
    end: dt.date
    by: Grain
    notes: list[str] = field(default_factory=list)


def price_band(edges: Sequence[float]) -> pl.Expr:
    """The 价格带 of ``list_price``: "<100", "100–200", …, "≥300" (left-closed); None without a price."""
    price = pl.col("list_price").cast(pl.Float64)
    expr: pl.Expr = pl.lit(f"≥{edges[-1]:g}")
    for low, high in reversed(list(zip((None, *edges[:-1]), edges, strict=True))):
        label = f"<{high:g}" if low is None else f"{low:g}–{high:g}"
        expr = pl.when(price < high).then(pl.lit(label)).otherwise(expr)
    return pl.when(price.is_null()).then(None).otherwise(expr)


def product_structure(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    by: Grain = "category",
    rules: StockRules | None = None,
) -> Structure:
    rules = rules or StockRules()
    skus, notes = sku_table(con, start, end, shops, rules)
    if skus.is_empty():
        return Structure(skus.select(SKU_COLUMNS if by == "sku" else GROUP_COLUMNS), start, end, by, notes)
    cuts = (rules.abc_a, rules.abc_b)
    skus = abc_frame(skus, "gmv", over=["shop"], name="abc_gmv", cuts=cuts)
    skus = abc_frame(skus, "profit", over=["shop"], name="abc_profit", cuts=cuts)
    label = _formula_field(rules)
    if by == "sku":
        frame = _shares(skus).with_columns(
            sell_through=sell_through_expr(rules.sell_through), formula=pl.lit(label)
        )
        frame = frame.sort(["shop", "gmv", "sku"], descending=[False, True, False], nulls_last=True)
        return Structure(frame.select(SKU_COLUMNS), start, end, by, notes)
    unknown = UNKNOWN_GROUP[by]
    grouped = skus.with_columns(group=pl.col(by).fill_null(unknown))
    rows = pl.concat(
        [
            _groups(grouped, ["shop", "group"]),
            _groups(grouped.with_columns(group=pl.lit(TOTAL)), ["shop", "group"]),
        ]
    )
    rows = _shares(rows).with_columns(
        sell_through=sell_through_expr(rules.sell_through),
        active_rate=pl.when((pl.col("skus") > 0) & pl.col("known_on_sale")).then(
            pl.col("sold_skus") / pl.col("skus")
        ),
        formula=pl.lit(label),
    )
    order = {"season": list(SEASONS), "price_band": _band_labels(rules.price_bands)}.get(by, [])
    rank = pl.col("group").replace_strict(order, list(range(len(order))), default=len(order))
    rows = rows.sort(  # seasons and price bands in their order, categories by 销售额
        [pl.col("shop"), pl.col("group") == TOTAL, rank, pl.col("gmv"), pl.col("group")],
        descending=[False, False, False, True, False],
        nulls_last=True,
    )
    return Structure(rows.select(GROUP_COLUMNS).rename({"group": by}), start, end, by, notes)


def sku_table(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None,
    rules: StockRules,
) -> tuple[pl.DataFrame, list[str]]:
    """One row per shop and SKU of the period: attributes, launch, sales, profit, stock figures."""
    shop_list = list(shops) if shops is not None else None
    facts = sku_facts(con, end, shop_list)
    period = query(
        con,
        PERIOD_SQL,
        start=start,
        end=end,
        sold_start=start,
        sold_end=end,
        shops=shop_list,
        as_of=end,
        listed=rules.active_rate == "listed",
    )
    status = stock_status(con, end, shop_list, rules=rules)
    stock = status.frame.select(
        pl.col("shop").cast(pl.String),
        pl.col("sku").cast(pl.String),
        pl.coalesce("available", "on_hand").cast(pl.Int64).alias("end_stock"),
        pl.col("in_transit").cast(pl.Int64),
        pl.col("stock_value").cast(pl.Decimal(18, 2)),
        pl.lit(True).alias("_listed"),
    )
    snapshot_shops = stock["shop"].unique().to_list()
    frame = (
        period.join(facts, on=["shop", "sku"], how="left")
        .join(stock, on=["shop", "sku"], how="left")
        .with_columns(
            in_snapshot=pl.col("shop").is_in(snapshot_shops),
            # 在售 needs the snapshots (or, for 动销率 "listed", the product master)
            known_on_sale=pl.col("shop").is_in(snapshot_shops) | pl.lit(rules.active_rate == "listed"),
            price_band=price_band(rules.price_bands),
            new=(pl.col("launch") > end - dt.timedelta(days=rules.new_days)) & (pl.col("launch") <= end),
        )
        .with_columns(
            # a SKU the shop's snapshot does not list has nothing left; no snapshot at all: unknown
            *(
                pl.when(pl.col("_listed")).then(pl.col(c)).when(pl.col("in_snapshot")).then(0).alias(c)
                for c in ("end_stock", "in_transit")
            ),
            pl.when(pl.col("_listed"))
            .then(pl.col("stock_value"))
            .when(pl.col("in_snapshot"))
            .then(pl.lit(0, pl.Decimal(18, 2)))
            .alias("stock_value"),
            new=pl.col("new").fill_null(False),
            style=pl.coalesce("style", "sku"),
            profit=pl.col("gmv").cast(pl.Decimal(18, 2)) - pl.col("cogs").cast(pl.Decimal(18, 2)),
        )
        .drop("_listed")
    )
    snapshots = status.frame.select("shop", "erp", "snapshot_date").unique().sort("shop")
    where = [f"{shop}：库存取 {erp} {day} 的快照" for shop, erp, day in snapshots.iter_rows()]
    frame, variant_notes = _variant_figures(con, frame, start, end, rules)
    notes = _notes(frame, start, end, rules) + variant_notes + where
    return frame, notes


def _variant_figures(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, start: dt.date, end: dt.date, rules: StockRules
) -> tuple[pl.DataFrame, list[str]]:
    """The figures the chosen 售罄率 needs beyond sales and the end stock: 期初 + 入库 (``received``,
    from an ERP 进销存 of exactly the period) or the first stock and the sales since (``first_stock``)."""
    notes: list[str] = []
    frame = frame.with_columns(
        start_stock=pl.lit(None, pl.Int64),
        received=pl.lit(None, pl.Int64),
        first_stock=pl.lit(None, pl.Int64),
    )
    if rules.sell_through == "received":
        frame, notes = _received(con, frame, start, end)
    elif rules.sell_through == "first_stock":
        first = query(con, FIRST_STOCK_SQL, end=end, sold_end=end, sold_start=dt.date(1970, 1, 1), as_of=end)
        frame = frame.drop("first_stock").join(first, on=["shop", "sku"], how="left")
        frame = frame.with_columns(units_since=pl.col("units_since").fill_null(0))
        notes.append("首次库存 = 该SKU第一次有库存的快照（早于快照历史的取快照起点那天）；销量为那天起至期末")
    return frame, notes


def _received(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, start: dt.date, end: dt.date
) -> tuple[pl.DataFrame, list[str]]:
    """期初库存 and 期内入库 per SKU: from an ERP 进销存 of exactly [start, end] where the shop has one;
    else from the snapshots of the day before ``start`` and of ``end``: 期初 = 实际库存 the day before,
    期内入库 = 期末可用 − 期初可用 + 期内销量 (net of what left other than by sale; a paid order takes
    its units out of 可用 at once, so this is exact when nothing else moved). Unknown without them."""
    moved = query(con, f"SELECT shop, sku, opening AS start_stock, received FROM ({MOVEMENTS}) "
                  "WHERE period_start = $start AND period_end = $end", start=start, end=end)  # fmt: skip
    by_ledger = set(moved["shop"].to_list())
    before = query(con, OPENING_SQL, day=start - dt.timedelta(days=1))
    opened = set(before["shop"].to_list())
    derived = (
        frame.filter(~pl.col("shop").is_in(list(by_ledger)) & pl.col("shop").is_in(list(opened)))
        .select("shop", "sku", "end_stock", "units")
        .join(before, on=["shop", "sku"], how="left")
        .join(_end_days(con, frame, end), on="shop", how="left")
        .select(
            "shop",
            "sku",
            pl.when(pl.col("end_day") == end).then(pl.col("start_stock").fill_null(0)).alias("start_stock"),
            pl.when(pl.col("end_day") == end)
            .then(pl.col("end_stock") - pl.col("start_available").fill_null(0) + pl.col("units"))
            .alias("received"),
        )
    )
    figures = pl.concat(
        [
            moved.cast({"start_stock": pl.Int64, "received": pl.Int64}),
            derived.cast({"start_stock": pl.Int64, "received": pl.Int64}),
        ]
    )
    frame = frame.drop("start_stock", "received").join(figures, on=["shop", "sku"], how="left")
    notes = []
    if by_ledger:
        notes.append(f"{'、'.join(sorted(by_ledger))}：期初库存、期内入库取 ERP 进销存（{start} ~ {end}）")
    if derived.height:
        notes.append(
            f"期初库存 = {start - dt.timedelta(days=1)} 快照的实际库存；期内入库由快照推算 = 期末可用 − 期初可用 + 期内销量"
            "（净入库：调拨、退供、盘盈亏都算在内）"
        )
    missing = sorted(set(frame["shop"].to_list()) - by_ledger - opened)
    if missing:
        notes.append(
            f"{'、'.join(missing)}：售罄率（期初 + 入库）需要 {start} ~ {end} 的 ERP 进销存，"
            f"或 {start - dt.timedelta(days=1)} 与 {end} 的库存快照：没有，显示 —"
        )
    return frame, notes


def _end_days(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """Per shop, the day of its latest snapshot on or before ``end``."""
    return query(
        con,
        "SELECT shop, max(period_start) AS end_day FROM stock_snapshot WHERE period_start <= $end GROUP BY shop",
        end=end,
    )


def _groups(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sums per group; a sum is unknown when any SKU's figure is (stock: the shop has no snapshot)."""

    def known_sum(column: str) -> pl.Expr:
        return pl.when(pl.col(column).null_count() == 0).then(pl.col(column).sum()).alias(column)

    sold = "units_since" if "units_since" in frame.columns else "units"
    return frame.group_by(keys, maintain_order=True).agg(
        pl.col("sku").count().alias("skus"),
        pl.col("style").n_unique().alias("styles"),
        pl.col("new").sum().cast(pl.Int64).alias("new_skus"),
        (~pl.col("new")).sum().cast(pl.Int64).alias("old_skus"),
        (pl.col("units") > 0).sum().cast(pl.Int64).alias("sold_skus"),
        pl.col("units").sum(),
        pl.col(sold).sum().alias("sold_for_rate"),
        pl.col("gmv").sum(),
        known_sum("profit"),
        *(  # a SKU whose 毛利 is unknown has no class: its group's counts are unknown too
            pl.when(pl.col(name).is_null().any() if name == "abc_profit" else pl.lit(False))
            .then(None)
            .otherwise((pl.col(name) == cls).sum().cast(pl.Int64))
            .alias(f"{name.split('_')[1]}_{cls.lower()}")
            for name in ("abc_gmv", "abc_profit")
            for cls in "ABC"
        ),
        pl.col("known_on_sale").all().alias("known_on_sale"),
        *(known_sum(c) for c in ("end_stock", "in_transit", "start_stock", "received", "first_stock")),
        known_sum("stock_value"),
    )


def _shares(frame: pl.DataFrame) -> pl.DataFrame:
    """销售额/毛利/库存金额 shares of the shop (its SKUs, or its 合计 row), and the columns of 售罄率."""
    by_sku = "group" not in frame.columns
    base = frame if by_sku else frame.filter(pl.col("group") == TOTAL)
    totals = base.group_by("shop").agg(
        pl.col("gmv").sum().alias("_gmv"),
        pl.when(pl.col("profit").null_count() == 0).then(pl.col("profit").sum()).alias("_profit"),
        pl.when(pl.col("stock_value").null_count() == 0).then(pl.col("stock_value").sum()).alias("_value"),
    )
    out = frame.join(totals, on="shop", how="left").with_columns(
        *(
            pl.when(pl.col(total).cast(pl.Float64) > 0)
            .then(pl.col(column).cast(pl.Float64) / pl.col(total).cast(pl.Float64))
            .alias(f"{column}_share")
            for column, total in (("gmv", "_gmv"), ("profit", "_profit"), ("stock_value", "_value"))
        )
    )
    sold = "sold_for_rate" if not by_sku else ("units_since" if "units_since" in frame.columns else "units")
    return out.drop("_gmv", "_profit", "_value").with_columns(sold=pl.col(sold))


def _formula_field(rules: StockRules) -> str:
    return (
        f"sell_through={rules.sell_through}; active_rate={rules.active_rate}; "
        f"abc={rules.abc_a:g}/{rules.abc_b:g}; new_days={rules.new_days}"
    )


def _notes(frame: pl.DataFrame, start: dt.date, end: dt.date, rules: StockRules) -> list[str]:
    notes = [
        formula("sell_through", rules.sell_through).note
        + ("；期末库存 = 期末快照的可用库存，负数（超卖）按 0" if rules.sell_through != "received" else ""),
        formula("active_rate", rules.active_rate).note,
        ABC_NOTE.format(a=rules.abc_a, b=rules.abc_b).replace("金额", "销售额（或毛利）", 1),
        f"新品 = {end - dt.timedelta(days=rules.new_days - 1)} ~ {end} 上新（近 {rules.new_days} 天，"
        "上新日：创建时间，否则首次有库存，否则首次销售）；上新日未知的算老品",
        "毛利 = 销售额 − 销量 × 当天成本价（商品资料，按成本生效日期）；有销售的SKU缺成本时为 —",
        "价格带按基本售价（吊牌价），左闭右开："
        + "、".join(_band_labels(rules.price_bands))
        + "；库存金额 = 实际库存 × 成本价",
    ]
    no_cost = frame.filter(pl.col("profit").is_null())
    if no_cost.height:
        examples = "、".join(no_cost["sku"].head(3).to_list())
        notes.append(
            f"{no_cost.height} 个有销售的SKU没有成本价（如 {examples}）：导入商品资料或成本表后毛利才有数"
        )
    unknown_launch = int(frame["launch"].null_count())
    if unknown_launch:
        notes.append(f"{unknown_launch} 个SKU上新日未知（早于数据起点），算老品")
    missing = sorted(set(frame.filter(~pl.col("in_snapshot"))["shop"].to_list()))
    if missing:
        notes.append(
            f"{'、'.join(missing)}：{end} 及之前没有库存快照，库存、售罄率、动销率为 —（在售SKU只算有销售的）"
        )
    return notes


def _band_labels(edges: Sequence[float]) -> list[str]:
    lows = (None, *edges)
    return [f"<{e:g}" if low is None else f"{low:g}–{e:g}" for low, e in zip(lows, edges, strict=False)] + [
        f"≥{edges[-1]:g}"
    ]
