"""What `scale_benchmark.py` runs in its spawned subprocesses: one function per step, each returning a dict.

Each function times only its call (not interpreter start-up, imports or opening the workspace) and
reports the process's RSS just before it (``rss_before``), so memory per row is what the call added.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    import duckdb
    import polars as pl

Result = dict[str, Any]
# Set by the benchmark in the subprocess: hands over what a step has measured so far, so that a
# step stopped at its timeout still reports its finished runs.
partial: Callable[[Result], None] = lambda result: None  # noqa: E731
P = ParamSpec("P")
R = TypeVar("R")

# The least work any engine must do for the master table's headline figures: per shop and payment
# day, the paid orders' 总金额, their count and units — one scan and one aggregation of `orders`.
FLOOR_SQL = """
SELECT shop, CAST(paid_at AS DATE) AS date, sum(total_amount) AS gmv, count(*) AS paid_orders,
       sum(quantity) AS units
FROM orders
WHERE paid_at IS NOT NULL AND CAST(paid_at AS DATE) BETWEEN ? AND ?
GROUP BY ALL ORDER BY date, shop
"""
# master_table's steps, timed from outside by rebinding the module's names in the child only.
# (build_sql is the older name of build_plan: the one that exists is timed.)
MASTER_STEPS = ("_prepare", "partial_days", "_mark_partial", "build_plan", "build_sql", "_with_coverage")


def _tree() -> list[Any]:
    import psutil  # type: ignore[import-untyped,unused-ignore]

    me = psutil.Process()
    return [me, *me.children(recursive=True)]


def rss_now() -> int:
    """RSS of this process and its children (Spark's JVM) now."""
    import psutil

    total = 0
    for process in _tree():
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return int(total)


def cpu_now() -> float:
    """CPU seconds (user + system) used so far by this process and its living children."""
    import psutil

    total = 0.0
    for process in _tree():
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return float(total)


def _timed(name: str, timings: dict[str, float], function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - began

    return wrapper


def _quiet(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET enable_progress_bar = false")


def _totals(frame: pl.DataFrame, sample: list[str]) -> Result:
    """Sums over the shop rows (platform set) and over the 合计 rows, and the sample shops' GMV."""
    import polars as pl

    def sums(part: pl.DataFrame) -> list[str]:
        row = part.select(pl.col("gmv").sum(), pl.col("paid_orders").sum(), pl.col("units").sum()).row(0)
        return [str(Decimal(str(row[0] or 0)).quantize(Decimal("0.01"))), str(row[1] or 0), str(row[2] or 0)]

    shops = frame.filter(pl.col("platform").is_not_null())
    by_shop = shops.group_by("shop").agg(pl.col("gmv").sum()).filter(pl.col("shop").is_in(sample))
    return {
        "shops": sums(shops),
        "total_rows": sums(frame.filter(pl.col("platform").is_null())),
        "shop_gmv": {shop: str(gmv) for shop, gmv in by_shop.iter_rows()},
        "frame_rows": frame.height,
        "frame_mb": frame.estimated_size() / 2**20,
    }


def run_generate(root: str, shops: int, days: int, end: str, seed: int, lines_per_shop_day: float) -> Result:
    from shopops.demo.scale import build_scale_workspace

    before, cpu = rss_now(), cpu_now()
    began = time.perf_counter()
    manifest = build_scale_workspace(
        Path(root),
        shops=shops,
        days=days,
        end=dt.date.fromisoformat(end),
        seed=seed,
        lines_per_shop_day=lines_per_shop_day,
    )
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_now() - cpu,
        "rss_before": before,
        "manifest": manifest.to_json(),
    }


def run_replicate(root: str, factor: int) -> Result:
    from shopops.demo.scale import replicate

    before, cpu = rss_now(), cpu_now()
    began = time.perf_counter()
    manifest = replicate(Path(root), factor)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_now() - cpu,
        "rss_before": before,
        "manifest": manifest.to_json(),
    }


def run_floor(root: str, start: str, end: str) -> Result:
    import duckdb

    from shopops.workspace import WAREHOUSE_NAME

    con = duckdb.connect(str(Path(root) / WAREHOUSE_NAME), read_only=True)
    _quiet(con)
    before, cpu = rss_now(), cpu_now()
    began = time.perf_counter()
    frame = con.sql(FLOOR_SQL, params=[dt.date.fromisoformat(start), dt.date.fromisoformat(end)]).pl()
    seconds = time.perf_counter() - began
    cpu = cpu_now() - cpu
    con.close()
    import polars as pl

    row = frame.select(pl.col("gmv").sum(), pl.col("paid_orders").sum(), pl.col("units").sum()).row(0)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before": before,
        "rows": frame.height,
        "totals": [str(row[0]), str(row[1]), str(row[2])],
    }


