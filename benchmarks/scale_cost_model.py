"""The cost model of `scale_benchmark.py`: measured runs → seconds and bytes per order line → 10^9 lines.

Fitted per engine over the measured sizes as ``time = a + b·lines + c·shop_days`` (least squares;
``c`` only when the sizes differ in shops × days, else it is part of ``a``). ``b`` is what grows
with the order lines — every provider's scan and per-shop-day aggregation, the cost lookup per
line, the completeness check's scans; ``c`` is what grows with the output — the shop × day grid,
the LEFT JOINs of the providers onto it, the metric projection, the 合计 (a second, small
aggregation over the shops' rows), the coverage text built in Python, the rows handed back.
CPU seconds are fitted the same way, which gives core-seconds per line for the projection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Assumptions of the projection (printed with it).
CORES_PER_EXECUTOR = 4
EXECUTORS = (10, 50, 100)
TARGET_LINES = 1e9
DAYS = 730
NETWORK_BYTES_PER_SECOND = 125e6  # per executor, 1 GbE
DRIVER_COLLECT_BYTES_PER_SECOND = 100e6  # Arrow rows from executors into the driver's Python
PARTIAL_ROW_BYTES = 120  # one shop-day's partial aggregate of one provider, serialised
PROVIDER_SCANS = 10  # providers that aggregate warehouse rows per shop-day (orders ×3, lines ×2, refunds …)
TASK_BYTES = 128 * 2**20  # Spark input split
SHAPES = (("200 shops", 200), ("20,000 shops", 20_000))  # both × 730 days, 10^9 lines in all


@dataclass(frozen=True)
class Point:
    lines: int
    shop_days: int
    seconds: float
    cpu_seconds: float
    memory_bytes: float  # peak RSS less RSS before the call


@dataclass(frozen=True)
class Fit:
    a: float
    b: float  # per order line
    c: float  # per shop-day (0 when not separable)
    separable: bool
    residual: float  # largest |measured − fitted| over the points, seconds (or bytes)

    def at(self, lines: float, shop_days: float) -> float:
        return self.a + self.b * lines + self.c * shop_days


def fit(xs: list[tuple[float, float]], ys: list[float]) -> Fit | None:
    """``y = a + b·lines + c·shop_days`` through (lines, shop_days) → y; None with fewer than two sizes."""
    if len({x[0] for x in xs}) < 2:
        return None
    separable = len({x[1] for x in xs}) > 1 and len(xs) >= 3
    matrix = np.array([[1.0, x[0], x[1]] if separable else [1.0, x[0]] for x in xs])
    values = np.array(ys)
    solution, *_ = np.linalg.lstsq(matrix, values, rcond=None)
    fitted = matrix @ solution
    c = float(solution[2]) if separable else 0.0
    return Fit(float(solution[0]), float(solution[1]), c, separable, float(np.max(np.abs(fitted - values))))


@dataclass(frozen=True)
class EngineModel:
    name: str
    wall: Fit
    cpu: Fit
    memory: Fit | None


def model(name: str, points: list[Point]) -> EngineModel | None:
    xs = [(float(p.lines), float(p.shop_days)) for p in points]
    wall = fit(xs, [p.seconds for p in points])
    cpu = fit(xs, [p.cpu_seconds for p in points])
    if wall is None or cpu is None:
        return None
    return EngineModel(name, wall, cpu, fit(xs, [p.memory_bytes for p in points]))


def describe(engine: EngineModel) -> list[str]:
    wall, cpu, memory = engine.wall, engine.cpu, engine.memory
    lines = [
        f"  {engine.name}: time = {wall.a:.2f} s + {wall.b * 1e6:.3f} µs × lines"
        + (f" + {wall.c * 1e6:.1f} µs × shop-days" if wall.separable else " (shop-days in a)")
        + f"   (largest residual {wall.residual:.2f} s)",
        f"    CPU: {cpu.b * 1e6:.3f} core-µs per line"
        + (f", {cpu.c * 1e6:.1f} core-µs per shop-day" if cpu.separable else "")
        + (f" → {1 / cpu.b / 1e6:.2f} M lines per core-second" if cpu.b > 1e-12 else ""),
    ]
    if memory is not None:
        lines.append(
            f"    memory: {memory.a / 2**20:,.0f} MB + {memory.b:.1f} B × lines"
            + (f" + {memory.c / 1024:.2f} KB × shop-days" if memory.separable else "")
        )
    return lines


def project_duckdb(engine: EngineModel, cores: int = 2) -> list[str]:
    """From the CPU fit spread over ``cores`` (wall times on a shared machine vary with its load)."""
    rows = (
        []
        if engine.cpu.separable
        else ["  (shop-days not separated from lines: both shapes cost the same here)"]
    )
    for label, shops in SHAPES:
        shop_days = shops * DAYS
        seconds = engine.cpu.at(TARGET_LINES, shop_days) / cores
        memory = engine.memory.at(TARGET_LINES, shop_days) if engine.memory else float("nan")
        rows.append(
            f"  {label} × {DAYS} days ({shop_days:,} shop-days, {TARGET_LINES / shop_days:,.0f} lines each):"
            f" {seconds / 60:,.1f} min on {cores} cores (CPU fit / {cores}), memory ≈ {memory / 2**30:,.1f} GiB"
            " if it grew linearly (DuckDB spills past its memory limit instead)"
        )
    return rows


def project_spark(engine: EngineModel, driver_seconds_per_shop_day: float, row_bytes: float) -> list[str]:
    """Spark on N executors × 4 cores: fixed part + parallel scan + shuffle + driver-side collect."""
    rows = [
        f"  {'shape':<14} {'executors':>9} {'scan s':>8} {'shuffle s':>10} {'collect s':>10} {'total min':>10}"
    ]
    fixed = max(0.0, engine.wall.a)
    for label, shops in SHAPES:
        shop_days = shops * DAYS
        for executors in EXECUTORS:
            cores = executors * CORES_PER_EXECUTOR
            scan = (engine.cpu.b * TARGET_LINES + max(0.0, engine.cpu.c) * shop_days) / cores
            # per-shop-day partial aggregates; input clustered by shop (as exported), one task per key
            shuffle = shop_days * PROVIDER_SCANS * PARTIAL_ROW_BYTES / (executors * NETWORK_BYTES_PER_SECOND)
            collect = shop_days * (row_bytes / DRIVER_COLLECT_BYTES_PER_SECOND + driver_seconds_per_shop_day)
            total = fixed + scan + shuffle + collect
            rows.append(
                f"  {label:<14} {executors:>9} {scan:>8.1f} {shuffle:>10.2f} {collect:>10.1f} {total / 60:>10.1f}"
            )
    return rows


ASSUMPTIONS = f"""  assumptions of the Spark projection:
  - scan: the per-line core-seconds measured on local[2] (CPU of the JVM and Python), spread
    perfectly over {CORES_PER_EXECUTOR} cores per executor; every provider's scan and per-shop-day aggregation is linear in lines;
  - shuffle: each provider's partial aggregates per shop-day ({PROVIDER_SCANS} providers × {PARTIAL_ROW_BYTES} B) cross the network
    once at {NETWORK_BYTES_PER_SECOND / 1e6:.0f} MB/s per executor — true when files are clustered by shop as exports are; unclustered
    input multiplies it by up to the number of input tasks touching a shop-day (lines / {TASK_BYTES // 2**20} MB split);
  - the 合计 is a second aggregation over the shops' rows: shops × days rows, not lines — inside "scan" via shop-days;
  - collect: the result (shops × days rows, each as wide as measured) goes to the driver at
    {DRIVER_COLLECT_BYTES_PER_SECOND / 1e6:.0f} MB/s, then the coverage text is built in Python per row at the rate measured with DuckDB;
    it grows with shops × days, not with lines: 200 shops × 2 years = 146,000 rows whatever the lines per day;
  - the fixed part (session, planning the ~15-CTE statement, job scheduling) is the fit's intercept on local[2]."""
