"""Reading a text table line by line when DuckDB's strict scanner cannot, without losing a line.

DuckDB reads well-formed CSV fast. Real exports are not always well-formed: a 千牛 title such as
``"27"显示器 高清"`` is wrapped in quotes without doubling the one inside, a title may start
with a quote that never closes, and blank lines or old Mac line ends make DuckDB's record count
differ from the file's lines. DuckDB's lenient mode then glues the following lines into one cell,
silently. This module reads such a file itself and writes a clean copy (RFC 4180, one record per
data line, a blank line as an empty record) that DuckDB reads strictly, so every data line of the
file is exactly one row.

How a line is split:

- A field that starts with ``"`` is quoted: ``""`` inside it is one quote, and it ends at a quote
  followed by the delimiter or the end of the line (spaces in between are dropped).
- Every other quote is data: in an unquoted field (``27"显示器``) and inside a quoted one when it
  is not followed by the delimiter or the line end (``"27"显示器 高清"`` reads ``27"显示器 高清``).
- A quoted field may run over several lines (a multi-line address) when that reading holds up: it
  closes properly (its inner quotes doubled) within ``cell_chars`` characters, and the lines it
  would take in are not each a complete row on their own. Otherwise its opening quote is data and
  the line is a row by itself: a stray quote never swallows the rows below it.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.limits import ReadLimits, over_limit

_QUOTE = '"'
_CHUNK_CHARS = 1 << 20
_SESSION_LINES = 8192
_SESSION_CHARS = 1 << 24
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
# What str.splitlines also takes for a line break, but a CSV file does not.
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LIMIT_HINT = "check that it is the export you meant"


@dataclass(frozen=True)
class CleanCopy:
    path: Path
    records: int  # data records written (a blank line counts as one)
    multiline: bool  # some cell holds a line break (DuckDB must then read it with one thread)


class _Lines:
    """The file's physical lines (each with its line break: \\n, \\r\\n or a lone \\r), read ahead
    in chunks. A line longer than ``max_chars`` comes in pieces of that size (the caller refuses it)."""

    def __init__(self, handle: TextIO, max_chars: int) -> None:
        self._handle = handle
        self._max = max_chars
        self._ahead: deque[str] = deque()
        self._chars = 0  # characters held in _ahead
        self._tail = ""
        self._done = False

    def get(self, index: int) -> str | None:
        while len(self._ahead) <= index and self._fill():
            pass
        return self._ahead[index] if index < len(self._ahead) else None

    def advance(self, count: int) -> None:
        for _ in range(count):
            self._chars -= len(self._ahead.popleft())

    def ahead(self, count: int, budget: int) -> list[str]:
        """The next ``count`` lines without moving on: fewer at the end of the file, or once they
        hold ``budget`` characters (long lines are not read ahead by the thousand)."""
        while len(self._ahead) < count and self._chars < budget and self._fill():
            pass
        lines = list(itertools.islice(self._ahead, count))
        return lines[: bisect.bisect_left(list(itertools.accumulate(map(len, lines))), budget) + 1]

    def _fill(self) -> bool:
        if self._done:
            return False
        chunk = self._handle.read(_CHUNK_CHARS)
        if not chunk:
            self._done = True
            if self._tail:
                self._ahead.append(self._tail)
                self._chars += len(self._tail)
                self._tail = ""
                return True
            return False
        text = self._tail + chunk
        if "\r" in text or any(other in text for other in _OTHER_BREAKS):
            pieces = _LINE.findall(text)
            rest = text[sum(map(len, pieces)) :]
            if pieces and pieces[-1].endswith("\r"):  # its "\n" may come with the next chunk
                rest = pieces.pop() + rest
        else:  # only \n breaks lines here, so str.splitlines (which knows more breaks) agrees
            pieces = text.splitlines(keepends=True)
            rest = pieces.pop() if pieces and not pieces[-1].endswith("\n") else ""
        while len(rest) >= self._max:
            pieces.append(rest[: self._max])
            rest = rest[self._max :]
        self._ahead.extend(pieces)
        self._chars += sum(map(len, pieces))
        self._tail = rest
        return True


def _as_record(line: str) -> str:
    """A line without quotes, for the clean copy: ended by \\n, a blank line as an empty record."""
    body = _body(line)
    return body + "\n" if body else '""\n'


def _body(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def _close_at(text: str, quote: int, delimiter: str) -> int | None:
    """Where the field ends if the quote at ``quote`` closes it (spaces, then delimiter or line end)."""
    end = quote + 1
    while end < len(text) and text[end] == " " and delimiter != " ":
        end += 1
    return end if end == len(text) or text.startswith(delimiter, end) else None


def _quoted_on_line(text: str, start: int, delimiter: str) -> tuple[str, int] | None:
    """The quoted field opening at ``start`` if it closes on this line: (value, index after it)."""
    parts = []
    at = start + 1
    while (quote := text.find(_QUOTE, at)) != -1:
        if text.startswith(_QUOTE, quote + 1):  # "" is one quote
            parts.append(text[at : quote + 1])
            at = quote + 2
            continue
        end = _close_at(text, quote, delimiter)
        if end is not None:
            parts.append(text[at:quote])
            return "".join(parts), end
        parts.append(text[at : quote + 1])  # a quote inside the field is data
        at = quote + 1
    return None


def split_line(text: str, delimiter: str) -> list[str]:
    """One line (without its line break) on its own: a quote that does not close on it is data."""
    fields = []
    at = 0
    while True:
        closed = _quoted_on_line(text, at, delimiter) if text.startswith(_QUOTE, at) else None
        if closed is not None:
            value, at = closed
        else:
            end = text.find(delimiter, at)
            end = len(text) if end == -1 else end
            value, at = text[at:end], end
        fields.append(value)
        if at >= len(text):
            return fields
        at += len(delimiter)


def _fast_split(text: str, delimiter: str) -> list[str] | None:
    """The C csv module's reading when it agrees with ours (every quoted field closes properly)."""
    try:
        return next(csv.reader((text,), delimiter=delimiter, strict=True), [""])
    except csv.Error:
        return None


