"""数据来源: per shop, which export would fill each blank figure; which shops and days an export
does not cover; and the imported files the period rests on.

Missing data is said, not hidden: every figure that is "—" for a shop is named with the export
that would give it (or "该平台无此数据" when no export of the shop's platform can).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopops.metrics.coverage import COST_TABLE, undated_tables
from shopops.reports.missing_exports import NO_DATA, BlankMetric
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import write_date, write_number, write_text
from shopops.reports.workbook.layout import wrapped_height

SHEET = "数据来源"
# The file list's columns; the blocks above it use the same columns (店铺 first).
FILE_HEADERS = (
    ("店铺", 22),
    ("文件名", 50),
    ("导出类型", 40),
    ("导入行数", 10),
    ("替换行数", 10),
    ("数据起始日", 12),
    ("数据截止日", 12),
    ("导入时间", 17),
)
METRICS_WIDTH = 50  # column 1
REASON_WIDTH = 40 + 10 + 10 + 12 + 12 + 17  # columns 2 … 7, merged


def write_sources(book: Book) -> None:
    data = book.data
    worksheet = book.add_sheet(SHEET)
    first, last = data.data_range
    book.title(
        worksheet,
        "数据来源",
        f"数据仓库中有 {first} ~ {last} 的数据 · 本期 {data.period.start} ~ {data.period.end}"
        f" · 生成于 {data.generated_at:%Y-%m-%d %H:%M}",
    )
    for column, (_, width) in enumerate(FILE_HEADERS):
        worksheet.set_column(column, column, width)
    row = _write_blank(book, worksheet, 3)
    row = _write_missing(book, worksheet, row + 2)
    _write_files(book, worksheet, row + 2)
    worksheet.fit_to_pages(1, 0)


def blank_lines(blank: list[BlankMetric]) -> list[tuple[str, str, str]]:
    """(shop, metrics, reason) per shop and reason, in the catalog's order; the metrics no export of
    the shop's platform gives come last, once, as ("shop", "该平台无此数据：…", "")."""
    lines: list[tuple[str, str, str]] = []
    for shop in dict.fromkeys(b.shop for b in blank):
        groups: dict[str, list[str]] = {}
        for item in blank:
            if item.shop == shop:
                groups.setdefault(item.reason, []).append(item.label)
        lines += [(shop, "、".join(labels), f"← {why}") for why, labels in groups.items() if why != NO_DATA]
        if NO_DATA in groups:
            lines.append((shop, f"{NO_DATA}：{'、'.join(groups[NO_DATA])}", ""))
    return lines


def _write_blank(book: Book, worksheet: Any, row: int) -> int:
    """Per shop, the figures that are "—" this period, grouped by the export that would fill them."""
    styles = book.styles
    period = book.data.period
    write_text(
        worksheet,
        row,
        0,
        f"缺少的数据（本期 {period.start} ~ {period.end}）：为“—”的指标，和补上它要导入的文件",
        styles["heading"],
    )
    lines = blank_lines(book.data.blank)
    if not lines:
        write_text(worksheet, row + 1, 0, "没有：每个店铺的每个指标都有值。", styles["note"])
        return row + 1
    row += 1
    for column, label in ((0, "店铺"), (1, "为“—”的指标")):
        write_text(worksheet, row, column, label, styles["header"])
    worksheet.merge_range(row, 2, row, 7, "", styles["header"])
    write_text(worksheet, row, 2, "原因 / 要导入的文件", styles["header"])
    for shop, metrics, reason in lines:
        row += 1
        write_text(worksheet, row, 0, shop, styles["text"])
        if reason:
            write_text(worksheet, row, 1, metrics, styles["wrap"])
            worksheet.merge_range(row, 2, row, 7, "", styles["wrap"])
            write_text(worksheet, row, 2, reason, styles["wrap"])
            cells = [(metrics, METRICS_WIDTH), (reason, REASON_WIDTH)]
        else:
            worksheet.merge_range(row, 1, row, 7, "", styles["wrap"])
            write_text(worksheet, row, 1, metrics, styles["wrap"])
            cells = [(metrics, METRICS_WIDTH + REASON_WIDTH)]
        worksheet.set_row(row, wrapped_height(cells))
    write_text(
        worksheet,
        row + 1,
        0,
        "“已导入…仍无值”：导出里没有这一列、商品资料缺成本价（见利润表的成本覆盖率）、未设置发货成本规则"
        "（shopops.yaml 的 shipping）或比率的分母为 0。",
        styles["note"],
    )
    return row + 1


