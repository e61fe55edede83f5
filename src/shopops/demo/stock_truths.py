"""The stock demo's truths (``manifest["stock"]``), computed from the simulation, not from the files.

JSON-able; money as text. Besides the snapshots, SKUs, packs and the last day's status figures:

- ``styles``: each style's attributes, its 商品ID, its price changes (every day its price differs from
  the day before, as the order lines show it) and ``daily`` — its 生意参谋 商品效果 rows (visitors,
  pageviews, add_to_cart_buyers, buyers, units, gmv per day with visitors; units and gmv are its
  paid order lines of that day). Packs carry the same ``item_id`` and ``daily`` under ``combos``.
- ``last_day``: per SKU the last day's available, sales_7d/30d and days_of_cover = available ×
  ``window_days`` ÷ sales_30d: the window is 30, or a young SKU's days on sale (库龄 + 1, at least 1)
  when ``age_basis`` — the 库龄 evidence — is 首次有库存 or 创建时间 (≥ 快照起点: 30).
- ``sell_through``: per SKU the stock at the first snapshot day (``opening_on_hand``, 0 when the SKU
  was not in that snapshot), what came in and what sold in the days after it up to the last snapshot,
  so that 售罄率 = 期内销量 ÷ (期初库存 + 期内入库) can be checked by hand.
- ``planted``: the cases an analysis must find (clearances, 超卖, 零动销, the new styles with how each
  does against the launch cohort, the repriced styles and the one with no price history).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from shopops.demo.stock_catalog import (
    LEAD_DAYS,
    MARKDOWN,
    PLATFORM,
    SHOP,
    SNAPSHOT_DAYS,
    Style,
    marked_price,
)
from shopops.demo.stock_traffic import Traffic, daily

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory

PRICE_WINDOW = 14  # days before and from a price change whose units the manifest gives


COVER_BASIS = 30  # 可售天数 from the last 30 days' sales (shopops.yaml stock.cover_basis)


def _age(
    first_stock: dt.date | None, history_start: dt.date, created: dt.date | None, last: dt.date
) -> tuple[str, int | None]:
    """库龄's evidence and age on ``last``: the first snapshot with stock when it came after the shop's
    first snapshot (首次有库存), else the product master's 创建时间, else none (≥ 快照起点)."""
    if first_stock is not None and first_stock > history_start:
        return "首次有库存", (last - first_stock).days
    if created is not None:
        return "创建时间", (last - created).days
    return "≥ 快照起点", None


def _window(age: int | None) -> int:
    """The days of sales behind the cover: a young SKU's days on sale (age + 1, at least 1), at most 30."""
    return COVER_BASIS if age is None else min(COVER_BASIS, max(1, age + 1))


