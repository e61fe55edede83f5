"""Exact additive decomposition of a GMV change: 支付金额 = 访客数 × 支付转化率 × 客单价.

LMDI (log-mean Divisia index, additive form) when every factor is positive on both days: the part
of factor X is L(G₁, G₀)·ln(X₁/X₀) with L(a, b) = (a − b)/(ln a − ln b), and the parts add up to
G₁ − G₀ exactly. With a zero (a day without sales or visitors) logarithms are undefined and the
Shapley decomposition (each factor's average marginal effect over all orders of change) is used;
it is exact as well. Contributions are rounded to the cent and the rounding remainder goes to the
largest part, so the parts add up to the change to the cent.

Without visitors (生意参谋 not imported for a day) the change is split into 支付买家数 × 客单价.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

CENT = Decimal("0.01")
FACTORS = ("visitors", "conversion_rate", "aov")
FALLBACK_FACTORS = ("buyers", "aov")


@dataclass(frozen=True)
class Part:
    factor: str
    before: float | None
    after: float | None
    contribution: Decimal

    @property
    def relative_change(self) -> float | None:
        if self.before is None or self.after is None or self.before == 0:
            return None
        return self.after / self.before - 1


@dataclass(frozen=True)
class Decomposition:
    before: Decimal
    after: Decimal
    method: str  # lmdi | shapley | buyers_aov | none
    parts: tuple[Part, ...]

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def relative_change(self) -> float | None:
        return float(self.after / self.before - 1) if self.before else None

    def part(self, factor: str) -> Part | None:
        return next((p for p in self.parts if p.factor == factor), None)


def log_mean(a: float, b: float) -> float:
    """L(a, b) = (a − b) / (ln a − ln b), and a when a = b."""
    ratio = a / b
    if abs(ratio - 1) < 1e-9:  # (a − b)/ln(a/b) → the mean as a → b; avoids 0/0 in floating point
        return (a + b) / 2
    return (a - b) / math.log(ratio)


def lmdi(before: Sequence[float], after: Sequence[float]) -> list[float]:
    """Additive LMDI parts of the change of a product of positive factors."""
    total0, total1 = math.prod(before), math.prod(after)
    weight = log_mean(total1, total0)
    return [weight * math.log(x1 / x0) for x0, x1 in zip(before, after, strict=True)]


def shapley(before: Sequence[float], after: Sequence[float]) -> list[float]:
    """Shapley parts of the change of a product: exact for any factor values, zeros included."""
    n = len(before)
    parts = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        value = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for changed in combinations(others, size):
                rest = math.prod(after[j] if j in changed else before[j] for j in others)
                value += weight * rest * (after[i] - before[i])
        parts.append(value)
    return parts


def to_cents(parts: Sequence[float], change: Decimal) -> list[Decimal]:
    """Round parts to the cent; the remainder goes to the largest part so the sum is ``change``."""
    rounded = [Decimal(repr(p)).quantize(CENT, rounding=ROUND_HALF_UP) for p in parts]
    if rounded:
        largest = max(range(len(parts)), key=lambda i: abs(parts[i]))
        rounded[largest] += change - sum(rounded, Decimal(0))
    return rounded


def decompose_gmv(
    gmv_before: Decimal,
    visitors_before: int | None,
    buyers_before: int | None,
    gmv_after: Decimal,
    visitors_after: int | None,
    buyers_after: int | None,
) -> Decomposition:
    """Split ``gmv_after − gmv_before`` into parts of 访客数, 支付转化率 and 客单价 (see module text)."""
    change = gmv_after - gmv_before
    if buyers_before is None or buyers_after is None:
        return Decomposition(gmv_before, gmv_after, "none", ())
    consistent = all(
        v is not None and (v > 0 or b == 0)
        for v, b in ((visitors_before, buyers_before), (visitors_after, buyers_after))
    )
    if not consistent:
        return _two_factor(gmv_before, buyers_before, gmv_after, buyers_after)
    assert visitors_before is not None and visitors_after is not None
    g0, g1 = float(gmv_before), float(gmv_after)
    conversion0 = buyers_before / visitors_before if visitors_before else None
    conversion1 = buyers_after / visitors_after if visitors_after else None
    aov0 = g0 / buyers_before if buyers_before else None
    aov1 = g1 / buyers_after if buyers_after else None
    # An undefined factor (no buyers → no 客单价) takes the other day's value: the product is 0 anyway.
    c0 = _either(conversion0, conversion1)
    c1 = _either(conversion1, conversion0)
    a0 = _either(aov0, aov1)
    a1 = _either(aov1, aov0)
    x0 = [float(visitors_before), c0, a0]
    x1 = [float(visitors_after), c1, a1]
    if all(x > 0 for x in x0 + x1) and g0 > 0 and g1 > 0:
        method, raw = "lmdi", lmdi(x0, x1)
    else:
        method, raw = "shapley", shapley(x0, x1)
    cents = to_cents(raw, change)
    shown = [
        (float(visitors_before), float(visitors_after)),
        (conversion0, conversion1),
        (aov0, aov1),
    ]
    parts = tuple(
        Part(factor, before, after, amount)
        for factor, (before, after), amount in zip(FACTORS, shown, cents, strict=True)
    )
    return Decomposition(gmv_before, gmv_after, method, parts)


def _either(value: float | None, other: float | None) -> float:
    if value is not None:
        return value
    return other if other is not None else 0.0


def _two_factor(
    gmv_before: Decimal, buyers_before: int, gmv_after: Decimal, buyers_after: int
) -> Decomposition:
    g0, g1 = float(gmv_before), float(gmv_after)
    aov0 = g0 / buyers_before if buyers_before else None
    aov1 = g1 / buyers_after if buyers_after else None
    x0 = [float(buyers_before), _either(aov0, aov1)]
    x1 = [float(buyers_after), _either(aov1, aov0)]
    raw = lmdi(x0, x1) if all(x > 0 for x in x0 + x1) else shapley(x0, x1)
    cents = to_cents(raw, gmv_after - gmv_before)
    parts = (
        Part("buyers", float(buyers_before), float(buyers_after), cents[0]),
        Part("aov", aov0, aov1, cents[1]),
    )
    return Decomposition(gmv_before, gmv_after, "buyers_aov", parts)
