"""The shop-level service measures of the 总表: 询单人数, 询单->最终付款人数 and 客服销售额 per shop and day.

Only day rows count here (a range export cannot be split into days), under one 赤兔 attribution
option per shop (the one most of its day rows use; rows that state none are read with it). Several
reports of one account and day are one record (the larger figure is kept, never added); accounts add
up. A day with an unsettled account (延迟统计) has an unknown 询单->最终付款人数, not a smaller one.
"""

from __future__ import annotations

from shopops.metrics.providers import Provider


def service_providers() -> list[Provider]:
    return [
        Provider(
            "service_agents",
            "赤兔/千牛/飞鸽/咚咚·客服绩效（按日，客服合计）",
            """
WITH options AS (
    SELECT shop, attribution, count(*) AS n FROM service_agent_period
    WHERE period_start = period_end GROUP BY ALL
), choice AS (
    SELECT shop, coalesce(arg_max(attribution, n) FILTER (WHERE attribution <> ''), '') AS attribution
    FROM options GROUP BY shop
), account_days AS (
    SELECT p.shop, p.period_start AS date, p.agent, max(p.inquiries) AS inquiries,
           max(p.inquiry_paid) AS inquiry_paid, max(p.sales) AS sales
    FROM service_agent_period p JOIN choice c ON c.shop = p.shop AND p.attribution IN (c.attribution, '')
    WHERE p.period_start = p.period_end AND p.period_start BETWEEN {start} AND {end}
    GROUP BY ALL
)
SELECT shop, date,
       CASE WHEN count(inquiries) = count(*) THEN sum(inquiries) END AS service_inquiries,
       CASE WHEN count(inquiry_paid) = count(*) THEN sum(inquiry_paid) END AS service_inquiry_paid,
       CASE WHEN count(sales) = count(*) THEN sum(sales) END AS service_sales
FROM account_days GROUP BY ALL""",
        )
    ]
