"""The ``limits:`` section of shopops.yaml (parsed, checked, documented, used by imports) and the
readers under lowered limits (the hostile files themselves are in tests/gallery/test_limits.py)."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from shopops.errors import UnreadableFileError, WorkspaceError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers.limits import DEFAULT_LIMITS, LIMIT_KEYS, ReadLimits
from shopops.ingest.sources import SourceRegistry, load_builtin_specs
from shopops.settings import DEFAULT_CONFIG, READ_LIMIT_DEFAULTS, load_settings
from shopops.workspace import Workspace


def write(folder: Path, text: str) -> Path:
    path = folder / "shopops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_one_set(tmp_path: Path) -> None:
    assert dataclasses.asdict(DEFAULT_LIMITS) == READ_LIMIT_DEFAULTS
    assert tuple(READ_LIMIT_DEFAULTS) == LIMIT_KEYS
    assert load_settings(write(tmp_path, DEFAULT_CONFIG)).limits == READ_LIMIT_DEFAULTS


def test_template_documents_every_limit_with_its_default(tmp_path: Path) -> None:
    start = DEFAULT_CONFIG.index("#   limits:")
    end = DEFAULT_CONFIG.index("\n\n", start)
    example = "\n".join(line.removeprefix("#   ") for line in DEFAULT_CONFIG[start:end].splitlines())
    settings = load_settings(write(tmp_path, DEFAULT_CONFIG + "\n" + example + "\n"))
    assert settings.raw["limits"] == READ_LIMIT_DEFAULTS
    assert settings.limits == READ_LIMIT_DEFAULTS


def test_limits_are_read(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, "limits:\n  unpacked_mb: 2048\n  rows: 10_000_000\n  ratio: 200.0\n")
    )
    assert ReadLimits(**settings.limits) == dataclasses.replace(
        DEFAULT_LIMITS, unpacked_mb=2048, rows=10_000_000, ratio=200
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "limits:\n  max_rows: 10\n",
            "shopops.yaml: limits.max_rows is not a setting"
            " (use unpacked_mb, ratio, rows, columns, cells, cell_chars, span)",
        ),
        ("limits:\n  rows: 0\n", "shopops.yaml: limits.rows is 0; write a whole number of 1 or more"),
        ("limits:\n  rows: 1.5\n", "shopops.yaml: limits.rows is 1.5; write a whole number of 1 or more"),
        ("limits:\n  rows: lots\n", "shopops.yaml: limits.rows is 'lots'; write a whole number of 1 or more"),
        ("limits:\n  rows: true\n", "shopops.yaml: limits.rows is True; write a whole number of 1 or more"),
        (
            "limits: [1, 2]\n",
            "shopops.yaml: limits must be a mapping such as {rows: 5000000, unpacked_mb: 2048}",
        ),
    ],
)
def test_bad_limits_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(WorkspaceError) as caught:
        load_settings(write(tmp_path, text))
    assert str(caught.value) == message


def test_the_workspace_imports_under_its_limits(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as workspace:
        assert workspace.importer.limits == DEFAULT_LIMITS
    config = tmp_path / "ws" / "shopops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nlimits:\n  cell_chars: 100\n", encoding="utf-8")
    with Workspace(tmp_path / "ws") as workspace:
        assert workspace.importer.limits.cell_chars == 100


# -- the readers under lowered limits ----------------------------------------------------------


def read(path: Path, limits: ReadLimits) -> RawExport:
    registry = SourceRegistry(load_builtin_specs())
    return read_export(path, registry.header_score, path.parent, limits=limits)


def refusal(path: Path, limits: ReadLimits) -> str:
    with pytest.raises(UnreadableFileError) as caught:
        read(path, limits)
    return str(caught.value)


HTML_HEAD = "<html><body><table><tr><td>统计日期</td><td>访客数</td><td>支付金额</td></tr>"


def test_html_rowspan_and_row_width(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    path.write_text(HTML_HEAD + '<tr><td rowspan="5000">2024-11-01</td></tr></table>', encoding="utf-8")
    assert refusal(path, DEFAULT_LIMITS) == (
        'report.xls, row 2: has a cell with rowspan="5000", more than 1,000 (limit limits.span = 1000 in'
        " shopops.yaml) — download the report again as Excel or CSV, or raise the limit"
    )
    path.write_text(HTML_HEAD + '<tr><td colspan="9">2024-11-01</td></tr></table>', encoding="utf-8")
    assert refusal(path, dataclasses.replace(DEFAULT_LIMITS, columns=5)).startswith(
        "report.xls, row 2: has more than 5 cells in a row (limit limits.columns = 5 in shopops.yaml)"
    )


def test_html_rows_and_cells(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    body = "".join(f"<tr><td>2024-11-{day:02d}</td><td>1</td><td>2</td></tr>" for day in range(1, 21))
    path.write_text(HTML_HEAD + body + "</table>", encoding="utf-8")
    assert read(path, DEFAULT_LIMITS).rows is not None
    assert refusal(path, dataclasses.replace(DEFAULT_LIMITS, rows=10)).startswith(
        "report.xls: has more than 10 rows (limit limits.rows = 10 in shopops.yaml)"
    )
    assert refusal(path, dataclasses.replace(DEFAULT_LIMITS, cell_chars=5)).startswith(
        'report.xls, row 2, column "column 1": holds 10 characters, more than 5 in one cell'
    )


def test_a_big_html_table_is_read_row_by_row(tmp_path: Path) -> None:
    """50,000 rows: the page is never held as one tree (memory follows the rows kept)."""
    path = tmp_path / "report.xls"
    with path.open("w", encoding="utf-8") as out:
        out.write(HTML_HEAD)
        for index in range(50_000):
            out.write(f"<tr><td>2024-11-01</td><td>{index}</td><td>1.5</td></tr>")
        out.write("</table></body></html>")
    raw = read(path, DEFAULT_LIMITS)
    assert raw.rows is not None
    assert (len(raw.rows), raw.rows[-1]) == (50_000, ["2024-11-01", "49999", "1.5"])


def workbook_with(path: Path, cells: list[tuple[int, int, str]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["统计日期", "访客数", "支付金额"])
    for row, column, value in cells:
        sheet.write(row, column, value)
    workbook.close()
    return path


def test_workbook_columns_cells_and_cell_size(tmp_path: Path) -> None:
    wide = workbook_with(tmp_path / "wide.xlsx", [(1, 1200, "x")])
    assert refusal(wide, DEFAULT_LIMITS) == (
        'wide.xlsx: has 1,201 columns in sheet "数据", more than 1,000 (limit limits.columns = 1000 in'
        " shopops.yaml) — check that it is the export you meant, or raise the limit"
    )
    tall = workbook_with(tmp_path / "tall.xlsx", [(99_999, 2, "x")])
    assert refusal(tall, dataclasses.replace(DEFAULT_LIMITS, cells=200_000)).startswith(
        'tall.xlsx: has sheet "数据" spanning 100,000 rows × 3 columns, more than 200,000 cells'
    )
    assert read(tall, DEFAULT_LIMITS).header == ["统计日期", "访客数", "支付金额"]
    long = workbook_with(tmp_path / "long.xlsx", [(1, 0, "2024-11-01"), (2, 2, "9" * 50)])
    assert refusal(long, dataclasses.replace(DEFAULT_LIMITS, cell_chars=40)) == (
        'long.xlsx, row 3, column "支付金额": holds 50 characters, more than 40 in one cell'
        " (limit limits.cell_chars = 40 in shopops.yaml) — check that it is the export you meant,"
        " or raise the limit"
    )


def test_workbook_cells_without_positions_are_counted(tmp_path: Path) -> None:
    """Cells written without r="…" (allowed): calamine places them one after another."""
    plain = workbook_with(tmp_path / "plain.xlsx", [(1, 0, "2024-11-01")])
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(30))
    rows = f"<row>{cells}</row>" * 40
    path = tmp_path / "unnumbered.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>".encode(), data)
            target.writestr(item, data)
    assert refusal(path, dataclasses.replace(DEFAULT_LIMITS, cells=1000)).startswith(
        'unnumbered.xlsx: has sheet "数据" spanning 40 rows × 30 columns, more than 1,000 cells'
    )
    assert refusal(path, dataclasses.replace(DEFAULT_LIMITS, columns=20)).startswith(
        'unnumbered.xlsx: has 30 columns in sheet "数据", more than 20'
    )


def test_only_the_sheet_asked_for_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("日报").write_row(0, 0, ["统计日期", "访客数", "支付金额"])
    workbook.add_worksheet("明细").write(0, 1500, "x")
    workbook.close()
    assert "明细" in refusal(path, DEFAULT_LIMITS)
    registry = SourceRegistry(load_builtin_specs())
    raw = read_export(path, registry.header_score, tmp_path, sheet="日报")
    assert raw.header == ["统计日期", "访客数", "支付金额"]
