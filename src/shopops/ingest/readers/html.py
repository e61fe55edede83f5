"""HTML tables saved as ".xls" (生意参谋 and others do this).

The page is parsed as a stream, row by row, and each row is dropped from the tree once its cells
are read: memory follows the rows kept, not the size of the page. A cell may span at most
``limits.span`` columns or rows (a 362-byte page with ``colspan="2000000000"`` would otherwise
ask for two billion cells), a row at most ``limits.columns`` cells and the table at most
``limits.rows`` rows.
"""

from __future__ import annotations

from pathlib import Path

import lxml.etree

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.html_encoding import html_encoding, strip_xml_declaration
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits, over_limit, too_many_rows
from shopops.ingest.readers.table import HeaderScorer, RawExport, clean_header, locate_header

_CHUNK_CHARS = 1 << 20
_HINT = "download the report again as Excel or CSV"


def read_html_table(
    path: Path, display_name: str, scorer: HeaderScorer, limits: ReadLimits = DEFAULT_LIMITS
) -> RawExport:
    # Decoded here: lxml alone would read an undeclared page as Latin-1.
    encoding = html_encoding(path)
    rows = _table_rows(path, display_name, encoding, limits)
    if not rows:
        raise UnreadableFileError(
            path, "is a web page without a table", hint="download the report again as Excel or CSV"
        )
    header_index, titles = locate_header(rows, scorer)
    header = [clean_header(str(cell)) for cell in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    return RawExport(
        path=path,
        display_name=display_name,
        header=header,
        header_row=header_index + 1,
        title_lines=titles,
        rows=rows[header_index + 1 :],
        limits=limits,
    )


def _table_rows(path: Path, label: str, encoding: str, limits: ReadLimits) -> list[list[object]]:
    parser = lxml.etree.HTMLPullParser(events=("end",), tag="tr")
    rows: list[list[object]] = []
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            first = True
            while chunk := handle.read(_CHUNK_CHARS):
                parser.feed(strip_xml_declaration(chunk) if first else chunk)
                first = False
                _take_rows(parser, rows, path, label, limits)
        parser.close()
    except lxml.etree.LxmlError as error:
        raise UnreadableFileError(path, f"is HTML that cannot be parsed ({error})").relabel(label) from error
    _take_rows(parser, rows, path, label, limits)
    return rows


def _take_rows(
    parser: lxml.etree.HTMLPullParser, rows: list[list[object]], path: Path, label: str, limits: ReadLimits
) -> None:
    for _, tr in parser.read_events():
        if not isinstance(tr, lxml.etree._Element):
            continue
        cells = _cells(tr, len(rows) + 1, path, label, limits)
        if cells:
            rows.append(cells)
            if len(rows) > limits.rows:
                raise too_many_rows(path, label, limits)
        # A row inside a cell stays until its outer row has been read.
        if next(tr.iterancestors("tr"), None) is None:
            tr.clear()
            while tr.getprevious() is not None:
                del tr.getparent()[0]  # type: ignore[union-attr]


def _cells(tr: lxml.etree._Element, row: int, path: Path, label: str, limits: ReadLimits) -> list[object]:
    cells: list[object] = []
    for cell in tr:
        if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
            continue
        text = " ".join(lxml.etree.tostring(cell, method="text", encoding="unicode", with_tail=False).split())
        if len(text) > limits.cell_chars:
            raise over_limit(
                path,
                label,
                f"holds {len(text):,} characters, more than {limits.cell_chars:,} in one cell",
                "cell_chars",
                limits,
                _HINT,
                row=row,
                column=f"column {len(cells) + 1}",
            )
        cells.append(text)
        for attribute in ("colspan", "rowspan"):
            span = (cell.get(attribute) or "1").strip()
            if span.isdigit() and (len(span) > 9 or int(span) > limits.span):
                raise over_limit(
                    path,
                    label,
                    f'has a cell with {attribute}="{span[:12]}", more than {limits.span:,}',
                    "span",
                    limits,
                    _HINT,
                    row=row,
                )
        span = (cell.get("colspan") or "1").strip()
        cells.extend([""] * (int(span) - 1 if span.isdigit() and int(span) > 1 else 0))
        if len(cells) > limits.columns:
            raise over_limit(
                path,
                label,
                f"has more than {limits.columns:,} cells in a row",
                "columns",
                limits,
                _HINT,
                row=row,
            )
    return cells
