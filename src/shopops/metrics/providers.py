"""Providers: SQL that turns one warehouse table into base measures per shop and day.

Each provider yields ``shop, date`` and some measure columns; the catalog's ``sources`` lists
say which provider wins for each measure. Names here are the ones the catalog uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from shopops.channels import ad_channels
from shopops.domains import parts as domain_parts


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    sql: str  # may use {start} and {end} (DATE literals) and the temp table _so_shipping_rules


def covered(table: str) -> str:
    """Shop-days inside the date range of an import into ``table``: there, no row means zero."""
    return (
        "(SELECT DISTINCT g.shop, g.date FROM _so_grid g JOIN imports i"
        f" ON i.target_table = '{table}' AND list_contains(string_split(i.shops, ','), g.shop)"
        " AND g.date BETWEEN i.date_min AND i.date_max)"
    )


def _unit_costs(rows: str, match: str, keys: str) -> str:
    """The CTE ``unit_costs_<rows>``: per row of ``rows`` (shop, date and ``keys``) the 成本价 in force
    that day — the latest version on or before it, a shop's own row before one for every shop ('*').

    CTE names are unique across providers: Spark SQL gets every CTE hoisted to one WITH."""
    names = ", ".join(key.split(".")[-1] for key in keys.split(", "))
    return f"""ranked_costs_{rows} AS (
    SELECT x.shop, x.date, {keys}, c.cost_price,
           row_number() OVER (PARTITION BY x.shop, x.date, {keys}
                              ORDER BY CASE WHEN c.shop = '*' THEN 1 ELSE 0 END, c.cost_from DESC) AS pick
    FROM {rows} x JOIN product_master c
      ON {match} AND c.shop IN (x.shop, '*') AND c.cost_from <= x.date AND c.cost_price IS NOT NULL
),
unit_costs_{rows} AS (
    SELECT shop, date, {names}, cost_price AS unit_cost FROM ranked_costs_{rows} WHERE pick = 1
)"""


def _channel_spend() -> str:
    return ",\n       ".join(
        f"sum(spend) FILTER (WHERE channel = '{c.key}') AS ad_spend_{c.key}" for c in ad_channels()
    )


# 退款金额 of the paid orders of a shop-day (千牛 order export), with _REFUND_SHOPS joined as ``k``.
# Known when every such order has a value and the shop's orders carry the column at all (JD order
# exports and old 千牛 versions have no 退款金额: unknown there, not 0).
_REFUND_BY_PAYMENT = (
    "CASE WHEN any_value(k.shop) IS NOT NULL AND count(o.refund_amount) = count(o.order_id)"
    " THEN coalesce(sum(o.refund_amount), 0) END"
)
_REFUND_SHOPS = "(SELECT DISTINCT shop FROM orders WHERE refund_amount IS NOT NULL)"


# The channels whose spend 生意参谋 店铺整体 carries as columns of sycm_shop_day.
SYCM_CHANNELS = ("keyword", "display", "smart", "fullsite")


def providers() -> dict[str, Provider]:
    from shopops.metrics.platform_providers import platform_providers  # it builds on Provider

    sycm_channels = ", ".join(f"ad_spend_{c.key}" for c in ad_channels() if c.key in SYCM_CHANNELS)
    items = [
        Provider(
            "sycm_shop",
            "生意参谋·店铺整体",
            f"""
SELECT shop, date, gmv, visitors, pageviews, buyers, paid_orders, units, {sycm_channels},
       affiliate_commission, refund_amount, dsr_description, dsr_service, dsr_logistics
FROM sycm_shop_day WHERE date BETWEEN {{start}} AND {{end}}""",
        ),
        # 千牛 买家实际支付金额 is reduced by later refunds (in the public Tmall sample every paid
        # order has 实付 + 退款 = 总金额), so the amount paid at payment time is 总金额.
        Provider(
            "orders",
            "千牛·订单报表",
            f"""
