"""Choosing a reader by what the file is, not what it is called."""

from __future__ import annotations

import zipfile
from pathlib import Path

from shopops.errors import InputError, UnreadableFileError
from shopops.ingest.readers.excel import read_workbook
from shopops.ingest.readers.html import read_html_table
from shopops.ingest.readers.table import HeaderScorer, RawExport
from shopops.ingest.readers.text import read_text

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml", "xl/workbook.bin")


def read_export(
    path: Path, scorer: HeaderScorer, workdir: Path, display_name: str | None = None
) -> RawExport:
    """Read one export; ``workdir`` receives temporary files (transcoded text, unpacked ZIPs)."""
    name = display_name or path.name
    if not path.is_file():
        raise UnreadableFileError(path, "does not exist or is not a file", hint="check the path")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFileError(path, "is empty", hint="export the report again; it holds no rows")
    if head.startswith(_OLE2):
        return read_workbook(path, name, scorer)
    if head.startswith(b"PK"):
        return _read_zip(path, name, scorer, workdir)
    if _looks_like_html(head):
        return read_html_table(path, name, scorer)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFileError(
            path,
            "is not a spreadsheet or text table (it holds binary data)",
            hint="import the CSV, .xls or .xlsx file the platform exported",
        )
    return read_text(path, name, scorer, workdir)


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head"))


def _read_zip(path: Path, name: str, scorer: HeaderScorer, workdir: Path) -> RawExport:
    try:
        archive = zipfile.ZipFile(path)
        members = archive.namelist()
    except zipfile.BadZipFile as error:
        raise UnreadableFileError(
            path,
            "is a damaged or incomplete workbook or ZIP file",
            hint="download the export again; the file was probably cut off",
        ) from error
    with archive:
        if any(member in members for member in _WORKBOOK_MEMBERS):
            return read_workbook(path, name, scorer)
        files = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and not m.filename.startswith("__MACOSX/")
            and not m.filename.endswith(".DS_Store")
        ]
        if len(files) != 1:
            listed = ", ".join(m.filename for m in files[:5]) or "nothing"
            raise UnreadableFileError(
                path,
                f"is a ZIP holding {len(files)} files ({listed}); ShopOps reads a ZIP with exactly one export",
                hint="unpack it and import the files one by one",
            )
        member = files[0]
        inner_name = Path(member.filename).name
        target = workdir / f"unzipped-{inner_name}"
        with archive.open(member) as source, target.open("wb") as out:
            while chunk := source.read(1 << 22):
                out.write(chunk)
    label = f"{name} › {inner_name}"
    try:
        return read_export(target, scorer, workdir, display_name=label)
    except InputError as error:
        raise error.relabel(label) from None
