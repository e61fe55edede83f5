"""The 客服 rules' windows and thresholds, on small frames whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shopops.domains.service.service_rules import ServiceRules, family_z, windows

DAY = dt.date(2026, 11, 1)


def day_rows(days: int, *, people: tuple[str, ...] = ("甲", "乙")) -> pl.DataFrame:
    rows = []
    for person_index, person in enumerate(people):
        for offset in range(days):
            rows.append(
                {
                    "shop": "店",
                    "person": person,
                    "date": DAY + dt.timedelta(days=offset),
                    "settled": offset < days - 2,
                    "avg_response_seconds": 10.0 + offset,
                    "receptions": 10 + person_index,
                    "inquiries": 4,
                    "inquiry_paid": 1 + offset % 2,
                    "sales": 100.0,
                    "sales_buyers": 2,
                    "unused": "not read",
                }
            )
    return pl.DataFrame(rows)


def test_windows_hold_exactly_the_recent_and_the_baseline_days() -> None:
    rules = ServiceRules(recent_days=3, baseline_days=5)
    rows = day_rows(12)
    check = DAY + dt.timedelta(days=10)
    checks = pl.DataFrame({"shop": ["店"], "person": ["甲"], "check": [check]})
    result = windows(rows, checks, ("shop", "person"), rules).row(0, named=True)
    # recent: days 8, 9, 10 (10 and 11 are unsettled); baseline: days 3 … 7
    assert result["now_days"] == 3 and result["base_days"] == 5
    assert result["now_settled_days"] == 2 and result["base_settled_days"] == 5
    assert result["now_inquiries"] == 8 and result["now_paid"] == 1 + 2  # days 8 and 9 only
    assert result["base_paid"] == sum(1 + d % 2 for d in range(3, 8))
    assert result["now_response"] == pytest.approx((18 + 19 + 20) / 3)
    assert result["base_response"] == pytest.approx(sum(10 + d for d in range(3, 8)) / 5)
    assert result["now_aov"] == pytest.approx(50.0)


def test_a_shop_window_adds_its_agents_and_a_check_before_the_data_is_empty() -> None:
    rules = ServiceRules(recent_days=2, baseline_days=2)
    rows = day_rows(6)
    checks = pl.DataFrame(
        {"shop": ["店", "店"], "check": [DAY + dt.timedelta(days=3), DAY - dt.timedelta(days=1)]}
    )
    result = {r["check"]: r for r in windows(rows, checks, ("shop",), rules).iter_rows(named=True)}
    later = result[DAY + dt.timedelta(days=3)]
    assert later["now_days"] == 2 and later["now_inquiries"] == 16  # 2 days × 2 agents × 4
    assert later["now_response"] == pytest.approx((12 * 10 + 12 * 11 + 13 * 10 + 13 * 11) / 42)
    assert result[DAY - dt.timedelta(days=1)]["now_days"] is None  # no day in either window


def test_the_z_a_drop_needs_grows_with_the_team() -> None:
    assert family_z(1) == pytest.approx(1.645, abs=1e-3)
    assert family_z(6) == pytest.approx(2.394, abs=1e-3)
    assert family_z(800) == pytest.approx(3.836, abs=1e-3)
    assert family_z(0) == family_z(1)


def test_a_misspelt_or_wrong_setting_is_one_line() -> None:
    from shopops.errors import WorkspaceError

    assert ServiceRules.from_settings({"service": {"z": 3, "unreplied_min": "5"}}).unreplied_min == 5
    with pytest.raises(
        WorkspaceError, match=r"^shopops.yaml: service.zz is not a 客服 setting \(use recent_days"
    ):
        ServiceRules.from_settings({"service": {"zz": 3}})
    with pytest.raises(
        WorkspaceError, match=r"^shopops.yaml: service.z is 'abc', not a number — write e.g. z: 2.0$"
    ):
        ServiceRules.from_settings({"service": {"z": "abc"}})
