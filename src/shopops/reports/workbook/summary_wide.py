"""总表 for more than ten shops: one row per shop and a 合计 row; every metric with its changes,
grouped by section, printed across pages with the shop columns repeated."""

from __future__ import annotations

from itertools import groupby, pairwise
from typing import Any

from shopops.metrics.catalog import Metric
from shopops.metrics.totals import TOTAL_SHOP, Coverage
from shopops.platforms import platform_label
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import (
    colour_changes,
    merge_text,
    metric_header,
    write_change,
    write_metric,
    write_text,
)
from shopops.reports.workbook.layout import print_pages, text_width, wrapped_height
from shopops.reports.workbook.summary_notes import change_note, coverages, notes, partial_lines

SHEET = "总表"
HEADER_ROW = 3  # section row; metric labels below it, then 当日/环比/周同比
FIRST_DATA_ROW = HEADER_ROW + 3
FIXED_COLUMNS = ("店铺", "平台")
CHANGE_WIDTH = 7.5


def write_wide_summary(book: Book, metrics: list[Metric], left_out: list[str]) -> None:
    """``metrics``: those with a value for some shop; ``left_out``: a line per section without any."""
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET, printed=True)
    comparisons = data.period.comparisons
    span = 1 + len(comparisons)
    for metric in metrics:
        book.show(SHEET, metric)
    book.title(worksheet, "总表", book.standard_subtitle() + " · " + change_note(book))
    fixed_widths = [max(text_width(name) for name in [TOTAL_SHOP, *(n for n, _ in data.shops)]), 6.0]
    sections = [(name, list(group)) for name, group in groupby(metrics, key=lambda m: m.section)]
    blocks = [
        [[_value_width(m), *([CHANGE_WIDTH] * len(comparisons))] for m in members] for _, members in sections
    ]
    scale, breaks = print_pages(fixed_widths, blocks)
    widths = [*fixed_widths, *(w for section in blocks for block in section for w in block)]
    for index, width in enumerate(widths):
        worksheet.set_column(index, index, width)
    for column, label in enumerate(FIXED_COLUMNS):
        merge_text(worksheet, (HEADER_ROW, column), (HEADER_ROW + 2, column), label, styles["header"])
    column = len(FIXED_COLUMNS)
    for name, members in sections:
        _section_header(worksheet, styles["section"], name, column, column + span * len(members) - 1, breaks)
        for metric in members:
            label = metric_header(metric, book.catalog, data.money_unit, data.period.grain)
            merge_text(
                worksheet,
                (HEADER_ROW + 1, column),
                (HEADER_ROW + 1, column + span - 1),
                label,
                styles["header"],
            )
            write_text(worksheet, HEADER_ROW + 2, column, data.period.current_label, styles["subheader"])
            for offset, (_, comparison) in enumerate(comparisons, start=1):
                write_text(worksheet, HEADER_ROW + 2, column + offset, comparison, styles["subheader"])
            column += span
    worksheet.set_row(HEADER_ROW + 1, 30)
    total = data.total_row()
    rows = [*data.shop_rows(), *([total] if total else [])]
    marks = coverages(book, metrics)
    for index, row in enumerate(rows):
        _write_row(book, worksheet, FIRST_DATA_ROW + index, row, metrics, marks if row is total else None)
    last_row = FIRST_DATA_ROW + len(rows) - 1
    for index, metric in enumerate(metrics):
        for offset in range(1, span):
            colour_changes(
                worksheet,
                FIRST_DATA_ROW,
                last_row,
                len(FIXED_COLUMNS) + span * index + offset,
                metric,
                styles,
            )
    # Notes wrap inside the first printed page (right of the repeated shop columns), so no page
    # shows a cut-off piece of them.
    note_first, note_last = len(FIXED_COLUMNS), (breaks[0] if breaks else len(widths)) - 1
    note_width = sum(widths[note_first : note_last + 1])
    lines = left_out + partial_lines(book, metrics, marks) + notes(book)
    for offset, line in enumerate(lines):
        note_row = last_row + 2 + offset
        worksheet.merge_range(note_row, note_first, note_row, note_last, "", styles["note_wrap"])
        write_text(worksheet, note_row, note_first, line, styles["note_wrap"])
        worksheet.set_row(note_row, wrapped_height([(line, note_width * 1.4)]))
    # Printed pages carry the title in the page header instead of the title rows, which would be
    # cut at the repeated columns on every page after the first.
    worksheet.set_header(
        f"&L&12{data.period.name} · 总表 · {data.period.label}&R&9金额单位：{data.money_unit}"
    )
    worksheet.print_area(HEADER_ROW, 0, last_row + 1 + len(lines), len(widths) - 1)
    worksheet.freeze_panes(FIRST_DATA_ROW, len(FIXED_COLUMNS))
    worksheet.repeat_rows(HEADER_ROW, HEADER_ROW + 2)
    worksheet.repeat_columns(0, len(FIXED_COLUMNS) - 1)
    worksheet.set_print_scale(scale)
    if breaks:
        worksheet.set_v_pagebreaks(breaks)
    worksheet.activate()


def _section_header(
    worksheet: Any, cell_format: Any, name: str, first: int, last: int, breaks: list[int]
) -> None:
    """The section's merged header, cut at page breaks so its name shows on every printed page."""
    cuts = [first, *(b for b in breaks if first < b <= last), last + 1]
    for index, (start, stop) in enumerate(pairwise(cuts)):
        merge_text(
            worksheet,
            (HEADER_ROW, start),
            (HEADER_ROW, stop - 1),
            name + ("（续）" if index else ""),
            cell_format,
        )


def _write_row(
    book: Book,
    worksheet: Any,
    row: int,
    values: dict[str, Any],
    metrics: list[Metric],
    marks: dict[str, Coverage] | None,
) -> None:
    """A shop's row, or the 合计 row (``marks``: its coverage per metric)."""
    is_total = marks is not None
    styles = book.styles
    data = book.data
    write_text(worksheet, row, 0, values["shop"], styles.cell("text", is_total))
    write_text(worksheet, row, 1, platform_label(values["platform"]), styles.cell("text", is_total))
    column = len(FIXED_COLUMNS)
    for metric in metrics:
        mark = marks[metric.key].mark if marks and metric.key in marks else ""
        write_metric(
            worksheet, row, column, metric, values[metric.key], styles, data.money_unit, is_total, mark
        )
        for offset, (name, _) in enumerate(data.period.comparisons, start=1):
            change = values.get(f"{metric.key}_{name}_change")
            write_change(worksheet, row, column + offset, metric, change, styles, is_total)
        column += 1 + len(data.period.comparisons)


def _value_width(metric: Metric) -> float:
    return {"money": 11.5, "count": 9, "ratio": 8.5, "score": 7}.get(metric.unit, 10)
