"""退货: the returns sheet of the 周报/月报 — the totals on both bases, the reason classes, the focus
list and the 中差评 still to handle. The 日报 keeps its short 退款 sheet (the core's) and gets none.

Written only when the report's shops have a 退款管理 / 售后表 import; the figures are those of the
report's own shops and period, the reason classes and thresholds the workspace's (``returns:`` in
shopops.yaml). Each block carries the 口径 lines its command prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import duckdb
import polars as pl

from shopops.domains.returns.items import focus_items
from shopops.domains.returns.pareto import reason_pareto
from shopops.domains.returns.reviews import review_list
from shopops.domains.returns.rules import ReturnRules
from shopops.domains.returns.summary import case_shops, returns_summary
from shopops.errors import UserError
from shopops.metrics.totals import TOTAL_SHOP
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import DASH, write_number, write_text
from shopops.warehouse_settings import settings_beside

SHEET = "退货"
TOP_ITEMS = 20  # the focus list: the highest lower bounds
TOP_REVIEWS = 20
KIND_STYLES = {"count": "count", "money": "money", "percent": "percent", "points": "change_pp"}
# (key, 中文 header, kind): kind says how a value is shown (text, count, money, percent)
SUMMARY: tuple[tuple[str, str, str], ...] = (
    ("shop", "店铺", "text"),
    ("success_cases", "成功退款单", "count"),
    ("success_amount", "成功退款金额", "money"),
    ("refund_only_amount", "仅退款金额", "money"),
    ("return_refund_amount", "退货退款金额", "money"),
    ("exchange_cases", "换货单数", "count"),
    ("before_shipment_amount", "发货前金额", "money"),
    ("after_shipment_amount", "发货后金额", "money"),
    ("gmv", "支付金额", "money"),
    ("refund_rate_completed", "退款率(按完结日)", "percent"),
    ("after_shipment_rate", "发货后退款率(按完结日)", "percent"),
    ("product_rate", "品退率(按完结日)", "percent"),
    ("refund_rate_cohort", "退款率(按支付日)", "percent"),
    ("order_refund_rate_cohort", "退款订单率(按支付日)", "percent"),
    ("cohort_state", "按支付日", "text"),
)
CLASSES: tuple[tuple[str, str, str], ...] = (
    ("class", "原因大类", "text"),
    ("count", "单数", "count"),
    ("amount", "金额", "money"),
    ("share", "占比", "percent"),
    ("cum_share", "累计占比", "percent"),
    ("count_prev", "上期单数", "count"),
    ("share_change", "占比变化(pp)", "points"),
    ("top_reasons", "主要原因", "text"),
)
ITEMS: tuple[tuple[str, str, str], ...] = (
    ("shop", "店铺", "text"),
    ("style", "款式", "text"),
    ("name", "名称", "text"),
    ("lines", "支付子订单", "count"),
    ("returns", "退货子订单", "count"),
    ("rate", "退货率", "percent"),
    ("lower_bound", "Wilson下限", "percent"),
    ("rate_change", "变化(pp)", "points"),
    ("top_reason", "主要原因", "text"),
    ("top_class", "主因大类", "text"),
    ("sizes", "退货尺码分布", "text"),
    ("colors", "退货颜色分布", "text"),
    ("amount", "退款金额", "money"),
)
REVIEWS: tuple[tuple[str, str, str], ...] = (
    ("shop", "店铺", "text"),
    ("grade", "评价", "text"),
    ("reviewed_at", "评价时间", "text"),
    ("days_left", "剩余天数", "count"),
    ("style", "款式", "text"),
    ("spec", "规格", "text"),
    ("content", "评价内容", "text"),
    ("refund_reason", "退款原因", "text"),
    ("link", "关联方式", "text"),
)


def returns_sheet(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> Callable[[Book], None] | None:
    """The domain's sheet part: the writer of the 退货 sheet of a 周报/月报; None for a 日报 (its 退款
    sheet is the short form) or when no shop has a 退款/售后 import."""
    if start == end or not case_shops(con):
        return None
    return partial(write_returns, con=con, start=start, end=end)


def rules_of(con: duckdb.DuckDBPyConnection) -> ReturnRules:
    """The workspace's ``returns:`` settings (the shopops.yaml next to the warehouse file)."""
    return ReturnRules.from_settings(settings_beside(con))


