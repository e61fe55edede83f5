"""Readers and the encodings platforms really use: undeclared HTML charsets, GBK ZIP member names,
Excel 2003 XML posing as HTML, where a GB18030 file stops decoding, and transcoding that keeps
line breaks inside quoted cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from shopops.errors import UnreadableFileError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers import text as text_reader
from shopops.ingest.readers.dispatch import member_name
from shopops.ingest.readers.html_encoding import declared_encoding, decode_html
from shopops.ingest.sources import SourceRegistry, load_builtin_specs

HEADER = ["统计日期", "访客数", "支付金额"]
TABLE = (
    "<table><tr><th>统计日期</th><th>访客数</th><th>支付金额</th></tr>"
    "<tr><td>2024-11-01</td><td>100</td><td>12.5</td></tr></table>"
)
CSV = "统计日期,访客数,支付金额\n2024-11-01,100,12.5\n"


@pytest.fixture(scope="module")
def registry() -> SourceRegistry:
    return SourceRegistry(load_builtin_specs())


def read(path: Path, registry: SourceRegistry) -> RawExport:
    workdir = path.parent / "work"
    workdir.mkdir(exist_ok=True)
    return read_export(path, registry.header_score, workdir)


# -- HTML ".xls" -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "encoding"),
    [
        (f"<html><body>{TABLE}</body></html>", "gbk"),  # no declaration: UTF-8 fails, GB18030 fits
        (f'<html><head><meta charset="utf-8"></head><body>{TABLE}</body></html>', "gbk"),  # wrong one
        (f'<html><head><meta charset="gb2312"></head><body>{TABLE}</body></html>', "gb18030"),
        (f'<?xml version="1.0" encoding="gbk"?><html><body>{TABLE}</body></html>', "gbk"),
        (f"\ufeff<html><body>{TABLE}</body></html>", "utf-8"),
    ],
)
def test_html_is_decoded_before_parsing(
    tmp_path: Path, registry: SourceRegistry, page: str, encoding: str
) -> None:
    path = tmp_path / "店铺整体.xls"
    path.write_bytes(page.encode(encoding))
    assert read(path, registry).header == HEADER


def test_declared_encoding() -> None:
    assert (
        declared_encoding(b'<meta http-equiv="Content-Type" content="text/html; charset=GBK">') == "gb18030"
    )
    assert declared_encoding(b"<META CHARSET='UTF-8'>") == "utf-8"
    assert declared_encoding(b'<meta charset="no-such-charset">') is None
    assert declared_encoding(b"<html><body>charset=gbk</body></html>") is None  # only in a <meta>


def test_html_in_no_known_encoding_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="neither UTF-8 nor GBK/GB18030"):
        decode_html(tmp_path / "x.xls", b"<html>\x81\x20</html>")


# -- Excel 2003 XML spreadsheet ----------------------------------------------------------------


@pytest.mark.parametrize("announced", [True, False])
def test_excel_2003_xml_is_named_as_such(tmp_path: Path, registry: SourceRegistry, announced: bool) -> None:
    pi = '<?mso-application progid="Excel.Sheet"?>\n' if announced else ""
    path = tmp_path / "report.xls"
    path.write_text(
        f'<?xml version="1.0"?>\n{pi}<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        "<Worksheet><Table><Row><Cell><Data>统计日期</Data></Cell></Row></Table></Worksheet></Workbook>",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableFileError) as caught:
        read(path, registry)
    assert str(caught.value) == (
        "report.xls: is an Excel 2003 XML spreadsheet, which ShopOps cannot read"
        " — open it in Excel and save it as .xlsx, then import that file"
    )


def test_xhtml_with_xml_declaration_is_still_html(tmp_path: Path, registry: SourceRegistry) -> None:
    path = tmp_path / "店铺整体.xls"
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?><html><body>{TABLE}</body></html>', encoding="utf-8"
    )
    assert read(path, registry).header == HEADER


# -- ZIP member names --------------------------------------------------------------------------


def _zip_with_raw_name(folder: Path, raw_name: bytes) -> zipfile.ZipInfo:
    """A ZIP whose one member is named by ``raw_name`` without the UTF-8 flag."""
    placeholder = "x" * (len(raw_name) - 4) + ".csv"
    plain = folder / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr(placeholder, CSV)
    path = folder / "named.zip"
    path.write_bytes(plain.read_bytes().replace(placeholder.encode(), raw_name))
    with zipfile.ZipFile(path) as archive:
        (info,) = archive.infolist()
    assert not info.flag_bits & 0x800
    return info


@pytest.mark.parametrize(
    ("raw_name", "expected"),
    [
        ("某某旗舰店_日报.csv".encode("gbk"), "某某旗舰店_日报.csv"),
        ("某某旗舰店_日报.csv".encode(), "某某旗舰店_日报.csv"),  # UTF-8, flag left unset
        (b"plain.csv", "plain.csv"),
        (b"\x81\x20abc.csv", b"\x81\x20abc.csv".decode("cp437")),  # neither: zipfile's reading stays
    ],
)
def test_zip_member_name(tmp_path: Path, raw_name: bytes, expected: str) -> None:
    assert member_name(_zip_with_raw_name(tmp_path, raw_name)) == expected


# -- where a text file stops decoding ----------------------------------------------------------


@pytest.mark.parametrize("chunk", [3, 7, 1 << 22])  # small chunks cut characters and lines apart
@pytest.mark.parametrize(
    ("body", "line"),
    [
        (CSV.encode("gbk") + "2024-11-02,120,五元\n".encode("gbk") + b"2024-11-03,1,\x81\x20\n", 4),
        (CSV.encode("gbk") + b"\xff", 3),  # a cut character at the very end
        (CSV.encode() + b"2024-11-02,120,\xff\x81\n", 3),  # UTF-8 decodes further: its line is named
    ],
)
def test_undecodable_text_names_the_line(
    tmp_path: Path,
    registry: SourceRegistry,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    body: bytes,
    line: int,
) -> None:
    monkeypatch.setattr(text_reader, "_CHUNK", chunk)
    path = tmp_path / "daily.csv"
    path.write_bytes(body)
    with pytest.raises(UnreadableFileError) as caught:
        read(path, registry)
    assert caught.value.row == line


def test_transcoding_keeps_line_breaks_inside_cells(tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    source.write_bytes('订单编号,收货地址\r\n1,"浙江省\r\n杭州市"\r\n'.encode("gbk"))
    target = text_reader.transcode_to_utf8(source, "gb18030", tmp_path / "orders.utf8.csv")
    assert target.read_bytes() == '订单编号,收货地址\r\n1,"浙江省\r\n杭州市"\r\n'.encode()
