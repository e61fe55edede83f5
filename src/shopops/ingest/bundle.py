"""Workbooks that hold several exports, one per sheet (罗盘's per-session 直播 file).

The importer reads the best-matching sheet as usual; the other sheets that are complete
exports of *another* known type are imported with it, all in the same transaction.
"""

from __future__ import annotations

from pathlib import Path

from shopops.errors import InputError, UnreadableFileError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers.excel import sheet_names
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits
from shopops.ingest.sources import Detection, SourceRegistry


def other_sheets(
    registry: SourceRegistry,
    raw: RawExport,
    detection: Detection,
    workdir: Path,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[list[tuple[RawExport, Detection]], list[tuple[str, str]]]:
    """The other sheets of ``raw``'s workbook that are complete exports of another source, and
    the sheets that hold something but are not imported, each with the reason (never silent)."""
    if raw.sheet is None:
        return [], []
    seen = {detection.spec.key: raw.sheet}
    found: list[tuple[RawExport, Detection]] = []
    passed_over: list[tuple[str, str]] = []
    name = raw.display_name.rsplit(" [", 1)[0]
    for sheet in sheet_names(raw.path):
        if sheet == raw.sheet:
            continue
        try:
            other = read_export(raw.path, registry.header_score, workdir, name, sheet, limits)
            found_detection = registry.detect(other)
        except UnreadableFileError as error:
            if "empty" not in error.problem:  # an empty sheet loses nothing
                passed_over.append((sheet, error.problem))
            continue
        except InputError as error:
            passed_over.append((sheet, error.problem))
            continue
        key = found_detection.spec.key
        if key in seen:
            passed_over.append(
                (
                    sheet,
                    f"is a second {found_detection.spec.label} sheet (after {seen[key]}): save it as its own file",
                )
            )
            continue
        if found_detection.missing_required:
            passed_over.append((sheet, f"looks like a {found_detection.spec.label} export but lacks columns"))
            continue
        seen[key] = sheet
        found.append((other, found_detection))
    return found, passed_over
