"""Header quirks of real exports, on the reader side (reference/next-batch-research.md §0.5).

- 聚水潭 workbooks escape ``+`` as Excel's ``_x002B_``: header cells are decoded (calamine already
  decodes the cells it reads from the shared and inline strings).
- The 54-column 千牛 退款 export has ``退款完结时间`` and ``退款的申请时间`` twice: the reader keeps
  both columns, and the first of two equal names is the one a canonical column reads (the
  second is left as it is, never merged or renamed).
- ``首次响应时长（秒)`` mixes full- and half-width brackets: headers are compared with brackets
  made half-width (``normalize_header``), so it matches ``首次响应时长(秒)`` and ``（秒）``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers.table import clean_header, decode_excel_escapes
from shopops.ingest.sources import SourceRegistry, load_builtin_specs
from shopops.ingest.sources.spec import normalize_header

REFUND_HEADER = [
    "订单编号",
    "退款编号",
    "退款完结时间",
    "退款完结时间",
    "买家退款金额",
    "退款的申请时间",
    "退款的申请时间",
    "退款状态",
]
REFUND_ROW = [
    "3912345678901234567",
    "205512345678901234",
    "2024-11-03 09:00:00",
    "2024-11-03 09:05:00",
    "89.00",
    "2024-11-02 08:00:00",
    "2024-11-02 08:01:00",
    "退款成功",
]


@pytest.fixture(scope="module")
def registry() -> SourceRegistry:
    return SourceRegistry(load_builtin_specs())


def read(path: Path, registry: SourceRegistry) -> RawExport:
    return read_export(path, registry.header_score, path.parent)


def loaded(raw: RawExport) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    try:
        raw.load(con, "raw", list(range(len(raw.header))))
        return con.execute("SELECT * FROM raw ORDER BY rowid").fetchall()
    finally:
        con.close()


def unescaped_workbook(path: Path, rows: list[list[str]]) -> Path:
    """A workbook whose strings hold Excel's escapes as 聚水潭 writes them (xlsxwriter would
    escape the underscore itself, ``_x005F_x002B_``, which is how a literal "_x002B_" is stored)."""
    plain = path.with_suffix(".plain.xlsx")
    workbook = xlsxwriter.Workbook(str(plain))
    sheet = workbook.add_worksheet("库存")
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    workbook.close()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename).replace(b"_x005F_x", b"_x"))
    return path


# -- _x002B_ ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("颜色_x002B_尺码", "颜色+尺码"),
        ("款式编码_x0020_", "款式编码"),  # an escaped trailing space is stripped like any other
        ("商品_x005F_编码", "商品_编码"),
        ("no_x12_escape", "no_x12_escape"),  # not four hex digits: left alone
        (" 统计日期\u3000", "统计日期"),
    ],
)
def test_clean_header(cell: str, name: str) -> None:
    assert clean_header(cell) == name


def test_decode_excel_escapes() -> None:
    assert decode_excel_escapes("PACK_x002B_TWO_x002b_3") == "PACK+TWO+3"


def test_workbook_header_and_cells_with_x002b(tmp_path: Path, registry: SourceRegistry) -> None:
    path = unescaped_workbook(
        tmp_path / "商品库存.xlsx",
        [["款式编码", "颜色_x002B_尺码", "商品编码"], ["A01", "红_x002B_蓝", "PACK_x002B_TWO"]],
    )
    raw = read(path, registry)
    assert raw.header == ["款式编码", "颜色+尺码", "商品编码"]
    assert loaded(raw) == [("A01", "红+蓝", "PACK+TWO")]


def test_csv_header_with_x002b(tmp_path: Path, registry: SourceRegistry) -> None:
    """A CSV written from such a workbook by a tool that kept the escape."""
    path = tmp_path / "商品库存.csv"
    path.write_text("款式编码,颜色_x002B_尺码,商品编码\nA01,红+蓝,PACK+TWO\n", encoding="utf-8")
    assert read(path, registry).header == ["款式编码", "颜色+尺码", "商品编码"]


# -- duplicated header names -----------------------------------------------------------------


def write_refunds(path: Path) -> Path:
    if path.suffix == ".csv":
        path.write_text(",".join(REFUND_HEADER) + "\n" + ",".join(REFUND_ROW) + "\n", encoding="utf-8")
    else:
        workbook = xlsxwriter.Workbook(str(path))
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, REFUND_HEADER)
        sheet.write_row(1, 0, REFUND_ROW)
        workbook.close()
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_duplicated_headers_keep_both_columns_and_the_first_is_read(
    tmp_path: Path, registry: SourceRegistry, suffix: str
) -> None:
    raw = read(write_refunds(tmp_path / f"退款管理{suffix}"), registry)
    assert raw.header == REFUND_HEADER  # both kept, names unchanged, in place
    assert loaded(raw) == [tuple(REFUND_ROW)]
    detection = registry.detect(raw)
    assert detection.spec.key == "qianniu_refunds"
    assert detection.mapping["completed_at"] == 2
    assert detection.mapping["applied_at"] == 5


# -- mixed full/half-width brackets ------------------------------------------------------------


def test_mixed_brackets_match(registry: SourceRegistry) -> None:
    assert (
        normalize_header("首次响应时长（秒)")
        == normalize_header("首次响应时长(秒)")
        == normalize_header("首次响应时长（秒）")
    )
    spec = registry.get("sycm_shop_daily").with_aliases({"pageviews": ["首次响应时长(秒)"]})
    detection = registry.match(spec, ["统计日期", "访客数", "支付金额", "首次响应时长（秒)"], "")
    assert detection.mapping["pageviews"] == 3
