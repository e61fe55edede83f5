"""A robust baseline per daily series: the same weekday over recent weeks, median and MAD.

For each day the typical value is the median of the same weekday in the latest ``weeks`` weeks
that were ordinary days: promotion and holiday days and days without data are skipped (up to 6
weeks of them, e.g. 双11 with its warm-up and aftermath). Non-negative series are compared
on a log scale (log(value + offset)), so the expected range is a multiple of the typical value and
a day with 0 stays comparable. The spread is the MAD of the baseline's own recent errors (all
weekdays of the last 8 weeks), pooled because 8 same-weekday values alone give a shaky MAD.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopops.analysis.calendar import Lift

Array = npt.NDArray[np.float64]
MAD_TO_SIGMA = 1.4826
SCALE_DAYS = 56
MIN_SCALE_POINTS = 14
SKIP_WEEKS = 6  # how many weeks of promotions/holidays/missing data the baseline looks past
MIN_LOG_SCALE = 0.03  # never expect a series to repeat itself closer than ±3%


@dataclass(frozen=True)
class Baseline:
    values: Array
    center: Array  # the typical value of the day (original units); NaN where there is no baseline
    scale: Array  # spread of the baseline's errors, on the compared scale
    score: Array  # robust z of the value: (value − typical) / spread, on the compared scale
    transform: str  # how values are compared: log, sqrt or linear
    offset: float
    z: float

    def forward(self, value: float) -> float:
        if self.transform == "log":
            return float(np.log(max(value + self.offset, 1e-12)))
        if self.transform == "sqrt":
            return float(np.sqrt(max(value, 0.0)))
        return value

    def inverse(self, value: float) -> float:
        if self.transform == "log":
            return float(np.exp(value)) - self.offset
        if self.transform == "sqrt":
            return max(value, 0.0) ** 2
        return value

    def expected(self, index: int, lift: Lift = (1.0, 1.0)) -> tuple[float, float] | None:
        """The expected range of a day, widened by a calendar ``lift`` (multiples of normal)."""
        center, scale = self.center[index], self.scale[index]
        if not (np.isfinite(center) and np.isfinite(scale)):
            return None
        low_factor, high_factor = lift
        middle = self.forward(float(center))
        low = self.inverse(middle - self.z * float(scale))
        high = self.inverse(middle + self.z * float(scale))
        if self.transform == "linear":
            return low - abs(center) * (1 - low_factor), high + abs(center) * (high_factor - 1)
        return max(0.0, low * low_factor), high * high_factor

    def distance(self, index: int, lift: Lift = (1.0, 1.0)) -> float | None:
        """How far outside its expected range the value is, in spreads (0 inside; sign = direction)."""
        value = self.values[index]
        bounds = self.expected(index, lift)
        if bounds is None or not np.isfinite(value):
            return None
        low, high = bounds
        if low <= value <= high:
            return 0.0
        edge = high if value > high else low
        gap = self.forward(float(value)) - self.forward(edge)
        return gap / float(self.scale[index]) + (self.z if gap > 0 else -self.z)


def _lagged(series: Array, lags: range) -> Array:
    rows = np.full((series.size, len(lags)), np.nan)
    for column, lag in enumerate(lags):
        if lag < series.size:
            rows[lag:, column] = series[: series.size - lag]
    return rows


def _nanmedian(rows: Array, minimum: int) -> Array:
    counts = np.sum(np.isfinite(rows), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        result: Array = np.nanmedian(rows, axis=1)
    result[counts < minimum] = np.nan
    return result


def robust_baseline(
    values: Array,
    excluded: npt.NDArray[np.bool_],
    *,
    weeks: int,
    min_weeks: int,
    z: float,
    transform: str = "sqrt",
    weekly: bool = True,
) -> Baseline:
    """The baseline of a contiguous daily series (NaN = unknown; ``excluded`` = calendar days).

    ``transform`` is how values are compared: ``sqrt`` suits non-negative counts and amounts
    (Poisson-like noise, days with 0), ``log`` series that vary by multiples, ``linear`` series
    that can be negative (利润). ``weekly=False`` takes the typical value from the latest 4 weeks
    of days whatever their weekday: for sparse series (退款) where a weekday's median is mostly noise.
    """
    known = values[np.isfinite(values)]
    offset = 0.0
    if transform == "log":
        positive = known[known > 0]
        offset = max(0.2 * float(np.median(positive)), 1e-6) if positive.size else 1.0
        compared = np.log(values + offset)
    elif transform == "sqrt":
        compared = np.sqrt(np.maximum(values, 0.0))
    else:
        compared = values.copy()
    usable = np.where(excluded, np.nan, compared)
    if weekly:
        earlier = _lagged(usable, range(7, 7 * (weeks + SKIP_WEEKS) + 1, 7))
        wanted, minimum = weeks, min_weeks
    else:  # the latest 4 weeks of usable days, whatever the weekday
        earlier = _lagged(usable, range(1, 7 * (4 + SKIP_WEEKS) + 1))
        wanted, minimum = 28, 7 * min_weeks // 2
    taken = np.cumsum(np.isfinite(earlier), axis=1) <= wanted  # the latest usable ones
    center_compared = _nanmedian(np.where(taken, earlier, np.nan), minimum)
    errors = np.where(excluded, np.nan, compared - center_compared)
    scale = MAD_TO_SIGMA * _nanmedian(np.abs(_lagged(errors, range(1, SCALE_DAYS + 1))), MIN_SCALE_POINTS)
    # Never expect a series to repeat itself closer than ±3% (log: 0.03; sqrt: half of it).
    relative_floor = {"log": MIN_LOG_SCALE, "sqrt": MIN_LOG_SCALE / 2}.get(transform, 0.02)
    floor = MIN_LOG_SCALE if transform == "log" else relative_floor * np.abs(center_compared) + 1e-9
    scale = np.maximum(scale, floor)
    score = (compared - center_compared) / scale
    if transform == "log":
        center = np.exp(center_compared) - offset
    elif transform == "sqrt":
        center = center_compared**2
    else:
        center = center_compared
    return Baseline(values, center, scale, score, transform, offset, z)
