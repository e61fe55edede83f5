"""The stock demo's files, written from the simulation in the tools' real shapes (research §2.1).

聚水潭 商品库存 (one file per snapshot day, the last 14 days) with ``_x002B_`` for ``+`` in 款式编码 and
商品编码, as the real exports leak it; 旺店通 库存 of the last day (the same stock in the other ERP's
columns: 单品创建时间 an Excel serial number or the text ``任意时间``); 聚水潭 商品资料; our 组合商品
BOM; and the shop's 千牛 宝贝报表 (子订单 lines, 商家编码 = 商品编码, packs under the 组合商品编码).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shopops.demo.stock_catalog import BRAND, SHOP, SNAPSHOT_DAYS
from shopops.demo.writers import write_xlsx

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory

JST_STOCK_HEADER = [
    "款式编码", "颜色", "规格", "品牌", "商品编码", "名称", "数量", "订单占有", "仓库待发", "安全库存下限", "安全库存上限",
    "采购在途数", "销退仓库存", "进货仓库存", "次品库存", "调拨在途数", "库存锁定", "样衣仓", "可用数", "公有可用数",
]  # fmt: skip
WDT_STOCK_HEADER = [
    "商家编码", "条码", "货品编号", "货品名称", "规格名称", "分类", "库存", "可发库存", "可用库存", "锁定量", "采购在途",
    "调拨在途", "单品创建时间", "最后盘点时间", "实际库存",
]  # fmt: skip
JST_PRODUCT_HEADER = [
    "图片", "款式编码", "商品编码", "颜色", "规格", "基本售价", "成本价", "创建时间", "分类", "年份", "季节", "商品名称",
    "供应商名称",
]  # fmt: skip
BOM_HEADER = ["组合商品编码", "商品编码", "数量"]
LINES_HEADER = [
    "子订单编号", "主订单编号", "标题", "价格", "购买数量", "商家编码", "订单状态", "买家实际支付金额", "退款状态", "退款金额",
    "订单创建时间", "订单付款时间",
]  # fmt: skip
NO_DATE = "任意时间"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def jst_code(code: str) -> str:
    """聚水潭's export of a code with ``+``: the OOXML escape leaks through as text."""
    return code.replace("+", "_x002B_")


def excel_serial(moment: dt.datetime) -> float:
    return round((moment - EXCEL_EPOCH).total_seconds() / 86400, 6)


def write_all(folder: Path, h: StockHistory, seed: int, *, lines: bool = True) -> list[Path]:
    """The ERP files (and, with ``lines``, the 宝贝报表 as an .xlsx)."""
    last = len(h.dates) - 1
    files = [jst_stock(folder, h, d, seed) for d in range(max(0, last - SNAPSHOT_DAYS + 1), last + 1)]
    files += [wdt_stock(folder, h, last, seed), jst_products(folder, h), bom(folder, h)]
    if lines:
        files.append(order_lines(folder, h, seed))
    return files


def _existing(h: StockHistory, d: int) -> list[int]:
    return [i for i, s in enumerate(h.skus) if s.style.created.date() <= h.dates[d]]


def jst_stock(folder: Path, h: StockHistory, d: int, seed: int) -> Path:
    """聚水潭 商品库存 of one day: 数量 = on hand, 可用数 = 公有可用数 = 数量 − 订单占有."""
    rng = np.random.default_rng([seed, 15, 3, d])
    rows: list[list[object]] = []
    for i in _existing(h, d):
        s = h.skus[i]
        on_hand, locked = int(h.on_hand[d, i]), int(h.locked[d, i])
        rows.append(
            [jst_code(s.style.code), s.colour, s.size, BRAND, jst_code(s.code), s.style.name, on_hand, locked,
             locked // 2, 5, 60, int(h.in_purchase[d, i]), int(rng.binomial(2, 0.05)), 0,
             int(rng.binomial(1, 0.04)), int(h.in_transfer[d, i]), 0, 1 if s.size == "M" and s.colour == s.style.colours[0] else 0,
             on_hand - locked, on_hand - locked]
        )  # fmt: skip
    return write_xlsx(folder / f"聚水潭_商品库存_{h.dates[d]:%Y%m%d}.xlsx", JST_STOCK_HEADER, rows)


def wdt_stock(folder: Path, h: StockHistory, d: int, seed: int) -> Path:
    """旺店通 库存 of one day, the same stock as 聚水潭's file of that day; dates as Excel serials or
    ``任意时间`` (no date)."""
    rng = np.random.default_rng([seed, 15, 4])
    rows: list[list[object]] = []
    for i in _existing(h, d):
        s = h.skus[i]
        on_hand, locked = int(h.on_hand[d, i]), int(h.locked[d, i])
        created: object = excel_serial(s.style.created) if rng.random() < 0.6 else NO_DATE
        counted_on = dt.datetime.combine(h.dates[d], dt.time(20)) - dt.timedelta(
            days=int(rng.integers(1, 90))
        )
        counted: object = excel_serial(counted_on) if rng.random() < 0.15 else NO_DATE
        rows.append(
            [s.code, s.barcode, s.style.code, s.style.name, f"{s.colour};{s.size}", s.style.category, on_hand,
             on_hand - locked, on_hand - locked, locked, int(h.in_purchase[d, i]), int(h.in_transfer[d, i]),
             created, counted, on_hand]
        )  # fmt: skip
    return write_xlsx(folder / f"旺店通_库存_{h.dates[d]:%Y%m%d}.xlsx", WDT_STOCK_HEADER, rows)


