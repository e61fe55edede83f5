"""Level shifts (水平突变): the latest days of a series at a level of their own.

A series that collapsed or took off a few days ago is not forecast from the weeks before it, and
its forecast range is not the range of calm times (see ``forecast``). A shift is the split of the
last weeks into *before* (up to 14 days) and *after* (at least 3 days, through the as-of day) whose
two groups differ the most by a rank test (Mann–Whitney U, two-sided p < 0.01: robust to a single
odd day) and whose medians differ at least ×1.5 either way. The values compared are weekday-adjusted
levels, or — where last year's same days are known — the year-over-year ratios, so that a season
(双11 warm-up, 年货节) that last year had too is not a shift.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

MIN_AFTER = 3  # days at the new level: one odd day is an anomaly, not a shift
MAX_AFTER = 14  # a shift older than two weeks is part of the recent history
MIN_BEFORE = 7
BEFORE_DAYS = 14
MAX_P = 0.01
MIN_RATIO = 1.5
LOOKBACK = MAX_AFTER + BEFORE_DAYS  # days of values the test reads, through the as-of day


@dataclass(frozen=True)
class LevelShift:
    day: dt.date  # first day at the new level
    before: float  # median before (a level, or a year-over-year ratio)
    after: float  # median since ``day``
    p_value: float
    basis: str  # 水平 (weekday-adjusted level) or 同比 (ratio to last year's same days)

    @property
    def ratio(self) -> float:
        """after / before; infinite when the level rose from zero."""
        if self.before <= 0:
            return math.inf
        return self.after / self.before

    def text(self) -> str:
        """One line for the pace output: when, which way and how much."""
        ratio = self.ratio
        size = "从 0 起" if math.isinf(ratio) else f"约 ×{ratio:.2f}" if ratio < 1 else f"约 ×{ratio:.1f}"
        way = "上升" if ratio > 1 else "下降"
        kind = "同比" if self.basis == "同比" else "水平"
        return f"近期{kind}突变：{self.day.isoformat()} 起{way}（{size}），区间已放宽"


def detect(points: Sequence[tuple[dt.date, float]], as_of: dt.date, basis: str = "水平") -> LevelShift | None:
    """The most significant shift whose new level starts 3–14 days before ``as_of`` (inclusive);
    ``points`` are the known (day, value) pairs, in any order, of the days up to ``as_of``."""
    first = as_of - dt.timedelta(days=LOOKBACK - 1)
    ordered = sorted((day, value) for day, value in points if first <= day <= as_of)
    days = [day for day, _ in ordered]
    values = [value for _, value in ordered]
    best: LevelShift | None = None
    for back in range(MIN_AFTER - 1, MAX_AFTER):
        start = as_of - dt.timedelta(days=back)
        split = bisect_left(days, start)
        after = values[split:]
        before = values[bisect_left(days, start - dt.timedelta(days=BEFORE_DAYS)) : split]
        if len(after) < MIN_AFTER or len(after) < (back + 1) * 2 / 3 or len(before) < MIN_BEFORE:
            continue
        low, high = statistics.median(before), statistics.median(after)
        if not _far_apart(low, high):
            continue
        p_value = rank_test(after, before)
        if p_value < MAX_P and (best is None or p_value < best.p_value):
            best = LevelShift(start, low, high, p_value, basis)
    return best


def _far_apart(before: float, after: float) -> bool:
    small, large = sorted((before, after))
    if large <= 0:
        return False
    return small <= 0 or large / small >= MIN_RATIO


def rank_test(first: Sequence[float], second: Sequence[float]) -> float:
    """Two-sided p-value of the Mann–Whitney U test (normal approximation with a tie correction)."""
    n1, n2 = len(first), len(second)
    ranked = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks = [0.0] * len(ranked)
    ties = 0.0
    index = 0
    while index < len(ranked):
        end = index
        while end + 1 < len(ranked) and ranked[end + 1][0] == ranked[index][0]:
            end += 1
        for position in range(index, end + 1):
            ranks[position] = (index + end) / 2 + 1
        size = end - index + 1
        ties += size**3 - size
        index = end + 1
    rank_sum = sum(rank for rank, (_, group) in zip(ranks, ranked, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    total = n1 + n2
    variance = n1 * n2 / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)  # continuity-corrected
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))
