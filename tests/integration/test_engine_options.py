"""`--engine`, `--spark-master` and `--parquet` are read the same way on every command that has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopops.workspace import Workspace
from tests.conftest import run_cli


@pytest.mark.parametrize(
    "command",
    [("table", "master"), ("findings",), ("report", "daily")],
)
def test_spark_settings_without_the_spark_engine_are_refused(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    Workspace.init(tmp_path / "ws").close()
    result = run_cli(
        "--workspace", tmp_path / "ws", *command, "--spark-master", "spark://h:7077", "--parquet", "x"
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "错误 --spark-master and --parquet：只用于 --engine spark — 加上 --engine spark，或去掉它"
    )
    english = run_cli("--lang", "en", "--workspace", tmp_path / "ws", *command, "--parquet", "x")
    assert english.stderr.strip() == (
        "Error --parquet: only with --engine spark — add --engine spark, or leave it out"
    )


def test_the_options_are_in_the_help() -> None:
    shown = run_cli("table", "master", "--help").stdout
    assert "--engine [duckdb|spark]" in shown
    assert "--spark-master URL" in shown
    assert "--parquet DIR|URL" in shown
