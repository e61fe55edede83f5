"""The metric layer's SQL is one definition for both engines: every provider and every step of a
master-table plan transpiles to Spark SQL, with none of DuckDB's own constructs left in it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.metrics.master import _prepare, build_plan
from shopops.metrics.providers import providers
from shopops.workspace import Workspace

sqlglot = pytest.importorskip(
    "sqlglot", reason="sqlglot comes with the spark extra: pip install -e '.[spark]'"
)

from shopops.metrics.spark_sql import spark_schema, spark_type, to_spark_sql  # noqa: E402

# DuckDB spellings Spark SQL has no parser for; the transpiled text must have none of them.
DUCKDB_ONLY = re.compile(
    r"BY NAME|EXCLUDE \(|\bLAMBDA\b|\bLIST_[A-Z]+\(|STRUCT_PACK|STRING_SPLIT|ARG_MAX|::", re.I
)


def test_every_provider_transpiles() -> None:
    for key, provider in providers().items():
        spark = to_spark_sql(provider.sql.format(start="DATE '2026-11-01'", end="DATE '2026-11-30'"))
        assert DUCKDB_ONLY.search(spark) is None, key


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_every_plan_step_transpiles(tmp_path: Path, grain: str) -> None:
    with Workspace.init(tmp_path / "ws") as workspace:
        workspace.add_shop("云朵旗舰店", "tmall")
        workspace.add_shop("山野好物抖音店", "douyin")
        con = workspace.connection
        day = dt.date(2026, 11, 30)
        _prepare(con, ["云朵旗舰店", "山野好物抖音店"], dt.date(2025, 11, 1), day, None)
        con.execute("CREATE OR REPLACE TEMP TABLE _so_partial (shop VARCHAR, date DATE)")
        plan = build_plan(
            con,
            load_catalog(),
            grain,
            True,
            True,
            dt.date(2026, 11, 1),
            dt.date(2025, 11, 1),
            day,
            total=True,
        )
    assert [name for name, _ in plan.steps][plan.independent :] == [
        "period",
        "metrics_shops",
        "metrics_total",
        "metrics",
    ]
    for name, sql in (*plan.steps, ("final", plan.final)):
        assert DUCKDB_ONLY.search(to_spark_sql(sql)) is None, name


def test_warehouse_types_have_spark_names() -> None:
    assert spark_type("DECIMAL(18,2)") == "DECIMAL(18, 2)"
    assert spark_type("VARCHAR[]") == "ARRAY<STRING>"
    assert spark_type("TIMESTAMP") == "TIMESTAMP_NTZ"
    assert spark_schema((("shop", "VARCHAR"), ("date", "DATE")), ("shop", "month")) == (
        "`shop` STRING, `date` DATE, `month` STRING"
    )
    with pytest.raises(UserError) as raised:
        spark_type("INTERVAL")
    assert str(raised.value) == (
        "the warehouse column type INTERVAL has no Spark equivalent in ShopOps yet — run this report with --engine duckdb"
    )
