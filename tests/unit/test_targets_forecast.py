"""The period-end forecast on synthetic series, its backtest, and splitting by last year's months."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from shopops.analysis.targets import Scope, TargetPeriod, backtest, split_target
from shopops.analysis.targets.forecast import (
    SEASONAL,
    WEEKDAY,
    forecast_days,
    forecast_with_range,
    known_sum,
    weekday_profile,
)
from shopops.analysis.targets.pacing import pace_target
from shopops.analysis.targets.store import Target
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog

WEEK = (1.0, 0.9, 0.9, 1.0, 1.1, 1.3, 1.2)
START = dt.date(2024, 1, 1)


def synthetic(
    days: int, *, noise: float = 0.0, growth: float = 0.0, seed: int = 1
) -> dict[dt.date, float | None]:
    """Weekday pattern, a 双11 spike (×3.5) with a warm-up, slow growth, multiplicative noise."""
    rng = random.Random(seed)
    series: dict[dt.date, float | None] = {}
    for index in range(days):
        day = START + dt.timedelta(days=index)
        promo = (
            3.5 if (day.month, day.day) == (11, 11) else (1.4 if day.month == 11 and day.day < 11 else 1.0)
        )
        series[day] = (
            1000 * WEEK[day.weekday()] * promo * (1 + growth * index) * (1 + rng.uniform(-noise, noise))
        )
    return series


def test_a_flat_series_is_forecast_exactly() -> None:
    series: dict[dt.date, float | None] = {START + dt.timedelta(days=i): 500.0 for i in range(60)}
    made = forecast_days(series, dt.date(2024, 2, 19), dt.date(2024, 2, 29))
    assert made is not None
    assert made.method == WEEKDAY
    assert made.remaining == pytest.approx(500.0 * 10)
    ranged = forecast_with_range(series, dt.date(2024, 2, 19), dt.date(2024, 2, 29))
    assert ranged is not None and ranged.low == ranged.high == pytest.approx(5000.0)  # no error, no width
    assert ranged.backtests >= 8
    short = forecast_with_range(series, dt.date(2024, 2, 19), dt.date(2024, 3, 31))
    assert short is not None and short.remaining == pytest.approx(500.0 * 41)
    assert short.low is None and short.high is None  # 41 days ahead: too few past 41-day spans to check


def test_weekday_pattern_is_kept() -> None:
    series = synthetic(130)
    profile = weekday_profile(series, dt.date(2024, 4, 20))
    assert [round(p / profile[0], 6) for p in profile] == [round(w / WEEK[0], 6) for w in WEEK]
    made = forecast_days(series, dt.date(2024, 4, 20), dt.date(2024, 4, 30))
    assert made is not None
    truth = known_sum(series, dt.date(2024, 4, 21), dt.date(2024, 4, 30))
    assert made.remaining == pytest.approx(truth)


def test_last_year_brings_the_promo_peak() -> None:
    """Without last year, 双11 is a surprise; with it, the spike is forecast."""
    series = synthetic(800, noise=0.05, growth=0.0005)
    as_of, end = dt.date(2025, 11, 5), dt.date(2025, 11, 30)
    made = forecast_days(series, as_of, end)
    assert made is not None and made.method == SEASONAL
    truth = known_sum(series, as_of + dt.timedelta(days=1), end)
    assert truth is not None
    assert abs(made.remaining / truth - 1) < 0.05
    first_year = {d: v for d, v in series.items() if d < dt.date(2024, 12, 31)}
    blind = forecast_days(first_year, dt.date(2024, 11, 5), dt.date(2024, 11, 30))
    assert blind is not None and blind.method == WEEKDAY


def test_range_comes_from_backtests_of_the_same_method() -> None:
    series = synthetic(800, noise=0.08, growth=0.0005)
    made = forecast_with_range(series, dt.date(2025, 9, 10), dt.date(2025, 9, 30))
    assert made is not None and made.method == SEASONAL
    assert made.low is not None and made.high is not None
    assert made.low <= made.high
    assert made.backtests >= 8
    assert made.high / made.low < 1.5  # a range, not a shrug


def test_too_little_history_gives_no_forecast() -> None:
    series = synthetic(10)
    assert forecast_days(series, dt.date(2024, 1, 10), dt.date(2024, 1, 31)) is None
    holes: dict[dt.date, float | None] = {d: (None if d.day % 2 else v) for d, v in synthetic(60).items()}
    assert forecast_days(holes, dt.date(2024, 2, 28), dt.date(2024, 2, 29)) is None


def test_backtest_beats_same_period_last_year_on_a_growing_series() -> None:
    series = synthetic(800, noise=0.05, growth=0.0008)
    months = [TargetPeriod.month(2025, m) for m in range(2, 13)]
    result = backtest(series, months, ranges=False)
    assert result.periods == 11
    assert result.naive_periods == 11
    assert result.mape is not None and result.naive_mape is not None
    assert result.mape < 0.05
    assert result.naive_mape > 0.15  # a year of growth makes last year's total too low
    assert result.mape_where_naive is not None and result.mape_where_naive < result.naive_mape


def test_pace_forecast_adds_the_achieved_part() -> None:
    series: dict[dt.date, float | None] = {START + dt.timedelta(days=i): 100.0 for i in range(100)}
    period = TargetPeriod.month(2024, 3)
    gmv = load_catalog().metrics["gmv"]
    row = pace_target(
        Target(period, Scope("all"), "gmv", Decimal("3000"), "test"),
        gmv,
        dt.date(2024, 3, 10),
        Decimal("1000.00"),
        series,
    )
    assert row.forecast == Decimal("3100.00")  # 1,000 so far + 21 days × 100
    assert row.method == WEEKDAY


class FakeSource:
    """A workspace stand-in: shops in DuckDB and a master table of monthly values."""

    def __init__(self, months: dict[dt.date, Decimal | None]) -> None:
        self.connection = duckdb.connect()
        self.connection.execute("CREATE TABLE shops (name VARCHAR)")
        self.connection.execute("INSERT INTO shops VALUES ('云朵旗舰店')")
        self.months = months

    def data_dates(self) -> tuple[dt.date | None, dt.date | None]:
        return None, None

    def master_table(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        shops: Sequence[str] | None = None,
        grain: str = "day",
        compare: bool = False,
        provenance: bool = False,
        total: bool = False,
    ) -> pl.DataFrame:
        assert grain == "month"
        rows = [{"date": d, "shop": "云朵旗舰店", "gmv": v} for d, v in sorted(self.months.items())]
        return pl.DataFrame(rows, schema={"date": pl.Date, "shop": pl.String, "gmv": pl.Decimal(18, 2)})


def test_split_by_last_year_sums_to_the_target_exactly() -> None:
    weights = [Decimal(f"{v}.37") for v in (410, 380, 400, 420, 430, 610, 440, 450, 430, 470, 1300, 690)]
    source = FakeSource({dt.date(2025, m, 1): w * 1000 for m, w in zip(range(1, 13), weights, strict=True)})
    gmv = load_catalog().metrics["gmv"]
    parts = split_target(
        source, TargetPeriod.year(2026), Scope("shop", "云朵旗舰店"), gmv, Decimal("9876543.21"), "last-year"
    )
    assert [p.period.key for p in parts] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert sum((p.value for p in parts), Decimal(0)) == Decimal("9876543.21")
    assert max(parts, key=lambda p: p.value).period.key == "2026-11"
    assert "2025年11月" in parts[10].basis
    even = split_target(
        source, TargetPeriod.quarter(2026, 4), Scope("shop", "云朵旗舰店"), gmv, Decimal("1000000"), "even"
    )
    assert [p.value for p in even] == [Decimal("336956.52"), Decimal("326086.96"), Decimal("336956.52")]
    assert sum((p.value for p in even), Decimal(0)) == Decimal("1000000")


def test_split_needs_every_month_of_last_year() -> None:
    months: dict[dt.date, Decimal | None] = {dt.date(2025, m, 1): Decimal(100) for m in range(1, 13)}
    months[dt.date(2025, 3, 1)] = None
    gmv = load_catalog().metrics["gmv"]
    with pytest.raises(UserError, match="2025年3月"):
        split_target(
            FakeSource(months),
            TargetPeriod.year(2026),
            Scope("shop", "云朵旗舰店"),
            gmv,
            Decimal(1200),
            "last-year",
        )
    roi = load_catalog().metrics["ad_roi"]
    with pytest.raises(UserError, match="ratio"):
        split_target(FakeSource(months), TargetPeriod.year(2026), Scope("all"), roi, Decimal(3), "even")
    with pytest.raises(UserError, match="month already"):
        split_target(FakeSource(months), TargetPeriod.month(2026, 1), Scope("all"), gmv, Decimal(3), "even")