class _Splitter:
    def __init__(self, lines: _Lines, delimiter: str, width: int, cell_chars: int) -> None:
        self.lines = lines
        self.delimiter = delimiter
        self.width = width
        self.cell_chars = cell_chars

    def record(self) -> tuple[list[str], int]:
        """The record starting at the current line, and how many lines it spans."""
        first = _body(self.lines.get(0) or "")
        if _QUOTE not in first:
            return first.split(self.delimiter), 1
        fast = _fast_split(first, self.delimiter)
        if fast is not None:
            return fast, 1
        delimiter = self.delimiter
        text, line, at = first, 0, 0
        fields: list[str] = []
        while True:
            value: str | None = None
            if text.startswith(_QUOTE, at):
                closed = _quoted_on_line(text, at, delimiter)
                if closed is not None:
                    value, at = closed
                else:
                    spanning = self._multiline(line, at)
                    if spanning is not None and not self.complete_rows(line, spanning[2]):
                        value, at, line = spanning
                        text = _body(self.lines.get(line) or "")
            if value is None:  # unquoted, or an opening quote that is data
                end = text.find(delimiter, at)
                end = len(text) if end == -1 else end
                value, at = text[at:end], end
            fields.append(value)
            if at >= len(text):
                return fields, line + 1
            at += len(delimiter)

    def _multiline(self, line: int, start: int) -> tuple[str, int, int] | None:
        """A well-formed quoted field opening at ``start`` of ``line`` and closing on a later line:
        (value, index after it on the closing line, closing line); None when it is not one."""
        parts: list[str] = []
        size = 0
        raw = self.lines.get(line) or ""
        text, at = _body(raw), start + 1
        while True:
            quote = text.find(_QUOTE, at)
            if quote == -1:
                piece = text[at:] + raw[len(text) :]  # the line break belongs to the cell
                parts.append(piece)
                size += len(piece)
                line += 1
                following = self.lines.get(line)
                if following is None or size > self.cell_chars:
                    return None  # never closes, or too long to be one cell: the quote is data
                raw, text, at = following, _body(following), 0
                continue
            if text.startswith(_QUOTE, quote + 1):
                parts.append(text[at : quote + 1])
                at = quote + 2
                continue
            end = _close_at(text, quote, self.delimiter)
            if end is None:
                return None  # a lone quote: not a properly quoted cell, so not one over lines
            parts.append(text[at:quote])
            return "".join(parts), end, line

    def complete_rows(self, first: int, last: int) -> bool:
        """Each line from ``first`` to ``last`` holds a complete row on its own: as many cells as
        the header, two of them filled (a line of bare delimiters is no row). Then the quote that
        would join them is a stray one: the usual case is two titles with a stray quote each, in
        the same column, which join into one cell of exactly the header's width."""
        bodies = [_body(self.lines.get(index) or "") for index in range(first, last + 1)]
        if any(body.count(self.delimiter) + 1 < self.width for body in bodies):
            return False  # a line with too few cells, however it splits (the usual answer)
        for body in bodies:
            fields = split_line(body, self.delimiter)
            if len(fields) < self.width or sum(1 for field in fields if field.strip()) < 2:
                return False
        return True


