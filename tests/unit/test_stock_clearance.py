"""换季清仓 arithmetic with hand-computed numbers: price levels, the log-log arc elasticity, the markdown
band, and which 季节 a --season takes."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from shopops.domains.stock.clearance import matching_seasons, season_of
from shopops.domains.stock.elasticity import (
    NO_HISTORY,
    Level,
    elasticity,
    markdown_band,
    pair,
    price_levels,
)

D0 = dt.date(2026, 10, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n - 1)


def test_price_levels_span_to_the_next_levels_first_sale() -> None:
    # ¥100 on days 1–10 (2 a day, none on day 5), ¥80 from day 11 (4 a day on 11–18, none on 19–20).
    sales = [(day(n), 2, 200.0) for n in range(1, 11) if n != 5]
    sales += [(day(n), 4, 320.0) for n in range(11, 19)]
    levels = price_levels(sales, day(20))
    assert levels == [Level(day(1), day(10), 100.0, 18), Level(day(11), day(20), 80.0, 32)]
    assert (levels[0].days, levels[0].velocity) == (10, 1.8)
    assert (levels[1].days, levels[1].velocity) == (10, 3.2)


def test_a_price_within_two_percent_stays_in_its_level() -> None:
    # 99.00 and 101.50 are within ±2 % of the level's first price 100; 97.00 is not.
    sales = [(day(1), 1, 100.0), (day(2), 1, 99.0), (day(3), 2, 203.0), (day(4), 1, 97.0)]
    levels = price_levels(sales, day(4))
    assert [(lv.start, lv.end, lv.units) for lv in levels] == [(day(1), day(3), 4), (day(4), day(4), 1)]
    assert levels[0].price == pytest.approx(402 / 4)  # the level's 实付 ÷ 件数, 100.50


def per_day(first: int, last: int, units: int) -> dict[dt.date, int]:
    return {day(n): units for n in range(first, last + 1)}


def test_arc_elasticity_over_the_n_days_either_side_of_the_change() -> None:
    # ¥100 on days 1–20 (1 a day on 1–13, 2 a day on 14–20), ¥80 from day 21 (4 a day on 21–27, then 3).
    units = per_day(1, 13, 1) | per_day(14, 20, 2) | per_day(21, 27, 4) | per_day(28, 40, 3)
    levels = [Level(day(1), day(20), 100.0, 27), Level(day(21), day(40), 80.0, 67)]
    found = elasticity(levels, 7, units)
    assert found is not None
    # the 7 days either side: days 14–20 (14 units) and 21–27 (28 units):
    # ε = ln(28 / 14) ÷ ln(80 / 100) = 0.693147 ÷ −0.223144 = −3.1063
    assert (found.units_before, found.units_after, found.window, found.control) == (14, 28, 7, None)
    assert found.value == pytest.approx(-3.10628, abs=1e-5)
    assert (found.before, found.after) == (levels[0], levels[1])


def test_the_season_is_taken_out_by_the_unchanged_styles() -> None:
    units = per_day(14, 20, 2) | per_day(21, 27, 3)  # 14 → 21 units after a cut from ¥100 to ¥80
    levels = [Level(day(14), day(20), 100.0, 14), Level(day(21), day(27), 80.0, 21)]
    # the season's styles without a price change fell from 70 to 56 units in the same two weeks:
    control = per_day(14, 20, 10) | per_day(21, 27, 8)
    found = elasticity(levels, 7, units, control)
    assert found is not None and found.control == pytest.approx(0.8)
    # ε = ln((21 / 14) ÷ (56 / 70)) ÷ ln(0.8) = 0.628609 ÷ −0.223144 = −2.81706
    assert found.value == pytest.approx(math.log(1.875) / math.log(0.8))
    assert found.value == pytest.approx(-2.81706, abs=1e-5)
    uncorrected = elasticity(levels, 7, units)
    assert uncorrected is not None and uncorrected.value == pytest.approx(math.log(1.5) / math.log(0.8))


def test_a_window_without_a_sale_falls_back_to_the_whole_levels() -> None:
    units = per_day(1, 10, 1) | {day(25): 6}  # nothing in days 11–17 of the second level
    levels = [Level(day(1), day(10), 100.0, 10), Level(day(11), day(30), 50.0, 6)]
    found = elasticity(levels, 7, units)
    assert found is not None and (found.units_before, found.units_after, found.window) == (10, 6, 20)
    # velocities 10 / 10 days and 6 / 20 days: ε = ln(0.3 / 1) ÷ ln(0.5) = 1.7370
    assert found.value == pytest.approx(math.log(0.3) / math.log(0.5))


def test_short_levels_are_skipped_and_a_same_price_level_is_not_a_change() -> None:
    one_day_promo = Level(day(11), day(13), 70.0, 30)  # 3 days: shorter than 7
    levels = [
        Level(day(1), day(10), 100.0, 20),
        one_day_promo,
        Level(day(14), day(23), 101.0, 25),  # the same price as day 1–10 (within 2 %)
    ]
    units = per_day(1, 40, 2)
    assert elasticity(levels, 7, units) is None  # no change of price held 7 days on both sides
    cut = Level(day(24), day(33), 60.0, 50)
    assert pair([*levels, cut], 7) == (levels[2], cut)
    assert elasticity([Level(day(1), day(30), 50.0, 30)], 7, units) is None


def test_the_markdown_band_sells_out_by_the_target() -> None:
    # 300 可用 in 56 days needs 300 / 56 = 5.357 a day; 4 a day now at ¥80, ε = −3.1063:
    # p* = 80 × (5.357 / 4)^(1 / −3.1063) = 80 × 1.33929^−0.32193 = 72.82 → 0.728 of ¥100: 7–8折
    epsilon = math.log(2) / math.log(0.8)
    band = markdown_band(
        stock=300, days_left=56, rate_now=4.0, price_now=80.0, list_price=100.0, epsilon=epsilon, cost=40.0
    )
    assert band.text == "7–8折"
    assert band.price == pytest.approx(80 * (300 / 56 / 4) ** (1 / epsilon))
    assert band.price == pytest.approx(72.82, abs=0.01)
    assert band.share == pytest.approx(0.7282, abs=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"epsilon": None}, NO_HISTORY),
        ({"stock": 0}, "无可用库存"),
        ({"rate_now": 0.0}, "近14天无销售"),
        ({"stock": 100}, "无需降价"),  # 100 / 56 = 1.79 a day < 4 a day now
        ({"epsilon": 0.5}, "降价不增销"),
        ({"epsilon": 0.5, "rate_now": 0.0}, "降价不增销"),
        ({"epsilon": -0.1}, "需低于1折"),  # 80 × 1.339^−10 = 4.3: 0.43折
        ({"cost": 75.0}, "7–8折·低于成本"),
        # exactly 7折: ε = −1, 256 / 56 = 4 × 8/7 a day needs p* = 80 × (8/7)^−1 = ¥70
        ({"stock": 256, "epsilon": -1.0}, "7折"),
    ],
)
def test_band_cases(kwargs: dict[str, object], text: str) -> None:
    given: dict[str, object] = {
        "stock": 300, "days_left": 56, "rate_now": 4.0, "price_now": 80.0, "list_price": 100.0,
        "epsilon": math.log(2) / math.log(0.8), "cost": 40.0,
    }  # fmt: skip
    band = markdown_band(**(given | kwargs))  # type: ignore[arg-type]
    assert band.text == text


def test_seasons_a_season_option_takes() -> None:
    values = ["春", "春夏", "夏季", "秋", "冬", "四季", "2025"]
    late_november = dt.date(2026, 11, 29)
    assert season_of(late_november) == "秋" and season_of(dt.date(2027, 1, 5)) == "冬"
    assert season_of(dt.date(2026, 3, 1)) == "春" and season_of(dt.date(2026, 8, 31)) == "夏"
    assert matching_seasons(values, "夏", late_november) == ["春夏", "夏季"]
    assert matching_seasons(values, "夏季", late_november) == ["春夏", "夏季"]
    assert matching_seasons(values, "四季", late_november) == ["四季"]
    assert matching_seasons(values, "old", late_november) == ["春", "春夏", "夏季", "冬"]
    assert matching_seasons(values, "2025", late_november) == ["2025"]  # a value of the master itself
    assert matching_seasons(values, "秋冬", late_november) == []
