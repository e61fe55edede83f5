"""The GMV change splits exactly into 访客数 × 支付转化率 × 客单价 parts (LMDI, Shapley with zeros),
or — without visitors or buyers — into 订单数 × 笔单价, 件数 × 件单价 or 买家数 × 客单价."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopops.analysis.explain import text
from shopops.analysis.explain.decompose import Figures, decompose, decompose_gmv, lmdi, shapley, to_cents

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


def test_without_visitors_orders_nor_units_it_splits_into_buyers_and_aov() -> None:
    result = decompose_gmv(Decimal(8600), 2600, 91, Decimal(7000), None, 85)
    assert (result.split, result.method) == ("buyers", "lmdi")
    assert [p.factor for p in result.parts] == ["buyers", "aov"]
    assert sum(p.contribution for p in result.parts) == Decimal(-1600)
    assert result.split_label == "按 买家数 × 客单价 拆分（无访客/订单/件数数据）"


def test_without_anything_to_split_by_the_reason_is_given() -> None:
    result = decompose_gmv(Decimal(8600), 2600, None, Decimal(7000), 2500, 85)
    assert (result.split, result.method, result.parts) == ("none", "none", ())
    assert result.change == Decimal(-1600)
    assert result.split_label == "无法拆分（无买家/订单/件数数据）"
    nothing = decompose(Figures(Decimal(8600)), Figures(Decimal(7000)))
    assert nothing.split_label == "无法拆分（无访客/买家/订单/件数数据）"


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


@st.composite
def counted_day(draw: st.DrawFn) -> tuple[Decimal, int]:
    """A day known by its money and one count (orders or units): GMV 0 exactly when the count is 0."""
    count = draw(st.integers(min_value=0, max_value=500_000))
    gmv = draw(cents) if count else Decimal(0)
    if count and gmv == 0:
        gmv = Decimal("0.01")
    return gmv, count


@settings(max_examples=400, deadline=None)
@given(before=counted_day(), after=counted_day(), by=st.sampled_from(["paid_orders", "units"]))
def test_order_and_unit_splits_add_up_to_the_change_to_the_cent(
    before: tuple[Decimal, int], after: tuple[Decimal, int], by: str
) -> None:
    def day(gmv: Decimal, count: int) -> Figures:
        return Figures(gmv, paid_orders=count) if by == "paid_orders" else Figures(gmv, units=count)

    result = decompose(day(*before), day(*after))
    assert result.split == ("orders" if by == "paid_orders" else "units")
    expected = ["paid_orders", "order_value"] if by == "paid_orders" else ["units", "unit_price"]
    assert [p.factor for p in result.parts] == expected
    assert sum((p.contribution for p in result.parts), Decimal(0)) == after[0] - before[0]
    assert result.method == ("lmdi" if before[0] > 0 and after[0] > 0 else "shapley")


@st.composite
def known_day(draw: st.DrawFn) -> Figures:
    """A consistent day (visitors ≥ buyers, orders ≥ buyers, units ≥ orders) with some figures unknown."""
    seen = draw(visitors)
    buyers = draw(st.integers(min_value=0, max_value=min(seen, 100_000)))
    orders = draw(st.integers(min_value=buyers, max_value=3 * buyers))
    units = draw(st.integers(min_value=orders, max_value=4 * orders))
    gmv = max(draw(cents), Decimal("0.01")) if buyers else Decimal(0)
    known = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    v, b, o, u = (
        value if keep else None for value, keep in zip((seen, buyers, orders, units), known, strict=True)
    )
    return Figures(gmv, v, b, o, u)


@settings(max_examples=400, deadline=None)
@given(before=known_day(), after=known_day())
def test_the_first_split_known_on_both_days_is_used_and_adds_up(before: Figures, after: Figures) -> None:
    def both(*keys: str) -> bool:
        return all(day.count(key) is not None for day in (before, after) for key in keys)

    expected = next(
        (
            split
            for split, keys in (
                ("traffic", ("visitors", "buyers")),
                ("orders", ("paid_orders",)),
                ("units", ("units",)),
                ("buyers", ("buyers",)),
            )
            if both(*keys)
        ),
        "none",
    )
    result = decompose(before, after)
    assert result.split == expected
    if expected != "none":
        assert sum((p.contribution for p in result.parts), Decimal(0)) == after.gmv - before.gmv
    assert ("（" in result.split_label) == (expected != "traffic")  # every fallback says why


def test_the_real_tmall_drop_of_march_first_by_hand() -> None:
    # tmall_order_report.csv, 02-29 → 03-01: 1,820 orders ¥198,035.40 → 6 orders ¥476.00, no visitors/buyers.
    # L = (476 − 198035.40) / ln(476 / 198035.40) = 32,758.50; × ln(6/1820) = −187,209.32;
    # × ln((476/6) / (198035.40/1820)) = ln(79.33 / 108.81) → −10,350.08.
    result = decompose(
        Figures(Decimal("198035.40"), paid_orders=1820), Figures(Decimal("476.00"), paid_orders=6)
    )
    assert (result.split, result.method) == ("orders", "lmdi")
    assert [(p.factor, p.contribution) for p in result.parts] == [
        ("paid_orders", Decimal("-187209.32")),
        ("order_value", Decimal("-10350.08")),
    ]
    assert result.parts[1].before == pytest.approx(198035.40 / 1820)
    assert result.parts[1].after == pytest.approx(476 / 6)
    assert result.split_label == "按 订单数 × 笔单价 拆分（无访客/买家数据）"


def test_a_day_without_orders_uses_shapley_and_keeps_the_order_value() -> None:
    # tmall_order_report.csv, 02-15 → 02-16: 4 orders ¥83.00 → no order at all.
    result = decompose(Figures(Decimal("83.00"), paid_orders=4), Figures(Decimal(0), paid_orders=0))
    assert (result.split, result.method) == ("orders", "shapley")
    assert [(p.factor, p.before, p.after, p.contribution) for p in result.parts] == [
        ("paid_orders", 4.0, 0.0, Decimal("-83.00")),
        ("order_value", 20.75, None, Decimal("0.00")),
    ]


def test_units_when_orders_are_unknown_and_contradictions_are_named() -> None:
    result = decompose(Figures(Decimal(5000), units=100), Figures(Decimal(6000), units=100))
    assert [(p.factor, p.contribution) for p in result.parts] == [
        ("units", Decimal("0.00")),
        ("unit_price", Decimal("1000.00")),
    ]
    assert result.split_label == "按 件数 × 件单价 拆分（无访客/买家/订单数据）"
    # Money on a day without orders cannot be orders × 笔单价: the units split is used and says why.
    result = decompose(
        Figures(Decimal(100), paid_orders=0, units=2), Figures(Decimal(50), paid_orders=1, units=1)
    )
    assert result.split == "units"
    assert result.split_label == "按 件数 × 件单价 拆分（无访客/买家数据，订单数据与支付金额不符）"
    assert sum(p.contribution for p in result.parts) == Decimal(-50)
