"""The period-end forecast on synthetic series — the method chosen by backtest, level shifts, the
calibrated range, ratio targets — its backtest, and splitting by last year's months."""

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
    RECENT,
    SEASONAL,
    TREND,
    WEEKDAY,
    History,
    choose,
    forecast_days,
    forecast_with_range,
    interval,
    known_sum,
)
from shopops.analysis.targets.level_shift import detect, rank_test
from shopops.analysis.targets.pacing import pace_target
from shopops.analysis.targets.ratio_forecast import forecast_ratio
from shopops.analysis.targets.store import Target
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog

WEEK = (1.0, 0.9, 0.9, 1.0, 1.1, 1.3, 1.2)
START = dt.date(2024, 1, 1)  # a Monday
Daily = dict[dt.date, float | None]


def synthetic(days: int, *, noise: float = 0.0, growth: float = 0.0, seed: int = 1) -> Daily:
    """Weekday pattern, a 双11 spike (×3.5) with a warm-up, slow growth, multiplicative noise."""
    rng = random.Random(seed)
    series: Daily = {}
    for index in range(days):
        day = START + dt.timedelta(days=index)
        promo = (
            3.5 if (day.month, day.day) == (11, 11) else (1.4 if day.month == 11 and day.day < 11 else 1.0)
        )
        series[day] = (
            1000 * WEEK[day.weekday()] * promo * (1 + growth * index) * (1 + rng.uniform(-noise, noise))
        )
    return series


def daily(values: Sequence[float | None]) -> Daily:
    return {START + dt.timedelta(days=index): value for index, value in enumerate(values)}


def step(before: int, after: int, low: float, high: float, seed: int = 3) -> Daily:
    """``before`` days around ``low`` then ``after`` days around ``high`` (±5 %)."""
    rng = random.Random(seed)
    return daily([v * rng.uniform(0.95, 1.05) for v in [low] * before + [high] * after])


def test_a_flat_series_is_forecast_exactly() -> None:
    series = daily([500.0] * 60)
    made = forecast_days(series, dt.date(2024, 2, 19), dt.date(2024, 2, 29))
    assert made is not None
    assert made.method == WEEKDAY  # every method is exact: the steadiest one is kept
    assert made.remaining == pytest.approx(500.0 * 10)
    ranged = forecast_with_range(series, dt.date(2024, 2, 19), dt.date(2024, 2, 29))
    assert ranged is not None and ranged.low == ranged.high == pytest.approx(5000.0)  # no error, no width
    assert ranged.backtests >= 8 and ranged.shift is None
    assert ranged.note.startswith("按 ") and "同跨度（10 天）回测选出，误差 0.0%" in ranged.note
    short = forecast_with_range(series, dt.date(2024, 2, 19), dt.date(2024, 3, 31))
    assert short is not None and short.remaining == pytest.approx(500.0 * 41)
    assert short.low is None and short.high is None  # 41 days ahead: too few past 41-day spans to check
    assert "不给区间" in short.note


def test_weekday_pattern_is_kept() -> None:
    series = synthetic(130)
    history = History(series)
    profile = history.profile(dt.date(2024, 4, 20))
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
    assert blind is not None and blind.method != SEASONAL


def test_the_method_is_chosen_by_backtest_on_the_series_own_history() -> None:
    growing = History(daily([1000.0 + 20 * i for i in range(70)]))
    chosen = choose(growing, START + dt.timedelta(days=59), 10)
    assert chosen is not None and chosen.method == TREND  # the levels lag a series on the move
    assert chosen.basis == "按 31 次同跨度（10 天）回测选出，误差 4.9%（同星期基线 20.9%、近7天水平 9.9%）"
    noisy = History(synthetic(120, noise=0.05))
    calm = choose(noisy, dt.date(2024, 4, 20), 10)
    assert calm is not None and calm.method == WEEKDAY  # 28 days beat 7 on a steady noisy series
    young = History(daily([800.0] * 10))
    first = choose(young, START + dt.timedelta(days=9), 10)
    assert first is not None and first.method == RECENT
    assert first.basis == "历史太短：10 天跨度的回测一次也没有，不足以比较方法，暂用近7天水平"


