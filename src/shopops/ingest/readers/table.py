"""The reader's result: where the header is, and a way to load the rows into DuckDB."""

from __future__ import annotations

import csv
import datetime as dt
import mmap
import re
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

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
    # Exactly one of the three backings is set.
    csv_path: Path | None = None
    csv_delimiter: str = ","
    rows: Sequence[Sequence[object]] | None = field(default=None, repr=False)
    body: pa.Table | None = field(default=None, repr=False)  # text columns "c0", "c1" … (workbooks)
    # Text files read as UTF-8 on the strength of their start: a UTF-8 copy (None when there is
    # nothing to convert) for when DuckDB finds a byte that is not UTF-8 further down.
    recode: Callable[[], Path | None] | None = field(default=None, repr=False)
    # Workbooks only: column index → (row, value) of the first number too long to be exact.
    lossy_number: Callable[[int], tuple[int, str] | None] | None = field(default=None, repr=False)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    def load(self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[int]) -> None:
        """Create temp table ``table`` with VARCHAR ``c<i>`` for the given column indexes.

        Rows keep the file's order: the row with ``rowid`` *k* is row ``first_row + k``.
        """
        if self.csv_path is not None:
            self._load_csv(con, table, columns)
            return
        if self.body is not None:
            body = self.body
            arrays = [
                body.column(f"c{i}") if f"c{i}" in body.column_names else pa.nulls(body.num_rows, pa.string())
                for i in columns
            ]
        else:
            assert self.rows is not None
            arrays = [
                pa.array([cell_text(row[i]) if i < len(row) else None for row in self.rows], pa.string())
                for i in columns
            ]
        con.register(
            "_so_frame", pa.table(arrays or [pa.nulls(self._height(), pa.string())], names=_names(columns))
        )
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _so_frame")
        finally:
            con.unregister("_so_frame")

    def _height(self) -> int:
        return self.body.num_rows if self.body is not None else len(self.rows or ())

    def _load_csv(self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[int]) -> None:
        assert self.csv_path is not None
        source = self.csv_path
        try:
            # Lines are counted while DuckDB reads: DuckDB works outside the GIL, so the count overlaps it.
            with ThreadPoolExecutor(max_workers=1) as pool:
                lines = pool.submit(_line_count, source)
                records = self._read_csv(con, table, source, columns)
            if lines.result() != self.header_row + records and _has_blank_line(source):
                # DuckDB skips blank lines, which would shift the number of every row below
                # one; a copy with each blank line written as an empty record keeps them.
                with tempfile.TemporaryDirectory(prefix="shopops-") as folder:
                    copy = _blank_lines_as_records(source, Path(folder) / "rows.csv", self.csv_delimiter)
                    self._read_csv(con, table, copy, columns)
        except duckdb.Error as error:
            if self.recode is not None and "unicode" in str(error).lower():
                recode, self.recode = self.recode, None
                utf8 = recode()  # raises the clear error when the file is neither UTF-8 nor GBK
                if utf8 is not None:
                    self.csv_path = utf8
                    self._load_csv(con, table, columns)
                    return
            raise UnreadableFileError(
                self.path,
                f"is a text table that cannot be read as CSV ({str(error).splitlines()[0][:120]})",
                hint="open it in Excel and save it as .xlsx, then import that file",
            ).relabel(self.display_name) from error

    def _read_csv(
        self, con: duckdb.DuckDBPyConnection, table: str, source: Path, columns: Sequence[int]
    ) -> int:
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.header)))
        picked = ", ".join(f"c{i}" for i in columns) or "NULL AS _none"
        # auto_detect off: the sniffer guesses wrong on files with title lines, and every column
        # must stay text until our own parsers have looked at it. The strict parallel scanner is
        # the fast one; rows with stray quotes or extra cells need the lenient single-threaded one.
        for options in ("parallel=true", "strict_mode=false, parallel=false"):
            try:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {picked} FROM read_csv(?, "
                    f"auto_detect=false, header=false, skip={self.header_row}, columns={{{spec}}}, "
                    "delim=?, quote='\"', escape='\"', null_padding=true, "
                    f"max_line_size=10000000, {options})",
                    [str(source), self.csv_delimiter],
                )
                break
            except duckdb.Error:
                if options.endswith("false"):
                    raise
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0


def _names(columns: Sequence[int]) -> list[str]:
    return [f"c{i}" for i in columns] or ["_none"]


def _line_count(path: Path) -> int:
    """Lines in a text file, counting a last line without a line break."""
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _has_blank_line(path: Path) -> bool:
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return re.search(rb"\n\r?\n", data) is not None


def _blank_lines_as_records(source: Path, target: Path, delimiter: str) -> Path:
    with (
        source.open("r", encoding="utf-8-sig", newline="") as reading,
        target.open("w", encoding="utf-8", newline="") as writing,
    ):
        writer = csv.writer(writing, delimiter=delimiter, lineterminator="\n")
        for record in csv.reader(reading, delimiter=delimiter):
            writer.writerow(record or [""])
    return target


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
