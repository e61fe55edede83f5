"""The stock benchmark runs at a tiny size and its figures check out (the full size is not for CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "stock_benchmark.py"


def test_stock_benchmark_smoke_run() -> None:
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--skus", "100", "--days", "40", "--files", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "generated 100 SKUs × 3 warehouses × 40 days = 12,000 stock rows (2 files of 300 rows" in out
    assert "聚水潭_商品库存_20261130.csv" in out
    assert "MISMATCH" not in out and "STOPPED" not in out
    for check in (
        "snapshot 2: jst_stock, N×3 rows, its day",
        "bulk-loaded rows = what the import writes (last day)",
        "stock_snapshot: N×3×D rows, D days, D imports",
        "status: SKUs per class = generator's",
        "status: Σ 7/30-day sales = generator's",
        "floor: SKUs per class = generator's",
        "status = floor: the class of every SKU",
        "status, floor: Σ 库龄 (days) = generator's",
        "status: 库龄 from the first stock for the SKUs stocked later",
        "by style: one row a style, the same totals",
    ):
        assert f"OK       {check}\n" in out
    assert "import per snapshot: mean" in out and "peak RSS per process" in out


def test_stock_benchmark_fails_on_a_stopped_step() -> None:
    """A step past --max-rss-mb ends the measuring process: reported, exit status 1."""
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--skus", "50", "--days", "31", "--files", "1", "--max-rss-mb", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "STOPPED in " in result.stdout and "passed --max-rss-mb 1" in result.stdout
    assert "MISMATCH status: SKUs per class = generator's" in result.stdout
