"""The period-end forecast of a ratio target (转化率, 退款率, ROI, 客单价 …).

A ratio is never averaged: the period's ratio is recomputed from the forecast sums of its parts,
(numerator so far + numerator forecast) / (denominator so far + denominator forecast), each part
forecast by its own method (see ``forecast``). The range comes from the ratio of the remaining days
— its backtest errors at earlier as-of days over the same horizon, by the same two methods, taken
like those of a sum (nominally 80 %) — combined with the range of the denominator (how much weight
the remaining days get). No range without enough backtests; after a level shift in either part the
range spans all their errors (at least 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shopops.analysis.targets.forecast import (
    BACKTESTS,
    COMPARABLE,
    MIN_SHIFT_BACKTESTS,
    Forecast,
    forecast_with_range,
    interval,
)
from shopops.analysis.targets.forecast_methods import History, Series

NOTE = "比率 = 分子合计 / 分母合计，各自按已完成 + 剩余天数的预测重新计算（不平均日比率）"


@dataclass(frozen=True)
class RatioForecast:
    value: float  # the period's ratio
    low: float | None
    high: float | None
    method: str
    note: str


def forecast_ratio(
    numerator: Series | History,
    denominator: Series | History,
    start: dt.date,
    as_of: dt.date,
    end: dt.date,
) -> RatioForecast | None:
    """The ratio of the period ``start``…``end`` as of ``as_of``; None when a part is unknown so far,
    cannot be forecast, or the denominator comes to 0."""
    top = numerator if isinstance(numerator, History) else History(numerator)
    bottom = denominator if isinstance(denominator, History) else History(denominator)
    done_top, done_bottom = top.total(start, as_of), bottom.total(start, as_of)
    if done_top is None or done_bottom is None:
        return None
    if as_of >= end:
        if done_bottom == 0:
            return None
        value = done_top / done_bottom
        return RatioForecast(value, value, value, "已结束", NOTE)
    upper, lower = forecast_with_range(top, as_of, end), forecast_with_range(bottom, as_of, end)
    if upper is None or lower is None or done_bottom + lower.remaining <= 0:
        return None
    value = (done_top + upper.remaining) / (done_bottom + lower.remaining)
    method = upper.method if upper.method == lower.method else f"{upper.method} / {lower.method}"
    notes = [
        NOTE + f"：分子按{upper.method}、分母按{lower.method}（各自回测选出）",
        *(f"{part}{made.shift.text()}" for part, made in (("分子", upper), ("分母", lower)) if made.shift),
    ]
    span = _span(top, bottom, upper, lower, as_of, (end - as_of).days)
    if span is None or lower.remaining <= 0:
        notes.append("不给区间：剩余天数比率的可用回测不足")
        return RatioForecast(value, None, None, method, "；".join(notes))
    rate = upper.remaining / lower.remaining
    weights = [lower.remaining, *(w for w in (lower.low, lower.high) if w is not None and w > 0)]
    values = [
        (done_top + share * weight) / (done_bottom + weight)
        for share in (rate * (1 + span[0]), rate * (1 + span[1]))
        for weight in weights
    ]
    return RatioForecast(value, min(value, *values), max(value, *values), method, "；".join(notes))


def _span(
    top: History, bottom: History, upper: Forecast, lower: Forecast, as_of: dt.date, horizon: int
) -> tuple[float, float] | None:
    """The span of the remaining days' ratio errors (actual ratio / forecast ratio − 1)."""
    if upper.remaining <= 0 or lower.remaining <= 0:
        return None
    rate = upper.remaining / lower.remaining
    errors = []
    for back in range(BACKTESTS):
        origin = as_of - dt.timedelta(days=horizon + back)
        if origin < max(top.first, bottom.first):
            break
        made_top = top.forecast(upper.method, origin, horizon)
        made_bottom = bottom.forecast(lower.method, origin, horizon)
        first, last = origin + dt.timedelta(days=1), origin + dt.timedelta(days=horizon)
        real_top, real_bottom = top.total(first, last), bottom.total(first, last)
        if not (made_top and made_bottom and real_top is not None and real_bottom):
            continue
        if made_top <= 0 or made_bottom <= 0 or real_bottom <= 0:
            continue
        made = made_top / made_bottom
        if rate / COMPARABLE <= made <= rate * COMPARABLE:
            errors.append(real_top / real_bottom / made - 1)
    span = interval(errors, horizon)
    if upper.shift is None and lower.shift is None:
        return span
    if span is None and len(errors) < MIN_SHIFT_BACKTESTS:
        return None
    whole = min(errors), max(errors)
    return whole if span is None else (min(span[0], whole[0]), max(span[1], whole[1]))
