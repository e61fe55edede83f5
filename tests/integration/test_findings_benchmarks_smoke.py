"""The findings benchmarks still run: benchmarks/anomaly_eval.py (seed 1; it takes ~15 s) and real_findings.py.

Full-size figures are run by hand and recorded in docs/benchmarks.md; this only keeps the scripts
working, with their headline outcomes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import DATASETS

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_anomaly_eval_finds_its_plants(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = _load("anomaly_eval").evaluate(50, 1, 322, dt.date(2026, 10, 18), tmp_path, False)
    assert figures["recall"] >= 0.98  # the goal of issue 13, seed 1 of the five run by hand
    assert figures["precision"] >= 0.95
    assert "precision" in capsys.readouterr().out


@pytest.mark.skipif(
    not (DATASETS / "tmall_order_report.csv").is_file() or not (DATASETS / "cosmetic.csv").is_file(),
    reason="shared/datasets is absent (see shared/datasets/SOURCES.md)",
)
def test_real_findings_cases(tmp_path: Path) -> None:
    real = _load("real_findings")
    assert real.tmall(tmp_path) == {"found": 10, "expected": 10, "others": 13}
    cosmetic = real.cosmetic(tmp_path)
    assert cosmetic["top_1111"] <= 30 and cosmetic["all_1111"] == 1772
