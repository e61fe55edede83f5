"""Backtest of the period-end forecast used by `shopops targets pace`, on the demo history.

Generates the demo exports (the same generator as `shopops demo`), imports them through the normal
path into a temporary workspace, and reads the daily master table of each shop and of 全部店铺
(合计). Then, for every complete calendar month with enough history, it forecasts the month's total
from each of its days (as-of day 1 … n−1: achieved so far + the forecast of the remaining days)
and compares it with the actual total:

* **ShopOps** — ``shopops.analysis.targets.forecast`` (same-weekday baseline × last year's same
  calendar days where that history exists; see the module), its MAPE over every (month, as-of
  day), by share of the month elapsed, and how often the actual fell in the forecast's range
  ("in rng": the 10th–90th percentile of backtest errors, nominally 80%);
* **naive: same period last year** — the month's total a year earlier, over the months where
  that year is complete (one forecast per month);
* **naive: run-rate** — achieved so far / days elapsed × days in the month.

    python benchmarks/forecast_backtest.py                 # 800 days: two Novembers, last year known
    python benchmarks/forecast_backtest.py --days 400      # the `shopops demo` default history
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from shopops.analysis.targets.forecast import Series, backtest, known_sum
from shopops.analysis.targets.periods import TargetPeriod
from shopops.demo.run import configure, generate
from shopops.metrics.totals import TOTAL_SHOP
from shopops.workspace import Workspace

METRICS = ("gmv", "ad_spend", "paid_orders")


def demo_series(days: int, end: dt.date, seed: int) -> dict[tuple[str, str], Series]:
    """(shop or 合计, metric) → daily values of the imported demo."""
    with tempfile.TemporaryDirectory(prefix="shopops-backtest-") as folder:
        root = Path(folder)
        files = generate(root / "exports", days=days, end=end, seed=seed)
        with Workspace.init(root / "ws") as workspace:
            configure(workspace)
        with Workspace(root / "ws") as workspace:
            for path in files.files:
                workspace.import_file(path)
            frame = workspace.master_table(files.start, files.end, total=True)
    series: dict[tuple[str, str], Series] = {}
    for shop in frame["shop"].unique().sort().to_list():
        rows = frame.filter(frame["shop"] == shop)
        for metric in METRICS:
            values = rows[metric].to_list()
            series[(shop, metric)] = {
                day: None if value is None else float(value)
                for day, value in zip(rows["date"].to_list(), values, strict=True)
            }
    return series


def complete_months(series: Series) -> list[TargetPeriod]:
    known = sorted(day for day, value in series.items() if value is not None)
    first, last = known[0], known[-1]
    months = []
    day = dt.date(first.year, first.month, 1)
    while day <= last:
        month = TargetPeriod.month(day.year, day.month)
        # 28 days before the month for the recent window, and the whole month known
        if month.start - dt.timedelta(days=35) >= first and month.end <= last:
            months.append(month)
        day = month.end + dt.timedelta(days=1)
    return months


def run_rate_mape(series: Series, months: list[TargetPeriod]) -> float | None:
    errors = []
    for month in months:
        actual = known_sum(series, month.start, month.end)
        if not actual:
            continue
        for elapsed in range(1, month.days):
            as_of = month.start + dt.timedelta(days=elapsed - 1)
            achieved = known_sum(series, month.start, as_of)
            if achieved is not None:
                errors.append(abs(achieved / elapsed * month.days - actual) / actual)
    return statistics.fmean(errors) if errors else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=800, help="days of demo history (default 800)")
    parser.add_argument("--end", default="2026-11-24", help="last day of the demo (default 2026-11-24)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--no-ranges", action="store_true", help="skip the ranges (faster)")
    options = parser.parse_args()
    began = time.perf_counter()
    series = demo_series(options.days, dt.date.fromisoformat(options.end), options.seed)
    print(
        f"demo: {options.days} days to {options.end}, seed {options.seed} ({time.perf_counter() - began:.1f} s)"
    )
    header = (
        f"{'series':<22} {'months':>6} {'forecasts':>9} {'MAPE':>7} {'≤1/3':>7} {'≤2/3':>7} {'>2/3':>7}"
        f" {'in rng':>7} │ {'LY months':>9} {'naive LY':>9} {'ours there':>10} │ {'run-rate':>8}"
    )
    print(header)
    print("─" * len(header))
    totals: list[tuple[float, float]] = []
    for (shop, metric), values in sorted(
        series.items(), key=lambda item: (item[0][0] != TOTAL_SHOP, item[0])
    ):
        months = complete_months(values)
        if not months:
            continue
        result = backtest(values, months, ranges=not options.no_ranges)
        rate = run_rate_mape(values, months)
        if result.mape_where_naive is not None and result.naive_mape is not None:
            totals.append((result.mape_where_naive, result.naive_mape))
        buckets = result.by_elapsed
        print(
            f"{shop + '·' + metric:<22} {result.periods:>6} {result.forecasts:>9} {percent(result.mape):>7}"
            f" {percent(buckets.get('≤1/3')):>7} {percent(buckets.get('≤2/3')):>7} {percent(buckets.get('>2/3')):>7}"
            f" {percent(result.coverage):>7} │ {result.naive_periods:>9} {percent(result.naive_mape):>9}"
            f" {percent(result.mape_where_naive):>10} │ {percent(rate):>8}"
        )
    if totals:
        ours = statistics.fmean(t[0] for t in totals)
        naive = statistics.fmean(t[1] for t in totals)
        print(
            f"\nmonths with last year known, mean over series: ShopOps {ours:.1%} vs naive same-period-last-year {naive:.1%}"
        )
    print(f"({time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
