"""HTML tables saved as ".xls" (生意参谋 and others do this)."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.html_encoding import decode_html
from shopops.ingest.readers.table import HeaderScorer, RawExport, clean_header, locate_header


def read_html_table(path: Path, display_name: str, scorer: HeaderScorer) -> RawExport:
    text = decode_html(path, path.read_bytes())  # lxml alone would read an undeclared page as Latin-1
    try:
        document = lxml.html.document_fromstring(text)
    except Exception as error:  # lxml raises ParserError or ValueError on unusable markup
        raise UnreadableFileError(path, f"is HTML that cannot be parsed ({error})") from error
    rows: list[list[object]] = []
    for tr in document.iter("tr"):
        cells: list[object] = []
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            text = " ".join(cell.text_content().split())  # type: ignore[attr-defined]
            cells.append(text)
            span = cell.get("colspan", "1")
            cells.extend([""] * (int(span) - 1 if span.isdigit() and int(span) > 1 else 0))
        if cells:
            rows.append(cells)
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
    )
