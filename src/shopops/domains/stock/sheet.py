"""商品与库存: the stock sheet of the 周报/月报, and the 日报's short 断货 block.

Written only when the period has a stock snapshot (``stock_snapshot``) — else no sheet at all. The
周报/月报 sheet: the five turnover classes (SKU数, 实际库存, 库存金额), the status table (the largest
stock values first) with the 口径 lines every status output carries, the 断货 risks and the last
season's 换季清仓 list when those analyses are installed. The 日报 gets the 断货 risks only. The
figures are those of the report's own shops (a report for one shop names no other's SKUs), on the
latest snapshot of the period; the status thresholds are the workspace's (``stock:`` in shopops.yaml).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import duckdb
import polars as pl

from shopops.domains.stock.alerts import StockAlerts, stock_alerts
from shopops.domains.stock.clearance import SEASONS, Clearance, clearance_list, season_of
from shopops.domains.stock.status import CLASSES, StockRules, StockStatus, stock_status
from shopops.errors import UserError
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import DASH, write_number, write_text
from shopops.warehouse_settings import settings_beside

SHEET = "商品与库存"
TOP_ROWS = 50  # the status table: the largest stock values
NO_CLASS = "无库存无销售"  # on hand 0 and nothing sold in 30 days: no turnover class
# The status table's columns: key, 中文 header, kind (how a value is shown: see cell_text / KIND_STYLES)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("shop", "店铺", "text"),
    ("sku", "商品编码", "text"),
    ("style", "款式编码", "text"),
    ("name", "名称", "text"),
    ("category", "分类", "text"),
    ("season", "季节", "text"),
    ("on_hand", "实际库存", "count"),
    ("available", "可用库存", "count"),
    ("in_transit", "在途", "count"),
    ("sales_7d", "近7天销量", "count"),
    ("sales_30d", "近30天销量", "count"),
    ("days_of_cover", "可售天数", "days"),
    ("status", "状态", "text"),
    ("age_days", "库龄(天)", "count"),
    ("age_basis", "库龄依据", "text"),
    ("stock_value", "库存金额", "money"),
)
KIND_STYLES = {"count": "count", "money": "money", "days": "multiple", "percent": "percent"}
DISTRIBUTION_HEADERS = ("状态", "SKU数", "实际库存", "库存金额", "库存金额占比")
TOP_RISKS = 20  # 断货风险: the largest amounts at stake
RISK = "断货风险"
RISK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("shop", "店铺", "text"),
    ("sku", "商品编码", "text"),
    ("style", "款式编码", "text"),
    ("name", "名称", "text"),
    ("bestseller", "爆款", "text"),
    ("available", "可用库存", "count"),
    ("in_transit", "在途", "count"),
    ("daily_sales", "日均销量", "days"),
    ("cover_with_transit", "可售天数（含在途）", "days"),
    ("amount_at_stake", "涉及金额", "money"),
    ("formula", "涉及金额算法", "text"),
)


TOP_CLEARANCE = 20  # 换季清仓: the highest scores
CLEARANCE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("shop", "店铺", "text"),
    ("style", "款式编码", "text"),
    ("name", "名称", "text"),
    ("category", "分类", "text"),
    ("season", "季节", "text"),
    ("skus", "SKU数", "count"),
    ("on_hand", "实际库存", "count"),
    ("available", "可用库存", "count"),
    ("stock_value", "库存金额", "money"),
    ("age_days", "库龄(天)", "count"),
    ("sell_through", "售罄率", "percent"),
    ("units_14d", "近14天销量", "count"),
    ("units_prev_14d", "前14天销量", "count"),
    ("weeks_to_sell_out", "清完周数", "days"),
    ("score", "清仓得分", "count"),
    ("current_price", "当前价", "money"),
    ("suggested_price", "建议价", "money"),
    ("markdown_band", "建议折扣", "text"),
)


def previous_season(day: dt.date) -> str:
    """The season before the day's own (春 → 冬): the one whose stock is being cleared."""
    return SEASONS[(SEASONS.index(season_of(day)) - 1) % len(SEASONS)]


def clearance_of(
    con: duckdb.DuckDBPyConnection, day: dt.date, season: str, shops: Sequence[str], rules: StockRules
) -> tuple[Clearance | None, str]:
    """The 换季清仓 list, or why there is none (no 季节 in the product master, none of that season)."""
    try:
        return clearance_list(con, day, season, shops, rules=rules), ""
    except UserError as error:
        return None, str(error)


def clearance_notes(clearance: Clearance, shops: Sequence[str]) -> list[str]:
    """The list's 口径 lines without the snapshot lines (the status table says which snapshot)."""
    return [line for line in clearance.notes if line.split("：", 1)[0] not in shops]


