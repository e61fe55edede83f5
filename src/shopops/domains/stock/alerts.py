"""`shopops stock alerts`: the SKUs of a snapshot day at risk of 断货, 超卖 or 积压, with ¥ at stake.

One row per SKU and at most one kind (超卖 first, then 断货风险, then 积压), from the day's stock status
(:func:`status.stock_status`: the snapshot, 可售天数, the five classes, 库存金额) and the sales of
``relations.SOLD``. The kinds and their 涉及金额 (money at stake, 元; each output prints these lines):

- **超卖** — 可用库存 < 0 on the snapshot: paid orders the stock cannot ship.
  涉及金额 = |可用| × 单价 (the paid orders that cannot ship).
- **断货风险** — 可售天数 counting 在途 below the replenishment horizon. 日均销量 = 近N天销量 ÷ N
  (N = ``cover_basis``, or a launch's fewer days on sale, as 可售天数); 可售天数（含在途）= (可用 + 在途) ÷ 日均销量: 在途 (采购 + 调拨)
  is counted as arriving within the 补货周期. Horizon H = ``lead_time_days`` (default 14: a reorder of
  domestic apparel from a known supplier arrives in 7–15 days; the upper end warns while an order placed
  today still lands in time); for a 爆款 H = ``bestseller_days`` (default 21 = the 补货周期 + 7 days of
  安全库存, the reorder point 日均销量 × 补货周期 + 安全库存 of common practice).
  涉及金额 = 日均销量 × 单价 × (H − 可售天数（含在途）): the sales lost in the days left uncovered.
- **积压** — 滞销 (可售天数 > ``slow_days``) or 零动销 with stock, and 库存金额 ≥ ``overstock_min_value``
  (default ¥1,000: below it a SKU is not worth a line); a SKU without a cost (库存金额 unknown) is listed;
  a SKU whose 库龄 is under 30 days is not (a new SKU has not had the 30 days its 近30天销量 counts).
  涉及金额 = the stock value beyond the target cover (the top of 正常, ``low_days``):
  (实际库存 − 日均销量 × low_days) × 成本价 — for 零动销 the whole 库存金额.

**爆款** (bestseller) = the top ``bestseller_share`` (20%) of a shop's selling SKUs on the snapshot by
近30天销售额 (近30天销量 × 单价), rounded up (ties by SKU code). **单价** = 近30天成交均价 (实付金额 ÷ 件数,
when every line has its 实付金额), else the product master's 基本售价; unknown (涉及金额 "—") without both.
Unknown is None, never 0.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from shopops.domains.stock.relations import PRODUCTS, SOLD
from shopops.domains.stock.status import StockRules, stock_status

SALES_DAYS = 30  # the sales window of 零动销 and 爆款 (近30天)
KINDS = ("超卖", "断货风险", "积压")  # the order a SKU is judged in; a SKU gets the first that holds
ALERT_COLUMNS = (
    "shop",
    "sku",
    "style",
    "name",
    "kind",
    "status",
    "bestseller",
    "on_hand",
    "available",
    "in_transit",
    "daily_sales",
    "days_of_cover",
    "cover_with_transit",
    "stock_value",
    "price",
    "price_basis",
    "amount_at_stake",
    "formula",
)


@dataclass(frozen=True)
class StockAlerts:
    frame: pl.DataFrame  # ALERT_COLUMNS (+ snapshot_date), largest amount at stake first
    day: dt.date
    notes: list[str] = field(default_factory=list)
    has_stock: bool = True  # False: no snapshot on or before the day (the notes say what to import)


def stock_alerts(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    shops: Sequence[str] | None = None,
    *,
    rules: StockRules | None = None,
) -> StockAlerts:
    """The alerts of the latest snapshot on or before ``day`` of each shop (``shops`` None: all)."""
    rules = rules or StockRules()
    status = stock_status(con, day, shops, rules=rules)
    if status.frame.is_empty():
        return StockAlerts(empty_alerts(), day, status.notes, has_stock=False)
    shop_list = status.frame["shop"].unique().to_list()
    window = {"sold_start": day - dt.timedelta(days=29), "sold_end": day, "as_of": day}
    prices = sql_frame(con, _PRICE_SQL, {"shops": shop_list, **window})
    frame = status.frame.join(prices, on=["shop", "sku"], how="left")
    return StockAlerts(alert_rows(frame, rules), day, [*alert_notes(rules), *status.notes])


def sql_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pl.DataFrame:
    """Run ``sql`` with those of ``params`` it names (``$name``): the shared relations need only some."""
    named = set(re.findall(r"\$(\w+)", sql))
    frame: pl.DataFrame = con.sql(sql, params={k: v for k, v in params.items() if k in named}).pl()
    return frame


_PRICE_SQL = f"""
WITH sold AS ({SOLD}), lines AS (
    SELECT shop, sku, sum(units) AS units, sum(revenue) AS revenue, count(*) = count(revenue) AS whole
    FROM sold WHERE list_contains($shops, shop) GROUP BY ALL
), products AS (
    SELECT shop, sku, list_price FROM ({PRODUCTS}) WHERE list_contains($shops, shop)
)
SELECT coalesce(p.shop, l.shop) AS shop, coalesce(p.sku, l.sku) AS sku,
       CASE WHEN l.whole AND l.units > 0 THEN CAST(l.revenue AS DOUBLE) / l.units
            ELSE CAST(p.list_price AS DOUBLE) END AS price,
       CASE WHEN l.whole AND l.units > 0 THEN '成交均价'
            WHEN p.list_price IS NOT NULL THEN '基本售价' END AS price_basis
