"""The 竞品 page (`/rivals`): a rival group or item side by side with our paired item, its timelines,
price changes, 上新/消失 — scoped like every other page.

Rival data (snapshots, 生意参谋 indices of rivals) is not our shops' data and is shown to every
user; our paired item's numbers come only from the shops the user may see (a pairing with a shop
outside the scope shows no numbers and never names that shop). Rival revenue is always an
estimate (估算): units × price of the day, and — where our own 交易指数 pairs carry a fit — the
指数还原 estimate with its range; our item's 支付金额 is a fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shopops.domains.rivals.facts import (
    daily_sales_sql,
    disappeared_items,
    frame,
    new_items,
    price_changes,
)
from shopops.domains.rivals.findings import RivalRules
from shopops.domains.rivals.index_fit import IndexFit, fit_index, own_index_pairs
from shopops.errors import UserError
from shopops.web.app import AuthDep, render
from shopops.web.data import ScopedData
from shopops.web.routes.pages import FromDay, ToDay, check_day, date_range

PROBLEMS = {"reset": "计数重置", "decrease": "计数下降"}  # counter statuses that leave sales unknown
MAX_ITEMS = 12  # items of a group shown at once (side by side and on the charts)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Pick:
    """One rival item on the page and its pairing (our_shop '*' = any of our shops)."""

    shop: str
    item_id: str
    title: str
    group: str
    our_shop: str
    our_item_id: str

    @property
    def key(self) -> str:
        return f"{self.shop}|{self.item_id}"


@dataclass
class RivalPage:
    groups: list[str]
    items: list[Pick]
    chosen: list[Pick]
    rows: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    fit: dict[str, Any] | None = None
    group: str = ""  # the group shown ('' when one item is)
    item: str = ""  # the item shown (its key), when one is


def rival_days(data: ScopedData) -> tuple[dt.date | None, dt.date | None]:
    """The first and last snapshot day."""
    row = data.cursor.execute("SELECT min(date), max(date) FROM rival_snapshots").fetchone()
    return (row[0], row[1]) if row else (None, None)


def rival_items(data: ScopedData) -> list[Pick]:
    """Registered rival items, then items only seen in snapshots (not registered, so not paired)."""
    rows = data.cursor.execute(
        "SELECT i.rival_shop, i.item_id, coalesce(nullif(i.title, ''), (SELECT max(r.title) FROM rival_snapshots r"
        "  WHERE r.rival_shop = i.rival_shop AND r.item_id = i.item_id), ''),"
        " coalesce(nullif(i.group_name, ''), s.group_name, ''), i.our_shop, i.our_item_id"
        " FROM rival_items i LEFT JOIN rival_shops s ON s.name = i.rival_shop"
        " UNION ALL "
        "SELECT r.rival_shop, r.item_id, max(r.title), coalesce(any_value(s.group_name), ''), '*', ''"
        " FROM rival_snapshots r LEFT JOIN rival_shops s ON s.name = r.rival_shop"
        " WHERE NOT EXISTS (SELECT 1 FROM rival_items i WHERE i.rival_shop = r.rival_shop"
        " AND i.item_id = r.item_id) GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    return [Pick(str(r[0]), str(r[1]), str(r[2] or ""), str(r[3] or ""), str(r[4]), str(r[5])) for r in rows]


def _our_shops(data: ScopedData, pick: Pick) -> list[str]:
    """Our shops whose item the pick is compared with — only shops the user may see."""
    if not pick.our_item_id:
        return []
    if pick.our_shop == "*":
        return list(data.allowed)
    return [pick.our_shop] if pick.our_shop in data.allowed else []


def _fit(data: ScopedData) -> IndexFit | None:
    pairs = own_index_pairs(data.cursor).filter(pl.col("shop").is_in(list(data.allowed)))
    try:
        return fit_index(pairs, ",".join(sorted(set(pairs["shop"].to_list()))))
    except UserError:
        return None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def build_page(data: ScopedData, start: dt.date, end: dt.date, group: str, item: str) -> RivalPage:
    """Everything the 竞品 page shows for a group or one item (default: the first group, else item)."""
    items = rival_items(data)
    groups = sorted({p.group for p in items if p.group})
    if not item and not group:
        group, item = (groups[0], "") if groups else ("", items[0].key if items else "")
    if item:
        group, chosen = "", [p for p in items if p.key == item]
    else:
        chosen = [p for p in items if p.group == group]
    page = RivalPage(groups, items, chosen[:MAX_ITEMS], group=group, item=item)
    if not page.chosen:
        return page
    keys = pl.DataFrame(
        {"rival_shop": [p.shop for p in page.chosen], "item_id": [p.item_id for p in page.chosen]}
    )
    sales = frame(data.cursor, daily_sales_sql(start, end)).join(keys, on=["rival_shop", "item_id"])
    ours = _our_sales(data, page.chosen, start, end)
    fit = _fit(data)
    estimates = _index_estimates(data, fit, page.chosen, start, end)
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    page.series = {"dates": [d.isoformat() for d in dates], "price": [], "units": []}
    for pick in page.chosen:
        mine = sales.filter((pl.col("rival_shop") == pick.shop) & (pl.col("item_id") == pick.item_id))
        our = ours.get(pick.key)
        page.rows.append(_row(pick, mine, our, estimates.get(pick.key)))
        by_day = {r["date"]: r for r in mine.iter_rows(named=True)}
        label = f"{pick.shop} {pick.item_id}"
        page.series["price"].append(
            {"label": label, "values": [_round(_get(by_day, d, "price")) for d in dates]}
        )
        estimated = page.rows[-1]["estimated_days"]
        page.series["units"].append(
            {
                "label": f"{label}（含估算 {estimated} 天）" if estimated else label,
                "values": [_round(_get(by_day, d, "units")) for d in dates],
            }
        )
        if our is not None:
            our_days = {r["date"]: r for r in our.iter_rows(named=True)}
            our_label = f"我方 {pick.our_item_id}"
            if all(s["label"] != our_label for s in page.series["units"]):
                page.series["price"].append(
                    {
                        "label": our_label,
                        "ours": True,
                        "values": [_round(_get(our_days, d, "price")) for d in dates],
                    }
                )
                page.series["units"].append(
                    {
                        "label": our_label,
                        "ours": True,
                        "values": [_round(_get(our_days, d, "units")) for d in dates],
                    }
                )
    shops = {p.shop for p in page.chosen}
    item_keys = {(p.shop, p.item_id) for p in page.chosen}
    rules = RivalRules.from_settings(data.workspace.settings.raw)
    changes = price_changes(data.cursor, start, end, promo_drop=rules.promo_drop)
    page.changes = [r for r in changes.iter_rows(named=True) if (r["shop"], r["item_id"]) in item_keys][::-1]
    page.new = [r for r in new_items(data.cursor, start, end).iter_rows(named=True) if r["shop"] in shops]
    page.gone = [
        r for r in disappeared_items(data.cursor, start, end).iter_rows(named=True) if r["shop"] in shops
    ]
    if fit is not None:
        page.fit = {
            "formula": fit.to_record()["formula"],
            "pairs": fit.pairs,
            "error": fit.median_abs_pct_error,
            "low": fit.low_factor,
            "high": fit.high_factor,
        }
    return page


def _get(by_day: dict[dt.date, dict[str, Any]], day: dt.date, name: str) -> float | None:
    row = by_day.get(day)
    value = None if row is None else row.get(name)
    return None if value is None else float(value)


def _our_sales(data: ScopedData, chosen: list[Pick], start: dt.date, end: dt.date) -> dict[str, pl.DataFrame]:
    """Per pick: our paired item's units, 支付金额 and average price per day (the user's shops only)."""
    found: dict[str, pl.DataFrame] = {}
    for pick in chosen:
        shops = _our_shops(data, pick)
        if not shops:
            continue
        found[pick.key] = frame(
            data.cursor,
            "SELECT date, sum(units)::DOUBLE AS units, sum(gmv)::DOUBLE AS gmv,"
            " sum(gmv)::DOUBLE / nullif(sum(units), 0) AS price, string_agg(DISTINCT shop, ',') AS shops"
            " FROM sycm_item_day WHERE item_id = $item AND date BETWEEN $start AND $end"
            " AND shop IN (SELECT unnest($shops::VARCHAR[])) GROUP BY date ORDER BY date",
            {"item": pick.our_item_id, "start": start, "end": end, "shops": shops},
        )
    return found


def _index_estimates(
    data: ScopedData, fit: IndexFit | None, chosen: list[Pick], start: dt.date, end: dt.date
) -> dict[str, dict[str, Any]]:
    """Per pick: the 指数还原 estimate summed over the period, from the item's 交易指数 (else its shop's)."""
    if fit is None:
        return {}
    rows = frame(
        data.cursor,
        "SELECT rival_shop, item_id, sum(trade_index ^ $b)::DOUBLE AS powered, count(*) AS days FROM"
        " (SELECT rival_shop, item_id, date, avg(trade_index) AS trade_index FROM rival_index_day"
        "  WHERE subject = 'rival' AND trade_index > 0 AND date BETWEEN $start AND $end GROUP BY ALL)"
        " GROUP BY ALL",  # a rival in several of our shops' exports counts once a day
        {"b": fit.exponent, "start": start, "end": end},
    )
    by_key = {(r["rival_shop"], r["item_id"]): r for r in rows.iter_rows(named=True)}
    found: dict[str, dict[str, Any]] = {}
    for pick in chosen:
        row, whole_shop = by_key.get((pick.shop, pick.item_id)), False
        if row is None:
            row, whole_shop = by_key.get((pick.shop, "")), True
        if row is None:
            continue
        middle = fit.estimate(1.0) * row["powered"]
        found[pick.key] = {
            "low": middle * fit.low_factor,
            "estimate": middle,
            "high": middle * fit.high_factor,
            "days": row["days"],
            "whole_shop": whole_shop,
        }
    return found


def _row(
    pick: Pick, sales: pl.DataFrame, ours: pl.DataFrame | None, estimate: dict[str, Any] | None
) -> dict[str, Any]:
    """One side-by-side row: the rival item's latest price, units and 估算 revenue against ours."""
    # a day without a snapshot borrows the next reading's price: not a price seen that day
    seen = ~pl.col("estimated") | pl.col("sales_total").is_not_null()
    priced = sales.filter(pl.col("price").is_not_null() & seen)
    counted = sales.filter(pl.col("units").is_not_null())
    units = float(counted["units"].sum()) if counted.height else None
    revenue = float(counted["revenue"].cast(pl.Float64).sum()) if counted.height else None
    row: dict[str, Any] = {
        "pick": pick,
        "price": float(priced["price"][-1]) if priced.height else None,
        "price_date": priced["date"][-1].isoformat() if priced.height else "",
        "units": units,
        "units_per_day": units / counted.height if units is not None and counted.height else None,
        "sales_days": counted.height,
        "estimated_days": counted.filter("estimated").height,  # days of a gap between snapshots (估算)
        "revenue": revenue,
        "problems": [PROBLEMS[s] for s in sorted(set(sales["counter_status"].to_list()) & set(PROBLEMS))],
        "index": estimate,
        "paired": bool(pick.our_item_id),
        "ours": None,
    }
    if ours is not None:
        sold = ours.filter(pl.col("units").is_not_null())
        our_units = float(sold["units"].sum()) if sold.height else None
        gmv = float(sold["gmv"].sum()) if sold.height else None
        row["ours"] = {
            "item_id": pick.our_item_id,
            "shops": ",".join(sorted({s for v in ours["shops"].to_list() for s in str(v).split(",")})),
            "price": gmv / our_units if gmv is not None and our_units else None,
            "units": our_units,
            "units_per_day": our_units / sold.height if our_units is not None and sold.height else None,
            "gmv": gmv,
            "days": sold.height,
        }
    return row


@router.get("/rivals", response_class=HTMLResponse)
def rivals(
    request: Request,
    auth: AuthDep,
    group: str = "",
    item: str = "",
    start: FromDay = None,
    end: ToDay = None,
) -> Response:
    first, last = rival_days(auth.data)
    asked_start = start
    start, end = date_range(auth, start, check_day(end) or last or auth.data.data_dates()[1], 30)
    if asked_start is None and first is not None and first > start:
        start = min(first, end)
    page = build_page(auth.data, start, end, group, item)
    return render(
        request,
        "rivals.html",
        auth,
        view=page,
        start=start.isoformat(),
        end=end.isoformat(),
    )
