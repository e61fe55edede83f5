"""What analyses and reports read from a workspace, as a protocol (the Workspace class is one).

Analyses and reports sit below the workspace in the data flow and may not import it; they are
handed any object with these members (the Workspace, the dashboard's scoped data, a test double).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import duckdb
import polars as pl

from shopops.metrics.completeness import PartialDay


class WarehouseReader(Protocol):
    @property
    def connection(self) -> duckdb.DuckDBPyConnection: ...

    def data_dates(self) -> tuple[dt.date | None, dt.date | None]:
        """The first day with data and the latest complete day."""
        ...

    def incomplete_days(self) -> list[PartialDay]:
        """The incomplete days after the latest complete one (what the defaults skipped)."""
        ...

    def master_table(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        shops: Sequence[str] | None = None,
        grain: str = "day",
        compare: bool = False,
        provenance: bool = False,
        total: bool = False,
        metrics: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """``metrics``: only these catalog metrics (and what their formulas need) — a faster query."""
        ...


__all__ = ["WarehouseReader"]
