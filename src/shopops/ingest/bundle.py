"""Workbooks that hold several exports, one per sheet (罗盘's per-session 直播 file).

The importer reads the best-matching sheet as usual; the other sheets that are complete
exports of *another* known type are imported with it, all in the same transaction.
"""

from __future__ import annotations

from pathlib import Path

from shopops.errors import InputError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers.excel import sheet_names
from shopops.ingest.sources import Detection, SourceRegistry


def other_sheets(
    registry: SourceRegistry, raw: RawExport, detection: Detection, workdir: Path
) -> list[tuple[RawExport, Detection]]:
    """The other sheets of ``raw``'s workbook that are complete exports of another source."""
    if raw.sheet is None:
        return []
    seen = {detection.spec.key}
    found: list[tuple[RawExport, Detection]] = []
    name = raw.display_name.rsplit(" [", 1)[0]
    for sheet in sheet_names(raw.path):
        if sheet == raw.sheet:
            continue
        try:
            other = read_export(raw.path, registry.header_score, workdir, name, sheet)
            found_detection = registry.detect(other)
        except InputError:
            continue
        key = found_detection.spec.key
        if key in seen or found_detection.missing_required:
            continue
        seen.add(key)
        found.append((other, found_detection))
    return found
