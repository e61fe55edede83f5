"""Targets & pacing by hand: periods, 时间进度/完成进度, statuses, ratio targets, splits, values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.analysis.targets import (
    Scope,
    Target,
    TargetPeriod,
    allocate,
    pace_target,
    parse_period,
    parse_value,
)
from shopops.errors import UserError
from shopops.metrics.catalog import Metric, load_catalog

D = Decimal
NOV = TargetPeriod.month(2026, 11)
SHOP = Scope("shop", "云朵旗舰店")


def metric(key: str) -> Metric:
    return load_catalog().metrics[key]


def target(key: str, value: str, period: TargetPeriod = NOV) -> Target:
    return Target(period, SHOP, key, D(value), "test")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026", "2026"),
        ("2026年", "2026"),
        ("2026-Q4", "2026-Q4"),
        ("2026Q4", "2026-Q4"),
        ("2026 q1", "2026-Q1"),
        ("2026年第4季度", "2026-Q4"),
        ("2026年4季度", "2026-Q4"),
        ("2026-11", "2026-11"),
        ("2026/1", "2026-01"),
        ("2026年11月", "2026-11"),
        ("202611", "2026-11"),
        ("2026-11-01", "2026-11"),
        ("2026-11-01 00:00:00", "2026-11"),
        (" 2026-11 ", "2026-11"),
    ],
)
def test_periods_are_read_as_operators_write_them(text: str, key: str) -> None:
    period = parse_period(text)
    assert period is not None
    assert period.key == key


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-11", "2026-11-15", "十一月", "", "合计"])
def test_what_is_not_a_period(text: str) -> None:
    assert parse_period(text) is None


def test_period_boundaries_and_leap_years() -> None:
    assert TargetPeriod.month(2028, 2).days == 29
    assert TargetPeriod.month(2026, 2).days == 28
    assert TargetPeriod.year(2028).days == 366
    assert TargetPeriod.year(2026).days == 365
    q1 = TargetPeriod.quarter(2028, 1)
    assert (q1.start, q1.end, q1.days) == (dt.date(2028, 1, 1), dt.date(2028, 3, 31), 91)
    q4 = TargetPeriod.quarter(2026, 4)
    assert (q4.start, q4.end, q4.days) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31), 92)
    assert [m.key for m in q4.months()] == ["2026-10", "2026-11", "2026-12"]
    assert len(TargetPeriod.year(2026).months()) == 12
    assert TargetPeriod.containing(dt.date(2026, 12, 31), "quarter") == q4
    assert TargetPeriod.containing(dt.date(2027, 1, 1), "quarter") == TargetPeriod.quarter(2027, 1)
    # 时间进度 counts the as-of day: 29 Feb 2028 is day 60 of 366
    year = TargetPeriod.year(2028)
    assert year.elapsed_days(dt.date(2028, 2, 29)) == 60
    assert year.time_progress(dt.date(2028, 2, 29)) == pytest.approx(60 / 366)
    assert NOV.elapsed_days(dt.date(2026, 10, 31)) == 0
    assert NOV.time_progress(dt.date(2026, 11, 1)) == pytest.approx(1 / 30)
    assert NOV.time_progress(dt.date(2026, 11, 30)) == 1.0
    assert NOV.time_progress(dt.date(2026, 12, 5)) == 1.0
    assert TargetPeriod.month(2028, 2).shifted_years(-1) == TargetPeriod.month(2027, 2)


def test_ten_of_thirty_days_forty_percent_achieved_is_ahead() -> None:
    """The issue's hand case: 10 of 30 days elapsed, 40% achieved."""
    row = pace_target(target("gmv", "1000000.00"), metric("gmv"), dt.date(2026, 11, 10), D("400000.00"))
    assert row.elapsed == 10 and row.days == 30
    assert row.time_progress == pytest.approx(1 / 3)  # 33.3%
    assert row.completion == pytest.approx(0.40)
    assert row.progress_gap == pytest.approx(0.40 - 1 / 3)  # +6.7pp
    assert row.gap == D("600000.00")
    assert row.run_rate == D("40000.00")
    assert row.needed_per_day == D("30000.00")  # 600,000 over the 20 days left
    assert row.status == "超前"
    assert row.forecast is None  # no daily series given: unknown, not 0


def test_behind_and_achieved_and_missed() -> None:
    gmv = metric("gmv")
    behind = pace_target(target("gmv", "900000"), gmv, dt.date(2026, 11, 15), D("300000"))
    assert behind.completion == pytest.approx(1 / 3)
    assert behind.time_progress == pytest.approx(0.5)
    assert behind.status == "落后"
    assert behind.needed_per_day == D("40000.00")  # 600,000 / 15
    done = pace_target(target("gmv", "900000"), gmv, dt.date(2026, 11, 20), D("950000"))
    assert done.status == "已达成"
    assert done.gap == D("-50000")
    assert done.needed_per_day == D("0.00")  # nothing more is needed
    missed = pace_target(target("gmv", "900000"), gmv, dt.date(2026, 11, 30), D("850000"))
    assert missed.status == "未达成"
    assert missed.needed_per_day is None  # no day left to spread the gap over
    assert missed.forecast == D("850000.00")  # the period is over: the forecast is what happened
    assert missed.forecast_low == missed.forecast_high == D("850000.00")


