"""The reader's result: where the header is, and a way to load the rows into DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from shopops.errors import UnreadableFileError

HeaderScorer = Callable[[Sequence[str]], float]

HEADER_SEARCH_ROWS = 30


def clean_header(cell: str) -> str:
    return cell.strip().strip("\ufeff\u3000\u00a0").strip()


@dataclass
class RawExport:
    """One table found in a file.

    ``header_row`` is the 1-based row number of the header as the user sees it (Excel row or
    text line); data row *k* (0-based) is row ``header_row + 1 + k``.
    """

    path: Path
    display_name: str
    header: list[str]
    header_row: int
    title_lines: list[str]
    sheet: str | None = None
    # Exactly one of the two backings is set.
    csv_path: Path | None = None
    csv_delimiter: str = ","
    rows: Sequence[Sequence[object]] | None = field(default=None, repr=False)

    def load(self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[int]) -> None:
        """Create temp table ``table`` with ``_row`` and ``c<i>`` VARCHAR for the given column indexes."""
        if self.csv_path is not None:
            self._load_csv(con, table, columns)
        else:
            self._load_rows(con, table, columns)

    def _load_csv(self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[int]) -> None:
        width = len(self.header)
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        picked = ", ".join(f"c{i}" for i in columns) or "NULL AS _none"
        # auto_detect off: the sniffer guesses wrong on files with title lines, and every
        # column must stay text until our own parsers have looked at it.
        try:
            try:
                self._read_csv(con, table, picked, spec, parallel=True)
            except duckdb.Error:
                # Quoted newlines (addresses, buyer notes) need the single-threaded scanner.
                self._read_csv(con, table, picked, spec, parallel=False)
        except duckdb.Error as error:
            raise UnreadableFileError(
                self.path,
                f"is a text table that cannot be read as CSV ({str(error).splitlines()[0][:120]})",
                hint="open it in Excel and save it as .xlsx, then import that file",
            ).relabel(self.display_name) from error
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT CAST(rowid + {self.header_row + 1} AS INTEGER)"
            f" AS _row, * FROM {table}_read"
        )
        con.execute(f"DROP TABLE {table}_read")

    def _read_csv(
        self, con: duckdb.DuckDBPyConnection, table: str, picked: str, spec: str, *, parallel: bool
    ) -> None:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_read AS SELECT {picked} FROM read_csv(?, "
            f"auto_detect=false, header=false, skip={self.header_row}, columns={{{spec}}}, "
            "delim=?, quote='\"', escape='\"', null_padding=true, strict_mode=false, "
            f"max_line_size=10000000, parallel={str(parallel).lower()})",
            [str(self.csv_path), self.csv_delimiter],
        )

    def _load_rows(self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[int]) -> None:
        assert self.rows is not None
        body = self.rows
        arrays: dict[str, pa.Array[Any]] = {
            "_row": pa.array(range(self.header_row + 1, self.header_row + 1 + len(body)), pa.int32())
        }
        for index in columns:
            arrays[f"c{index}"] = pa.array(
                [cell_text(row[index]) if index < len(row) else None for row in body], pa.string()
            )
        frame = pa.table(arrays)  # noqa: F841 — read by name from the SQL below
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM frame")


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text the user sees (IDs stay exact, dates ISO)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def locate_header(rows: Sequence[Sequence[object]], scorer: HeaderScorer) -> tuple[int, list[str]]:
    """Index of the header row among the first rows, and the title lines above it.

    The header is the row that looks most like known column names; when no row does (an
    export nobody has mapped yet), the first row as wide as the widest of the first rows.
    """
    top = [[cell_text(cell) or "" for cell in row] for row in rows[:HEADER_SEARCH_ROWS]]
    if not top:
        return 0, []
    scores = [scorer([clean_header(cell) for cell in row]) for row in top]
    best = max(range(len(top)), key=lambda i: (scores[i], -i))
    if scores[best] < 2:
        widths = [sum(1 for cell in row if cell.strip()) for row in top]
        widest = max(widths)
        best = next(i for i, width in enumerate(widths) if width >= max(2, widest) or width == widest)
    titles = [" ".join(cell.strip() for cell in row if cell.strip()) for row in top[:best]]
    return best, [line for line in titles if line]
