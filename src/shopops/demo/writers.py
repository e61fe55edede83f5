"""Writing rows in the shapes platforms really export: GBK CSV with title lines, HTML ".xls",
tab-separated text ".xls", .xlsx with title rows, a ZIP around one CSV."""

from __future__ import annotations

import csv
import html
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

Row = Sequence[object]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Row],
    *,
    encoding: str = "utf-8",
    titles: Sequence[str] = (),
    footer: Sequence[Row] = (),
    delimiter: str = ",",
) -> Path:
    path.write_bytes(
        csv_bytes(header, rows, encoding=encoding, titles=titles, footer=footer, delimiter=delimiter)
    )
    return path


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Row],
    *,
    encoding: str = "utf-8",
    titles: Sequence[str] = (),
    footer: Sequence[Row] = (),
    delimiter: str = ",",
) -> bytes:
    buffer = io.StringIO()
    for title in titles:
        buffer.write(title + "\n")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_text(v) for v in row] for row in rows])
    writer.writerows([[_text(v) for v in row] for row in footer])
    return buffer.getvalue().encode(encoding)


def write_html_xls(
    path: Path, header: Sequence[str], rows: Sequence[Row], *, titles: Sequence[str] = ()
) -> Path:
    """What 生意参谋 calls .xls: an HTML page holding a table."""
    parts = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>']
    parts.append("<table border=1>")
    for title in titles:
        parts.append(f'<tr><td colspan="{len(header)}">{html.escape(title)}</td></tr>')
    parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{html.escape(_text(v))}</td>" for v in row) + "</tr>")
    parts.append("</table></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Row],
    *,
    titles: Sequence[str] = (),
    sheet: str = "Sheet1",
) -> Path:
    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    worksheet = workbook.add_worksheet(sheet)
    bold = workbook.add_format({"bold": True})
    row_index = 0
    for title in titles:
        worksheet.write_string(row_index, 0, title)
        row_index += 1
    worksheet.write_row(row_index, 0, list(header), bold)
    for row in rows:
        row_index += 1
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                worksheet.write_string(row_index, column, value)
            else:
                worksheet.write_number(row_index, column, float(value))  # type: ignore[arg-type]
    workbook.close()
    return path


def write_zip(path: Path, inner_name: str, payload: bytes) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(inner_name, payload)
    return path