def test_range_comes_from_backtests_of_the_same_method() -> None:
    series = synthetic(800, noise=0.08, growth=0.0005)
    made = forecast_with_range(series, dt.date(2025, 9, 10), dt.date(2025, 9, 30))
    assert made is not None and made.method == SEASONAL
    assert made.low is not None and made.high is not None
    assert made.low <= made.remaining <= made.high
    assert made.backtests >= 8
    assert made.high / made.low < 1.5  # a range, not a shrug


def test_the_range_is_calibrated_for_overlapping_backtests() -> None:
    """91 errors spread evenly over −45 % … +45 %: a 1-day horizon has 91 independent ones (a little
    wider than the 10th–90th percentiles), a 10-day one about 9 (nearly the whole span), a 20-day
    one under 5 (the whole span)."""
    errors = [i / 100 for i in range(-45, 46)]
    assert interval(errors, 1) == pytest.approx((-0.368901, 0.368901), abs=1e-6)
    assert interval(errors, 10) == pytest.approx((-0.449011, 0.449011), abs=1e-6)
    assert interval(errors, 20) == (-0.45, 0.45)
    assert interval(errors[:7], 1) is None  # fewer than 8: no range


def test_coverage_reaches_the_nominal_80_percent_on_a_noisy_series() -> None:
    series = synthetic(500, noise=0.15, growth=0.0005, seed=4)
    months = [TargetPeriod.month(2024, m) for m in range(3, 11)] + [TargetPeriod.month(2025, 1)]
    result = backtest(series, months)
    assert result.ranged > 200
    assert result.coverage is not None and result.coverage >= 0.8


def test_a_level_shift_is_detected_on_a_step() -> None:
    up = step(40, 6, 1000, 3000)
    history = History(up)
    as_of = START + dt.timedelta(days=45)
    shift = history.shift(as_of)
    assert shift is not None
    assert shift.day == START + dt.timedelta(days=40)
    assert shift.basis == "水平" and 2.8 < shift.ratio < 3.2 and shift.p_value < 0.01
    assert shift.text() == f"近期水平突变：{shift.day} 起上升（约 ×{shift.ratio:.1f}），区间已放宽"
    assert history.shift(START + dt.timedelta(days=41)) is None  # two days at a new level: not yet
    assert History(step(46, 0, 1000, 0)).shift(as_of) is None  # no step, no shift
    spike = step(46, 0, 1000, 0)
    spike[START + dt.timedelta(days=43)] = 9000.0
    assert History(spike).shift(as_of) is None  # one odd day is an anomaly, not a shift
    small = History(step(40, 6, 1000, 1300))
    assert small.shift(as_of) is None  # ×1.3 is within what a level does
    down = History(step(40, 6, 1000, 200)).shift(as_of)
    assert down is not None and down.ratio < 0.25 and "下降" in down.text()


def test_the_rank_test() -> None:
    assert rank_test([1.0] * 3, [1.0] * 10) == 1.0
    assert rank_test([float(v) for v in range(20, 27)], [float(v) for v in range(14)]) < 0.001
    assert rank_test([1.0, 5.0, 9.0], [2.0, 4.0, 6.0, 8.0, 3.0, 7.0, 5.5]) > 0.5
    points = list(daily([1000.0] * 20 + [0.0] * 5).items())
    collapse = detect([(d, v) for d, v in points if v is not None], START + dt.timedelta(days=24))
    assert collapse is not None and collapse.ratio == 0.0 and "约 ×0.00" in collapse.text()


def test_after_a_step_the_range_is_widened_and_holds_the_truth() -> None:
    """The level steps up ×2.5 five days before the as-of day and holds: the forecast follows the
    new level, the range spans it and the old level coming back, and says it was widened."""
    series = step(60, 15, 1000, 2500)
    as_of = START + dt.timedelta(days=64)
    end = as_of + dt.timedelta(days=10)
    known = {day: value for day, value in series.items() if day <= as_of}
    made = forecast_with_range(known, as_of, end)
    assert made is not None and made.shift is not None
    assert made.method == RECENT and made.shift.day == START + dt.timedelta(days=60)
    truth = known_sum(series, as_of + dt.timedelta(days=1), end)
    assert truth is not None and abs(made.remaining / truth - 1) < 0.05  # the new level
    assert made.low is not None and made.high is not None
    assert made.low <= truth <= made.high
    assert made.low < 10 * 1000 * 1.05  # the old level coming back is inside too
    assert made.note.endswith("区间已放宽")
    calm = forecast_with_range({d: v for d, v in step(75, 0, 1000, 0).items() if d <= as_of}, as_of, end)
    assert calm is not None and calm.low is not None and calm.high is not None
    assert (made.high - made.low) / made.remaining > 3 * (calm.high - calm.low) / calm.remaining


