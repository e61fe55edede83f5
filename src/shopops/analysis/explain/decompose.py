"""Exact additive decomposition of a GMV change into the factors of one split.

The split is chosen per comparison from what is known on both days (for a group: for every shop):

- ``traffic``  支付金额 = 访客数 × 支付转化率 × 客单价, when visitors and buyers are known;
- ``orders``   支付金额 = 支付订单数 × 笔单价 (支付金额 / 订单数), else when orders are known;
- ``units``    支付金额 = 支付件数 × 件单价 (支付金额 / 件数), else when units are known;
- ``buyers``   支付金额 = 支付买家数 × 客单价, else when only buyers are known;
- ``none``     nothing to split by; the reason says what is unknown.

A split is also passed over when its counts contradict the money (sales on a day without orders).

LMDI (log-mean Divisia index, additive form) when every factor is positive on both days: the part
of factor X is L(G₁, G₀)·ln(X₁/X₀) with L(a, b) = (a − b)/(ln a − ln b), and the parts add up to
G₁ − G₀ exactly. With a zero (a day without sales or visitors) logarithms are undefined and the
Shapley decomposition (each factor's average marginal effect over all orders of change) is used;
it is exact as well. A ratio undefined on a day without sales (0 / 0) takes the other day's value:
the product is 0 either way. Contributions are rounded to the cent and the rounding remainder goes
to the largest part, so the parts add up to the change to the cent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from shopops.analysis.explain import text

CENT = Decimal("0.01")
FACTORS = ("visitors", "conversion_rate", "aov")
# Each split: the chain of counts it needs (each a subset of the one before) and the factors it gives.
CHAINS: dict[str, tuple[str, ...]] = {
    "traffic": ("visitors", "buyers"),
    "orders": ("paid_orders",),
    "units": ("units",),
    "buyers": ("buyers",),
}
SPLIT_FACTORS: dict[str, tuple[str, ...]] = {
    "traffic": FACTORS,
    "orders": ("paid_orders", "order_value"),
    "units": ("units", "unit_price"),
    "buyers": ("buyers", "aov"),
}
VOLUME_FACTORS = ("visitors", "buyers", "paid_orders", "units")  # the first factor of each split


@dataclass(frozen=True)
class Figures:
    """One day's figures of a comparison (for a group: the sums over its shops); None is unknown."""

    gmv: Decimal
    visitors: int | None = None
    buyers: int | None = None
    paid_orders: int | None = None
    units: int | None = None

    def count(self, key: str) -> int | None:
        value: int | None = getattr(self, key)
        return value


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
    method: str  # lmdi | shapley | none
    parts: tuple[Part, ...]
    split: str = "traffic"  # traffic | orders | units | buyers | none
    reason: str = ""  # why the preferred splits were passed over: "无访客/买家数据"

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def relative_change(self) -> float | None:
        return float(self.after / self.before - 1) if self.before else None

    @property
    def split_label(self) -> str:
        """按 订单数 × 笔单价 拆分（无访客/买家数据）, or 无法拆分（…）."""
        if self.split == "none":
            return f"无法拆分（{self.reason}）"
        label = f"按 {text.SPLIT_LABELS[self.split]} 拆分"
        return f"{label}（{self.reason}）" if self.reason else label

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
    """:func:`decompose` of two days known by GMV, visitors and buyers only."""
    return decompose(
        Figures(gmv_before, visitors_before, buyers_before), Figures(gmv_after, visitors_after, buyers_after)
    )


def decompose(before: Figures, after: Figures) -> Decomposition:
    """Split ``after.gmv − before.gmv`` by the first split both days support (see module text)."""
    for split, chain in CHAINS.items():
        if _supports(before, chain) and _supports(after, chain):
            return _split(before, after, split, _reason(before, after, split))
    return Decomposition(before.gmv, after.gmv, "none", (), "none", _reason(before, after, "none"))


def _supports(day: Figures, chain: Sequence[str]) -> bool:
    """Every count known and not negative, and none zero while the next one (or the money) is not."""
    counts = [day.count(key) for key in chain]
    if any(c is None or c < 0 for c in counts) or day.gmv < 0:
        return False
    following: list[float] = [*(float(c) for c in counts[1:] if c is not None), float(day.gmv)]
    return all(c != 0 or nxt == 0 for c, nxt in zip(counts, following, strict=True))


def _reason(before: Figures, after: Figures, chosen: str) -> str:
    """Why the splits preferred to ``chosen`` were passed over: 无访客/买家数据, 订单数据与支付金额不符."""
    order = list(CHAINS)
    passed = order[: order.index(chosen)] if chosen in CHAINS else order
    needed = dict.fromkeys(key for split in passed for key in CHAINS[split])
    missing = [key for key in needed if before.count(key) is None or after.count(key) is None]
    contradicted = dict.fromkeys(
        key for split in passed if not any(k in missing for k in CHAINS[split]) for key in CHAINS[split]
    )
    reasons = []
    if missing:
        reasons.append("无" + "/".join(text.MEASURE_LABELS[key] for key in missing) + "数据")
    if contradicted:
        reasons.append("/".join(text.MEASURE_LABELS[key] for key in contradicted) + "数据与支付金额不符")
    return "，".join(reasons)


def _split(before: Figures, after: Figures, split: str, reason: str) -> Decomposition:
    chain = CHAINS[split]
    g0, g1 = float(before.gmv), float(after.gmv)
    shown0, shown1 = _factors(before, chain), _factors(after, chain)
    x0 = [_either(a, b) for a, b in zip(shown0, shown1, strict=True)]
    x1 = [_either(b, a) for a, b in zip(shown0, shown1, strict=True)]
    if all(x > 0 for x in x0 + x1) and g0 > 0 and g1 > 0:
        method, raw = "lmdi", lmdi(x0, x1)
    else:
        method, raw = "shapley", shapley(x0, x1)
    cents = to_cents(raw, after.gmv - before.gmv)
    parts = tuple(
        Part(factor, b, a, amount)
        for factor, b, a, amount in zip(SPLIT_FACTORS[split], shown0, shown1, cents, strict=True)
    )
    return Decomposition(before.gmv, after.gmv, method, parts, split, reason)


def _factors(day: Figures, chain: Sequence[str]) -> list[float | None]:
    """The first count, each next count over the one before, then the money over the last count."""
    counts = [float(day.count(key) or 0) for key in chain]
    values: list[float | None] = [counts[0]]
    for previous, current in zip(counts, [*counts[1:], float(day.gmv)], strict=True):
        values.append(current / previous if previous else None)
    return values


def _either(value: float | None, other: float | None) -> float:
    if value is not None:
        return value
    return other if other is not None else 0.0
