"""Sizes for print and wrapped text: XlsxWriter cannot measure, so widths are estimated here.

Column widths are in character units of the workbook's default font: 7 px each with Calibri 11,
about 8.5 px with the 10 pt CJK font we use (measured in LibreOffice), so 8.5 is assumed; a CJK
character takes two units. A4 landscape with 0.3" side margins leaves about 1,065 px at 100 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# A4 landscape, 0.3" margins, 96 dpi, less a small safety margin: a manual page break must come
# before the application's own.
PRINTABLE_PX = int(1065 * 0.95)
UNIT_PX = 8.5
MIN_SCALE = 75
LINE_HEIGHT = 14.5


def column_px(width: float) -> int:
    return int(width * UNIT_PX + 5)


def text_units(text: str) -> float:
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def text_width(text: str, minimum: float = 0) -> float:
    """A column width that shows ``text`` on one line."""
    return max(minimum, text_units(text) + 2)


def wrapped_height(cells: Sequence[tuple[str, float]]) -> float:
    """Row height for wrapped cells given (text, column width) pairs: the tallest cell wins."""
    lines = max((math.ceil(text_units(text) / max(width - 1, 1)) for text, width in cells), default=1)
    return max(1, lines) * LINE_HEIGHT + 3


def print_pages(fixed: Sequence[float], groups: Sequence[Sequence[Sequence[float]]]) -> tuple[int, list[int]]:
    """Scale and vertical page breaks for a wide table printed across pages.

    ``fixed`` are the widths of the columns repeated on every page; ``groups`` are sections, each
    a list of blocks (a metric and its change columns) that are never split. Sections stay whole
    on a page when they fit; the scale is the largest (≤ 100 %, ≥ MIN_SCALE) that fits the widest
    section. Returns (scale, first column of each page after the first).
    """
    fixed_px = sum(column_px(w) for w in fixed)
    blocks = [[sum(column_px(w) for w in block) for block in section] for section in groups]
    widest = max((sum(section) for section in blocks), default=0)
    scale = max(MIN_SCALE, min(100, math.floor(100 * PRINTABLE_PX / max(fixed_px + widest, 1))))
    capacity = PRINTABLE_PX * 100 / scale - fixed_px
    breaks: list[int] = []
    column, used = len(fixed), 0.0
    for section, widths in zip(groups, blocks, strict=True):
        total = sum(widths)
        if used and used + total > capacity and total <= capacity:
            breaks.append(column)
            used = 0
        for block, width in zip(section, widths, strict=True):
            if used and used + width > capacity:
                breaks.append(column)
                used = 0
            used += width
            column += len(block)
    return scale, breaks
