"""The 总表's top section 目标达成: per target (metric and period) a row, per shop column group
完成进度 / 进度差 / 状态 — the 合计 group shows the targets for every shop (全部店铺). The full
table (目标, 已完成, 预测 …) stays on the 目标达成 sheet."""

from __future__ import annotations

from typing import Any

from shopops.analysis.targets import Pace
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import merge_text, write_number, write_text
from shopops.reports.workbook.layout import wrapped_height
from shopops.reports.workbook.styles import BORDER, GREEN, RED
from shopops.reports.workbook.targets_sheet import BAD, GOOD

HEADINGS = ("完成进度", "进度差", "状态")
CENTRED = {"align": "center", "valign": "vcenter"}


def target_lines(book: Book) -> list[str]:
    """What the section cannot show, for the notes under the table."""
    data = book.data
    lines = []
    if data.target_problem:
        lines.append(f"目标表有误：{data.target_problem}")
    if any(p.target.scope.kind == "group" for p in data.pacing):
        lines.append("店铺组的目标进度见「目标达成」表。")
    return lines


def write_targets_section(
    book: Book, worksheet: Any, row: int, groups: list[tuple[str | None, int]], label_width: float
) -> int:
    """``groups``: (shop name, or None for the 合计, first column) of each column group; returns the
    next free row (``row`` itself when no target is under way)."""
    data = book.data
    styles = book.styles
    paces = [p for p in data.pacing if p.target.scope.kind in ("shop", "all")]
    if not paces:
        return row
    last_column = groups[-1][1] + len(HEADINGS) - 1
    heading = f"目标达成（截至 {data.period.end}，含当日；详见「目标达成」表）"
    merge_text(worksheet, (row, 0), (row, last_column), heading, styles["section"])
    row += 1
    write_text(worksheet, row, 0, "目标（时间进度）", styles["subheader"])
    worksheet.set_row(row, wrapped_height([("目标（时间进度）", label_width * 1.25)]))
    for _, first in groups:
        for offset, label in enumerate(HEADINGS):
            write_text(worksheet, row, first + offset, label, styles["subheader"])
    marks = {
        **dict.fromkeys(GOOD, book.workbook.add_format({**GREEN, **BORDER, **CENTRED})),
        **dict.fromkeys(BAD, book.workbook.add_format({**RED, **BORDER, **CENTRED})),
    }
    rows: dict[tuple[Any, str], dict[str | None, Pace]] = {}
    for pace in sorted(paces, key=lambda p: (p.period.start, p.period.kind)):
        shop = pace.target.scope.name if pace.target.scope.kind == "shop" else None
        rows.setdefault((pace.period, pace.metric.key), {})[shop] = pace
    for by_shop in rows.values():
        row += 1
        first_pace = next(iter(by_shop.values()))
        label = f"{first_pace.metric.label} {first_pace.period.key}（{first_pace.time_progress:.0%}）"
        write_text(worksheet, row, 0, label, styles["label"])
        worksheet.set_row(row, wrapped_height([(label, label_width * 1.25)]))
        for shop, first in groups:
            found = by_shop.get(shop)
            if found is None:  # no target for this shop
                for offset in range(len(HEADINGS)):
                    write_text(worksheet, row, first + offset, "", styles["text"])
                continue
            write_number(worksheet, row, first, found.completion, styles.cell("percent"), styles["dash"])
            gap = None if found.progress_gap is None else found.progress_gap * 100
            write_number(worksheet, row, first + 1, gap, styles.cell("change_pp"), styles["dash"])
            write_text(worksheet, row, first + 2, found.status, marks.get(found.status, styles["text"]))
    return row + 1
