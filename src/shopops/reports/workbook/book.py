"""The workbook being written: the data, the formats, and which metrics have been shown where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shopops.metrics.catalog import Catalog, Metric
from shopops.reports.workbook.data import ReportData
from shopops.reports.workbook.styles import Styles

HEADER_FOOTER_NOTE = "&L&8ShopOps 店铺运营驾驶舱&R&8第 &P 页 / 共 &N 页"
# The sheets that print, per report kind (the others are for reading on screen).
PRINTED = {"daily": ("总表", "趋势", "异常发现"), "weekly": ("总表", "趋势"), "monthly": ("总表", "趋势")}
UNHIDE_PRINT = "选中该表，页面布局 › 打印区域 › 取消打印区域"


@dataclass
class Book:
    workbook: Any
    styles: Styles
    data: ReportData
    shown: dict[str, list[str]] = field(default_factory=dict)  # metric key → sheets showing it
    unprinted: list[Any] = field(default_factory=list)  # worksheets left out when printing

    @property
    def catalog(self) -> Catalog:
        return self.data.catalog

    def show(self, sheet: str, metric: Metric) -> Metric:
        sheets = self.shown.setdefault(metric.key, [])
        if sheet not in sheets:
            sheets.append(sheet)
        return metric

    def add_sheet(self, name: str, printed: bool = False) -> Any:
        """A new sheet; unless ``printed``, printing the workbook leaves it out (see :meth:`finish`)."""
        worksheet = self.workbook.add_worksheet(name)
        worksheet.hide_gridlines(2)
        worksheet.set_landscape()
        worksheet.set_paper(9)  # A4
        worksheet.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.5)
        worksheet.set_footer(HEADER_FOOTER_NOTE)
        if not printed:
            self.unprinted.append(worksheet)
        return worksheet

    def title(self, worksheet: Any, heading: str, subtitle: str) -> None:
        """Row 0: what the sheet is; row 1: period, shops, units and generation time (and, on a
        sheet that does not print, how to print it)."""
        data = self.data
        worksheet.write_string(
            0, 0, f"{data.period.name} · {heading} · {data.period.label}", self.styles["title"]
        )
        if worksheet in self.unprinted:
            subtitle = f"{subtitle} · {self.print_note()}"
        worksheet.write_string(1, 0, subtitle, self.styles["subtitle"])
        worksheet.set_row(0, 24)

    def printed_names(self) -> str:
        return "、".join(PRINTED[self.data.period.kind])

    def print_note(self) -> str:
        return f"本表不打印（打印只出 {self.printed_names()}）；要打印本表：{UNHIDE_PRINT}"

    def finish(self) -> None:
        """Sheets that do not print get a print area of one empty cell (spreadsheets print no page
        for it), far right and below anything written or drawn; clearing the print area prints
        the whole sheet again."""
        for worksheet in self.unprinted:
            row = min((worksheet.dim_rowmax or 0) + 1000, 1_048_575)
            column = min((worksheet.dim_colmax or 0) + 60, 1_023)
            worksheet.print_area(row, column, row, column)

    def standard_subtitle(self) -> str:
        data = self.data
        shops = "、".join(name for name, _ in data.shops)
        return (
            f"店铺：{shops} · 金额单位：{data.money_unit} · “—” = 无数据或无法计算（不是 0）"
            f" · 生成于 {data.generated_at:%Y-%m-%d %H:%M}"
        )


def summary_metrics(catalog: Catalog) -> list[Metric]:
    """Every metric except the per-channel ones (those are on the 推广 sheet), grouped by section."""
    order = {section: index for index, section in enumerate(catalog.sections)}
    metrics = [m for m in catalog.metrics.values() if not m.channel]
    return sorted(metrics, key=lambda m: order.get(m.section, len(order)))
