"""The GMV change splits exactly into 访客数 × 支付转化率 × 客单价 parts (LMDI, Shapley with zeros)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopops.analysis.explain import text
from shopops.analysis.explain.decompose import decompose_gmv, lmdi, shapley, to_cents

visitors = st.integers(min_value=1, max_value=2_000_000)
cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100)


@st.composite
def shop_day(draw: st.DrawFn) -> tuple[Decimal, int, int]:
    """A consistent day: buyers ≤ visitors, GMV 0 exactly when there are no buyers."""
    seen = draw(visitors)
    buyers = draw(st.integers(min_value=0, max_value=seen))
    gmv = draw(cents) if buyers else Decimal(0)
    if buyers and gmv == 0:
        gmv = Decimal("0.01")
    return gmv, seen, buyers


@settings(max_examples=400, deadline=None)
@given(before=shop_day(), after=shop_day())
def test_parts_add_up_to_the_change_to_the_cent(
    before: tuple[Decimal, int, int], after: tuple[Decimal, int, int]
) -> None:
    result = decompose_gmv(*before, *after)
    assert [p.factor for p in result.parts] == ["visitors", "conversion_rate", "aov"]
    assert sum((p.contribution for p in result.parts), Decimal(0)) == after[0] - before[0]
    assert result.method == ("lmdi" if before[0] > 0 and after[0] > 0 else "shapley")


@settings(max_examples=300, deadline=None)
@given(
    before=st.lists(st.floats(min_value=1e-3, max_value=1e6), min_size=2, max_size=4),
    ratios=st.lists(st.floats(min_value=0.01, max_value=100), min_size=4, max_size=4),
)
def test_lmdi_and_shapley_are_exact_before_rounding(before: list[float], ratios: list[float]) -> None:
    after = [x * r for x, r in zip(before, ratios, strict=False)]
    change = math.prod(after) - math.prod(before)
    tolerance = 1e-9 * max(math.prod(after), math.prod(before))
    assert sum(lmdi(before, after)) == pytest.approx(change, abs=tolerance)
    assert sum(shapley(before, after)) == pytest.approx(change, abs=tolerance)


def test_a_hand_computed_case() -> None:
    # 1000 visitors × 5% × ¥100 = ¥5000  →  800 × 5% × ¥100 = ¥4000: all of the change is traffic.
    result = decompose_gmv(Decimal(5000), 1000, 50, Decimal(4000), 800, 40)
    assert [(p.factor, p.contribution) for p in result.parts] == [
        ("visitors", Decimal("-1000.00")),
        ("conversion_rate", Decimal("0.00")),
        ("aov", Decimal("0.00")),
    ]
    # Two factors doubling: LMDI gives each the same share of the ¥15000 change.
    result = decompose_gmv(Decimal(5000), 1000, 50, Decimal(20000), 2000, 100)
    visitors_part, conversion_part, aov_part = (p.contribution for p in result.parts)
    assert conversion_part == 0
    assert visitors_part == aov_part == Decimal("7500.00")


def test_a_day_without_sales_uses_shapley() -> None:
    result = decompose_gmv(Decimal(8600), 2600, 91, Decimal(0), 2500, 0)
    assert result.method == "shapley"
    assert sum(p.contribution for p in result.parts) == Decimal(-8600)
    assert result.part("conversion_rate") is not None
    assert abs(result.part("conversion_rate").contribution) > Decimal(8000)  # type: ignore[union-attr]


def test_without_visitors_it_splits_into_buyers_and_aov() -> None:
    result = decompose_gmv(Decimal(8600), 2600, 91, Decimal(7000), None, 85)
    assert result.method == "buyers_aov"
    assert [p.factor for p in result.parts] == ["buyers", "aov"]
    assert sum(p.contribution for p in result.parts) == Decimal(-1600)


def test_without_buyers_nothing_is_split() -> None:
    result = decompose_gmv(Decimal(8600), 2600, None, Decimal(7000), 2500, 85)
    assert result.method == "none"
    assert result.parts == ()
    assert result.change == Decimal(-1600)


def test_rounding_remainder_goes_to_the_largest_part() -> None:
    parts = to_cents([0.333, 0.333, 0.334], Decimal("1.00"))
    assert sum(parts) == Decimal("1.00")
    assert parts[2] == Decimal("0.34")


def test_phrases() -> None:
    assert text.percent(-0.182) == "−18.2%"
    assert text.points(-0.004) == "−0.40pp"
    assert text.points(0.021) == "+2.1pp"
    assert text.share(-0.7) == "−70%"
    assert text.money(8600) == "¥8,600"
    assert text.signed_money(-1234.5) == "−¥1,234"
