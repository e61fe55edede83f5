"""How `scale_benchmark.py` keeps and prints what it measured: steps, sizes, checks, profile, cost model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scale_cost_model as cost
from scale_contenders import Result

FULL_SHOPS, FULL_DAYS = 200, 730
GOAL_SECONDS = 2.0  # the master table over every shop and day at full size (issue goal)
MB = 2**20


@dataclass
class Measurement:
    label: str
    seconds: float = float("nan")
    cpu_seconds: float = float("nan")
    peak_bytes: int = 0
    detail: Result = field(default_factory=dict)
    error: str | None = None  # traceback, or why it was stopped
    unavailable: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.unavailable is None

    @property
    def memory_bytes(self) -> float:
        return float(self.peak_bytes - int(self.detail.get("rss_before", 0)))


@dataclass
class Point:
    """One measured size: its manifest and every step's measurement."""

    shops: int
    days: int
    lines_per_shop_day: float
    root: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Measurement] = field(default_factory=dict)
    warehouse_bytes: int = 0
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return int(self.manifest.get("order_lines", 0))

    @property
    def shop_days(self) -> int:
        return int(self.manifest.get("shops", self.shops)) * self.days

    def title(self) -> str:
        m = self.manifest
        return (
            f"{m.get('shops', self.shops)} shops × {self.days} days ({m.get('start')} … {m.get('end')}):"
            f" {self.lines:,} order lines ({self.lines / max(1, self.shop_days):.1f} per shop-day),"
            f" {m.get('orders', 0):,} orders, {m.get('refunds', 0):,} refunds"
            + (f", replicated ×{m['replicas']}" if m.get("replicas", 1) > 1 else "")
        )


def check_point(point: Point) -> None:
    m = point.manifest
    truth = [m["gmv"], str(m["paid_orders"]), str(m["units"])]
    shown = f"GMV {truth[0]}, {int(truth[1]):,} paid orders, {int(truth[2]):,} units"
    floor, master, spark = point.steps["floor"], point.steps["master"], point.steps.get("spark")
    if floor.ok:
        point.checks.append(
            ("floor = true totals", floor.detail["totals"] == truth, str(floor.detail["totals"]))
        )
    if master.ok:
        d = master.detail
        point.checks.append(("master shop rows = true totals", d["shops"] == truth, str(d["shops"])))
        point.checks.append(
            ("master 合计 rows = true totals", d["total_rows"] == truth, str(d["total_rows"]))
        )
        wanted = dict(m["shop_gmv"])
        point.checks.append(("master per-shop GMV (sample)", d["shop_gmv"] == wanted, str(d["shop_gmv"])))
    if spark is not None and spark.ok and master.ok:
        same = spark.detail["shops"] == master.detail["shops"]
        point.checks.append(("Spark totals = DuckDB totals", same, str(spark.detail["shops"])))
        differing = compare_frames(point.root / "master_duckdb.parquet", point.root / "master_spark.parquet")
        point.checks.append(
            ("Spark frame = DuckDB frame", not differing, "; ".join(differing[:8]) or "all columns")
        )
    print(f"  checks against the generator's truth ({shown}):")
    for name, ok, text in point.checks:
        print(f"    {name:<34} {'OK' if ok else 'MISMATCH'}  {'' if ok else text}")


def compare_frames(left_path: Path, right_path: Path) -> list[str]:
    """Columns whose values differ (floats within 1e-9 relative), row order by date and shop."""
    import polars as pl

    left = pl.read_parquet(left_path).sort("date", "shop")
    right = pl.read_parquet(right_path).sort("date", "shop")
    if left.shape != right.shape:
        return [f"shape {left.shape} ≠ {right.shape}"]
    differing = []
    for column in left.columns:
        if column not in right.columns:
            differing.append(f"{column} missing")
            continue
        a, b = left[column], right[column]
        if a.dtype.is_float() or b.dtype.is_float():
            both = pl.DataFrame({"a": a.cast(pl.Float64), "b": b.cast(pl.Float64)})
            near = (pl.col("a") - pl.col("b")).abs() <= 1e-9 * pl.max_horizontal(
                pl.col("a").abs(), pl.lit(1.0)
            )
            same = near.fill_null(False) | (pl.col("a").is_null() & pl.col("b").is_null())
            bad = both.filter(~same).height
        else:
            if a.dtype != b.dtype:
                a, b = a.cast(pl.String), b.cast(pl.String)
            bad = int((~a.eq_missing(b)).sum())
        if bad:
            differing.append(f"{column}: {bad} rows")
    return differing