def _write_files(book: Book, worksheet: Any, row: int) -> None:
    """The imported files whose days reach the period (and the cost sheets, undated lists); the
    files only the trend and comparison periods use are counted, not listed."""
    data = book.data
    styles = book.styles
    period = data.period
    undated = set(undated_tables())
    records = list(data.files.iter_rows(named=True))
    used = [
        r
        for r in records
        if r["target_table"] in undated
        or r["target_table"] == COST_TABLE
        or r["date_min"] is None
        or (r["date_min"] <= period.end and r["date_max"] >= period.start)
    ]
    write_text(worksheet, row, 0, f"本期用到的导入文件（{len(used)} 个）", styles["heading"])
    row += 1
    for column, (label, _) in enumerate(FILE_HEADERS):
        write_text(worksheet, row, column, label, styles["header"])
    for record in used:
        row += 1
        _write_file(book, worksheet, row, record)
    others = len(records) - len(used)
    if others:
        write_text(
            worksheet,
            row + 1,
            0,
            f"另有 {others} 个文件只用于比较期与趋势，未列出（`shopops imports` 列出全部导入）。",
            styles["note"],
        )


def _write_file(book: Book, worksheet: Any, row: int, record: dict[str, Any]) -> None:
    styles = book.styles
    dash = styles["dash"]
    shops = "全部店铺" if record["shops"] == "*" else str(record["shops"]).replace(",", "、")
    write_text(worksheet, row, 0, shops, styles["text"])
    write_text(worksheet, row, 1, record["file_name"], styles["text"])
    label = book.data.source_labels.get(record["source_key"], record["source_key"])
    write_text(worksheet, row, 2, f"{label}（{record['source_key']}）", styles["text"])
    write_number(worksheet, row, 3, float(record["rows_imported"]), styles.cell("count"), dash)
    write_number(worksheet, row, 4, float(record["rows_replaced"]), styles.cell("count"), dash)
    for column, key in ((5, "date_min"), (6, "date_max")):
        if record[key] is None:
            write_text(worksheet, row, column, "—", dash)
        else:
            write_date(worksheet, row, column, record[key], styles.cell("date"))
    write_date(worksheet, row, 7, record["imported_at"], styles.cell("datetime"))


def _write_missing(book: Book, worksheet: Any, row: int) -> int:
    data = book.data
    styles = book.styles
    period = data.period
    write_text(
        worksheet, row, 0, f"已导入的导出缺哪些日期（本期 {period.start} ~ {period.end}）", styles["heading"]
    )
    gaps = [r for r in data.coverage.iter_rows(named=True) if r["missing"]]
    if not gaps:
        text = "本期每个店铺导入过的每类导出都覆盖了每一天（从未导入的见上面的“缺少的数据”）。"
        write_text(worksheet, row + 1, 0, text, styles["note"])
        return row + 1
    row += 1
    for column, label in enumerate(("店铺", "数据类型", "有数据天数", "缺少的日期")):
        write_text(worksheet, row, column, label, styles["header"])
    for gap in gaps:
        row += 1
        write_text(worksheet, row, 0, gap["shop"], styles["text"])
        label = data.table_labels.get(gap["target_table"], gap["target_table"])
        write_text(worksheet, row, 1, label, styles["text"])
        write_text(worksheet, row, 2, f"{gap['covered_days']} / {gap['total_days']}", styles["text"])
        write_text(worksheet, row, 3, date_ranges(gap["missing"]), styles["warning"])
    return row


def date_ranges(days: list[dt.date]) -> str:
    """2026-11-20 ~ 2026-11-22、2026-11-24 — consecutive days joined into ranges."""
    parts: list[str] = []
    ordered = sorted(days)
    start = previous = ordered[0]
    for day in [*ordered[1:], None]:
        if day is not None and day - previous == dt.timedelta(days=1):
            previous = day
            continue
        parts.append(str(start) if start == previous else f"{start} ~ {previous}")
        if day is not None:
            start = previous = day
    return "、".join(parts)
