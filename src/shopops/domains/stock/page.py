"""The 商品 page (`/stock`): the stock status of a day with filters, one item's stock and sales by day,
the 断货 risks and the 换季清仓 list — scoped like every other page.

The table, the pickers and the chart only ever read the shops the user may see
(``ScopedData.shops_for``); asking for another shop (``shop=``) or for an item of another shop
(``item=shop|code``) is refused like on every page, without naming it. SKU codes, style names and
categories come from imported files: they reach the page as escaped text and its chart as JSON
through ``json_script``, never as markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shopops.domains.stock.alerts import KINDS, stock_alerts
from shopops.domains.stock.clearance import OLD, SEASONS
from shopops.domains.stock.history import HISTORY_DAYS, ItemHistory, item_history
from shopops.domains.stock.sheet import (
    CLEARANCE_TABLE,
    COLUMNS,
    NO_CLASS,
    cell_text,
    clearance_notes,
    clearance_of,
    distribution,
    previous_season,
)
from shopops.domains.stock.status import CLASSES, StockRules, stock_status
from shopops.web.app import AuthDep, render
from shopops.web.data import Forbidden, ScopedData
from shopops.web.routes.pages import check_day, chosen_shops

HIDDEN = ("sku", "age_basis")  # the SKU is the row's link; 库龄依据 the 库龄 cell's title
MAX_ROWS = 300  # the table shows the largest stock values first; the rest are one filter away
TOP_ALERTS = 10  # the alerts panel: the largest amounts at stake
TOP_CLEARANCE = 30
KIND_KEYS = {"超卖": "oversold", "断货风险": "stockout", "积压": "overstock"}
ClearanceSeason = Literal["", "春", "夏", "秋", "冬", "四季", "old"]
CLEARANCE_SEASONS = (*SEASONS, "四季", OLD)  # the selector; old = every season but the day's own
CLASS_KEYS = {
    "零动销": "dead",
    "滞销": "slow",
    "低周转": "low",
    "正常": "normal",
    "高周转": "fast",
    NO_CLASS: "none",
}
HOW = (
    "导入 ERP 的库存导出（聚水潭 商品库存、旺店通 库存、eFAST 库存、京东自营 库存），"
    "再加上 商品资料（成本价、季节、创建时间）与 组合商品 BOM"
)
Status = Literal["", "零动销", "滞销", "低周转", "正常", "高周转", "无库存无销售"]

router = APIRouter(include_in_schema=False)


@dataclass
class StockPage:
    has_data: bool  # any stock snapshot in the user's shops at all
    day: dt.date | None  # the status day
    first: dt.date | None = None  # the first and last snapshot day of the chosen shops
    last: dt.date | None = None
    total: int = 0  # rows of the day before the filters
    matched: int = 0  # rows after the filters
    rows: list[dict[str, Any]] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)  # the distribution, as text
    notes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    seasons: list[str] = field(default_factory=list)
    item: str = ""  # the chosen item's key (shop|code)
    item_code: str = ""
    item_shop: str = ""
    item_name: str = ""
    history: dict[str, Any] | None = None  # the chosen item's days (JSON for the chart)
    history_note: str = ""
    alert_counts: list[dict[str, str]] = field(default_factory=list)  # per kind: count and amount
    alerts: list[dict[str, Any]] = field(default_factory=list)  # the largest amounts at stake
    alert_notes: list[str] = field(default_factory=list)
    clearance_season: str = ""
    clearance_rows: list[dict[str, Any]] = field(default_factory=list)
    clearance_total: int = 0
    clearance_problem: str = ""  # why there is no list (no 季节 in the product list …)
    clearance_notes: list[str] = field(default_factory=list)


def snapshot_days(data: ScopedData, shops: list[str]) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day with a stock snapshot of these shops."""
    if not shops:
        return None, None
    row = data.cursor.execute(
        "SELECT min(period_start), max(period_start) FROM stock_snapshot WHERE list_contains($shops, shop)",
        {"shops": shops},
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def item_key(shop: str, code: str) -> str:
    return f"{shop}|{code}"


def checked_item(data: ScopedData, item: str) -> None:
    """An item of a shop outside the user's scope is refused (the message never names the shop)."""
    for shop in data.all_shops:
        if item.startswith(shop + "|") and shop not in data.allowed:
            raise Forbidden("无权查看该店铺或店铺不存在 (no such shop, or not yours)")


def filtered(frame: pl.DataFrame, status: str, category: str, season: str, search: str) -> pl.DataFrame:
    """The status rows that pass the filters; the search matches 商品编码, 款式编码 or 名称 (any case)."""
    if status == NO_CLASS:
        frame = frame.filter(pl.col("status").is_null())
    elif status:
        frame = frame.filter(pl.col("status") == status)
    if category:
        frame = frame.filter(pl.col("category") == category)
    if season:
        frame = frame.filter(pl.col("season") == season)
    if search.strip():
        needle = search.strip().lower()
        text = pl.concat_str(
            [pl.col(c).fill_null("") for c in ("sku", "style", "name")], separator="\n"
        ).str.to_lowercase()
        frame = frame.filter(text.str.contains(needle, literal=True))
    return frame


def table_rows(frame: pl.DataFrame, by: str) -> list[dict[str, Any]]:
    """The status rows as text cells ("—" for unknown) with the raw values for sorting."""
    rows = []
    for record in frame.iter_rows(named=True):
        code = record["style"] if by == "style" else record["sku"]
        cells = [
            {"key": key, "text": cell_text(kind, record[key]), "sort": _sort_value(record[key]), "kind": kind}
            for key, _, kind in COLUMNS
            if key not in HIDDEN and not (by == "style" and key == "style")
        ]
        rows.append(
            {
                "key": item_key(record["shop"], code or ""),
                "code": code or "—",
                "skus": record["sku"] if by == "style" else "",
                "status": record["status"] or "",
                "status_key": CLASS_KEYS.get(record["status"] or NO_CLASS, "none"),
                "age_basis": record["age_basis"] or "",
                "cells": cells,
            }
        )
    return rows


def _sort_value(value: Any) -> str:
    return "" if value is None else str(value)


def class_cards(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "status": line["status"],
            "key": CLASS_KEYS.get(line["status"], "total"),
            "skus": cell_text("count", line["skus"]),
            "on_hand": cell_text("count", line["on_hand"]),
            "stock_value": cell_text("money", line["stock_value"]),
            "share": cell_text("percent", line["share"]),
        }
        for line in distribution(frame)
    ]


