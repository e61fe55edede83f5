"""Rules for days no baseline can judge: a collapse that lasts, and the day sales come back.

The same-weekday baseline needs ``min_weeks`` weeks of history. Before that — a new shop, a
first import, a month of orders — a single 环比 rule would see only the first day of a collapse
(¥12,505 → ¥342), then fall silent on ¥22 days because the day before was small too. Here the
reference is the **level**: the median of the latest 7 ordinary days of the last 14 (days judged
low are left out, so the level stays where it was before the collapse). A day below
``(1 − threshold) ×`` level is low (``gmv_level``); the first day back at the level after low days
is a recovery (``gmv_recovery``). The parameters are those of the ``gmv_change`` rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import median

import numpy as np

from shopops.analysis.anomalies.rules import Hit, RuleContext
from shopops.analysis.anomalies.series import ShopSeries

LEVEL_DAYS = 7  # ordinary days the level is the median of …
LEVEL_REACH = 14  # … looked for among this many days before
MIN_LEVEL_DAYS = 3


def cold_start_hits(series: ShopSeries, days: Sequence[int], baseline: Sequence[Hit]) -> list[Hit]:
    rule = series.settings.rule("gmv_change")
    return [] if rule is None else level_hits(RuleContext(series, days, baseline), rule)


def level_hits(c: RuleContext, rule: Mapping[str, float]) -> list[Hit]:
    """Low days and recoveries against the recent level, on days the baseline cannot judge."""
    if not c.days:
        return []
    gmv, threshold = c.series.array("gmv"), rule["threshold"]
    window = set(c.days)
    low: set[int] = set()
    hits: list[Hit] = []
    # Walk from before the window: a collapse that began earlier still sets the level.
    for i in range(max(0, min(c.days) - 4 * LEVEL_REACH), max(c.days) + 1):
        if not np.isfinite(gmv[i]):
            continue  # an unknown day is neither low nor ordinary
        ordinary = [
            float(gmv[j]) for j in range(max(0, i - LEVEL_REACH), i) if j not in low and np.isfinite(gmv[j])
        ][-LEVEL_DAYS:]
        if len(ordinary) < MIN_LEVEL_DAYS or (level := median(ordinary)) < rule["min_base"]:
            continue
        floor, ceiling = level * (1 - threshold), level * (1 + threshold)
        value = float(gmv[i])
        report = i in window and not c.judged("gmv", i)
        if value < floor * c.lift(i)[0]:
            low.add(i)
            if report:
                severity = "critical" if value < level * (1 - 2 * threshold) else "warning"
                hits.append(_hit(c, i, value, floor, ceiling, severity, "gmv_level", "down", level))
        elif i - 1 in low and report:
            hits.append(_hit(c, i, value, floor, ceiling, "info", "gmv_recovery", "up", level))
    return hits


def _hit(
    c: RuleContext,
    index: int,
    value: float,
    low: float,
    high: float,
    severity: str,
    rule: str,
    direction: str,
    level: float,
) -> Hit:
    return Hit(
        "gmv", index, value, low, high, severity, rule, direction, center=level, basis=c.basis("gmv", index)
    )
