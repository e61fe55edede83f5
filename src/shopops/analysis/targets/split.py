"""Splitting a year (or quarter) target into month targets that add up to it exactly.

- ``even``: by the number of days in each month (a 31-day month gets 31/365 of the year);
- ``last-year``: by each month's share of the same months a year earlier, from the warehouse
  (the master table of the target's scope). Every one of those months must be complete.

Amounts are Decimal; the rounding remainder goes to the months with the largest remainders
(largest-remainder method), so the months sum to the target to the cent (counts: to the unit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from shopops.analysis.targets.pacing import PaceSource, scope_frame
from shopops.analysis.targets.periods import TargetPeriod
from shopops.analysis.targets.store import Scope, shops_of
from shopops.errors import UserError
from shopops.metrics.catalog import Metric
from shopops.metrics.totals import is_additive

METHODS = ("even", "last-year")


@dataclass(frozen=True)
class Split:
    period: TargetPeriod
    value: Decimal
    share: Decimal  # the weight used (days, or last year's amount)
    basis: str  # what the share came from, e.g. "2025年11月 实际 312,456.00" or "30 天"


def allocate(total: Decimal, weights: Sequence[Decimal], step: Decimal) -> list[Decimal]:
    """``total`` in proportion to ``weights``, rounded to ``step``, summing to ``total`` exactly."""
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        raise UserError("cannot split by weights that add up to zero or less — use --by even")
    units = (total / step).to_integral_value()
    if units * step != total:
        raise UserError(f"the target {total} has more decimals than {step}; round it first")
    exact = [units * w / whole for w in weights]
    floors = [e.to_integral_value(rounding=ROUND_FLOOR) for e in exact]
    left = int(units - sum(floors, Decimal(0)))
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [f * step for f in floors]


def split_target(
    source: PaceSource,
    period: TargetPeriod,
    scope: Scope,
    metric: Metric,
    value: Decimal,
    method: str,
) -> list[Split]:
    if period.kind == "month":
        raise UserError(
            f"--period {period.key} is a month already; split a year (2026) or a quarter (2026-Q4)"
        )
    if not is_additive(metric):
        raise UserError(
            f"{metric.label} ({metric.key}) is a ratio: its target holds for every month as it is —"
            " set it with `shopops targets set` instead of splitting it"
        )
    if method not in METHODS:
        raise UserError(f"--by {method!r} is not one of {', '.join(METHODS)}")
    months = period.months()
    step = Decimal("0.01") if metric.unit == "money" else Decimal(1)
    if method == "even":
        weights = [Decimal(m.days) for m in months]
        bases = [f"{m.days} 天" for m in months]
    else:
        weights = _last_year(source, period, scope, metric)
        bases = [f"{m.shifted_years(-1).label} 实际 {w:,}" for m, w in zip(months, weights, strict=True)]
    values = allocate(value, weights, step)
    return [
        Split(month, amount, weight, basis)
        for month, amount, weight, basis in zip(months, values, weights, bases, strict=True)
    ]


def _last_year(source: PaceSource, period: TargetPeriod, scope: Scope, metric: Metric) -> list[Decimal]:
    before = period.shifted_years(-1)
    members = shops_of(source.connection, scope)
    if not members:
        raise UserError(f"{scope.label} has no shops")
    frame = scope_frame(source, scope, members, before.start, before.end, "month")
    found = {row["date"]: row[metric.key] for row in frame.iter_rows(named=True)}
    weights = []
    missing = []
    for month in before.months():
        value = found.get(month.start)
        if value is None:
            missing.append(month.label)
        else:
            weights.append(Decimal(str(value)))
    if missing:
        shown = "、".join(missing[:4]) + (" …" if len(missing) > 4 else "")
        raise UserError(
            f"cannot split by last year: {metric.label} of {scope.label} is unknown for {shown}"
            f" ({len(missing)} of {len(before.months())} months; a month needs every day's data)"
            " — import that history, or use --by even"
        )
    if any(w < 0 for w in weights):
        raise UserError(f"cannot split by last year: {metric.label} was negative in a month — use --by even")
    return weights
