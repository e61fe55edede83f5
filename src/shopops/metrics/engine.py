"""Where a master table's SQL runs: DuckDB (the warehouse itself, the default) or another engine.

A master table is built as a :class:`Plan`, DuckDB SQL from one definition (the catalog and the
providers). DuckDB runs it as one statement over the warehouse; an engine such as
:class:`shopops.metrics.spark_engine.SparkEngine` transpiles each step and runs it over a Parquet
export of the warehouse. The few small scratch tables a plan reads (the shop × day grid, shipping
rules, days an export left incomplete) are computed in the warehouse and handed to the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import polars as pl
import pyarrow as pa

# The scratch tables a plan reads besides the warehouse's own (written by metrics.master).
SCRATCH_TABLES = ("_so_grid", "_so_shipping_rules", "_so_partial")


@dataclass(frozen=True)
class Plan:
    """Named steps, each a SELECT over the warehouse and the steps before it, and a final SELECT.

    DuckDB runs it as one statement (its optimizer sees everything); Spark materialises each step
    in turn, which keeps every query plan small (a provider is analysed once, not once per use).
    """

    steps: tuple[tuple[str, str], ...]
    final: str
    independent: int = 0  # the first steps read only the warehouse: an engine may run them at once

    def statement(self) -> str:
        return "WITH " + ",\n".join(f"{name} AS ({sql})" for name, sql in self.steps) + "\n" + self.final


class MetricEngine(Protocol):
    """An engine other than the warehouse's DuckDB that runs a master table's plan."""

    name: str

    def run(self, plan: Plan, scratch: Mapping[str, pa.Table]) -> pl.DataFrame:
        """The plan's final result, columns and types as DuckDB would give them."""
        ...
