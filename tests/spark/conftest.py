"""The Spark tests: the demo workspace through both engines. They run serially, after the rest
(`scripts/check` runs `pytest -m spark` on its own: one Spark JVM, two cores), and are skipped with
the reason when PySpark or Java is missing (`pip install -e '.[spark]'`, Debian openjdk-17-jre-headless).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from shopops.demo.run import run_demo
from shopops.metrics.spark_engine import SparkEngine
from shopops.warehouse.parquet_export import export_parquet
from shopops.workspace import Workspace

END = dt.date(2026, 11, 30)
DAYS = 60  # the apparel shop needs 60 (STOCK_MIN_DAYS); October and November for the month grain
SEED = 20261125  # `shopops demo`'s default seed


def _java_17() -> str | None:
    """Why Spark cannot run here, or None."""
    java = shutil.which("java")
    if java is None:
        return "no Java (apt-get install openjdk-17-jre-headless)"
    shown = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    return (
        None if any(f'"{v}' in shown for v in ("17", "18", "19", "2")) else f"Java 17+ needed: {shown[:60]}"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = None
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as error:
        missing = f"{error.name} is not installed (pip install -e '.[spark]')"
    missing = missing or _java_17()
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.spark)
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session")
def spark_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`shopops demo`'s workspace (every platform, every domain), DAYS days to END, exported to Parquet
    in its parquet/ folder."""
    root = tmp_path_factory.mktemp("spark") / "demo"
    run_demo(root, days=DAYS, end=END, seed=SEED, console=Console(file=io.StringIO(), width=80))
    with Workspace.open(root) as workspace:
        export_parquet(workspace.connection, root / "parquet")
    return root


@pytest.fixture(scope="session")
def spark_engine(spark_demo: Path) -> Iterator[SparkEngine]:
    with SparkEngine(spark_demo / "parquet", master="local[2]") as engine:
        yield engine