def jst_products(folder: Path, h: StockHistory) -> Path:
    """聚水潭 商品资料: a row per SKU, then a row per 组合装 as the ERP lists it — 款式编码 blank, 基本售价
    its price, 成本价 = Σ 数量 × the component's 成本价, created with its newest component."""
    rows: list[list[object]] = [
        ["", jst_code(s.style.code), jst_code(s.code), s.colour, s.size, float(s.style.price), float(s.style.cost),
         f"{s.style.created:%Y-%m-%d %H:%M:%S}", s.style.category, s.style.year, s.style.season, s.style.name,
         s.style.supplier]
        for s in h.skus
    ]  # fmt: skip
    sku = {s.code: s for s in h.skus}
    for c in h.combos:
        parts = [(sku[code], q) for code, q in c.components]
        cost = sum((s.style.cost * q for s, q in parts), Decimal(0))
        created = max(s.style.created for s, _ in parts)
        rows.append(
            ["", "", jst_code(c.code), "", "", float(c.price), float(cost), f"{created:%Y-%m-%d %H:%M:%S}", "", "",
             "", c.name, ""]
        )  # fmt: skip
    return write_xlsx(folder / "聚水潭_商品资料.xlsx", JST_PRODUCT_HEADER, rows)


def bom(folder: Path, h: StockHistory) -> Path:
    rows: list[list[object]] = [[c.code, sku, q] for c in h.combos for sku, q in c.components]
    return write_xlsx(folder / "组合商品.xlsx", BOM_HEADER, rows, sheet="组合商品")


@dataclass(frozen=True)
class Lines:
    """The 宝贝报表's 子订单 lines as arrays: line n (from 0) is order number n + 1, its own buyer's.
    ``item`` indexes ``h.skus`` then ``h.combos``; ``price`` is in cents; seconds after midnight."""

    day: np.ndarray
    item: np.ndarray
    quantity: np.ndarray
    price: np.ndarray
    paid: np.ndarray
    created: np.ndarray


def line_table(h: StockHistory, seed: int) -> Lines:
    """A day's units of a SKU (or pack) as lines of 2 (one per three units) and 1; every line is its
    own order, paid between 08:00 and midnight, created up to 15 minutes before."""
    units = np.hstack([h.units, h.combo_orders])
    prices = np.hstack([h.price, np.tile([float(c.price) for c in h.combos], (len(h.dates), 1))])
    days, items = np.nonzero(units)
    counts = units[days, items]
    pairs = counts // 3
    lines = counts - pairs  # pairs lines of 2, the rest lines of 1
    day, item = np.repeat(days, lines), np.repeat(items, lines)
    rank = np.arange(len(day)) - np.repeat(np.cumsum(lines) - lines, lines)
    quantity = np.where(rank < np.repeat(pairs, lines), 2, 1)
    rng = np.random.default_rng([seed, 15, 2])
    paid_seconds = rng.integers(8 * 3600, 86400, len(day))
    created_seconds = np.maximum(paid_seconds - rng.integers(20, 900, len(day)), 0)
    price = np.rint(prices[day, item] * 100).astype(np.int64)
    return Lines(day, item, quantity, price, paid_seconds, created_seconds)


def line_codes(h: StockHistory) -> tuple[list[str], list[str]]:
    """The 商家编码 and 标题 of each line item (``Lines.item``): the SKUs', then the packs'."""
    codes = [s.code for s in h.skus] + [c.code for c in h.combos]
    titles = [f"{s.style.name} {s.colour} {s.size}" for s in h.skus] + [c.name for c in h.combos]
    return codes, titles


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def line_rows(h: StockHistory, seed: int) -> list[list[object]]:
    """The 宝贝报表 rows of :func:`line_table`."""
    table = line_table(h, seed)
    codes, titles = line_codes(h)
    rows: list[list[object]] = []
    for number, (d, i, q, price, paid, made) in enumerate(
        zip(
            table.day.tolist(),
            table.item.tolist(),
            table.quantity.tolist(),
            table.price.tolist(),
            table.paid.tolist(),
            table.created.tolist(),
            strict=True,
        ),
        start=1,
    ):
        midnight = dt.datetime.combine(h.dates[d], dt.time())
        rows.append(
            [str(4_100_000_000_000_000_000 + number), str(4_000_000_000_000_000_000 + number), titles[i],
             cents(price), q, codes[i], "交易成功", cents(price * q), "", "",
             f"{midnight + dt.timedelta(seconds=made):%Y-%m-%d %H:%M:%S}",
             f"{midnight + dt.timedelta(seconds=paid):%Y-%m-%d %H:%M:%S}"]
        )  # fmt: skip
    return rows


def order_lines(folder: Path, h: StockHistory, seed: int) -> Path:
    """千牛 宝贝报表: one row per 子订单, 商家编码 = 商品编码 (a pack: its 组合商品编码)."""
    span = f"{h.dates[0]:%Y%m%d}-{h.dates[-1]:%Y%m%d}"
    rows = line_rows(h, seed)
    return write_xlsx(
        folder / f"宝贝报表_{SHOP}_{span}.xlsx", LINES_HEADER, rows, titles=[f"{SHOP} 宝贝报表"]
    )
