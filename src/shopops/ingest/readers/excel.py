"""Real workbooks (.xlsx, .xlsm, .xlsb, binary .xls, .ods).

fastexcel (calamine underneath) turns a sheet straight into Arrow text columns, with no Python
object per cell: a 200,000-row sheet loads in about a second. python-calamine is used only to
look at cell types when an ID column may hold numbers whose last digits Excel has dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits, over_limit, too_many_rows
from shopops.ingest.readers.table import HeaderScorer, RawExport, clean_header, locate_header
from shopops.ingest.readers.workbook_guard import check_workbook

# Doubles above 2**53 are no longer whole-number exact: an ID stored that way has lost digits.
_EXACT_LIMIT = 2.0**53
_DATE_SAMPLE = 64  # rows looked at to decide whether a column holds dates


def read_workbook(
    path: Path,
    display_name: str,
    scorer: HeaderScorer,
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> RawExport:
    """The sheet whose header looks most like a known export (the first sheet on a tie), or ``sheet``.

    What the sheets would cost in memory is checked before calamine opens them (``limits``).
    """
    check_workbook(path, display_name, limits, sheet)
    try:
        reader = fastexcel.read_excel(str(path))
        names = [name for name in reader.sheet_names if sheet is None or name == sheet]
        sheets = [(name, _sheet_text(reader, name)) for name in names]
        several = len(reader.sheet_names) > 1
    except Exception as error:  # calamine raises several unrelated types for damaged files
        raise UnreadableFileError(
            path,
            f"is a damaged or incomplete workbook ({type(error).__name__}: {str(error)[:80]})",
            hint="download the export again; if it was saved from another program, save it as .xlsx",
        ) from error
    best: RawExport | None = None
    best_score = -1.0
    tables = dict(sheets)
    for name, table in sheets:
        if table.num_rows == 0:
            continue
        _check_sheet(path, f"{display_name} [{name}]" if several else display_name, table, limits)
        top: list[list[object]] = [list(row.values()) for row in table.slice(0, 30).to_pylist()]
        header_index, titles = locate_header(top, scorer)
        header = [clean_header(str(cell or "")) for cell in top[header_index]]
        while header and not header[-1]:
            header.pop()
        score = scorer(header)
        if not any(header) or score <= best_score:
            continue
        best_score = score
        best = RawExport(
            path=path,
            display_name=f"{display_name} [{name}]" if several else display_name,
            header=header,
            header_row=header_index + 1,
            title_lines=titles,
            sheet=name,
            body=table.slice(header_index + 1),
            lossy_number=partial(_first_lossy_number, path, name, header_index + 1),
            limits=limits,
        )
    if best is None:
        raise UnreadableFileError(
            path, "is an empty workbook", hint="export the report again; it holds no rows"
        )
    _check_cell_sizes(best, tables[best.sheet or ""], limits)
    return best


def _check_sheet(path: Path, label: str, table: pa.Table, limits: ReadLimits) -> None:
    """Limits a loaded sheet must keep too (.xls and .ods are not checked before loading)."""
    hint = "check that it is the export you meant"
    if table.num_rows > limits.rows:
        raise too_many_rows(path, label, limits)
    if table.num_columns > limits.columns:
        raise over_limit(
            path,
            label,
            f"has {table.num_columns:,} columns, more than {limits.columns:,}",
            "columns",
            limits,
            hint,
        )
    if table.num_rows * table.num_columns > limits.cells:
        raise over_limit(
            path,
            label,
            f"spans {table.num_rows:,} rows × {table.num_columns:,} columns, more than {limits.cells:,} cells",
            "cells",
            limits,
            "save it as CSV and import that",
        )


def _check_cell_sizes(raw: RawExport, table: pa.Table, limits: ReadLimits) -> None:
    """No cell of the chosen sheet holds more than ``limits.cell_chars`` characters."""
    for index, column in enumerate(table.columns):
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.cell_chars:
            over = pc.greater(pc.fill_null(lengths, pa.scalar(0, lengths.type)), pa.scalar(limits.cell_chars))
            first = pc.index(over, True).as_py()
            raise over_limit(
                raw.path,
                raw.display_name,
                f"holds {longest:,} characters, more than {limits.cell_chars:,} in one cell",
                "cell_chars",
                limits,
                "check that it is the export you meant",
                row=first + 1,
                column=raw.header[index]
                if index < len(raw.header) and raw.header[index]
                else f"column {index + 1}",
            )


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook, in order (empty when the file cannot be opened as one)."""
    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception:  # not a workbook: the caller reads it as a single table
        return []


def _sheet_text(reader: fastexcel.ExcelReader, name: str) -> pa.Table:
    """Every cell as text, from row 1 (skip_rows=0 keeps empty rows above the data, so row numbers stay Excel's)."""
    sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    table = pa.table(sheet.to_arrow())
    columns = [_date_cells_as_dates(column) for column in table.columns]
    return pa.table(columns, names=[f"c{i}" for i in range(table.num_columns)])


def _date_cells_as_dates(column: pa.ChunkedArray[Any]) -> pa.ChunkedArray[Any]:
    """fastexcel writes a date cell as "2024-11-01 00:00:00"; the user sees (and meant) 2024-11-01.

    Only columns whose first cells look like that are rewritten (a column of dates is dates
    throughout); a stray midnight time elsewhere still reads as the same instant.
    """
    midnight = " 00:00:00"
    sample = column.slice(0, _DATE_SAMPLE).drop_null()
    if not pc.any(pc.ends_with(sample, midnight)).as_py():
        return column
    is_date = pc.fill_null(pc.ends_with(column, midnight), pa.scalar(False))
    dated: pa.ChunkedArray[Any] = pc.if_else(is_date, pc.utf8_slice_codeunits(column, 0, 10), column)
    return dated


def _first_lossy_number(path: Path, sheet: str, first_data: int, column: int) -> tuple[int, str] | None:
    """(row, value) of the first cell below the header in ``column`` holding a number too long to be exact.

    ``first_data`` is the 0-based sheet row of the first data row. fastexcel and calamine both
    start columns at the first used one; calamine also starts rows there (``start``).
    """
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    top = grid.start[0] if grid.start else 0
    rows: Sequence[Sequence[object]] = grid.to_python()
    for index in range(max(first_data - top, 0), len(rows)):
        row = rows[index]
        cell = row[column] if column < len(row) else None
        if isinstance(cell, float) and abs(cell) >= _EXACT_LIMIT:
            return top + index + 1, repr(cell)
    return None
