"""数据来源: every imported file the report rests on, and which shops and days have no data.

Missing data is said, not hidden: each export kind a shop lacks for a day of the period is listed,
and so is every 总表 figure that is "—".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopops.reports.workbook.book import Book, summary_metrics
from shopops.reports.workbook.cells import write_date, write_number, write_text
from shopops.reports.workbook.layout import wrapped_height

SHEET = "数据来源"
FILE_HEADERS = (
    ("文件名", 50),
    ("导出类型", 40),
    ("店铺", 16),
    ("导入行数", 10),
    ("替换行数", 10),
    ("数据起始日", 12),
    ("数据截止日", 12),
    ("导入时间", 17),
)


def write_sources(book: Book) -> None:
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    first, last = data.data_range
    book.title(
        worksheet,
        "数据来源",
        f"数据仓库中有 {first} ~ {last} 的数据 · 本期 {data.period.start} ~ {data.period.end}"
        f" · 生成于 {data.generated_at:%Y-%m-%d %H:%M}",
    )
    row = 3
    write_text(worksheet, row, 0, "本报表用到的导入文件（含比较期与趋势期）", styles["heading"])
    row += 1
    for column, (label, width) in enumerate(FILE_HEADERS):
        write_text(worksheet, row, column, label, styles["header"])
        worksheet.set_column(column, column, width)
    for record in data.files.iter_rows(named=True):
        row += 1
        _write_file(book, worksheet, row, record)
    row += 2
    row = _write_missing(book, worksheet, row)
    row += 2
    _write_unknown(book, worksheet, row)
    worksheet.fit_to_pages(1, 0)


def _write_file(book: Book, worksheet: Any, row: int, record: dict[str, Any]) -> None:
    styles = book.styles
    dash = styles["dash"]
    write_text(worksheet, row, 0, record["file_name"], styles["text"])
    label = book.data.source_labels.get(record["source_key"], record["source_key"])
    write_text(worksheet, row, 1, f"{label}（{record['source_key']}）", styles["text"])
    shops = "全部店铺" if record["shops"] == "*" else str(record["shops"]).replace(",", "、")
    write_text(worksheet, row, 2, shops, styles["text"])
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
        worksheet, row, 0, f"缺数据的店铺与日期（本期 {period.start} ~ {period.end}）", styles["heading"]
    )
    gaps = [r for r in data.coverage.iter_rows(named=True) if r["missing"]]
    if not gaps:
        write_text(worksheet, row + 1, 0, "本期每个店铺的每类导出都有数据。", styles["note"])
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


def _write_unknown(book: Book, worksheet: Any, row: int) -> None:
    """Per shop, the 总表 metrics that are "—" this period."""
    styles = book.styles
    write_text(worksheet, row, 0, "总表中为“—”的指标", styles["heading"])
    metrics = summary_metrics(book.catalog)
    lines = []
    for values in book.data.shop_rows():
        unknown = [m.label for m in metrics if values.get(m.key) is None]
        if unknown:
            lines.append((str(values["shop"]), "、".join(unknown)))
    if not lines:
        write_text(worksheet, row + 1, 0, "没有：每个店铺的每个指标都有值。", styles["note"])
        return
    for shop, labels in lines:
        row += 1
        write_text(worksheet, row, 0, shop, styles["text"])
        worksheet.merge_range(row, 1, row, 6, "", styles["wrap"])
        write_text(worksheet, row, 1, labels, styles["wrap"])
        worksheet.set_row(row, wrapped_height([(labels, sum(w for _, w in FILE_HEADERS[1:7]))]))
    write_text(
        worksheet,
        row + 1,
        0,
        "原因通常是上面列出的缺失导出、商品资料缺成本价（见利润表的成本覆盖率）或未设置发货成本规则（shopops.yaml 的 shipping）。",
        styles["note"],
    )


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