def clean_copy(
    source: Path,
    target: Path,
    *,
    delimiter: str,
    skip: int,
    header: list[str],
    limits: ReadLimits,
    path: Path,
    label: str,
) -> CleanCopy:
    """Write the data records of ``source`` (below its first ``skip`` lines) to ``target`` as clean CSV.

    Records are cut to the header's width (cells beyond the last named column are not read, as
    before). Refuses, naming the row, a row wider than ``limits.columns`` or a cell longer than
    ``limits.cell_chars``; rows are numbered as elsewhere (``skip`` + 1 + the record's index).
    """
    # A line holds at most columns cells of cell_chars each (twice that with every quote doubled);
    # reading stops there, so a file of one endless line is never read into memory.
    max_chars = (2 * limits.cell_chars + 3) * (limits.columns + 1)
    check = _Checker(header, limits, path, label, max_chars)
    copier: _Copier | None = None
    try:
        with (
            source.open("r", encoding="utf-8-sig", newline="") as reading,
            target.open("w", encoding="utf-8", newline="") as writing,
        ):
            for _ in range(skip):
                reading.readline(max_chars)
            copier = _Copier(_Lines(reading, max_chars), writing, delimiter, len(header), check, skip)
            copier.run()
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            path,
            "is neither UTF-8 nor GBK/GB18030 text",
            row=skip + (copier.records if copier else 0) + 1,
            hint="save it again as CSV (UTF-8) or Excel (.xlsx) and import that file",
        ).relabel(label) from error
    assert copier is not None
    return CleanCopy(target, copier.records, copier.multiline)


