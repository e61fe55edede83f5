"""Rival findings of one kind on one day for one rival shop are one finding with ``children``.

"竞店 自然堂 双11 降价 87 件（对比近14天中位价），中位降幅 −32%，最大 −61%（雪域精粹… ¥139→¥54）；
涉及金额最多：…" stands for the 87 price cuts, each kept as a child. A single finding stays as it is;
counter problems are already one finding per shop and day.

On a special day (大促, holiday) when the sales jumps come from most rival shops whose sales are
known (``RivalRules.market_share``, at least :data:`MARKET_MIN_SHOPS`), the surge is the day's, not a
rival's: the day's jumps are one finding for all rivals (``shop`` = :data:`ALL_RIVALS`), the items
its children and the sentence naming the rivals with the most money at stake.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from shopops.analysis.anomalies.finding import Finding, grouped
from shopops.domains.rivals.rival_rules import LABELS, DayRule, Fact, RivalRules, units_text

ALL_RIVALS = "全部竞店"
MARKET_MIN_SHOPS = 3
TOP = 3  # items (or shops) named in a group's sentence
MINUS = "−"
KIND_METRIC = {
    "price": "rival_price",
    "sales": "rival_sales",
    "new": "rival_new_item",
    "overtake": "rival_overtake",
}


def group_facts(
    facts: Sequence[Fact],
    days: dict[dt.date, DayRule],
    known_shops: dict[dt.date, set[str]],
    rules: RivalRules,
) -> list[Finding]:
    """The top-level findings: one per day, shop and kind (a single one as it is), market surges one per day."""
    by_key: dict[tuple[dt.date, str, str], list[Fact]] = defaultdict(list)
    jumps: dict[dt.date, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_key[(fact.finding.date, fact.finding.shop, fact.kind)].append(fact)
        if fact.kind == "sales":
            jumps[fact.finding.date].append(fact)
    found: list[Finding] = []
    market: set[dt.date] = set()
    for day, of_day in jumps.items():
        shops = {f.finding.shop for f in of_day}
        known = len(known_shops.get(day, set()) | shops)
        if days[day].special and len(shops) >= MARKET_MIN_SHOPS and len(shops) >= rules.market_share * known:
            market.add(day)
            found.append(_market(of_day, days[day], len(shops), known))
    for (day, _, kind), group in by_key.items():
        if kind == "sales" and day in market:
            continue
        if kind == "counter" or len(group) == 1:
            found += [f.finding for f in group]
            continue
        found.append(
            grouped(
                [f.finding for f in group],
                metric_label=LABELS[KIND_METRIC[kind]],
                explanation=_sentence(kind, group, days[day]),
            )
        )
    return found


def _pct(value: float) -> str:
    text = f"{abs(value):.0%}"
    return f"{MINUS}{text}" if value < 0 else f"+{text}"


def _times(value: float) -> str:
    return f"×{value:,.0f}" if value >= 10 else f"×{value:.1f}"


def _money(value: float | None) -> str:
    return "—" if value is None else f"¥{value:,.0f}"


def _price(value: float | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}".rstrip("0").rstrip(".")


def _top(group: Sequence[Fact]) -> str:
    """ "；涉及金额最多：A ¥1,234、B ¥987" (the items with the most money at stake), or ""."""
    ranked = sorted((f for f in group if f.finding.impact), key=lambda f: -(f.finding.impact or 0.0))[:TOP]
    if not ranked:
        return ""
    return "；涉及金额最多：" + "、".join(f"{f.title} {_money(f.finding.impact)}" for f in ranked)


def _sentence(kind: str, group: Sequence[Fact], rule: DayRule) -> str:
    first = group[0].finding
    who = f"竞店 {first.shop} {rule.context + ' ' if rule.context else ''}"
    count = len(group)
    if kind == "price":
        cuts = [f for f in group if f.ratio is not None]
        deepest = min(cuts, key=lambda f: f.ratio or 0.0)
        median = statistics.median(f.ratio or 0.0 for f in cuts)
        return (
            f"{who}降价 {count} 件（对比近14天中位价），中位降幅 {_pct(median)}，最大 {_pct(deepest.ratio or 0.0)}"
            f"（{deepest.title} {_price(deepest.before)}→{_price(deepest.after)}）" + _top(group)
        )
    if kind == "sales":
        return f"{who}销量异动 {count} 件{_jumps(group)}" + _top(group)
    if kind == "new":
        rising = [f for f in group if f.finding.severity != "info"]
        best = max(group, key=lambda f: f.after or 0.0)
        peak = f"（首周日销最高 {units_text(best.after)} 件：{best.title}）" if best.after else ""
        taking_off = f"，其中 {len(rising)} 件首周已起量" if rising else ""
        return f"{who}上新 {count} 件{taking_off}{peak}" + _top(group)
    ours = f"我方 {first.shop} {rule.context + ' ' if rule.context else ''}"
    return f"{ours}被 {count} 件竞品超越" + _top(group)


def _jumps(group: Sequence[Fact]) -> str:
    """ "，日销中位为平时的 ×46，最大 ×1,746（标题 801 件，平时 2 件）" over the jumps with a usual > 0
    (when no item sold in the 14 days before: the one that sold most)."""
    rated = [f for f in group if f.ratio is not None]
    if not rated:  # none sold in the 14 days before
        top = max(group, key=lambda f: f.after or 0.0)
        return f"，近14天日销中位均为 0，最多 {top.title} {units_text(top.after)} 件"
    top = max(rated, key=lambda f: f.ratio or 0.0)
    median = statistics.median(f.ratio or 0.0 for f in rated)
    return (
        f"，日销中位为平时的 {_times(median)}，最大 {_times(top.ratio or 0.0)}"
        f"（{top.title} {units_text(top.after)} 件，平时 {units_text(top.before)} 件）"
    )


def _market(jumps: Sequence[Fact], rule: DayRule, shops: int, known: int) -> Finding:
    """The day's sales jumps of all rivals as one finding, naming the rivals with the most at stake."""
    per_shop: dict[str, list[Fact]] = defaultdict(list)
    for fact in jumps:
        per_shop[fact.finding.shop].append(fact)
    money = {shop: sum(f.finding.impact or 0.0 for f in group) for shop, group in per_shop.items()}
    leaders = sorted(per_shop, key=lambda s: (-money[s], s))[:TOP]
    named = "、".join(f"{shop} {_money(money[shop])}（{len(per_shop[shop])} 件）" for shop in leaders)
    text = (
        f"{rule.context} {shops}/{known} 家竞店普遍放量：{len(jumps)} 件商品日销达到平时的 "
        f"{rule.jump_factor:g} 倍以上（按大促放宽）{_jumps(jumps)}；涉及金额最多的竞店：{named}"
    )
    parent = grouped([f.finding for f in jumps], metric_label=LABELS["rival_sales"], explanation=text)
    return replace(parent, shop=ALL_RIVALS)
