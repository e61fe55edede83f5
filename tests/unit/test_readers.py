"""Readers on real files: encodings, title lines, footers, HTML/TSV saved as .xls, workbooks, ZIPs.

Each format is checked twice: ``read_export`` directly (header, header row, title lines, the raw
cells with their row numbers), and an import through ``Workspace`` that checks the exact rows
that land in the warehouse.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from shopops.errors import BadValueError, UnreadableFileError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.sources import SourceRegistry, load_builtin_specs
from shopops.workspace import Workspace

SHOP = "某某旗舰店"
OTHER_SHOP = "另一家店"
SHOP_HEADER = ["统计日期", "访客数", "支付金额", "支付买家数", "支付转化率"]
D1 = dt.date(2024, 11, 1)
D2 = dt.date(2024, 11, 2)

# 生意参谋 店铺整体 as downloaded: two title lines, the header, two days and a 合计 footer.
SHOP_DAILY_CSV = (
    "生意参谋 店铺整体 某某旗舰店\n"
    "统计时间：2024-11-01 ~ 2024-11-02\n"
    "统计日期,访客数,支付金额,支付买家数,支付转化率\n"
    '2024-11-01,"1,200","12,345.60",30,2.50%\n'
    "2024-11-02,1100,￥9800,25,2.27%\n"
    '合计,2300,"22,145.60",55,-\n'
)
SHOP_DAILY_TITLES = ["生意参谋 店铺整体 某某旗舰店", "统计时间：2024-11-01 ~ 2024-11-02"]
SHOP_DAILY_CELLS = [
    ("2024-11-01", "1,200", "12,345.60", "30", "2.50%"),
    ("2024-11-02", "1100", "￥9800", "25", "2.27%"),
    ("合计", "2300", "22,145.60", "55", "-"),
]
# What sycm_shop_day holds after importing SHOP_DAILY_CSV (lines 4 and 5 of the file).
SHOP_DAILY_ROWS = [
    (SHOP, D1, 1200, Decimal("12345.60"), 30, 0.025, 4),
    (SHOP, D2, 1100, Decimal("9800.00"), 25, 0.0227, 5),
]
SHOP_DAY_QUERY = (
    "SELECT shop, date, visitors, gmv, buyers, round(conversion_rate, 6), source_row FROM sycm_shop_day"
    " ORDER BY date"
)

# 千牛 已卖出的宝贝 order report as tab-separated text, which 千牛 saves as ".xls".
ORDERS_TSV = (
    "订单编号\t买家会员名\t买家实际支付金额\t订单状态\t订单付款时间\t收货地址\t宝贝总数量\n"
    '="3912345678901234567"\t小明\t12.50\t交易成功\t2024-11-01 10:00:00\t浙江省 杭州市 西湖区 文三路1号\t1\n'
    '="3912345678901234568"\t小红\t"1,008.00"\t买家已付款\t2024/11/2 9:05\t上海 上海市 浦东新区\t2\n'
)
ORDERS_ROWS = [
    (
        SHOP,
        "3912345678901234567",
        "小明",
        Decimal("12.50"),
        "交易成功",
        dt.datetime(2024, 11, 1, 10),
        "浙江",
        1,
        2,
    ),
    (
        SHOP,
        "3912345678901234568",
        "小红",
        Decimal("1008.00"),
        "买家已付款",
        dt.datetime(2024, 11, 2, 9, 5),
        "上海",
        2,
        3,
    ),
]
ORDERS_QUERY = (
    "SELECT shop, order_id, buyer, paid_amount, status, paid_at, province, quantity, source_row FROM orders"
    " ORDER BY order_id"
)


@pytest.fixture(scope="module")
def scorer() -> object:
    return SourceRegistry(load_builtin_specs()).header_score


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add_shop(SHOP, "tmall")
        ws.add_shop(OTHER_SHOP, "taobao")
        yield ws


def read(path: Path, scorer: object, workdir: Path) -> RawExport:
    return read_export(path, scorer, workdir)  # type: ignore[arg-type]


def cells(raw: RawExport) -> list[tuple[object, ...]]:
    """Every data row as (row number, cell texts …), loaded the way the pipeline loads it."""
    con = duckdb.connect()
    try:
        raw.load(con, "raw", list(range(len(raw.header))))
        # Rows keep the file's order: rowid k is row first_row + k.
        return con.execute(
            f"SELECT CAST(rowid + {raw.first_row} AS INTEGER), * FROM raw ORDER BY rowid"
        ).fetchall()
    finally:
        con.close()


def numbered(first_row: int, rows: list[tuple[str | None, ...]]) -> list[tuple[object, ...]]:
    return [(first_row + i, *row) for i, row in enumerate(rows)]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- text: CSV and TSV -------------------------------------------------------------------------


def test_utf8_csv(tmp_path: Path, scorer: object, workdir: Path) -> None:
    path = write(
        tmp_path / "daily.csv", '统计日期,访客数,支付金额\n2024-11-01,100,"1,234.56"\n2024-11-02,120,¥99\n'
    )
    raw = read(path, scorer, workdir)
    assert (raw.header, raw.header_row, raw.title_lines) == (["统计日期", "访客数", "支付金额"], 1, [])
    assert (raw.display_name, raw.sheet, raw.csv_delimiter, raw.csv_path) == ("daily.csv", None, ",", path)
    assert cells(raw) == [(2, "2024-11-01", "100", "1,234.56"), (3, "2024-11-02", "120", "¥99")]


def test_utf8_bom_csv_with_crlf(tmp_path: Path, scorer: object, workdir: Path) -> None:
    path = tmp_path / "daily.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "统计日期,访客数,支付金额\r\n2024-11-01,100,1234.56\r\n".encode())
    raw = read(path, scorer, workdir)
    assert raw.header == ["统计日期", "访客数", "支付金额"]  # no BOM in the first name
    assert raw.csv_path is not None
    assert raw.csv_path == path  # read in place: the BOM sits in the header line, which DuckDB skips
    assert cells(raw) == [(2, "2024-11-01", "100", "1234.56")]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_with_title_lines_and_total_footer(
    tmp_path: Path, scorer: object, workdir: Path, encoding: str
) -> None:
    path = write(tmp_path / "店铺整体.csv", SHOP_DAILY_CSV, encoding)
    raw = read(path, scorer, workdir)
    assert raw.header == SHOP_HEADER
    assert raw.header_row == 3
    assert raw.title_lines == SHOP_DAILY_TITLES
    assert cells(raw) == numbered(4, SHOP_DAILY_CELLS)  # the reader keeps 合计; the pipeline drops it


def test_gbk_csv_import(tmp_path: Path, workspace: Workspace) -> None:
    path = write(tmp_path / "店铺整体.csv", SHOP_DAILY_CSV, "gbk")
    result = workspace.import_file(path)  # the shop comes from the title line
    assert (result.source_key, result.shops, result.rows, result.skipped_rows) == (
        "sycm_shop_daily",
        (SHOP,),
        2,
        1,
    )
    assert (result.date_min, result.date_max) == (D1, D2)
    assert workspace.connection.execute(SHOP_DAY_QUERY).fetchall() == SHOP_DAILY_ROWS
    assert workspace.connection.execute("SELECT file_name, shops, rows_imported FROM imports").fetchall() == [
        ("店铺整体.csv", SHOP, 2)
    ]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_tsv_saved_as_xls(tmp_path: Path, scorer: object, workdir: Path, encoding: str) -> None:
    path = write(tmp_path / "ExportOrderList.xls", ORDERS_TSV, encoding)
    raw = read(path, scorer, workdir)
    assert raw.csv_delimiter == "\t"
    assert raw.header == [
        "订单编号",
        "买家会员名",
        "买家实际支付金额",
        "订单状态",
        "订单付款时间",
        "收货地址",
        "宝贝总数量",
    ]
    assert (raw.header_row, raw.title_lines) == (1, [])
    assert cells(raw)[1] == (
        3,
        '="3912345678901234568"',
        "小红",
        "1,008.00",
        "买家已付款",
        "2024/11/2 9:05",
        "上海 上海市 浦东新区",
        "2",
    )


def test_tsv_saved_as_xls_import(tmp_path: Path, workspace: Workspace) -> None:
    path = write(tmp_path / "ExportOrderList.xls", ORDERS_TSV, "gbk")
    result = workspace.import_file(path, shop=SHOP)
    assert (result.source_key, result.rows) == ("qianniu_orders", 2)
    assert workspace.connection.execute(ORDERS_QUERY).fetchall() == ORDERS_ROWS


def test_utf16_tsv_saved_as_xls(tmp_path: Path, scorer: object, workdir: Path) -> None:
    """Excel's "Unicode text" export: UTF-16 with BOM, tab-separated."""
    path = write(
        tmp_path / "report.xls", "统计日期\t访客数\t支付金额\r\n2024-11-01\t100\t1234.56\r\n", "utf-16"
    )
    raw = read(path, scorer, workdir)
    assert (raw.header, raw.csv_delimiter) == (["统计日期", "访客数", "支付金额"], "\t")
    assert cells(raw) == [(2, "2024-11-01", "100", "1234.56")]


