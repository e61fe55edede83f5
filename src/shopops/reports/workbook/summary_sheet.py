"""总表: metrics as rows grouped by section, shops as column groups (当日 / 环比 / 周同比), the 合计
group first — the way operators' own 总表 look — printed one page wide.

Metrics no selected shop has a value for are left out, and so are sections without any; a line
under the table names the exports that would fill such a section. A 合计 resting on some shops
only keeps its number (Excel can sum it) and shows its coverage through the cell's number format
("5,189 ⁽³⁄₄⁾"); a note names the missing shops. More than ten shops: shops as rows
(:mod:`summary_wide`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from shopops.metrics.catalog import Metric
from shopops.metrics.totals import TOTAL_SHOP, Coverage, is_additive
from shopops.platforms import platform_label
from shopops.reports.workbook.book import Book, summary_metrics
from shopops.reports.workbook.cells import (
    change_kind,
    colour_changes,
    merge_text,
    metric_header,
    shown_change,
    shown_value,
    value_kind,
    write_change,
    write_metric,
    write_text,
)
from shopops.reports.workbook.layout import (
    LINE_HEIGHT,
    PRINTABLE_PX,
    column_px,
    print_pages,
    text_width,
    wrapped_height,
)
from shopops.reports.workbook.summary_notes import (
    change_note,
    coverages,
    left_out_lines,
    notes,
    partial_lines,
)
from shopops.reports.workbook.summary_targets import target_lines, write_targets_section
from shopops.reports.workbook.summary_wide import write_wide_summary

SHEET = "总表"
HEADER_ROW = 3  # 指标 and the column groups' names; 当日/环比/周同比 below; sections from HEADER_ROW + 2
FIRST_ROW = HEADER_ROW + 2
MAX_COLUMN_SHOPS = 10  # more shops: shops as rows
MIN_FIT_SCALE = 65  # below it, the groups print across pages with the metric column repeated
CHANGE_MIN_WIDTH = 6.5
LABEL_MAX_WIDTH = 15.0  # longer metric names wrap to two lines
SPARE_WIDTH = 10.0
VALUE_MIN_WIDTH = 8.0


@dataclass(frozen=True)
class Group:
    """A column group: a shop, or the 合计 (``marks``: its coverage per metric)."""

    title: str
    shop: str | None  # None for the 合计
    values: dict[str, Any]
    marks: dict[str, Coverage] | None = None


def write_summary(book: Book) -> None:
    data = book.data
    metrics = summary_metrics(book.catalog)
    shop_rows = data.shop_rows()
    shown = [m for m in metrics if any(r.get(m.key) is not None for r in shop_rows)]
    kept = {m.section for m in shown}
    left_out = left_out_lines(book, [s for s in dict.fromkeys(m.section for m in metrics) if s not in kept])
    if len(data.shops) > MAX_COLUMN_SHOPS:
        write_wide_summary(book, shown, left_out)
    else:
        _write_columns(book, shown, left_out)


def _groups(book: Book, metrics: list[Metric]) -> list[Group]:
    data = book.data
    shops = [
        Group(f"{row['shop']}\n{platform_label(str(row['platform']))}", str(row["shop"]), row)
        for row in data.shop_rows()
    ]
    total = data.total_row()
    if total is None or len(shops) < 2:
        return shops
    return [Group(f"{TOTAL_SHOP}\n{len(shops)} 个店铺", None, total, coverages(book, metrics)), *shops]


def _write_columns(book: Book, metrics: list[Metric], left_out: list[str]) -> None:
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET, printed=True)
    comparisons = data.period.comparisons
    span = 1 + len(comparisons)
    for metric in metrics:
        book.show(SHEET, metric)
    book.title(worksheet, "总表", book.standard_subtitle() + " · " + change_note(book))
    groups = _groups(book, metrics)
    labels = {m.key: metric_header(m, book.catalog, data.money_unit, data.period.grain) for m in metrics}
    label_width = min(LABEL_MAX_WIDTH, max(_label_units(text) + 1.5 for text in labels.values()))
    widths = [label_width]
    for group in groups:
        widths += _group_widths(book, group, metrics, len(comparisons))
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, width)
    last_column = len(widths) - 1
    _write_header(book, worksheet, groups)
    columns = [(group.shop, 1 + span * index) for index, group in enumerate(groups)]
    row = write_targets_section(book, worksheet, FIRST_ROW, columns, label_width)
    for section, members in groupby(metrics, key=lambda m: m.section):
        merge_text(worksheet, (row, 0), (row, last_column), section, styles["section"])
        row += 1
        for metric in members:
            write_text(worksheet, row, 0, labels[metric.key], styles["label"])
            label_lines = math.ceil(_label_units(labels[metric.key]) / label_width)
            if label_lines > 1:
                worksheet.set_row(row, label_lines * LINE_HEIGHT + 3)
            for index, group in enumerate(groups):
                _write_cells(book, worksheet, row, 1 + span * index, metric, group)
            row += 1
    last_row = row - 1
    fit = 100 * PRINTABLE_PX / sum(column_px(w) for w in widths)
    if fit > 100:  # a narrow table: the notes under it use the page's width
        spare = int((PRINTABLE_PX - sum(column_px(w) for w in widths)) / column_px(SPARE_WIDTH))
        widths += [SPARE_WIDTH] * spare
        worksheet.set_column(last_column + 1, last_column + spare, SPARE_WIDTH)
    breaks: list[int] = []
    if fit < MIN_FIT_SCALE:  # too many shops for one page wide: whole groups per page
        scale, breaks = print_pages(
            [label_width], [[widths[1 + span * i : 1 + span * (i + 1)]] for i in range(len(groups))]
        )
        worksheet.set_print_scale(scale)
        worksheet.set_v_pagebreaks(breaks)
    else:
        worksheet.fit_to_pages(1, 0)
    lines = [
        *left_out,
        *partial_lines(book, metrics, groups[0].marks or {}),
        *target_lines(book),
        *notes(book),
    ]
    _write_notes(book, worksheet, last_row + 2, lines, widths[: breaks[0] if breaks else len(widths)])
    # Printed pages carry the title in the page header instead of the title rows.
    worksheet.set_header(
        f"&L&12{data.period.name} · 总表 · {data.period.label}&R&9金额单位：{data.money_unit}"
    )
    worksheet.print_area(HEADER_ROW, 0, last_row + 1 + len(lines), len(widths) - 1)
    worksheet.freeze_panes(FIRST_ROW, 1)
    worksheet.repeat_rows(HEADER_ROW, HEADER_ROW + 1)
    worksheet.repeat_columns(0, 0)
    worksheet.activate()


def _write_notes(book: Book, worksheet: Any, row: int, lines: list[str], widths: list[float]) -> None:
    """One merged, wrapped row per line across ``widths`` (the first printed page's columns)."""
    style = book.styles["note_wrap"]
    for offset, line in enumerate(lines):
        worksheet.merge_range(row + offset, 0, row + offset, len(widths) - 1, "", style)
        write_text(worksheet, row + offset, 0, line, style)
        worksheet.set_row(row + offset, wrapped_height([(line, sum(widths) * 1.3)]))


def _write_header(book: Book, worksheet: Any, groups: list[Group]) -> None:
    """指标, then per column group its name over 当日 / 环比 / 周同比 (本周 / 环比 / 同比 …)."""
    styles = book.styles
    period = book.data.period
    span = 1 + len(period.comparisons)
    merge_text(worksheet, (HEADER_ROW, 0), (HEADER_ROW + 1, 0), "指标", styles["header"])
    for index, group in enumerate(groups):
        first = 1 + span * index
        merge_text(
            worksheet, (HEADER_ROW, first), (HEADER_ROW, first + span - 1), group.title, styles["header"]
        )
        write_text(worksheet, HEADER_ROW + 1, first, period.current_label, styles["subheader"])
        for offset, (_, label) in enumerate(period.comparisons, start=1):
            write_text(worksheet, HEADER_ROW + 1, first + offset, label, styles["subheader"])
    worksheet.set_row(HEADER_ROW, 30)


def _write_cells(book: Book, worksheet: Any, row: int, column: int, metric: Metric, group: Group) -> None:
    data = book.data
    styles = book.styles
    value = group.values.get(metric.key)
    is_total = group.marks is not None
    mark = group.marks[metric.key].mark if group.marks and metric.key in group.marks else ""
    kind = _value_format(book, metric)
    write_metric(worksheet, row, column, metric, value, styles, data.money_unit, is_total, mark, kind)
    comparisons = data.period.comparisons
    for offset, (name, _) in enumerate(comparisons, start=1):
        change = group.values.get(f"{metric.key}_{name}_change")
        write_change(worksheet, row, column + offset, metric, change, styles, is_total)
    colour_changes(worksheet, row, row, column + 1, metric, styles, last_column=column + len(comparisons))


def _group_widths(book: Book, group: Group, metrics: list[Metric], changes: int) -> list[float]:
    """Widths that show every value of the group without "###": the longest formatted text."""
    data = book.data
    value_width, change_widths = VALUE_MIN_WIDTH, [CHANGE_MIN_WIDTH] * changes
    bold = group.marks is not None  # the 合计 is bold
    for metric in metrics:
        mark = group.marks[metric.key].mark if group.marks and metric.key in group.marks else ""
        shown = shown_value(metric, group.values.get(metric.key), data.money_unit)
        value_width = max(
            value_width, _number_width(_formatted(_value_format(book, metric), shown) + mark, bold)
        )
        for index, (name, _) in enumerate(data.period.comparisons):
            change = shown_change(metric, group.values.get(f"{metric.key}_{name}_change"))
            change_widths[index] = max(
                change_widths[index], _number_width(_formatted(change_kind(metric), change), bold)
            )
    title_width = max(text_width(line) for line in group.title.splitlines())
    extra = max(0.0, title_width - value_width - sum(change_widths))
    return [value_width + extra, *change_widths]


def _value_format(book: Book, metric: Metric) -> str:
    """Amounts of a week or a month in whole yuan (the cell keeps the cents); the rest as usual."""
    data = book.data
    whole = data.period.grain != "day" and data.money_unit == "元" and is_additive(metric)
    return "money_whole" if whole else value_kind(metric)


def _formatted(kind: str, value: float | None) -> str:
    """Roughly the text a number format shows (for widths only)."""
    if value is None or math.isnan(value):
        return "—"
    texts = {
        "money": f"{value:,.2f}",
        "money_whole": f"{value:,.0f}",
        "count": f"{value:,.0f}",
        "percent": f"{value:.2%}",
        "change_pct": f"{value:+.1%}",
        "change_pp": f"{value:+.2f}pp",
        "change_score": f"{value:+.3f}",
    }
    return texts.get(kind, f"{value:,.2f}")


def _number_width(text: str, bold: bool) -> float:
    """Units of the default font a formatted number takes (a unit is a digit's width): separators
    and signs are narrower, "%" and the coverage mark wider; plus the cell's padding."""
    units = sum(1.0 if ch.isalnum() else 1.3 if ch in "%—" else 0.7 if ch.isascii() else 0.6 for ch in text)
    return units * (1.1 if bold else 1.0) + 0.8


def _label_units(text: str) -> float:
    """Width of a label in units: a CJK character of the 10 pt font is about 1.6 digits wide."""
    return sum(1.6 if ord(ch) > 0x2E80 else 0.8 for ch in text)
