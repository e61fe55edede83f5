"""The relations every stock analysis reads: what sold (per SKU and day), what each SKU is, what moved.

Written once so that status, alerts, structure, launches and clearance count a sale the same way:

- ``SOLD``: units and revenue sold per shop, SKU and day. Precedence, per shop and day (never both):

  1. **ERP sales** (``erp_sales``: 聚水潭 销售/多维度 or 销售明细) when that table holds a row of the shop
     for the day dated by payment (``date_basis`` 付款; else 未注明, a 多维度 file whose name does not
     say 付款时间 or 发货时间; rows by 发货/下单 are never read here): units = 销售数量, revenue =
     销售金额 (a report exported without them: 实发数量 / 实发金额). 销售数量, not 实发数量: it counts a
     sale when it is paid, as the order lines below and 生意参谋 do (DESIGN §4), whereas 实发数量 waits
     for shipping and leaves out what is paid but not yet shipped — units that 可用库存 has already
     taken out of stock (订单占有), so counting them as demand is what 可售天数 needs.
  2. else **paid order lines** (千牛 宝贝报表) by payment day.

  Either way a 组合商品 is exploded into its components by the BOM (组合商品编码 → 商品编码 × 数量); its
  revenue is shared among them by cost (数量 × 子商品成本价 ÷ 组合成本价, research §2.1; each
  component's 商品资料 cost on ``$sold_end``, the shop's own row else the every-shop '*' row) when every
  component has a cost, else by quantity.
  Columns: shop, sku, day, units, revenue, ``returned_units`` (ERP days: 实退数量, the units received
  back, else 退货数量; order-line days: null — unknown, not 0) and ``source`` ('erp_sales' or
  'order_lines', the same for every row of a shop-day). Rows are not summed: sum them per key.
  Parameters: ``$sold_start``, ``$sold_end`` (inclusive days). ``SOLD_TABLES`` names the two tables,
  for whoever needs the days an import covers (``imports.target_table``).
- ``PRODUCTS``: one row per shop and SKU from the product master (组合商品 left out) — attributes
  (style, name, category, season, year, created_at, list_price, item_id), each from the SKU's latest
  version that states it,
  and the cost valid on ``$as_of`` (the version with the latest 成本生效日期 on or before it that has a
  成本价). Shop '*' rows (every shop) stay rows of shop '*': use them where a shop's own cost is null.
  Parameter: ``$as_of`` (the day costs are valid on).
- ``MOVEMENTS``: an ERP 进销存 (eFAST, ``stock_movement``) per shop, ERP, SKU and period, summed over
  warehouses (移入/移出 between them cancel out and are left out): the stock at the period's start and
  end, and what moved in between, for 库存周转 and 售罄率 where daily snapshots are missing. Columns:

  - ``period_start``, ``period_end``: the report's 业务日期 (from the file's name);
  - ``opening`` (期初库存: before ``period_start``), ``closing`` (期末库存: after ``period_end``);
  - ``received`` = 采购入库数 − 采购退货数 (the 期内入库 of 售罄率 "received", research §2.2 (1));
  - ``sold`` = 零售发货数 + 批发销货数 (units shipped: dated by shipping, not payment — not SOLD);
  - ``returned`` = 零售退货数 + 批发退货数; ``adjustment`` = 调整数 (signed);
  - ``inbound`` / ``outbound`` = 入库总数 / 出库总数 as eFAST totals them;
  - ``opening_value`` / ``closing_value`` = 期初金额 / 期末金额: quantity × the report's 价格, which is
    吊牌价, 成本价 or 进货价 as the user chose when exporting (the file does not say which); for a cost
    basis multiply ``opening`` / ``closing`` by the product master's cost instead.

  Movement figures are read by size (some eFAST versions write outbound figures negative). A figure
  is null when any warehouse row of it is unknown (never a partial sum). Periods are kept as imported:
  overlapping ones are separate rows and a period cannot be cut. To take 期初/期末 for a window
  [S, E] without snapshots: ``opening`` of the row with ``period_start = S``, ``closing`` of the row
  with ``period_end = E``, and received/sold of the row whose period is exactly [S, E]. No parameters.

All are SQL text to put in a ``WITH`` clause (``WITH sold AS ({SOLD}) …``); DuckDB plans them with
the query around them, so a caller that filters by shop or day loses nothing by sharing them.
"""

from __future__ import annotations

# A product_master row is a version of a SKU from cost_from (成本生效日期) on (migration 011): each
# attribute is the latest version's that states it; the cost is the latest one valid on $as_of (a
# version without 成本价 is skipped), as the profit providers take it. Rows stay per stored shop:
# '*' (every shop) is a shop of its own here, and a caller falls back to it for a shop's missing cost.
PRODUCTS = """
SELECT shop, sku, arg_max(style, cost_from) AS style, arg_max(name, cost_from) AS name,
       arg_max(category, cost_from) AS category, arg_max(season, cost_from) AS season,
       arg_max(year, cost_from) AS year, arg_max(created_at, cost_from) AS created_at,
       arg_max(list_price, cost_from) AS list_price, arg_max(item_id, cost_from) AS item_id,
       arg_max(cost_price, cost_from) FILTER (WHERE cost_from <= $as_of) AS cost_price
FROM product_master p
-- A 组合商品 listed in the 商品资料 (ERPs do, with its own 成本价 for the 总表's cost) is no SKU of
-- the assortment: its sales are its components' (SOLD), it has no stock of its own.
WHERE NOT EXISTS (SELECT 1 FROM product_bom b WHERE b.combo_sku = p.sku AND b.shop IN (p.shop, '*'))
GROUP BY shop, sku
"""

