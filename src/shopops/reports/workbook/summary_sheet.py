"""总表: one row per shop and a 合计 row; every metric with its changes, grouped by section."""

from __future__ import annotations

from itertools import groupby, pairwise
from typing import Any

from shopops.metrics.catalog import Metric
from shopops.metrics.completeness import skipped_text
from shopops.metrics.totals import TOTAL_SHOP
from shopops.platforms import platform_label
from shopops.reports.workbook.book import Book, summary_metrics
from shopops.reports.workbook.cells import (
    colour_changes,
    merge_text,
    metric_header,
    write_change,
    write_metric,
    write_text,
)
from shopops.reports.workbook.layout import print_pages, text_width, wrapped_height

SHEET = "总表"
HEADER_ROW = 3  # section row; metric labels below it, then 当日/环比/周同比
FIRST_DATA_ROW = HEADER_ROW + 3
FIXED_COLUMNS = ("店铺", "平台")
CHANGE_WIDTH = 7.5


def write_summary(book: Book) -> None:
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    comparisons = data.period.comparisons
    span = 1 + len(comparisons)
    metrics = summary_metrics(book.catalog)
    for metric in metrics:
        book.show(SHEET, metric)
    book.title(worksheet, "总表", book.standard_subtitle() + " · " + _change_note(book))
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
    for index, row in enumerate(rows):
        _write_row(book, worksheet, FIRST_DATA_ROW + index, row, metrics, is_total=row is total)
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
    notes = _notes(book)
    for offset, line in enumerate(notes):
        note_row = last_row + 2 + offset
        worksheet.merge_range(note_row, note_first, note_row, note_last, "", styles["note_wrap"])
        write_text(worksheet, note_row, note_first, line, styles["note_wrap"])
        worksheet.set_row(note_row, wrapped_height([(line, note_width * 1.4)]))
    # Printed pages carry the title in the page header instead of the title rows, which would be
    # cut at the repeated columns on every page after the first.
    worksheet.set_header(
        f"&L&12{data.period.name} · 总表 · {data.period.label}&R&9金额单位：{data.money_unit}"
    )
    worksheet.print_area(HEADER_ROW, 0, last_row + 1 + len(notes), len(widths) - 1)
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
    book: Book, worksheet: Any, row: int, values: dict[str, Any], metrics: list[Metric], is_total: bool
) -> None:
    styles = book.styles
    data = book.data
    write_text(worksheet, row, 0, values["shop"], styles.cell("text", is_total))
    write_text(worksheet, row, 1, platform_label(values["platform"]), styles.cell("text", is_total))
    column = len(FIXED_COLUMNS)
    for metric in metrics:
        write_metric(worksheet, row, column, metric, values[metric.key], styles, data.money_unit, is_total)
        for offset, (name, _) in enumerate(data.period.comparisons, start=1):
            change = values.get(f"{metric.key}_{name}_change")
            write_change(worksheet, row, column + offset, metric, change, styles, is_total)
        column += 1 + len(data.period.comparisons)


def _change_note(book: Book) -> str:
    grain = book.data.period.grain
    if grain == "day":
        return "环比 = 较前一日，周同比 = 较上周同日"
    unit = "周" if grain == "week" else "月"
    return f"环比 = 较上一{unit}，同比 = 较去年同期"


def _notes(book: Book) -> list[str]:
    lines = [
        "说明：金额、单量的变化为百分比；比率（转化率、推广费比、退款率、成本覆盖率）的变化为百分点（pp）；"
        "ROI 与 DSR 的变化为差值。绿色 = 向好，红色 = 变差（按指标的方向）。",
        "合计：金额与单量为各店铺相加（任一店铺未知则为“—”）；转化率、客单价、ROI、退款率等由相加后的分子、"
        "分母重新计算，不是各店比率的平均；访客数、支付买家数为各店铺相加（日累加），不是去重人数；DSR 不合计。",
    ]
    total = book.data.total_row()
    if total and total.get("basis_note"):  # shops on platforms whose 口径 differ (JD, Douyin, Taobao)
        lines.append(f"口径：{total['basis_note']}")
    if book.data.period.grain != "day":
        lines.append("周/月的访客数、支付买家数为每日去重人数之和（日累加）。")
    lines += [f"数据不完整：{p.text()}；该日的数字不全，不要当作全天。" for p in book.data.incomplete]
    if book.data.skipped:
        lines.append(skipped_text(book.data.skipped).replace("默认用", "本报表默认写"))
    if not book.data.period.complete:
        lines.append(f"本期数据截至 {book.data.period.end}，不是完整的一期；与上一期比较时请注意。")
    lines.append("每个指标的口径见「口径说明」，数据来自哪些文件、哪些店铺哪天缺数据见「数据来源」。")
    return lines


def _value_width(metric: Metric) -> float:
    return {"money": 11.5, "count": 9, "ratio": 8.5, "score": 7}.get(metric.unit, 10)
