"""Stray quotes never swallow rows: every data line of a text file is exactly one row.

A 千牛 order CSV of 1,000 orders in which 3 titles read ``"27"显示器 高清"`` used to import as
501 rows: DuckDB's lenient fallback glued the lines after each stray quote into one title. Now a
file DuckDB's strict scanner refuses (or whose rows do not match its lines) is split by the
careful reader (``readers/careful_csv.py``): a quote that does not start a field, or that is not
followed by the delimiter or the line end, is data; a quoted cell runs over several lines only
when that reading holds up (a multi-line address), never when the lines it would take in are
complete rows of their own.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from shopops.errors import UnreadableFileError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers.careful_csv import split_line
from shopops.ingest.readers.limits import ReadLimits
from shopops.ingest.sources import SourceRegistry, load_builtin_specs
from shopops.workspace import Workspace

SHOP = "某某旗舰店"
ORDER_HEADER = "订单编号,买家会员名,买家实际支付金额,订单状态,订单付款时间,宝贝标题,收货地址"
STRAY = '"27"显示器 高清"'


def order_line(index: int, title: str | None = None) -> str:
    title = title if title is not None else f"商品{index} 高清显示器"
    paid = f"2024-11-{index % 28 + 1:02d} 10:{index % 60:02d}:00"
    return f"{3900000000000000000 + index},买家{index},{index % 50}.50,交易成功,{paid},{title},浙江省 杭州市"


def write_orders(path: Path, titles: dict[int, str], count: int = 1000, end: str = "\n") -> Path:
    lines = [ORDER_HEADER] + [order_line(i, titles.get(i)) for i in range(count)]
    path.write_bytes((end.join(lines) + end).encode())
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add_shop(SHOP, "tmall")
        yield ws


@pytest.fixture(scope="module")
def scorer() -> object:
    return SourceRegistry(load_builtin_specs()).header_score


def rows_of(path: Path, scorer: object, limits: ReadLimits | None = None) -> list[tuple[object, ...]]:
    """(row number, cells …) as the pipeline loads them."""
    raw: RawExport = read_export(path, scorer, path.parent, limits=limits or ReadLimits())  # type: ignore[arg-type]
    con = duckdb.connect()
    try:
        raw.load(con, "raw", list(range(len(raw.header))))
        return con.execute(
            f"SELECT CAST(rowid + {raw.first_row} AS INTEGER), * FROM raw ORDER BY rowid"
        ).fetchall()
    finally:
        con.close()


def stored_titles(workspace: Workspace) -> list[tuple[str, str, int]]:
    return workspace.connection.execute(
        "SELECT order_id, title, source_row FROM orders WHERE title NOT LIKE '商品%' ORDER BY order_id"
    ).fetchall()


# -- the file --------------------------------------------------------------------------


def test_thousand_orders_with_three_stray_quote_titles_load_exactly_1000(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = write_orders(tmp_path / "某某旗舰店_订单报表.csv", {100: STRAY, 400: STRAY, 800: STRAY})
    result = workspace.import_file(path)
    assert (result.rows, result.skipped_rows, result.duplicate_rows) == (1000, 0, 0)
    assert workspace.connection.execute(
        "SELECT count(*), count(DISTINCT order_id) FROM orders"
    ).fetchone() == (
        1000,
        1000,
    )
    # The quote inside the title is data; each title is where the file has it (header = line 1).
    assert stored_titles(workspace) == [
        (str(3900000000000000000 + i), '27"显示器 高清', i + 2) for i in (100, 400, 800)
    ]
    # The rows after a stray quote keep their own values.
    assert workspace.connection.execute(
        "SELECT buyer, paid_amount, paid_at FROM orders WHERE order_id = '3900000000000000101'"
    ).fetchone() == ("买家101", Decimal("1.50"), dt.datetime(2024, 11, 18, 10, 41))


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ('"好物"推荐 显示器', '"好物"推荐 显示器'),  # starts with a quote that closes mid-field
        ('"27寸显示器 高清', '"27寸显示器 高清'),  # a quote that never closes
        ('显示器 27"', '显示器 27"'),  # a quote at the end of an unquoted field
        ('"显示器 ""27寸"""', '显示器 "27寸"'),  # well quoted: doubled quotes are one quote
        ('"显示器, 27寸"', "显示器, 27寸"),  # well quoted with the delimiter inside
        ('"显示器 27"" 高清" ', '显示器 27" 高清'),  # a space after the closing quote
    ],
)
def test_titles_with_quotes_keep_every_row(
    tmp_path: Path, workspace: Workspace, title: str, stored: str
) -> None:
    path = write_orders(tmp_path / "某某旗舰店_订单报表.csv", {5: title, 6: title, 700: title})
    result = workspace.import_file(path)
    assert result.rows == 1000
    assert [row[1:] for row in stored_titles(workspace)] == [(stored, 7), (stored, 8), (stored, 702)]


