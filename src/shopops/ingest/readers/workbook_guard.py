"""Checks on a workbook before calamine opens it: what it would cost to read.

calamine unpacks a sheet's XML and builds a dense grid of its used range, 32 bytes a cell, before
anything can be looked at: an 8.5 MB .xlsx whose sheet unpacks to gigabytes takes gigabytes of
memory, and a 6 KB .xlsx with one cell in A1 and one in ALL1048576 asks for a grid of a billion
cells (33 GB) and aborts the process. So the parts' sizes are checked first (unpacked size and
packing ratio, from the ZIP directory, without unpacking), then each sheet that will be read is
streamed once to find its used range from the cells' positions (``r="B12"``), in bounded memory.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from shopops.ingest.readers.limits import RATIO_FLOOR_BYTES, ReadLimits, over_limit, size_text

_CHUNK = 1 << 22
_HINT = "save it as CSV and import that"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SMALL_PART = 1 << 24  # workbook.xml and its relationships are read whole only when this small
_SHEET_DATA_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*):sheetData\b")
_LETTERS = re.compile(rb"(?m)^([A-Z]{1,3})[0-9]")
_NUMBERS = re.compile(rb'(?m)^[A-Z]{0,3}([0-9]{1,9})"')


def check_workbook(path: Path, label: str, limits: ReadLimits, sheet: str | None) -> None:
    """Refuse a workbook (a ZIP: .xlsx/.xlsm/.xlsb/.ods) that would cost more than ``limits`` to read.

    Binary .xls files are not packed and calamine caps their grid (65,536 × 256), so they pass.
    """
    if not zipfile.is_zipfile(path):
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return  # calamine says the file is damaged, with the usual message
    with archive:
        parts = archive.infolist()
        if sum(part.file_size for part in parts) > limits.unpacked_bytes:
            raise over_limit(
                path,
                label,
                f"is a workbook that unpacks to more than {size_text(limits.unpacked_mb)}",
                "unpacked_mb",
                limits,
                _HINT,
            )
        for part in parts:
            if part.file_size > max(limits.ratio * max(part.compress_size, 1), RATIO_FLOOR_BYTES):
                raise over_limit(
                    path,
                    label,
                    f"is a workbook whose sheet data unpacks to more than {limits.ratio} times its packed size",
                    "ratio",
                    limits,
                    _HINT,
                )
        for name, part_name in _worksheet_parts(archive, sheet):
            rows, columns = _used_range(archive, archive.getinfo(part_name))
            where = f'sheet "{name}"' if name else "a sheet"
            if columns > limits.columns:
                raise over_limit(
                    path,
                    label,
                    f"has {columns:,} columns in {where}, more than {limits.columns:,}",
                    "columns",
                    limits,
                    "check that it is the export you meant",
                )
            if rows * columns > limits.cells:
                raise over_limit(
                    path,
                    label,
                    f"has {where} spanning {rows:,} rows × {columns:,} columns, more than"
                    f" {limits.cells:,} cells",
                    "cells",
                    limits,
                    _HINT,
                )


def _worksheet_parts(archive: zipfile.ZipFile, sheet: str | None) -> list[tuple[str | None, str]]:
    """(sheet name, XML part) of the .xlsx/.xlsm worksheets that will be read: ``sheet``, or all.

    When the workbook's own list cannot be read, every worksheet part is checked (names unknown).
    """
    names = set(archive.namelist())
    every = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    listed = _listed_sheets(archive, names)
    if listed is None:
        return [(None, part) for part in every]
    chosen: list[tuple[str | None, str]] = [
        (name, part) for name, part in listed if part in names and (sheet is None or name == sheet)
    ]
    return chosen


def _listed_sheets(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]] | None:
    workbook, relations = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    if workbook not in names or relations not in names:
        return None
    if any(archive.getinfo(n).file_size > _SMALL_PART for n in (workbook, relations)):
        return None
    try:
        book = ElementTree.fromstring(archive.read(workbook))
        rels = ElementTree.fromstring(archive.read(relations))
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError):
        return None
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = _normalise(resolved)
    sheets = []
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet" and element.get(_RELATIONSHIP) in targets:
            sheets.append((element.get("name", ""), targets[element.get(_RELATIONSHIP)]))
    return sheets


def _normalise(part: str) -> str:
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece and piece != ".":
            out.append(piece)
    return "/".join(out)


def _used_range(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column) a sheet's cells reach, in one streaming pass over its XML.

    A regular expression per cell would cost as much as calamine's own reading, so the work is
    per row: the position of each row's last cell (Excel and every writer put a row's cells left
    to right) gives the row and the widest column. A sheet whose cells carry no position
    (allowed, rare) has its rows and their cells counted instead.
    """
    widest: set[bytes] = set()
    last_row = rows_counted = 0
    tail = b""
    prefix = b""
    end_tag, opening = b"</row>", b"<c"
    unnumbered = False
    with archive.open(part) as stream:
        first = True
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if first:
                found = _SHEET_DATA_PREFIX.search(data)
                prefix = found.group(1) + b":" if found else b""
                end_tag, opening = b"</" + prefix + b"row>", b"<" + prefix + b"c"
                first = False
            rows = data.split(end_tag)
            tail = rows.pop()
            if len(tail) > 2 * _CHUNK:  # no row ends here: an endless row, or no rows at all
                unnumbered = True
                tail = tail[-_CHUNK:]
            if not rows:
                continue
            rows_counted += len(rows)
            # The last position in each row, one per line: "BH5977" (or the row's own number);
            # "?" where a cell follows it, i.e. a cell without a position.
            last_refs = b"\n".join(
                [
                    row[at + 4 :][:13]
                    if (at := row.rfind(b' r="')) != -1 and row.find(opening, at) == -1
                    else b"?"
                    for row in rows
                ]
            )
            unnumbered = unnumbered or b"?" in last_refs
            widest.update(_LETTERS.findall(last_refs))
            highest = max(map(int, _NUMBERS.findall(last_refs)), default=0)
            last_row = max(last_row, highest)
            widest = {max(widest, key=lambda letters: (len(letters), letters))} if widest else widest
    last_column = max((_column_number(letters) for letters in widest), default=0)
    if unnumbered:
        counted, most = _counted(archive, part, prefix)
        last_row, last_column = max(last_row, counted, rows_counted), max(last_column, most)
    return last_row, last_column


def _counted(archive: zipfile.ZipFile, part: zipfile.ZipInfo, prefix: bytes) -> tuple[int, int]:
    """(rows, the most cells in one row), counted, for sheets whose cells carry no position."""
    opening = b"<" + prefix + b"row"
    cell_starts = [b"<" + prefix + b"c" + end for end in (b" ", b">", b"/>")]
    rows = widest = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            segments = (tail + chunk).split(opening)
            tail = segments.pop()
            for segment in segments:
                widest = max(widest, sum(segment.count(start) for start in cell_starts))
            rows += len(segments)
            if len(tail) > _CHUNK:  # one endless row: what it holds so far already counts
                widest = max(widest, sum(tail.count(start) for start in cell_starts))
    widest = max(widest, sum(tail.count(start) for start in cell_starts))
    return rows, widest


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


__all__ = ["check_workbook"]
