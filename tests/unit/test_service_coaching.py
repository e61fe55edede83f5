"""The coaching card's rules: the relative shortfall in the bad direction, one weak figure per family,
changes beyond their thresholds (pp for ratios), figures recomputed from counts, month parsing."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shopops.domains.service.coach_agent import closest
from shopops.domains.service.coaching import (
    SPECS,
    Figure,
    changes_since,
    drop_redundant,
    figure_frame,
    month_span,
    shortfall,
    weakest_figures,
)
from shopops.errors import UserError


def figure(key: str, value: float | None, median: float | None) -> Figure:
    spec = SPECS[key]
    return Figure(key, spec.label, spec.unit, spec.better, value, median, shortfall(spec, value, median))


def test_shortfall_is_relative_and_in_the_bad_direction() -> None:
    assert shortfall(SPECS["avg_response_seconds"], 30.0, 20.0) == pytest.approx(0.5)  # slower: worse
    assert shortfall(SPECS["avg_response_seconds"], 15.0, 20.0) == pytest.approx(-0.25)
    assert shortfall(SPECS["inquiry_conversion"], 0.30, 0.40) == pytest.approx(0.25)  # lower: worse
    assert shortfall(SPECS["inquiry_conversion"], 0.50, 0.40) == pytest.approx(-0.25)
    assert shortfall(SPECS["inquiry_conversion"], 0.10, 0.0) is None  # a median of 0 compares nothing
    assert shortfall(SPECS["aov"], None, 120.0) is None
    assert shortfall(SPECS["aov"], 100.0, None) is None


def test_the_weakest_are_the_largest_shortfalls_one_per_family() -> None:
    figures = [
        figure("inquiry_conversion", 0.38, 0.40),  # 5 %
        figure("avg_response_seconds", 30.0, 20.0),  # 50 %
        figure("first_response_seconds", 21.0, 12.0),  # 75 %, the same family as 平均响应
        figure("unreplied_per_100", 1.0, 0.4),  # 150 %
        figure("slow_share", 0.12, 0.10),  # 20 %
        figure("aov", 130.0, 120.0),  # better than the team: never weak
        figure("satisfaction_rate", None, 0.9),
    ]
    assert [f.key for f in weakest_figures(figures)] == [
        "unreplied_per_100",
        "first_response_seconds",
        "slow_share",
    ]
    assert [f.key for f in weakest_figures([figure("aov", 130.0, 120.0)])] == []


def test_reply_rate_only_when_unreplied_is_unknown() -> None:
    both = [figure("unreplied_per_100", 0.5, 0.4), figure("reply_rate", 0.995, 0.996)]
    assert [f.key for f in drop_redundant(both)] == ["unreplied_per_100"]
    stated = [figure("unreplied_per_100", None, None), figure("reply_rate", 0.95, 0.97)]
    assert [f.key for f in drop_redundant(stated)] == ["unreplied_per_100", "reply_rate"]


def test_changes_beyond_their_thresholds() -> None:
    now = [
        figure("inquiry_conversion", 0.42, None),  # +6 pp ≥ 3 pp
        figure("avg_response_seconds", 20.0, None),  # −23 % ≥ 15 %
        figure("first_response_seconds", 12.5, None),  # −7 % < 15 %
        figure("slow_share", 0.11, None),  # +2 pp < 3 pp
        figure("aov", 90.0, None),  # −28 % ≥ 10 %
    ]
    before = {
        "inquiry_conversion": 0.36,
        "avg_response_seconds": 26.0,
        "first_response_seconds": 13.4,
        "slow_share": 0.09,
        "aov": 125.0,
    }
    changes = changes_since(now, before)
    assert [(c.key, c.better) for c in changes] == [
        ("aov", False),  # 28 %: 2.8 thresholds
        ("inquiry_conversion", True),  # 6 pp: 2 thresholds
        ("avg_response_seconds", True),  # 23 %: 1.5 thresholds
    ]
    assert changes[1].change == pytest.approx(0.06)
    assert changes[2].change == pytest.approx(20.0 / 26.0 - 1)
    assert changes_since(now, None) == []


def test_figures_are_recomputed_from_the_counts() -> None:
    day = dt.date(2026, 11, 2)
    rows = pl.DataFrame(
        {
            "shop": ["店", "店"],
            "person": ["甲", "甲"],
            "accounts": ["店:甲", "店:甲"],
            "agent_group": ["售前", "售前"],
            "status": ["在职", "在职"],
            "period_start": [day, day + dt.timedelta(days=1)],
            "period_end": [day, day + dt.timedelta(days=1)],
            "receptions": [100, 300],
            "inquiries": [50, 150],
            "inquiry_paid": [25, 45],
            "inquiry_ordered": [30, 50],
            "sales": [1000.0, 3000.0],
            "sales_buyers": [10, 30],
            "sales_orders": [10, 31],
            "unreplied": [1, 3],
            "slow_responses": [10, 50],
            "refund_amount": [0.0, 10.0],
            "work_days": [1, 1],
            "avg_response_seconds": [10.0, 30.0],
            "first_response_seconds": [6.0, 18.0],
            "reply_rate_stated": [None, None],
            "satisfaction_rate_stated": [None, None],
            "very_satisfied": [None, None],
            "satisfied": [None, None],
            "neutral": [None, None],
            "dissatisfied": [None, None],
            "very_dissatisfied": [None, None],
            "provisional": [False, False],
            "basis": ["days", "days"],
        },
        schema_overrides={
            f"{k}": pl.Int64
            for k in ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
        }
        | {"reply_rate_stated": pl.Float64, "satisfaction_rate_stated": pl.Float64},
    )
    (row,) = figure_frame(rows, ("person",)).to_dicts()
    assert row["inquiry_conversion"] == pytest.approx(70 / 200)  # not the mean of 50 % and 30 %
    assert row["avg_response_seconds"] == pytest.approx((10 * 100 + 30 * 300) / 400)
    assert row["slow_share"] == pytest.approx(60 / 400)
    assert row["unreplied_per_100"] == pytest.approx(4 / 400 * 100)
    assert row["aov"] == pytest.approx(4000 / 40)
    assert row["satisfaction_rate"] is None


def test_month_span_and_its_error() -> None:
    assert month_span("2026-11") == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert month_span("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert month_span("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    with pytest.raises(UserError, match="--month '2026/11' is not a month like 2026-11"):
        month_span("2026/11")


def test_the_closest_agents_come_first() -> None:
    known = [
        ("店A", "小美", "店A:小美"),
        ("店A", "大壮", "店A:大壮"),
        ("店B", "阿宁", "店B:宁宁"),
        ("店B", "阿宁", "店B:阿宁"),
    ]
    assert closest("小梅", known) == "小美（店A）、大壮（店A）、阿宁（店B）"
    assert closest("宁", known).startswith("阿宁（店B）")
