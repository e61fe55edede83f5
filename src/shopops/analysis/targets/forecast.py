"""Forecasting a period's end value from a daily series: a method chosen by backtest, and a range
that says how sure it is.

- **Candidates** (see ``forecast_methods``): 同星期基线×去年同期, 同星期基线, 近7天水平,
  近14天趋势(阻尼) — each where its history suffices.
- **Choice by backtest.** Each candidate forecasts the same horizon (the days left in the period)
  from the 91 latest earlier as-of days whose following days are known, and is compared with what
  happened: error = Σ|forecast − actual| / Σ actual over the as-of days every candidate could use
  (at least 3). The steadier method (in the order above) is kept unless another one's error is
  below 4/5 of its — or, for the seasonal one, below half of its: last year's same days know a
  season (618, 双11) that backtests of calm weeks cannot show; with last year known but too few
  backtests to compare, the seasonal method is used.
- **Range** (nominally 80 %): quantiles of the chosen method's backtest errors (actual / forecast
  − 1). Neighbouring as-of days share most of their horizon (a 20-day horizon shares 19 days with
  the next), so their errors move together: 91 backtests hold about 91 / horizon independent ones,
  and their 10th–90th percentiles covered only 70–79 % of the demo's month totals. The range takes
  the quantiles 1 − p … p with p = 0.9 × (1 + 1 / that effective count) (the finite-sample
  correction of a conformal prediction interval), so a long horizon gets the whole span of errors.
  Only backtests whose forecast is within ×10 of today's lend their errors: a relative error of a
  forecast made at a level since gone (a shop that sold ¥100 a day in a collapse) says nothing of
  today's.
- **After a level shift** (``level_shift``) the methods read the days since it and the weekday
  profile is flat (weeks at two levels tell nothing of the weekdays). The range is widened and the
  note says so (“近期水平突变 … 区间已放宽”): it spans the extreme errors of the backtests whose
  horizon straddled the shift (how wrong a forecast was across it) as well as the quantiles — with
  fewer than 8 backtests, the whole span of their errors (at least 3) — and every scenario: each
  other method's forecast (the new level holding, or still moving) and the forecast made the day
  before the shift (the old level coming back).
- **Too little history**: no backtest, no range (shown "—"), and the note says why.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopops.analysis.targets.forecast_methods import (
    METHODS,
    RECENT,
    SEASONAL,
    TREND,
    WEEKDAY,
    History,
    Series,
)
from shopops.analysis.targets.level_shift import LevelShift

BACKTESTS = 91
MIN_BACKTESTS = 8  # for quantiles
MIN_SHIFT_BACKTESTS = 3  # after a shift: the whole span of at least this many errors
MIN_SELECT = 3  # backtests a method needs to be compared
MARGIN = 0.8  # another method replaces the steadier one below this share of its error …
SEASONAL_MARGIN = 0.5  # … and the seasonal one below this share
NOMINAL = 0.8
COMPARABLE = 10.0  # backtest forecasts within this factor of today's lend their errors

__all__ = [
    "RECENT",
    "SEASONAL",
    "TREND",
    "WEEKDAY",
    "Forecast",
    "History",
    "Series",
    "choose",
    "forecast_days",
    "forecast_with_range",
    "interval",
    "known_sum",
    "scored",
]


@dataclass(frozen=True)
class Forecast:
    """The forecast of the days after the as-of day (not the achieved part)."""

    remaining: float
    method: str
    low: float | None = None  # the backtest range of ``remaining``; None when too few backtests
    high: float | None = None
    backtests: int = 0
    basis: str = ""  # why this method, and why there is no range when there is none
    shift: LevelShift | None = None

    @property
    def note(self) -> str:
        """The method's basis and, after a level shift, that the range was widened."""
        parts = (self.basis, self.shift.text() if self.shift else "")
        return "；".join(text for text in parts if text)


@dataclass(frozen=True)
class Scored:
    """A method's backtests at one horizon: origin → (forecast, actual)."""

    method: str
    made: dict[dt.date, tuple[float, float]]

    @property
    def errors(self) -> dict[dt.date, float]:
        """origin → actual / forecast − 1, where the forecast is above 0."""
        return {origin: actual / made - 1 for origin, (made, actual) in self.made.items() if made > 0}

    def comparable(self, made: float) -> dict[dt.date, float]:
        """The errors of the forecasts within ×10 of ``made`` either way: a relative error of a
        forecast of another size (made at a level since gone) says little about this one."""
        return {
            origin: actual / forecast - 1
            for origin, (forecast, actual) in self.made.items()
            if forecast > 0 and made / COMPARABLE <= forecast <= made * COMPARABLE
        }

    def error(self, origins: Iterable[dt.date]) -> float | None:
        """Σ|forecast − actual| / Σ|actual| over ``origins``."""
        off = total = 0.0
        for origin in origins:
            made, actual = self.made[origin]
            off, total = off + abs(made - actual), total + abs(actual)
        return off / total if total > 0 else None