SELECT c.shop, c.date,
       coalesce(sum(coalesce(o.total_amount, o.paid_amount + coalesce(o.refund_amount, 0))), 0) AS gmv,
       count(o.order_id) AS paid_orders,
       CASE WHEN count(o.buyer) = count(o.order_id) THEN count(DISTINCT o.buyer) END AS buyers,
       CASE WHEN count(o.quantity) = count(o.order_id) THEN coalesce(sum(o.quantity), 0) END AS units,
       {_REFUND_BY_PAYMENT} AS refund_amount_by_payment
FROM {covered("orders")} c
LEFT JOIN {_REFUND_SHOPS} k ON k.shop = c.shop
LEFT JOIN orders o ON o.shop = c.shop AND o.paid_at IS NOT NULL AND CAST(o.paid_at AS DATE) = c.date
GROUP BY ALL""",
        ),
        # 成功退款金额 for a shop that has no 退款 source at all: the order export's 退款金额 by
        # payment date, under its own provenance key. A shop with any 退款 source never gets it,
        # so one shop's refunds are never a mix of completion-date and payment-date figures.
        Provider(
            "orders_refund_by_payment",
            "千牛·订单报表·退款金额(支付时间)（店铺无任何退款来源时替代成功退款金额）",
            f"""
SELECT c.shop, c.date, {_REFUND_BY_PAYMENT} AS refund_amount
FROM {covered("orders")} c
LEFT JOIN {_REFUND_SHOPS} k ON k.shop = c.shop
LEFT JOIN orders o ON o.shop = c.shop AND o.paid_at IS NOT NULL AND CAST(o.paid_at AS DATE) = c.date
WHERE c.shop NOT IN (SELECT shop FROM sycm_shop_day WHERE refund_amount IS NOT NULL)
  AND c.shop NOT IN (SELECT unnest(string_split(shops, ',')) FROM imports WHERE target_table = 'refunds')
GROUP BY ALL""",
        ),
        Provider(
            "order_lines",
            "千牛·宝贝报表",
            f"""
SELECT c.shop, c.date, count(DISTINCT l.order_id) AS paid_orders, coalesce(sum(l.quantity), 0) AS units
FROM {covered("order_lines")} c
LEFT JOIN order_lines l ON l.shop = c.shop AND l.paid_at IS NOT NULL AND CAST(l.paid_at AS DATE) = c.date
GROUP BY ALL""",
        ),
        Provider(
            "refunds",
            "千牛·退款管理",
            f"""
SELECT c.shop, c.date, coalesce(sum(r.refund_amount), 0) AS refund_amount, count(r.refund_id) AS refund_orders
FROM {covered("refunds")} c
LEFT JOIN refunds r ON r.shop = c.shop AND r.status = '退款成功' AND CAST(r.completed_at AS DATE) = c.date
GROUP BY ALL""",
        ),
        Provider(
            "ad_reports",
            "推广报表",
            f"""
SELECT shop, date, {_channel_spend()},
       sum(spend) AS ad_report_spend, sum(ad_gmv) AS ad_gmv
FROM ad_plan_day WHERE date BETWEEN {{start}} AND {{end}}
GROUP BY ALL""",
        ),
        Provider(
            "affiliate",
            "淘宝联盟",
            """
SELECT shop, date, commission AS affiliate_commission FROM affiliate_day WHERE date BETWEEN {start} AND {end}""",
        ),
        # Cost of each paid line at the cost valid on its payment day (商品资料: the version with the
        # latest 成本生效日期 on or before it, rows without 成本价 skipped); a shop's own cost row
        # wins over one for every shop ('*'). The cost depends on (shop, day, SKU) only, so lines are
        # summed to that grain first and each group picks its cost by a window (not a correlated
        # subquery with LIMIT, which Spark SQL cannot run).
        Provider(
            "cost_lines",
            "千牛·宝贝报表 × SKU成本",
            f"""
