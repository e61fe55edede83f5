"""The stock (商品与库存) demo: a seasonal apparel shop's sales and daily stock, and the truths.

:mod:`stock_catalog` builds the shop (山岚服饰, ≈ 420 SKUs, three 组合商品); here its days are
simulated, vectorised over SKUs: demand follows the season and a launch curve, is capped by
available stock (except on the planted 超卖 day), a share of each day's orders stays 订单占有 until the
next day, and purchase orders (采购在途) or transfers (调拨在途) arrive after their lead time. Files:
:mod:`stock_exports`. Snapshot identity everywhere: available = on_hand − order_locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np

from shopops.demo import stock_exports as ex
from shopops.demo.stock_catalog import (
    LEAD_DAYS,
    MARKDOWN_BEFORE_END,
    PLATFORM,
    SHOP,
    Combo,
    Sku,
    Style,
    build_catalog,
    season_factor,
)

SNAPSHOT_DAYS = 14
OVERSOLD_BEFORE_END = 6  # the 超卖 day: end − 6, inside the snapshot window
TRANSFER_DAYS = 2
LOCK_SHARE = 0.3  # of a day's orders still 订单占有 at the end of the day
MARKDOWN = {"clear_good": Decimal("0.5"), "clear_bad": Decimal("0.7")}


@dataclass
class StockHistory:
    styles: list[Style]
    skus: list[Sku]
    combos: list[Combo]
    dates: list[dt.date]
    units: np.ndarray  # [day, sku] units sold as the SKU itself
    combo_orders: np.ndarray  # [day, combo] packs sold
    component_units: np.ndarray  # [day, sku] units sold inside packs
    on_hand: np.ndarray  # [day, sku] at the end of the day
    locked: np.ndarray
    in_purchase: np.ndarray
    in_transfer: np.ndarray
    price: np.ndarray  # [day, sku] the selling price (clearance markdowns)
    oversold_day: int
    markdown_day: int


def _launch(dates: np.ndarray, arrival: np.ndarray) -> np.ndarray:
    """0 before a SKU's stock arrives, then a ramp to 1 over about two weeks."""
    age = (dates[:, None] - arrival[None, :]).astype(np.int64)
    return np.where(age >= 0, 1 - np.exp(-(age + 1) / 4.0), 0.0)


