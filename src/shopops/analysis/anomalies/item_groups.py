"""The words and money of item findings: one item's day or run of zeros, and several items of one
shop, day and rule as one finding with children (单品断销·5 件).

``impact`` is the money at stake: |支付金额 − usual| of the day, and for a run of zeros the usual
sales of all its days (what the stock-out has cost so far).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shopops.analysis.anomalies.finding import RULE_LABELS, Finding, grouped

NAMED = 5  # items named in a group's sentence; the rest are counted ("等 12 件")
_CAUSE = "断货、下架或链接失效？"


class _Bounds(Protocol):
    @property
    def drop(self) -> float: ...
    @property
    def surge(self) -> float: ...


@dataclass(frozen=True)
class ItemHit:
    """An item far from its usual 支付金额 on one day (``value`` 0: it sold nothing)."""

    day: dt.date
    item: str
    title: str
    value: float
    usual: float  # the median of the same weekday in ordinary weeks (元)
    share: float  # usual / the shop's usual day


@dataclass(frozen=True)
class ItemRun:
    """One item's unusual day, or its consecutive days at 0 (oldest first); ``ended``: it sold
    again before the end of the asked window."""

    hits: tuple[ItemHit, ...]
    ended: bool = False

    @property
    def last(self) -> ItemHit:
        return self.hits[-1]

    @property
    def rule(self) -> str:
        value, usual = self.last.value, self.last.usual
        return "item_zero" if value == 0 else "item_drop" if value < usual else "item_surge"

    @property
    def impact(self) -> float:
        """Money at stake: |支付金额 − usual| of the day; for a run of zeros, the usual of all its days."""
        return sum(abs(h.value - h.usual) for h in self.hits)

    def detail(self) -> str:
        """What a group's sentence says of this item: 连续 3 天, 当天, −75 %."""
        if self.rule != "item_zero":
            return f"{self.last.value / self.last.usual - 1:+.0%}"
        return f"连续 {len(self.hits)} 天" if len(self.hits) > 1 else "当天"


def item_finding(shop: str, run: ItemRun, rules: _Bounds) -> Finding:
    """One finding for an item's day, or for its run of days at 0 (dated on the last, ``since`` the first)."""
    hit, first = run.last, run.hits[0]
    usual, share = hit.usual, hit.share
    if len(run.hits) > 1:
        span = f"{first.day:%m-%d} 至 {hit.day:%m-%d}" if run.ended else f"{first.day:%m-%d} 起"
        text = (
            f"单品「{hit.title}」{'' if run.ended else '已'}连续 {len(run.hits)} 天支付金额为 0（{span}；{_CAUSE}），"
            f"平时同星期约 ¥{usual:,.0f}，占店铺约 {share:.0%}，累计少卖约 ¥{run.impact:,.0f}"
        )
    else:
        if hit.value == 0:
            what = f"支付金额为 0（{_CAUSE}）"
        else:
            what = f"支付金额 ¥{hit.value:,.0f}（{hit.value / usual - 1:+.0%}）"
        text = f"单品「{hit.title}」{what}，平时同星期约 ¥{usual:,.0f}，占店铺支付金额约 {share:.0%}"
    severity = "critical" if hit.value == 0 and share >= 0.2 else "warning" if share >= 0.05 else "info"
    return Finding(
        date=hit.day,
        shop=shop,
        metric="gmv",
        metric_label=f"单品支付金额·{hit.title}",
        value=round(hit.value, 2),
        expected_low=round(usual * rules.drop, 2),
        expected_high=round(usual * rules.surge, 2),
        severity=severity,
        provisional=False,
        rule=run.rule,
        direction="down" if hit.value < usual else "up",
        item=hit.item,
        driver="item",
        explanation=text,
        impact=round(run.impact, 2),
        since=first.day if len(run.hits) > 1 else None,
    )


def item_groups(shop: str, runs: Sequence[ItemRun], rules: _Bounds) -> list[Finding]:
    """One finding per run; per day and rule, several items' as one with children."""
    by_kind: dict[tuple[dt.date, str], list[ItemRun]] = defaultdict(list)
    for run in runs:
        by_kind[(run.last.day, run.rule)].append(run)
    result = []
    for (_, rule), group in sorted(by_kind.items()):
        children = [(item_finding(shop, run, rules), run) for run in group]
        if len(children) == 1:
            result.append(children[0][0])
            continue
        children.sort(key=lambda pair: (-(pair[0].impact or 0.0), pair[0].rank, pair[0].item))  # as grouped()
        result.append(
            grouped(
                [finding for finding, _ in children],
                metric_label=f"{RULE_LABELS[rule]}·{len(children)} 件",
                explanation=_text(rule, [run for _, run in children]),
            )
        )
    return result


def _text(rule: str, runs: Sequence[ItemRun]) -> str:
    """5 件单品断销（合计平时约 ¥12,400/天）：「A」连续 3 天、「B」当天 …"""
    usual = sum(run.last.usual for run in runs)
    named = "、".join(f"「{run.last.title}」{run.detail()}" for run in runs[:NAMED])
    more = f" 等 {len(runs)} 件" if len(runs) > NAMED else ""
    return f"{len(runs)} 件{RULE_LABELS[rule]}（合计平时约 ¥{usual:,.0f}/天）：{named}{more}"