def test_header_names_with_stray_spaces(
    tmp_path: Path, scorer: object, workdir: Path, workspace: Workspace
) -> None:
    path = write(
        tmp_path / "某某旗舰店.csv",
        "\ufeff统计日期 ,访客数  ,\u3000支付金额\u3000,支付 买家数\u00a0,\n2024-11-01,100,1234.56,7,\n",
    )
    raw = read(path, scorer, workdir)
    assert raw.header == ["统计日期", "访客数", "支付金额", "支付 买家数"]  # trailing empty column dropped
    workspace.import_file(path)
    assert workspace.connection.execute(
        "SELECT shop, date, visitors, gmv, buyers FROM sycm_shop_day"
    ).fetchall() == [(SHOP, D1, 100, Decimal("1234.56"), 7)]


def test_blank_lines_before_the_header(
    tmp_path: Path, scorer: object, workdir: Path, workspace: Workspace
) -> None:
    path = write(
        tmp_path / "某某旗舰店.csv", "\n\n \n统计日期,访客数,支付金额\n2024-11-01,100,1.5\n2024-11-02,90,2\n"
    )
    raw = read(path, scorer, workdir)
    assert (raw.header_row, raw.title_lines) == (4, [])
    assert cells(raw) == [(5, "2024-11-01", "100", "1.5"), (6, "2024-11-02", "90", "2")]
    workspace.import_file(path)
    assert workspace.connection.execute(
        "SELECT date, visitors, gmv, source_row FROM sycm_shop_day ORDER BY date"
    ).fetchall() == [(D1, 100, Decimal("1.50"), 5), (D2, 90, Decimal("2.00"), 6)]


