"""The service measures per shop and day (the 总表's 客服 section) and per person and day (绩效).

Only day rows count here (a range export cannot be split into days), under one 赤兔 attribution
option per shop (the one most of its day rows use; rows that state none are read with it). Several
reports of one account and day are one record (the larger figure is kept, never added); accounts add
up — a shop's into the shop's day, a person's (a renamed 旺旺 is two accounts of one person, by the
roster) into the person's. A day with an unsettled account (延迟统计) has an unknown
询单->最终付款人数 at the shop's grain; per person it is marked ``pending`` (``metrics.people``
leaves such days out and says the figures are provisional), as is a day exported less than
SETTLE_DAYS after it (询单->最终付款 settles in about 4 days).
"""

from __future__ import annotations

from shopops.metrics.people import PersonProvider
from shopops.metrics.providers import Provider

SETTLE_DAYS = 4
# measure → the account-day expression it sums (per account and day: the larger of several reports)
_ACCOUNT_DAY = {
    "service_inquiries": "max(p.inquiries)",
    "service_inquiry_paid": "max(p.inquiry_paid)",
    "service_sales": "max(p.sales)",
    "service_sales_buyers": "max(p.sales_buyers)",
    "service_receptions": "max(p.receptions)",
    # 回复过的人: 接待人数 − 未回复人数, or the stated 回复率 × 接待人数 where the file states only the rate
    "service_replied": "max(coalesce(p.receptions - p.unreplied, round(p.reply_rate_stated * p.receptions)))",
    # 平均响应 weighted by 接待人数: Σ(平均响应 × 接待) ÷ Σ 接待 over the rows that state both
    # as DECIMAL: a sum of DOUBLE products differs in its last bit from run to run (summing order),
    # and a person exactly on a band's edge (35.0 s) must score the same every time
    "service_response_total": "max(CAST(p.avg_response_seconds AS DECIMAL(18, 3)) * p.receptions)",
    "service_response_receptions": "max(p.receptions) FILTER (WHERE p.avg_response_seconds IS NOT NULL)",
    "service_pleased": "max(p.very_satisfied + p.satisfied)",
    "service_rated": "max(p.very_satisfied + p.satisfied + p.neutral + p.dissatisfied + p.very_dissatisfied)",
}
PERSON_MEASURES = tuple(_ACCOUNT_DAY)

_CHOICE = """
options AS (
    SELECT shop, attribution, count(*) AS n FROM service_agent_period
    WHERE period_start = period_end GROUP BY ALL
), choice AS (
    SELECT shop, coalesce(arg_max(attribution, n) FILTER (WHERE attribution <> ''), '') AS attribution
    FROM options GROUP BY shop
)"""


def _account_days() -> str:
    measures = ", ".join(f"{expression} AS {key}" for key, expression in _ACCOUNT_DAY.items())
    return f"""account_days AS (
    SELECT p.shop, p.period_start AS date, p.agent, {measures},
           bool_or(p.pending OR CAST(i.imported_at AS DATE) < p.period_end + INTERVAL {SETTLE_DAYS} DAY)
               AS pending,
           list(DISTINCT p.import_id) FILTER (WHERE p.import_id IS NOT NULL) AS import_ids
    FROM service_agent_period p JOIN choice c ON c.shop = p.shop AND p.attribution IN (c.attribution, '')
    LEFT JOIN imports i ON i.import_id = p.import_id
    WHERE p.period_start = p.period_end AND p.period_start BETWEEN {{start}} AND {{end}}
    GROUP BY ALL
)"""


def _sums() -> str:
    return ",\n       ".join(
        f"CASE WHEN count({key}) = count(*) THEN sum({key}) END AS {key}" for key in _ACCOUNT_DAY
    )


def service_providers() -> list[Provider]:
    return [
        Provider(
            "service_agents",
            "赤兔/千牛/飞鸽/咚咚·客服绩效（按日，客服合计）",
            f"""
WITH {_CHOICE}, {_account_days()}
SELECT shop, date,
       {_sums()}
FROM account_days GROUP BY ALL""",
        )
    ]


def service_person_providers() -> list[PersonProvider]:
    return [
        PersonProvider(
            "service_people",
            "赤兔/千牛/飞鸽/咚咚·客服绩效（按人按日）",
            f"""
WITH {_CHOICE}, {_account_days()}, roster AS (
    SELECT shop, account, any_value(person) AS person FROM service_roster GROUP BY ALL
)
SELECT coalesce(r.person, a.agent) AS person, a.shop, a.date, bool_or(a.pending) AS pending,
       flatten(list(a.import_ids)) AS import_ids,
       {_sums()}
FROM account_days a LEFT JOIN roster r ON r.shop = a.shop AND r.account = a.agent
GROUP BY ALL""",
            PERSON_MEASURES,
        )
    ]