class _Run:
    """The shop's days, vectorised over SKUs; ``day(d)`` moves every SKU through one day."""

    def __init__(self, skus: list[Sku], combos: list[Combo], start: dt.date, days: int, seed: int) -> None:
        self.rng = rng = np.random.default_rng([seed, 15, 1])
        dates = np.arange(np.datetime64(start), np.datetime64(start + dt.timedelta(days=days)))
        n = len(skus)
        self.created = np.array([(s.style.created.date() - start).days for s in skus])
        self.arrival = self.created + LEAD_DAYS
        self.base = np.array([s.base for s in skus])
        self.role = role = np.array([s.style.role for s in skus])
        seasonal = np.column_stack([season_factor(s.style.season, dates) for s in skus])
        later = dates + np.timedelta64(10, "D")
        self.ahead = np.column_stack([season_factor(s.style.season, later) for s in skus])
        self.lam = self.base * seasonal * _launch(np.arange(days), self.arrival)
        self.markdown, self.oversold_day = days - MARKDOWN_BEFORE_END, days - 1 - OVERSOLD_BEFORE_END
        clearing = np.isin(role, ("clear_good", "clear_bad"))
        self.lam[self.markdown :, role == "clear_bad"] *= 1.15  # a markdown nobody answers
        self.oversold = np.flatnonzero(role == "oversold")
        index = {s.code: i for i, s in enumerate(skus)}
        self.packs = [
            (np.array([index[c] for c, _ in combo.components]), np.array([q for _, q in combo.components]))
            for combo in combos
        ]
        self.pack_lam = np.column_stack(
            [combo.base * seasonal[:, p[0]] * _launch(np.arange(days), self.arrival[p]).min(axis=1)
             for combo, (p, _) in zip(combos, self.packs, strict=True)]
        )  # fmt: skip
        # the first stock: a season's worth; clearance styles more than they sell before the markdown
        first = np.round(self.base * 0.7 * rng.uniform(20, 40, n)).astype(np.int64) + 5
        extra = np.where(role == "clear_good", rng.integers(25, 45, n), rng.integers(60, 90, n))
        first = np.where(
            clearing, np.round(self.lam[: self.markdown].sum(axis=0)).astype(np.int64) + extra, first
        )
        self.first = np.where(role == "dead", rng.integers(15, 30, n), first)
        self.arrive_p = np.zeros((days + 30, n), dtype=np.int64)
        self.arrive_t = np.zeros((days + 30, n), dtype=np.int64)
        self.on_hand = np.where(self.arrival <= 0, self.first, 0)
        late = np.flatnonzero((self.arrival > 0) & (self.created < 0))  # ordered before the window
        self.in_p = np.zeros(n, dtype=np.int64)
        self.in_p[late] = self.first[late]
        self.arrive_p[self.arrival[late], late] += self.first[late]
        self.in_t = np.zeros(n, dtype=np.int64)
        self.locked = np.zeros(n, dtype=np.int64)
        self.reorder = (self.base > 0) & ~clearing & (role != "dead")
        self.transfer = np.arange(n) % 7 == 3  # restocked from the other warehouse (调拨)
        self.units, self.comp = np.zeros((days, n), dtype=np.int64), np.zeros((days, n), dtype=np.int64)
        self.pack_orders = np.zeros((days, len(combos)), dtype=np.int64)
        self.snaps = {
            key: np.zeros((days, n), dtype=np.int64) for key in ("on_hand", "locked", "in_p", "in_t")
        }

    def day(self, d: int) -> None:
        self._receive(d)
        if d == self.markdown:  # the clearance that works: every piece goes within a few weeks
            good = self.role == "clear_good"
            self.lam[d:, good] = np.maximum(self.on_hand[good] - self.locked[good], 0) / 10.0
        free = self.on_hand - self.locked
        orders = np.minimum(self.rng.poisson(self.lam[d]), np.maximum(free, 0))
        if d == self.oversold_day:  # a push sells the bestseller past its stock
            orders[self.oversold] = np.maximum(free[self.oversold], 0) + self.rng.integers(
                2, 6, len(self.oversold)
            )
        self.units[d] = orders
        rest = free - orders
        for c, (p, q) in enumerate(self.packs):
            packs = min(int(self.rng.poisson(self.pack_lam[d, c])), max(int((rest[p] // q).min()), 0))
            self.pack_orders[d, c] = packs
            rest[p] -= packs * q
            self.comp[d, p] += packs * q
        total = orders + self.comp[d]
        pending = self.locked + total  # a share of today's orders waits for tomorrow's shipping
        shipped = np.minimum(pending - self.rng.binomial(total, LOCK_SHARE), self.on_hand)
        self.on_hand -= shipped
        self.locked = pending - shipped
        self._restock(d)
        for key, value in (
            ("on_hand", self.on_hand),
            ("locked", self.locked),
            ("in_p", self.in_p),
            ("in_t", self.in_t),
        ):
            self.snaps[key][d] = value

    def _receive(self, d: int) -> None:
        launching = np.flatnonzero(
            self.created == d
        )  # a new style's first order goes out the day it is created
        self.in_p[launching] += self.first[launching]
        self.arrive_p[self.arrival[launching], launching] += self.first[launching]
        self.on_hand += self.arrive_p[d] + self.arrive_t[d]
        self.in_p -= self.arrive_p[d]
        self.in_t -= self.arrive_t[d]

    def _restock(self, d: int) -> None:
        """Reorder what would run short within two weeks at the season's coming rate."""
        rate = self.base * self.ahead[d]
        position = self.on_hand - self.locked + self.in_p + self.in_t
        short = self.reorder & (self.arrival <= d) & (position < rate * 14) & (rate * 14 >= 1)
        if self.oversold_day - 12 <= d < self.oversold_day:
            short[self.oversold] = False  # the restock the ERP forgot
        if d == self.oversold_day:
            short[self.oversold] = True
        backlog = self.locked - np.minimum(self.on_hand, self.locked)
        amount = np.where(short, np.maximum(np.ceil(rate * 30).astype(np.int64) + backlog, 3), 0)
        by_transfer = self.transfer.copy()
        if d == self.oversold_day:
            by_transfer[self.oversold] = True
        purchase, moved = np.where(by_transfer, 0, amount), np.where(by_transfer, amount, 0)
        self.in_p += purchase
        self.in_t += moved
        self.arrive_p[d + LEAD_DAYS] += purchase
        self.arrive_t[d + TRANSFER_DAYS] += moved


def simulate(end: dt.date, days: int, seed: int) -> StockHistory:
    styles, skus, combos = build_catalog(end, days, seed)
    start = end - dt.timedelta(days=days - 1)
    run = _Run(skus, combos, start, days, seed)
    for d in range(days):
        run.day(d)
    price = np.tile(np.array([float(s.style.price) for s in skus]), (days, 1))
    for name, factor in MARKDOWN.items():
        marked = [float(_marked(s.style.price, factor)) for s in skus if s.style.role == name]
        price[run.markdown :, run.role == name] = marked
    snaps = run.snaps
    return StockHistory(
        styles, skus, combos, [start + dt.timedelta(days=i) for i in range(days)], run.units, run.pack_orders,
        run.comp, snaps["on_hand"], snaps["locked"], snaps["in_p"], snaps["in_t"], price, run.oversold_day,
        run.markdown,
    )  # fmt: skip


def _marked(price: Decimal, factor: Decimal) -> Decimal:
    return (price * factor).quantize(Decimal("1")) - Decimal("0.1")


def _cover(available: int, sales_30d: int) -> str | None:
    """可售天数 = 可用库存 ÷ (近30天销量 ÷ 30), to the hundredth; None when nothing sold."""
    if not sales_30d:
        return None
    return str((Decimal(available * 30) / Decimal(sales_30d)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _daily(column: np.ndarray, dates: list[dt.date]) -> dict[str, int]:
    return {dates[i].isoformat(): int(column[i]) for i in np.flatnonzero(column)}


def truths(history: StockHistory) -> dict[str, Any]:
    """What the files say, computed from the simulation (JSON-able; money as text)."""
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
    for i, s in enumerate(h.skus):
        if created[i] > dates[last]:
            continue
        s7, s30 = int(sold[-7:, i].sum()), int(sold[-30:, i].sum())
        available = int(h.on_hand[last, i] - h.locked[last, i])
        last_day[s.code] = {
            "available": available,
            "sales_7d": s7,
            "sales_30d": s30,
            "days_of_cover": _cover(available, s30),
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
    combos = {
        c.code: {
            "name": c.name,
            "price": str(c.price),
            "components": dict(c.components),
            "daily_units": _daily(h.combo_orders[:, k], dates),
        }
        for k, c in enumerate(h.combos)
    }
    return {
        "shop": SHOP, "platform": PLATFORM, "start": iso[0], "end": iso[-1],
        "snapshot_days": list(snapshots), "skus": skus, "combos": combos, "snapshots": snapshots,
        "last_day": last_day, "planted": _planted(h, sold),
    }  # fmt: skip


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
            "price_from": str(style.price), "price_to": str(_marked(style.price, MARKDOWN[role])),
            "window_days": min(30, m), "units_before": int(sold[max(m - 30, 0) : m, mask].sum()),
            "units_after": int(sold[m : m + 30, mask].sum()),
            "on_hand_at_markdown": int(h.on_hand[m - 1, mask].sum()), "on_hand_at_end": int(h.on_hand[-1, mask].sum()),
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
        "new_styles": [
            {"style": s.code, "created": s.created.date().isoformat()}
            for s in h.styles
            if (end - s.created.date()).days < 30
        ],
    }


def stock_shop(end: dt.date, days: int, seed: int) -> dict[str, Any]:
    """The stock demo's truths (``manifest["stock"]``) for ``days`` days ending ``end``."""
    return truths(simulate(end, days, seed))


def write_stock_exports(
    folder: Path, end: dt.date, days: int, seed: int
) -> tuple[list[Path], dict[str, Any]]:
    """Write the shop's 聚水潭/旺店通 stock snapshots, 商品资料, 组合商品 BOM and 千牛 宝贝报表 into
    ``folder`` and return the files and the truths (``truth["files"]`` says each file's shop: none of
    the ERP files names it, so import them with ``--shop``)."""
    history = simulate(end, days, seed)
    truth = truths(history)
    folder.mkdir(parents=True, exist_ok=True)
    files = ex.write_all(folder, history, seed)
    truth["files"] = [{"path": p.relative_to(folder).as_posix(), "shop": SHOP} for p in files]
    return files, truth
