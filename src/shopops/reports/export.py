"""Writing a table (Polars frame) as CSV, JSON or a formatted Excel sheet.

Ratios are fractions rounded to 6 places, money keeps 2 decimals, unknown is an empty cell
(CSV), null (JSON) or a blank cell (Excel) — never 0.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from shopops.reports.csv_cells import safe_frame

FORMATS = ("csv", "json", "xlsx")
_EXCEL_FORMATS = {"money": "#,##0.00", "count": "#,##0", "ratio": "0.00%", "score": "0.00", "change": "0.0%"}


def _rounded(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Float64).round(6))


def to_csv(frame: pl.DataFrame) -> str:
    # Text that would start a spreadsheet formula gets a leading ' (shopops.reports.csv_cells).
    return safe_frame(_rounded(frame)).write_csv(null_value="", date_format="%Y-%m-%d")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def to_json(frame: pl.DataFrame) -> str:
    records = [{k: _json_value(v) for k, v in row.items()} for row in _rounded(frame).to_dicts()]
    return json.dumps(records, ensure_ascii=False, indent=1)


def write_xlsx(
    frame: pl.DataFrame,
    target: Path | io.BytesIO,
    *,
    sheet: str = "总表",
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> None:
    """One sheet, header row of labels (with the definition as a cell comment), typed cells."""
    labels = labels or {}
    units = units or {}
    workbook = xlsxwriter.Workbook(target, {"in_memory": isinstance(target, io.BytesIO)})
    worksheet = workbook.add_worksheet(sheet)
    header = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "align": "center",
        }
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    formats = {unit: workbook.add_format({"num_format": code}) for unit, code in _EXCEL_FORMATS.items()}
    for column_index, name in enumerate(frame.columns):
        worksheet.write_string(0, column_index, labels.get(name, name), header)
        if notes and name in notes:
            worksheet.write_comment(0, column_index, f"{name}: {notes[name]}", {"x_scale": 2, "y_scale": 2})
        width = max(10, min(24, len(labels.get(name, name)) * 2 + 2))
        worksheet.set_column(column_index, column_index, width)
    writers: list[Callable[[int, int, Any], None]] = []
    for name in frame.columns:
        writers.append(_cell_writer(worksheet, formats.get(units.get(name, "")), date_format))
    for row_index, row in enumerate(frame.iter_rows(), start=1):
        for column_index, value in enumerate(row):
            writers[column_index](row_index, column_index, value)
    worksheet.freeze_panes(1, min(3, len(frame.columns)))
    worksheet.autofilter(0, 0, max(frame.height, 1), len(frame.columns) - 1)
    worksheet.set_row(0, 36)
    workbook.close()


def _cell_writer(worksheet: Any, number_format: Any, date_format: Any) -> Callable[[int, int, Any], None]:
    def write(row: int, column: int, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            # Always as text: a cell starting with = + - @ must never become a formula.
            worksheet.write_string(row, column, value)
        elif isinstance(value, (dt.date, dt.datetime)):
            worksheet.write_datetime(
                row,
                column,
                dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value,
                date_format,
            )
        elif isinstance(value, bool):
            worksheet.write_boolean(row, column, value)
        else:
            worksheet.write_number(row, column, float(value), number_format)

    return write


def write_table(
    frame: pl.DataFrame,
    output_format: str,
    target: Path | None,
    *,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    sheet: str = "总表",
) -> str | None:
    """Write to ``target``; with no target, return CSV/JSON text for standard output."""
    if output_format == "xlsx":
        if target is None:
            raise ValueError("xlsx needs a target file")
        write_xlsx(frame, target, sheet=sheet, labels=labels, units=units, notes=notes)
        return None
    if output_format == "csv" and labels:
        frame = frame.rename({k: v for k, v in labels.items() if k in frame.columns})
    text = to_csv(frame) if output_format == "csv" else to_json(frame)
    if target is None:
        return text
    target.write_text(text, encoding="utf-8-sig" if output_format == "csv" and labels else "utf-8")
    return None
