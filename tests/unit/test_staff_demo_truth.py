"""The demo's own scoring of the preset cards (demo/staff_truth.py), against numbers worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shopops.analysis.targets.periods import TargetPeriod
from shopops.demo.staff_truth import CARDS, Books, Person, line_score, score_board, shop_figures, shop_target

SEPT, Q3 = TargetPeriod.month(2026, 9), TargetPeriod.quarter(2026, 3)


def card_line(role: str, name: str) -> Any:
    return next(line for line in CARDS[role] if line.name == name)


def test_bands_linear_and_the_roi_formula() -> None:
    done = card_line("客服售前", "指标完成率")
    assert [line_score(done, v) for v in (1.2, 1.0, 0.9999, 0.9, 0.45, 0.39)] == [
        Decimal(s) for s in ("100.00", "100.00", "85.00", "85.00", "20.00", "0.00")
    ]
    response = card_line("客服售前", "响应时间")  # lower is better: ≤ 35 → 100, ≤ 45 → 80, ≤ 55 → 60
    assert [line_score(response, v) for v in (35.0, 35.01, 45.0, 55.5)] == [
        Decimal("100.00"), Decimal("80.00"), Decimal("80.00"), Decimal("0.00")
    ]  # fmt: skip
    quality = card_line("客服售后", "质检分")  # 60 → 0, 100 → 100, between on the line
    assert [line_score(quality, v) for v in (50.0, 60.0, 81.0, 78.6666667, 100.0)] == [
        Decimal(s) for s in ("0.00", "0.00", "52.50", "46.67", "100.00")
    ]
    roi = card_line("推广", "推广ROI")  # 100 + (ROI − 3) ÷ 0.2, capped at 120
    assert [line_score(roi, v) for v in (2.3701, 3.0, 7.0, -20.0)] == [
        Decimal(s) for s in ("96.85", "100.00", "120.00", "0.00")
    ]


def test_every_card_weighs_100() -> None:
    assert {role: sum(line.weight for line in lines) for role, lines in CARDS.items()} == dict.fromkeys(
        CARDS, 100
    )


def _books(**kwargs: Any) -> Books:
    base: dict[str, Any] = {
        "service": {"agents": [], "days": {}, "delayed": {"final": []}},
        "shops": {},
        "rated_shops": frozenset(),
        "inputs": {},
        "targets": {},
        "groups": {},
        "import_day": dt.date(2026, 11, 30),
    }
    return Books(**(base | kwargs))


def _days(first: dt.date, count: int, **values: str | int | None) -> dict[str, dict[str, Any]]:
    return {(first + dt.timedelta(days=i)).isoformat(): dict(values) for i in range(count)}


def test_shop_figures_add_shops_up_and_an_unknown_day_is_unknown() -> None:
    shops = {
        "A": {"days": _days(dt.date(2026, 9, 1), 30, gmv="100.00", visitors=50, buyers=2, refund_amount="5.00",
                            ad_report_spend="10.00", ad_gmv="30.00", ad_spend_keyword="10.00", ad_spend_display=None,
                            ad_spend_ratio="0.1")},  # a metric, not a channel
        "B": {"days": _days(dt.date(2026, 9, 1), 30, gmv="300.00", visitors=None, buyers=None, refund_amount=None,
                            ad_report_spend="20.00", ad_gmv="40.00", ad_spend_keyword="20.00", ad_spend_display=None)},
    }  # fmt: skip
    one = shop_figures(shops, ["A"], SEPT.start, SEPT.end)
    assert one == {
        "gmv": Decimal("3000.00"),
        "conversion_rate": 60 / 1500,
        "refund_rate": 150 / 3000,
        "ad_roi": 900 / 300,
        "ad_spend_ratio": 300 / 3000,
    }
    both = shop_figures(shops, ["A", "B"], SEPT.start, SEPT.end)
    assert both["gmv"] == Decimal("12000.00") and both["conversion_rate"] is None
    assert both["ad_roi"] == 2100 / 900 and both["ad_spend_ratio"] == 900 / 12000
    shops["A"]["days"].pop("2026-09-30")
    assert shop_figures(shops, ["A"], SEPT.start, SEPT.end)["gmv"] is None  # a day without data


def test_shop_targets_from_the_shops_their_group_or_the_months() -> None:
    months = {
        (f"2026-0{m}", shop, "gmv"): Decimal(v) for m in (7, 8, 9) for shop, v in (("A", "100"), ("B", "50"))
    }
    rates = {
        ("2026-09", "A", "conversion_rate"): Decimal("0.03"),
        ("2026-09", "group:AB", "conversion_rate"): Decimal("0.04"),
    }
    books = _books(targets=months | rates, groups={"AB": ("A", "B")})
    every = ["A", "B", "C"]
    assert shop_target(books, SEPT, ["A", "B"], every, "gmv", True) == Decimal("150")  # the shops' sum
    assert shop_target(books, SEPT, ["A", "B"], every, "conversion_rate", False) == Decimal(
        "0.04"
    )  # the group's
    assert shop_target(books, SEPT, ["A"], every, "conversion_rate", False) == Decimal("0.03")
    assert shop_target(books, SEPT, ["B"], every, "conversion_rate", False) is None
    assert shop_target(books, Q3, ["A", "B"], every, "gmv", True) == Decimal("450")  # the months' sum
    assert shop_target(books, Q3, ["A"], every, "conversion_rate", False) is None  # a ratio is not added up


def test_a_joiner_in_a_quarter_and_the_inputs_of_the_months() -> None:
    """小雨 joins on 08-19: August's 销售目标 counts for 13/31, September's whole; 客单价目标 and 出勤率
    are the months' mean; July, before she joined, needs no entry."""
    day = {"sales": "1000.00", "sales_buyers": 8, "inquiries": 20, "inquiry_paid": 9, "receptions": 30,
           "unreplied": 0, "avg_response_seconds": 20.0}  # fmt: skip
    service = {
        "agents": [{"person": "小雨", "shop": "S", "accounts": ["S:小雨"]}],
        "days": {"S": {"S:小雨": _days(dt.date(2026, 8, 19), 43, **day)}},  # type: ignore[arg-type]
        "delayed": {"final": []},
    }
    inputs = {("2026-08", "小雨", "销售目标"): 31000.0, ("2026-09", "小雨", "销售目标"): 30000.0}
    inputs |= {("2026-08", "小雨", "客单价目标"): 120.0, ("2026-09", "小雨", "客单价目标"): 130.0}
    inputs |= {("2026-08", "小雨", "出勤率"): 1.0, ("2026-09", "小雨", "出勤率"): 0.9}
    person = Person("小雨", "客服售前", ("S",), dt.date(2026, 8, 19), None)
    (row,) = score_board([person], Q3, _books(service=service, inputs=inputs))
    lines = {line["name"]: (pytest.approx(line["value"]), line["score"]) for line in row["lines"]}
    assert lines["指标完成率"] == (1.0, "100.00")  # 43 days × 1,000 ÷ (13,000 + 30,000)
    assert lines["客单价"] == (125.0 / 125.0, "100.00")
    assert lines["询单转化率"] == (0.45, "100.00")
    assert lines["出勤率"] == (0.95, "80.00")
    assert (row["total"], row["tier"], row["rank"], row["proration"]) == ("99.00", "金牌", 1, "43/92")
    (august,) = score_board([person], TargetPeriod.month(2026, 8), _books(service=service, inputs=inputs))
    done = next(line for line in august["lines"] if line["name"] == "指标完成率")
    assert (done["value"], done["score"]) == (pytest.approx(1.0), "100.00")