SOLD_TABLES = ("erp_sales", "order_lines")  # where SOLD reads sales, by precedence

SOLD = """
WITH bom_costs AS (  -- each component's cost on $sold_end: the shop's own row, else every shop's ('*')
    SELECT b.shop, b.sku,
           (SELECT p.cost_price FROM product_master p
             WHERE p.sku = b.sku AND p.shop IN (b.shop, '*') AND p.cost_from <= $sold_end
               AND p.cost_price IS NOT NULL
             ORDER BY p.shop = '*', p.cost_from DESC LIMIT 1) AS cost_price
    FROM (SELECT DISTINCT shop, sku FROM product_bom) b
), combo_parts AS (
    SELECT b.shop, b.combo_sku, b.sku, b.quantity,
           b.quantity * p.cost_price AS part_cost, p.cost_price IS NULL AS no_cost
    FROM product_bom b LEFT JOIN bom_costs p ON p.shop = b.shop AND p.sku = b.sku
), combo_shares AS (
    SELECT shop, combo_sku, sku, quantity,
           CASE WHEN bool_or(no_cost) OVER combo OR sum(part_cost) OVER combo = 0
                THEN quantity / sum(quantity) OVER combo
                ELSE part_cost / sum(part_cost) OVER combo END AS share
    FROM combo_parts WINDOW combo AS (PARTITION BY shop, combo_sku)
), erp AS (  -- 1. the ERP's sales by payment, on every shop-day it has such a row: 付款, else 未注明
    SELECT shop, sku, day, coalesce(sold_units, shipped_units) AS units,
           coalesce(sales_amount, shipped_amount) AS revenue,
           coalesce(returned_units, return_units) AS returned_units
    FROM erp_sales WHERE day BETWEEN $sold_start AND $sold_end AND date_basis IN ('付款', '未注明')
    QUALIFY (date_basis = '付款') = max(date_basis = '付款') OVER (PARTITION BY shop, day)
), sales AS (
    SELECT *, 'erp_sales' AS source FROM erp
    UNION ALL  -- 2. paid order lines, on the other shop-days
    SELECT l.shop, l.sku_code, CAST(l.paid_at AS DATE), l.quantity, l.paid_amount,
           CAST(NULL AS BIGINT), 'order_lines'
    FROM order_lines l
    WHERE l.paid_at IS NOT NULL AND CAST(l.paid_at AS DATE) BETWEEN $sold_start AND $sold_end
      AND NOT EXISTS (SELECT 1 FROM erp e WHERE e.shop = l.shop AND e.day = CAST(l.paid_at AS DATE))
)
SELECT s.shop, coalesce(c.sku, s.sku) AS sku, s.day,
       s.units * coalesce(c.quantity, 1) AS units,
       CAST(s.revenue * coalesce(c.share, 1) AS DECIMAL(18, 2)) AS revenue,
       s.returned_units * coalesce(c.quantity, 1) AS returned_units, s.source
FROM sales s LEFT JOIN combo_shares c ON c.shop = s.shop AND c.combo_sku = s.sku
"""


def _known_sum(expression: str, *columns: str) -> str:
    """SQL: the sum of ``expression`` over a group, null when any row lacks one of ``columns``."""
    known = " AND ".join(f"count({c}) = count(*)" for c in columns)
    return f"CASE WHEN {known} THEN sum({expression}) END"


MOVEMENTS = f"""
SELECT shop, erp, sku, any_value(style) AS style, period_start, period_end,
       CAST({_known_sum("opening", "opening")} AS BIGINT) AS opening,
       CAST({_known_sum("closing", "closing")} AS BIGINT) AS closing,
       CAST({_known_sum("abs(purchase_in) - abs(purchase_return)", "purchase_in", "purchase_return")}
            AS BIGINT) AS received,
       CAST({_known_sum("abs(retail_out) + abs(wholesale_out)", "retail_out", "wholesale_out")}
            AS BIGINT) AS sold,
       CAST({_known_sum("abs(retail_return) + abs(wholesale_return)", "retail_return", "wholesale_return")}
            AS BIGINT) AS returned,
       CAST({_known_sum("adjustment", "adjustment")} AS BIGINT) AS adjustment,
       CAST({_known_sum("abs(inbound)", "inbound")} AS BIGINT) AS inbound,
       CAST({_known_sum("abs(outbound)", "outbound")} AS BIGINT) AS outbound,
       CAST({_known_sum("opening_value", "opening_value")} AS DECIMAL(18, 2)) AS opening_value,
       CAST({_known_sum("closing_value", "closing_value")} AS DECIMAL(18, 2)) AS closing_value
FROM stock_movement GROUP BY shop, erp, sku, period_start, period_end
"""
