"""The 退货 page (`/returns`): the totals of a window on both rate bases, the reason Pareto chart, the
focus list and the 中差评 (待处理 first) — scoped like every other page.

Everything reads only the shops the user may see (``ScopedData.shops_for``); asking for another shop
(``shop=``) is refused like on every page, without naming it. Reasons, titles, specs and review texts
come from imported files: they reach the page as escaped text and its chart as JSON through
``json_script``, never as markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shopops.domains.returns.items import focus_items
from shopops.domains.returns.pareto import reason_pareto
from shopops.domains.returns.reviews import review_list
from shopops.domains.returns.rules import ReturnRules
from shopops.domains.returns.sheet import CLASSES, ITEMS, REVIEWS, SUMMARY
from shopops.domains.returns.summary import case_shops, returns_summary
from shopops.domains.returns.themes import review_themes
from shopops.metrics.totals import TOTAL_SHOP
from shopops.web.app import AuthDep, render
from shopops.web.data import ScopedData
from shopops.web.routes.pages import FromDay, ToDay, check_day, chosen_shops

WINDOW_DAYS = 30  # the default window, ending on the latest refund/售后 day of the user's shops
TOP_ITEMS = 30
TOP_REVIEWS = 50
TOP_THEMES = 20
HOW = "导入 千牛 退款管理（42 或 54 列）或 抖店 售后表；退货率还要 千牛 宝贝报表 / 抖店 订单；评价：抖店 评价导出或淘宝/天猫 评价插件 CSV"

router = APIRouter(include_in_schema=False)


@dataclass
class ReturnsPage:
    has_data: bool  # a 退款/售后 import among the user's shops at all
    start: dt.date | None = None
    end: dt.date | None = None
    summary: list[dict[str, Any]] = field(default_factory=list)
    summary_notes: list[str] = field(default_factory=list)
    pareto: list[dict[str, Any]] = field(default_factory=list)
    pareto_chart: dict[str, Any] | None = None
    pareto_notes: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    item_notes: list[str] = field(default_factory=list)
    has_reviews: bool = False
    reviews: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 0
    review_notes: list[str] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)


def latest_case_day(data: ScopedData, shops: list[str]) -> dt.date | None:
    """The latest day a 退款/售后 case of these shops was applied for or completed."""
    if not shops:
        return None
    rows = data.cursor.execute(
        "SELECT max(greatest(CAST(applied_at AS DATE), coalesce(CAST(completed_at AS DATE), DATE '2000-01-01')))"
        " FROM (SELECT shop, applied_at, completed_at FROM refunds"
        " UNION ALL SELECT shop, applied_at, completed_at FROM after_sales)"
        " WHERE list_contains($shops, shop)",
        {"shops": shops},
    ).fetchall()
    return rows[0][0] if rows else None


def cell_text(kind: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if kind == "text":
        return str(value)
    if kind == "count":
        return f"{int(value):,}"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "percent":
        return f"{float(value):.2%}"
    if kind == "points":
        return f"{float(value) * 100:+.1f}pp"
    raise ValueError(kind)


def text_rows(frame: pl.DataFrame, columns: tuple[tuple[str, str, str], ...]) -> list[dict[str, Any]]:
    """Rows as text cells ("—" for unknown) with the raw values for sorting."""
    rows = []
    for record in frame.iter_rows(named=True):
        cells = [
            {
                "key": key,
                "kind": kind,
                "text": cell_text(kind, record.get(key)),
                "sort": "" if record.get(key) is None else str(record.get(key)),
            }
            for key, _, kind in columns
        ]
        rows.append({"cells": cells, "total": record.get("shop") == TOTAL_SHOP, "record": record})
    return rows


def build_page(
    data: ScopedData,
    shops: list[str],
    start: dt.date | None,
    end: dt.date | None,
    *,
    by: Literal["sku", "style"],
) -> ReturnsPage:
    page = ReturnsPage(has_data=bool(case_shops(data.cursor, list(data.allowed))))
    chosen = case_shops(data.cursor, shops) if shops else []
    if not page.has_data or not chosen:
        return page
    end = end or latest_case_day(data, chosen) or dt.date.today()
    start = start or end - dt.timedelta(days=WINDOW_DAYS - 1)
    if start > end:
        start, end = end, start
    page.start, page.end = start, end
    rules = ReturnRules.from_settings(data.workspace.settings.raw)
    con = data.cursor
    summary = returns_summary(con, start, end, chosen, rules)
    frame = summary.frame.with_columns(
        pl.when(pl.col("provisional")).then(pl.lit("暂估")).otherwise(pl.lit("已稳定")).alias("cohort_state")
    )
    page.summary, page.summary_notes = text_rows(frame, SUMMARY), summary.notes
    pareto = reason_pareto(con, start, end, chosen, rules, by="class")
    page.pareto, page.pareto_notes = text_rows(pareto.frame, CLASSES), pareto.notes
    if not pareto.frame.is_empty():
        page.pareto_chart = {
            "labels": pareto.frame["class"].to_list(),
            "counts": pareto.frame["count"].to_list(),
            "cumulative": [round(float(v) * 100, 1) for v in pareto.frame["cum_share"].to_list()],
            "previous": pareto.frame["count_prev"].to_list(),
        }
    focus = focus_items(con, start, end, chosen, rules, by=by)
    columns = ITEMS if by == "style" else (ITEMS[0], ("sku", "商品编码", "text"), *ITEMS[2:])
    page.items, page.item_notes = text_rows(focus.frame.head(TOP_ITEMS), columns), focus.notes
    reviews = review_list(con, start, end, chosen, rules, today=end)
    page.has_reviews = reviews.has_reviews
    if reviews.has_reviews:
        page.pending = reviews.frame.filter(pl.col("pending")).height
        page.reviews = text_rows(reviews.frame.head(TOP_REVIEWS), REVIEWS)
        page.review_notes = reviews.notes
        themes = review_themes(reviews.frame, rules, by="style", top=3)
        page.themes = [dict(row) for row in themes.head(TOP_THEMES).iter_rows(named=True)]
    return page


@router.get("/returns", response_class=HTMLResponse)
def returns(
    request: Request,
    auth: AuthDep,
    start: FromDay = None,
    end: ToDay = None,
    shop: str | None = None,
    by: Literal["sku", "style"] = "style",
) -> Response:
    shops = chosen_shops(auth, shop)
    page = build_page(auth.data, shops, check_day(start), check_day(end), by=by)
    item_columns = ITEMS if by == "style" else (ITEMS[0], ("sku", "商品编码", "text"), *ITEMS[2:])
    return render(
        request,
        "returns.html",
        auth,
        view=page,
        how=HOW,
        by=by,
        start=page.start.isoformat() if page.start else "",
        end=page.end.isoformat() if page.end else "",
        summary_headers=[label for _, label, _ in SUMMARY],
        class_headers=[label for _, label, _ in CLASSES],
        item_headers=[label for _, label, _ in item_columns],
        review_headers=[label for _, label, _ in REVIEWS],
        shops=auth.data.shops(),
        shop=shop or "",
    )