WITH lines AS (
    SELECT l.shop, CAST(l.paid_at AS DATE) AS date, l.sku_code, sum(l.quantity) AS quantity
    FROM order_lines l
    WHERE l.paid_at IS NOT NULL AND CAST(l.paid_at AS DATE) BETWEEN {{start}} AND {{end}}
    GROUP BY l.shop, CAST(l.paid_at AS DATE), l.sku_code
),
{_unit_costs("lines", "c.sku = x.sku_code", "x.sku_code")}
SELECT x.shop, x.date, sum(x.quantity) AS cost_units,
       sum(x.quantity) FILTER (WHERE u.unit_cost IS NOT NULL) AS cost_known_units,
       CASE WHEN count(*) FILTER (WHERE u.unit_cost IS NULL) = 0 THEN sum(x.quantity * u.unit_cost) END AS cogs
FROM lines x LEFT JOIN unit_costs_lines u
  ON u.shop = x.shop AND u.date = x.date AND u.sku_code IS NOT DISTINCT FROM x.sku_code
GROUP BY x.shop, x.date""",
        ),
        Provider(
            "cost_items",
            "生意参谋·商品效果 × SKU成本",
            f"""
WITH items AS (
    SELECT i.shop, i.date, i.item_id, i.item_code, sum(i.units) AS units
    FROM sycm_item_day i WHERE i.date BETWEEN {{start}} AND {{end}} AND coalesce(i.units, 0) > 0
    GROUP BY i.shop, i.date, i.item_id, i.item_code
),
{_unit_costs("items", "(c.item_id = x.item_id OR c.sku = x.item_code)", "x.item_id, x.item_code")}
SELECT x.shop, x.date, sum(x.units) AS cost_units,
       sum(x.units) FILTER (WHERE u.unit_cost IS NOT NULL) AS cost_known_units,
       CASE WHEN count(*) FILTER (WHERE u.unit_cost IS NULL) = 0 THEN sum(x.units * u.unit_cost) END AS cogs
FROM items x LEFT JOIN unit_costs_items u ON u.shop = x.shop AND u.date = x.date
  AND u.item_id IS NOT DISTINCT FROM x.item_id AND u.item_code IS NOT DISTINCT FROM x.item_code
GROUP BY x.shop, x.date""",
        ),
        Provider(
            "shipping_orders",
            "千牛·订单报表 × 发货成本规则",
            """
SELECT o.shop, CAST(o.paid_at AS DATE) AS date,
       CASE WHEN count(*) FILTER (WHERE coalesce(p.cost, d.cost) IS NULL) = 0
            THEN sum(coalesce(p.cost, d.cost)) END AS shipping_cost
FROM orders o
LEFT JOIN _so_shipping_rules p ON p.shop = o.shop AND p.province IS NOT NULL AND o.province = p.province
LEFT JOIN _so_shipping_rules d ON d.shop = o.shop AND d.province IS NULL
WHERE o.paid_at IS NOT NULL AND CAST(o.paid_at AS DATE) BETWEEN {start} AND {end}
GROUP BY ALL""",
        ),
        # Without order rows the province is unknown: only a flat per-order rule can apply.
        Provider(
            "shipping_sycm",
            "生意参谋支付父订单数 × 发货成本规则",
            """
SELECT s.shop, s.date, s.paid_orders * d.cost AS shipping_cost
FROM sycm_shop_day s JOIN _so_shipping_rules d ON d.shop = s.shop AND d.province IS NULL
WHERE s.date BETWEEN {start} AND {end}
  AND NOT EXISTS (SELECT 1 FROM _so_shipping_rules p WHERE p.shop = s.shop AND p.province IS NOT NULL)""",
        ),
        Provider(
            "shop_settings",
            "店铺设置",
            """
SELECT g.shop, g.date, s.fee_rate FROM _so_grid g JOIN shops s ON s.name = g.shop""",
        ),
        *platform_providers(),
    ]
    items += [provider for make in domain_parts("providers") for provider in make()]
    return {p.key: p for p in items}
