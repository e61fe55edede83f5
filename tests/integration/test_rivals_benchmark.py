"""The competitor benchmark runs at a tiny size and finds its planted events (the full size is not for CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "rivals_benchmark.py"


def test_rivals_benchmark_smoke_run() -> None:
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--items", "60", "--days", "20", "--shops", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "price_cut_found=True, new_item_found=True, reset_found=True" in result.stdout
    assert "peak RSS" in result.stdout