def test_a_stray_quote_that_a_later_title_would_close(tmp_path: Path, workspace: Workspace) -> None:
    """``"27寸`` on line 12 and ``27"`` on line 40: a reading that joins lines 12–40 into one title
    would take in complete rows (DuckDB's strict serial scanner does exactly that)."""
    path = write_orders(tmp_path / "某某旗舰店_订单报表.csv", {10: '"27寸显示器 高清', 38: '显示器 27"'})
    assert workspace.import_file(path).rows == 1000
    assert [row[1:] for row in stored_titles(workspace)] == [('"27寸显示器 高清', 12), ('显示器 27"', 40)]


def test_a_quote_open_at_the_end_of_the_file(tmp_path: Path, workspace: Workspace) -> None:
    """DuckDB's serial scanner drops everything after an unclosed quote without a word."""
    path = write_orders(tmp_path / "某某旗舰店_订单报表.csv", {997: '"27寸显示器 高清'})
    assert workspace.import_file(path).rows == 1000


# -- cells over several lines stay one row ---------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_multiline_addresses_stay_one_row(tmp_path: Path, scorer: object, end: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(
        (
            f"订单编号,收货地址,买家实际支付金额{end}"
            f'1,"浙江省 杭州市{end}西湖区 文三路1号",12.50{end}'  # in the middle
            f'2,"上海, 上海市{end}浦东新区",8.00{end}'  # with the delimiter inside
            f'3,"北京市{end}{end}朝阳区 ""望京"" 1号",9.00{end}'  # a blank line and quotes inside
            f'4,27"显示器,1.00{end}'  # a stray quote after them: read by the careful reader
        ).encode()
    )
    assert rows_of(path, scorer) == [
        (2, "1", f"浙江省 杭州市{end}西湖区 文三路1号", "12.50"),
        (3, "2", f"上海, 上海市{end}浦东新区", "8.00"),
        (4, "3", f'北京市{end}{end}朝阳区 "望京" 1号', "9.00"),
        (5, "4", '27"显示器', "1.00"),
    ]


def test_a_multiline_cell_in_the_first_and_last_column(tmp_path: Path, scorer: object) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        '收货地址,订单编号,备注\n"浙江省\n杭州市",1,"第一行\n第二行"\n上海,2,-\n', encoding="utf-8"
    )
    assert rows_of(path, scorer) == [(2, "浙江省\n杭州市", "1", "第一行\n第二行"), (3, "上海", "2", "-")]


def test_gallery_multiline_file_reads_as_before(scorer: object) -> None:
    path = Path(__file__).parents[1] / "gallery" / "files" / "某某旗舰店_订单_multiline_address.csv"
    assert [row[:2] for row in rows_of(path, scorer)] == [
        (2, "3912345678901234567"),
        (3, "3912345678901234568"),
    ]


# -- line ends and blank lines ------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_line_ends_and_blank_lines_keep_row_numbers(tmp_path: Path, scorer: object, end: str) -> None:
    path = tmp_path / "daily.csv"
    lines = ["统计日期,访客数,支付金额", "2024-11-01,100,1", "", "2024-11-02,120,2", "", ""]
    path.write_bytes(end.join(lines).encode())
    cells = rows_of(path, scorer)
    assert [(row[0], row[1]) for row in cells if row[1]] == [(2, "2024-11-01"), (4, "2024-11-02")]
    assert len(cells) == 4  # every line below the header is a row, the blank ones too


# -- how a line is split --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("a,b,c", ["a", "b", "c"]),
        ("a,,", ["a", "", ""]),
        ("", [""]),
        ('"a,b",c', ["a,b", "c"]),
        ('"a""b",c', ['a"b', "c"]),
        ('"27"显示器 高清",c', ['27"显示器 高清', "c"]),
        ('27"x,c', ['27"x', "c"]),
        ('"open,c', ['"open', "c"]),
        ('"a" ,c', ["a", "c"]),
        ('"a"b"', ['a"b']),
        ('"a"b"c', ['"a"b"c']),  # no quote closes it: the opening one is data
        ('""', [""]),
        ('x,""', ["x", ""]),
    ],
)
def test_split_line(line: str, fields: list[str]) -> None:
    assert split_line(line, ",") == fields


