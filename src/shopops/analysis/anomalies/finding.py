"""A finding: one unusual figure of one shop on one day, with its expected range and explanation.

Findings of one kind on one day for one shop (a rival's 87 price cuts on 双11, one shop's items
that stopped selling) are one finding with ``children``; a run of days (a stock-out, a collapse)
is one finding dated on its latest day with ``since`` its first. ``impact`` is the money at stake
(元): how far the day's 支付金额 (or the rival's sales) sits from where it would have been had the
figure been usual; findings are ranked by it (:mod:`ranking`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

SEVERITIES = ("critical", "warning", "info")
SEVERITY_LABELS = {"critical": "严重", "warning": "警告", "info": "提示"}
RULE_LABELS = {
    "baseline": "偏离近期同星期水平",
    "gmv_change": "支付金额环比大幅变化",
    "refund_rate": "退款率超过阈值",
    "refund_jump": "退款单量突增",
    "conversion_drop": "转化率下降",
    "roi": "ROI 低于阈值",
    "channel_roi": "渠道近7天 ROI 低于阈值",
    "affiliate_jump": "淘客佣金突增",
    "zero_sales": "零销售",
    "dsr_drop": "DSR 下降",
    "item_zero": "单品断销",
    "item_drop": "单品销售骤降",
    "item_surge": "单品销售激增",
    "gmv_level": "支付金额低于近期水平",
    "gmv_recovery": "支付金额回升",
    "no_data": "无数据",
}
COLD_START = "历史不足 {weeks} 周，按规则判断"  # the basis of a rule finding no baseline could check


@dataclass(frozen=True)
class Finding:
    date: dt.date
    shop: str
    metric: str  # catalog key (ad_roi with a channel for a channel's figure)
    metric_label: str
    value: float | None
    expected_low: float | None
    expected_high: float | None
    severity: str  # critical | warning | info
    provisional: bool  # refunds / ad attribution of the day are still moving
    rule: str  # baseline, gmv_change …; several joined by "+"
    direction: str  # up | down: where the value sits against the expected range
    score: float | None = None  # robust z against the baseline (None for rule-only findings)
    channel: str = ""
    driver: str = ""  # what moved it: a metric key such as ad_spend_keyword, conversion_rate
    explanation: str = ""
    related: tuple[str, ...] = field(default_factory=tuple)  # metrics that moved with it (folded in)
    context: str = ""  # the calendar day: 双11预热, 国庆节 … (empty on normal days)
    item: str = ""  # an item's ID for item-level findings (metric is then that item's gmv)
    impact: float | None = None  # money at stake (元), the ranking key; None = no money measure
    basis: str = ""  # how it was judged when no baseline could: COLD_START …
    since: dt.date | None = None  # the first day of a run still going on ``date`` (stock-out …)
    children: tuple[Finding, ...] = ()  # the findings grouped under this one (same kind, day, shop)

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)

    def merged(self, other: Finding) -> Finding:
        """One finding from two on the same shop, day and metric (a rule and the baseline)."""
        first = self if self.rank <= other.rank else other
        rules = list(dict.fromkeys([*self.rule.split("+"), *other.rule.split("+")]))
        baseline = self if "baseline" in self.rule else other
        impacts = [f.impact for f in (self, other) if f.impact is not None]
        return replace(
            first,
            rule="+".join(rules),
            expected_low=baseline.expected_low,
            expected_high=baseline.expected_high,
            score=self.score if self.score is not None else other.score,
            impact=max(impacts) if impacts else None,
            basis="" if "baseline" in rules else first.basis or self.basis or other.basis,
        )

    @property
    def count(self) -> int:
        """How many findings this one stands for (itself, or its children)."""
        return len(self.children) or 1

    def to_record(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "shop": self.shop,
            "metric": self.metric,
            "metric_label": self.metric_label,
            "channel": self.channel or None,
            "item": self.item or None,
            "value": self.value,
            "expected_low": self.expected_low,
            "expected_high": self.expected_high,
            "severity": self.severity,
            "severity_label": SEVERITY_LABELS[self.severity],
            "provisional": self.provisional,
            "rule": self.rule,
            "direction": self.direction,
            "score": None if self.score is None else round(self.score, 2),
            "driver": self.driver or None,
            "related": list(self.related),
            "context": self.context or None,
            "explanation": self.explanation,
            "impact": None if self.impact is None else round(self.impact, 2),
            "basis": self.basis or None,
            "since": None if self.since is None else self.since.isoformat(),
            "children": [child.to_record() for child in self.children],
        }


def grouped(children: Sequence[Finding], *, metric_label: str, explanation: str) -> Finding:
    """One finding standing for ``children`` (one kind, one day, one shop): the worst severity,
    the summed impact, no single value; a single child stays as it is."""
    if len(children) == 1:
        return children[0]
    ordered = tuple(sorted(children, key=lambda f: (-(f.impact or 0.0), f.rank, f.item)))
    first = ordered[0]
    impacts = [f.impact for f in ordered if f.impact is not None]
    return replace(
        first,
        metric_label=metric_label,
        value=None,
        expected_low=None,
        expected_high=None,
        severity=min(ordered, key=lambda f: f.rank).severity,
        provisional=any(f.provisional for f in ordered),
        score=None,
        item="",
        explanation=explanation,
        impact=sum(impacts) if impacts else None,
        since=min((f.since for f in ordered if f.since), default=None),
        children=ordered,
    )
