"""Forecasting a period's end value from a daily series, with an interval from backtests.

The forecast of the days still to come (after the as-of day, through the period's end):

- a **weekday profile** — the median of each weekday over the last 8 weeks, relative to their mean
  (medians, so that a promo day does not tilt its weekday);
- with **last year's history** for the recent 28 days and every remaining day: last year's value on
  the same calendar day (so 双11 meets 双11), taken out of its weekday and put into the target
  day's, scaled by the year-over-year growth of the recent 28 days (``同星期基线×去年同期``);
- without it: the median weekday-adjusted level of the recent 28 days on the target day's weekday
  (``同星期基线``).

The range comes from the same forecast (same method) made at the 91 latest earlier as-of days over
the same horizon, compared with what happened: the 10th–90th percentile of the relative errors
(nominally 80%; the errors of neighbouring days are correlated, so it covers less — about 70% in the
demo backtest, see benchmarks/forecast_backtest.py). Unknown when fewer than 8 backtests fit.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shopops.analysis.targets.periods import TargetPeriod, same_day_last_year

Series = Mapping[dt.date, float | None]

WINDOW_DAYS = 28
PROFILE_WEEKS = 8
MIN_WINDOW_DAYS = 20
MIN_PER_WEEKDAY = 3
BACKTESTS = 91
MIN_BACKTESTS = 8
SEASONAL = "同星期基线×去年同期"
WEEKDAY = "同星期基线"
FLAT = (1.0,) * 7


@dataclass(frozen=True)
class Forecast:
    """The forecast of the days after the as-of day (not the achieved part)."""

    remaining: float
    method: str
    low: float | None = None  # the backtest range of ``remaining``; None when too few backtests
    high: float | None = None
    backtests: int = 0


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


def weekday_profile(series: Series, as_of: dt.date) -> Sequence[float]:
    """Each weekday's median over the last 8 weeks relative to their mean; flat when it cannot be known."""
    values: list[list[float]] = [[] for _ in range(7)]
    for day in _days(as_of - dt.timedelta(days=PROFILE_WEEKS * 7 - 1), as_of):
        value = series.get(day)
        if value is not None:
            values[day.weekday()].append(value)
    if any(len(found) < MIN_PER_WEEKDAY for found in values):
        return FLAT
    medians = [statistics.median(found) for found in values]
    if min(medians) <= 0:
        return FLAT  # a series that can be negative (net profit) gets no multiplicative profile
    mean = sum(medians) / 7
    return tuple(m / mean for m in medians)


def forecast_days(series: Series, as_of: dt.date, end: dt.date) -> Forecast | None:
    """The sum of the days after ``as_of`` through ``end``; None when the recent history is too thin."""
    if end <= as_of:
        return Forecast(0.0, WEEKDAY)
    window = [
        (day, value)
        for day in _days(as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of)
        if (value := series.get(day)) is not None
    ]
    if len(window) < MIN_WINDOW_DAYS:
        return None
    profile = weekday_profile(series, as_of)
    ahead = list(_days(as_of + dt.timedelta(days=1), end))
    seasonal = _seasonal(series, window, ahead, profile)
    if seasonal is not None:
        return Forecast(seasonal, SEASONAL)
    level = statistics.median(value / profile[day.weekday()] for day, value in window)
    return Forecast(sum(level * profile[day.weekday()] for day in ahead), WEEKDAY)


def _seasonal(
    series: Series,
    window: Sequence[tuple[dt.date, float]],
    ahead: Sequence[dt.date],
    profile: Sequence[float],
) -> float | None:
    last_year = []
    for day in ahead:
        before = same_day_last_year(day)
        value = series.get(before)
        if value is None:
            return None
        last_year.append((day, before, value))
    now = then = 0.0
    pairs = 0
    for day, value in window:
        before = same_day_last_year(day)
        old = series.get(before)
        if old is None:
            continue
        now += value / profile[day.weekday()]
        then += old / profile[before.weekday()]
        pairs += 1
    if pairs < MIN_WINDOW_DAYS or now <= 0 or then <= 0:
        return None
    growth = now / then
    return sum(
        growth * old / profile[before.weekday()] * profile[day.weekday()] for day, before, old in last_year
    )


def known_sum(series: Series, first: dt.date, last: dt.date) -> float | None:
    """The sum over the days, or None when any day is unknown."""
    total = 0.0
    for day in _days(first, last):
        value = series.get(day)
        if value is None:
            return None
        total += value
    return total