def as_history(series: Series | History) -> History:
    return series if isinstance(series, History) else History(series)


def known_sum(series: Series | History, first: dt.date, last: dt.date) -> float | None:
    """The sum over the days, or None when any day is unknown."""
    return as_history(series).total(first, last)


def scored(history: History, method: str, as_of: dt.date, horizon: int) -> Scored:
    """The ``method``'s forecasts of ``horizon`` days made at the 91 latest as-of days whose
    following ``horizon`` days are all known by ``as_of``, with what happened."""
    made: dict[dt.date, tuple[float, float]] = {}
    for back in range(BACKTESTS):
        origin = as_of - dt.timedelta(days=horizon + back)
        if origin < history.first:
            break
        forecast = history.forecast(method, origin, horizon)
        actual = history.total(origin + dt.timedelta(days=1), origin + dt.timedelta(days=horizon))
        if forecast is not None and actual is not None:
            made[origin] = (forecast, actual)
    return Scored(method, made)


@dataclass(frozen=True)
class Choice:
    method: str
    scored: Scored
    basis: str


def choose(history: History, as_of: dt.date, horizon: int) -> Choice | None:
    """The method for ``horizon`` days after ``as_of`` (see the module); None when none applies."""
    usable = [m for m in METHODS if history.forecast(m, as_of, horizon) is not None]
    if not usable:
        return None
    found = {method: scored(history, method, as_of, horizon) for method in usable}
    ranked = [m for m in usable if len(found[m].made) >= MIN_SELECT]
    if SEASONAL in usable and SEASONAL not in ranked:
        count = len(found[SEASONAL].made)
        basis = f"有去年同期数据，按去年同日预测（{horizon} 天跨度的回测{_only(count)}，不足以比较方法）"
        return Choice(SEASONAL, found[SEASONAL], basis)
    if not ranked:
        count = max(len(f.made) for f in found.values())
        basis = f"历史太短：{horizon} 天跨度的回测{_only(count)}，不足以比较方法，暂用{usable[0]}"
        return Choice(usable[0], found[usable[0]], basis)
    common = set.intersection(*(set(found[m].made) for m in ranked))
    origins = {m: common if len(common) >= MIN_SELECT else set(found[m].made) for m in ranked}
    errors = {m: found[m].error(origins[m]) for m in ranked}
    best = ranked[0]
    for method in ranked[1:]:
        margin = SEASONAL_MARGIN if best == SEASONAL else MARGIN
        if _below(errors[method], errors[best], margin):
            best = method
    others = "、".join(f"{m} {_percent(errors[m])}" for m in ranked if m != best)
    basis = f"按 {len(origins[best])} 次同跨度（{horizon} 天）回测选出，误差 {_percent(errors[best])}" + (
        f"（{others}）" if others else ""
    )
    return Choice(best, found[best], basis)


def _only(count: int) -> str:
    return "一次也没有" if count == 0 else f"仅 {count} 次"


def _no_range(basis: str, scored: Scored, kept: int, needed: int) -> str:
    """The basis with why there is no range: too few backtests (of a comparable size)."""
    apart = len(scored.made) - kept
    aside = f"，另有 {apart} 次预测与本次相差 10 倍以上，不计" if apart else ""
    return f"{basis}；不给区间：可用的回测{_only(kept)}（需 {needed} 次{aside}）"


def _below(error: float | None, incumbent: float | None, margin: float) -> bool:
    if error is None:
        return False
    return incumbent is None or error < incumbent * margin


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _chosen(series: Series | History, as_of: dt.date, end: dt.date) -> tuple[History, Choice, float] | None:
    """The history, the method backtests choose for the days after ``as_of`` through ``end``, and
    its forecast; None when the recent history is too thin for any method."""
    history = as_history(series)
    chosen = choose(history, as_of, (end - as_of).days)
    if chosen is None:
        return None
    made = history.forecast(chosen.method, as_of, (end - as_of).days)
    assert made is not None
    return history, chosen, made


