"""Hostile files: each must be refused fast, with one line naming the limit and how to raise it.

Found by a hostile-file run: a 2 MB ZIP that unpacked to 2 GB before being refused, a ZIP of
blank lines that ran for minutes, an xlsx that took gigabytes of memory, an HTML ".xls" with
``colspan="2000000000"``. Every file is built at test time into ``tmp_path`` (nothing big is
committed) and imported through the real CLI into a copy of the gallery's workspace, as in
``test_bad_input_gallery.py``: exit code 1, stderr exactly the one line, the warehouse unchanged,
and done within seconds. (The workspace is the gallery's, from ``conftest.py``.)
"""

from __future__ import annotations

import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter

from tests.gallery.test_bad_input_gallery import SHOP, SHOPS, invoke, warehouse_state

HEADER = "统计日期,访客数,支付金额\n"
MIB = 1 << 20
RAISE = ", or raise the limit"

# -- building big files without writing them: deflate blocks repeated -------------------------


@dataclass(frozen=True)
class Repeated:
    """``times`` copies of ``block`` after ``head``, stored deflated without compressing it all.

    A block compressed from a reset state and ended with a full flush is a deflate stream piece
    that can be repeated: a gigabyte of data costs one compression of ``block``.
    """

    head: bytes
    block: bytes
    times: int
    tail: bytes = b""

    def deflated(self) -> tuple[bytes, int, int]:
        """(deflate stream, CRC-32, size) of the whole."""

        def piece(data: bytes) -> bytes:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

        crc = zlib.crc32(self.head)
        for _ in range(self.times):
            crc = zlib.crc32(self.block, crc)
        crc = zlib.crc32(self.tail, crc)
        final = zlib.compressobj(9, zlib.DEFLATED, -15)
        stream = piece(self.head) + piece(self.block) * self.times + final.compress(self.tail) + final.flush()
        return stream, crc, len(self.head) + len(self.block) * self.times + len(self.tail)


def write_zip(target: Path, members: dict[str, bytes | Repeated]) -> Path:
    """A ZIP (deflated members, sizes honest in both headers) written by hand, so that a member
    may be a ``Repeated`` gigabyte without compressing a gigabyte."""
    central = b""
    with target.open("wb") as out:
        for name, content in members.items():
            if isinstance(content, Repeated):
                data, crc, size = content.deflated()
            else:
                compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
                data = compressor.compress(content) + compressor.flush()
                crc, size = zlib.crc32(content), len(content)
            encoded = name.encode()
            offset = out.tell()
            fields = (20, 0x800, 8, 0, 0x21, crc, len(data), size, len(encoded))
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + data)
            central += (
                struct.pack("<IH", 0x02014B50, 20)
                + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0, offset)
                + encoded
            )
        start = out.tell()
        count = len(members)
        out.write(central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0))
    return target


def xlsx_parts(folder: Path) -> dict[str, bytes]:
    """The parts of a small real workbook (header row only), to swap a sheet into."""
    path = folder / "template.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("数据").write_row(0, 0, ["统计日期", "访客数", "支付金额"])
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# -- the hostile files -------------------------------------------------------------------------


def build_zip_bomb(folder: Path) -> Path:
    """1.1 MB holding a 1.1 GiB CSV."""
    member = Repeated(HEADER.encode(), b"0" * (16 * MIB), 70)
    return write_zip(folder / "bomb.zip", {"某某旗舰店_生意参谋.csv": member})


def build_zip_of_blank_lines(folder: Path) -> Path:
    """1 MB holding a CSV of a header and a billion blank lines (under 1 GiB, so the ratio speaks)."""
    member = Repeated(HEADER.encode(), b"\n" * (10**7), 100)
    return write_zip(folder / "blank_lines.zip", {"某某旗舰店_生意参谋.csv": member})


def build_csv_of_blank_lines(folder: Path) -> Path:
    """6 MB: a header and six million blank lines, not zipped: the rows limit speaks."""
    target = folder / "某某旗舰店_blank_lines.csv"
    target.write_bytes(HEADER.encode() + b"\n" * 6_000_000)
    return target


