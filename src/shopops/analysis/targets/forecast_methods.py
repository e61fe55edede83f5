"""The candidate methods of the period-end forecast, over one daily series (``forecast`` picks one).

Every method forecasts the days after an as-of day from the days up to it, in weekday-adjusted
terms: a **weekday profile** — the median of each weekday over the last 8 weeks relative to their
mean (medians, so that a promo day does not tilt its weekday) — takes the weekday out of the known
days and puts the target day's weekday back.

- ``同星期基线×去年同期`` (seasonal): last year's value on the same calendar day (双11 meets 双11),
  scaled by the year-over-year growth of the recent 28 days; needs last year for them and for
  every day ahead;
- ``同星期基线`` (weekday): the median level of the recent 28 days (20 of them known);
- ``近7天水平`` (recent): the median level of the last 7 days (5 known) — it follows a series that
  moved lately, and is the method of a short history;
- ``近14天趋势(阻尼)`` (trend): the level and slope of the last 14 days (10 known; Theil–Sen: the
  median of the pairwise slopes), the slope fading by ×0.9 a day ahead — for a series on the move.

After a level shift (see ``level_shift``) the recent and trend methods read only the days since it
(at least 3), the seasonal one takes its growth from them, the weekday one — whose 28 days mix both
levels — is not used, and the weekday profile is flat (weeks at two levels tell nothing of the
weekdays: the Tmall file's Saturdays were 14,545 · 342 · 83 · 171,350).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations

from shopops.analysis.targets.level_shift import LOOKBACK, LevelShift, detect
from shopops.analysis.targets.periods import same_day_last_year

Series = Mapping[dt.date, float | None]

SEASONAL = "同星期基线×去年同期"
WEEKDAY = "同星期基线"
RECENT = "近7天水平"
TREND = "近14天趋势(阻尼)"
METHODS = (SEASONAL, WEEKDAY, RECENT, TREND)  # the order of preference (steadiest first)

WINDOW_DAYS = 28
MIN_WINDOW_DAYS = 20
PROFILE_WEEKS = 8
MIN_PER_WEEKDAY = 3
RECENT_DAYS, MIN_RECENT_DAYS = 7, 5
TREND_DAYS, MIN_TREND_DAYS = 14, 10
MIN_SINCE_SHIFT = 3
DAMPING = 0.9
FLAT = (1.0,) * 7

DayValue = Callable[[dt.date], float | None]  # a method's forecast of one day ahead


class History:
    """A daily series and what the forecasts ask of it many times — sums, profiles, shifts and each
    method's path from an as-of day — remembered, so that backtests at many as-of days stay fast."""

    def __init__(self, series: Series) -> None:
        known = [day for day, value in series.items() if value is not None]
        self.first = min(known) if known else dt.date.max
        self.last = max(known) if known else dt.date.min
        size = max(0, (self.last - self.first).days + 1)
        self._values: list[float | None] = [None] * size
        for day in known:
            self._values[(day - self.first).days] = series[day]
        self._sums = [0.0]
        self._gaps = [0]
        for value in self._values:
            self._sums.append(self._sums[-1] + (value or 0.0))
            self._gaps.append(self._gaps[-1] + (value is None))
        self._profiles: dict[dt.date, Sequence[float]] = {}
        self._shifts: dict[dt.date, LevelShift | None] = {}
        self._paths: dict[tuple[str, dt.date], tuple[DayValue, list[float | None]] | None] = {}

    def value(self, day: dt.date) -> float | None:
        index = (day - self.first).days
        return self._values[index] if 0 <= index < len(self._values) else None

    def total(self, first: dt.date, last: dt.date) -> float | None:
        """The sum over the days, or None when any day is unknown."""
        if last < first:
            return 0.0
        start, end = (first - self.first).days, (last - self.first).days + 1
        if start < 0 or end > len(self._values) or self._gaps[end] != self._gaps[start]:
            return None
        return self._sums[end] - self._sums[start]

    def known(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, float]]:
        start = max(first, self.first)
        found = []
        for offset in range((min(last, self.last) - start).days + 1):
            day = start + dt.timedelta(days=offset)
            value = self.value(day)
            if value is not None:
                found.append((day, value))
        return found

    def profile(self, as_of: dt.date) -> Sequence[float]:
        """The weekday profile of ``as_of`` (see the module); flat while a level shift is in effect,
        since weeks at two levels tell nothing about the weekdays."""
        if self.shift(as_of) is not None:
            return FLAT
        return self._weekdays(as_of)

    def _weekdays(self, as_of: dt.date) -> Sequence[float]:
        if as_of not in self._profiles:
            self._profiles[as_of] = self._profile(as_of)
        return self._profiles[as_of]

    def _profile(self, as_of: dt.date) -> Sequence[float]:
        values: list[list[float]] = [[] for _ in range(7)]
        for day, value in self.known(as_of - dt.timedelta(days=PROFILE_WEEKS * 7 - 1), as_of):
            values[day.weekday()].append(value)
        if any(len(found) < MIN_PER_WEEKDAY for found in values):
            return FLAT
        medians = [statistics.median(found) for found in values]
        if min(medians) <= 0:
            return FLAT  # a series that can be negative (net profit) gets no multiplicative profile
        mean = sum(medians) / 7
        return tuple(m / mean for m in medians)

    def levels(
        self, first: dt.date, as_of: dt.date, profile: Sequence[float] | None = None
    ) -> list[tuple[dt.date, float]]:
        """The known days from ``first`` through ``as_of``, weekday-adjusted by the profile of ``as_of``."""
        profile = self.profile(as_of) if profile is None else profile
        return [(day, value / profile[day.weekday()]) for day, value in self.known(first, as_of)]

    def growth(
        self, first: dt.date, as_of: dt.date, profile: Sequence[float] | None = None
    ) -> list[tuple[dt.date, float]]:
        """Year-over-year ratios of the weekday-adjusted days where last year's same day is above 0."""
        profile = self.profile(as_of) if profile is None else profile
        found = []
        for day, value in self.known(first, as_of):
            before = same_day_last_year(day)
            old = self.value(before)
            if old is not None and old > 0:
                found.append((day, value / profile[day.weekday()] / (old / profile[before.weekday()])))
        return found

    def shift(self, as_of: dt.date) -> LevelShift | None:
        """The level shift in effect on ``as_of`` (see ``level_shift``), on year-over-year ratios
        where last year is known for most of the days tested."""
        if as_of not in self._shifts:
            first = as_of - dt.timedelta(days=LOOKBACK - 1)
            weekdays = self._weekdays(as_of)
            ratios = self.growth(first, as_of, weekdays)
            if len(ratios) >= LOOKBACK * 3 // 4:
                self._shifts[as_of] = detect(ratios, as_of, "同比")
            else:
                self._shifts[as_of] = detect(self.levels(first, as_of, weekdays), as_of)
        return self._shifts[as_of]

    def forecast(self, method: str, as_of: dt.date, horizon: int) -> float | None:
        """The sum of the ``horizon`` days after ``as_of`` by ``method``; None where it does not apply."""
        if horizon <= 0:
            return 0.0
        key = (method, as_of)
        if key not in self._paths:
            path = METHOD_PATHS[method](self, as_of)
            self._paths[key] = None if path is None else (path, [0.0])
        found = self._paths[key]
        if found is None:
            return None
        path, sums = found
        while len(sums) <= horizon:
            previous = sums[-1]
            value = None if previous is None else path(as_of + dt.timedelta(days=len(sums)))
            sums.append(None if previous is None or value is None else previous + value)
        return sums[horizon]


