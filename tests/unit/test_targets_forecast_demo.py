"""Forecast ranges on the demo's true daily figures: nominally 80 %, and at least 80 % in fact.

The demo generator's simulation (without writing and importing the exports, which the integration
tests check give the same figures) for 400 days, the `shopops demo` default; every month with 35
days of history before it, forecast from each of its days (see benchmarks/forecast_backtest.py for
the same on the imported demo and the real file).
"""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.analysis.targets.forecast_eval import backtest, ratio_backtest
from shopops.analysis.targets.forecast_methods import Series
from shopops.analysis.targets.periods import TargetPeriod
from shopops.demo.manifest import shop_truth
from shopops.demo.profiles import PROFILES
from shopops.demo.simulation import simulate

START, DAYS, SEED = dt.date(2025, 10, 21), 400, 20261125  # the demo's 400 days to 2026-11-24
MONTHS = [TargetPeriod.month(2025, 12)] + [TargetPeriod.month(2026, m) for m in range(1, 11)]


@pytest.fixture(scope="module")
def truth() -> dict[str, dict[str, dict[str, object]]]:
    shops = {}
    for index, profile in enumerate(PROFILES):
        history = simulate(profile, START, DAYS, SEED, index + 1)
        shops[profile.name] = shop_truth(history, sycm_missing_last_day=False, cost_change=START)
    return shops


def series(days: dict[str, dict[str, object]], key: str) -> Series:
    return {dt.date.fromisoformat(day): float(str(values[key])) for day, values in days.items()}


@pytest.mark.parametrize("key", ["gmv", "paid_orders", "ad_report_spend"])
def test_sums_are_covered_at_least_80_percent(
    truth: dict[str, dict[str, dict[str, object]]], key: str
) -> None:
    for shop, days in truth.items():
        result = backtest(series(days, key), MONTHS)
        assert result.forecasts == 324 and result.ranged >= 300, shop
        assert result.coverage is not None and result.coverage >= 0.8, (shop, result.coverage)
        assert result.mape is not None and result.mape < 0.035, (shop, result.mape)


def test_a_ratio_is_covered_at_least_80_percent(truth: dict[str, dict[str, dict[str, object]]]) -> None:
    for shop, days in truth.items():
        result = ratio_backtest(series(days, "buyers"), series(days, "visitors"), MONTHS)
        assert result.forecasts == 324 and result.ranged >= 300, shop
        assert result.coverage is not None and result.coverage >= 0.8, (shop, result.coverage)
        assert result.mape is not None and result.mape < 0.02, (shop, result.mape)
