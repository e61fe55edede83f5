"""What an import reports, and who it imports for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import duckdb

from shopops.ingest.readers import RawExport
from shopops.ingest.sources import Detection, SourceSpec


@dataclass(frozen=True)
class ImportResult:
    file: str
    source_key: str
    source_label: str
    shops: tuple[str, ...]
    rows: int
    rows_replaced: int
    skipped_rows: int
    duplicate_rows: int
    date_min: dt.date | None
    date_max: dt.date | None
    already_imported: bool = False
    import_id: int | None = None
    sheets: tuple[ImportResult, ...] = ()  # the other sheets of a multi-export workbook
    blank_cells: tuple[tuple[str, int], ...] = ()  # (column label, rows left empty) for spec.report_blanks
    pending_rows: int = 0  # rows with a cell still 延迟统计: unknown until settled (``pending``)
    pending_columns: tuple[str, ...] = ()  # the labels of the columns that held it
    skipped: tuple[tuple[str, int], ...] = ()  # (why, rows): blank, 合计/汇总, one-cell note
    unused_columns: tuple[str, ...] = ()  # headers of the file that no canonical column reads
    shop_rows: tuple[tuple[str, int], ...] = ()  # rows stored per shop, when a shop column spreads them
    sheets_passed_over: tuple[tuple[str, str], ...] = ()  # (sheet, why) of a workbook's sheets not imported


@dataclass(frozen=True)
class Scope:
    """Who imports, and for which shops: the same for every sheet of a workbook."""

    shop: str | None  # chosen by the user (--shop, the upload form)
    imported_by: str | None
    allowed: Collection[str] | None  # the shops a web user may write; None: every shop
    role: str | None = None  # a web user's account role (a source's ``import_roles``); None: the CLI


def blank_counts(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, columns: Collection[str], import_id: int
) -> tuple[tuple[str, int], ...]:
    """(column label, rows) of the ``report_blanks`` columns the import left empty (kept as unknown)."""
    blanks = [c for c in spec.report_blanks if c in columns]
    if not blanks:
        return ()
    counts = con.execute(
        f"SELECT {', '.join(f'count(*) FILTER (WHERE {c} IS NULL)' for c in blanks)}"
        f" FROM {spec.table} WHERE import_id = ?",
        [import_id],
    ).fetchone()
    assert counts is not None
    return tuple((spec.column(c).display, int(n)) for c, n in zip(blanks, counts, strict=True) if n)


def unused_columns(raw: RawExport, detection: Detection) -> tuple[str, ...]:
    """The file's headers that no canonical column reads, in file order (blank headers left out)."""
    used = set(detection.mapping.values())
    seen: set[str] = set()
    unused = []
    for index, name in enumerate(raw.header):
        if index not in used and name.strip():
            # A header the export repeats: the first is read, the second is named as a repeat.
            unused.append(f"{name} (重复表头)" if name in seen else name)
        seen.add(name)
    return tuple(unused)