def cell_text(kind: str, value: Any) -> str:
    """A value as the page shows it: "—" when unknown, ¥1,234.56, 1,234, 12.3 (days), 12.34%."""
    if value is None:
        return DASH
    if kind in (
        "money",
        "days",
    ):  # 四舍五入 of the value as written (Decimal("2.25"), not the float's binary)
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        places = Decimal("0.01") if kind == "money" else Decimal("0.1")
        text = f"{number.quantize(places, ROUND_HALF_UP):,}"
        return "¥" + text if kind == "money" else text
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{float(value):.2%}"
    return str(value)


def distribution(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Per turnover class (and 无库存无销售, and 合计): SKUs, 实际库存 and 库存金额 with its share.

    A sum is unknown when one of its parts is (a SKU without a cost, an ERP without 实际库存)."""
    rows = []
    total_value = _known_sum(frame["stock_value"]) if frame.height else None
    groups = [(name, frame.filter(pl.col("status") == name)) for name in CLASSES]
    unclassed = frame.filter(pl.col("status").is_null())
    if unclassed.height:
        groups.append((NO_CLASS, unclassed))
    for name, part in [*groups, ("合计", frame)]:
        value = _known_sum(part["stock_value"]) if part.height else Decimal(0)
        share = None
        if value is not None and total_value:
            share = float(value) / float(total_value)
        rows.append(
            {
                "status": name,
                "skus": part.height,
                "on_hand": _known_sum(part["on_hand"]) if part.height else 0,
                "stock_value": value,
                "share": share,
            }
        )
    return rows


def _known_sum(series: pl.Series) -> Any:
    return None if series.null_count() else series.sum()


def rules_of(con: duckdb.DuckDBPyConnection) -> StockRules:
    """The workspace's 库存 thresholds (``stock:`` in the shopops.yaml next to the warehouse file)."""
    return StockRules.from_settings(settings_beside(con))


def stock_sheet(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> Callable[[Book], None] | None:
    """The domain's sheet part: the writer of the 商品与库存 sheet, None without a snapshot in the period.

    The 日报 (start == end) gets the 断货 block only, and nothing when the 断货 analysis is absent."""
    found = con.execute(
        "SELECT count(*) FROM stock_snapshot WHERE period_start BETWEEN ? AND ?", [start, end]
    ).fetchone()
    if not found or not found[0]:
        return None
    return partial(write_stock, con=con, start=start, end=end)


def write_stock(book: Book, *, con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    shops = [name for name, _ in book.data.shops]
    snapshot = _has_snapshot(con, start, end, shops)
    if not snapshot:
        return
    try:
        rules = rules_of(con)
    except UserError as error:  # a bad stock: section — the report says so instead of stopping
        rules, problem = StockRules(), str(error)
    else:
        problem = ""
    daily = start == end
    status = stock_status(con, end, shops, rules=rules)
    if status.frame.is_empty():
        return
    alerts = stock_alerts(con, end, shops, rules=rules)
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    book.title(
        worksheet,
        SHEET + ("（断货风险）" if daily else ""),
        f"库存日 {status.day}（各店铺取当日或之前最近的快照） · 金额单位：元"
        + ("" if daily else " · 库存金额 = 实际库存 × 成本价")
        + " · “—” = 无数据或无法计算（不是 0）",
    )
    worksheet.set_column(0, 0, 14)
    worksheet.set_column(1, 3, 18)
    worksheet.set_column(4, 5, 8)
    worksheet.set_column(6, len(COLUMNS) - 1, 10)
    row = 3
    if problem:
        write_text(worksheet, row, 0, f"{problem}（本表按默认阈值）", styles["warning"])
        row += 1
    if daily:
        _write_risks(book, worksheet, row, alerts, status, daily=True)
        worksheet.fit_to_pages(1, 0)
        return
    row = _write_distribution(book, worksheet, row, status) + 1
    row = _write_status_table(book, worksheet, row, status)
    row = _write_risks(book, worksheet, row, alerts, status, daily=False)
    _write_clearance(book, worksheet, row, con, status.day, shops, rules)
    worksheet.fit_to_pages(1, 0)


def _has_snapshot(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, shops: Sequence[str]) -> bool:
    found = con.execute(
        "SELECT count(*) FROM stock_snapshot WHERE period_start BETWEEN $start AND $end"
        " AND list_contains($shops, shop)",
        {"start": start, "end": end, "shops": list(shops)},
    ).fetchone()
    return bool(found and found[0])


def _write_distribution(book: Book, worksheet: Any, row: int, status: StockStatus) -> int:
    styles = book.styles
    write_text(worksheet, row, 0, "状态分布", styles["heading"])
    for column, text in enumerate(DISTRIBUTION_HEADERS):
        write_text(worksheet, row + 1, column, text, styles["header"])
    row += 2
    for line in distribution(status.frame):
        total = line["status"] == "合计"
        write_text(worksheet, row, 0, line["status"], styles.cell("text", total))
        for column, (kind, key) in enumerate(
            (("count", "skus"), ("count", "on_hand"), ("money", "stock_value"), ("percent", "share")), start=1
        ):
            _write(book, worksheet, row, column, kind, line[key], total)
        row += 1
    return row


def _write_status_table(book: Book, worksheet: Any, row: int, status: StockStatus) -> int:
    styles = book.styles
    frame = status.frame
    shown = frame.head(TOP_ROWS)
    heading = f"库存状态明细（按库存金额前 {shown.height} 个 SKU，共 {frame.height} 个）"
    write_text(worksheet, row, 0, heading, styles["heading"])
    for column, (_, label, _) in enumerate(COLUMNS):
        write_text(worksheet, row + 1, column, label, styles["header"])
    worksheet.set_row(row + 1, 30)
    row += 2
    for record in shown.iter_rows(named=True):
        for column, (key, _, kind) in enumerate(COLUMNS):
            _write(book, worksheet, row, column, kind, record[key])
        row += 1
    for line in status.notes:
        write_text(worksheet, row, 0, line, styles["note"])
        row += 1
    return row + 1


def risks(alerts: StockAlerts) -> pl.DataFrame:
    """The 断货风险 rows of the alerts, the largest amount at stake first (as the alerts sort them)."""
    return alerts.frame.filter(pl.col("kind") == RISK)


def risk_notes(alerts: StockAlerts, shops: Sequence[str] = ()) -> list[str]:
    """The alerts' 口径 lines about 断货 (爆款, 单价), and which snapshot each of ``shops`` used."""
    about = [line for line in alerts.notes if line.startswith(("断货风险：", "爆款"))]
    return about + [line for line in alerts.notes if line.split("：", 1)[0] in shops]


def _write_risks(
    book: Book, worksheet: Any, row: int, alerts: StockAlerts, status: StockStatus, *, daily: bool
) -> int:
    styles = book.styles
    frame = risks(alerts)
    shown = frame.head(TOP_RISKS)
    if frame.is_empty():
        write_text(worksheet, row, 0, "断货风险", styles["heading"])
        write_text(worksheet, row + 1, 0, f"库存日 {status.day} 没有断货风险的 SKU", styles["note"])
        return row + 3
    more = f"，共 {frame.height} 个" if frame.height > shown.height else ""
    write_text(worksheet, row, 0, f"断货风险（按涉及金额前 {shown.height} 个 SKU{more}）", styles["heading"])
    for column, (_, label, _) in enumerate(RISK_COLUMNS):
        write_text(worksheet, row + 1, column, label, styles["header"])
    worksheet.set_row(row + 1, 30)
    row += 2
    for record in shown.iter_rows(named=True):
        for column, (key, _, kind) in enumerate(RISK_COLUMNS):
            value = record[key]
            if key == "bestseller":
                value = "爆款" if value else ""
            _write(book, worksheet, row, column, kind, value)
        row += 1
    for line in risk_notes(alerts, status.frame["shop"].unique().sort().to_list() if daily else ()):
        write_text(worksheet, row, 0, line, styles["note"])
        row += 1
    return row + 1


def _write_clearance(
    book: Book,
    worksheet: Any,
    row: int,
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    shops: Sequence[str],
    rules: StockRules,
) -> int:
    styles = book.styles
    season = previous_season(day)
    clearance, problem = clearance_of(con, day, season, shops, rules)
    heading = f"换季清仓（上一季：{season}）"
    if clearance is None or clearance.frame.is_empty():
        write_text(worksheet, row, 0, heading, styles["heading"])
        write_text(worksheet, row + 1, 0, problem or f"{day} 没有{season}季的库存", styles["note"])
        return row + 3
    frame = clearance.frame
    shown = frame.head(TOP_CLEARANCE)
    more = f"，共 {frame.height} 款" if frame.height > shown.height else ""
    write_text(worksheet, row, 0, f"{heading} · 按清仓得分前 {shown.height} 款{more}", styles["heading"])
    for column, (_, label, _) in enumerate(CLEARANCE_TABLE):
        write_text(worksheet, row + 1, column, label, styles["header"])
    worksheet.set_row(row + 1, 30)
    row += 2
    for record in shown.iter_rows(named=True):
        for column, (key, _, kind) in enumerate(CLEARANCE_TABLE):
            _write(book, worksheet, row, column, kind, record[key])
        row += 1
    for line in clearance_notes(clearance, shops):
        write_text(worksheet, row, 0, line, styles["note"])
        row += 1
    return row + 1


def _write(
    book: Book, worksheet: Any, row: int, column: int, kind: str, value: Any, total: bool = False
) -> None:
    styles = book.styles
    if kind == "text":
        write_text(worksheet, row, column, DASH if value is None else value, styles.cell("text", total))
        return
    number = None if value is None else float(value)
    write_number(
        worksheet, row, column, number, styles.cell(KIND_STYLES[kind], total), styles.cell("dash", total)
    )
