"""The returns benchmark runs at a tiny size and its figures check out (the full size is not for CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "returns_benchmark.py"
SMOKE = ["--orders", "20000", "--skus", "160", "--reviews", "2000"]


def test_returns_benchmark_smoke_run() -> None:
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *SMOKE], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "generated 160 SKUs in 20 styles, 20,000 order lines (" in out
    assert "planted size problem: style SL" in out
    assert "MISMATCH" not in out and "STOPPED" not in out and "ended with status" not in out
    for step in (
        "import 退款管理 (54 columns)",
        "import 评价 CSV",
        "returns_summary, last 30 days",
        "floor: refund rates by completion/payment day",
        "reason_pareto, last 30 days vs the 30 before",
        "focus_items by SKU, last 30 days",
        "focus_items by style, last 30 days",
        "returns_findings, the last day",
        "returns_findings, the last 7 days",
        "review_list, reply window (31 days)",
        "review_themes by style, reply window",
        "review_list, whole year",
    ):
        assert f"| {step} " in out, step
    for check in (
        "refunds: qianniu_refunds, every row, = the baseline's rows",
        "退款管理: 54 columns (the repeated names read by DuckDB too)",
        "summary: cases, amounts, 支付金额, cohort = generator's",
        "summary: refund rate by completion day and by payment day = generator's",
        "pareto: per reason class, count, amount, count before = generator's",
        "focus by sku: top 20 = the floor's (key, lines, returns, Wilson ±1e-9)",
        "focus by sku: first = generator's, the planted style's S or M",
        "focus by style: first = generator's, the planted style's",
        "findings 1d: the planted style is found",
        "findings 7d: every style the floor puts above high_rate is found",
        "reviews 30d: 差评, 中评, 待处理差评 = floor's = generator's",
        "reviews year: every linked review → its true order",
        "themes year: the planted style's first classed keyword is 尺码, 偏小 = floor's count",
    ):
        assert f"OK       {check}\n" in out, check
    assert "peak RSS per process (MB): load " in out


def test_returns_benchmark_fails_on_a_stopped_step() -> None:
    """A step past --max-rss-mb ends its measuring process: reported, exit status 1."""
    pytest.importorskip("psutil")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *SMOKE, "--max-rss-mb", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "STOPPED in " in result.stdout and "passed --max-rss-mb 1" in result.stdout
    assert "MISMATCH summary: cases, amounts, 支付金额, cohort = generator's" in result.stdout
