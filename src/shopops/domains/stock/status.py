"""`shopops stock status`: per SKU (or style) on a day — stock, sales, 可售天数, turnover class, 库龄, value.

口径 (DESIGN §8; research §2.2), each named in every output:

- **可售天数 (days of cover)** = 可用库存 ÷ (近30天销量 ÷ 30) — the common practice; ``cover_basis: 7``
  uses 近7天销量 ÷ 7. Unknown ("—") when the SKU sold nothing in the basis window.
- **Turnover class**, from the cover (thresholds in shopops.yaml ``stock:``): 零动销 (stock, and no sale in
  30 days), 滞销 (> 90 days), 低周转 (60–90), 正常 (30–60), 高周转 (≤ 30). A band holds its upper end: a cover of exactly 90 is 低周转.
- **Sales** are paid order lines (千牛 宝贝报表) by payment day, a 组合商品's sale exploded into its
  components by the BOM (组合商品编码 → 商品编码 × 数量) before anything is computed.
- **库龄**: without batches there is no true age. The best evidence is used and named: the first
  snapshot holding the SKU when it came after the shop's first snapshot (首次有库存), else the product
  master's 创建时间 (创建时间), else at least the span of the snapshots (≥ 快照起点).
- **库存金额** = 实际库存 × 成本价 on the day (商品资料: the shop's own, else the '*' row); unknown without one.
- **One ERP per shop and day.** Two ERPs exported on the same day describe the same stock: the one
  with more SKUs is used, the other is named in the notes, never added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import duckdb
import polars as pl

from shopops.domains.stock.formulas import RULE_SETTINGS, check_rules, rule_setting
from shopops.domains.stock.relations import PRODUCTS, SOLD
from shopops.errors import WorkspaceError

CLASSES = ("零动销", "滞销", "低周转", "正常", "高周转")
STATUS_COLUMNS = (
    "shop",
    "sku",
    "style",
    "name",
    "category",
    "season",
    "on_hand",
    "available",
    "in_transit",
    "sales_7d",
    "sales_30d",
    "days_of_cover",
    "status",
    "age_days",
    "age_basis",
    "stock_value",
)


@dataclass(frozen=True)
class StockRules:
    cover_basis: int = 30  # 可售天数 from the last 30 (or 7) days' sales
    slow_days: float = 90  # cover > 90: 滞销
    low_days: float = 60  # 60 < cover ≤ 90: 低周转
    normal_days: float = 30  # 30 < cover ≤ 60: 正常; ≤ 30: 高周转
    # 口径 of products structure/new (formulas.FORMULAS names the choices; defaults: the common practice)
    sell_through: str = "end"  # 售罄率: end, received, first_stock, with_transit
    active_rate: str = "on_sale"  # 动销率: on_sale, listed
    turnover: str = "start_end"  # 库存周转: start_end, snapshots
    abc_a: float = 80  # ABC: the top SKUs making 80% of the total are A,
    abc_b: float = 95  # the next up to 95% B, the rest C
    price_bands: tuple[float, ...] = (100, 200, 300)  # 价格带 edges (基本售价), left-closed
    new_days: int = 30  # 新品: launched within 30 days up to the period's end
    cohort_days: int = 180  # 上新 cohort: the launches of the 180 days before
    takes_off: float = 75  # 起量: above the cohort's 75th percentile
    lags: float = 25  # 滞后: below the cohort's 25th percentile
    # 断货/超卖/积压 alerts and 换季清仓 (alerts.py, clearance.py say why these defaults)
    lead_time_days: float = 14  # 补货周期: 断货风险 when 可售天数 (在途 counted) < 14
    bestseller_days: float = 21  # 爆款 warned below 21 days (补货周期 + 7 days' 安全库存)
    bestseller_share: float = 0.2  # 爆款 = a shop's top 20% of selling SKUs by 近30天销售额
    overstock_min_value: float = 1000  # 积压 only from ¥1,000 of 库存金额
    clearance_weeks: float = 8  # 清仓: sell out within 8 weeks
    price_level_days: float = 7  # 价格弹性: price levels held at least 7 days each

    @classmethod
    def from_settings(cls, raw: object) -> StockRules:
        section = raw.get("stock", {}) if isinstance(raw, dict) else {}
        section = section if isinstance(section, dict) else {}
        names = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in section if k not in names)
        if unknown:
            raise WorkspaceError(
                f"shopops.yaml: stock.{unknown[0]} is not a 库存 setting (use {', '.join(names)})"
            )
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key in RULE_SETTINGS:
                values[key] = rule_setting(key, value)
                continue
            try:
                values[key] = int(value) if key == "cover_basis" else float(value)
            except (TypeError, ValueError):
                raise WorkspaceError(
                    f"shopops.yaml: stock.{key} is {value!r}, not a number — write e.g. {key}: {getattr(cls, key)}"
                ) from None
        rules = cls(**values)
        if rules.cover_basis not in (7, 30):
            raise WorkspaceError(
                "shopops.yaml: stock.cover_basis must be 7 or 30 (days of sales behind 可售天数)"
            )
        if not rules.normal_days < rules.low_days < rules.slow_days:
            raise WorkspaceError("shopops.yaml: stock thresholds need normal_days < low_days < slow_days")
        check_rules(rules)
        for key, ok, rule in (
            ("lead_time_days", rules.lead_time_days > 0, "a number of days > 0, e.g. 14"),
            ("bestseller_days", rules.bestseller_days >= 0, "a number of days ≥ 0, e.g. 21"),
            ("bestseller_share", 0 < rules.bestseller_share <= 1, "a share above 0 and at most 1, e.g. 0.2"),
            ("overstock_min_value", rules.overstock_min_value >= 0, "an amount in 元 ≥ 0, e.g. 1000"),
            ("clearance_weeks", rules.clearance_weeks > 0, "a number of weeks > 0, e.g. 8"),
            ("price_level_days", rules.price_level_days >= 1, "a number of days ≥ 1, e.g. 7"),
        ):
            if not ok:
                raise WorkspaceError(f"shopops.yaml: stock.{key} must be {rule}")
        return rules


@dataclass(frozen=True)
class StockStatus:
    frame: pl.DataFrame  # STATUS_COLUMNS (+ sales_days, erp, snapshot_date), largest stock value first
    day: dt.date
    by: Literal["sku", "style"]
    notes: list[str] = field(default_factory=list)


def stock_status(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    shops: Sequence[str] | None = None,
    *,
    by: Literal["sku", "style"] = "sku",
    rules: StockRules | None = None,
) -> StockStatus:
    rules = rules or StockRules()
    shop_list = list(shops) if shops is not None else None
    snapshots = _chosen_snapshots(con, day, shop_list)
    if not snapshots:
        return StockStatus(
            _empty(),
            day,
            by,
            [f"{day} 及之前没有库存快照：导入 ERP 的库存导出（聚水潭、旺店通、eFAST、京东自营）"],
        )
    con.execute("CREATE OR REPLACE TEMP TABLE _so_stock_choice (shop VARCHAR, erp VARCHAR, day DATE)")
    con.executemany(
        "INSERT INTO _so_stock_choice VALUES (?, ?, ?)", [(s, e, d) for s, (e, d, _) in snapshots.items()]
    )
    params = {"day": day, "sold_start": day - dt.timedelta(days=29), "sold_end": day, "as_of": day}
    frame: pl.DataFrame = con.sql(_STATUS_SQL, params=params).pl()
    con.execute("DROP TABLE IF EXISTS _so_stock_choice")
    if by == "style":
        frame = _by_style(frame)
    frame = _classify(frame, rules).sort(["stock_value", "sku"], descending=[True, False], nulls_last=True)
    notes = [
        f"可售天数 = 可用库存 ÷ (近{rules.cover_basis}天销量 ÷ {rules.cover_basis})，上新不足{rules.cover_basis}天的按"
        "在售天数（库龄 + 1）算日均；组合商品按 BOM 拆到子商品",
        f"状态：零动销（有库存、近30天无销售）、滞销 > {rules.slow_days:g} 天、低周转 {rules.low_days:g}–{rules.slow_days:g}、"
        f"正常 {rules.normal_days:g}–{rules.low_days:g}、高周转 ≤ {rules.normal_days:g} 天",
        "库龄：首次有库存 = 快照中第一次出现；创建时间 = 商品资料；≥ 快照起点 = 快照历史之前就有（至少）",
    ]
    for shop, (erp, snap_day, others) in sorted(snapshots.items()):
        line = f"{shop}：{erp} {snap_day} 的快照"
        if snap_day != day:
            line += f"（{day} 没有快照，用之前最近的一天）"
        if others:
            line += f"；同日另有 {'、'.join(others)} 的快照，未相加"
        notes.append(line)
    return StockStatus(frame, day, by, notes)


def _chosen_snapshots(
    con: duckdb.DuckDBPyConnection, day: dt.date, shops: list[str] | None
) -> dict[str, tuple[str, dt.date, list[str]]]:
    """Per shop: the ERP and day of its latest snapshot on or before ``day``, and the other ERPs of that day."""
    rows = con.execute(
        """
        WITH latest AS (
            SELECT shop, max(period_start) AS day FROM stock_snapshot
            WHERE period_start <= $day AND ($shops IS NULL OR list_contains($shops, shop)) GROUP BY shop
        )
        SELECT s.shop, s.erp, l.day, count(DISTINCT s.sku) AS skus
        FROM stock_snapshot s JOIN latest l ON l.shop = s.shop AND s.period_start = l.day
        GROUP BY ALL ORDER BY s.shop, skus DESC, s.erp
        """,
        {"day": day, "shops": shops},
    ).fetchall()
    chosen: dict[str, tuple[str, dt.date, list[str]]] = {}
    for shop, erp, snap_day, _ in rows:
        if shop in chosen:
            chosen[shop][2].append(erp)
        else:
            chosen[shop] = (erp, snap_day, [])
    return chosen


_STATUS_SQL = f"""
WITH stock AS (
    SELECT s.shop, s.sku, any_value(s.style) AS style, any_value(s.name) AS name,
           any_value(s.category) AS category, c.erp, c.day AS snapshot_date,
           CAST(CASE WHEN count(s.on_hand) = count(*) THEN sum(s.on_hand) END AS BIGINT) AS on_hand,
           CAST(CASE WHEN count(s.available) = count(*) THEN sum(s.available) END AS BIGINT) AS available,
           CAST(sum(coalesce(s.in_transit_purchase, 0) + coalesce(s.in_transit_transfer, 0)) AS BIGINT) AS in_transit,
           min(s.created_at) AS erp_created
    FROM stock_snapshot s JOIN _so_stock_choice c ON c.shop = s.shop AND c.erp = s.erp AND c.day = s.period_start
    GROUP BY s.shop, s.sku, c.erp, c.day
), sold AS (  -- paid lines by payment day, a combo exploded into its components (relations.SOLD)
    SELECT * FROM ({SOLD}) WHERE shop IN (SELECT shop FROM _so_stock_choice)
), sales AS (
    SELECT shop, sku, CAST(sum(units) FILTER (WHERE day > $day - INTERVAL 7 DAY) AS BIGINT) AS sales_7d,
           CAST(sum(units) AS BIGINT) AS sales_30d
    FROM sold GROUP BY ALL
), first_seen AS (
    SELECT s.shop, s.sku, min(s.period_start) FILTER (WHERE s.on_hand > 0) AS first_stock,
           (SELECT min(period_start) FROM stock_snapshot f WHERE f.shop = s.shop) AS history_start
    FROM stock_snapshot s WHERE s.period_start <= $day AND s.shop IN (SELECT shop FROM _so_stock_choice)
    GROUP BY s.shop, s.sku
), master AS (
    {PRODUCTS}
), costs AS (  -- the every-shop ('*') cost on the day, for a SKU without a cost of its shop's own
    SELECT shop, sku, cost_price AS unit_cost FROM master WHERE shop = '*'
)
SELECT st.shop, st.sku, coalesce(m.style, st.style) AS style, coalesce(m.name, st.name) AS name,
       coalesce(m.category, st.category) AS category, m.season,
       st.on_hand, st.available, st.in_transit,
       coalesce(sa.sales_7d, 0) AS sales_7d, coalesce(sa.sales_30d, 0) AS sales_30d,
       CASE WHEN f.first_stock > f.history_start THEN date_diff('day', f.first_stock, $day)
            WHEN coalesce(m.created_at, st.erp_created) IS NOT NULL
            THEN date_diff('day', coalesce(m.created_at, st.erp_created), $day)
            ELSE date_diff('day', f.history_start, $day) END AS age_days,
       CASE WHEN f.first_stock > f.history_start THEN '首次有库存'
            WHEN coalesce(m.created_at, st.erp_created) IS NOT NULL THEN '创建时间'
            ELSE '≥ 快照起点' END AS age_basis,
       CAST(st.on_hand * coalesce(m.cost_price, k.unit_cost) AS DECIMAL(18, 2)) AS stock_value,
       st.erp, st.snapshot_date
