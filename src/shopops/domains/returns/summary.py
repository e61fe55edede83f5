"""The returns summary (`shopops returns summary`): refunds and returns per shop and a 合计, by kind
(仅退款, 退货退款, 换货, 未注明) and by shipment (发货前, 发货后, 未知), with the return rate on both
bases, each named (DESIGN §8; research §4.2):

- **按完结日** (what the money did): the successful cases whose money went back in [start, end] ÷
  支付金额 of [start, end]. The amounts and rates are the catalog's (section 退货, ``metrics.yaml``:
  售后退款率(按完结日), 发货后退款率, 品退率), summed over the days from the 总表 and recomputed from
  the sums; 支付金额 and 支付订单数 are the 总表's own (its source precedence). For a 千牛 shop whose
  成功退款金额 comes from 退款管理 this is the 总表's 退款率.
- **按支付日** (the cohort's true rate): the orders paid in [start, end] — 支付金额 and 支付订单数 of
  those days, again the 总表's — and their successful cases whenever completed: 退款金额 ÷ 支付金额,
  退款订单 (distinct orders with a successful 仅退款/退货退款/未注明 case; an exchange gives no money
  back) ÷ 支付订单数. Buyers ask for refunds for days after payment (receipt, 七天无理由), so the
  cohort's rate is provisional (暂估) while ``end`` is within ``rules.provisional_days`` of the shop's
  latest data day; it keeps moving until ``end + provisional_days``.

发货后退款率 = 发货后退款金额 ÷ 支付金额: research §4.2's 发货后退款额 ÷ (有效销售额 + 退款成功额),
whose denominator is 支付金额 when 有效销售额 = 支付金额 − 成功退款金额 (our 净销售额); written so it
stays known where 成功退款金额 is not. Unknown when a successful case of the period cannot be said to
be before or after shipment ("—", never 0).

Counts of successful cases by kind and shipment are by 完结日 (those the rate adds up); 处理中 and
关闭 cases by 申请日. Cases of kind 价保, 补寄 or 取消 (抖店) are not returns: counted apart and named
in a note. Shops that never imported a 退款管理 or 售后表 file are left out (their refunds are
unknown, not 0) and named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import polars as pl

from shopops.domains import domains
from shopops.domains.returns.providers import store_rules
from shopops.domains.returns.relations import CASES, RETURN_KINDS
from shopops.domains.returns.rules import ReturnRules
from shopops.metrics.catalog import load_catalog
from shopops.metrics.compile import metric_sql
from shopops.metrics.master import master_table
from shopops.metrics.totals import TOTAL_SHOP

CASE_TABLES = ("refunds", "after_sales")
KINDS = {"refund_only": "仅退款", "return_refund": "退货退款", "exchange": "换货", "unstated": None}
SHIPMENTS = {"before_shipment": "发货前", "after_shipment": "发货后", "unknown_shipment": None}
# The catalog's 退货 figures (by 完结日) the summary shows, and the 总表's denominators.
ADDITIVE = (
    "gmv",
    "paid_orders",
    "after_sale_refund_amount",
    "after_shipment_refund_amount",
    "product_refund_amount",
)
RATES = ("after_sale_refund_rate", "after_shipment_refund_rate", "product_refund_rate")
FROM_CATALOG = ("gmv", "paid_orders", "product_amount")

SUMMARY_COLUMNS = [
    "shop", "platform",
    "success_cases", "success_amount",
    *(f"{k}_{m}" for k in KINDS for m in ("cases", "amount")),
    *(f"{k}_{m}" for k in SHIPMENTS for m in ("cases", "amount")),
    "open_cases", "open_amount", "closed_cases", "not_return_cases",
    "gmv", "paid_orders",
    "refund_rate_completed", "after_shipment_rate", "product_amount", "product_rate",
    "cohort_amount", "cohort_orders", "refund_rate_cohort", "order_refund_rate_cohort", "cohort_unplaced",
    "as_of", "provisional", "stable_on",
]  # fmt: skip

BASIS_NOTES = (
    "按完结日 = 期内完结的成功退款金额 ÷ 期内支付金额（这段时间的钱退了多少；千牛店铺即总表的退款率）",
    "按支付日 = 期内付款订单的成功退款金额（无论何时完结）÷ 这些订单的支付金额；退款订单率 = 有成功退款"
    "（仅退款/退货退款/未注明）的订单数 ÷ 支付订单数（这批订单真正的退款率，付款后约两周内仍会上升）",
    "发货后退款率 = 发货后退款金额 ÷ 支付金额（即 发货后退款额 ÷ (有效销售额 + 退款成功额)），按完结日；"
    "品退率 = 品退金额 ÷ 支付金额，按完结日（品退大类：returns.product_classes）",
)


@dataclass(frozen=True)
class ReturnsSummary:
    frame: pl.DataFrame  # SUMMARY_COLUMNS, one row per shop with a refund/售后 import, then 合计
    notes: list[str]
    start: dt.date
    end: dt.date


def case_shops(con: duckdb.DuckDBPyConnection, shops: Sequence[str] | None = None) -> list[str]:
    """The registered shops that imported a 千牛 退款管理 or 抖店 售后表 file (of ``shops``)."""
    rows = con.execute(
        "SELECT DISTINCT s.name FROM shops s JOIN imports i ON list_contains(string_split(i.shops, ','), s.name)"
        " WHERE list_contains(?, i.target_table) ORDER BY 1",
        [list(CASE_TABLES)],
    ).fetchall()
    found = [row[0] for row in rows]
    return [s for s in found if s in shops] if shops else found


def returns_summary(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None,
    rules: ReturnRules,
) -> ReturnsSummary:
    """Per shop (those with a 退款/售后 import among ``shops``; None: all) and 合计: see the module."""
    chosen = case_shops(con, shops)
    notes = list(BASIS_NOTES)
    missing = [s for s in (shops or _registered(con)) if s not in chosen]
    if missing:
        notes.append(f"未导入退款/售后表，未列出（退款未知，不是 0）：{'、'.join(missing)}")
    if not chosen:
        return ReturnsSummary(pl.DataFrame(schema=_schema()), notes, start, end)
    store_rules(con, rules)
    cases = _case_figures(con, start, end, chosen)
    covered = _covered(con, start, end, chosen)
    catalog = _catalog_figures(con, start, end, chosen)
    as_of = _as_of(con, chosen)
    rows = []
    for shop, platform in _platforms(con, chosen):
        row: dict[str, object] = {"shop": shop, "platform": platform}
        row |= cases.get(shop, _zero_cases()) if shop in covered else dict.fromkeys(_zero_cases())
        _unknown_splits(row)
        row |= _rates(catalog[shop], row)
        latest = as_of.get(shop)
        row["as_of"] = latest
        row["stable_on"] = end + dt.timedelta(days=rules.provisional_days)
        row["provisional"] = latest is None or latest < row["stable_on"]  # type: ignore[operator]
        rows.append(row)
    total: dict[str, object] = {"shop": TOTAL_SHOP, "platform": None}
    for key in SUMMARY_COLUMNS[2:]:
        if key.endswith(("_cases", "_amount", "_orders", "_unplaced")) and key not in FROM_CATALOG:
            parts = [row[key] for row in rows]
            total[key] = None if None in parts else sum(parts)  # type: ignore[arg-type]
    total |= _rates(catalog[TOTAL_SHOP], total)
    known_as_of = [row["as_of"] for row in rows if row["as_of"] is not None]
    total["as_of"] = min(known_as_of) if len(known_as_of) == len(rows) else None  # type: ignore[type-var]
    total["stable_on"] = end + dt.timedelta(days=rules.provisional_days)
    total["provisional"] = any(row["provisional"] for row in rows)
    frame = _frame([*rows, total])
    notes += _notes(rows, start, end, rules)
    return ReturnsSummary(frame, notes, start, end)


def _unknown_splits(row: dict[str, object]) -> None:
    """A split that some successful case cannot be put in is unknown ("—"), as in the 总表: 仅退款 0
    beside 55 refunds of no stated kind would read as "none were 仅退款". The 未注明 / 发货未知
    columns keep the counts."""
    for unknown, parts in (("unstated", KINDS), ("unknown_shipment", SHIPMENTS)):
        if row.get(f"{unknown}_cases"):
            for key in parts:
                if key != unknown:
                    row[f"{key}_cases"] = row[f"{key}_amount"] = None


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame([{k: row.get(k) for k in SUMMARY_COLUMNS} for row in rows], schema=_schema())


def _schema() -> dict[str, pl.DataType]:
    money = pl.Decimal(18, 2)
    types: dict[str, pl.DataType] = {}
    for key in SUMMARY_COLUMNS:
        if key in ("shop", "platform"):
            types[key] = pl.String()
        elif key in ("as_of", "stable_on"):
            types[key] = pl.Date()
        elif key == "provisional":
            types[key] = pl.Boolean()
        elif key.endswith("amount") or key == "gmv":
            types[key] = money
        elif "rate" in key:
            types[key] = pl.Float64()
        else:
            types[key] = pl.Int64()
    return types


def _registered(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()]


def _platforms(con: duckdb.DuckDBPyConnection, shops: list[str]) -> list[tuple[str, str]]:
    rows = con.execute("SELECT name, platform FROM shops WHERE list_contains(?, name) ORDER BY name", [shops])
    return [(row[0], row[1]) for row in rows.fetchall()]


def _zero_cases() -> dict[str, object]:
    counted = (k for k in SUMMARY_COLUMNS if k.endswith(("_cases", "_amount", "_orders", "_unplaced")))
    return {k: (Decimal("0.00") if k.endswith("amount") else 0) for k in counted if k not in FROM_CATALOG}


def _case_figures(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: list[str]
) -> dict[str, dict[str, object]]:
    """The case counts and amounts per shop, straight from the cases (see the module for the dates)."""
    kinds = ", ".join(f"'{k}'" for k in RETURN_KINDS)
    splits = []
    for prefix, kind in KINDS.items():
        test = "kind IS NULL" if kind is None else f"kind = '{kind}'"
        splits.append(_pair(prefix, f"done AND {test}"))
    for prefix, shipped in SHIPMENTS.items():
        test = "shipped IS NULL" if shipped is None else f"shipped = '{shipped}'"
        splits.append(_pair(prefix, f"done AND {test}"))
    refund_kinds = "(kind IS NULL OR kind IN ('仅退款', '退货退款'))"
    sql = f"""
