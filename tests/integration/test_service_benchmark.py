"""The 客服 benchmark runs at a tiny size and its figures check out (the full size is not for CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "service_benchmark.py"


def test_service_benchmark_smoke_run() -> None:
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--agents", "10", "--days", "40"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "generated 400 agent-days (10 agents × 40 days" in out
    assert "赤兔_售前明细_下单优先判定_2025-12-01至2026-01-09.csv" in out
    assert "MISMATCH" not in out and "STOPPED" not in out
    for check in (
        "import: rows = N×D",
        "import: pending rows = agent-days of the last 4 days",
        "import: 汇总/均值 skipped",
        "agents, whole range: Σ询单人数 = generator's",
        "team: D days, N agents a day",
        "coach: days and 售前 team size",
        "findings_week: the slipping agent is slower",
        "findings_year: … and converts less",
    ):
        assert f"OK       {check}\n" in out
    assert "× baseline" in out and "peak RSS of the measuring process" in out


def test_service_benchmark_fails_on_a_stopped_step() -> None:
    """A step past --max-rss-mb ends the measuring process: reported, exit status 1."""
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--agents", "5", "--days", "7", "--max-rss-mb", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "STOPPED in " in result.stdout and "passed --max-rss-mb 1" in result.stdout
    assert "MISMATCH import: rows = N×D" in result.stdout
