"""How big a file the readers accept: hostile or broken files must not take the machine down.

A 2 MB ZIP can unpack to gigabytes, a tiny workbook can ask for a grid of a billion cells and an
HTML cell can claim to span two billion columns. Every reader checks these limits *before* it
spends the memory or disk (while unpacking, from a workbook's part sizes and cell positions,
while parsing HTML) and refuses the file with one line that names the limit and how to raise it.
The defaults sit well above real exports; a workspace changes them under ``limits:`` in
shopops.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from shopops.errors import UnreadableFileError
from shopops.settings import READ_LIMIT_DEFAULTS

CONFIG_SECTION = "limits"

# A ZIP member or workbook part is judged by its packing ratio only once it is this big: a small
# file of blank lines or empty cells packs 200:1 without being a threat.
RATIO_FLOOR_BYTES = 16 << 20


@dataclass(frozen=True)
class ReadLimits:
    """The largest file the readers accept: one field per ``limits:`` key in shopops.yaml, whose
    defaults (and validation) live with the other settings (``READ_LIMIT_DEFAULTS``)."""

    unpacked_mb: int = READ_LIMIT_DEFAULTS["unpacked_mb"]  # a ZIP member or all parts of a workbook (MiB)
    ratio: int = READ_LIMIT_DEFAULTS["ratio"]  # unpacked ÷ packed size of a ZIP member or workbook part
    rows: int = READ_LIMIT_DEFAULTS["rows"]  # rows of a table (lines of a text file)
    columns: int = READ_LIMIT_DEFAULTS["columns"]  # columns of a row
    cells: int = READ_LIMIT_DEFAULTS["cells"]  # rows × columns of a workbook sheet (held in memory at once)
    cell_chars: int = READ_LIMIT_DEFAULTS["cell_chars"]  # characters in one cell (Excel's own limit)
    span: int = READ_LIMIT_DEFAULTS["span"]  # colspan / rowspan of an HTML table cell

    @property
    def unpacked_bytes(self) -> int:
        return self.unpacked_mb << 20


DEFAULT_LIMITS = ReadLimits()

LIMIT_KEYS = tuple(f.name for f in fields(ReadLimits))


def limit_text(key: str, limits: ReadLimits) -> str:
    """``limit limits.rows = 5000000 in shopops.yaml``: where the user raises it."""
    return f"limit {CONFIG_SECTION}.{key} = {getattr(limits, key)} in shopops.yaml"


def size_text(megabytes: int) -> str:
    if megabytes >= 1024 and megabytes % 1024 == 0:
        return f"{megabytes // 1024} GiB"
    return f"{megabytes} MiB"


def over_limit(
    path: Path,
    label: str,
    problem: str,
    key: str,
    limits: ReadLimits,
    hint: str,
    *,
    row: int | None = None,
    column: str | None = None,
) -> UnreadableFileError:
    """The one-line refusal: ``file: <problem> (limit limits.<key> = N in shopops.yaml) — <hint>, or raise the limit``."""
    error = UnreadableFileError(
        path,
        f"{problem} ({limit_text(key, limits)})",
        row=row,
        column=column,
        hint=f"{hint}, or raise the limit",
    )
    error.relabel(label)
    return error


def too_many_rows(path: Path, label: str, limits: ReadLimits) -> UnreadableFileError:
    """The refusal of a file with more rows than ``limits.rows``, the same from every reader."""
    return over_limit(
        path, label, f"has more than {limits.rows:,} rows", "rows", limits, "split the export by date range"
    )


__all__ = [
    "CONFIG_SECTION",
    "DEFAULT_LIMITS",
    "LIMIT_KEYS",
    "RATIO_FLOOR_BYTES",
    "ReadLimits",
    "limit_text",
    "over_limit",
    "size_text",
    "too_many_rows",
]