def print_point(point: Point) -> None:
    print(f"\n{point.title()}")
    print(f"{'step':<46} {'wall s':>9} {'CPU s':>8} {'peak MB':>8}  note")
    print("-" * 100)
    gen = point.steps.get("generate")

    def row(label: str, seconds: float, m: Measurement | None, note: str = "") -> None:
        cpu = f"{m.cpu_seconds:8.1f}" if m is not None and m.ok else f"{'':>8}"
        peak = f"{m.peak_bytes / MB:8,.0f}" if m is not None and m.ok else f"{'':>8}"
        print(f"{label:<46} {seconds:9.2f} {cpu} {peak}  {note}")

    for key, m in point.steps.items():
        if not m.ok:
            why = m.unavailable and f"not available: {m.unavailable}"
            why = why or (m.error if m.error and m.error.startswith("stopped after") else "FAILED")
            print(f"{m.label:<46} {'—':>9}  {why}")
            continue
        d = m.detail
        if key == "generate" and gen is not None:
            per_line = point.warehouse_bytes / max(1, point.lines)
            row(
                m.label,
                m.seconds,
                m,
                f"warehouse {point.warehouse_bytes / MB:,.0f} MB ({per_line:.0f} B/line)",
            )
        elif key == "replicate":
            row(m.label, m.seconds, m, f"warehouse {point.warehouse_bytes / MB:,.0f} MB")
        elif key == "floor":
            row(m.label, m.seconds, m, f"{d['rows']:,} shop-day rows")
        elif key in ("master", "spark"):
            if key == "spark":
                row("Spark session start", d["session_seconds"], None, f"pyspark {d.get('pyspark')}")
            runs = d["runs"]
            ratio = runs[0]["seconds"] / point.steps["floor"].seconds if point.steps["floor"].ok else math.nan
            row(
                f"{m.label}, first",
                runs[0]["seconds"],
                m,
                f"{d['frame_rows']:,} rows, {ratio:,.0f}× the floor",
            )
            for run in runs[1:]:
                row("  again, same process (warm)", run["seconds"], None)
            if "stopped" in d:
                print(f"  {d['stopped']}: the runs after these were not finished")
        elif key == "parquet":
            row("Parquet export", m.seconds, m, f"{d['bytes'] / MB:,.0f} MB")
            row("  again, nothing changed", d["again_seconds"], None)
        elif key == "profile":
            row(m.label, m.seconds, m, "EXPLAIN ANALYZE run")
    for key in ("master", "spark"):
        m = point.steps.get(key)
        if m is not None and m.ok:
            for index, run in enumerate(m.detail["runs"], start=1):
                parts = ", ".join(f"{k} {v:.2f}" for k, v in run["phases"].items() if v >= 0.005)
                print(f"  {key} run {index}: {parts}")
    print_profile(point.steps.get("profile"))


def print_profile(m: Measurement | None) -> None:
    if m is None or not m.ok:
        return
    d = m.detail
    print(
        f"\n  profile (prepare + partial days {d['prepare_seconds']:.2f} s; EXPLAIN ANALYZE run {m.seconds:.2f} s)"
    )
    print("  each provider's SQL alone (CREATE TEMP TABLE AS …):")
    for p in d["providers"][:12]:
        print(f"    {p['provider']:<28} {p['seconds']:8.2f} s  {p['rows']:>10,} rows")
    print("  operator time (CPU, all threads) by the tables each operator reads:")
    for t in d["by_tables"]:
        print(f"    {t['seconds']:8.2f} s  {t['tables']}")
    print("  slowest operators:")
    for o in d["operators"][:10]:
        print(f"    {o['seconds']:8.2f} s  {o['name']:<22} {o['rows']:>12,} rows  {', '.join(o['tables'])}")
        print(f"              {o['detail']}")
    print(f"  full profile: {d['profile']}")


def report_goal(point: Point) -> None:
    master = point.steps.get("master")
    if master is None or not master.ok:
        return
    full = point.shops >= FULL_SHOPS and point.days >= FULL_DAYS
    seconds = master.seconds
    verdict = ("MET" if seconds < GOAL_SECONDS else "MISSED") if full else "not judged below full size"
    print(
        f"\ngoal: master table over all shops and days < {GOAL_SECONDS:g} s — {seconds:.2f} s cold, {verdict}"
    )


def cost_model(points: list[Point]) -> list[str]:
    """Fit on the generated sizes; a replicated one is shown against the fit's prediction."""
    lines_out = ["\ncost model (fitted on the generated sizes; wall seconds of the first run):"]
    fitted = [p for p in points if p.manifest.get("replicas", 1) == 1]
    checks = [p for p in points if p.manifest.get("replicas", 1) > 1]
    for key, name in (("floor", "DuckDB floor"), ("master", "ShopOps DuckDB"), ("spark", "ShopOps Spark")):
        usable = [p for p in fitted if key in p.steps and p.steps[key].ok]
        measured = [
            cost.Point(p.lines, p.shop_days, p.steps[key].detail.get("runs", [{}])[0].get("seconds", p.steps[key].seconds),
                       p.steps[key].cpu_seconds, p.steps[key].memory_bytes)
            for p in usable
        ]  # fmt: skip
        engine = cost.model(name, measured)
        if engine is None:
            lines_out.append(
                f"  {name}: needs two sizes with different line counts ({len(measured)} measured)"
            )
            continue
        lines_out += cost.describe(engine)
        for p in checks:
            if key in p.steps and p.steps[key].ok:
                predicted = engine.wall.at(p.lines, p.shop_days)
                lines_out.append(
                    f"    at {p.lines:,} lines: predicted {predicted:.1f} s, measured {p.steps[key].seconds:.1f} s"
                )
        if key == "master":
            lines_out += ["  projected to 10^9 lines, DuckDB master table:", *cost.project_duckdb(engine)]
        if key == "spark":
            driver, row_bytes = _driver_costs(fitted)
            lines_out += [
                f"  projected to 10^9 lines, Spark master table on N executors × {cost.CORES_PER_EXECUTOR} cores"
                f" (driver: {row_bytes:.0f} B per result row, {driver * 1e6:.0f} µs per row in Python):",
                *cost.project_spark(engine, driver, row_bytes),
                cost.ASSUMPTIONS,
            ]
    return lines_out


def _driver_costs(points: list[Point]) -> tuple[float, float]:
    """Python-side seconds per result row (the coverage text) and bytes per result row, at the largest size."""
    best = max((p for p in points if p.steps.get("master") and p.steps["master"].ok), key=lambda p: p.lines)
    d = best.steps["master"].detail
    rows = max(1, d["frame_rows"])
    return d["runs"][0]["phases"].get("_with_coverage", 0.0) / rows, d["frame_mb"] * MB / rows
