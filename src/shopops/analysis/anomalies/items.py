"""Item-level findings: a selling item that suddenly sells nothing (断销) or far less or more than usual.

An item's 支付金额 of a day is compared with the median of the same weekday over the last
``weeks`` ordinary weeks (promotion and holiday days skipped, as for the shop's own figures); on a
promotion or holiday day only an item selling nothing is reported.
Only items that matter are watched: a usual day of at least ``min_gmv``. Item figures come from
生意参谋 商品效果 (sycm_item_day) where the shop has it, else from 千牛 order lines by payment day.

An item at 0 on consecutive days (a stock-out, a delisted link) is one finding, not one a day:
dated on the run's latest day in the asked window, ``since`` its first day (looked for before the
window too), its impact the usual sales of all those days — the money lost so far. A promotion day
keeps the run going only while the item still sells nothing; a day without any item data of the
shop, or one with too little history to judge, ends it. Per shop, day and rule several items are
one finding with children (:mod:`item_groups`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

import duckdb

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.anomalies.item_groups import ItemHit, ItemRun, item_groups
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

    @property
    def reach(self) -> int:
        """Days back a day's references may lie; also the longest run of zeros still judged: once
        the item's references are all zero days its usual is 0 and it is no longer watched."""
        return 7 * (self.weeks + 6)


def item_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    calendar: PromoCalendar,
    *,
    shops: Sequence[str] | None = None,
    rules: ItemRules | None = None,
) -> list[Finding]:
    """The item findings of ``start`` … ``end``: one per run of zeros, one per item and day for
    drops and surges; several items of one shop, day and rule grouped into one."""
    rules = rules or ItemRules()
    first = start - dt.timedelta(days=2 * rules.reach)  # a run's first day, and its references
    findings: list[Finding] = []
    for shop, days in _item_days(con, first, end, shops).items():
        findings += item_groups(shop, _runs(_Judge(days, calendar, rules), start, end), rules)
    return findings


def _runs(judge: _Judge, start: dt.date, end: dt.date) -> list[ItemRun]:
    """Each unusual item day, with consecutive days at 0 as one run (looked for before ``start`` too)."""
    runs: list[ItemRun] = []
    open_runs: dict[str, list[ItemHit]] = {}  # item → its days at 0 so far, oldest first
    day = start
    while day <= end:
        hits = judge.hits(day)
        for item in [i for i in open_runs if i not in hits or hits[i].value != 0]:
            runs.append(ItemRun(tuple(open_runs.pop(item)), ended=True))
        for item, hit in hits.items():
            if hit.value != 0:
                runs.append(ItemRun((hit,)))
            elif item in open_runs:
                open_runs[item].append(hit)
            else:
                open_runs[item] = [*judge.zeros_before(item, day, start), hit]
        day += dt.timedelta(days=1)
    return runs + [ItemRun(tuple(hits)) for hits in open_runs.values()]


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


class _Judge:
    """The unusual items of a shop's days (each day judged once)."""

    def __init__(self, days: ItemDays, calendar: PromoCalendar, rules: ItemRules) -> None:
        self.days, self.calendar, self.rules = days, calendar, rules
        self._judged: dict[dt.date, dict[str, ItemHit]] = {}

    def hits(self, day: dt.date) -> dict[str, ItemHit]:
        if day not in self._judged:
            self._judged[day] = self._judge(day) if day in self.days else {}
        return self._judged[day]

    def zeros_before(self, item: str, day: dt.date, start: dt.date) -> list[ItemHit]:
        """The days right before ``day`` when ``item`` sold nothing, oldest first (before ``start``
        no further back than the references of ``start`` reach, as far as a run can be judged)."""
        limit = start - dt.timedelta(days=self.rules.reach)
        run: list[ItemHit] = []
        back = day - dt.timedelta(days=1)
        while back >= limit and (hit := self.hits(back).get(item)) is not None and hit.value == 0:
            run.insert(0, hit)
            back -= dt.timedelta(days=1)
        return run

    def _references(self, day: dt.date) -> list[dt.date]:
        """Earlier same weekdays with item data that were ordinary days, newest first."""
        found: list[dt.date] = []
        back = day - dt.timedelta(days=7)
        while len(found) < self.rules.weeks and (day - back).days <= self.rules.reach:
            if back in self.days and not self.calendar.day(back).special:
                found.append(back)
            back -= dt.timedelta(days=7)
        return found

    def _judge(self, day: dt.date) -> dict[str, ItemHit]:
        rules, days = self.rules, self.days
        references = self._references(day)
        if len(references) < rules.min_weeks:
            return {}
        promotion = self.calendar.day(day).special
        shop_usual = median(sum(gmv for _, gmv in days[ref].values()) for ref in references)
        hits = {}
        for item in sorted({item for ref in references for item in days[ref]}):
            usual = median(days[ref].get(item, ("", 0.0))[1] for ref in references)
            if usual < rules.min_gmv:
                continue
            title, value = days[day].get(item, (_title(item, days, references), 0.0))
            if rules.drop * usual <= value <= rules.surge * usual or (promotion and value > 0):
                continue  # in a promotion only an item selling nothing is news
            share = usual / shop_usual if shop_usual > 0 else 0.0
            hits[item] = ItemHit(day, item, title, value, usual, share)
        return hits


def _title(item: str, days: ItemDays, references: list[dt.date]) -> str:
    return next((days[ref][item][0] for ref in references if item in days[ref]), item)
