"""Real workbooks (.xlsx, .xlsm, .xlsb, binary .xls) through python-calamine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from shopops.errors import UnreadableFileError
from shopops.ingest.readers.table import HeaderScorer, RawExport, clean_header, locate_header


def read_workbook(path: Path, display_name: str, scorer: HeaderScorer) -> RawExport:
    """The sheet whose header looks most like a known export (the first sheet on a tie)."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets: list[tuple[str, Sequence[Sequence[object]]]] = [
            (name, workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names
        ]
    except Exception as error:  # calamine raises several unrelated types for damaged files
        raise UnreadableFileError(
            path,
            f"is a damaged or incomplete workbook ({type(error).__name__}: {str(error)[:80]})",
            hint="download the export again; if it was saved from another program, save it as .xlsx",
        ) from error
    best: RawExport | None = None
    best_score = -1.0
    for name, rows in sheets:
        if not any(any(cell not in ("", None) for cell in row) for row in rows):
            continue
        header_index, titles = locate_header(rows, scorer)
        header = [clean_header(str(cell)) for cell in rows[header_index]]
        while header and not header[-1]:
            header.pop()
        score = scorer(header)
        if score > best_score:
            best_score = score
            best = RawExport(
                path=path,
                display_name=f"{display_name} [{name}]" if len(sheets) > 1 else display_name,
                header=header,
                header_row=header_index + 1,
                title_lines=titles,
                sheet=name,
                rows=rows[header_index + 1 :],
            )
    if best is None:
        raise UnreadableFileError(
            path, "is an empty workbook", hint="export the report again; it holds no rows"
        )
    return best
