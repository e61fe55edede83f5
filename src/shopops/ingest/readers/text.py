"""CSV, TSV and text tables (also when saved as ".xls"), in UTF-8, UTF-8-BOM, UTF-16 or GB18030/GBK."""

from __future__ import annotations

import codecs
import csv
import io
from functools import partial
from pathlib import Path
from typing import BinaryIO

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits, over_limit
from shopops.ingest.readers.table import HeaderScorer, RawExport, clean_header, locate_header

_CHUNK = 1 << 22
_PEEK_BYTES = 1 << 16
_UTF8_SAMPLE_BYTES = 1 << 20  # a GBK file shows itself in its first lines
_DELIMITERS = ("\t", ",", ";", "|")


def detect_encoding(path: Path, *, utf8_sample: int | None = None) -> str:
    """UTF-8 first (with or without BOM), then UTF-16 by BOM, then GB18030 (a superset of GBK).

    With ``utf8_sample``, a file whose first that many bytes are UTF-8 is taken to be UTF-8
    without reading the rest: DuckDB checks every byte as it reads, and the reader comes back
    here for a full check if it objects (see ``RawExport.recode``).
    """
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if utf8_sample is not None:
            handle.seek(0)
            sample = handle.read(utf8_sample)
            try:
                # A sample shorter than asked is the whole file: a character cut at its end is an error.
                codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < utf8_sample)
            except UnicodeDecodeError:
                pass
            else:
                return "utf-8"
        failures = []
        for encoding in ("utf-8", "gb18030"):
            handle.seek(0)
            failure = _first_undecodable(handle, encoding)
            if failure is None:
                return encoding
            failures.append(failure)
    # The encoding that decoded further is the file's, with a stray byte: name that byte's line.
    _, line = max(failures)
    raise UnreadableFileError(
        path,
        "is neither UTF-8 nor GBK/GB18030 text",
        row=line,
        hint="save it again as CSV (UTF-8) or Excel (.xlsx) and import that file",
    )


def _first_undecodable(handle: BinaryIO, encoding: str) -> tuple[int, int] | None:
    """Byte offset and 1-based line of the first byte ``encoding`` cannot decode, or None.

    Lines are counted as 0x0A bytes (in UTF-8 and GB18030 that byte is never part of a
    multi-byte character), and only once a bad byte is found: valid files, the common case,
    are decoded without counting.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0  # bytes decoded before the current chunk
    chunk = b""  # the final flush below decodes no new bytes
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        # error.object is the chunk plus the bytes of a character cut at the end of the last one.
        position = offset - (len(error.object) - len(chunk)) + error.start
        return position, _newlines_before(handle, position) + 1
    return None


def _newlines_before(handle: BinaryIO, position: int) -> int:
    handle.seek(0)
    count = 0
    while position > 0 and (chunk := handle.read(min(_CHUNK, position))):
        count += chunk.count(b"\n")
        position -= len(chunk)
    return count


def transcode_to_utf8(path: Path, encoding: str, target: Path) -> Path:
    """DuckDB reads UTF-8 only (without extensions we may not download), so other encodings are re-written."""
    # newline="" both ways: line breaks inside quoted cells must reach DuckDB exactly as written.
    with (
        path.open("r", encoding=encoding, newline="") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        while chunk := source.read(_CHUNK):
            out.write(chunk)
    return target


def _utf8_copy(path: Path, target: Path) -> Path | None:
    """After DuckDB found a byte that is not UTF-8: a UTF-8 copy, or None when the file is UTF-8 after all.

    Raises the usual clear error (with the line) when the file is neither UTF-8 nor GB18030.
    """
    encoding = detect_encoding(path)
    return None if encoding == "utf-8" else transcode_to_utf8(path, encoding, target)


def sniff_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_text(
    path: Path,
    display_name: str,
    scorer: HeaderScorer,
    workdir: Path,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> RawExport:
    encoding = detect_encoding(path, utf8_sample=_UTF8_SAMPLE_BYTES)
    with path.open("r", encoding=encoding, newline="") as handle:
        sample = handle.read(_PEEK_BYTES)
    lines = sample.splitlines()
    if len(sample) == _PEEK_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    if not any(line.strip() for line in lines):
        raise UnreadableFileError(path, "is empty", hint="export the report again; it holds no rows")
    probe_rows = _split(lines)
    header_index, titles = locate_header(probe_rows, scorer)
    delimiter = sniff_delimiter(lines[header_index])
    rows = list(csv.reader(io.StringIO("\n".join(lines[: header_index + 1])), delimiter=delimiter))
    header = [clean_header(cell) for cell in rows[header_index]] if header_index < len(rows) else []
    while header and not header[-1]:
        header.pop()  # trailing delimiters
    if len(header) < 2:
        raise UnreadableFileError(
            path,
            "is not a table: no header row with at least two columns was found",
            hint="import the report file as downloaded (CSV, .xls or .xlsx)",
        )
    if len(header) > limits.columns:
        raise over_limit(
            path,
            display_name,
            f"has {len(header):,} columns, more than {limits.columns:,}",
            "columns",
            limits,
            "check that it is the export you meant",
            row=header_index + 1,
        )
    csv_path = path
    copy = workdir / (path.stem + ".utf8.csv")
    # DuckDB reads UTF-8 itself; a BOM sits in the header line, which is skipped anyway.
    if encoding not in ("utf-8", "utf-8-sig"):
        csv_path = transcode_to_utf8(path, encoding, copy)
    return RawExport(
        path=path,
        display_name=display_name,
        header=header,
        header_row=header_index + 1,
        title_lines=titles,
        csv_path=csv_path,
        recode=partial(_utf8_copy, path, copy) if encoding == "utf-8" else None,
        csv_delimiter=delimiter,
        limits=limits,
    )


def _split(lines: list[str]) -> list[list[str]]:
    """Each line split by its own most likely delimiter (title lines often have none)."""
    return [next(csv.reader([line], delimiter=sniff_delimiter(line)), []) for line in lines[:60]]
