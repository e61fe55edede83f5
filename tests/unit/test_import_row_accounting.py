"""Every data line is accounted for: rows loaded + rows reported skipped == data lines, always.

Generated 生意参谋 店铺整体 exports (CSV and .xlsx) with what real files hold: title lines above
the header, random quoting (fields quoted or not, the delimiter and doubled quotes inside quoted
fields, line breaks inside quoted cells, a quote inside an unquoted field), blank lines, one-cell
note lines and a 合计 row at the end, in UTF-8, UTF-8 with BOM or GB18030, with \\n or \\r\\n.
Each is imported through the real importer into a real DuckDB warehouse. Dates are unique, so
no row is a duplicate: every data row must be loaded and every other line reported skipped.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopops.workspace import Workspace

SHOP = "某某旗舰店"
FIRST_DAY = dt.date(2024, 1, 1)
TITLES = ["生意参谋 店铺整体", "统计时间：2024-01-01 ~ 2024-03-31", "某某旗舰店"]
NOTES = ["注：数据仅供参考", "数据来源：生意参谋", "以下为明细"]
# Text for the unmapped last column 备注: the characters that make quoting matter. At most two
# commas: a cell over several lines whose next line is a complete row of the file's width on its
# own (here: 3 commas and 2 filled cells) reads as a stray quote, not as one cell (see
# careful_csv.py: that is the reading that keeps rows when two titles hold stray quotes).
REMARK = st.text(alphabet=st.sampled_from(list('ab 好物,"\n')), max_size=12).filter(
    lambda text: text.count(",") <= 2
)
COUNTER = itertools.count()


@dataclass(frozen=True)
class Line:
    kind: str  # data | blank | note | total
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Export:
    titles: tuple[str, ...]
    header: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def data_lines(self) -> int:
        return len(self.lines)

    @property
    def data_rows(self) -> int:
        return sum(1 for line in self.lines if line.kind == "data")


@st.composite
def exports(draw: st.DrawFn) -> Export:
    count = draw(st.integers(1, 20))
    rows = []
    for index in range(count):
        day = FIRST_DAY + dt.timedelta(days=index)
        date = draw(st.sampled_from([day.isoformat(), f"{day.year}/{day.month}/{day.day}"]))
        visitors = draw(st.integers(0, 99_999))
        gmv = draw(st.integers(0, 9_999_999))
        rows.append(
            Line(
                "data",
                (
                    date,
                    draw(st.sampled_from([str(visitors), f"{visitors:,}"])),
                    draw(st.sampled_from([f"{gmv / 100:.2f}", f"{gmv / 100:,.2f}", f"￥{gmv / 100:.2f}"])),
                    draw(REMARK),
                ),
            )
        )
    extras = draw(st.lists(st.sampled_from(["blank", "note"]), max_size=6))
    for kind in extras:
        at = draw(st.integers(0, len(rows)))
        rows.insert(at, Line("blank") if kind == "blank" else Line("note", (draw(st.sampled_from(NOTES)),)))
    if draw(st.booleans()):
        rows.append(Line("total", ("合计", "1,000", "2,000.00", "")))
    titles = tuple(draw(st.lists(st.sampled_from(TITLES), max_size=2)))
    # A header name nobody maps, numbered so that no two files are the same (no "already imported").
    header = ("统计日期", "访客数", "支付金额", f"备注{next(COUNTER)}")
    return Export(titles, header, tuple(rows))


def csv_field(draw: st.DrawFn, text: str) -> str:
    """The field as a CSV writer might write it: quoted when it must be, or at random."""
    needs = any(char in text for char in ",\n\r") or text.startswith('"')
    if needs or draw(st.booleans()):
        return '"' + text.replace('"', '""') + '"'
    return text  # a quote inside an unquoted field is data


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[Export, bytes]:
    export = draw(exports())
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [*export.titles, ",".join(csv_field(draw, cell) for cell in export.header)]
    for line in export.lines:
        lines.append(",".join(csv_field(draw, cell) for cell in line.cells))
    final_end = draw(st.booleans()) or export.lines[-1].kind == "blank"
    text = end.join(line.replace("\n", end) for line in lines) + (end if final_end else "")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return export, text.encode(encoding)


def write_workbook(path: Path, export: Export, numbers: list[bool]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("数据")
    row = 0
    for title in export.titles:
        sheet.write(row, 0, title)
        row += 1
    sheet.write_row(row, 0, export.header)
    for line, as_number in zip(export.lines, numbers, strict=True):
        row += 1
        if line.kind == "data" and as_number:
            date, visitors, gmv, remark = line.cells
            sheet.write_row(row, 0, [date, int(visitors.replace(",", ""))])
            sheet.write_number(row, 2, float(gmv.lstrip("￥").replace(",", "")))
            sheet.write_string(row, 3, remark)
        elif line.cells:
            for column, cell in enumerate(line.cells):
                sheet.write_string(row, column, cell)
    workbook.close()
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with Workspace.init(tmp_path_factory.mktemp("accounting") / "ws") as ws:
        ws.add_shop(SHOP, "tmall")
        yield ws


def check(workspace: Workspace, path: Path, export: Export, data_lines: int) -> None:
    result = workspace.import_file(path)
    assert not result.already_imported
    assert result.rows + result.skipped_rows + result.duplicate_rows == data_lines
    assert (result.rows, result.duplicate_rows) == (export.data_rows, 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=csv_files())
def test_csv_rows_are_accounted_for(workspace: Workspace, generated: tuple[Export, bytes]) -> None:
    export, content = generated
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{SHOP}_店铺整体.csv"
        path.write_bytes(content)
        check(workspace, path, export, export.data_lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(export=exports(), data=st.data())
def test_xlsx_rows_are_accounted_for(workspace: Workspace, export: Export, data: st.DataObject) -> None:
    numbers = data.draw(st.lists(st.booleans(), min_size=len(export.lines), max_size=len(export.lines)))
    # A workbook stores no empty rows after its last one: those are not data lines.
    trailing = len(export.lines) - len(
        list(itertools.dropwhile(lambda line: line.kind == "blank", reversed(export.lines)))
    )
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / f"{SHOP}_店铺整体.xlsx", export, numbers)
        check(workspace, path, export, export.data_lines - trailing)