def build_xlsx_enormous_sheet(folder: Path) -> Path:
    """A 2 MB workbook whose sheet XML unpacks to 2 GiB (spaces between its cells)."""
    parts: dict[str, bytes | Repeated] = dict(xlsx_parts(folder))
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert isinstance(sheet, bytes)
    cut = sheet.index(b"</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = Repeated(sheet[:cut], b" " * (16 * MIB), 128, sheet[cut:])
    return write_zip(folder / "某某旗舰店_enormous_sheet.xlsx", parts)


def build_xlsx_packed_sheet(folder: Path) -> Path:
    """A workbook whose sheet XML unpacks to 1,000 times its packed size (256 MiB of spaces)."""
    parts: dict[str, bytes | Repeated] = dict(xlsx_parts(folder))
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert isinstance(sheet, bytes)
    cut = sheet.index(b"</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = Repeated(sheet[:cut], b" " * (16 * MIB), 16, sheet[cut:])
    return write_zip(folder / "某某旗舰店_packed_sheet.xlsx", parts)


def build_xlsx_far_cell(folder: Path) -> Path:
    """6 KB: a header in A1:C1 and one cell in ALL1048576. calamine would build a grid of a billion
    cells (33 GB) and abort the process."""
    target = folder / "某某旗舰店_far_cell.xlsx"
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["统计日期", "访客数", "支付金额"])
    sheet.write(1_048_575, 999, "x")
    workbook.close()
    return target


def build_html_colspan(folder: Path) -> Path:
    """362 bytes of HTML ".xls" with colspan="2000000000" in a data row."""
    target = folder / "某某旗舰店_colspan.xls"
    target.write_text(
        '<html><head><meta charset="utf-8"></head><body><table>'
        "<tr><td>统计日期</td><td>访客数</td><td>支付金额</td></tr>"
        "<tr><td>2024-11-01</td><td>100</td><td>12.5</td></tr>"
        '<tr><td colspan="2000000000">2024-11-02</td></tr>'
        "</table></body></html>",
        encoding="utf-8",
    )
    return target


def build_csv_too_many_columns(folder: Path) -> Path:
    target = folder / "某某旗舰店_wide.csv"
    header = ["统计日期", "访客数", "支付金额", *(f"指标{i}" for i in range(1, 1198))]
    target.write_text(",".join(header) + "\n" + "2024-11-01,100,12.5\n", encoding="utf-8")
    return target


def build_csv_cell_over_limit(folder: Path) -> Path:
    target = folder / "某某旗舰店_big_cell.csv"
    target.write_text(f"{HEADER}2024-11-01,100,12.5\n2024-11-02,90,{'9' * 40_000}\n", encoding="utf-8")
    return target


def build_zip_in_zip_in_zip(folder: Path) -> Path:
    inner = folder / "inner.zip"
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("某某旗舰店_生意参谋.csv", HEADER + "2024-11-01,100,12.5\n")
    middle = folder / "middle.zip"
    with zipfile.ZipFile(middle, "w") as archive:
        archive.write(inner, "inner.zip")
    outer = folder / "nested.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(middle, "middle.zip")
    return outer


def build_small_zip(folder: Path) -> Path:
    """An ordinary ZIP holding a 2 MiB export: refused only under a lowered limit."""
    body = HEADER + "".join(f"2024-11-{day:02d},100,12.5\n" for day in range(1, 29)) * 4000
    target = folder / "small.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("某某旗舰店_生意参谋.csv", body)
    return target


# -- the cases -------------------------------------------------------------------------------


def limit(key: str, value: int) -> str:
    return f"(limit limits.{key} = {value} in shopops.yaml)"


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]
    message: str  # the exact stderr line, without the leading "✗ "
    args: tuple[str, ...] = ()
    config: str = ""  # appended to the workspace's shopops.yaml


CASES = [
    Case(
        "zip-bomb",
        build_zip_bomb,
        f"bomb.zip: unpacks to more than 1 GiB {limit('unpacked_mb', 1024)}"
        f" — unpack it yourself and import the file inside{RAISE}",
        ("--shop", SHOP),
    ),
    Case(
        "zip-of-blank-lines",
        build_zip_of_blank_lines,
        f"blank_lines.zip: unpacks to more than 100 times its packed size {limit('ratio', 100)}"
        f" — unpack it yourself and import the file inside{RAISE}",
        ("--shop", SHOP),
    ),
    Case(
        "csv-of-blank-lines",
        build_csv_of_blank_lines,
        f"某某旗舰店_blank_lines.csv: has more than 5,000,000 rows {limit('rows', 5000000)}"
        f" — split the export by date range{RAISE}",
    ),
    Case(
        "xlsx-enormous-sheet",
        build_xlsx_enormous_sheet,
        f"某某旗舰店_enormous_sheet.xlsx: is a workbook that unpacks to more than 1 GiB"
        f" {limit('unpacked_mb', 1024)} — save it as CSV and import that{RAISE}",
    ),
    Case(
        "xlsx-packed-sheet",
        build_xlsx_packed_sheet,
        "某某旗舰店_packed_sheet.xlsx: is a workbook whose sheet data unpacks to more than 100 times its"
        f" packed size {limit('ratio', 100)} — save it as CSV and import that{RAISE}",
    ),
    Case(
        "xlsx-far-cell",
        build_xlsx_far_cell,
        '某某旗舰店_far_cell.xlsx: has sheet "数据" spanning 1,048,576 rows × 1,000 columns, more than'
        f" 20,000,000 cells {limit('cells', 20000000)} — save it as CSV and import that{RAISE}",
    ),
    Case(
        "html-colspan",
        build_html_colspan,
        '某某旗舰店_colspan.xls, row 3: has a cell with colspan="2000000000", more than 1,000'
        f" {limit('span', 1000)} — download the report again as Excel or CSV{RAISE}",
    ),
    Case(
        "csv-too-many-columns",
        build_csv_too_many_columns,
        f"某某旗舰店_wide.csv, row 1: has 1,200 columns, more than 1,000 {limit('columns', 1000)}"
        f" — check that it is the export you meant{RAISE}",
    ),
    Case(
        "csv-cell-over-limit",
        build_csv_cell_over_limit,
        '某某旗舰店_big_cell.csv, row 3, column "支付金额": holds 40,000 characters, more than 32,767 in one'
        f" cell {limit('cell_chars', 32767)} — check that it is the export you meant{RAISE}",
    ),
    Case(
        "zip-in-zip-in-zip",
        build_zip_in_zip_in_zip,
        "nested.zip › middle.zip › inner.zip: is a ZIP inside a ZIP inside a ZIP"
        " — unpack it yourself and import the export inside",
        ("--shop", SHOP),
    ),
    Case(
        "limit-lowered-in-shopops-yaml",
        build_small_zip,
        f"small.zip: unpacks to more than 1 MiB {limit('unpacked_mb', 1)}"
        f" — unpack it yourself and import the file inside{RAISE}",
        ("--shop", SHOP),
        "\nlimits:\n  unpacked_mb: 1\n",
    ),
]


