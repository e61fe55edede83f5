"""DuckDB SQL → Spark SQL, with sqlglot (a maintained transpiler), and warehouse types → Spark types.

The metric layer writes SQL once, in DuckDB's dialect, and keeps it to constructs both engines
have (no ``UNION BY NAME``, ``EXCLUDE``, lambdas over subqueries or correlated ``LIMIT``
subqueries); sqlglot rewrites the spelling (``list_contains`` → ``array_contains``, ``arg_max`` →
``max_by``, ``string_agg`` → ``listagg``, ``INTERVAL 1 DAY`` …). The equality test
(tests/spark/test_spark_equality.py) runs the demo through both engines and compares every value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from shopops.errors import UserError

_SIMPLE_TYPES = {
    "VARCHAR": "STRING",
    "BIGINT": "BIGINT",
    "INTEGER": "INT",
    "SMALLINT": "SMALLINT",
    "TINYINT": "TINYINT",
    "DOUBLE": "DOUBLE",
    "FLOAT": "FLOAT",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    # DuckDB writes TIMESTAMP to Parquet without a zone: Spark's TIMESTAMP_NTZ reads it as written.
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "HUGEINT": "DECIMAL(38, 0)",
    "UUID": "STRING",
    "JSON": "STRING",
    "BLOB": "BINARY",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


@lru_cache(maxsize=256)
def to_spark_sql(sql: str) -> str:
    """``sql`` (DuckDB dialect) in Spark SQL's spelling."""
    import sqlglot  # optional, with pyspark: only the Spark engine needs it

    statements = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    if len(statements) != 1:
        raise ValueError(f"expected one statement, got {len(statements)}")
    return statements[0]


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type of a warehouse column (``DECIMAL(18,2)``, ``VARCHAR[]`` …)."""
    text = duckdb_type.strip().upper()
    if text.endswith("[]"):
        return f"ARRAY<{spark_type(text[:-2])}>"
    decimal = _DECIMAL.fullmatch(text)
    if decimal:
        return f"DECIMAL({decimal.group(1)}, {decimal.group(2)})"
    if text in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[text]
    raise UserError(
        f"the warehouse column type {duckdb_type} has no Spark equivalent in ShopOps yet —"
        " run this report with --engine duckdb"
    )


def spark_schema(columns: Sequence[tuple[str, str]], partition_by: Sequence[str]) -> str:
    """A Spark DDL schema for an exported table: its columns, then ``month`` if it is partitioned by it."""
    parts = [f"`{name}` {spark_type(kind)}" for name, kind in columns]
    if "month" in partition_by:
        parts.append("`month` STRING")
    return ", ".join(parts)
