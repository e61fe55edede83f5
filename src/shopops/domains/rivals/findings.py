"""Competitor findings (竞品降价, 上新, 销量异动, 我方被超越) in the common :class:`Finding` shape.

They join the anomaly findings in `shopops findings` as the domain's ``findings`` part (through
``analysis.anomalies.extensions``). A rival finding's ``shop`` is the rival shop (竞店); the rival
item id is in ``item``; ``impact`` is the money at stake (:mod:`rival_checks`). On 大促 and holiday
days the price-cut and sales-jump rules are widened by the promo calendar (:mod:`rival_rules`).
Findings of one kind on one day for one rival shop are one finding with ``children``
(:mod:`rival_groups`); counter problems of several items of one shop on one day are one finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import PromoCalendar
from shopops.domains.rivals.rival_checks import new_item_facts, overtakes, price_cuts, sales_facts
from shopops.domains.rivals.rival_groups import ALL_RIVALS, group_facts
from shopops.domains.rivals.rival_rules import LABELS, DayRule, Fact, RivalRules, day_rules

__all__ = ["ALL_RIVALS", "LABELS", "RivalRules", "rival_facts", "rival_findings"]


def rival_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    rules: RivalRules | None = None,
    *,
    calendar: PromoCalendar | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Competitor findings from ``start`` to ``end``, grouped per day, rival shop and kind; ``shops``
    keeps rivals registered for those shops (or all); ``calendar`` None: the built-in promo calendar;
    ``settings`` the parsed shopops.yaml (its ``rivals:`` rules) when ``rules`` is not given."""
    rules = rules or RivalRules.from_settings(settings)
    days = day_rules(rules, start, end, calendar)
    facts, known = rival_facts(con, start, end, shops, rules, days)
    found = group_facts(facts, days, known, rules)
    return sorted(found, key=lambda f: (f.date, f.shop, f.rank, f.metric, f.channel))


def rival_facts(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None,
    rules: RivalRules,
    days: dict[dt.date, DayRule],
) -> tuple[list[Fact], dict[dt.date, set[str]]]:
    """Every rival finding before grouping (with its figures), and per day the rival shops whose
    sales were known (what a market-wide surge is measured against)."""
    if con.execute("SELECT count(*) FROM rival_snapshots").fetchall() == [(0,)]:
        return [], {}
    facts = price_cuts(con, start, end, rules, days) + new_item_facts(con, start, end, rules, days)
    jumps, known = sales_facts(con, start, end, rules, days)
    facts += jumps + overtakes(con, start, end, days)
    if shops:
        kept = set(shops) | _paired_rival_shops(con, shops)
        facts = [f for f in facts if f.finding.shop in kept]
        known = {day: names & kept for day, names in known.items()}
    return facts, known


def _paired_rival_shops(con: duckdb.DuckDBPyConnection, shops: Sequence[str]) -> set[str]:
    rows = con.execute(
        "SELECT name FROM rival_shops WHERE our_shop = '*' OR our_shop IN (SELECT unnest($1::VARCHAR[]))"
        " UNION "
        "SELECT rival_shop FROM rival_items WHERE our_shop = '*' OR our_shop IN (SELECT unnest($1::VARCHAR[]))",
        [list(shops)],
    ).fetchall()
    return {row[0] for row in rows}