def test_blank_line_inside_the_data_keeps_row_numbers(tmp_path: Path, scorer: object, workdir: Path) -> None:
    path = write(tmp_path / "daily.csv", "统计日期,访客数,支付金额\n2024-11-01,100,1\n\n2024-11-02,120,2\n")
    raw = read(path, scorer, workdir)
    assert [row[0] for row in cells(raw) if row[1] is not None] == [2, 4]


@pytest.mark.parametrize("blank_line", [False, True])
def test_row_numbers_hold_in_a_file_read_in_parallel(
    tmp_path: Path, workspace: Workspace, blank_line: bool
) -> None:
    """DuckDB reads big files with several threads; the row named in a message is still the file's."""
    rows = 300_000
    bad = rows - 7  # 0-based data row holding the bad amount
    lines = ["订单编号,买家实际支付金额,订单付款时间"]
    for index in range(rows):
        amount = "八元" if index == bad else f"{index % 500}.50"
        lines.append(f'="{3900000000000000000 + index}",{amount},2024-11-01 10:00:00')
        if blank_line and index == 10:
            lines.append("")
    path = write(tmp_path / "ExportOrderList.csv", "\n".join(lines) + "\n")
    with pytest.raises(BadValueError) as caught:
        workspace.import_file(path, shop=SHOP)
    line = bad + 2 + blank_line  # header line, 1-based, and the blank line above it
    assert str(caught.value).startswith(
        f'ExportOrderList.csv, row {line}, column "买家实际支付金额": value "八元"'
    )