FROM products p FULL OUTER JOIN lines l ON l.shop = p.shop AND l.sku = p.sku
"""


def alert_rows(frame: pl.DataFrame, rules: StockRules) -> pl.DataFrame:
    """The status rows (with ``price``, ``price_basis``) that raise an alert, with kind and amount."""
    basis = "sales_30d" if rules.cover_basis == 30 else "sales_7d"
    if "price" not in frame.columns:
        frame = frame.with_columns(price=pl.lit(None, pl.Float64), price_basis=pl.lit(None, pl.String))
    if "sales_days" not in frame.columns:
        frame = frame.with_columns(sales_days=pl.lit(rules.cover_basis))
    daily = pl.col(basis) / pl.col("sales_days")  # a launch's days on sale, as 可售天数 (status)
    frame = frame.with_columns(
        daily_sales=daily,
        cover_with_transit=pl.when(daily > 0).then((pl.col("available") + pl.col("in_transit")) / daily),
        _value30=pl.col("sales_30d") * pl.col("price"),
    )
    frame = frame.with_columns(bestseller=_bestseller(rules.bestseller_share))
    horizon = pl.when(pl.col("bestseller")).then(max(rules.lead_time_days, rules.bestseller_days))
    frame = frame.with_columns(_horizon=horizon.otherwise(rules.lead_time_days))
    value_ok = pl.col("stock_value").is_null() | (pl.col("stock_value") >= rules.overstock_min_value)
    # a SKU in stock for less than the 30 days of its sales window has not had them to sell
    seasoned = (
        (pl.col("age_days") >= SALES_DAYS)
        | (pl.col("age_basis") == "≥ 快照起点")
        | pl.col("age_days").is_null()
    )
    kind = (
        pl.when(pl.col("available") < 0)
        .then(pl.lit("超卖"))
        .when(pl.col("cover_with_transit") < pl.col("_horizon"))
        .then(pl.lit("断货风险"))
        .when(pl.col("status").is_in(["滞销", "零动销"]) & (pl.col("on_hand") > 0) & value_ok & seasoned)
        .then(pl.lit("积压"))
    )
    frame = frame.with_columns(kind=kind).filter(pl.col("kind").is_not_null())
    excess = (pl.col("on_hand") - pl.col("daily_sales") * rules.low_days).clip(lower_bound=0)
    amount = (
        pl.when(pl.col("kind") == "超卖")
        .then(-pl.col("available") * pl.col("price"))
        .when(pl.col("kind") == "断货风险")
        .then(pl.col("daily_sales") * pl.col("price") * (pl.col("_horizon") - pl.col("cover_with_transit")))
        .otherwise(pl.col("stock_value").cast(pl.Float64) * excess / pl.col("on_hand"))
    )
    frame = frame.with_columns(amount_at_stake=amount.round(2))
    frame = frame.with_columns(
        formula=pl.Series([_formula(r, rules) for r in frame.iter_rows(named=True)], dtype=pl.String)
    )
    order = pl.col("kind").replace_strict({k: i for i, k in enumerate(KINDS)}, return_dtype=pl.Int64)
    return (
        frame.with_columns(_order=order)
        .sort(
            ["amount_at_stake", "_order", "shop", "sku"],
            descending=[True, False, False, False],
            nulls_last=True,
        )
        .select(*ALERT_COLUMNS, "snapshot_date")
    )


def _bestseller(share: float) -> pl.Expr:
    """爆款: within its shop, among the SKUs with 近30天销售额 > 0, the top ⌈share × n⌉ by it."""
    selling = pl.col("_value30") > 0
    count = selling.sum().over("shop")
    rank = pl.struct(pl.col("_value30").fill_null(0).neg(), "sku").rank("ordinal").over("shop")
    return (selling & (rank <= (count * share).ceil())).fill_null(False)


def _formula(row: Mapping[str, Any], rules: StockRules) -> str | None:
    """How the row's 涉及金额 was computed, in numbers (None when it is unknown)."""
    amount, price = row["amount_at_stake"], row["price"]
    if amount is None:
        return None
    if row["kind"] == "超卖":
        return f"超卖 {-row['available']} 件 × 单价 {price:,.2f}"
    if row["kind"] == "断货风险":
        horizon = horizon_of(row, rules)
        gap = horizon - row["cover_with_transit"]
        return f"日均 {row['daily_sales']:.2f} 件 × 单价 {price:,.2f} × 缺口 {gap:.1f} 天（{horizon:g} − {row['cover_with_transit']:.1f}）"
    if row["status"] == "零动销":
        return f"零动销：全部库存金额 {row['stock_value']:,.2f}"
    cost = row["stock_value"] / row["on_hand"]
    return f"(实际库存 {row['on_hand']} − 日均 {row['daily_sales']:.2f} × {rules.low_days:g} 天) × 成本价 {cost:,.2f}"


