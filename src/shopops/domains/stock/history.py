"""One item's days: its stock (实际库存, 可用) from the snapshots and its units sold, for the 商品 page's chart.

An item is a SKU or a style (all its SKUs) of one shop. Per day:

- **stock**: the snapshot of that day summed over warehouses; on a day two ERPs exported, the one
  with more SKUs (the rule of ``status``: never added). A day without a snapshot has no stock (a gap
  in the line, not 0); a day whose snapshot does not hold the item has 0 (the ERP lists it no more).
- **sold**: units sold (relations.SOLD: paid lines by payment day, 组合商品 exploded by the BOM).
  Unknown (None) on a day no imported order-line export of the shop covers; 0 on a covered day
  without a sale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import duckdb

from shopops.domains.stock.relations import SOLD, SOLD_TABLES

HISTORY_DAYS = 90  # the window ending on the status day


@dataclass(frozen=True)
class ItemHistory:
    shop: str
    item: str  # the SKU or the style
    by: Literal["sku", "style"]
    dates: list[dt.date]
    on_hand: list[int | None]
    available: list[int | None]
    sold: list[int | None]
    erps: dict[dt.date, str]  # the ERP each day's stock came from


def item_history(
    con: duckdb.DuckDBPyConnection,
    shop: str,
    item: str,
    end: dt.date,
    *,
    by: Literal["sku", "style"] = "sku",
    days: int = HISTORY_DAYS,
) -> ItemHistory | None:
    """The item's last ``days`` days to ``end`` (from its first known day); None: nothing known."""
    start = end - dt.timedelta(days=days - 1)
    params = {"shop": shop, "item": item, "start": start, "end": end, "by": by}
    stock = con.execute(_STOCK_SQL, params).fetchall()
    sold = {
        r[0]: int(r[1])
        for r in con.execute(
            f"WITH sold AS ({SOLD}), skus AS ({_SKUS}) SELECT day, sum(units) FROM sold"
            " WHERE shop = $shop AND sku IN (SELECT sku FROM skus) GROUP BY day",
            {"shop": shop, "item": item, "by": by, "sold_start": start, "sold_end": end},
        ).fetchall()
    }
    covered = [
        (max(r[0], start), min(r[1], end))
        for r in con.execute(_COVERED_SQL, {"shop": shop, "tables": list(SOLD_TABLES)}).fetchall()
        if r[0] <= end and r[1] >= start
    ]
    by_day = {r[0]: r for r in stock}
    known = [d for d, *_ in stock] + [first for first, _ in covered]
    if not known or (not sold and not any(r[4] for r in stock)):
        return None  # the item is in no snapshot and sold nothing: not an item of this shop
    first = min(known)
    dates = [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]
    return ItemHistory(
        shop=shop,
        item=item,
        by=by,
        dates=dates,
        on_hand=[_count(by_day[d][1]) if d in by_day else None for d in dates],
        available=[_count(by_day[d][2]) if d in by_day else None for d in dates],
        sold=[sold.get(d, 0) if any(a <= d <= b for a, b in covered) else sold.get(d) for d in dates],
        erps={d: str(r[3]) for d, r in by_day.items()},
    )


def _count(value: object) -> int | None:
    return None if value is None else int(str(value))


# The item's SKUs: the SKU itself, or every SKU of the style in the snapshots or the product master.
_SKUS = """
SELECT $item AS sku WHERE $by = 'sku'
UNION SELECT sku FROM stock_snapshot WHERE $by = 'style' AND shop = $shop AND style = $item
UNION SELECT sku FROM product_master WHERE $by = 'style' AND shop = $shop AND style = $item
"""

_STOCK_SQL = f"""
WITH skus AS ({_SKUS}), erps AS (  -- per day, the ERP with more SKUs (ties: by name), as status does
    SELECT period_start AS day, erp, row_number() OVER (
        PARTITION BY period_start ORDER BY count(DISTINCT sku) DESC, erp) AS rank
    FROM stock_snapshot WHERE shop = $shop AND period_start BETWEEN $start AND $end
    GROUP BY period_start, erp
)
SELECT e.day,
       CAST(CASE WHEN count(s.sku) = 0 THEN 0 WHEN count(s.on_hand) = count(s.sku) THEN sum(s.on_hand) END
            AS BIGINT) AS on_hand,
       CAST(CASE WHEN count(s.sku) = 0 THEN 0 WHEN count(s.available) = count(s.sku) THEN sum(s.available) END
            AS BIGINT) AS available,
       e.erp, count(s.sku) AS rows
FROM erps e
LEFT JOIN stock_snapshot s ON s.shop = $shop AND s.erp = e.erp AND s.period_start = e.day
     AND s.sku IN (SELECT sku FROM skus)
WHERE e.rank = 1
GROUP BY e.day, e.erp ORDER BY e.day
"""

# The days the shop's imported order-line exports cover (a day inside one is known, sale or not).
_COVERED_SQL = """
SELECT date_min, date_max FROM imports
WHERE list_contains($tables, target_table) AND date_min IS NOT NULL
  AND list_contains(string_split(shops, ','), $shop)
"""