def _master_runs(
    root: str,
    start: str,
    end: str,
    out: str,
    sample: list[str],
    repeat: int,
    engine: object | None = None,
    extra_detail: Result | None = None,
) -> Result:
    """master_table over every shop and day, ``repeat`` times in this process; the first frame kept."""
    from shopops.metrics import master
    from shopops.workspace import Workspace

    workspace = Workspace(Path(root))
    con = workspace.connection
    _quiet(con)
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    extra = {} if engine is None else {"engine": engine}
    extra_detail = extra_detail or {}
    runs = []
    frame = None
    before = rss_now()
    for _ in range(repeat):
        timings: dict[str, float] = {}
        originals = {name: getattr(master, name) for name in MASTER_STEPS if hasattr(master, name)}
        for name, function in originals.items():
            setattr(master, name, _timed(name, timings, function))
        cpu = cpu_now()
        try:
            began = time.perf_counter()
            result = master.master_table(con, first, last, grain="day", total=True, **extra)  # type: ignore[arg-type]
            seconds = time.perf_counter() - began
        finally:
            for name, function in originals.items():
                setattr(master, name, function)
        timings["SQL (the rest)"] = seconds - sum(timings.values())
        runs.append({"seconds": seconds, "cpu_seconds": cpu_now() - cpu, "phases": timings})
        if frame is None:
            frame = result
            frame.write_parquet(out)
        partial({"seconds": runs[0]["seconds"], "cpu_seconds": runs[0]["cpu_seconds"], "runs": list(runs),
                 "rss_before": before, **_totals(frame, sample)} | extra_detail)  # fmt: skip
    assert frame is not None
    workspace.close()
    first_run = runs[0]
    return {
        "seconds": first_run["seconds"],
        "cpu_seconds": first_run["cpu_seconds"],
        "runs": runs,
        "rss_before": before,
        **_totals(frame, sample),
        **extra_detail,
    }


def run_master(root: str, start: str, end: str, out: str, sample: list[str], repeat: int = 2) -> Result:
    return _master_runs(root, start, end, out, sample, repeat)


def run_parquet(root: str, target: str) -> Result:
    try:
        from shopops.warehouse.parquet_export import export_parquet
    except ImportError as error:
        return {"unavailable": f"shopops.warehouse.parquet_export: {error}"}
    from shopops.workspace import Workspace

    workspace = Workspace(Path(root))
    con = workspace.connection
    _quiet(con)
    before, cpu = rss_now(), cpu_now()
    began = time.perf_counter()
    first = export_parquet(con, Path(target))
    seconds = time.perf_counter() - began
    cpu = cpu_now() - cpu
    began = time.perf_counter()
    again = export_parquet(con, Path(target))
    again_seconds = time.perf_counter() - began
    workspace.close()
    return {
        "seconds": seconds,
        "again_seconds": again_seconds,
        "cpu_seconds": cpu,
        "rss_before": before,
        "result": repr(first)[:300],
        "again_result": repr(again)[:300],
        "bytes": folder_bytes(Path(target)),
    }


def run_spark(
    root: str,
    parquet: str,
    start: str,
    end: str,
    out: str,
    sample: list[str],
    master_url: str,
    repeat: int = 2,
) -> Result:
    try:
        import pyspark

        from shopops.metrics.spark_engine import SparkEngine
    except ImportError as error:
        return {"unavailable": f"{type(error).__name__}: {error}"}
    began = time.perf_counter()
    engine = SparkEngine(parquet, master=master_url)
    _ = getattr(engine, "session", None)  # the session starts lazily: start it here, timed apart
    session_seconds = time.perf_counter() - began
    session = {"session_seconds": session_seconds, "pyspark": pyspark.__version__}
    try:
        return _master_runs(root, start, end, out, sample, repeat, engine=engine, extra_detail=session)
    finally:
        engine.close()