def alert_notes(rules: StockRules) -> list[str]:
    """The 口径 lines every alerts output carries."""
    n, lead, best = rules.cover_basis, rules.lead_time_days, max(rules.lead_time_days, rules.bestseller_days)
    return [
        "超卖：快照上 可用 < 0；涉及金额 = |可用| × 单价（已付款却发不出的订单）",
        f"断货风险：可售天数（含在途）=（可用 + 在途）÷ 日均销量（近{n}天销量 ÷ {n}），在途按补货周期内到货计；"
        f"低于补货周期 {lead:g} 天（爆款 {best:g} 天）；涉及金额 = 日均销量 × 单价 × 缺口天数（补货周期内断货少卖的金额）",
        f"积压：滞销（可售天数 > {rules.slow_days:g} 天）或零动销且有库存，库存金额 ≥ ¥{rules.overstock_min_value:,.0f}，库龄 ≥ 30 天；"
        f"涉及金额 = 超出 {rules.low_days:g} 天目标的库存金额 =（实际库存 − 日均销量 × {rules.low_days:g}）× 成本价",
        f"爆款 = 本店有销售的 SKU 中近30天销售额前 {rules.bestseller_share:.0%}（向上取整）；"
        "单价 = 近30天成交均价（实付 ÷ 件数），无成交时用基本售价",
    ]


def empty_alerts() -> pl.DataFrame:
    numbers = ("daily_sales", "days_of_cover", "cover_with_transit", "price", "amount_at_stake")
    schema: dict[str, Any] = dict.fromkeys(ALERT_COLUMNS, pl.String)
    schema |= dict.fromkeys(("on_hand", "available", "in_transit"), pl.Int64) | dict.fromkeys(
        numbers, pl.Float64
    )
    return pl.DataFrame(schema=schema | {"bestseller": pl.Boolean, "snapshot_date": pl.Date})


def horizon_of(row: Mapping[str, Any], rules: StockRules) -> float:
    """The days a 断货 row's stock should last: the 补货周期, or the 爆款 horizon."""
    return max(rules.lead_time_days, rules.bestseller_days) if row["bestseller"] else rules.lead_time_days