def test_budget_is_paced_as_spend_within_a_cap() -> None:
    spend = metric("ad_spend")
    fast = pace_target(target("ad_spend", "30000"), spend, dt.date(2026, 11, 10), D("12000.00"))
    assert fast.kind == "cap"
    assert fast.completion == pytest.approx(0.4)
    assert fast.status == "偏快"  # 40% of the budget gone in 33% of the time
    assert fast.needed_per_day == D("900.00")  # what may still be spent per day
    calm = pace_target(target("ad_spend", "30000"), spend, dt.date(2026, 11, 10), D("9000.00"))
    assert calm.status == "正常"
    over = pace_target(target("ad_spend", "30000"), spend, dt.date(2026, 11, 25), D("31000.00"))
    assert over.status == "已超支"
    assert over.needed_per_day == D("-200.00")  # over budget: below zero per remaining day
    within = pace_target(target("ad_spend", "30000"), spend, dt.date(2026, 11, 30), D("29000.00"))
    assert within.status == "预算内"


def test_unknown_and_not_started_are_never_zero() -> None:
    gmv = metric("gmv")
    unknown = pace_target(target("gmv", "900000"), gmv, dt.date(2026, 11, 10), None)
    assert unknown.status == "数据不全"
    for value in (
        unknown.achieved,
        unknown.completion,
        unknown.gap,
        unknown.needed_per_day,
        unknown.forecast,
    ):
        assert value is None
    early = pace_target(target("gmv", "900000"), gmv, dt.date(2026, 10, 31), D("5"))
    assert early.status == "未开始"
    assert early.achieved is None
    assert early.time_progress == 0.0


def test_ratio_targets_compare_the_ratio() -> None:
    roi = pace_target(target("ad_roi", "3.0"), metric("ad_roi"), dt.date(2026, 11, 10), D("2.7"))
    assert roi.kind == "ratio"
    assert roi.status == "未达标"
    assert roi.completion == pytest.approx(0.9)
    assert roi.gap == D("0.3")
    assert roi.needed_per_day is None and roi.forecast is None and roi.progress_gap is None
    refund = pace_target(
        target("refund_rate", "0.05"), metric("refund_rate"), dt.date(2026, 11, 10), D("0.04")
    )
    assert refund.status == "达标"  # lower is better: under the cap
    high = pace_target(target("refund_rate", "0.05"), metric("refund_rate"), dt.date(2026, 11, 10), D("0.06"))
    assert high.status == "未达标"


def test_values_as_typed() -> None:
    assert parse_value("120万", metric("gmv")) == D("1200000.00")
    assert parse_value("1,200,000", metric("gmv")) == D("1200000.00")
    assert parse_value("¥1234.567", metric("gmv")) == D("1234.57")
    assert parse_value("3.5%", metric("conversion_rate")) == D("0.035")
    assert parse_value("3.2", metric("ad_roi")) == D("3.2")
    assert parse_value("500", metric("paid_orders")) == D("500")
    for text, key in (
        ("3.5%", "ad_roi"),
        ("12.5", "paid_orders"),
        ("-5", "gmv"),
        ("abc", "gmv"),
        ("0", "gmv"),
    ):
        with pytest.raises(UserError):
            parse_value(text, metric(key))


def test_allocation_sums_exactly() -> None:
    last_year = [D(x) for x in ("612345.67", "498765.43", "587654.32", "601234.56", "655432.10", "812345.98",
                                "634567.89", "645678.90", "623456.78", "702345.67", "1456789.01", "834567.12")]  # fmt: skip
    months = allocate(D("12345678.91"), last_year, D("0.01"))
    assert sum(months, D(0)) == D("12345678.91")
    assert all(m == m.quantize(D("0.01")) for m in months)
    assert months[10] == max(months)  # the 双11 month keeps its weight
    share = months[10] / D("12345678.91")
    assert float(share) == pytest.approx(float(last_year[10] / sum(last_year, D(0))), abs=1e-8)
    days = [D(m.days) for m in TargetPeriod.year(2028).months()]
    even = allocate(D("1000000.00"), days, D("0.01"))
    assert sum(even, D(0)) == D("1000000.00")
    assert even[1] == D("79234.97") or even[1] == D("79234.98")  # 29/366 of the year
    counts = allocate(D("1000"), [D(1)] * 3, D(1))
    assert counts == [D(334), D(333), D(333)]
    with pytest.raises(UserError):
        allocate(D("10.005"), [D(1)], D("0.01"))