def history_series(history: ItemHistory, label: str) -> dict[str, Any]:
    """The item's days as JSON for the chart: stock lines (gaps without a snapshot) and sales bars."""
    return {
        "label": label,
        "dates": [d.isoformat() for d in history.dates],
        "on_hand": history.on_hand,
        "available": history.available,
        "sold": history.sold,
    }


def alert_panel(page: StockPage, data: ScopedData, shops: list[str], day: dt.date, rules: StockRules) -> None:
    """断货风险, 超卖 and 积压 of the day: the count and amount per kind, the largest amounts listed."""
    alerts = stock_alerts(data.cursor, day, shops, rules=rules)
    frame = alerts.frame
    for kind in KINDS:
        part = frame.filter(pl.col("kind") == kind)
        amount = part["amount_at_stake"]  # a sum with an unknown part is unknown
        known = None if amount.null_count() else amount.sum() if part.height else 0
        page.alert_counts.append(
            {
                "kind": kind,
                "key": KIND_KEYS[kind],
                "count": f"{part.height:,}",
                "amount": cell_text("money", known),
            }
        )
    page.alert_notes = [line for line in alerts.notes if line.split("：", 1)[0] not in shops]
    for record in frame.head(TOP_ALERTS).iter_rows(named=True):
        page.alerts.append(
            {
                "key": item_key(record["shop"], record["sku"]),
                "sku": record["sku"],
                "shop": record["shop"],
                "name": record["name"] or "",
                "kind": record["kind"],
                "kind_key": KIND_KEYS.get(record["kind"], ""),
                "bestseller": bool(record["bestseller"]),
                "available": cell_text("count", record["available"]),
                "in_transit": cell_text("count", record["in_transit"]),
                "cover": cell_text("days", record["cover_with_transit"]),
                "amount": cell_text("money", record["amount_at_stake"]),
                "formula": record["formula"] or "—",
            }
        )