WITH cases AS ({CASES}),
marked AS (
    SELECT *, (kind IS NULL OR kind IN ({kinds})) AS is_return,
           CAST(coalesce(applied_at, completed_at) AS DATE) AS applied_day,
           CAST(paid_at AS DATE) AS paid_day
    FROM cases WHERE list_contains($shops, shop)
),
flagged AS (
    SELECT *, is_return AND outcome = '成功' AND CAST(completed_at AS DATE) BETWEEN $start AND $end AS done,
           is_return AND outcome = '成功' AND paid_day BETWEEN $start AND $end AS cohort
    FROM marked
)
SELECT shop,
       {_pair("success", "done")},
       {", ".join(splits)},
       {_pair("open", "is_return AND outcome = '处理中' AND applied_day BETWEEN $start AND $end")},
       count(*) FILTER (WHERE is_return AND outcome = '关闭' AND applied_day BETWEEN $start AND $end) AS closed_cases,
       count(*) FILTER (WHERE NOT is_return AND applied_day BETWEEN $start AND $end) AS not_return_cases,
       coalesce(sum(amount) FILTER (WHERE cohort), 0) AS cohort_amount,
       count(DISTINCT order_id) FILTER (WHERE cohort AND {refund_kinds}) AS cohort_orders,
       count(*) FILTER (WHERE is_return AND outcome = '成功' AND paid_day IS NULL
                        AND CAST(completed_at AS DATE) BETWEEN $start AND $end) AS cohort_unplaced,
       string_agg(DISTINCT kind, '、' ORDER BY kind) FILTER (WHERE NOT is_return AND applied_day BETWEEN $start AND $end)
           AS not_return_kinds