def test_stray_byte_far_down_a_utf8_file_names_its_line(tmp_path: Path, workspace: Workspace) -> None:
    """The encoding is judged on the first megabyte; DuckDB's check of every byte sends the reader back."""
    lines = ["订单编号,买家实际支付金额,订单付款时间"]
    lines += [f"{3900000000000000000 + i},1.00,2024-11-01 10:00:00" for i in range(40_000)]
    path = tmp_path / "ExportOrderList.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b"39111,\xff\xfe,2024-11-01\n")
    with pytest.raises(UnreadableFileError) as caught:
        workspace.import_file(path, shop=SHOP)
    assert str(caught.value).startswith(
        "ExportOrderList.csv, row 40002: is neither UTF-8 nor GBK/GB18030 text"
    )


def test_quoted_newline_in_a_cell(tmp_path: Path, workspace: Workspace) -> None:
    path = write(
        tmp_path / "ExportOrderList.csv",
        "订单编号,买家实际支付金额,订单付款时间,收货地址\n"
        '3912345678901234567,12.50,2024-11-01 10:00:00,"浙江省 杭州市\n西湖区 文三路1号"\n'
        "3912345678901234568,8.00,2024-11-01 11:00:00,上海 上海市 浦东新区\n",
    )
    result = workspace.import_file(path, shop=SHOP)
    assert result.rows == 2
    assert workspace.connection.execute(
        "SELECT order_id, province FROM orders ORDER BY order_id"
    ).fetchall() == [
        ("3912345678901234567", "浙江"),
        ("3912345678901234568", "上海"),
    ]