def run_profile(root: str, start: str, end: str, out_dir: str) -> Result:
    """Where the master table's SQL spends its time: each provider alone, then EXPLAIN ANALYZE of the whole."""
    from shopops.metrics import master
    from shopops.metrics.catalog import load_catalog
    from shopops.metrics.providers import providers
    from shopops.workspace import Workspace

    workspace = Workspace(Path(root))
    con = workspace.connection
    _quiet(con)
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    shops = [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()]
    catalog = load_catalog()
    began = time.perf_counter()
    master._prepare(con, shops, first, last, None)
    master._mark_partial(con, master.partial_days(con, shops))
    prepare_seconds = time.perf_counter() - began
    if hasattr(master, "build_plan"):
        plan = master.build_plan(con, catalog, "day", False, False, first, first, last, total=True)
        sql = plan.statement()
    else:
        sql = master.build_sql(con, catalog, "day", False, False, first, first, last, total=True)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "master.sql").write_text(sql, encoding="utf-8")
    used = {source for measure in catalog.measures.values() for source in measure.sources}
    alone = []
    for key, provider in providers().items():
        if key not in used:
            continue
        text = provider.sql.format(start=f"DATE '{first}'", end=f"DATE '{last}'")
        began = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE _bench_provider AS {text}")
        seconds = time.perf_counter() - began
        row = con.execute("SELECT count(*) FROM _bench_provider").fetchone()
        alone.append({"provider": key, "seconds": seconds, "rows": int(row[0]) if row else 0})
    con.execute("DROP TABLE IF EXISTS _bench_provider")
    profile_path = folder / "explain_analyze.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{profile_path}'")
    began = time.perf_counter()
    con.sql(sql).fetch_arrow_table()
    analyzed_seconds = time.perf_counter() - began
    con.execute("PRAGMA disable_profiling")
    workspace.close()
    operators = flatten_profile(json.loads(profile_path.read_text(encoding="utf-8")))
    return {
        "seconds": analyzed_seconds,
        "prepare_seconds": prepare_seconds,
        "providers": sorted(alone, key=lambda p: -p["seconds"]),
        "operators": sorted(operators, key=lambda o: -o["seconds"])[:15],
        "by_tables": tables_summary(operators),
        "profile": str(profile_path),
    }


def flatten_profile(profile: dict[str, Any]) -> list[Result]:
    """Every operator of a DuckDB JSON profile: its own time, rows out, and the tables scanned beneath it."""
    found: list[Result] = []

    def visit(node: dict[str, Any]) -> set[str]:
        below: set[str] = set()
        for child in node.get("children", []):
            below |= visit(child)
        info = node.get("extra_info", {})
        table = info.get("Table") or info.get("Function")
        if table:
            below.add(str(table).split(".")[-1])
        detail = {
            k: v for k, v in info.items() if k in ("Table", "Conditions", "Join Type", "Groups", "Aggregates")
        }
        found.append(
            {
                "name": node.get("name") or node.get("operator_name", "?"),
                "seconds": float(node.get("timing", node.get("operator_timing", 0.0))),
                "rows": int(node.get("intermediate_rows", node.get("operator_cardinality", 0))),
                "tables": sorted(below),
                "detail": json.dumps(detail, ensure_ascii=False)[:240],
            }
        )
        return below

    for root in profile.get("operator", []) or profile.get("children", []):
        visit(root)
    return found


def tables_summary(operators: list[Result]) -> list[Result]:
    """Operator time summed by the set of tables each operator reads from (a provider is roughly one set)."""
    sums: dict[str, float] = {}
    for operator in operators:
        key = ", ".join(operator["tables"]) or "(no table)"
        sums[key] = sums.get(key, 0.0) + operator["seconds"]
    return [{"tables": k, "seconds": v} for k, v in sorted(sums.items(), key=lambda kv: -kv[1])[:12]]


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(folder) / name).stat().st_size
    return total


CONTENDERS: dict[str, Callable[..., Result]] = {
    "generate": run_generate,
    "replicate": run_replicate,
    "floor": run_floor,
    "master": run_master,
    "parquet": run_parquet,
    "spark": run_spark,
    "profile": run_profile,
}