def write_returns(book: Book, *, con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    shops = case_shops(con, [name for name, _ in book.data.shops])
    if not shops:
        return
    try:
        rules = rules_of(con)
    except UserError as error:  # a bad returns: section — the report says so instead of stopping
        rules, problem = ReturnRules(), str(error)
    else:
        problem = ""
    worksheet = book.add_sheet(SHEET)
    book.title(
        worksheet,
        SHEET,
        f"{start} ~ {end} · 金额单位：元 · 退款率按完结日 = 当期完结的成功退款 ÷ 当期支付金额；"
        "按支付日 = 当期付款订单的成功退款 ÷ 当期支付金额 · “—” = 无数据或无法计算（不是 0）",
    )
    worksheet.set_column(0, 0, 14)
    worksheet.set_column(1, 2, 14)
    worksheet.set_column(3, len(SUMMARY) - 1, 11)
    row = 3
    if problem:
        write_text(worksheet, row, 0, f"{problem}（本表按默认设置）", book.styles["warning"])
        row += 1
    summary = returns_summary(con, start, end, shops, rules)
    frame = summary.frame.with_columns(
        pl.when(pl.col("provisional")).then(pl.lit("暂估")).otherwise(pl.lit("已稳定")).alias("cohort_state")
    )
    row = _block(
        book, worksheet, row, "退款概览（按店铺）", SUMMARY, frame, summary.notes, total_key=TOTAL_SHOP
    )
    pareto = reason_pareto(con, start, end, shops, rules, by="class")
    heading = "退款原因大类（按申请日；与上一同长周期比）"
    row = _block(book, worksheet, row, heading, CLASSES, pareto.frame, pareto.notes)
    focus = focus_items(con, start, end, shops, rules, by="style")
    shown = focus.frame.head(TOP_ITEMS)
    heading = (
        f"关注清单（按退货率 Wilson 下限排序，前 {shown.height} 款，至少 {rules.min_orders} 个支付子订单）"
    )
    row = _block(book, worksheet, row, heading, ITEMS, shown, focus.notes)
    reviews = review_list(con, start, end, shops, rules, today=end)
    if reviews.has_reviews:
        pending = reviews.frame.filter(pl.col("pending")).head(TOP_REVIEWS)
        heading = f"待处理中差评（{rules.review_window_days} 天内可联系买家修改；截至 {end}，前 {pending.height} 条）"
        _block(book, worksheet, row, heading, REVIEWS, pending, reviews.notes)
    worksheet.fit_to_pages(1, 0)


def _block(
    book: Book,
    worksheet: Any,
    row: int,
    heading: str,
    columns: Sequence[tuple[str, str, str]],
    frame: pl.DataFrame,
    notes: Sequence[str],
    *,
    total_key: str = "",
) -> int:
    styles = book.styles
    write_text(worksheet, row, 0, heading, styles["heading"])
    for column, (_, label, _) in enumerate(columns):
        write_text(worksheet, row + 1, column, label, styles["header"])
    worksheet.set_row(row + 1, 30)
    row += 2
    if frame.is_empty():
        write_text(worksheet, row, 0, "本期没有", styles["note"])
        row += 1
    for record in frame.iter_rows(named=True):
        total = bool(total_key) and record.get("shop") == total_key
        for column, (key, _, kind) in enumerate(columns):
            _write(book, worksheet, row, column, kind, record.get(key), total)
        row += 1
    for line in notes:
        write_text(worksheet, row, 0, line, styles["note"])
        row += 1
    return row + 1


def _write(book: Book, worksheet: Any, row: int, column: int, kind: str, value: Any, total: bool) -> None:
    styles = book.styles
    if kind == "text":
        text = DASH if value is None or value == "" else value
        write_text(
            worksheet, row, column, text if isinstance(text, str) else str(text), styles.cell("text", total)
        )
        return
    number = None if value is None else float(value)
    if number is not None and kind == "points":
        number *= 100  # a change of rates in points: 0.125 → +12.50pp
    write_number(
        worksheet, row, column, number, styles.cell(KIND_STYLES[kind], total), styles.cell("dash", total)
    )
