"""Scale benchmark: the master table (总表) over 200 shops × 2 years, about 10^7 order lines.

Builds a scale workspace (``shopops.demo.scale.build_scale_workspace``: rows written straight into
the warehouse, true totals counted while drawing them), then measures, each step in a fresh
``spawn`` subprocess so memory peaks don't mix (peak RSS of the subprocess and its children, e.g.
Spark's JVM, polled every 20 ms; CPU seconds of the same tree):

1. generation time and the warehouse's size on disk;
2. the floor: one hand-written DuckDB query — per shop and payment day, GMV, paid orders, units
   from ``orders`` — the least work any engine must do;
3. ShopOps ``master_table(con, start, end, grain="day", total=True)`` on DuckDB over all shops and
   days, twice in one process (cold, warm), with its steps timed from outside (src/ untouched);
   at full size, when the goal (< 2 s) is missed, a profile: each provider's SQL alone and an
   EXPLAIN ANALYZE of the whole statement, summed by the tables each operator reads;
4. ``export_parquet`` of the warehouse, then again with nothing changed (incremental);
5. the master table on Spark (``SparkEngine`` over the Parquet export, local[2]): session start,
   first query, second query in the same session; "not available" when pyspark or the engine is;
6. checks: the master table's sums over shops and days (and its 合计 rows) equal the generator's
   true GMV, paid orders and units exactly, the floor's too, Spark's frame equals DuckDB's;
7. a cost model fitted over the sizes measured (``--sizes``), projected to 10^9 lines.

    python benchmarks/scale_benchmark.py                     # full size + two model sizes (~30 min, Spark ~20)
    python benchmarks/scale_benchmark.py --no-spark          # the same without Spark (~4 min)
    python benchmarks/scale_benchmark.py --sizes none        # full size only
    python benchmarks/scale_benchmark.py --lines 1e8         # + the same after replicate() ×10
    python benchmarks/scale_benchmark.py --smoke --no-spark  # CI smoke: 5 shops × 60 days (seconds)

Exit status 1 when a check fails or a step fails (a step that is not available is not a failure).
See docs/benchmarks.md for the measured figures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import queue
import shutil
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

import scale_contenders
from scale_contenders import CONTENDERS, Result, folder_bytes
from scale_report import (
    FULL_DAYS,
    FULL_SHOPS,
    GOAL_SECONDS,
    MB,
    Measurement,
    Point,
    check_point,
    cost_model,
    print_point,
    report_goal,
)

SMOKE_SHOPS, SMOKE_DAYS = 5, 60
END = dt.date(2026, 11, 30)
SEED = 7
LINES_PER_SHOP_DAY = 68.0
# Disk per order line, measured at full size (warehouse 65 B, Parquet ~35 B), with room to spare.
DISK_BYTES_PER_LINE = 160
DISK_SLACK = 2 * 2**30


def _child(name: str, kwargs: dict[str, Any], results: Queue[Result]) -> None:
    scale_contenders.partial = lambda result: results.put(result | {"partial": True})
    try:
        result = CONTENDERS[name](**kwargs)
    except BaseException:
        result = {"error": traceback.format_exc()}
    results.put(result)


def _poll_tree(pid: int, stop: threading.Event, stats: dict[str, Any]) -> None:
    """Peak RSS of the process and all its descendants together; each one's latest CPU seconds."""
    cpu: dict[int, float] = stats["cpu"]
    try:
        root = psutil.Process(pid)
        while not stop.is_set():
            rss = 0
            for process in [root, *root.children(recursive=True)]:
                try:
                    rss += process.memory_info().rss
                    times = process.cpu_times()
                    cpu[process.pid] = times.user + times.system
                except psutil.Error:
                    continue
            stats["peak"] = max(stats["peak"], rss)
            stop.wait(0.02)
    except psutil.Error:
        pass


def _kill_tree(pid: int) -> None:
    """Stop the subprocess we started and what it started (Spark's JVM), children first."""
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in family:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(family, timeout=10)


def measure(name: str, label: str, timeout: float | None = None, **kwargs: Any) -> Measurement:
    """Run one step in a fresh spawned process; stop it (and its children) after ``timeout`` seconds."""
    context = mp.get_context("spawn")
    results: Queue[Result] = context.Queue()
    process = context.Process(target=_child, args=(name, kwargs, results), name=name)
    began = time.perf_counter()
    process.start()
    assert process.pid is not None
    stop, stats = threading.Event(), {"peak": 0, "cpu": {}}
    poller = threading.Thread(target=_poll_tree, args=(process.pid, stop, stats), daemon=True)
    poller.start()
    result: Result | None = None
    so_far: Result = {}  # the runs a step has finished, in case it is stopped
    while result is None:
        try:
            result = results.get(timeout=0.5)
            if result.pop("partial", False):
                so_far, result = result, None
        except queue.Empty:
            if timeout is not None and time.perf_counter() - began > timeout:
                _kill_tree(process.pid)
                stopped = (
                    f"stopped after {time.perf_counter() - began:.0f} s (--spark-timeout {timeout:.0f} s)"
                )
                result = so_far | {"stopped": stopped} if so_far else {"error": stopped}
            elif not process.is_alive():
                result = {"error": f"subprocess died with exit code {process.exitcode}"}
    process.join(timeout=30)
    if process.is_alive():
        _kill_tree(process.pid)
    stop.set()
    poller.join()
    m = Measurement(
        label, peak_bytes=int(stats["peak"]), cpu_seconds=sum(stats["cpu"].values()), detail=result
    )
    if "unavailable" in result:
        m.unavailable = str(result["unavailable"])
        print(f"  {label:<44} not available ({m.unavailable})", flush=True)
    elif "error" in result:
        m.error = str(result["error"])
        print(f"  {label:<44} FAILED: {m.error.strip().splitlines()[-1]}", flush=True)
    else:
        m.seconds = float(result["seconds"])
        m.cpu_seconds = float(result.get("cpu_seconds", m.cpu_seconds))  # the call's own, without start-up
        stopped = f"  ({result['stopped']}: later runs missing)" if "stopped" in result else ""
        print(f"  {label:<44} {m.seconds:9.2f} s  {m.peak_bytes / MB:8,.0f} MB peak{stopped}", flush=True)
    return m


