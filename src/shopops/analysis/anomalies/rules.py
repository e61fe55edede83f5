"""The baseline check and the rule presets operators already use, as hits on one shop's series.

A hit is a finding without its words: which metric on which day, the value, the range it should
have been in, how bad, and which check saw it. :mod:`detect` merges, folds and explains them.

Where the baseline cannot judge a day (less than ``min_weeks`` same weekdays of history: a new
shop, a first import), a rule that normally waits for the baseline to agree runs alone, and its
hit says so (``basis``: 历史不足 4 周，按规则判断) — a −99 % day is never silent for want of history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopops.analysis.anomalies.baseline import Array
from shopops.analysis.anomalies.finding import COLD_START
from shopops.analysis.anomalies.series import ShopSeries, metric_kind
from shopops.metrics.catalog import Catalog, Metric

# A move smaller than this is not worth a line, however unusual (per unit).
MATERIAL = {"money": 50.0, "count": 3.0, "ratio": 0.002, "score": 0.0}
# Provisional metrics whose latest days are low (refunds, attribution still arriving) or high (net of them).
ARRIVING = {
    "refund_amount": "down",
    "refund_orders": "down",
    "refund_rate": "down",
    "refund_amount_by_payment": "down",
    "refund_rate_by_payment": "down",
    "ad_gmv": "down",
    "ad_roi": "down",
    "net_sales": "up",
    "gross_profit": "up",
    "net_profit": "up",
    "platform_fee": "up",
}
DSR_KEYS = ("dsr_description", "dsr_service", "dsr_logistics")


@dataclass(frozen=True)
class Hit:
    metric: str
    index: int
    value: float | None
    low: float | None
    high: float | None
    severity: str
    rule: str
    direction: str
    score: float | None = None
    channel: str = ""
    center: float | None = None  # the usual value the move is measured from (money at stake)
    basis: str = ""  # COLD_START when no baseline could judge the day
    impact: float | None = None  # money at stake when the rule knows it better than the center


def _bad(metric: Metric, direction: str) -> bool:
    return metric.direction == "none" or (metric.direction == "up") == (direction == "down")


def baseline_hits(
    series: ShopSeries,
    catalog: Catalog,
    days: Sequence[int],
    provisional: Sequence[bool],
    moving: frozenset[str],
) -> list[Hit]:
    """Every catalog metric (but DSR scores and disabled ones) against its same-weekday baseline."""
    settings = series.settings
    hits = []
    for key, metric in catalog.metrics.items():
        if metric.unit == "score" or key in settings.disabled_metrics or not metric.watched:
            continue
        values = series.array(key)
        if not np.isfinite(values).any():
            continue
        baseline = series.baseline(key)
        kind = metric_kind(metric)
        for index in days:
            context = series.contexts[index]
            lift = context.range_for(kind) if context.special else (1.0, 1.0)
            distance = baseline.distance(index, lift)
            if not distance:
                continue
            value, center = float(values[index]), float(baseline.center[index])
            if abs(value - center) < MATERIAL[metric.unit]:
                continue
            direction = "up" if distance > 0 else "down"
            if provisional[index] and key in moving and ARRIVING.get(key) == direction:
                continue
            bad = _bad(metric, direction)
            if not bad and abs(distance) < settings.z_critical:
                continue  # a good move is worth a line only when it is very unusual
            severity = (
                "critical" if bad and abs(distance) >= settings.z_critical else "warning" if bad else "info"
            )
            bounds = baseline.expected(index, lift)
            assert bounds is not None
            hits.append(
                Hit(
                    key,
                    index,
                    value,
                    bounds[0],
                    bounds[1],
                    severity,
                    "baseline",
                    direction,
                    distance,
                    "",
                    center,
                )
            )
    return hits


@dataclass(frozen=True)
class RuleContext:
    series: ShopSeries
    days: Sequence[int]
    baseline: Sequence[Hit]

    def gated(self, rule: Mapping[str, float], key: str, index: int) -> bool:
        """Whether the baseline must agree and does not: by the rule's setting, and on calendar days.

        A baseline that cannot judge the day (too little history) cannot disagree: the rule runs alone.
        """
        need = bool(rule.get("respect_expected")) or self.series.contexts[index].special
        if not need or not self.judged(key, index):
            return False
        return not any(h.metric == key and h.index == index for h in self.baseline)

    def judged(self, key: str, index: int) -> bool:
        """Whether the baseline of ``key`` has enough history to judge day ``index``."""
        return self.series.typical(key, index) is not None

    def basis(self, key: str, index: int) -> str:
        return "" if self.judged(key, index) else COLD_START.format(weeks=self.series.settings.min_weeks)

    def lift(self, index: int, kind: str = "volume") -> tuple[float, float]:
        """How far a calendar day may sit from a normal one, where no baseline has widened the range."""
        context = self.series.contexts[index]
        return context.range_for(kind) if context.special else (1.0, 1.0)


def _gmv_change(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    gmv, threshold, hits = c.series.array("gmv"), rule["threshold"], []
    for i in c.days:
        previous = gmv[i - 1] if i > 0 else np.nan
        if not (np.isfinite(gmv[i]) and np.isfinite(previous)) or previous < rule["min_base"]:
            continue
        change = gmv[i] / previous - 1
        low, high = previous * (1 - threshold), previous * (1 + threshold)
        if not c.judged("gmv", i):  # the baseline widens calendar days; without it, the rule does
            if c.series.contexts[i - 1].label != c.series.contexts[i].label:
                continue  # the day after 双11 or a holiday: 环比 against another kind of day says nothing
            low, high = low * c.lift(i)[0], high * c.lift(i)[1]
        if low <= gmv[i] <= high or c.gated(rule, "gmv", i):
            continue
        direction = "up" if change > 0 else "down"
        severity = "info" if change > 0 else "critical" if change <= -2 * threshold else "warning"
        hits.append(
            Hit(
                "gmv",
                i,
                float(gmv[i]),
                low,
                high,
                severity,
                "gmv_change",
                direction,
                center=float(previous),
                basis=c.basis("gmv", i),
            )
        )
    return hits


def _refund_rate(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    gmv, rate, hits = c.series.array("gmv"), c.series.array("refund_rate"), []
    for i in c.days:
        if not np.isfinite(rate[i]) or not gmv[i] >= rule["min_base"] or rate[i] <= rule["threshold"]:
            continue
        if c.gated(rule, "refund_rate", i):
            continue
        severity = "critical" if rate[i] > 2 * rule["threshold"] else "warning"
        excess = (float(rate[i]) - rule["threshold"]) * float(gmv[i])  # refunds above the threshold
        hits.append(
            Hit(
                "refund_rate",
                i,
                float(rate[i]),
                0.0,
                rule["threshold"],
                severity,
                "refund_rate",
                "up",
                center=rule["threshold"],
                basis=c.basis("refund_rate", i),
                impact=excess,
            )
        )
    return hits


def _conversion_drop(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    conversion, visitors, hits = c.series.array("conversion_rate"), c.series.array("visitors"), []
    for i in c.days:
        usual = c.series.typical("conversion_rate", i)
        if usual is None or not np.isfinite(conversion[i]) or not visitors[i] >= rule["min_visitors"]:
            continue
        drop = usual - conversion[i]
        if drop < rule["threshold"] or c.gated(rule, "conversion_rate", i):
            continue
        severity = "critical" if drop >= 2 * rule["threshold"] else "warning"
        low = usual - rule["threshold"]
        hits.append(
            Hit(
                "conversion_rate",
                i,
                float(conversion[i]),
                low,
                None,
                severity,
                "conversion_drop",
                "down",
                center=usual,
            )
        )
    return hits


def _refund_jump(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    orders, hits = c.series.array("refund_orders"), []
    for i in c.days:
        window = orders[max(0, i - 28) : i]
        window = window[np.isfinite(window)]
        if window.size < 14 or not np.isfinite(orders[i]):
            continue
        usual = float(np.mean(window))
        high = max(rule["ratio"] * usual, rule["min_orders"] - 1)
        if orders[i] > high and not c.gated(rule, "refund_orders", i):
            severity = "critical" if orders[i] > 2 * high else "warning"
            amount = c.series.value("refund_amount", i)  # the share of the day's refunds above usual
            excess = None if amount is None else amount * (1 - usual / float(orders[i]))
            hits.append(
                Hit(
                    "refund_orders",
                    i,
                    float(orders[i]),
                    0.0,
                    high,
                    severity,
                    "refund_jump",
                    "up",
                    center=usual,
                    basis=c.basis("refund_orders", i),
                    impact=excess,
                )
            )
    return hits


def _roi(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    roi, spend, hits = c.series.array("ad_roi"), c.series.array("ad_spend"), []
    for i in c.days:
        if not np.isfinite(roi[i]) or not spend[i] >= rule["min_spend"] or roi[i] >= rule["threshold"]:
            continue
        if not c.gated(rule, "ad_roi", i):
            short = (rule["threshold"] - float(roi[i])) * float(spend[i])  # ad sales short of break-even
            hits.append(
                Hit(
                    "ad_roi",
                    i,
                    float(roi[i]),
                    rule["threshold"],
                    None,
                    "warning",
                    "roi",
                    "down",
                    center=rule["threshold"],
                    impact=short,
                )
            )
    return hits


def _affiliate_jump(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    commission, hits = c.series.array("affiliate_commission"), []
    for i in c.days:
        window = commission[max(0, i - 7) : i]
        window = window[np.isfinite(window)]
        if window.size < 4 or not np.isfinite(commission[i]):
            continue
        usual = float(np.median(window))
        if commission[i] < rule["ratio"] * usual or commission[i] - usual < rule["min_increase"]:
            continue
        if not c.gated(rule, "affiliate_commission", i):
            high = rule["ratio"] * usual
            hits.append(
                Hit(
                    "affiliate_commission",
                    i,
                    float(commission[i]),
                    0.0,
                    high,
                    "warning",
                    "affiliate_jump",
                    "up",
                    center=usual,
                    basis=c.basis("affiliate_commission", i),
                )
            )
    return hits


def _zero_sales(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    """No sales on a day that had sales in the last 7 — where sales are usual, or with no history to say."""
    gmv, hits = c.series.array("gmv"), []
    for i in c.days:
        usual, recent = c.series.typical("gmv", i), gmv[max(0, i - 7) : i]
        if gmv[i] != 0 or not np.nansum(recent) > 0 or (usual is not None and usual <= 0):
            continue
        center = c.series.usual("gmv", i)
        if center is None or c.gated(rule, "gmv", i):
            continue
        hits.append(
            Hit(
                "gmv",
                i,
                0.0,
                None,
                None,
                "critical",
                "zero_sales",
                "down",
                center=center,
                basis=c.basis("gmv", i),
            )
        )
    return hits


def _dsr_drop(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    hits = []
    for key in DSR_KEYS:
        score = c.series.array(key)
        for i in c.days:
            previous = _previous_known(score, i, 3)
            if previous is None or not np.isfinite(score[i]) or previous - score[i] < rule["threshold"]:
                continue
            low = previous - rule["threshold"]
            hits.append(
                Hit(key, i, float(score[i]), low, None, "warning", "dsr_drop", "down", center=previous)
            )
    return hits


RULES = {
    "gmv_change": _gmv_change,
    "refund_rate": _refund_rate,
    "refund_jump": _refund_jump,
    "conversion_drop": _conversion_drop,
    "roi": _roi,
    "affiliate_jump": _affiliate_jump,
    "zero_sales": _zero_sales,
    "dsr_drop": _dsr_drop,
}


def rule_hits(series: ShopSeries, days: Sequence[int], baseline: Sequence[Hit]) -> list[Hit]:
    """The enabled rule presets of ``alerts.rules`` (see :mod:`config`)."""
    context = RuleContext(series, days, baseline)
    hits: list[Hit] = []
    for key, check in RULES.items():
        rule = series.settings.rule(key)
        if rule is not None:
            hits += check(context, rule)
    return hits


def _previous_known(values: Array, index: int, reach: int) -> float | None:
    for j in range(index - 1, max(-1, index - reach - 1), -1):
        if np.isfinite(values[j]):
            return float(values[j])
    return None


def channel_roi_hits(
    series: ShopSeries,
    days: Sequence[int],
    spend: Mapping[str, Array],
    ad_gmv: Mapping[str, Array],
) -> list[Hit]:
    """A channel's ROI over the last 7 days falls below the threshold (the day it crosses)."""
    rule = series.settings.rule("roi")
    if rule is None:
        return []
    hits = []
    for channel, daily_spend in spend.items():
        spend7 = _rolling_sum(daily_spend)
        gmv7 = _rolling_sum(ad_gmv[channel])
        with np.errstate(divide="ignore", invalid="ignore"):
            roi7 = np.where(spend7 >= rule["channel_min_spend"], gmv7 / spend7, np.nan)
        below = roi7 < rule["threshold"]
        for i in days:
            if below[i] and not (i > 0 and below[i - 1]):
                hits.append(
                    Hit(
                        "ad_roi",
                        i,
                        float(roi7[i]),
                        rule["threshold"],
                        None,
                        "warning",
                        "channel_roi",
                        "down",
                        None,
                        channel,
                        center=rule["threshold"],
                        impact=(rule["threshold"] - float(roi7[i])) * float(spend7[i]),
                    )
                )
    return hits


def _rolling_sum(values: Array, window: int = 7) -> Array:
    filled = np.nan_to_num(values, nan=0.0)
    cumulative = np.concatenate([[0.0], np.cumsum(filled)])
    result: Array = cumulative[window:] - cumulative[:-window]
    return np.concatenate([np.full(min(window - 1, values.size), np.nan), result])[: values.size]
