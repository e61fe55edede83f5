"""The reader's result: where the header is, and a way to load the rows into DuckDB."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.careful_csv import clean_copy
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits, over_limit, too_many_rows

HeaderScorer = Callable[[Sequence[str]], float]

HEADER_SEARCH_ROWS = 30

# Excel's escape for a character in a workbook's XML: "_x002B_" is "+". 聚水潭 writes its codes
# that way and some tools pass the escape through (reference/next-batch-research.md §2.1).
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def clean_header(cell: str) -> str:
    """A header cell as its name: no padding, BOM or full-width spaces, Excel's _xHHHH_ escapes decoded."""
    if "_x" in cell:
        cell = decode_excel_escapes(cell)
    return cell.strip().strip("\ufeff\u3000\u00a0").strip()


def decode_excel_escapes(text: str) -> str:
    """``颜色_x002B_尺码`` → ``颜色+尺码`` (``_x005F_`` is a literal underscore)."""
    return _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


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
    # Where loading may write temporary copies (the importer's work folder); None: the system's.
    workdir: Path | None = field(default=None, repr=False)
    # The size limits the file was read under; loading a text file checks rows and cells with them.
    limits: ReadLimits = field(default=DEFAULT_LIMITS, repr=False)

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
        """Every data line of the file becomes exactly one row, or the file is refused.

        DuckDB's strict scanner reads well-formed files. Its rows are trusted only when they
        match the file's lines one to one; otherwise (stray quotes, cells over several lines,
        blank lines, old Mac line ends) the careful reader writes a clean copy whose rows DuckDB
        must then match exactly. DuckDB's lenient mode is never used: it glues the lines after a
        stray quote into one cell without a word.
        """
        assert self.csv_path is not None
        source = self.csv_path
        limits = self.limits
        try:
            lines = _line_count(source, stop_after=self.header_row + limits.rows)
            if lines > self.header_row + limits.rows:
                raise too_many_rows(self.path, self.display_name, limits)
            try:
                records: int | None = self._read_strict(con, table, source, columns, skip=self.header_row)
            except duckdb.Error as error:
                if self.recode is not None and _is_unicode_error(error):
                    raise
                records = None
            if records != lines - self.header_row:
                with tempfile.TemporaryDirectory(prefix="shopops-", dir=self.workdir) as folder:
                    copy = clean_copy(
                        source,
                        Path(folder) / "rows.csv",
                        delimiter=self.csv_delimiter,
                        skip=self.header_row,
                        header=self.header,
                        limits=limits,
                        path=self.path,
                        label=self.display_name,
                    )
                    read = self._read_strict(
                        con, table, copy.path, columns, skip=0, parallel=not copy.multiline, clean=True
                    )
                if read != copy.records:  # the clean copy is plain RFC 4180: this is a bug
                    raise UnreadableFileError(
                        self.path,
                        f"has {copy.records:,} data rows but only {read:,} could be read",
                        hint="open it in Excel and save it as .xlsx, then import that file",
                    ).relabel(self.display_name)
            self._check_cell_sizes(con, table, columns)
        except (duckdb.Error, UnreadableFileError) as error:
            unicode = isinstance(error, duckdb.Error) and _is_unicode_error(error)
            unicode = unicode or isinstance(error.__cause__, UnicodeDecodeError)
            if self.recode is not None and unicode:
                recode, self.recode = self.recode, None
                utf8 = recode()  # raises the clear error when the file is neither UTF-8 nor GBK
                if utf8 is not None:
                    self.csv_path = utf8
                    self._load_csv(con, table, columns)
                    return
            if isinstance(error, UnreadableFileError):
                raise
            raise UnreadableFileError(
                self.path,
                f"is a text table that cannot be read as CSV ({str(error).splitlines()[0][:120]})",
                hint="open it in Excel and save it as .xlsx, then import that file",
            ).relabel(self.display_name) from error

    def _read_strict(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        source: Path,
        columns: Sequence[int],
        *,
        skip: int,
        parallel: bool = True,
        clean: bool = False,
    ) -> int:
        """Read with the parallel scanner, else the serial one: the parallel one sometimes gives up
        on a well-formed file where its chunks meet (``="…"`` IDs, duckdb/duckdb#24237)."""
        if parallel:
            try:
                return self._read_csv(con, table, source, columns, skip=skip, parallel=True, clean=clean)
            except duckdb.Error as error:
                # Cells over several lines: the serial scanner would read them, but its rows
                # would not match the lines, so the careful reader takes the file anyway.
                if _is_unicode_error(error) or (not clean and "quoted new lines" in str(error)):
                    raise
        return self._read_csv(con, table, source, columns, skip=skip, parallel=False, clean=clean)

    def _read_csv(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        source: Path,
        columns: Sequence[int],
        *,
        skip: int,
        parallel: bool = True,
        clean: bool = False,
    ) -> int:
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.header)))
        picked = ", ".join(f"c{i}" for i in columns) or "NULL AS _none"
        # auto_detect off: the sniffer guesses wrong on files with title lines, and every column
        # must stay text until our own parsers have looked at it. Strict mode always: a row it
        # cannot read is the careful reader's, never guessed at. The careful reader's clean copy
        # ends its records with \n (a cell may hold \r\n, which must not be taken for the line end).
        new_line = ", new_line='\\n'" if clean else ""
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {picked} FROM read_csv(?, "
            f"auto_detect=false, header=false, skip={skip}, columns={{{spec}}}, "
            "delim=?, quote='\"', escape='\"', null_padding=true, strict_mode=true, "
            f"max_line_size=10000000, parallel={str(parallel).lower()}{new_line})",
            [str(source), self.csv_delimiter],
        )
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def _check_cell_sizes(self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[int]) -> None:
        """A cell that is read may hold at most ``limits.cell_chars`` characters."""
        if not columns:
            return
        limit = self.limits.cell_chars
        longest = ", ".join(f"max(length(c{i}))" for i in columns)
        found = con.execute(f"SELECT {longest} FROM {table}").fetchone()
        if found is None or all(n is None or n <= limit for n in found):
            return
        over = " OR ".join(f"length(c{i}) > {limit}" for i in columns)
        at = con.execute(
            f"SELECT rowid - (SELECT min(rowid) FROM {table}), {', '.join(f'length(c{i})' for i in columns)}"
            f" FROM {table} WHERE {over} ORDER BY rowid LIMIT 1"
        ).fetchone()
        assert at is not None
        index, size = next(
            (i, n) for i, n in zip(columns, at[1:], strict=True) if n is not None and n > limit
        )
        raise over_limit(
            self.path,
            self.display_name,
            f"holds {size:,} characters, more than {limit:,} in one cell",
            "cell_chars",
            self.limits,
            "check that it is the export you meant",
            row=self.first_row + int(at[0]),
            column=self.header[index] if index < len(self.header) else f"column {index + 1}",
        )


def _is_unicode_error(error: duckdb.Error) -> bool:
    """DuckDB found a byte that is not UTF-8 (its message also names the file: match the phrase)."""
    return "invalid unicode" in str(error).lower()


def _names(columns: Sequence[int]) -> list[str]:
    return [f"c{i}" for i in columns] or ["_none"]


def _line_count(path: Path, stop_after: int | None = None) -> int:
    """Lines in a text file, counting a last line without a line break.

    With ``stop_after``, counting stops once the count is past it (a file of a billion blank
    lines is refused after reading as far as the limit).
    """
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
            if stop_after is not None and count > stop_after:
                return count
    return count + (last != b"\n")


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