def measure_queries(point: Point, args: argparse.Namespace, *, profile: bool | None, repeat: int = 2) -> None:
    """Steps 2–5 on a built (or replicated) workspace; ``profile`` None = when the goal is missed.

    ``repeat`` master tables per engine process (cold, then warm); 1 at the cost model's extra sizes.
    """
    m, root, work = point.manifest, str(point.root / "workspace"), point.root
    start, end = m["start"], m["end"]
    sample = [shop for shop, _ in m["shop_gmv"]]
    point.steps["floor"] = measure(
        "floor", "DuckDB floor: orders → shop-day", root=root, start=start, end=end
    )
    point.steps["master"] = measure(
        "master", "ShopOps master_table on DuckDB", root=root, start=start, end=end,
        out=str(work / "master_duckdb.parquet"), sample=sample, repeat=repeat,
    )  # fmt: skip
    master = point.steps["master"]
    missed = master.ok and master.seconds >= GOAL_SECONDS and point.lines >= 5_000_000
    if profile or (profile is None and missed):
        point.steps["profile"] = measure(
            "profile", "profile: providers alone + EXPLAIN ANALYZE", root=root, start=start, end=end,
            out_dir=str(work / "profile"),
        )  # fmt: skip
    parquet = work / "parquet"
    point.steps["parquet"] = measure("parquet", "Parquet export (then again)", root=root, target=str(parquet))
    if args.no_spark:
        point.steps["spark"] = Measurement("Spark", unavailable="--no-spark")
    elif not point.steps["parquet"].ok:
        point.steps["spark"] = Measurement("Spark", unavailable="needs the Parquet export")
        print(f"  {'Spark master_table':<44} not available (needs the Parquet export)")
    else:
        point.steps["spark"] = measure(
            "spark", f"ShopOps master_table on Spark {args.spark_master}", timeout=args.spark_timeout,
            root=root, parquet=str(parquet), start=start, end=end, out=str(work / "master_spark.parquet"),
            sample=sample, master_url=args.spark_master, repeat=repeat,
        )  # fmt: skip
    check_point(point)


def build_point(point: Point, args: argparse.Namespace) -> bool:
    estimate = int(point.shops * point.days * point.lines_per_shop_day * DISK_BYTES_PER_LINE)
    if not disk_ok(point.root.parent, estimate, "generate"):
        return False
    if point.root.exists():
        shutil.rmtree(point.root)
    point.root.mkdir(parents=True)
    print(f"\n== {point.shops} shops × {point.days} days × {point.lines_per_shop_day:g} lines per shop-day")
    gen = measure(
        "generate", "generate (build_scale_workspace)", root=str(point.root / "workspace"),
        shops=point.shops, days=point.days, end=args.end.isoformat(), seed=args.seed,
        lines_per_shop_day=point.lines_per_shop_day,
    )  # fmt: skip
    point.steps["generate"] = gen
    if not gen.ok:
        return False
    point.manifest = json.loads(gen.detail["manifest"])
    point.warehouse_bytes = warehouse_bytes(point.root / "workspace")
    print(f"  {point.title()}")
    return True


def warehouse_bytes(workspace: Path) -> int:
    return sum(p.stat().st_size for p in workspace.glob("warehouse.duckdb*") if p.is_file())


def disk_ok(folder: Path, needed: int, what: str) -> bool:
    free = shutil.disk_usage(folder).free
    if free >= needed + DISK_SLACK:
        return True
    print(
        f"\nnot enough disk for {what}: about {(needed + DISK_SLACK) / 2**30:.1f} GiB needed"
        f" ({needed / 2**30:.1f} GiB of data + {DISK_SLACK / 2**30:.0f} GiB slack), {free / 2**30:.1f} GiB free"
        f" in {folder} — free some space or pass --workdir on a larger disk"
    )
    return False


