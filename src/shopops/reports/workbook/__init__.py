"""The 日报 / 周报 / 月报 workbook: 总表, 趋势, 异常发现 (日报) — the sheets that print — then 推广, 利润,
退款, 目标达成, the domains' sheets, 口径说明, 数据来源 for reading on screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from shopops.domains import parts
from shopops.errors import UserError
from shopops.reports.workbook.ads_sheet import write_ads
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.data import KINDS, ReportData, ReportSource, gather
from shopops.reports.workbook.findings_sheet import FindingsSheetData, findings_sheet_data, write_findings
from shopops.reports.workbook.notes_sheet import write_notes
from shopops.reports.workbook.profit_sheet import write_profit
from shopops.reports.workbook.refunds_sheet import write_refunds
from shopops.reports.workbook.sources_sheet import write_sources
from shopops.reports.workbook.styles import Styles, workbook_options
from shopops.reports.workbook.summary_sheet import write_summary
from shopops.reports.workbook.targets_sheet import write_targets
from shopops.reports.workbook.trend_sheet import write_trend

__all__ = ["KINDS", "Report", "ReportSource", "build_report", "write_workbook"]


@dataclass(frozen=True)
class Report:
    path: Path
    data: ReportData

    def missing(self) -> list[str]:
        """One line per shop and export kind with days missing in the period."""
        lines = []
        for gap in self.data.coverage.iter_rows(named=True):
            if gap["missing"]:
                label = self.data.table_labels.get(gap["target_table"], gap["target_table"])
                lines.append(f"{gap['shop']}：{label} 缺 {len(gap['missing'])} 天")
        return lines


def build_report(
    source: ReportSource,
    kind: str,
    day: dt.date | None = None,
    *,
    shops: Sequence[str] | None = None,
    target: Path | None = None,
) -> Report:
    """Gather the figures for the period and write the workbook (default: reports/日报_<date>.xlsx)."""
    data = gather(source, kind, day, shops)
    path = target or source.root / "reports" / f"{data.period.file_stem}.xlsx"
    if not path.parent.is_dir():
        raise UserError(
            f"cannot write {path}: folder {path.parent} does not exist — create it or pass -o FILE"
        )
    start, end = data.period.start, data.period.end
    sheets = [sheet(source.connection, start, end) for sheet in parts("sheets")]  # the domains' (竞品 …)
    write_workbook(data, path, findings_sheet_data(source, data), [s for s in sheets if s is not None])
    return Report(path, data)


def write_workbook(
    data: ReportData,
    path: Path,
    findings: FindingsSheetData | None = None,
    sheets: Sequence[Callable[[Book], None]] = (),
) -> None:
    workbook = xlsxwriter.Workbook(str(path), workbook_options())
    workbook.set_properties({"title": f"{data.period.name} {data.period.label}", "author": "ShopOps"})
    book = Book(workbook, Styles(workbook), data)
    # The printed sheets first (总表, 趋势, 异常发现), then those for reading on screen.
    write_summary(book)
    write_trend(book)
    write_findings(book, findings)  # 异常发现, 日报 only
    write_ads(book)
    write_profit(book)
    write_refunds(book)
    write_targets(book)
    for write_sheet in sheets:  # the domains' sheets (竞品 only with competitor data …)
        write_sheet(book)
    write_notes(book)  # after the others: it lists where each metric was shown
    write_sources(book)
    book.finish()  # the sheets not printed get an empty print area
    try:
        workbook.close()
    except OSError as error:
        raise UserError(
            f"cannot write {path}: {error.strerror or error} — close it in Excel or pass -o FILE"
        ) from None
