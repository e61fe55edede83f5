"""Choosing a reader by what the file is, not what it is called."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from shopops.errors import InputError, UnreadableFileError
from shopops.ingest.readers.excel import read_workbook
from shopops.ingest.readers.html import read_html_table
from shopops.ingest.readers.limits import DEFAULT_LIMITS, RATIO_FLOOR_BYTES, ReadLimits, over_limit, size_text
from shopops.ingest.readers.table import HeaderScorer, RawExport
from shopops.ingest.readers.text import read_text

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml", "xl/workbook.bin")
# Excel 2003 "XML Spreadsheet": a <Workbook> root in this namespace, usually announced by the
# mso-application processing instruction. It starts with "<?xml" like XHTML, but holds no <table>.
_SPREADSHEET_ML = re.compile(
    rb'<\?mso-application[^>]*progid\s*=\s*["\']excel\.sheet["\']'
    rb"|<(?:\w+:)?workbook\b[^>]*urn:schemas-microsoft-com:office:spreadsheet",
    re.IGNORECASE,
)
# Bit 11 of a ZIP entry's flags says its name is UTF-8; without it zipfile decodes the name as cp437.
_ZIP_UTF8_FLAG = 0x800
# A ZIP holding a ZIP is read (people zip what they were sent); one more level is refused, so a
# ZIP that holds itself cannot send the reader round for ever.
_MAX_ZIP_DEPTH = 2


def read_export(
    path: Path,
    scorer: HeaderScorer,
    workdir: Path,
    display_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> RawExport:
    """Read one export; ``workdir`` receives temporary files (transcoded text, unpacked ZIPs).

    ``limits`` bounds what a file may cost (unpacked size, rows, columns, cells …): a file past
    one is refused before the memory or disk is spent.
    """
    return _read(path, scorer, workdir, display_name, sheet, limits, depth=0)


def _read(
    path: Path,
    scorer: HeaderScorer,
    workdir: Path,
    display_name: str | None,
    sheet: str | None,
    limits: ReadLimits,
    depth: int,
) -> RawExport:
    name = display_name or path.name
    if not path.is_file():
        raise UnreadableFileError(path, "does not exist or is not a file", hint="check the path")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFileError(path, "is empty", hint="export the report again; it holds no rows")
    if head.startswith(_OLE2):
        return read_workbook(path, name, scorer, sheet, limits)
    if head.startswith(b"PK"):
        return _read_zip(path, name, scorer, workdir, sheet, limits, depth)
    if _is_excel_2003_xml(head):
        raise UnreadableFileError(
            path,
            "is an Excel 2003 XML spreadsheet, which ShopOps cannot read",
            hint="open it in Excel and save it as .xlsx, then import that file",
        )
    if _looks_like_html(head):
        return read_html_table(path, name, scorer, limits)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFileError(
            path,
            "is not a spreadsheet or text table (it holds binary data)",
            hint="import the CSV, .xls or .xlsx file the platform exported",
        )
    return read_text(path, name, scorer, workdir, limits)


def _is_excel_2003_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and bool(_SPREADSHEET_ML.search(head))


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head"))


def _read_zip(
    path: Path,
    name: str,
    scorer: HeaderScorer,
    workdir: Path,
    sheet: str | None,
    limits: ReadLimits,
    depth: int,
) -> RawExport:
    try:
        archive = zipfile.ZipFile(path)
        members = archive.namelist()
    except zipfile.BadZipFile as error:
        raise _damaged(path) from error
    with archive:
        if any(member in members for member in _WORKBOOK_MEMBERS):
            return read_workbook(path, name, scorer, sheet, limits)
        files = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and not m.filename.startswith("__MACOSX/")
            and not m.filename.endswith(".DS_Store")
        ]
        if len(files) != 1:
            listed = ", ".join(member_name(m) for m in files[:5]) or "nothing"
            raise UnreadableFileError(
                path,
                f"is a ZIP holding {len(files)} files ({listed}); ShopOps reads a ZIP with exactly one export",
                hint="unpack it and import the files one by one",
            )
        if depth >= _MAX_ZIP_DEPTH:
            raise UnreadableFileError(
                path,
                "is a ZIP inside a ZIP inside a ZIP",
                hint="unpack it yourself and import the export inside",
            ).relabel(name)
        member = files[0]
        inner_name = Path(member_name(member)).name
        target = workdir / f"unzipped-{depth}-{inner_name}"
        _unpack(archive, member, target, path, name, limits)
    label = f"{name} › {inner_name}"
    try:
        return _read(target, scorer, workdir, label, None, limits, depth + 1)
    except InputError as error:
        if not error.label.startswith(label):  # a ZIP further in has named its own member already
            error.relabel(label)
        raise error from None


def _unpack(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, path: Path, name: str, limits: ReadLimits
) -> None:
    """Unpack one member, refusing it before (by its declared size) or while (by the bytes that
    come out) it passes ``limits.unpacked_mb`` or ``limits.ratio``: nothing large is written first."""
    most = limits.unpacked_bytes
    packed_most = max(limits.ratio * max(member.compress_size, 1), RATIO_FLOOR_BYTES)
    hint = "unpack it yourself and import the file inside"
    too_big = over_limit(
        path, name, f"unpacks to more than {size_text(limits.unpacked_mb)}", "unpacked_mb", limits, hint
    )
    too_packed = over_limit(
        path, name, f"unpacks to more than {limits.ratio} times its packed size", "ratio", limits, hint
    )
    if member.file_size > most:
        raise too_big
    if member.file_size > packed_most:
        raise too_packed
    written = 0
    try:
        with archive.open(member) as source, target.open("wb") as out:
            while chunk := source.read(1 << 22):
                written += len(chunk)
                if written > most:
                    raise too_big
                if written > packed_most:
                    raise too_packed
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _damaged(path).relabel(name) from error
    except UnreadableFileError:
        target.unlink(missing_ok=True)
        raise


def _damaged(path: Path) -> UnreadableFileError:
    return UnreadableFileError(
        path,
        "is a damaged or incomplete workbook or ZIP file",
        hint="download the export again; the file was probably cut off",
    )


def member_name(member: zipfile.ZipInfo) -> str:
    """A ZIP entry's name as its author wrote it.

    Chinese Windows tools store names in GBK without setting the UTF-8 flag, and zipfile then
    decodes them as cp437, so the shop in the name is lost. cp437 maps every byte, so encoding
    back gives the original bytes; some tools write UTF-8 without the flag, so that is tried first.
    """
    if member.flag_bits & _ZIP_UTF8_FLAG:
        return member.filename
    # orig_filename: on Windows zipfile turns a backslash in the decoded name into "/", which would
    # corrupt GBK characters whose second byte is 0x5C.
    raw = member.orig_filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return member.filename