def machine() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import duckdb
    import polars

    try:
        spark = version("pyspark")
    except PackageNotFoundError:
        spark = "not installed"
    return {
        "cpus": str(os.cpu_count()),
        "ram_gb": f"{psutil.virtual_memory().total / 1024**3:.1f}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars.__version__,
        "pyspark": spark,
        "platform": platform.platform(),
        "load_1min": f"{os.getloadavg()[0]:.1f}",
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--shops", type=int, default=FULL_SHOPS)
    parser.add_argument("--days", type=int, default=FULL_DAYS)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=END, help=f"last day (default {END})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--lines-per-shop-day", type=float, default=LINES_PER_SHOP_DAY)
    parser.add_argument(
        "--smoke", action="store_true", help=f"{SMOKE_SHOPS} shops × {SMOKE_DAYS} days, no model sizes"
    )
    parser.add_argument(
        "--sizes",
        help="more sizes for the cost model, SHOPSxDAYS:LINES_PER_SHOP_DAY comma-separated, or 'none'"
        " (default at full size: the same shops with a tenth of the lines, and a tenth of the shops)",
    )
    parser.add_argument(
        "--lines", type=float, help="also measure at this many lines by replicate() (e.g. 1e8)"
    )
    parser.add_argument("--replicate", type=int, help="replicate factor (instead of --lines)")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-timeout", type=float, default=900.0, help="seconds before Spark is stopped")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark step")
    parser.add_argument(
        "--profile", action=argparse.BooleanOptionalAction, help="profile the SQL (default: when missed)"
    )
    parser.add_argument("--workdir", type=Path, help="where the workspaces go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.smoke:
        args.shops, args.days = SMOKE_SHOPS, SMOKE_DAYS
    return args


def sizes_of(args: argparse.Namespace) -> list[tuple[int, int, float]]:
    main = (args.shops, args.days, args.lines_per_shop_day)
    if args.sizes is None:
        if args.smoke or args.shops < FULL_SHOPS:
            return [main]
        return [
            (args.shops, args.days, args.lines_per_shop_day / 10),
            (args.shops // 10, args.days, main[2]),
            main,
        ]
    extra = []
    for text in args.sizes.split(","):
        if text.strip().lower() == "none":
            continue
        grid, lines = text.strip().split(":")
        shops, days = grid.lower().split("x")
        extra.append((int(shops), int(days), float(lines)))
    return [*extra, main]


def run(args: argparse.Namespace, workdir: Path) -> int:
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"workdir: {workdir}")
    points: list[Point] = []
    sizes = sizes_of(args)
    for shops, days, lines in sizes:
        point = Point(shops, days, lines, workdir / f"{shops}x{days}x{lines:g}")
        if not build_point(point, args):
            return 1
        extra = len(points) < len(sizes) - 1  # a cost-model size: one run per engine is enough
        measure_queries(point, args, profile=False if extra else args.profile, repeat=1 if extra else 2)
        points.append(point)
    main = points[-1]
    factor = args.replicate or (round(args.lines / max(1, main.lines)) if args.lines else 0)
    if factor >= 2:
        big = replicate_point(main, factor, args)
        if big is None:
            return 1
        points.append(big)
    for point in points:
        print_point(point)
    report_goal(main)
    model = cost_model(points)
    print("\n".join(model))
    # a Spark run stopped at --spark-timeout is reported, not a failure
    failed = [
        m for p in points for m in p.steps.values() if m.error and not m.error.startswith("stopped after")
    ]
    ok = all(ok for p in points for _, ok, _ in p.checks) and not failed
    if args.json is not None:
        report = {"machine": info, "points": [_point_json(p) for p in points], "cost_model": model, "ok": ok}
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print("\nresult: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


def replicate_point(main: Point, factor: int, args: argparse.Namespace) -> Point | None:
    """The main workspace ×factor in place (its files are measured already), then the same queries."""
    parquet = folder_bytes(main.root / "parquet")
    needed = (factor - 1) * (main.warehouse_bytes + parquet) + factor * parquet
    if not disk_ok(main.root, int(needed * 1.3), f"replicate ×{factor}"):
        return None
    big = Point(main.shops * factor, main.days, main.lines_per_shop_day, main.root)
    for stale in ("parquet", "master_duckdb.parquet", "master_spark.parquet", "profile"):
        target = main.root / stale
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
    print(f"\n== replicate ×{factor}")
    step = measure(
        "replicate",
        f"replicate ×{factor} (INSERT … SELECT)",
        root=str(main.root / "workspace"),
        factor=factor,
    )
    if not step.ok:
        return None
    big.steps["replicate"] = step
    big.manifest = json.loads(step.detail["manifest"])
    big.warehouse_bytes = warehouse_bytes(main.root / "workspace")
    print(f"  {big.title()}")
    measure_queries(big, args, profile=args.profile, repeat=1)
    return big


def _point_json(point: Point) -> dict[str, Any]:
    return {
        "shops": point.manifest.get("shops"),
        "days": point.days,
        "lines": point.lines,
        "warehouse_bytes": point.warehouse_bytes,
        "manifest": point.manifest,
        "steps": {k: asdict(m) for k, m in point.steps.items()},
        "checks": point.checks,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    created = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="shopops-scale-")) if created else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            print(f"kept files in {workdir}")
        elif created:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