def test_too_little_history_gives_no_forecast_or_no_range() -> None:
    series = synthetic(4)
    assert forecast_days(series, dt.date(2024, 1, 4), dt.date(2024, 1, 31)) is None
    young = forecast_with_range(synthetic(10), dt.date(2024, 1, 10), dt.date(2024, 1, 31))
    assert young is not None and young.low is None and young.high is None  # never a made-up range
    assert young.note == (
        "历史太短：21 天跨度的回测一次也没有，不足以比较方法，暂用近7天水平；不给区间：可用的回测一次也没有（需 8 次）"
    )
    holes: Daily = {d: (None if d.day % 2 else v) for d, v in synthetic(60).items()}
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
    series = daily([100.0] * 100)
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
    assert row.forecast_note is not None and "回测选出" in row.forecast_note
    assert row.record()["forecast_note"] == row.forecast_note


def test_a_ratio_is_forecast_from_its_parts_not_from_daily_ratios() -> None:
    """Visitors 1,000 on Mondays and 100 on other days, 10 buyers every day: the daily rates average
    8.7 %, the month's rate is buyers / visitors = 70 / 1,600 a week."""
    visitors = daily([1000.0 if (START + dt.timedelta(days=i)).weekday() == 0 else 100.0 for i in range(200)])
    buyers = daily([10.0] * 200)
    start, as_of, end = dt.date(2024, 6, 1), dt.date(2024, 6, 10), dt.date(2024, 6, 30)
    made = forecast_ratio(buyers, visitors, start, as_of, end)
    assert made is not None
    month_visitors = known_sum(visitors, start, end)
    assert month_visitors is not None
    assert made.value == pytest.approx(300 / month_visitors)
    assert made.low == pytest.approx(made.value) and made.high == pytest.approx(made.value)  # no error
    assert made.method == WEEKDAY
    assert made.note == (
        "比率 = 分子合计 / 分母合计，各自按已完成 + 剩余天数的预测重新计算（不平均日比率）"
        "：分子按同星期基线、分母按同星期基线（各自回测选出）"
    )
    over = forecast_ratio(buyers, visitors, start, end, end)
    assert over is not None and over.value == over.low == over.high == pytest.approx(300 / month_visitors)
    assert forecast_ratio(buyers, daily([None] * 200), start, as_of, end) is None


def test_a_ratio_target_gets_a_forecast_with_a_range() -> None:
    rng = random.Random(5)
    spend = daily([1000 * rng.uniform(0.9, 1.1) for _ in range(150)])
    sales = {
        day: None if value is None else value * 3 * rng.uniform(0.9, 1.1) for day, value in spend.items()
    }
    roi = load_catalog().metrics["ad_roi"]
    period = TargetPeriod.month(2024, 4)
    as_of = dt.date(2024, 4, 12)
    done_sales, done_spend = known_sum(sales, period.start, as_of), known_sum(spend, period.start, as_of)
    assert done_sales is not None and done_spend is not None
    row = pace_target(
        Target(period, Scope("all"), "ad_roi", Decimal("2.5"), "test"),
        roi,
        as_of,
        Decimal(str(round(done_sales / done_spend, 6))),
        parts=(sales, spend),
    )
    assert row.kind == "ratio" and row.status == "达标"
    assert row.forecast is not None and row.forecast_low is not None and row.forecast_high is not None
    assert row.forecast_low <= row.forecast <= row.forecast_high
    truth = known_sum(sales, period.start, period.end)
    total = known_sum(spend, period.start, period.end)
    assert truth is not None and total is not None
    assert row.forecast_low <= Decimal(str(truth / total)) <= row.forecast_high
    assert abs(float(row.forecast) - truth / total) < 0.05
    assert row.needed_per_day is None and row.progress_gap is None  # a ratio is not paced by days


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
        metrics: Sequence[str] | None = None,
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