@dataclass
class Outcome:
    exit_code: int
    stderr_lines: list[str]
    exception: BaseException | None
    seconds: float
    tables_before: dict[str, int]  # row counts of every table (but shops/schema_migrations)
    tables: dict[str, int]
    shops: list[tuple[str, str]]


@pytest.fixture(scope="module")
def run_case(template_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Outcome]:
    cache: dict[str, Outcome] = {}

    def run(case: Case) -> Outcome:
        if case.id not in cache:
            folder = tmp_path_factory.mktemp(case.id)
            workspace = folder / "ws"
            shutil.copytree(template_workspace, workspace)
            if case.config:
                with (workspace / "shopops.yaml").open("a", encoding="utf-8") as config:
                    config.write(case.config)
            path = case.build(folder)
            tables_before, _ = warehouse_state(workspace)
            started = time.perf_counter()
            code, _, stderr, exception = invoke("-w", str(workspace), "import", str(path), *case.args)
            seconds = time.perf_counter() - started
            tables, shops = warehouse_state(workspace)
            cache[case.id] = Outcome(
                code, stderr.splitlines(), exception, seconds, tables_before, tables, shops
            )
            path.unlink()
        return cache[case.id]

    return run


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_refused_cleanly_and_fast(case: Case, run_case: Callable[[Case], Outcome]) -> None:
    outcome = run_case(case)
    assert outcome.exit_code == 1
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert {"imports", "sycm_shop_day", "orders"} <= set(outcome.tables)
    assert outcome.tables == outcome.tables_before  # nothing imported, nothing logged
    assert outcome.tables["imports"] == outcome.tables["sycm_shop_day"] == 0
    assert outcome.shops == sorted(SHOPS.items())
    assert outcome.seconds < 10


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_message(case: Case, run_case: Callable[[Case], Outcome]) -> None:
    assert run_case(case).stderr_lines == [f"✗ {case.message}"]


def test_the_bomb_really_is_one(tmp_path: Path) -> None:
    """The hand-written ZIP is a valid one whose member really unpacks to 1.1 GiB (read 64 MiB of it)."""
    with zipfile.ZipFile(build_zip_bomb(tmp_path)) as archive:
        (member,) = archive.infolist()
        assert member.file_size == len(HEADER.encode()) + 70 * 16 * MIB
        assert member.compress_size < 2 * MIB
        with archive.open(member) as stream:
            assert stream.read(len(HEADER.encode())) == HEADER.encode()
            read = 0
            while read < 64 * MIB and (chunk := stream.read(MIB)):
                assert chunk == b"0" * len(chunk)
                read += len(chunk)


def test_a_small_member_of_a_packed_zip_is_read(tmp_path: Path, template_workspace: Path) -> None:
    """Packing ratio is judged only on big members: a tiny export that packs 200:1 is imported."""
    workspace = tmp_path / "ws"
    shutil.copytree(template_workspace, workspace)
    body = HEADER + "2024-11-01,100,12.5\n" + "\n" * 100_000
    path = tmp_path / "packed.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("某某旗舰店_生意参谋.csv", body)
    assert path.stat().st_size * 100 < len(body)
    code, stdout, stderr, _ = invoke("-w", str(workspace), "import", str(path))
    assert (code, stderr) == (0, "")
    assert "1 row" in stdout