FROM flagged GROUP BY shop"""
    frame = con.sql(sql, params={"shops": shops, "start": start, "end": end}).pl()
    return {row.pop("shop"): row for row in frame.to_dicts()}


def _pair(prefix: str, test: str) -> str:
    return (
        f"count(*) FILTER (WHERE {test}) AS {prefix}_cases,"
        f" coalesce(sum(amount) FILTER (WHERE {test}), 0) AS {prefix}_amount"
    )


def _catalog_figures(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: list[str]
) -> dict[str, dict[str, object]]:
    """The 总表's 支付金额, 支付订单数 and the 退货 catalog figures over [start, end], per shop and 合计:
    sums of the days (unknown if a day is), the rates by the catalog's formulas from the sums."""
    catalog = load_catalog()
    days = master_table(con, start, end, shops=shops, grain="day").select("shop", *ADDITIVE)
    sums = [pl.when(pl.col(k).null_count() == 0).then(pl.col(k).sum()).alias(k) for k in ADDITIVE]
    per_shop = days.group_by("shop").agg(sums)
    total = per_shop.select(sums).with_columns(shop=pl.lit(TOTAL_SHOP))
    both = pl.concat([per_shop, total.select(per_shop.columns)])
    columns = {key: f'"{key}"' for key in ADDITIVE}
    rates = ", ".join(f'{metric_sql(catalog.metric(k), catalog, columns)} AS "{k}"' for k in RATES)
    result = _rates_sql(both, rates)
    return {row["shop"]: row for row in result.to_dicts()}


def _rates_sql(frame: pl.DataFrame, rates: str) -> pl.DataFrame:
    scratch = duckdb.connect()
    try:
        scratch.register("period_sums", frame.to_arrow())
        result: pl.DataFrame = scratch.sql(f"SELECT *, {rates} FROM period_sums").pl()
        return result
    finally:
        scratch.close()


