"""The named formulas of 商品与库存 (售罄率, 动销率, 库存周转, ABC, 新品期) against hand-computed numbers.

One practitioner's 库存周转率 multiplies by 2 where the average inventory divides by 2 (research §2.2):
every formula here has a test with numbers worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from shopops.domains.stock.formulas import (
    DEFAULTS,
    FORMULAS,
    abc_classes,
    abc_frame,
    active_rate,
    average_inventory,
    formula,
    launch_bucket,
    percentile,
    sell_through,
    sell_through_end,
    sell_through_expr,
    sell_through_first_stock,
    sell_through_received,
    sell_through_with_transit,
    turnover_days,
    turnover_rate,
)
from shopops.domains.stock.status import StockRules
from shopops.errors import WorkspaceError


def test_sell_through_end_is_sold_over_sold_plus_end_stock() -> None:
    # 30 sold, 70 left: 30 ÷ (30 + 70) = 0.3
    assert sell_through_end(30, 70) == pytest.approx(0.3, abs=0)
    assert sell_through_end(45, 15) == 0.75  # 45 ÷ 60
    assert sell_through_end(10, 0) == 1.0  # sold out
    assert sell_through_end(10, -3) == 1.0  # 超卖: a negative stock is none left
    assert sell_through_end(0, 0) is None  # nothing to sell: unknown, not 0
    assert sell_through_end(0, 50) == 0.0
    assert sell_through_end(None, 50) is None
    assert sell_through_end(5, None) is None


def test_sell_through_received_is_sold_over_opening_plus_receipts() -> None:
    # 期初 40 + 入库 60 = 100 available over the period, 25 sold: 25 %
    assert sell_through_received(25, 40, 60) == 0.25
    assert sell_through_received(25, 40, None) is None  # no record of receipts: unknown
    assert sell_through_received(0, 0, 0) is None
    # where the books balance (40 + 60 = 25 sold + 75 left) variant 1 equals the default
    assert sell_through_received(25, 40, 60) == sell_through_end(25, 75)


def test_sell_through_first_stock_and_with_transit() -> None:
    assert sell_through_first_stock(120, 200) == 0.6  # 120 ÷ 200
    assert sell_through_first_stock(240, 200) == 1.2  # restocked: past 100 %
    assert sell_through_first_stock(5, 0) is None
    # 30 ÷ (30 + 50 + 20) = 0.3
    assert sell_through_with_transit(30, 50, 20) == 0.3
    assert sell_through_with_transit(30, 50, None) is None


def test_sell_through_by_name_and_as_an_expression_agree() -> None:
    figures = {
        "sold": 30,
        "end_stock": 50,
        "start_stock": 40,
        "received": 60,
        "in_transit": 20,
        "first_stock": 75,
    }
    want = {"end": 30 / 80, "received": 30 / 100, "first_stock": 30 / 75, "with_transit": 30 / 100}
    frame = pl.DataFrame({k: [v, 0] for k, v in figures.items()})
    for variant, value in want.items():
        assert sell_through(variant, **figures) == value
        assert frame.select(sell_through_expr(variant))[:, 0].to_list()[0] == value
    # the second row: nothing sold, nothing left (end/with_transit) → unknown, not 0
    assert frame.select(sell_through_expr("end"))[:, 0].to_list()[1] is None
    with pytest.raises(ValueError, match="unknown 售罄率"):
        sell_through("sold_over_stock", sold=1)


def test_active_rate() -> None:
    assert active_rate(7, 10) == 0.7  # 7 of 10 on-sale SKUs sold
    assert active_rate(0, 10) == 0.0
    assert active_rate(0, 0) is None


def test_turnover_divides_by_two_for_the_average() -> None:
    # COGS 3,000 over 30 days; stock worth 1,000 at the start, 2,000 at the end:
    # average = (1,000 + 2,000) ÷ 2 = 1,500; rate = 3,000 ÷ 1,500 = 2; days = 30 ÷ 2 = 15
    average = average_inventory(1000, 2000)
    assert average == 1500
    assert turnover_rate(3000, average) == 2.0
    assert turnover_days(30, 3000, average) == 15.0
    # the practitioner's `/((cost30+cost)*2)` would give 3,000 ÷ 6,000 = 0.5: four times too small
    assert turnover_rate(3000, average) != 3000 / ((1000 + 2000) * 2)
    assert turnover_rate(Decimal("450.00"), average_inventory(Decimal("100"), Decimal("200"))) == 3.0
    assert turnover_rate(3000, None) is None
    assert turnover_days(30, 0, 1500) is None  # nothing sold: no turnover, never "0 days"


def test_abc_cut_offs_are_80_and_95_of_the_cumulative_share() -> None:
    # total 100: 50 (above 0) A, 30 (above 50) A — it crosses 80 —, 12 (above 80) B,
    # 5 (above 92) B, 3 (above 97) C
    assert abc_classes([50, 30, 12, 5, 3]) == ["A", "A", "B", "B", "C"]
    # one SKU making 90% alone is A, never B
    assert abc_classes([90, 6, 4]) == ["A", "B", "C"]
    # order of the input does not matter
    assert abc_classes([3, 50, 12, 30, 5]) == ["C", "A", "B", "A", "B"]
    # exactly 80% above: B (A is reached)
    assert abc_classes([80, 15, 5]) == ["A", "B", "C"]


def test_abc_ties_share_a_class_and_losses_are_c() -> None:
    # 40, then three SKUs of 20 (total 100): the tie starts with 40 above → all three A
    assert abc_classes([40, 20, 20, 20]) == ["A", "A", "A", "A"]
    # 70, 10, 10, 10: above the tie 70 → A for all three; nothing is B
    assert abc_classes([70, 10, 10, 10]) == ["A", "A", "A", "A"]
    # 85, 5, 5, 5: above the tie 85 → B for all three
    assert abc_classes([85, 5, 5, 5]) == ["A", "B", "B", "B"]
    # losses and zeros are C and do not add to the total (100); unknown has no class
    assert abc_classes([60, 30, 10, 0, -10, None]) == ["A", "A", "B", "C", "C", None]
    assert abc_classes([0, 0]) == [None, None]
    assert abc_classes([50, 30, 20], cuts=(50, 75)) == ["A", "B", "C"]  # 20 has 80 above


def test_abc_within_groups() -> None:
    frame = pl.DataFrame({"shop": ["x", "x", "y", "y"], "gmv": [10.0, 90.0, 30.0, 30.0]})
    got = abc_frame(frame, "gmv", over=["shop"])
    assert got["abc"].to_list() == ["B", "A", "A", "A"]
    assert got["gmv"].to_list() == [10.0, 90.0, 30.0, 30.0]  # the input's order kept


def test_launch_buckets_are_left_closed() -> None:
    got = [launch_bucket(d) for d in (0, 6, 7, 13, 14, 29, 30, 59, 60, 400, None, -1)]
    assert got == ["<7", "<7", "7–14", "7–14", "14–30", "14–30", "30–60", "30–60", "≥60", "≥60", None, None]


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 75) == 40.0
    assert percentile([1, 2, 3, 4], 25) == 1.75  # 1 + 0.75 × (2 − 1)
    assert percentile([7], 25) == 7
    assert percentile([], 50) is None


def test_registry_defaults_and_settings() -> None:
    assert {m: formula(m).key for m in DEFAULTS} == {
        "sell_through": "end",
        "active_rate": "on_sale",
        "turnover": "start_end",
    }
    assert set(FORMULAS["sell_through"]) == {"end", "received", "first_stock", "with_transit"}
    rules = StockRules.from_settings(
        {"stock": {"sell_through": "received", "abc_a": 70, "price_bands": [50, 150], "new_days": "14"}}
    )
    assert (rules.sell_through, rules.abc_a, rules.price_bands, rules.new_days) == (
        "received",
        70.0,
        (50.0, 150.0),
        14,
    )
    for bad, message in (
        ({"sell_through": "sold"}, "stock.sell_through is 'sold', not a formula — use one of end, received"),
        ({"abc_a": 96}, "ABC cut-offs need 0 < abc_a < abc_b ≤ 100"),
        ({"price_bands": [200, 100]}, "stock.price_bands must be rising prices"),
        ({"sell_trough": "end"}, "stock.sell_trough is not a 库存 setting"),
        ({"takes_off": 20}, "上新 percentiles need 0 ≤ lags < takes_off ≤ 100"),
        ({"new_days": "a month"}, "stock.new_days is 'a month', not a number of days"),
    ):
        with pytest.raises(WorkspaceError, match=message.replace("(", r"\(").replace(")", r"\)")):
            StockRules.from_settings({"stock": bad})
