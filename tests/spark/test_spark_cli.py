"""`--engine spark` from the command line: the same 总表 CSV, the same findings and the same 日报 as
DuckDB gives, the Parquet export brought up to date first."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from python_calamine import CalamineWorkbook

from tests.conftest import run_cli

FIRST, LAST = "2026-11-17", "2026-11-30"
STAMP = re.compile(r"生成于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _copy(spark_demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo (commands here write reports and refresh the export)."""
    root = tmp_path / "demo"
    shutil.copytree(spark_demo, root)
    return root


def test_table_master_csv_is_the_same(spark_demo: Path, tmp_path: Path) -> None:
    root = _copy(spark_demo, tmp_path)
    args = ["--workspace", root, "table", "master", "--from", FIRST, "--to", LAST, "--total", "--compare"]
    duck = run_cli(*args)
    spark = run_cli(*args, "--engine", "spark")
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    assert spark.stdout == duck.stdout
    assert duck.stdout.count("\n") == 14 * 6 + 1  # 5 shops and 合计 a day, and the header
    # Nothing had changed since the fixture's export: no partition was written again.
    assert "写入 0 个分区" in spark.stderr


def test_findings_are_the_same(spark_demo: Path, tmp_path: Path) -> None:
    root = _copy(spark_demo, tmp_path)
    args = ["--workspace", root, "findings", "--from", FIRST, "--to", LAST, "--format", "json"]
    duck = run_cli(*args)
    spark = run_cli(*args, "--engine", "spark")
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    found = json.loads(duck.stdout)
    assert found, "the demo has findings in its last two weeks"
    assert json.loads(spark.stdout) == found


def test_daily_report_is_the_same(spark_demo: Path, tmp_path: Path) -> None:
    root = _copy(spark_demo, tmp_path)
    duck = run_cli("--workspace", root, "report", "daily", "-o", tmp_path / "duck.xlsx")
    spark = run_cli(
        "--workspace", root, "report", "daily", "-o", tmp_path / "spark.xlsx", "--engine", "spark"
    )
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    duck_book = CalamineWorkbook.from_path(str(tmp_path / "duck.xlsx"))
    spark_book = CalamineWorkbook.from_path(str(tmp_path / "spark.xlsx"))
    assert spark_book.sheet_names == duck_book.sheet_names
    for name in duck_book.sheet_names:
        left = _without_stamp(duck_book.get_sheet_by_name(name).to_python())
        right = _without_stamp(spark_book.get_sheet_by_name(name).to_python())
        assert right == left, name


def _without_stamp(rows: list[list[object]]) -> list[list[object]]:
    """The sheet's cells, less the minute it was made (生成于 2026-12-01 06:51)."""
    return [[STAMP.sub("生成于 …", c) if isinstance(c, str) else c for c in row] for row in rows]
