"""The stock (商品与库存) demo: a seasonal apparel shop's sales and daily stock, and the truths.

:mod:`stock_catalog` builds the shop (山岚服饰, ≈ 420 SKUs, three 组合商品); here its days are
simulated, vectorised over SKUs: demand follows the season and a launch curve, is capped by
available stock (except on the planted 超卖 day), a share of each day's orders stays 订单占有 until the
next day, and purchase orders (采购在途) or transfers (调拨在途) arrive after their lead time. A price
change (a clearance markdown, a repriced style) moves demand by the style's elasticity. Truths:
:mod:`stock_truths`; files: :mod:`stock_exports` (ERP, 宝贝报表), :mod:`stock_traffic` (生意参谋
商品效果) and :mod:`stock_platform` (the shop's 生意参谋/千牛/推广 exports, as the main demo shops have).
Snapshot identity everywhere: available = on_hand − order_locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shopops.demo import stock_exports as ex
from shopops.demo.manifest import shop_json, shop_truth
from shopops.demo.returns_demo import write_apparel_returns
from shopops.demo.stock_catalog import (
    LEAD_DAYS,
    MARKDOWN,
    MARKDOWN_BEFORE_END,
    SHOP,
    Combo,
    Sku,
    Style,
    build_catalog,
    marked_price,
    season_factor,
)
from shopops.demo.stock_platform import shop_history, write_platform_exports
from shopops.demo.stock_traffic import Traffic, traffic, write_item_report
from shopops.demo.stock_truths import truths

OVERSOLD_BEFORE_END = 6  # the 超卖 day: end − 6, inside the snapshot window
TRANSFER_DAYS = 2
LOCK_SHARE = 0.3  # of a day's orders still 订单占有 at the end of the day


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
    price: np.ndarray  # [day, sku] the selling price (clearance markdowns, price changes)
    oversold_day: int
    markdown_day: int
    demand: np.ndarray  # [day, sku] expected units at the list price (season × launch ramp)
    lam: np.ndarray  # [day, sku] expected units at the day's price: what each day's sales were drawn from
    pack_lam: np.ndarray  # [day, combo] expected packs
    received_purchase: np.ndarray  # [day, sku] units in from purchase orders that day (采购入库)
    received_transfer: np.ndarray  # [day, sku] units in from the other warehouse that day (调拨入库)


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
        self.demand = self.lam.copy()
        self.effect = _price_effect(skus, start, days)  # demand × (new price ÷ old)^−elasticity
        self.effect[self.markdown :, role == "clear_bad"] = 1.15  # a markdown nobody answers
        self.lam *= self.effect
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
        rate = self.base * self.ahead[d] * self.effect[d]
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


def _price_effect(skus: list[Sku], start: dt.date, days: int) -> np.ndarray:
    """[day, sku] the demand factor of the repriced styles' price change from its day on (else 1)."""
    effect = np.ones((days, len(skus)))
    for column, sku in enumerate(skus):
        if sku.style.reprice is not None:
            when, price, elasticity = sku.style.reprice
            ratio = float(price) / float(sku.style.price)
            effect[max((when - start).days, 0) :, column] = ratio**-elasticity
    return effect


def simulate(end: dt.date, days: int, seed: int) -> StockHistory:
    styles, skus, combos = build_catalog(end, days, seed)
    start = end - dt.timedelta(days=days - 1)
    run = _Run(skus, combos, start, days, seed)
    for d in range(days):
        run.day(d)
    price = np.tile(np.array([float(s.style.price) for s in skus]), (days, 1))
    for name, factor in MARKDOWN.items():
        marked = [float(marked_price(s.style.price, factor)) for s in skus if s.style.role == name]
        price[run.markdown :, run.role == name] = marked
    for column, sku in enumerate(skus):
        if sku.style.reprice is not None:
            when, new_price, _ = sku.style.reprice
            price[max((when - start).days, 0) :, column] = float(new_price)
    snaps = run.snaps
    return StockHistory(
        styles=styles, skus=skus, combos=combos, dates=[start + dt.timedelta(days=i) for i in range(days)],
        units=run.units, combo_orders=run.pack_orders, component_units=run.comp, on_hand=snaps["on_hand"],
        locked=snaps["locked"], in_purchase=snaps["in_p"], in_transfer=snaps["in_t"], price=price,
        oversold_day=run.oversold_day, markdown_day=run.markdown, demand=run.demand, lam=run.lam,
        pack_lam=run.pack_lam, received_purchase=run.arrive_p[:days].copy(),
        received_transfer=run.arrive_t[:days].copy(),
    )  # fmt: skip


@dataclass(frozen=True)
class StockShop:
    """What ``generate(stock=True)`` adds: the files, ``manifest["stock"]`` and the shop's 总表 truths
    (``manifest["shops"][SHOP]``: the same shape as the other shops')."""

    files: list[Path]
    truth: dict[str, Any]
    shop: dict[str, Any]
    # the returns demo's files beyond the shop's usual exports (its review CSV) and its part of
    # manifest["returns"] (demo/returns_demo.py)
    returns_files: list[Path] = field(default_factory=list)
    returns: dict[str, Any] = field(default_factory=dict)


def _build(end: dt.date, days: int, seed: int) -> tuple[StockHistory, ex.Lines, Traffic]:
    history = simulate(end, days, seed)
    lines = ex.line_table(history, seed)
    return history, lines, traffic(history, lines, seed)


def stock_shop(end: dt.date, days: int, seed: int) -> dict[str, Any]:
    """The stock demo's truths (``manifest["stock"]``) for ``days`` days ending ``end``."""
    history, _, items = _build(end, days, seed)
    return truths(history, items)


def write_stock_exports(
    folder: Path, end: dt.date, days: int, seed: int
) -> tuple[list[Path], dict[str, Any]]:
    """Write the shop's 聚水潭/旺店通 stock snapshots, 商品资料, 组合商品 BOM and 千牛 宝贝报表 into
    ``folder`` and return the files and the truths (``truth["files"]`` says each file's shop: none of
    the ERP files names it, so import them with ``--shop``)."""
    history, _, items = _build(end, days, seed)
    truth = truths(history, items)
    folder.mkdir(parents=True, exist_ok=True)
    files = ex.write_all(folder, history, seed)
    truth["files"] = [{"path": p.relative_to(folder).as_posix(), "shop": SHOP} for p in files]
    return files, truth


def write_stock_shop(folder: Path, end: dt.date, days: int, seed: int) -> StockShop:
    """The whole shop for ``shopops demo``, in ``folder/山岚服饰/``: the ERP files, its 生意参谋 店铺整体
    and 商品效果, 千牛 订单/宝贝/退款 (54 columns) and 推广 exports. ``truth["files"]`` paths are relative
    to ``folder``, each with the shop to import it for; the review CSV and the after-sale truths are
    ``returns_files`` and ``returns``."""
    history, lines, items = _build(end, days, seed)
    target = folder / SHOP
    target.mkdir(parents=True, exist_ok=True)
    shop = shop_history(history, lines, items, seed)
    files = ex.write_all(target, history, seed, lines=False)  # the 宝贝报表 comes with the 千牛 files
    files += write_platform_exports(target, shop)
    files.append(write_item_report(target, items, history.dates))
    truth = truths(history, items)
    truth["files"] = [{"path": p.relative_to(folder).as_posix(), "shop": SHOP} for p in files]
    days_truth = shop_truth(shop, sycm_missing_last_day=False, cost_change=history.dates[0])
    returns_files, returns = write_apparel_returns(folder, history, shop, seed)
    return StockShop(files, truth, shop_json(shop.profile, days_truth), returns_files, returns)
