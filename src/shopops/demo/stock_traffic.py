"""The stock demo shop's 生意参谋 商品效果: every item's visitors, buyers, units and 支付金额 per day.

An item (宝贝) is a style — its 货号 the 款式编码 — or a 组合商品 sold as its own item (货号 = 组合商品编码).
Per item and day, consistent with the 宝贝报表 (:func:`stock_exports.line_table`):

- 支付件数 and 支付金额 are the item's paid order lines of that day (by payment day); 支付买家数 is the
  number of those lines (every line is its own order and buyer);
- 商品访客数 = buyers + Poisson(E × (1 − c)), where c is the style's conversion and
  E = traffic ÷ (c × UNITS_PER_BUYER) + BROWSERS while the item is on sale. Traffic is the expected
  units at the list price^⅓ × at the day's price^⅔: a price cut brings some visitors and converts more
  of them; a sold-out item keeps its visitors and sells nothing. So visitors ≥ buyers, always;
- 商品浏览量 and 商品加购人数 follow from the visitors (≥ visitors, between buyers and visitors).

An item with no visitor on a day (not on sale yet) has no row that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shopops.demo.stock_catalog import LEAD_DAYS, SHOP
from shopops.demo.stock_exports import Lines, cents
from shopops.demo.writers import write_csv

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory

UNITS_PER_BUYER = 1.15
BROWSERS = 2.0  # visitors a day of an item on sale whatever its demand (the dead style has these)
PACK_CONVERSION = 0.04
ITEM_HEADER = [
    "统计日期", "商品ID", "商品名称", "货号", "商品状态", "商品访客数", "商品浏览量", "商品加购人数", "支付买家数",
    "支付件数", "支付金额", "商品支付转化率",
]  # fmt: skip


@dataclass(frozen=True)
class Traffic:
    """Per day and item (the styles in ``h.styles`` order, then the packs): counts, money in cents."""

    codes: list[str]  # 货号: 款式编码 or 组合商品编码
    names: list[str]
    ids: list[str]  # 商品ID
    visitors: np.ndarray
    pageviews: np.ndarray
    carts: np.ndarray
    buyers: np.ndarray
    units: np.ndarray
    gmv: np.ndarray


def item_ids(count: int) -> list[str]:
    """The items' 商品ID: 12 digits, as Taobao's."""
    return [str(712_000_000_000 + 7_919 * (k + 1)) for k in range(count)]


def item_of_lines(h: StockHistory) -> np.ndarray:
    """For each line item (``Lines.item``: the SKUs, then the packs) the index of its item."""
    style_index = {s.code: k for k, s in enumerate(h.styles)}
    owners = [style_index[s.style.code] for s in h.skus]
    return np.array(owners + [len(h.styles) + k for k in range(len(h.combos))], dtype=np.int64)


def traffic(h: StockHistory, lines: Lines, seed: int) -> Traffic:
    days, n_items = len(h.dates), len(h.styles) + len(h.combos)
    owner = item_of_lines(h)
    item = owner[lines.item]
    buyers = np.zeros((days, n_items), dtype=np.int64)
    units = np.zeros((days, n_items), dtype=np.int64)
    gmv = np.zeros((days, n_items), dtype=np.int64)
    np.add.at(buyers, (lines.day, item), 1)
    np.add.at(units, (lines.day, item), lines.quantity)
    np.add.at(gmv, (lines.day, item), lines.quantity * lines.price)
    members = np.zeros((len(h.skus), n_items))  # SKU → its style's item
    members[np.arange(len(h.skus)), owner[: len(h.skus)]] = 1.0
    flow = np.hstack([(np.cbrt(h.demand) * np.cbrt(h.lam) ** 2) @ members[:, : len(h.styles)], h.pack_lam])
    start = h.dates[0]
    arrival = np.array([(s.style.created.date() - start).days + LEAD_DAYS for s in h.skus])
    arrived = (np.arange(days)[:, None] >= arrival[None, :]).astype(float) @ members
    on_sale = np.hstack([arrived[:, : len(h.styles)] > 0, h.pack_lam > 0])
    conversion = np.array([s.conversion for s in h.styles] + [PACK_CONVERSION] * len(h.combos))
    rate = np.divide(flow, conversion * UNITS_PER_BUYER, out=np.zeros_like(flow), where=conversion > 0)
    expected = np.where(on_sale, rate + BROWSERS, 0.0) * (1 - conversion)
    rng = np.random.default_rng([seed, 15, 5])
    visitors = buyers + rng.poisson(expected)
    pageviews = visitors + rng.poisson(visitors * 0.8)
    carts = buyers + rng.binomial(visitors - buyers, 0.06)
    codes = [s.code for s in h.styles] + [c.code for c in h.combos]
    names = [s.name for s in h.styles] + [c.name for c in h.combos]
    return Traffic(codes, names, item_ids(n_items), visitors, pageviews, carts, buyers, units, gmv)


def daily(t: Traffic, dates: list[dt.date], column: int) -> dict[str, dict[str, int | str]]:
    """One item's days with visitors (its rows of the 商品效果): the manifest's ``daily``."""
    return {
        dates[d].isoformat(): {
            "visitors": int(t.visitors[d, column]),
            "pageviews": int(t.pageviews[d, column]),
            "add_to_cart_buyers": int(t.carts[d, column]),
            "buyers": int(t.buyers[d, column]),
            "units": int(t.units[d, column]),
            "gmv": cents(int(t.gmv[d, column])),
        }
        for d in np.flatnonzero(t.visitors[:, column])
    }


def write_item_report(folder: Path, t: Traffic, dates: list[dt.date]) -> Path:
    """生意参谋 商品效果（商品每日数据）as 取数 downloads it: GBK CSV, title lines, one row per item-day."""
    days, items = np.nonzero(t.visitors)
    rows: list[list[object]] = []
    for d, i in zip(days.tolist(), items.tolist(), strict=True):
        visitors, buyers = int(t.visitors[d, i]), int(t.buyers[d, i])
        rows.append(
            [dates[d].isoformat(), t.ids[i], t.names[i], t.codes[i], "当前在线", visitors, int(t.pageviews[d, i]),
             int(t.carts[d, i]), buyers, int(t.units[d, i]), cents(int(t.gmv[d, i])),
             f"{buyers / visitors * 100:.2f}%"]
        )  # fmt: skip
    first, last = dates[0], dates[-1]
    return write_csv(
        folder / f"【生意参谋平台】【商品每日数据】{SHOP}_{first:%Y%m%d}-{last:%Y%m%d}.csv",
        ITEM_HEADER,
        rows,
        encoding="gb18030",
        titles=["生意参谋 取数 · 商品效果（商品每日数据）", f"统计时间：{first} ~ {last}", ""],
    )
