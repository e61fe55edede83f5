"""竞品: rivals' price changes, derived daily sales (估算), competitor findings and 指数还原 estimates.

Written only when the workspace has competitor data. Revenue is an estimate (units × price, or
交易指数 through the fitted mapping with its range); 生意参谋 indices are plain numbers, never money.
Findings are listed newest day first, by 涉及金额 (money at stake); a group (a rival's 87 price cuts
of one day) is one row with its count, and what does not fit is counted ("另有 N 条").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import duckdb
import polars as pl

from shopops.analysis.anomalies.finding import SEVERITY_LABELS, Finding
from shopops.analysis.anomalies.ranking import Budgeted, ranked
from shopops.analysis.calendar import PromoCalendar
from shopops.domains.rivals.analysis import daily_sales, fit_index, own_index_pairs, price_changes
from shopops.domains.rivals.findings import rival_findings
from shopops.domains.rivals.index_fit import rival_revenue_estimates
from shopops.errors import UserError
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import write_number, write_text

SHEET = "竞品"
TOP = 30
WINDOW_DAYS = 7


@dataclass(frozen=True)
class RivalSheetData:
    start: dt.date
    end: dt.date
    changes: pl.DataFrame
    sales: pl.DataFrame
    findings: list[Finding]  # the top-level findings shown (groups carry their children)
    more: str  # "另有 N 条（含 M 项）…" for the findings left out, or ""
    estimates: pl.DataFrame | None
    fit_note: str


def rival_sheet(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> Callable[[Book], None] | None:
    """The domain's sheet part: the 竞品 sheet's writer for the report period, or None without rival data."""
    rivals = rival_sheet_data(con, start, end)
    return None if rivals is None else partial(write_rivals, rivals=rivals)


def rival_sheet_data(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    *,
    calendar: PromoCalendar | None = None,
) -> RivalSheetData | None:
    """The sheet's figures for the report period (at least its last 7 days), or None without rival data;
    ``calendar`` widens the rival rules on 大促 days (None: the built-in promo calendar)."""
    if con.execute("SELECT count(*) FROM rival_snapshots").fetchall() == [(0,)] and con.execute(
        "SELECT count(*) FROM rival_index_day WHERE subject = 'rival'"
    ).fetchall() == [(0,)]:
        return None
    start = min(start, end - dt.timedelta(days=WINDOW_DAYS - 1))
    sales = daily_sales(con, start, end)
    latest = (
        sales.filter(pl.col("units").is_not_null())
        .sort("date")
        .group_by("rival_shop", "item_id", maintain_order=True)
        .last()
        .sort("revenue", descending=True, nulls_last=True)
        .head(TOP)
    )
    notable = [f for f in rival_findings(con, start, end, calendar=calendar) if f.severity != "info"]
    ordered = ranked(notable)  # newest day first, then by money at stake
    shown, rest = ordered[:TOP], ordered[TOP:]
    how = f"shopops findings --from {start} --to {end} --all 查看全部"
    more = Budgeted(shown, len(rest), sum(f.count for f in rest)).more_text(how)
    estimates, note = None, "没有本店交易指数与支付金额的配对数据，未做指数还原。"
    try:
        fit = fit_index(own_index_pairs(con))
        estimates = rival_revenue_estimates(con, fit, start, end)
        note = (
            f"指数还原（估算，不是事实）：{fit.to_record()['formula']}，基于 {fit.pairs} 天本店数据，"
            f"典型误差 ±{fit.median_abs_pct_error:.1%}，区间为估算值 ×{fit.low_factor:.3f} ~ ×{fit.high_factor:.3f}。"
        )
    except UserError as error:
        note = str(error)
    changes = price_changes(con, start, end)
    return RivalSheetData(start, end, changes, latest, shown, more, estimates, note)


def write_rivals(book: Book, rivals: RivalSheetData | None) -> None:
    if rivals is None:
        return
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    book.title(
        worksheet,
        "竞品",
        f"竞品数据 {rivals.start} ~ {rivals.end} · 销量由快照计数推算，销售额 = 销量 × 当日价格（估算）"
        " · 生意参谋指数不是金额",
    )
    worksheet.set_column(0, 1, 14)
    worksheet.set_column(2, 2, 30)
    worksheet.set_column(3, 8, 12)
    row = _write_findings(book, worksheet, rivals)
    row = _section(
        book, worksheet, row + 1, "价格变化", ["日期", "竞店", "商品ID", "原价", "新价", "变化", "促销"]
    )
    for change in rivals.changes.head(TOP * 2).iter_rows(named=True):
        write_text(worksheet, row, 0, change["date"], styles["text"])
        write_text(worksheet, row, 1, change["shop"], styles["text"])
        write_text(worksheet, row, 2, change["item_id"], styles["text"])
        write_number(worksheet, row, 3, float(change["old_price"]), styles["money"], styles["dash"])
        write_number(worksheet, row, 4, float(change["new_price"]), styles["money"], styles["dash"])
        write_number(worksheet, row, 5, change["change"], styles["change_pct"], styles["dash"])
        write_text(worksheet, row, 6, "是" if change["promotion"] else "", styles["text"])
        row += 1
    row = _section(
        book,
        worksheet,
        row + 1,
        "竞品日销量（最近一天，估算）",
        ["日期", "竞店", "商品ID", "价格", "日销量", "估算销售额", "计数状态"],
    )
    for item in rivals.sales.iter_rows(named=True):
        write_text(worksheet, row, 0, item["date"], styles["text"])
        write_text(worksheet, row, 1, item["rival_shop"], styles["text"])
        write_text(worksheet, row, 2, item["item_id"], styles["text"])
        price = None if item["price"] is None else float(item["price"])
        write_number(worksheet, row, 3, price, styles["money"], styles["dash"])
        write_number(worksheet, row, 4, item["units"], styles["count"], styles["dash"])
        revenue = None if item["revenue"] is None else float(item["revenue"])
        write_number(worksheet, row, 5, revenue, styles["money"], styles["dash"])
        status = f"{item['counter_status']}（估算）" if item["estimated"] else item["counter_status"]
        write_text(worksheet, row, 6, status, styles["text"])
        row += 1
    row = _section(
        book,
        worksheet,
        row + 1,
        "指数还原（估算）",
        ["日期", "竞店", "商品ID", "交易指数", "估算下限", "估算销售额", "估算上限"],
    )
    write_text(worksheet, row, 0, rivals.fit_note, styles["note"])
    row += 1
    if rivals.estimates is not None:
        for estimate in rivals.estimates.tail(TOP).iter_rows(named=True):
            write_text(worksheet, row, 0, estimate["date"], styles["text"])
            write_text(worksheet, row, 1, estimate["shop"], styles["text"])
            write_text(worksheet, row, 2, estimate["item_id"], styles["text"])
            write_number(worksheet, row, 3, estimate["trade_index"], styles["count"], styles["dash"])
            for column, key in enumerate(("revenue_low", "revenue_estimate", "revenue_high"), start=4):
                write_number(worksheet, row, column, estimate[key], styles["money"], styles["dash"])
            row += 1
    worksheet.fit_to_pages(1, 0)


def _write_findings(book: Book, worksheet: Any, rivals: RivalSheetData) -> int:
    """竞品发现: newest day first, by 涉及金额; a group is one row with its count. The next free row."""
    styles = book.styles
    row = _section(
        book, worksheet, 3, "竞品发现", ["日期", "竞店", "商品ID", "发现", "件数", "涉及金额", "级别", "说明"]
    )
    for finding in rivals.findings:
        label = finding.metric_label + (f"·{finding.context}" if finding.context else "")
        cells = [str(finding.date), finding.shop, finding.item, label]
        for column, text in enumerate(cells):
            write_text(worksheet, row, column, text, styles["text"])
        write_number(worksheet, row, 4, float(finding.count), styles["count"], styles["dash"])
        write_number(worksheet, row, 5, finding.impact, styles["money"], styles["dash"])
        write_text(worksheet, row, 6, SEVERITY_LABELS[finding.severity], styles["text"])
        write_text(worksheet, row, 7, finding.explanation, styles["text"])
        row += 1
    if rivals.more:
        write_text(worksheet, row, 0, rivals.more, styles["note"])
        row += 1
    return row


def _section(book: Book, worksheet: Any, row: int, heading: str, headers: list[str]) -> int:
    write_text(worksheet, row, 0, heading, book.styles["heading"])
    for column, text in enumerate(headers):
        write_text(worksheet, row + 1, column, text, book.styles["header"])
    return row + 2