def relative_errors(
    series: Series, as_of: dt.date, horizon: int, method: str, limit: int | None = None
) -> list[float]:
    """actual / forecast − 1 of the same forecast (same ``method``) made at the ``limit`` latest
    as-of days whose ``horizon`` following days are all known by ``as_of``."""
    errors = []
    for back in range(BACKTESTS if limit is None else limit):
        start = as_of - dt.timedelta(days=horizon + back)
        made = forecast_days(series, start, start + dt.timedelta(days=horizon))
        if made is None:
            break  # older as-of days have even less history
        actual = known_sum(series, start + dt.timedelta(days=1), start + dt.timedelta(days=horizon))
        if actual is None or made.remaining <= 0 or made.method != method:
            continue
        errors.append(actual / made.remaining - 1)
    return errors


def forecast_with_range(series: Series, as_of: dt.date, end: dt.date) -> Forecast | None:
    """The forecast of the remaining days with its range (10th–90th percentile of the relative errors of
    the same method over the same horizon at earlier as-of days, widened to contain the forecast)."""
    made = forecast_days(series, as_of, end)
    if made is None or end <= as_of:
        return made
    errors = relative_errors(series, as_of, (end - as_of).days, made.method)
    if len(errors) < MIN_BACKTESTS:
        return Forecast(made.remaining, made.method, backtests=len(errors))
    deciles = statistics.quantiles(errors, n=10, method="inclusive")
    low, high = sorted((made.remaining * (1 + deciles[0]), made.remaining * (1 + deciles[-1])))
    # A forecast whose past errors all lean one way keeps its point inside the range it is shown with.
    low, high = min(low, made.remaining), max(high, made.remaining)
    return Forecast(made.remaining, made.method, low, high, len(errors))


@dataclass(frozen=True)
class Backtest:
    """Errors of period-end forecasts made on every day of complete past periods."""

    periods: int
    forecasts: int
    mape: float | None  # mean |forecast − actual| / actual over every (period, as-of day)
    naive_periods: int
    naive_mape: float | None  # same period last year, over the periods where last year is known
    mape_where_naive: float | None  # this forecast's MAPE over those same periods
    coverage: float | None  # share of actuals inside the backtest range (where a range was known)
    by_elapsed: dict[str, float]  # MAPE by how much of the period had elapsed


def backtest(series: Series, periods: Sequence[TargetPeriod], *, ranges: bool = True) -> Backtest:
    """Forecast each period's total from each of its days (as-of day 1 … n−1) and compare."""
    errors: list[tuple[TargetPeriod, float, float]] = []  # (period, share elapsed, APE)
    naive: dict[TargetPeriod, float] = {}
    inside = checked = 0
    for period in periods:
        actual = known_sum(series, period.start, period.end)
        if actual is None or actual <= 0:
            continue
        before = known_sum(series, same_day_last_year(period.start), same_day_last_year(period.end))
        if before is not None:
            naive[period] = abs(before - actual) / actual
        for as_of in _days(period.start, period.end - dt.timedelta(days=1)):
            achieved = known_sum(series, period.start, as_of)
            made = (forecast_with_range if ranges else forecast_days)(series, as_of, period.end)
            if achieved is None or made is None:
                continue
            errors.append(
                (period, period.time_progress(as_of), abs(achieved + made.remaining - actual) / actual)
            )
            if made.low is not None and made.high is not None:
                checked += 1
                inside += achieved + made.low <= actual <= achieved + made.high
    used = {period for period, _, _ in errors}
    where = [ape for period, _, ape in errors if period in naive]
    buckets: dict[str, list[float]] = {}
    for _, share, ape in errors:
        name = "≤1/3" if share <= 1 / 3 else ("≤2/3" if share <= 2 / 3 else ">2/3")
        buckets.setdefault(name, []).append(ape)
    return Backtest(
        periods=len(used),
        forecasts=len(errors),
        mape=_mean(ape for _, _, ape in errors),
        naive_periods=len(naive),
        naive_mape=_mean(naive.values()),
        mape_where_naive=_mean(where),
        coverage=inside / checked if checked else None,
        by_elapsed={name: statistics.fmean(values) for name, values in sorted(buckets.items())},
    )


def _mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return statistics.fmean(found) if found else None