def clearance_panel(
    page: StockPage, data: ScopedData, shops: list[str], day: dt.date, season: str, rules: StockRules
) -> None:
    """The 换季清仓 list of ``season`` (default: the season before the day's own)."""
    page.clearance_season = season = season or previous_season(day)
    clearance, page.clearance_problem = clearance_of(data.cursor, day, season, shops, rules)
    if clearance is None:
        return
    page.clearance_total = clearance.frame.height
    page.clearance_notes = clearance_notes(clearance, shops)
    for record in clearance.frame.head(TOP_CLEARANCE).iter_rows(named=True):
        page.clearance_rows.append(
            {
                "key": item_key(record["shop"], record["style"]),
                "style": record["style"],
                "cells": [
                    {
                        "key": key,
                        "text": cell_text(kind, record[key]),
                        "sort": _sort_value(record[key]),
                        "kind": kind,
                    }
                    for key, _, kind in CLEARANCE_TABLE
                    if key != "style"
                ],
            }
        )


def build_page(
    data: ScopedData,
    shops: list[str],
    day: dt.date | None,
    *,
    by: Literal["sku", "style"],
    status: str,
    category: str,
    season: str,
    search: str,
    item: str,
    clearance: str = "",
) -> StockPage:
    page = StockPage(has_data=snapshot_days(data, list(data.allowed))[0] is not None, day=day)
    if not page.has_data or not shops:
        return page
    page.first, page.last = snapshot_days(data, shops)
    page.day = day = day or page.last
    if day is None:
        return page
    rules = StockRules.from_settings(data.workspace.settings.raw)
    result = stock_status(data.cursor, day, shops, by=by, rules=rules)
    frame = result.frame
    page.notes = result.notes
    page.total = frame.height
    if frame.is_empty():
        return page
    page.classes = class_cards(frame)
    page.categories = sorted({c for c in frame["category"].to_list() if c})
    page.seasons = sorted({s for s in frame["season"].to_list() if s})
    chosen = filtered(frame, status, category, season, search)
    page.matched = chosen.height
    page.rows = table_rows(chosen.head(MAX_ROWS), by)
    alert_panel(page, data, shops, day, rules)
    clearance_panel(page, data, shops, day, clearance, rules)
    if item:
        checked_item(data, item)
    key = item or (page.rows[0]["key"] if page.rows else "")
    shop = next((s for s in shops if key.startswith(s + "|")), None)
    if shop is None:
        return page
    page.item, page.item_shop, page.item_code = key, shop, key[len(shop) + 1 :]
    match = frame.filter((pl.col("shop") == shop) & (pl.col(by) == page.item_code))
    page.item_name = str(match["name"][0] or "") if match.height else ""
    history = item_history(data.cursor, shop, page.item_code, day, by=by)
    if history is None:
        page.history_note = (
            f"{day} 之前 {HISTORY_DAYS} 天里没有这个{'款式' if by == 'style' else 'SKU'}的库存或销售"
        )
    else:
        page.history = history_series(history, page.item_code)
    return page


@router.get("/stock", response_class=HTMLResponse)
def stock(
    request: Request,
    auth: AuthDep,
    shop: str | None = None,
    date: dt.date | None = None,
    by: Literal["sku", "style"] = "sku",
    status: Status = "",
    category: str = "",
    season: str = "",
    q: str = "",
    item: str = "",
    clearance: ClearanceSeason = "",
) -> Response:
    shops = chosen_shops(auth, shop)
    if item:
        checked_item(auth.data, item)
    page = build_page(
        auth.data,
        shops,
        check_day(date),
        by=by,
        status=status,
        category=category,
        season=season,
        search=q[:100],
        item=item,
        clearance=clearance,
    )
    headers = [(key, label) for key, label, _ in COLUMNS if key not in HIDDEN]
    if by == "style":
        headers = [(k, label) for k, label in headers if k != "style"]
    return render(
        request,
        "stock.html",
        auth,
        view=page,
        headers=headers,
        how=HOW,
        by=by,
        status_filter=status,
        statuses=[*CLASSES, NO_CLASS],
        category=category,
        season=season,
        q=q[:100],
        clearance_seasons=CLEARANCE_SEASONS,
        clearance_headers=[(key, label) for key, label, _ in CLEARANCE_TABLE if key != "style"],
        shops=auth.data.shops(),
        shop=shop or "",
    )
