"""How good the period-end forecast has been: backtests over complete past periods.

For each period and each of its days (as-of day 1 … n−1): achieved so far + the forecast of the
remaining days, against the period's actual total — the MAPE, how often the actual fell inside the
range (coverage, nominally 80 %), how wide the range was, and which methods were chosen. Read by
``benchmarks/forecast_backtest.py`` and the tests; not on any user path.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shopops.analysis.targets.forecast import as_history, forecast_days, forecast_with_range
from shopops.analysis.targets.forecast_methods import History, Series
from shopops.analysis.targets.periods import TargetPeriod, same_day_last_year
from shopops.analysis.targets.ratio_forecast import forecast_ratio


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
    ranged: int = 0  # forecasts with a range
    width: float | None = None  # mean (high − low) / actual over the forecasts with a range
    shifted: int = 0  # forecasts made after a detected level shift
    methods: dict[str, int] = field(default_factory=dict)  # how often each method was chosen


def backtest(series: Series | History, periods: Sequence[TargetPeriod], *, ranges: bool = True) -> Backtest:
    """Forecast each period's total from each of its days (as-of day 1 … n−1) and compare."""
    history = as_history(series)
    errors: list[tuple[TargetPeriod, float, float]] = []  # (period, share elapsed, APE)
    naive: dict[TargetPeriod, float] = {}
    inside = shifted = 0
    widths: list[float] = []
    methods: dict[str, int] = {}
    for period in periods:
        actual = history.total(period.start, period.end)
        if actual is None or actual <= 0:
            continue
        before = history.total(same_day_last_year(period.start), same_day_last_year(period.end))
        if before is not None:
            naive[period] = abs(before - actual) / actual
        for offset in range((period.end - period.start).days):
            as_of = period.start + dt.timedelta(days=offset)
            achieved = history.total(period.start, as_of)
            made = (forecast_with_range if ranges else forecast_days)(history, as_of, period.end)
            if achieved is None or made is None:
                continue
            methods[made.method] = methods.get(made.method, 0) + 1
            shifted += made.shift is not None
            total = achieved + made.remaining
            errors.append((period, period.time_progress(as_of), abs(total - actual) / actual))
            if made.low is not None and made.high is not None:
                widths.append((made.high - made.low) / actual)
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
        coverage=inside / len(widths) if widths else None,
        by_elapsed={name: statistics.fmean(values) for name, values in sorted(buckets.items())},
        ranged=len(widths),
        width=_mean(widths),
        shifted=shifted,
        methods=methods,
    )


@dataclass(frozen=True)
class RatioBacktest:
    """Errors of a ratio's period-end forecasts (the ratio recomputed from its forecast parts)."""

    forecasts: int
    mape: float | None  # mean |forecast − actual| / actual of the period's ratio
    ranged: int
    coverage: float | None
    width: float | None  # mean (high − low) / actual


def ratio_backtest(
    numerator: Series | History, denominator: Series | History, periods: Sequence[TargetPeriod]
) -> RatioBacktest:
    """Forecast each period's ratio from each of its days (as-of day 1 … n−1) and compare."""
    top, bottom = as_history(numerator), as_history(denominator)
    errors: list[float] = []
    widths: list[float] = []
    inside = 0
    for period in periods:
        upper, lower = top.total(period.start, period.end), bottom.total(period.start, period.end)
        if upper is None or not lower or upper / lower == 0:
            continue
        actual = upper / lower
        for offset in range((period.end - period.start).days):
            as_of = period.start + dt.timedelta(days=offset)
            made = forecast_ratio(top, bottom, period.start, as_of, period.end)
            if made is None:
                continue
            errors.append(abs(made.value - actual) / abs(actual))
            if made.low is not None and made.high is not None:
                widths.append((made.high - made.low) / abs(actual))
                inside += made.low <= actual <= made.high
    return RatioBacktest(
        forecasts=len(errors),
        mape=_mean(errors),
        ranged=len(widths),
        coverage=inside / len(widths) if widths else None,
        width=_mean(widths),
    )


def _mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return statistics.fmean(found) if found else None
