"""Competitor snapshots benchmark: N rival items × D days imported and derived.

Generates the snapshots with ``shopops.demo.rivals`` (vectorised, deterministic), writes one CSV
(竞品快照 headers, detected automatically), then in a fresh ``spawn`` subprocess measures:

* import — ``Workspace.init`` + ``import_file`` of the CSV (the normal pipeline);
* derive — daily sales from the cumulative counters over the whole range, every price change,
  new and disappeared items, the group shares by shop, and the competitor findings of the last week.

It prints wall seconds and peak RSS of the subprocess, and checks the planted 20% price cut, new
item and counter reset are found (exit status 1 otherwise).

    python benchmarks/rivals_benchmark.py                          # full size: 10,000 × 365
    python benchmarks/rivals_benchmark.py --items 300 --days 40    # CI smoke run (seconds)

See docs/benchmarks.md for the measured figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

MB = 1024 * 1024
START = dt.date(2025, 11, 1)


def _peak_rss(stop: threading.Event, peak: list[int]) -> None:
    process = psutil.Process()
    while not stop.is_set():
        peak[0] = max(peak[0], process.memory_info().rss)
        time.sleep(0.02)


def _run(csv_path: str, root: str, days: int, plants: dict[str, Any], results: Any) -> None:
    from shopops.domains.rivals.analysis import (
        daily_sales,
        disappeared_items,
        group_share,
        new_items,
        price_changes,
    )
    from shopops.domains.rivals.findings import rival_findings
    from shopops.workspace import Workspace

    peak = [0]
    stop = threading.Event()
    watcher = threading.Thread(target=_peak_rss, args=(stop, peak), daemon=True)
    watcher.start()
    end = START + dt.timedelta(days=days - 1)
    began = time.perf_counter()
    with Workspace.init(Path(root)) as workspace:
        result = workspace.import_file(Path(csv_path))
        imported = time.perf_counter()
        con = workspace.connection
        steps: dict[str, float] = {}

        def timed(name: str, call: Any) -> Any:
            mark = time.perf_counter()
            value = call()
            steps[name] = time.perf_counter() - mark
            return value

        sales = timed("daily sales", lambda: daily_sales(con, START, end))
        changes = timed("price changes", lambda: price_changes(con, START, end))
        fresh = timed("new items", lambda: new_items(con, START, end))
        gone = timed("gone items", lambda: disappeared_items(con, START, end))
        shares = timed("group shares", lambda: group_share(con, START, end))
        findings = timed(
            "findings (whole range)", lambda: rival_findings(con, end - dt.timedelta(days=days - 2), end)
        )
        week = timed("findings (last 7 days)", lambda: rival_findings(con, end - dt.timedelta(days=6), end))
        derived = time.perf_counter()
    stop.set()
    watcher.join()
    found = {(f.metric, f.item, f.date.isoformat()) for f in findings}
    results.put(
        {
            "rows": result.rows,
            "import_s": imported - began,
            "derive_s": derived - imported,
            "peak_rss_mb": peak[0] / MB,
            "sales_rows": sales.height,
            "price_changes": changes.height,
            "new_items": fresh.height,
            "gone_items": gone.height,
            "shops": shares.height,
            "steps": steps,
            "week_findings": len(week),
            "price_cut_found": ("rival_price", plants["cut_item"], plants["cut_day"]) in found,
            "new_item_found": ("rival_new_item", plants["new_item"], plants["new_day"]) in found,
            "reset_found": ("rival_sales", plants["reset_item"], plants["reset_day"]) in found,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--shops", type=int, default=200)
    args = parser.parse_args()
    from shopops.demo.rivals import rival_snapshots, write_snapshots

    with tempfile.TemporaryDirectory(prefix="rivals-bench-") as folder:
        began = time.perf_counter()
        frame, plants = rival_snapshots(args.items, args.days, START, seed=20241111, shops=args.shops)
        csv_path = write_snapshots(frame, Path(folder) / "竞品快照.csv")
        size = csv_path.stat().st_size / MB
        print(
            f"generated {frame.height:,} snapshot rows ({size:,.0f} MB CSV) in {time.perf_counter() - began:.1f} s"
        )
        del frame
        context = mp.get_context("spawn")
        results = context.Queue()
        marks = {
            "cut_item": plants.price_cut_item,
            "cut_day": plants.price_cut_day.isoformat(),
            "new_item": plants.new_item,
            "new_day": plants.new_item_day.isoformat(),
            "reset_item": plants.reset_item,
            "reset_day": plants.reset_day.isoformat(),
        }
        process = context.Process(
            target=_run, args=(str(csv_path), str(Path(folder) / "ws"), args.days, marks, results)
        )
        process.start()
        figures = results.get()
        process.join()
    print(f"items × days: {args.items:,} × {args.days} ({figures['rows']:,} rows imported)")
    print(f"import:  {figures['import_s']:.1f} s")
    print(
        f"derive:  {figures['derive_s']:.1f} s (daily sales, price changes, new/gone items, shares, findings)"
    )
    for name, seconds in figures["steps"].items():
        print(f"  {name}: {seconds:.1f} s")
    print(f"peak RSS of the import+derive process: {figures['peak_rss_mb']:,.0f} MB")
    print(
        f"derived: {figures['sales_rows']:,} item-days, {figures['price_changes']:,} price changes,"
        f" {figures['new_items']} new, {figures['gone_items']} gone, {figures['shops']} shops"
    )
    checks = ("price_cut_found", "new_item_found", "reset_found")
    print("planted events found: " + ", ".join(f"{name}={figures[name]}" for name in checks))
    return 0 if all(figures[name] for name in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
