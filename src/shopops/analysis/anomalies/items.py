"""Item-level findings: a selling item that suddenly sells nothing (断销) or far less or more than usual.

An item's 支付金额 of a day is compared with the median of the same weekday over the last
``weeks`` ordinary weeks (promotion and holiday days skipped, as for the shop's own figures); on a
promotion or holiday day only an item selling nothing is reported.
Only items that matter are watched: a usual day of at least ``min_gmv``. Item figures come from
生意参谋 商品效果 (sycm_item_day) where the shop has it, else from 千牛 order lines by payment day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

import duckdb

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import PromoCalendar

# Per shop and day: item id → (title, 支付金额). Days without any item data are absent.
ItemDays = dict[dt.date, dict[str, tuple[str, float]]]

_SYCM = """
SELECT shop, date, item_id, any_value(item_name), sum(gmv)::DOUBLE FROM sycm_item_day
WHERE date BETWEEN ? AND ? {shops} GROUP BY ALL
"""
_LINES = """
SELECT shop, CAST(paid_at AS DATE) AS day, coalesce(item_id, sku_code, title), any_value(title),
       sum(paid_amount)::DOUBLE
FROM order_lines WHERE paid_at IS NOT NULL AND CAST(paid_at AS DATE) BETWEEN ? AND ? {shops}
  AND shop NOT IN (SELECT DISTINCT shop FROM sycm_item_day WHERE date BETWEEN ? AND ?)
GROUP BY ALL
"""


@dataclass(frozen=True)
class ItemRules:
    weeks: int = 8  # same-weekday references looked at
    min_weeks: int = 4  # references needed before an item is judged
    min_gmv: float = 500.0  # a usual day below this is not watched (元)
    drop: float = 0.3  # below this share of usual: 骤降
    surge: float = 4.0  # above this multiple of usual: 激增


def item_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    calendar: PromoCalendar,
    *,
    shops: Sequence[str] | None = None,
    rules: ItemRules | None = None,
) -> list[Finding]:
    rules = rules or ItemRules()
    first = start - dt.timedelta(days=7 * (rules.weeks + 6))
    findings: list[Finding] = []
    for shop, days in _item_days(con, first, end, shops).items():
        day = start
        while day <= end:
            if day in days:
                findings += _day_findings(shop, day, days, calendar, rules)
            day += dt.timedelta(days=1)
    return findings


def _item_days(
    con: duckdb.DuckDBPyConnection, first: dt.date, end: dt.date, shops: Sequence[str] | None
) -> dict[str, ItemDays]:
    where = "AND shop IN (SELECT unnest(?))" if shops else ""
    extra: list[object] = [list(shops)] if shops else []
    rows = con.execute(_SYCM.format(shops=where), [first, end, *extra]).fetchall()
    rows += con.execute(_LINES.format(shops=where), [first, end, *extra, first, end]).fetchall()
    result: dict[str, ItemDays] = defaultdict(lambda: defaultdict(dict))
    for shop, day, item, title, gmv in rows:
        result[shop][day][str(item)] = (str(title or item), float(gmv or 0.0))
    return result


def _references(day: dt.date, days: ItemDays, calendar: PromoCalendar, rules: ItemRules) -> list[dt.date]:
    """Earlier same weekdays with item data that were ordinary days, newest first."""
    found: list[dt.date] = []
    back = day - dt.timedelta(days=7)
    while len(found) < rules.weeks and (day - back).days <= 7 * (rules.weeks + 6):
        if back in days and not calendar.day(back).special:
            found.append(back)
        back -= dt.timedelta(days=7)
    return found


def _day_findings(
    shop: str, day: dt.date, days: ItemDays, calendar: PromoCalendar, rules: ItemRules
) -> list[Finding]:
    references = _references(day, days, calendar, rules)
    promotion = calendar.day(day).special
    if len(references) < rules.min_weeks:
        return []
    shop_usual = median(sum(gmv for _, gmv in days[ref].values()) for ref in references)
    findings = []
    items = {item for ref in references for item in days[ref]}
    for item in sorted(items):
        usual = median(days[ref].get(item, ("", 0.0))[1] for ref in references)
        if usual < rules.min_gmv:
            continue
        title, value = days[day].get(item, (_title(item, days, references), 0.0))
        if rules.drop * usual <= value <= rules.surge * usual or (promotion and value > 0):
            continue  # in a promotion only an item selling nothing is news
        findings.append(_finding(shop, day, item, title, value, usual, shop_usual, rules))
    return findings


def _title(item: str, days: ItemDays, references: list[dt.date]) -> str:
    return next((days[ref][item][0] for ref in references if item in days[ref]), item)


def _finding(
    shop: str,
    day: dt.date,
    item: str,
    title: str,
    value: float,
    usual: float,
    shop_usual: float,
    rules: ItemRules,
) -> Finding:
    share = usual / shop_usual if shop_usual > 0 else 0.0
    change = value / usual - 1
    if value == 0:
        rule, what = "item_zero", "支付金额为 0（断货、下架或链接失效？）"
    elif value < usual:
        rule, what = "item_drop", f"支付金额 ¥{value:,.0f}（{change:+.0%}）"
    else:
        rule, what = "item_surge", f"支付金额 ¥{value:,.0f}（{change:+.0%}）"
    severity = "critical" if value == 0 and share >= 0.2 else "warning" if share >= 0.05 else "info"
    text = f"单品「{title}」{what}，平时同星期约 ¥{usual:,.0f}，占店铺支付金额约 {share:.0%}"
    return Finding(
        date=day,
        shop=shop,
        metric="gmv",
        metric_label=f"单品支付金额·{title}",
        value=round(value, 2),
        expected_low=round(usual * rules.drop, 2),
        expected_high=round(usual * rules.surge, 2),
        severity=severity,
        provisional=False,
        rule=rule,
        direction="down" if value < usual else "up",
        item=item,
        driver="item",
        explanation=text,
    )
