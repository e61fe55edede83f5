"""The two relations every stock analysis reads: what sold (per SKU and day) and what each SKU is.

Written once so that status, alerts, structure, launches and clearance count a sale the same way:

- ``SOLD``: paid order lines (千牛 宝贝报表) by payment day — sales are dated by payment (DESIGN §8) —
  with a 组合商品's line exploded into its components by the BOM (组合商品编码 → 商品编码 × 数量). The
  line's paid amount is shared among the components by cost (数量 × 子商品成本价 ÷ 组合成本价, research
  §2.1) when every component has a cost, else by quantity. Columns: shop, sku, day, units, revenue.
  Parameters: ``$sold_start``, ``$sold_end`` (inclusive days).
- ``PRODUCTS``: one row per shop and SKU from the product master — attributes (style, name, category,
  season, year, created_at, list_price) and the cost. Parameter: ``$as_of`` (the day costs are valid on).

Both are SQL text to put in a ``WITH`` clause (``WITH sold AS ({SOLD}) …``); DuckDB plans them with
the query around them, so a caller that filters by shop or day loses nothing by sharing them.
"""

from __future__ import annotations

PRODUCTS = """
SELECT shop, sku, any_value(style) AS style, any_value(name) AS name, any_value(category) AS category,
       any_value(season) AS season, any_value(year) AS year, min(created_at) AS created_at,
       any_value(list_price) AS list_price, any_value(cost_price) AS cost_price
FROM product_master GROUP BY shop, sku
"""

SOLD = """
WITH combo_parts AS (
    SELECT b.shop, b.combo_sku, b.sku, b.quantity,
           b.quantity * p.cost_price AS part_cost, p.cost_price IS NULL AS no_cost
    FROM product_bom b LEFT JOIN (
        SELECT shop, sku, any_value(cost_price) AS cost_price FROM product_master GROUP BY shop, sku
    ) p ON p.shop = b.shop AND p.sku = b.sku
), combo_shares AS (
    SELECT shop, combo_sku, sku, quantity,
           CASE WHEN bool_or(no_cost) OVER combo OR sum(part_cost) OVER combo = 0
                THEN quantity / sum(quantity) OVER combo
                ELSE part_cost / sum(part_cost) OVER combo END AS share
    FROM combo_parts WINDOW combo AS (PARTITION BY shop, combo_sku)
)
SELECT l.shop, coalesce(c.sku, l.sku_code) AS sku, CAST(l.paid_at AS DATE) AS day,
       l.quantity * coalesce(c.quantity, 1) AS units,
       CAST(l.paid_amount * coalesce(c.share, 1) AS DECIMAL(18, 2)) AS revenue
FROM order_lines l LEFT JOIN combo_shares c ON c.shop = l.shop AND c.combo_sku = l.sku_code
WHERE l.paid_at IS NOT NULL AND CAST(l.paid_at AS DATE) BETWEEN $sold_start AND $sold_end
"""
