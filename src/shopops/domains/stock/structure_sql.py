"""The SQL of `products structure` (``structure``): the SKUs of a period with their sales and costs,
a day's opening stock, and each SKU's first stock. Each reads sales through ``relations.SOLD``."""

from __future__ import annotations

from shopops.domains.stock.relations import SOLD

# The SKUs of the period per shop: sales, and 在售 (stock in a snapshot of the period or the last one
# before it) or, for 动销率 ``listed``, every product-master SKU created by the end.
PERIOD_SQL = f"""
WITH sold AS ({SOLD}),
costs AS (SELECT shop, sku, cost_from, cost_price FROM product_master WHERE cost_price IS NOT NULL),
daily AS (
    SELECT shop, sku, day, sum(units) AS units, sum(revenue) AS revenue FROM sold
    WHERE $shops IS NULL OR list_contains($shops, shop) GROUP BY shop, sku, day
), costed AS (  -- each day's cost: the shop's own version valid that day, else the every-shop one
    SELECT d.*, coalesce(o.cost_price, w.cost_price) AS cost
    FROM daily d
    ASOF LEFT JOIN costs o ON o.shop = d.shop AND o.sku = d.sku AND d.day >= o.cost_from
    ASOF LEFT JOIN (SELECT * FROM costs WHERE shop = '*') w ON w.sku = d.sku AND d.day >= w.cost_from
), sales AS (
    SELECT shop, sku, CAST(sum(units) AS BIGINT) AS units, CAST(sum(revenue) AS DECIMAL(18, 2)) AS gmv,
           CAST(CASE WHEN count(cost) FILTER (WHERE units <> 0) = count(*) FILTER (WHERE units <> 0)
                     THEN coalesce(sum(units * cost) FILTER (WHERE units <> 0), 0) END AS DECIMAL(18, 2)) AS cogs
    FROM costed GROUP BY shop, sku
), opening AS (
    SELECT shop, max(period_start) AS day FROM stock_snapshot WHERE period_start < $start GROUP BY shop
), stocked AS (
    SELECT DISTINCT s.shop, s.sku FROM stock_snapshot s LEFT JOIN opening o ON o.shop = s.shop
    WHERE s.on_hand > 0 AND (s.period_start BETWEEN $start AND $end OR s.period_start = o.day)
      AND ($shops IS NULL OR list_contains($shops, s.shop))
), listed AS (
    SELECT DISTINCT shop, sku FROM product_master
    WHERE $listed AND shop <> '*' AND (created_at IS NULL OR created_at <= $end)
      AND ($shops IS NULL OR list_contains($shops, shop))
), skus AS (
    SELECT shop, sku FROM sales WHERE units > 0
    UNION SELECT shop, sku FROM stocked WHERE NOT $listed
    UNION SELECT shop, sku FROM listed
)
SELECT k.shop, k.sku, coalesce(s.units, 0) AS units, coalesce(s.gmv, 0) AS gmv,
       CASE WHEN s.sku IS NULL THEN 0 ELSE s.cogs END AS cogs
FROM skus k LEFT JOIN sales s ON s.shop = k.shop AND s.sku = k.sku
WHERE NOT EXISTS (SELECT 1 FROM product_bom b WHERE b.shop = k.shop AND b.combo_sku = k.sku)
"""

# Per shop and SKU: 实际库存 and 可用 of the snapshot of ``$day`` (the ERP with more SKUs that day).
OPENING_SQL = """
WITH erps AS (
    SELECT shop, erp, row_number() OVER (PARTITION BY shop ORDER BY count(DISTINCT sku) DESC, erp) AS rank
    FROM stock_snapshot WHERE period_start = $day GROUP BY shop, erp
)
SELECT s.shop, s.sku, CAST(sum(s.on_hand) AS BIGINT) AS start_stock,
       CAST(sum(coalesce(s.available, s.on_hand)) AS BIGINT) AS start_available
FROM stock_snapshot s JOIN erps e ON e.shop = s.shop AND e.erp = s.erp AND e.rank = 1
WHERE s.period_start = $day GROUP BY s.shop, s.sku
"""

# Per SKU: the stock of its first snapshot with stock (summed over warehouses, the ERP with more SKUs
# that day) and its units sold from that day to the end.
FIRST_STOCK_SQL = f"""
WITH sold AS ({SOLD}),
firsts AS (
    SELECT shop, sku, min(period_start) AS day FROM stock_snapshot
    WHERE on_hand > 0 AND period_start <= $end GROUP BY shop, sku
), erps AS (
    SELECT shop, period_start AS day, erp, row_number() OVER (
        PARTITION BY shop, period_start ORDER BY count(DISTINCT sku) DESC, erp) AS rank
    FROM stock_snapshot GROUP BY shop, period_start, erp
), first_stock AS (
    SELECT f.shop, f.sku, f.day, CAST(sum(s.on_hand) AS BIGINT) AS first_stock
    FROM firsts f JOIN erps e ON e.shop = f.shop AND e.day = f.day AND e.rank = 1
    JOIN stock_snapshot s ON s.shop = f.shop AND s.sku = f.sku AND s.period_start = f.day AND s.erp = e.erp
    GROUP BY f.shop, f.sku, f.day
)
SELECT f.shop, f.sku, f.first_stock,
       CAST(coalesce(sum(d.units) FILTER (WHERE d.day >= f.day), 0) AS BIGINT) AS units_since
FROM first_stock f LEFT JOIN sold d ON d.shop = f.shop AND d.sku = f.sku
GROUP BY f.shop, f.sku, f.first_stock
"""