class _Copier:
    """Copies the records in sessions: the C csv reader (strict) over the next lines, until a line
    it cannot read or a cell over several lines that joins complete rows (a stray quote); the
    careful splitter then reads that one record. After a stop, sessions start small and grow
    again, so that a file of many awkward lines is not offered to the C reader thousands at a time."""

    def __init__(
        self, lines: _Lines, writing: TextIO, delimiter: str, width: int, check: _Checker, skip: int
    ) -> None:
        self.lines = lines
        self.writing = writing
        self.writer = csv.writer(writing, delimiter=delimiter, lineterminator="\n")
        self.delimiter = delimiter
        self.width = max(width, 1)
        self.check = check
        self.skip = skip
        self.splitter = _Splitter(lines, delimiter, self.width, check.limits.cell_chars)
        self.records = 0
        self.multiline = False

    def run(self) -> None:
        size = _SESSION_LINES
        while self.lines.get(0) is not None:
            done, stopped = self._session(size)
            size = max(done, 1) if stopped else min(size * 4, _SESSION_LINES)
            if stopped:
                fields, spanned = self.splitter.record()
                self.check.record(fields, self.skip + self.records + 1, self.lines.get(0) or "")
                self.writer.writerow(fields[: self.width])
                self.multiline = self.multiline or spanned > 1
                self.records += 1
                self.lines.advance(spanned)

    def _session(self, size: int) -> tuple[int, bool]:
        """Copy what the C reader reads of the next ``size`` lines: (lines copied, stopped early)."""
        session = self.lines.ahead(size, _SESSION_CHARS)
        reader = csv.reader(session, delimiter=self.delimiter, strict=True)
        rows: list[list[str]] = []
        done = 0  # lines of the session read into rows
        spanning: list[int] = []  # the rows that span lines
        stopped = True
        try:
            for fields in reader:
                span = reader.line_num - done
                if span > 1:
                    if self.splitter.complete_rows(done, done + span - 1):
                        break
                    spanning.append(len(rows))
                rows.append(fields or [""])
                done += span
            else:
                stopped = False
        except csv.Error:
            pass
        if rows:
            self._write(rows, session[:done], spanning)
            self.lines.advance(done)
        return done, stopped

    def _write(self, rows: list[list[str]], lines: list[str], spanning: list[int]) -> None:
        limits = self.check.limits
        longest, widest = max(map(len, lines)), max(map(len, rows))
        # A cell is no longer than its line, unless it spans lines: only those rows, or every row
        # when a line is long or a row wide, are looked at.
        suspects = range(len(rows)) if longest > limits.cell_chars or widest > limits.columns else spanning
        for index in suspects:
            self.check.record(rows[index], self.skip + self.records + index + 1, "")
        if widest <= self.width and not spanning and not any(_QUOTE in line for line in lines):
            # Without quotes, each line is a clean record as it stands (blank lines aside): copied.
            # A line with quotes is written again: DuckDB reads ' "a, b"' as one quoted cell,
            # the C reader (and Excel) as two cells.
            self.writing.write("".join(map(_as_record, lines)))
        else:
            self.writer.writerows(fields[: self.width] for fields in rows)
        self.records += len(rows)
        self.multiline = self.multiline or bool(spanning)


class _Checker:
    """Refusals for a row too wide, a cell too long or a line that never ends, naming the row."""

    def __init__(self, header: list[str], limits: ReadLimits, path: Path, label: str, max_chars: int) -> None:
        self.header = header
        self.limits = limits
        self.path = path
        self.label = label
        self.max_chars = max_chars

    def columns(self, cells: int, row: int) -> None:
        if cells > self.limits.columns:
            raise over_limit(
                self.path,
                self.label,
                f"has {cells:,} cells in a row, more than {self.limits.columns:,}",
                "columns",
                self.limits,
                _LIMIT_HINT,
                row=row,
            )

    def record(self, fields: list[str], row: int, line: str) -> None:
        self.columns(len(fields), row)
        limit = self.limits.cell_chars
        if max(map(len, fields)) > limit:
            index, value = next((i, f) for i, f in enumerate(fields) if len(f) > limit)
            raise over_limit(
                self.path,
                self.label,
                f"holds {len(value):,} characters, more than {limit:,} in one cell",
                "cell_chars",
                self.limits,
                _LIMIT_HINT,
                row=row,
                column=self.header[index] if index < len(self.header) else f"column {index + 1}",
            )
        if len(line) >= self.max_chars and not line.endswith(("\n", "\r")):
            raise over_limit(
                self.path,
                self.label,
                f"has a line of more than {self.max_chars:,} characters",
                "cell_chars",
                self.limits,
                _LIMIT_HINT,
                row=row,
            )


__all__ = ["CleanCopy", "clean_copy", "split_line"]