def forecast_days(series: Series | History, as_of: dt.date, end: dt.date) -> Forecast | None:
    """The sum of the days after ``as_of`` through ``end`` by the method backtests choose (no range);
    None when the recent history is too thin for any method."""
    if end <= as_of:
        return Forecast(0.0, WEEKDAY)
    found = _chosen(series, as_of, end)
    if found is None:
        return None
    history, chosen, made = found
    return Forecast(made, chosen.method, basis=chosen.basis, shift=history.shift(as_of))


def forecast_with_range(series: Series | History, as_of: dt.date, end: dt.date) -> Forecast | None:
    """The forecast of the remaining days with its range (see the module), or None."""
    if end <= as_of:
        return Forecast(0.0, WEEKDAY)
    found = _chosen(series, as_of, end)
    if found is None:
        return None
    history, chosen, made = found
    method, basis, horizon = chosen.method, chosen.basis, (end - as_of).days
    errors = chosen.scored.comparable(made)
    shift = history.shift(as_of)
    if shift is not None:
        return _after_shift(history, chosen, made, errors, shift, as_of, end)
    span = interval(list(errors.values()), horizon)
    if span is None:
        basis = _no_range(basis, chosen.scored, len(errors), MIN_BACKTESTS)
        return Forecast(made, method, backtests=len(errors), basis=basis)
    # A forecast whose past errors all lean one way keeps its point inside the range it is shown with.
    low, high = min(made, made * (1 + span[0])), max(made, made * (1 + span[1]))
    return Forecast(made, method, low, high, len(errors), basis)


def _after_shift(
    history: History,
    chosen: Choice,
    made: float,
    errors: dict[dt.date, float],
    shift: LevelShift,
    as_of: dt.date,
    end: dt.date,
) -> Forecast:
    """The range after a level shift: the backtest errors with those of the backtests that straddled
    the shift at their extremes, and every scenario (see the module)."""
    horizon = (end - as_of).days
    if len(errors) < MIN_SHIFT_BACKTESTS:
        basis = _no_range(chosen.basis, chosen.scored, len(errors), MIN_SHIFT_BACKTESTS)
        return Forecast(made, chosen.method, backtests=len(errors), basis=basis, shift=shift)
    span = interval(list(errors.values()), horizon) or (min(errors.values()), max(errors.values()))
    first = shift.day - dt.timedelta(days=horizon)
    across = [error for origin, error in errors.items() if first <= origin < shift.day]
    low, high = min(span[0], *across, 0.0), max(span[1], *across, 0.0)
    scenarios = [made * (1 + low), made * (1 + high), *scenario_forecasts(history, shift, as_of, end)]
    return Forecast(made, chosen.method, min(scenarios), max(scenarios), len(errors), chosen.basis, shift)


def scenario_forecasts(history: History, shift: LevelShift, as_of: dt.date, end: dt.date) -> list[float]:
    """After a shift, what else may happen to the days after ``as_of``: each other method's forecast
    (the new level holding, or still moving) and the forecast made the day before the shift (the
    old level coming back)."""
    horizon = (end - as_of).days
    found = [made for m in METHODS if (made := history.forecast(m, as_of, horizon)) is not None]
    origin = shift.day - dt.timedelta(days=1)
    to_end, to_as_of = (end - origin).days, (as_of - origin).days
    for method in METHODS:
        whole = history.forecast(method, origin, to_end)
        before = history.forecast(method, origin, to_as_of)
        if whole is not None and before is not None:
            found.append(max(0.0, whole - before))
            break
    return [value for value in found if math.isfinite(value)]


def interval(errors: Sequence[float], horizon: int) -> tuple[float, float] | None:
    """The nominal-80 % span of relative errors at ``horizon`` (see the module), or None with fewer
    than 8 of them."""
    if len(errors) < MIN_BACKTESTS:
        return None
    ordered = sorted(errors)
    effective = max(1.0, len(ordered) / max(1, horizon))
    upper = min(1.0, (1 + NOMINAL) / 2 * (1 + 1 / effective))
    return _quantile(ordered, 1 - upper), _quantile(ordered, upper)


def _quantile(ordered: Sequence[float], level: float) -> float:
    position = level * (len(ordered) - 1)
    index = min(int(position), len(ordered) - 1)
    if index + 1 >= len(ordered):
        return ordered[index]
    fraction = position - index
    return ordered[index] * (1 - fraction) + ordered[index + 1] * fraction
