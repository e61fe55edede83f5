"""One shop's daily master-table rows as arrays, with calendar contexts and lazily built baselines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopops.analysis.anomalies.baseline import Array, Baseline, robust_baseline
from shopops.analysis.anomalies.config import AlertSettings
from shopops.analysis.calendar import DayContext
from shopops.metrics.catalog import Catalog, Metric, formula_names

REFUND_METRICS = (
    "refund_amount",
    "refund_orders",
    "refund_rate",
    "refund_amount_by_payment",
    "refund_rate_by_payment",
)
PER_UNIT_MONEY = ("aov", "uv_value")
# Refunds by payment date keep rising for days after the sale, like refunds by completion date.
MOVING_MEASURES = {"refund_amount", "refund_orders", "refund_amount_by_payment", "ad_gmv"}


def metric_kind(metric: Metric) -> str:
    """Which calendar lift applies: volume (金额、人数), rate (转化率、客单价、ROI …) or refund."""
    if metric.key in REFUND_METRICS:
        return "refund"
    if metric.unit == "ratio" or metric.key in PER_UNIT_MONEY:
        return "rate"
    return "volume"


def transform_for(metric: Metric | None) -> str:
    """Amounts, counts and ratios compare on a square-root scale; differences (利润) as they are."""
    if metric is not None and "-" in metric.formula:
        return "linear"
    return "sqrt"


def moving_metrics(catalog: Catalog) -> frozenset[str]:
    """Metrics built on refunds or ad attribution: provisional on the last days of data."""

    def depends(key: str, seen: frozenset[str]) -> bool:
        metric = catalog.metrics.get(key)
        if metric is None:
            return key in MOVING_MEASURES
        names = formula_names(metric.formula)
        if names & MOVING_MEASURES:
            return True
        return any(depends(n, seen | {key}) for n in names if n not in seen and n != key)

    return frozenset(key for key in catalog.metrics if depends(key, frozenset()))


@dataclass
class ShopSeries:
    shop: str
    dates: list[dt.date]
    rows: list[Mapping[str, Any]]
    contexts: list[DayContext]
    settings: AlertSettings
    catalog: Catalog
    _arrays: dict[str, Array] = field(default_factory=dict)
    _baselines: dict[str, Baseline] = field(default_factory=dict)

    @classmethod
    def build(
        cls, shop: str, rows: Sequence[Mapping[str, Any]], settings: AlertSettings, catalog: Catalog
    ) -> ShopSeries:
        ordered = sorted(rows, key=lambda r: r["date"])
        dates = [r["date"] for r in ordered]
        contexts = [settings.calendar.day(d) for d in dates]
        return cls(shop, dates, ordered, contexts, settings, catalog)

    @property
    def excluded(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return np.array([c.special for c in self.contexts], dtype=bool)

    def index(self, day: dt.date) -> int | None:
        position = (day - self.dates[0]).days if self.dates else -1
        return position if 0 <= position < len(self.dates) else None

    def array(self, key: str) -> Array:
        if key not in self._arrays:
            self._arrays[key] = np.array(
                [np.nan if r.get(key) is None else float(r[key]) for r in self.rows], dtype=np.float64
            )
        return self._arrays[key]

    def value(self, key: str, index: int) -> float | None:
        value = self.array(key)[index] if 0 <= index < len(self.dates) else np.nan
        return float(value) if np.isfinite(value) else None

    def baseline(self, key: str) -> Baseline:
        if key not in self._baselines:
            self._baselines[key] = robust_baseline(
                self.array(key),
                self.excluded,
                weeks=self.settings.weeks,
                min_weeks=self.settings.min_weeks,
                z=self.settings.z,
                transform=transform_for(self.catalog.metrics.get(key)),
                weekly=key not in REFUND_METRICS,
            )
        return self._baselines[key]

    def typical(self, key: str, index: int) -> float | None:
        center = self.baseline(key).center[index]
        return float(center) if np.isfinite(center) else None

    def usual(self, key: str, index: int) -> float | None:
        """The typical value where the baseline knows it, else the median of the last 7 days above 0."""
        typical = self.typical(key, index)
        if typical is not None:
            return typical
        recent = self.array(key)[max(0, index - 7) : index]
        recent = recent[np.isfinite(recent) & (recent > 0)]
        return float(np.median(recent)) if recent.size else None

    def last_data_day(self) -> dt.date | None:
        known = [d for d, r in zip(self.dates, self.rows, strict=True) if r.get("gmv") is not None]
        return max(known) if known else None

    def reference_day(self, key: str, index: int) -> int | None:
        """A typical recent same weekday to compare with: the latest one near the baseline, else the closest."""
        baseline = self.baseline(key)
        center = baseline.center[index]
        candidates = [
            index - 7 * k
            for k in range(1, self.settings.weeks + 1)
            if index - 7 * k >= 0
            and not self.contexts[index - 7 * k].special
            and np.isfinite(baseline.values[index - 7 * k])
        ]
        if not candidates or not np.isfinite(center):
            return index - 7 if index >= 7 else None
        near = [i for i in candidates if abs(baseline.score[i]) <= 1.0]
        if near:
            return near[0]
        return min(candidates, key=lambda i: abs(baseline.values[i] - center))