def _rates(catalog: dict[str, object], row: dict[str, object]) -> dict[str, object]:
    gmv, orders = catalog["gmv"], catalog["paid_orders"]
    cohort_amount, cohort_orders = row["cohort_amount"], row["cohort_orders"]
    return {
        "gmv": gmv,
        "paid_orders": orders,
        "refund_rate_completed": catalog["after_sale_refund_rate"],
        "after_shipment_rate": catalog["after_shipment_refund_rate"],
        "product_amount": catalog["product_refund_amount"],
        "product_rate": catalog["product_refund_rate"],
        "refund_rate_cohort": _ratio(cohort_amount, gmv),
        "order_refund_rate_cohort": _ratio(cohort_orders, orders),
    }


def _ratio(part: object, whole: object) -> float | None:
    if part is None or whole is None or not whole:
        return None
    return float(Decimal(str(part)) / Decimal(str(whole)))


def _covered(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: list[str]) -> set[str]:
    """The shops whose 退款/售后 imports reach into [start, end]: outside them a shop's cases are
    unknown (its export was for other days), not none."""
    rows = con.execute(
        """
SELECT DISTINCT s.shop FROM imports i, unnest($shops) s(shop)
WHERE list_contains(string_split(i.shops, ','), s.shop) AND list_contains($tables, i.target_table)
  AND i.date_min <= $end AND i.date_max >= $start""",
        {"shops": shops, "tables": list(CASE_TABLES), "start": start, "end": end},
    ).fetchall()
    return {row[0] for row in rows}


def _as_of(con: duckdb.DuckDBPyConnection, shops: list[str]) -> dict[str, dt.date]:
    """The shop's latest data day: the last day any of its dated imports covers."""
    undated = [t for d in domains() for t in d.undated_tables]
    rows = con.execute(
        """
SELECT s.shop, max(i.date_max) FROM imports i, unnest($shops) s(shop)
WHERE list_contains(string_split(i.shops, ','), s.shop) AND i.date_max IS NOT NULL
  AND i.source_key NOT IN ('sku_cost', 'product_master', 'targets') AND NOT list_contains($undated, i.target_table)
GROUP BY 1""",
        {"shops": shops, "undated": undated},
    ).fetchall()
    return {row[0]: row[1] for row in rows}


def _notes(rows: list[dict[str, object]], start: dt.date, end: dt.date, rules: ReturnRules) -> list[str]:
    notes = []
    moving = [row for row in rows if row["provisional"]]
    if moving:
        stable = moving[0]["stable_on"]
        shops = "、".join(f"{row['shop']}（数据截至 {row['as_of'] or '—'}）" for row in moving)
        notes.append(
            f"暂估：按支付日的退款率 {shops} 到 {stable} 前仍会变——{end} 付款的订单付款后 "
            f"{rules.provisional_days} 天内仍可能退款（returns.provisional_days）；届时重新导入退款/售后表即更新"
        )
    for row in rows:
        if row["success_cases"] is None:
            notes.append(
                f"{row['shop']}：退款/售后表不覆盖 {start} ~ {end}（导出的日期范围之外），件数、金额与退款率未知"
            )
        elif row["gmv"] is None:
            notes.append(
                f"{row['shop']}：期内有日期没有订单/生意参谋数据，支付金额未知，两种退款率为 —（导入这些日期的订单报表）"
            )
        elif row["refund_rate_completed"] is None:
            notes.append(
                f"{row['shop']}：退款/售后表没有覆盖整个期间（导出的日期范围之外的日期未知），按完结日的退款率为 —"
            )
        if row["not_return_cases"]:
            notes.append(
                f"{row['shop']}：{row['not_return_cases']} 个售后单为 {row.get('not_return_kinds') or '价保/补寄/取消'}，"
                "不是退货，不计入件数、金额与退款率"
            )
        if row["unknown_shipment_cases"]:
            notes.append(
                f"{row['shop']}：{row['unknown_shipment_cases']} 个成功退款不知是否已发货（导出没有货物状态/发货物流信息），"
                "发货后退款率为 —"
            )
        if row["unstated_cases"]:
            notes.append(
                f"{row['shop']}：{row['unstated_cases']} 个成功退款的导出未注明售后类型（计为 未注明）"
            )
        if row["cohort_unplaced"]:
            notes.append(
                f"{row['shop']}：{row['cohort_unplaced']} 个成功退款找不到订单付款时间，未计入按支付日"
                "（导入含订单付款时间的退款管理，或同期的订单报表）"
            )
    return notes