FROM stock st
LEFT JOIN sales sa ON sa.shop = st.shop AND sa.sku = st.sku
LEFT JOIN first_seen f ON f.shop = st.shop AND f.sku = st.sku
LEFT JOIN master m ON m.shop = st.shop AND m.sku = st.sku
LEFT JOIN costs k ON k.shop IN (st.shop, '*') AND k.sku = st.sku
"""


def _by_style(frame: pl.DataFrame) -> pl.DataFrame:
    known = {c: pl.when(pl.col(c).null_count() == 0).then(pl.col(c).sum()) for c in ("on_hand", "available")}
    return (
        frame.with_columns(style=pl.coalesce("style", "sku"))
        .group_by("shop", "style", maintain_order=True)
        .agg(
            pl.col("sku").n_unique().cast(pl.String).alias("sku"),
            pl.col("name").first(),
            pl.col("category").first(),
            pl.col("season").first(),
            *(expr.alias(c) for c, expr in known.items()),
            pl.col("in_transit").sum(),
            pl.col("sales_7d").sum(),
            pl.col("sales_30d").sum(),
            pl.col("age_days").max(),
            pl.col("age_basis").first(),
            pl.when(pl.col("stock_value").null_count() == 0)
            .then(pl.col("stock_value").sum())
            .alias("stock_value"),
            pl.col("erp").first(),
            pl.col("snapshot_date").first(),
        )
    )


def _classify(frame: pl.DataFrame, rules: StockRules) -> pl.DataFrame:
    basis = "sales_30d" if rules.cover_basis == 30 else "sales_7d"
    # A SKU on sale for fewer days than the basis sold over those days only: its daily rate is its
    # sales ÷ its days (库龄 + 1), or a launch of 3 days would look 10× slower than it is. Without
    # evidence of its start (≥ 快照起点) it had the whole window.
    window = (
        pl.when(pl.col("age_basis") == "≥ 快照起点")
        .then(pl.lit(rules.cover_basis))
        .otherwise(pl.min_horizontal(pl.lit(rules.cover_basis), (pl.col("age_days") + 1).clip(lower_bound=1)))
    )
    # available × days ÷ sales, not available ÷ (sales ÷ days): one rounding, so a cover of exactly
    # 30 days is 30.0 and falls in the band that holds 30.
    cover = pl.when(pl.col(basis) > 0).then(pl.col("available") * window / pl.col(basis))
    frame = frame.with_columns(days_of_cover=cover, sales_days=window)
    status: pl.Expr = (
        pl.when(pl.col("sales_30d") == 0)
        .then(pl.lit("零动销"))
        .when(pl.col("days_of_cover") > rules.slow_days)
        .then(pl.lit("滞销"))
        .when(pl.col("days_of_cover") > rules.low_days)
        .then(pl.lit("低周转"))
        .when(pl.col("days_of_cover") > rules.normal_days)
        .then(pl.lit("正常"))
        .when(pl.col("days_of_cover").is_not_null())
        .then(pl.lit("高周转"))
    )
    # 零动销 needs stock to sit on: a SKU with nothing on hand and no sales has no class.
    status = (
        pl.when((pl.col("sales_30d") == 0) & (pl.col("on_hand").fill_null(0) <= 0))
        .then(None)
        .otherwise(status)
    )
    return frame.with_columns(status=status).select(*STATUS_COLUMNS, "sales_days", "erp", "snapshot_date")


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema=dict.fromkeys((*STATUS_COLUMNS, "erp"), pl.String)
        | {"sales_days": pl.Int64, "snapshot_date": pl.Date}
    )


def rules_from(settings: Mapping[str, Any] | None) -> StockRules:
    return StockRules.from_settings(settings or {})