def test_tab_separated(tmp_path: Path, scorer: object) -> None:
    path = tmp_path / "ExportOrderList.xls"
    path.write_text(
        '订单编号\t宝贝标题\t买家实际支付金额\n="39001"\t"27"显示器\t1.00\n="39002"\t"a\tb"\t2.00\n',
        encoding="utf-8",
    )
    assert rows_of(path, scorer) == [(2, '="39001"', '"27"显示器', "1.00"), (3, '="39002"', "a\tb", "2.00")]


# -- limits on the careful path ------------------------------------------------------------------


def test_a_long_cell_is_refused_on_the_careful_path(tmp_path: Path, scorer: object) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(f'订单编号,宝贝标题,买家实际支付金额\n1,"27"显示器,1\n2,{"x" * 50},2\n', encoding="utf-8")
    with pytest.raises(UnreadableFileError) as caught:
        rows_of(path, scorer, ReadLimits(cell_chars=40))
    assert str(caught.value) == (
        'orders.csv, row 3, column "宝贝标题": holds 50 characters, more than 40 in one cell'
        " (limit limits.cell_chars = 40 in shopops.yaml) — check that it is the export you meant,"
        " or raise the limit"
    )


def test_a_row_with_too_many_cells_is_refused(tmp_path: Path, scorer: object) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("订单编号,宝贝标题,买家实际支付金额\n1,a,1\n2,b,2" + ",x" * 10 + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as caught:
        rows_of(path, scorer, ReadLimits(columns=8))
    assert str(caught.value).startswith(
        "orders.csv, row 3: has 13 cells in a row, more than 8 (limit limits.columns"
    )


def test_cells_beyond_the_header_are_not_read(tmp_path: Path, scorer: object) -> None:
    """As before: a row longer than the header is cut to it (trailing delimiters are common)."""
    path = tmp_path / "orders.csv"
    path.write_text("订单编号,宝贝标题,买家实际支付金额\n1,a,1,,\n2,b,2\n", encoding="utf-8")
    assert rows_of(path, scorer) == [(2, "1", "a", "1"), (3, "2", "b", "2")]


def test_other_unicode_line_breaks_are_data(tmp_path: Path, scorer: object) -> None:
    """str.splitlines breaks at \\x0c, \\x1e, \\u2028 …; a CSV file does not."""
    path = tmp_path / "orders.csv"
    path.write_text(
        '订单编号,宝贝标题,买家实际支付金额\n1,"27"显示器,1\n2,a\x0cb\u2028c\x1ed,2\n', encoding="utf-8"
    )
    assert rows_of(path, scorer) == [(2, "1", '"27"显示器', "1"), (3, "2", "a\x0cb\u2028c\x1ed", "2")]


def test_a_file_of_stray_quotes_is_read_in_reasonable_time(tmp_path: Path, workspace: Workspace) -> None:
    """Every line needs the careful splitter: no line is offered to the C reader twice over."""
    path = write_orders(
        tmp_path / "某某旗舰店_订单报表.csv", dict.fromkeys(range(20_000), STRAY), count=20_000
    )
    started = time.perf_counter()
    assert workspace.import_file(path).rows == 20_000
    assert time.perf_counter() - started < 20


def test_a_quote_after_a_space_is_read_the_same_on_both_paths(tmp_path: Path, scorer: object) -> None:
    """DuckDB reads ' "a, b"' as one quoted cell and lets ' "' run to the end of the file; the
    careful reader (like Excel) reads a quote after a space as data. Its clean copy quotes such a
    cell, so DuckDB reads it as the careful reader did (found by the row-accounting property)."""
    path = tmp_path / "daily.csv"
    path.write_text('统计日期,访客数,支付金额,备注\n2024-01-01,0,0.00, "\n2024-01-02,"1,000",0.00,","\n')
    assert rows_of(path, scorer) == [
        (2, "2024-01-01", "0", "0.00", ' "'),
        (3, "2024-01-02", "1,000", "0.00", ","),
    ]