def test_binary_text_is_refused(tmp_path: Path, scorer: object, workdir: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes("统计日期,访客数\n".encode() + b"\x81\x20\xff\n")
    with pytest.raises(UnreadableFileError) as caught:
        read(path, scorer, workdir)
    assert str(caught.value) == (
        "report.csv, row 2: is neither UTF-8 nor GBK/GB18030 text"
        " — save it again as CSV (UTF-8) or Excel (.xlsx) and import that file"
    )


# -- HTML saved as .xls ------------------------------------------------------------------------

HTML_TABLE = (
    "<table border=1>"
    '<tr><td colspan="5">生意参谋 店铺整体 某某旗舰店</td></tr>'
    '<tr><td colspan="5">统计时间：2024-11-01 ~ 2024-11-02</td></tr>'
    "<tr><th>统计日期</th><th>访客数</th><th>支付金额</th><th>支付买家数</th><th>支付转化率</th></tr>"
    "<tr><td>2024-11-01</td><td>1,200</td><td>12,345.60</td><td>30</td><td>2.50%</td></tr>"
    "<tr><td>2024-11-02</td><td> 1100 </td><td>￥9800</td><td>25</td><td>2.27%</td></tr>"
    "<tr><td>合计</td><td>2300</td><td>22,145.60</td><td>55</td><td>-</td></tr>"
    "</table>"
)


def html_document(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}</head><body>{HTML_TABLE}</body></html>"


@pytest.mark.parametrize(("charset", "encoding"), [("utf-8", "utf-8"), ("gbk", "gbk")])
def test_html_saved_as_xls(
    tmp_path: Path, scorer: object, workdir: Path, charset: str, encoding: str
) -> None:
    path = write(tmp_path / "店铺整体.xls", html_document(charset), encoding)
    raw = read(path, scorer, workdir)
    assert raw.header == SHOP_HEADER
    assert raw.header_row == 3
    assert raw.title_lines == SHOP_DAILY_TITLES
    assert (raw.csv_path, raw.sheet) == (None, None)
    assert cells(raw) == numbered(4, SHOP_DAILY_CELLS)  # cell text is whitespace-normalised


def test_html_saved_as_xls_import(tmp_path: Path, workspace: Workspace) -> None:
    path = write(tmp_path / "店铺整体.xls", html_document("gbk"), "gbk")
    result = workspace.import_file(path)
    assert (result.source_key, result.rows, result.skipped_rows) == ("sycm_shop_daily", 2, 1)
    assert workspace.connection.execute(SHOP_DAY_QUERY).fetchall() == SHOP_DAILY_ROWS


def test_html_without_charset_declaration(tmp_path: Path, scorer: object, workdir: Path) -> None:
    path = write(tmp_path / "店铺整体.xls", html_document(None), "utf-8")
    assert read(path, scorer, workdir).header == SHOP_HEADER


# -- real workbooks ----------------------------------------------------------------------------


def write_item_workbook(path: Path) -> Path:
    """生意参谋 商品效果 as .xlsx: a merged title, a period line, then the header on row 3.

    Row 4 holds real numbers and a real date (商品ID as a 12-digit number); row 5 holds text.
    """
    workbook = xlsxwriter.Workbook(str(path))
    notes = workbook.add_worksheet("说明")
    notes.write(0, 0, "本表由生意参谋导出")
    sheet = workbook.add_worksheet("商品效果")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    percent = workbook.add_format({"num_format": "0.00%"})
    sheet.merge_range(0, 0, 0, 5, "生意参谋 商品效果 某某旗舰店")
    sheet.write(1, 0, "统计时间：2024-11-01 ~ 2024-11-02")
    sheet.write_row(2, 0, ["统计日期", "商品ID", "商品名称", "支付金额", "商品访客数", "支付转化率"])
    sheet.write_datetime(3, 0, dt.datetime(2024, 11, 1), date_format)
    sheet.write_number(3, 1, 623456789012)
    sheet.write(3, 2, "保温杯 500ml")
    sheet.write_number(3, 3, 1234.56)
    sheet.write_number(3, 4, 100)
    sheet.write_number(3, 5, 0.0345, percent)
    sheet.write_row(4, 0, ["2024-11-02", "623456789013", "水杯", "¥99.00", "1,200", "3.45%"])
    workbook.close()
    return path


def test_xlsx_with_title_rows(tmp_path: Path, scorer: object, workdir: Path) -> None:
    raw = read(write_item_workbook(tmp_path / "商品效果.xlsx"), scorer, workdir)
    assert raw.sheet == "商品效果"  # the sheet whose header looks like an export, not the notes
    assert raw.display_name == "商品效果.xlsx [商品效果]"
    assert raw.header == ["统计日期", "商品ID", "商品名称", "支付金额", "商品访客数", "支付转化率"]
    assert raw.header_row == 3
    assert raw.title_lines == ["生意参谋 商品效果 某某旗舰店", "统计时间：2024-11-01 ~ 2024-11-02"]
    assert cells(raw) == [
        (4, "2024-11-01", "623456789012", "保温杯 500ml", "1234.56", "100", "0.0345"),
        (5, "2024-11-02", "623456789013", "水杯", "¥99.00", "1,200", "3.45%"),
    ]


def test_xlsx_import(tmp_path: Path, workspace: Workspace) -> None:
    result = workspace.import_file(write_item_workbook(tmp_path / "商品效果.xlsx"))
    assert (result.source_key, result.shops, result.rows) == ("sycm_item_daily", (SHOP,), 2)
    assert workspace.connection.execute(
        "SELECT shop, date, item_id, item_name, gmv, visitors, round(conversion_rate, 6), source_row"
        " FROM sycm_item_day ORDER BY date"
    ).fetchall() == [
        (SHOP, D1, "623456789012", "保温杯 500ml", Decimal("1234.56"), 100, 0.0345, 4),
        (SHOP, D2, "623456789013", "水杯", Decimal("99.00"), 1200, 0.0345, 5),
    ]
    assert workspace.connection.execute("SELECT file_name, sheet FROM imports").fetchall() == [
        ("商品效果.xlsx [商品效果]", "商品效果")
    ]


def test_xlsx_19_digit_order_id_stored_as_number_is_flagged(tmp_path: Path, workspace: Workspace) -> None:
    """A 19-digit number in a workbook has lost its last digits already: refuse it, never guess."""
    path = tmp_path / "orders.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["订单编号", "订单付款时间", "买家实际支付金额"])
    sheet.write_row(1, 0, ["3912345678901234567", "2024-11-01 10:00:00", 12.5])
    sheet.write_row(2, 0, [3912345678901234567, "2024-11-01 11:00:00", 8])
    workbook.close()
    with pytest.raises(BadValueError) as caught:
        workspace.import_file(path, shop=SHOP)
    assert str(caught.value) == (
        'orders.xlsx, row 3, column "订单编号": value "3.912345678901235e+18" is an ID that Excel turned into'
        " scientific notation, so its digits are lost — export the file again and import it without opening"
        " and saving it in Excel"
    )
    assert workspace.connection.execute("SELECT count(*) FROM orders").fetchone() == (0,)


def test_xlsx_blank_rows_above_the_header(tmp_path: Path, scorer: object, workdir: Path) -> None:
    path = tmp_path / "daily.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(2, 1, ["统计日期", "访客数", "支付金额"])
    sheet.write_row(3, 1, ["2024-11-01", 100, 1.5])
    workbook.close()
    raw = read(path, scorer, workdir)
    assert raw.header_row == 3
    assert [row[0] for row in cells(raw)] == [4]


# -- ZIP ---------------------------------------------------------------------------------------


def test_zip_holding_one_csv(tmp_path: Path, scorer: object, workdir: Path, workspace: Workspace) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("__MACOSX/._某某旗舰店_生意参谋.csv", b"\x00\x05\x16\x07")
        archive.writestr("reports/", b"")
        archive.writestr(
            "reports/某某旗舰店_生意参谋.csv", SHOP_DAILY_CSV.replace(" 某某旗舰店", "").encode("gbk")
        )
    raw = read(path, scorer, workdir)
    assert raw.display_name == "export.zip › 某某旗舰店_生意参谋.csv"
    assert (raw.header, raw.header_row) == (SHOP_HEADER, 3)
    assert cells(raw) == numbered(4, SHOP_DAILY_CELLS)
    result = workspace.import_file(path)  # the shop comes from the name inside the ZIP
    assert (result.file, result.shops, result.rows) == ("export.zip › 某某旗舰店_生意参谋.csv", (SHOP,), 2)
    assert workspace.connection.execute(SHOP_DAY_QUERY).fetchall() == SHOP_DAILY_ROWS


def test_zip_member_name_in_gbk(tmp_path: Path, scorer: object, workdir: Path) -> None:
    name = "某某旗舰店_生意参谋.csv"
    placeholder = "x" * (len(name.encode("gbk")) - 4) + ".csv"
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr(placeholder, SHOP_DAILY_CSV.encode("gbk"))
    path = tmp_path / "export.zip"
    path.write_bytes(plain.read_bytes().replace(placeholder.encode(), name.encode("gbk")))
    assert read(path, scorer, workdir).display_name == f"export.zip › {name}"
