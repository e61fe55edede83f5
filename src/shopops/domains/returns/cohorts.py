"""The payment-date cohorts the focus list and the returns findings count: read once from the warehouse
for a span of days, then cut into periods in memory (the findings judge a window ending on each day).

- ``lines``: paid order lines (``relations.LINES``) per shop, SKU and payment day;
- ``returns``: one row per counted case (``relations.CASES``) whose order was paid in the span: a
  return kind (:data:`relations.RETURN_KINDS`, or a kind the file does not say — 千牛's short export),
  succeeded (成功) or still open (处理中); closed or refused cases (关闭) are left out. A case that names
  no SKU takes its order's SKU when the order has one SKU only; its payment day is the case's own
  订单付款时间, else its order's. ``known`` is the day it was first known (申请时间, else 完结时间).
- ``attributes``: style, colour, size and name per shop and SKU (the shop's own product-master row,
  else the every-shop '*' row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from shopops.domains.returns.relations import ATTRIBUTES, CASES, LINES, RETURN_KINDS
from shopops.domains.returns.rules import ReturnRules

NO_REASON = "（未填原因）"


@dataclass(frozen=True)
class Cohorts:
    lines: pl.DataFrame  # shop, sku, day, lines, title
    returns: (
        pl.DataFrame
    )  # shop, sku, order_key, case_id, day, known, applied_at, amount, outcome, reason, reason_class
    attributes: pl.DataFrame  # shop, sku, style, color, size, name
    first: dt.date
    last: dt.date
    latest: dt.date | None  # the latest payment day of any paid line of the shops (not only the span's)
    unmatched: int  # counted cases of the span that name no SKU (their order has several, or is unknown)
    shops_without_lines: tuple[str, ...]  # shops with counted cases in the span and no order line at all


_LINES_SQL = f"""
WITH lines AS ({LINES})
SELECT shop, sku, CAST(paid_at AS DATE) AS day, count(*) AS lines, min(title) AS title
FROM lines
WHERE CAST(paid_at AS DATE) BETWEEN $first AND $last AND sku IS NOT NULL
  AND ($shops IS NULL OR list_contains($shops, shop))
GROUP BY ALL
"""

_LATEST_SQL = f"""
WITH lines AS ({LINES})
SELECT max(CAST(paid_at AS DATE)), list(DISTINCT shop) FROM lines
WHERE ($shops IS NULL OR list_contains($shops, shop))
"""


def _returns_sql(rules: ReturnRules) -> str:
    return f"""
WITH cases AS ({CASES}), lines AS ({LINES}), orders AS (
    SELECT shop, order_id, min(paid_at) AS paid_at,
           CASE WHEN count(DISTINCT sku) = 1 THEN min(sku) END AS only_sku
    FROM lines WHERE order_id IS NOT NULL GROUP BY ALL
), counted AS (
    SELECT c.shop, coalesce(c.sku, o.only_sku) AS sku, coalesce(c.order_id, c.case_id) AS order_key,
           c.case_id, CAST(coalesce(c.paid_at, o.paid_at) AS DATE) AS day,
           CAST(coalesce(c.applied_at, c.completed_at) AS DATE) AS known,
           coalesce(c.applied_at, c.completed_at) AS applied_at, c.amount, c.outcome,
           coalesce(c.reason, '{NO_REASON}') AS reason, {rules.class_sql("c.reason")} AS reason_class
    FROM cases c LEFT JOIN orders o ON o.shop = c.shop AND o.order_id = c.order_id
    WHERE (c.kind IS NULL OR list_contains($kinds, c.kind)) AND c.outcome <> '关闭'
      AND ($shops IS NULL OR list_contains($shops, c.shop))
)
SELECT * FROM counted WHERE day BETWEEN $first AND $last
"""


_ATTRIBUTES_SQL = f"SELECT * FROM ({ATTRIBUTES})"


def load_cohorts(
    con: duckdb.DuckDBPyConnection,
    first: dt.date,
    last: dt.date,
    shops: Sequence[str] | None,
    rules: ReturnRules,
) -> Cohorts:
    """The lines and counted cases of the orders paid from ``first`` to ``last`` (``shops`` None or
    empty: every shop)."""
    scope = {"first": first, "last": last, "shops": list(shops) if shops else None}
    lines = con.sql(_LINES_SQL, params=scope).pl()
    cases = con.sql(_returns_sql(rules), params={**scope, "kinds": list(RETURN_KINDS)}).pl()
    latest, line_shops = con.execute(_LATEST_SQL, {"shops": scope["shops"]}).fetchall()[0]
    line_shops = line_shops or []
    unmatched = cases.filter(pl.col("sku").is_null()).height
    cases = cases.filter(pl.col("sku").is_not_null())
    without = sorted(set(cases["shop"].unique().to_list()) - set(line_shops))
    keys = pl.concat([lines.select("shop", "sku"), cases.select("shop", "sku")]).unique()
    return Cohorts(
        lines=lines,
        returns=cases,
        attributes=_attributes(con.sql(_ATTRIBUTES_SQL).pl(), keys),
        first=first,
        last=last,
        latest=latest,
        unmatched=unmatched,
        shops_without_lines=tuple(without),
    )


def _attributes(master: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """Per (shop, sku) of ``keys``: each attribute from the shop's own row, else the '*' row."""
    names = ("style", "color", "size", "name")
    own = master.filter(pl.col("shop") != "*").select("shop", "sku", *names)
    every = master.filter(pl.col("shop") == "*").select("sku", *(pl.col(n).alias(f"{n}_all") for n in names))
    joined = keys.join(own, on=["shop", "sku"], how="left").join(every, on="sku", how="left")
    return joined.select("shop", "sku", *(pl.coalesce(pl.col(n), pl.col(f"{n}_all")).alias(n) for n in names))
