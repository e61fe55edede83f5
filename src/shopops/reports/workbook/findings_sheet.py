"""异常发现 (日报): the report day's top ``alerts.budget`` findings by money at stake (涉及金额).

Above the table, one line per check that could not run ("未能检查：…"); then one row per finding
— a group (a rival's price cuts, items that stopped selling) as one row with its count and its
first children indented under it — and, as the last row, "另有 N 条（shopops findings --all
查看全部）" when the budget left some out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from shopops.analysis.anomalies import Finding, alert_settings, detect
from shopops.analysis.anomalies.finding import SEVERITY_LABELS
from shopops.analysis.anomalies.ranking import budgeted
from shopops.metrics.master import ShippingRates
from shopops.reports import finding_text
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import WAN, write_metric, write_number, write_text
from shopops.reports.workbook.data import ReportData, ReportSource
from shopops.reports.workbook.layout import wrapped_height

SHEET = "异常发现"
HEADERS = ("级别", "店铺", "指标", "数值", "预期下限", "预期上限", "涉及金额", "说明")
WIDTHS = (8, 14, 28, 12, 12, 12, 12, 70)
CHILD_MARK = "    └ "


@runtime_checkable
class ShippingSource(Protocol):
    def shipping_rates(self) -> ShippingRates: ...


@dataclass(frozen=True)
class FindingsSheetData:
    day: dt.date
    shown: list[Finding]
    more: str  # "另有 N 条（shopops findings --all 查看全部）", "" when all are shown
    skipped: list[str]  # "店铺 · 指标：原因" of the checks that could not run


def findings_sheet_data(source: ReportSource, data: ReportData) -> FindingsSheetData | None:
    """The findings of a 日报's day (None for 周报/月报), the top ``alerts.budget`` by 涉及金额."""
    if data.period.kind != "daily":
        return None
    day = data.period.end
    settings = alert_settings(source.settings.raw)
    detection = detect(
        source.connection,
        day,
        day,
        shops=[name for name, _ in data.shops],
        settings=settings,
        shipping=source.shipping_rates() if isinstance(source, ShippingSource) else None,
    )
    chosen = budgeted(detection.findings, settings.budget)
    return FindingsSheetData(
        day,
        chosen.shown,
        finding_text.more_line(chosen, finding_text.SEE_ALL),
        [check.text() for check in detection.skipped],
    )


def write_findings(book: Book, findings: FindingsSheetData | None) -> None:
    if findings is None:
        return
    styles = book.styles
    worksheet = book.add_sheet(SHEET, printed=True)
    book.title(
        worksheet,
        SHEET,
        f"{findings.day} 的异常，按涉及金额（偏离平常水平的金额，估算）排序 · " + book.standard_subtitle(),
    )
    for column, width in enumerate(WIDTHS):
        worksheet.set_column(column, column, width)
    row = 2
    for text in findings.skipped:  # what the table cannot show, said before it
        write_text(worksheet, row, 0, f"未能检查：{text}", styles["warning"])
        row += 1
    row += 1
    unit = book.data.money_unit
    for column, text in enumerate(HEADERS):
        header = f"{text}（{unit}）" if text == "涉及金额" else text
        write_text(worksheet, row, column, header, styles["header"])
    row += 1
    worksheet.freeze_panes(row, 0)
    if not findings.shown:
        write_text(worksheet, row, 0, "当日没有发现异常", styles["note"])
        row += 1
    for finding in findings.shown:
        _write_row(book, worksheet, row, finding, finding_text.label(finding))
        row += 1
        for child in finding.children[: finding_text.CHILDREN_SHOWN]:
            _write_row(book, worksheet, row, child, CHILD_MARK + finding_text.child_label(finding, child))
            row += 1
        rest = finding_text.hidden_children(finding, finding_text.CHILDREN_SHOWN)
        if rest:
            write_text(worksheet, row, 2, CHILD_MARK + rest, styles["note"])
            row += 1
    if findings.more:  # the last row
        write_text(worksheet, row, 0, findings.more, styles["note"])
    worksheet.fit_to_pages(1, 1)  # the top ``alerts.budget`` findings: one page


def _write_row(book: Book, worksheet: Any, row: int, finding: Finding, label: str) -> None:
    """One finding; a child keeps its shop and level (the sheet filters), its label is indented."""
    styles = book.styles
    level = SEVERITY_LABELS[finding.severity] + ("（待定）" if finding.provisional else "")
    since = finding_text.since_text(finding)
    write_text(worksheet, row, 0, level, styles["wrap"])  # top-aligned with the wrapped text
    write_text(worksheet, row, 1, finding.shop, styles["wrap"])
    write_text(worksheet, row, 2, label + (f"（{since}）" if since else ""), styles["wrap"])
    metric = book.catalog.metrics.get(finding.metric)
    for column, value in enumerate((finding.value, finding.expected_low, finding.expected_high), start=3):
        if metric is not None:
            write_metric(
                worksheet, row, column, book.show(SHEET, metric), value, styles, book.data.money_unit
            )
        else:  # rival prices and other figures outside the catalog: plain numbers
            write_number(worksheet, row, column, value, styles["multiple"], styles["dash"])
    impact = finding.impact
    if impact is not None and book.data.money_unit == "万元":
        impact /= WAN
    write_number(worksheet, row, 6, impact, styles["money"], styles["dash"])
    explanation = finding_text.explanation(finding)
    write_text(worksheet, row, 7, explanation, styles["wrap"])
    # Spreadsheets do not grow a row for wrapped text written by a program: give it its height.
    worksheet.set_row(row, wrapped_height([(label, WIDTHS[2]), (explanation, WIDTHS[7])]))
