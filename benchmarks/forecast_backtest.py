"""Backtest of the period-end forecast used by `shopops targets pace`: the demo and a real file.

**Demo.** Generates the demo exports (the same generator as `shopops demo`), imports them through
the normal path into a temporary workspace, and reads the daily master table of each shop and of
全部店铺 (合计). Then, for every complete calendar month with enough history, it forecasts the
month's total from each of its days (as-of day 1 … n−1: achieved so far + the forecast of the
remaining days) and compares it with the actual total:

* **ShopOps** — ``shopops.analysis.targets.forecast`` (the method chosen per series by backtest,
  the range calibrated for correlated errors and widened after a level shift; see the module): its
  MAPE over every (month, as-of day), by share of the month elapsed, how often the actual fell in
  the forecast's range ("in rng", nominally 80 %), the range's mean width relative to the actual,
  and how many forecasts followed a detected level shift;
* **naive: same period last year** — the month's total a year earlier, over the months where
  that year is complete (one forecast per month);
* **naive: run-rate** — achieved so far / days elapsed × days in the month;
* **ratios** (合计 and each shop): 支付转化率, 退款率, 推广ROI — the month's ratio recomputed from
  the forecast sums of numerator and denominator.

**Real file.** ``tmall_order_report.csv`` (a Tmall order export of Feb 2020, a shop hit by the
epidemic: GMV collapses on 02-10, no order on 02-16, recovery from 02-17) imported as a new user
would; February's total forecast from each of its days, and the 02-20 forecast in full.

    python benchmarks/forecast_backtest.py                 # 800 days: two Novembers, last year known
    python benchmarks/forecast_backtest.py --days 400      # the `shopops demo` default history
    python benchmarks/forecast_backtest.py --real PATH     # another copy of the real file; --no-real skips it
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from shopops.analysis.targets.forecast import forecast_with_range, known_sum
from shopops.analysis.targets.forecast_eval import backtest, ratio_backtest
from shopops.analysis.targets.forecast_methods import History, Series
from shopops.analysis.targets.pacing import ratio_parts
from shopops.analysis.targets.periods import TargetPeriod
from shopops.demo.run import configure, generate
from shopops.metrics.catalog import load_catalog
from shopops.metrics.totals import TOTAL_SHOP
from shopops.workspace import Workspace

METRICS = ("gmv", "ad_spend", "paid_orders")
RATIOS = ("conversion_rate", "refund_rate", "ad_roi")
REAL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "tmall_order_report.csv"
REAL_METRICS = ("gmv", "paid_orders", "refund_amount")
REAL_DAY = dt.date(2020, 2, 20)


def series_of(rows: pl.DataFrame, key: str) -> Series:
    return {
        day: None if value is None else float(value)
        for day, value in zip(rows["date"].to_list(), rows[key].to_list(), strict=True)
    }


def demo_frame(days: int, end: dt.date, seed: int) -> pl.DataFrame:
    """The daily master table (each shop and 合计) of the imported demo."""
    with tempfile.TemporaryDirectory(prefix="shopops-backtest-") as folder:
        root = Path(folder)
        files = generate(root / "exports", days=days, end=end, seed=seed)
        with Workspace.init(root / "ws") as workspace:
            configure(workspace)
        with Workspace(root / "ws") as workspace:
            for path in files.files:
                workspace.import_file(path)
            return workspace.master_table(files.start, files.end, total=True)


def real_frame(path: Path) -> pl.DataFrame:
    """The daily master table of the real Tmall export, imported into a scratch workspace."""
    with (
        tempfile.TemporaryDirectory(prefix="shopops-backtest-real-") as folder,
        Workspace.init(Path(folder) / "ws") as workspace,
    ):
        workspace.add_shop("天猫店", "tmall")
        workspace.import_file(path, shop="天猫店")
        return workspace.master_table(dt.date(2020, 2, 1), dt.date(2020, 3, 1))


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


def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def demo_report(frame: pl.DataFrame, ranges: bool) -> None:
    header = (
        f"{'series':<22} {'months':>6} {'forecasts':>9} {'MAPE':>7} {'≤1/3':>7} {'≤2/3':>7} {'>2/3':>7}"
        f" {'in rng':>7} {'width':>7} {'shifted':>7} │ {'LY months':>9} {'naive LY':>9} {'ours there':>10}"
        f" │ {'run-rate':>8}"
    )
    print(header)
    print("─" * len(header))
    shops = sorted(frame["shop"].unique().to_list(), key=lambda shop: (shop != TOTAL_SHOP, shop))
    totals: list[tuple[float, float]] = []
    inside = ranged = forecasts = 0
    apes = width = 0.0
    for shop in shops:
        rows = frame.filter(pl.col("shop") == shop)
        for metric in METRICS:
            values = History(series_of(rows, metric))
            months = complete_months(series_of(rows, metric))
            if not months:
                continue
            result = backtest(values, months, ranges=ranges)
            rate = run_rate_mape(series_of(rows, metric), months)
            if result.mape_where_naive is not None and result.naive_mape is not None:
                totals.append((result.mape_where_naive, result.naive_mape))
            if result.coverage is not None:
                inside += round(result.coverage * result.ranged)
                ranged += result.ranged
                width += (result.width or 0.0) * result.ranged
            forecasts += result.forecasts
            apes += (result.mape or 0.0) * result.forecasts
            buckets = result.by_elapsed
            print(
                f"{shop + '·' + metric:<22} {result.periods:>6} {result.forecasts:>9} {percent(result.mape):>7}"
                f" {percent(buckets.get('≤1/3')):>7} {percent(buckets.get('≤2/3')):>7}"
                f" {percent(buckets.get('>2/3')):>7} {percent(result.coverage):>7} {percent(result.width):>7}"
                f" {result.shifted:>7} │ {result.naive_periods:>9} {percent(result.naive_mape):>9}"
                f" {percent(result.mape_where_naive):>10} │ {percent(rate):>8}"
            )
    if totals:
        ours = statistics.fmean(t[0] for t in totals)
        naive = statistics.fmean(t[1] for t in totals)
        print(
            f"\nmonths with last year known, mean over series: ShopOps {ours:.1%} vs naive same-period-last-year {naive:.1%}"
        )
    if forecasts:
        print(f"all series: MAPE {apes / forecasts:.2%} over {forecasts} forecasts", end="")
        print(
            f"; in range {inside / ranged:.1%} of {ranged} ranges (nominal 80 %), mean width {width / ranged:.1%}"
            if ranged
            else ""
        )
    if ranges:
        ratio_report(frame, shops)


def ratio_report(frame: pl.DataFrame, shops: list[str]) -> None:
    catalog = load_catalog()
    print(f"\n{'ratio':<26} {'forecasts':>9} {'MAPE':>7} {'ranges':>7} {'in rng':>7} {'width':>7}")
    for shop in shops:
        rows = frame.filter(pl.col("shop") == shop)
        for key in RATIOS:
            parts = ratio_parts(rows, catalog.metrics[key])
            if parts is None:
                continue
            months = complete_months(parts[1])
            result = ratio_backtest(parts[0], parts[1], months)
            print(
                f"{shop + '·' + key:<26} {result.forecasts:>9} {percent(result.mape):>7} {result.ranged:>7}"
                f" {percent(result.coverage):>7} {percent(result.width):>7}"
            )


def real_report(path: Path) -> None:
    frame = real_frame(path)
    month = TargetPeriod.month(2020, 2)
    print(f"\nreal file: {path.name}, {month.label}, a forecast of the month's total from each day")
    print(f"{'metric':<14} {'forecasts':>9} {'MAPE':>7} {'MAPE ≥02-20':>11} {'ranges':>7} {'in rng':>7}")
    for metric in REAL_METRICS:
        values = History(series_of(frame, metric))
        result = backtest(values, [month])
        tail = [
            abs(known(values, month.start, day) + made.remaining - known(values, month.start, month.end))
            / known(values, month.start, month.end)
            for day in (REAL_DAY + dt.timedelta(days=n) for n in range((month.end - REAL_DAY).days))
            if (made := forecast_with_range(values, day, month.end)) is not None
        ]
        print(
            f"{metric:<14} {result.forecasts:>9} {percent(result.mape):>7}"
            f" {percent(statistics.fmean(tail) if tail else None):>11} {result.ranged:>7}"
            f" {percent(result.coverage):>7}"
        )
    parts = ratio_parts(frame, load_catalog().metrics["refund_rate"])
    if parts is not None:
        ratio = ratio_backtest(parts[0], parts[1], [month])
        print(
            f"{'refund_rate':<14} {ratio.forecasts:>9} {percent(ratio.mape):>7} {'':>11} {ratio.ranged:>7}"
            f" {percent(ratio.coverage):>7}"
        )
    gmv = History(series_of(frame, "gmv"))
    actual = known(gmv, month.start, month.end)
    print(f"\ngmv, as of each day (actual month total {money(actual)}):")
    for offset in range(month.days - 1):
        day = month.start + dt.timedelta(days=offset)
        made = forecast_with_range(gmv, day, month.end)
        achieved = known(gmv, month.start, day)
        if made is None:
            print(f"  {day}  —  (too little history for any method)")
            continue
        low = None if made.low is None else achieved + made.low
        high = None if made.high is None else achieved + made.high
        mark = "" if low is None or high is None else (" in" if low <= actual <= high else " OUT")
        print(
            f"  {day}  {money(achieved + made.remaining):>10}  {money(low):>10} ~ {money(high):<10}{mark:<4}"
            f" {made.method}"
        )
        if day == REAL_DAY:
            print(f"             {made.note}")


def known(history: History, first: dt.date, last: dt.date) -> float:
    value = history.total(first, last)
    assert value is not None
    return value


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=800, help="days of demo history (default 800)")
    parser.add_argument("--end", default="2026-11-24", help="last day of the demo (default 2026-11-24)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--no-ranges", action="store_true", help="skip the ranges (faster)")
    parser.add_argument("--real", type=Path, default=REAL, help=f"the Tmall export (default {REAL})")
    parser.add_argument("--no-real", action="store_true", help="skip the real file")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo")
    options = parser.parse_args()
    began = time.perf_counter()
    if not options.no_demo:
        frame = demo_frame(options.days, dt.date.fromisoformat(options.end), options.seed)
        print(
            f"demo: {options.days} days to {options.end}, seed {options.seed}"
            f" ({time.perf_counter() - began:.1f} s)"
        )
        demo_report(frame, not options.no_ranges)
    if not options.no_real:
        if options.real.is_file():
            real_report(options.real)
        else:
            print(f"\nreal file: {options.real} is absent — skipped (see shared/datasets/SOURCES.md)")
    print(f"({time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