def _since(history: History, as_of: dt.date, days: int) -> tuple[dt.date, int]:
    """The first day of a method's window of ``days`` and the known days it needs — after a level
    shift, the days since it (at least 3 of them, all known)."""
    first = as_of - dt.timedelta(days=days - 1)
    shift = history.shift(as_of)
    if shift is not None and shift.day > first:
        return shift.day, max(MIN_SINCE_SHIFT, (as_of - shift.day).days + 1)
    return first, 0


def _level_path(history: History, as_of: dt.date, level: float) -> DayValue:
    profile = history.profile(as_of)
    return lambda day: level * profile[day.weekday()]


def weekday_path(history: History, as_of: dt.date) -> DayValue | None:
    if history.shift(as_of) is not None:
        return None  # its 28 days mix the old level and the new
    window = history.levels(as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of)
    if len(window) < MIN_WINDOW_DAYS:
        return None
    return _level_path(history, as_of, statistics.median(value for _, value in window))


def recent_path(history: History, as_of: dt.date) -> DayValue | None:
    first, needed = _since(history, as_of, RECENT_DAYS)
    window = history.levels(first, as_of)
    if len(window) < (needed or MIN_RECENT_DAYS):
        return None
    return _level_path(history, as_of, statistics.median(value for _, value in window))


def trend_path(history: History, as_of: dt.date) -> DayValue | None:
    first, needed = _since(history, as_of, TREND_DAYS)
    window = history.levels(first, as_of)
    if len(window) < (needed or MIN_TREND_DAYS) or len(window) < MIN_SINCE_SHIFT:
        return None
    offsets = [((day - as_of).days, value) for day, value in window]
    slope = statistics.median((b - a) / (t - s) for (s, a), (t, b) in combinations(offsets, 2))
    level = statistics.median(value - slope * offset for offset, value in offsets)
    profile = history.profile(as_of)

    def path(day: dt.date) -> float:
        ahead = (day - as_of).days
        moved = slope * DAMPING * (1 - DAMPING**ahead) / (1 - DAMPING)
        return max(0.0, level + moved) * profile[day.weekday()]

    return path


def seasonal_path(history: History, as_of: dt.date) -> DayValue | None:
    first, needed = _since(history, as_of, WINDOW_DAYS)
    ratios = history.growth(first, as_of)
    if len(ratios) < (needed or MIN_WINDOW_DAYS):
        return None
    profile = history.profile(as_of)
    now = then = 0.0
    for day, _ in ratios:
        before = same_day_last_year(day)
        now += _value(history, day) / profile[day.weekday()]
        then += _value(history, before) / profile[before.weekday()]
    if now <= 0 or then <= 0 or not math.isfinite(now / then):
        return None
    growth = now / then

    def path(day: dt.date) -> float | None:
        before = same_day_last_year(day)
        old = history.value(before)
        if old is None:
            return None
        return growth * old / profile[before.weekday()] * profile[day.weekday()]

    return path


def _value(history: History, day: dt.date) -> float:
    value = history.value(day)
    assert value is not None  # only days known on both sides are passed
    return value


METHOD_PATHS: dict[str, Callable[[History, dt.date], DayValue | None]] = {
    SEASONAL: seasonal_path,
    WEEKDAY: weekday_path,
    RECENT: recent_path,
    TREND: trend_path,
}
