"""The same-weekday baseline, the promo calendar and the alert settings, on hand-made series."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from shopops.analysis.anomalies.baseline import robust_baseline
from shopops.analysis.anomalies.config import alert_settings
from shopops.analysis.calendar import holiday_name, load_calendar
from shopops.errors import WorkspaceError

WEEKDAY = (1.0, 0.94, 0.93, 0.97, 1.06, 1.22, 1.18)


def weekly_series(days: int, seed: int = 3, level: float = 10_000.0) -> np.ndarray:
    rng = random.Random(seed)
    return np.array([level * WEEKDAY[i % 7] * rng.uniform(0.9, 1.1) for i in range(days)])


def flagged(values: np.ndarray, excluded: np.ndarray | None = None, transform: str = "sqrt") -> list[int]:
    excluded = np.zeros(values.size, dtype=bool) if excluded is None else excluded
    baseline = robust_baseline(values, excluded, weeks=8, min_weeks=4, z=4.0, transform=transform)
    return [i for i in range(values.size) if baseline.distance(i)]


def test_weekday_swings_are_not_flagged() -> None:
    for seed in range(5):
        assert flagged(weekly_series(140, seed)) == []


def test_a_drop_and_a_spike_are_flagged_and_nothing_else() -> None:
    values = weekly_series(140)
    values[100] *= 0.55
    values[120] *= 1.8
    assert flagged(values) == [100, 120]


def test_expected_range_follows_the_weekday() -> None:
    values = weekly_series(140)
    baseline = robust_baseline(values, np.zeros(140, dtype=bool), weeks=8, min_weeks=4, z=4.0)
    saturday, tuesday = 110 + (5 - 110 % 7) % 7, 110 + (1 - 110 % 7) % 7
    assert baseline.center[saturday] > 1.2 * baseline.center[tuesday]
    low, high = baseline.expected(saturday) or (0, 0)
    assert low < baseline.center[saturday] < high
    wide_low, wide_high = baseline.expected(saturday, (0.5, 3.0)) or (0, 0)
    assert wide_low < low and wide_high > 2.5 * high


def test_unknown_days_and_early_days_have_no_baseline() -> None:
    values = weekly_series(140)
    values[50:60] = np.nan
    baseline = robust_baseline(values, np.zeros(140, dtype=bool), weeks=8, min_weeks=4, z=4.0)
    assert baseline.expected(10) is None  # not 4 same weekdays yet
    assert baseline.distance(55) is None
    assert baseline.expected(70) is not None


def test_excluded_days_stay_out_of_the_baseline() -> None:
    values = weekly_series(140)
    excluded = np.zeros(140, dtype=bool)
    excluded[70:84] = True
    values[70:84] *= 3  # a promotion
    assert flagged(values, excluded) == [] or all(70 <= i < 84 for i in flagged(values, excluded))
    baseline = robust_baseline(values, excluded, weeks=8, min_weeks=4, z=4.0)
    assert baseline.center[90] < 1.3 * values[90]  # the peak did not lift what is usual afterwards


def test_profit_can_be_negative() -> None:
    values = weekly_series(140) - 10_500
    values[120] -= 8_000
    assert flagged(values, transform="linear") == [120]


def test_promo_calendar_days() -> None:
    calendar = load_calendar()
    assert calendar.day(dt.date(2026, 11, 11)).kind == "peak"
    assert calendar.day(dt.date(2026, 11, 11)).label == "双11"
    assert calendar.day(dt.date(2026, 11, 5)).label == "双11预热"
    assert calendar.day(dt.date(2026, 11, 14)).kind == "after"
    assert calendar.day(dt.date(2026, 6, 18)).label == "618"
    assert calendar.day(dt.date(2026, 12, 12)).label == "双12"
    assert calendar.day(dt.date(2026, 3, 8)).label == "38节"
    assert calendar.day(dt.date(2026, 1, 20)).label == "年货节"
    assert calendar.day(dt.date(2026, 7, 15)).special is False
    assert calendar.day(dt.date(2026, 10, 2)).label == "国庆节"
    low, high = calendar.day(dt.date(2026, 11, 11)).range_for("volume")
    assert low <= 1
    assert high > 3.6  # the demo's 双11 lift


def test_holidays_come_from_chinese_calendar() -> None:
    assert holiday_name(dt.date(2026, 2, 17)) == "春节"
    assert holiday_name(dt.date(2026, 10, 1)) == "国庆节"
    assert holiday_name(dt.date(2026, 7, 4)) is None  # a Saturday, not a holiday
    assert holiday_name(dt.date(2099, 10, 1)) is None  # beyond the package's data


def test_the_calendar_can_be_changed_in_shopops_yaml() -> None:
    calendar = load_calendar(
        {
            "promotions": [
                {"key": "double11", "enabled": False},
                {"key": "brand_day", "label": "品牌日", "start": "07-10", "end": "07-12", "peak": "07-12"},
                {"key": "mid_year", "start": "06-01"},
            ]
        }
    )
    assert calendar.day(dt.date(2026, 11, 11)).special is False
    assert calendar.day(dt.date(2026, 7, 12)).label == "品牌日"
    assert calendar.day(dt.date(2026, 7, 11)).label == "品牌日预热"
    assert calendar.day(dt.date(2026, 5, 25)).special is False
    with pytest.raises(
        WorkspaceError, match=r"promotions \(x\)\.start is .11/11.; write a month-day such as \"11-11\""
    ):
        load_calendar({"promotions": [{"key": "x", "start": "11/11", "end": "11-12"}]})


def test_alert_settings_defaults_overrides_and_mistakes() -> None:
    settings = alert_settings({})
    assert settings.z == 4.0 and settings.rule("gmv_change") == {
        "threshold": 0.3,
        "min_base": 3000.0,
        "respect_expected": 1.0,
    }
    settings = alert_settings(
        {"alerts": {"rules": {"gmv_change": {"threshold": 0.5}, "dsr_drop": False}, "baseline": {"z": 5}}}
    )
    gmv_rule = settings.rule("gmv_change")
    assert gmv_rule is not None and gmv_rule["threshold"] == 0.5
    assert settings.rule("dsr_drop") is None
    assert settings.z == 5.0
    with pytest.raises(WorkspaceError, match=r"alerts\.rules\.gmv_chnage is not a rule"):
        alert_settings({"alerts": {"rules": {"gmv_chnage": {"threshold": 0.5}}}})
    with pytest.raises(WorkspaceError, match=r"alerts\.rules\.roi\.threshold is 'low'; write a number"):
        alert_settings({"alerts": {"rules": {"roi": {"threshold": "low"}}}})