def _cover(available: int, sales_30d: int, window: int = COVER_BASIS) -> str | None:
    """可售天数 = 可用库存 × window ÷ 近30天销量, to the hundredth half up; None when nothing sold."""
    if not sales_30d:
        return None
    return str((Decimal(available * window) / Decimal(sales_30d)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _daily(column: np.ndarray, dates: list[dt.date]) -> dict[str, int]:
    return {dates[i].isoformat(): int(column[i]) for i in np.flatnonzero(column)}


def _money(value: float) -> str:
    return f"{value:.2f}"


def truths(history: StockHistory, traffic: Traffic) -> dict[str, Any]:
    """What the files say, computed from the simulation."""
    h, dates = history, history.dates
    iso = [d.isoformat() for d in dates]
    created = [s.style.created.date() for s in h.skus]
    snapshot_days = range(max(0, len(dates) - SNAPSHOT_DAYS), len(dates))
    snapshots = {
        iso[d]: {
            s.code: {
                "on_hand": int(h.on_hand[d, i]),
                "order_locked": int(h.locked[d, i]),
                "in_transit": int(h.in_purchase[d, i] + h.in_transfer[d, i]),
                "available": int(h.on_hand[d, i] - h.locked[d, i]),
            }
            for i, s in enumerate(h.skus)
            if created[i] <= dates[d]
        }
        for d in snapshot_days
    }
    sold = h.units + h.component_units
    last = len(dates) - 1
    last_day = {}
    first = snapshot_days[0]
    for i, s in enumerate(h.skus):
        if created[i] > dates[last]:
            continue
        s7, s30 = int(sold[-7:, i].sum()), int(sold[-30:, i].sum())
        available = int(h.on_hand[last, i] - h.locked[last, i])
        stocked = [d for d in snapshot_days if created[i] <= dates[d] and h.on_hand[d, i] > 0]
        basis, age = _age(dates[stocked[0]] if stocked else None, dates[first], created[i], dates[last])
        last_day[s.code] = {
            "available": available,
            "sales_7d": s7,
            "sales_30d": s30,
            "days_of_cover": _cover(available, s30, _window(age)),
            "window_days": _window(age),
            "age_basis": basis,
        }
    skus = {
        s.code: {
            "style": s.style.code, "name": s.style.name, "colour": s.colour, "size": s.size,
            "category": s.style.category, "season": s.style.season, "year": s.style.year,
            "created": created[i].isoformat(), "cost": str(s.style.cost), "price": str(s.style.price),
            "daily_units": _daily(h.units[:, i], dates), "combo_units": _daily(h.component_units[:, i], dates),
        }
        for i, s in enumerate(h.skus)
    }  # fmt: skip
    packs = len(h.styles)
    combos = {
        c.code: {
            "name": c.name,
            "price": str(c.price),
            "components": dict(c.components),
            "daily_units": _daily(h.combo_orders[:, k], dates),
            "item_id": traffic.ids[packs + k],
            "daily": daily(traffic, dates, packs + k),
        }
        for k, c in enumerate(h.combos)
    }
    return {
        "shop": SHOP, "platform": PLATFORM, "start": iso[0], "end": iso[-1],
        "snapshot_days": list(snapshots), "skus": skus, "combos": combos, "styles": styles(h, traffic),
        "snapshots": snapshots, "last_day": last_day, "sell_through": sell_through(h, list(snapshot_days)),
        "planted": _planted(h, sold),
    }  # fmt: skip


def price_changes(h: StockHistory, column: int) -> list[dict[str, str]]:
    """Every day a SKU's price differs from the day before's, as its order lines show it."""
    prices = h.price[:, column]
    return [
        {"date": h.dates[d].isoformat(), "from": _money(prices[d - 1]), "to": _money(prices[d])}
        for d in np.flatnonzero(prices[1:] != prices[:-1]) + 1
    ]


def styles(h: StockHistory, traffic: Traffic) -> dict[str, Any]:
    """Per style: attributes, 商品ID, price changes and the 商品效果 days (see the module's doc)."""
    first_sku: dict[str, int] = {}
    for i, s in enumerate(h.skus):
        first_sku.setdefault(s.style.code, i)
    return {
        s.code: {
            "name": s.name, "category": s.category, "season": s.season, "year": s.year, "role": s.role,
            "outlook": s.outlook or None, "created": s.created.date().isoformat(),
            "first_stock": (s.created.date() + dt.timedelta(days=LEAD_DAYS)).isoformat(),
            "price": str(s.price), "cost": str(s.cost), "conversion": round(s.conversion, 4),
            "item_id": traffic.ids[k], "skus": [sku.code for sku in h.skus if sku.style is s],
            "price_changes": price_changes(h, first_sku[s.code]), "daily": daily(traffic, h.dates, k),
        }
        for k, s in enumerate(h.styles)
    }  # fmt: skip


def sell_through(h: StockHistory, snapshot_days: list[int]) -> dict[str, Any]:
    """Per SKU: 期初库存 = on hand at the end of the first snapshot day; 期内 = the days after it up to
    the last snapshot day: units received (purchase orders and transfers in) and units sold (paid,
    packs exploded); the rate is sold ÷ (opening + received), None when that is 0. The books balance
    on available stock: closing_available = opening_available + received − sold."""
    first, last = snapshot_days[0], snapshot_days[-1]
    window = slice(first + 1, last + 1)
    sold = (h.units + h.component_units)[window].sum(axis=0)
    purchase = h.received_purchase[window].sum(axis=0)
    transfer = h.received_transfer[window].sum(axis=0)
    out = {}
    for i, s in enumerate(h.skus):
        if s.style.created.date() > h.dates[last]:
            continue
        there = s.style.created.date() <= h.dates[first]
        opening = int(h.on_hand[first, i]) if there else 0
        received = int(purchase[i] + transfer[i])
        out[s.code] = {
            "opening_on_hand": opening,
            "opening_available": int(h.on_hand[first, i] - h.locked[first, i]) if there else 0,
            "received_purchase": int(purchase[i]),
            "received_transfer": int(transfer[i]),
            "received": received,
            "sold": int(sold[i]),
            "closing_on_hand": int(h.on_hand[last, i]),
            "closing_available": int(h.on_hand[last, i] - h.locked[last, i]),
            "rate": round(int(sold[i]) / (opening + received), 6) if opening + received else None,
        }
    return {
        "opening_date": h.dates[first].isoformat(),
        "from": h.dates[min(first + 1, last)].isoformat(),
        "to": h.dates[last].isoformat(),
        "skus": out,
    }


def _planted(h: StockHistory, sold: np.ndarray) -> dict[str, Any]:
    dates, end = h.dates, h.dates[-1]
    codes = np.array([s.code for s in h.skus])
    roles = np.array([s.style.role for s in h.skus])
    available = h.on_hand - h.locked
    style_of = {s.role: s for s in h.styles}
    over = roles == "oversold"
    days_over = [dates[d].isoformat() for d in range(len(dates)) if (available[d, over] < 0).any()]
    existing = np.array([s.style.created.date() <= end for s in h.skus])

    def clearance(role: str) -> dict[str, Any]:
        style, mask, m = style_of[role], roles == role, h.markdown_day
        return {
            "style": style.code, "season": style.season, "markdown_date": dates[m].isoformat(),
            "price_from": str(style.price), "price_to": str(marked_price(style.price, MARKDOWN[role])),
            "window_days": min(30, m), "units_before": int(sold[max(m - 30, 0) : m, mask].sum()),
            "units_after": int(sold[m : m + 30, mask].sum()),
            "on_hand_at_markdown": int(h.on_hand[m - 1, mask].sum()), "on_hand_at_end": int(h.on_hand[-1, mask].sum()),
        }  # fmt: skip

    def launch(style: Style) -> dict[str, Any]:
        made = style.created.date()
        return {
            "style": style.code, "category": style.category, "created": made.isoformat(),
            "first_stock": (made + dt.timedelta(days=LEAD_DAYS)).isoformat(),
        }  # fmt: skip

    return {
        "oversold": {
            "style": style_of["oversold"].code,
            "date": dates[h.oversold_day].isoformat(),
            "days": days_over,
            "skus": [str(c) for c in codes[over & (available[h.oversold_day] < 0)]],
        },
        "zero_sales": [str(c) for c in codes[existing & (sold.sum(axis=0) == 0)]],
        "zero_sales_style": style_of["dead"].code,
        "clearance_good": clearance("clear_good"),
        "clearance_bad": clearance("clear_bad"),
        "plus_styles": [s.code for s in h.styles if "+" in s.code],
        "new_styles": [launch(s) | {"role": s.outlook} for s in h.styles if s.role == "new"],
        "launch_cohort": [launch(s) for s in h.styles if s.role == "launch"],
        "price_changes": [_reprice(h, s) for s in h.styles if s.reprice is not None],
        "no_price_history": style_of["steady"].code,
    }


def _reprice(h: StockHistory, style: Style) -> dict[str, Any]:
    """A repriced style's change and its units in the PRICE_WINDOW days before and from the change."""
    assert style.reprice is not None
    when, price, elasticity = style.reprice
    d = h.dates.index(when)
    mask = np.array([s.style is style for s in h.skus])
    return {
        "style": style.code, "season": style.season, "date": when.isoformat(),
        "from": _money(float(style.price)), "to": _money(float(price)), "elasticity": elasticity, "window_days": PRICE_WINDOW,
        "units_before": int(h.units[max(d - PRICE_WINDOW, 0) : d, mask].sum()),
        "units_after": int(h.units[d : d + PRICE_WINDOW, mask].sum()),
    }  # fmt: skip
