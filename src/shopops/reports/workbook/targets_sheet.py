"""目标达成: 时间进度 vs 完成进度 of the targets under way (every report), and for 周报/月报 the
复盘 of the year and the quarter — plan vs actual by month, quarter and year to date.

Every figure is a typed cell; unknown is "—", never 0. Ratio targets (ROI, 转化率 …) are compared
as ratios, not summed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopops.analysis.targets import STATUS_NOTES, Pace, ReviewRow, ReviewSection
from shopops.metrics.catalog import Metric
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import shown_value, value_kind, write_number, write_text
from shopops.reports.workbook.styles import BORDER, GREEN, RED

SHEET = "目标达成"
HEADER_ROW = 3  # the 进度 table's header; its rows follow
PACE_HEADERS = (
    ("期间", 9),
    ("范围", 14),
    ("指标", 12),
    ("目标", 14),
    ("已完成", 14),
    ("时间进度", 9),
    ("完成进度", 9),
    ("进度差", 9),
    ("差额", 13),
    ("日均需", 12),
    ("预测", 14),
    ("预测下限", 14),
    ("预测上限", 14),
    ("状态", 9),
)
REVIEW_HEADERS = (
    "范围",
    "指标",
    "期间",
    "目标",
    "实际",
    "完成率",
    "差额",
    "时间进度",
    "",
    "",
    "",
    "",
    "",
    "状态",
)
GOOD = {"已达成", "超前", "正常", "预算内", "达标"}
BAD = {"落后", "未达成", "已超支", "偏快", "未达标"}
NOTES = (
    "时间进度 = 已过天数 / 期间天数，截至日（有数据的最后一天）计入已过天数；完成进度 = 已完成 / 目标；进度差 = 完成进度 − 时间进度。",
    "差额 = 目标 − 已完成；日均需 = 差额 / 剩余天数（预算类：剩余每天可花费）。比率目标（ROI、转化率、退款率 …）按期间重新计算的比率比较，不按天累加。",
    "预测 = 已完成 + 剩余天数的预测。方法按每个序列自己的历史回测选出（同星期基线、去年同日、近7天水平、近14天趋势），"
    "近期水平突变后只用突变后的数据，并放宽区间。比率目标由分子、分母各自的预测重新计算。"
    "预测上下限 = 过去日期同样跨度预测的误差范围（按回测的独立次数放宽，名义 80%）；回测不足 8 次时为“—”，原因见 `shopops targets pace` 的预测说明。",
)


def write_targets(book: Book) -> None:
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    book.title(worksheet, "目标达成", book.standard_subtitle())
    for column, (_, width) in enumerate(PACE_HEADERS):
        worksheet.set_column(column, column, width)
    as_of = data.period.end
    write_text(worksheet, HEADER_ROW - 1, 0, f"目标进度（截至 {as_of}，含当日）", styles["heading"])
    for column, (label, _) in enumerate(PACE_HEADERS):
        write_text(worksheet, HEADER_ROW, column, label, styles["header"])
    marks = {
        **dict.fromkeys(GOOD, book.workbook.add_format({**GREEN, **BORDER, "align": "center"})),
        **dict.fromkeys(BAD, book.workbook.add_format({**RED, **BORDER, "align": "center"})),
    }
    row = HEADER_ROW + 1
    for pace in data.pacing:
        _write_pace(book, worksheet, row, pace, marks)
        row += 1
    if data.target_problem:
        write_text(worksheet, row, 0, f"目标表有误：{data.target_problem}", styles["warning"])
        row += 1
    elif not data.pacing:
        write_text(
            worksheet,
            row,
            0,
            "没有进行中的目标 — shopops targets set --period 2026-11 --metric gmv --value 1200000，"
            "或 shopops template targets 填好后 shopops import。",
            styles["note"],
        )
        row += 1
    if data.plan_review:
        row = _write_review(book, worksheet, row + 2, data.plan_review, marks)
    for section in data.review_sections:
        row = _write_section(book, worksheet, row + 2, section)
    notes = [*NOTES, "状态：" + "；".join(f"{k} = {v}" for k, v in STATUS_NOTES.items())]
    for offset, line in enumerate(notes, start=2):
        write_text(worksheet, row + offset, 0, line, styles["note"])
    worksheet.freeze_panes(HEADER_ROW + 1, 3)
    worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(HEADER_ROW)


def _write_pace(book: Book, worksheet: Any, row: int, pace: Pace, marks: dict[str, Any]) -> None:
    styles = book.styles
    metric = book.show(SHEET, pace.metric)
    write_text(worksheet, row, 0, pace.period.key, styles["text"])
    write_text(worksheet, row, 1, pace.target.scope.label, styles["text"])
    write_text(worksheet, row, 2, metric.label, styles["text"])
    _amount(book, worksheet, row, 3, metric, pace.target.value)
    _amount(book, worksheet, row, 4, metric, pace.achieved)
    _percent(book, worksheet, row, 5, pace.time_progress)
    _percent(book, worksheet, row, 6, pace.completion)
    gap_pp = None if pace.progress_gap is None else pace.progress_gap * 100
    write_number(worksheet, row, 7, gap_pp, styles.cell("change_pp"), styles["dash"])
    _amount(book, worksheet, row, 8, metric, pace.gap, gap=True)
    _amount(book, worksheet, row, 9, metric, pace.needed_per_day)
    _amount(book, worksheet, row, 10, metric, pace.forecast)
    _amount(book, worksheet, row, 11, metric, pace.forecast_low)
    _amount(book, worksheet, row, 12, metric, pace.forecast_high)
    write_text(worksheet, row, 13, pace.status, marks.get(pace.status, styles["text"]))


def _write_review(book: Book, worksheet: Any, row: int, rows: list[ReviewRow], marks: dict[str, Any]) -> int:
    styles = book.styles
    data = book.data
    write_text(
        worksheet,
        row,
        0,
        f"复盘：{data.period.end.year} 年逐月、逐季与全年 目标 vs 实际（截至 {data.period.end}）",
        styles["heading"],
    )
    row += 1
    for column, label in enumerate(REVIEW_HEADERS):
        if label:
            write_text(worksheet, row, column, label, styles["header"])
    for item in rows:
        row += 1
        metric = book.show(SHEET, item.metric)
        write_text(worksheet, row, 0, item.scope.label, styles["text"])
        write_text(worksheet, row, 1, metric.label, styles["text"])
        label = item.period.label + ("" if item.complete else f"（至 {item.through:%m-%d}）")
        write_text(worksheet, row, 2, label, styles["text"])
        _amount(book, worksheet, row, 3, metric, item.target)
        _amount(book, worksheet, row, 4, metric, item.actual)
        _percent(book, worksheet, row, 5, item.completion)
        _amount(book, worksheet, row, 6, metric, item.gap, gap=True)
        _percent(book, worksheet, row, 7, item.time_progress)
        status = _review_status(item)
        write_text(worksheet, row, 13, status, marks.get(status, styles["text"]))
    return row + 1


def _write_section(book: Book, worksheet: Any, row: int, section: ReviewSection) -> int:
    """A domain's table under the 复盘 (绩效's team KPI completion …): headers ending in 率 are ratios."""
    styles = book.styles
    write_text(worksheet, row, 0, section.title, styles["heading"])
    row += 1
    for column, label in enumerate(section.headers):
        write_text(worksheet, row, column, label, styles["header"])
    for values in section.rows:
        row += 1
        for column, value in enumerate(values):
            if isinstance(value, str):
                write_text(worksheet, row, column, value, styles["text"])
            elif section.headers[column].endswith("率"):
                _percent(book, worksheet, row, column, None if value is None else float(value))  # type: ignore[arg-type]
            else:
                kind = "score" if isinstance(value, float) else "count"
                write_number(worksheet, row, column, value, styles.cell(kind), styles["dash"])  # type: ignore[arg-type]
    for note in section.notes:
        row += 1
        write_text(worksheet, row, 0, note, styles["note"])
    return row + 1


def _review_status(item: ReviewRow) -> str:
    if item.target is None or item.actual is None:
        return "—" if item.target is None else "数据不全"
    if item.kind == "ratio":
        good = item.actual <= item.target if item.metric.direction == "down" else item.actual >= item.target
        return "达标" if good else "未达标"
    if item.kind == "cap":
        return "已超支" if item.actual > item.target else ("预算内" if item.complete else "正常")
    if item.actual >= item.target:
        return "已达成"
    if item.complete:
        return "未达成"
    completion = item.completion or 0.0
    return "超前" if completion >= item.time_progress else "落后"


def _amount(
    book: Book,
    worksheet: Any,
    row: int,
    column: int,
    metric: Metric,
    value: Decimal | None,
    *,
    gap: bool = False,
) -> None:
    styles = book.styles
    kind = value_kind(metric)
    if gap and kind == "percent":
        shown = None if value is None else float(value) * 100
        write_number(worksheet, row, column, shown, styles.cell("change_pp"), styles["dash"])
        return
    shown = shown_value(metric, value, book.data.money_unit)
    write_number(worksheet, row, column, shown, styles.cell(kind), styles["dash"])


def _percent(book: Book, worksheet: Any, row: int, column: int, value: float | None) -> None:
    write_number(worksheet, row, column, value, book.styles.cell("percent"), book.styles["dash"])
