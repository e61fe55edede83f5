"""The stock demo shop as a whole Taobao shop, so the 总表 knows it as well as the other demo shops.

The stock simulation's order lines become a :class:`~shopops.demo.simulation.ShopHistory` (every
line its own order and buyer, as in the 宝贝报表; no postage — the shop ships free), with the shop's
days (visitors from its items' 商品效果: the items' visitors less those who saw several items, plus a
few who only saw the home page), after-sales (:mod:`returns`: 尺码 first, it sells clothes),
直通车/引力魔方 plans and 淘宝客 commission drawn here. The main demo's writers (:func:`exports.write_exports`, format "a") write
its 生意参谋 店铺整体, 千牛 订单/宝贝/退款, 直通车, 引力魔方 and 淘宝联盟 exports from it, and
:func:`manifest.shop_truth` gives its 总表 truths, exactly as for the other Taobao shops.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shopops.demo.exports import write_exports
from shopops.demo.returns import apparel_cases
from shopops.demo.returns_exports import write_qianniu_54
from shopops.demo.simulation import (
    CENT,
    PROVINCES,
    WEEKDAY,
    AdRow,
    Line,
    Order,
    ShopDay,
    ShopHistory,
    ShopProfile,
    Sku,
    money,
)
from shopops.demo.stock_catalog import PLATFORM, SHOP
from shopops.demo.stock_exports import Lines, line_codes
from shopops.demo.stock_traffic import Traffic, item_of_lines

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory

FEE_RATE = Decimal("0")  # a 淘宝 (C店) shop: no 天猫 扣点
SHIPPING = Decimal("4.80")  # per parcel
CHANNELS = {"keyword": (2, 70.0, 2.6), "display": (1, 45.0, 1.5)}  # plans, daily spend per plan, ROI
AFFILIATE_SHARE = 0.02  # 淘宝客佣金 ≈ 2 % of the day's 支付金额
SEEN_SEVERAL = 0.86  # the shop's visitors ÷ the sum of its items' visitors


def profile(h: StockHistory) -> ShopProfile:
    return ShopProfile(
        name=SHOP,
        platform=PLATFORM,
        fee_rate=FEE_RATE,
        visitors=0,
        conversion=0.0,
        skus=(),  # its SKUs and costs are in the 聚水潭 商品资料, not the main demo's cost list
        channels=CHANNELS,
        affiliate=0.0,
        shipping_per_order=SHIPPING,
    )


def _costs(h: StockHistory) -> list[Decimal]:
    """Each line item's cost: a SKU's 成本价, a pack's the sum of its components'."""
    cost = {s.code: s.style.cost for s in h.skus}
    packs = [sum((cost[c] * q for c, q in combo.components), Decimal(0)) for combo in h.combos]
    return [s.style.cost for s in h.skus] + packs


def _orders(h: StockHistory, lines: Lines, traffic: Traffic, rng: random.Random) -> list[Order]:
    codes, titles = line_codes(h)
    owner, costs = item_of_lines(h), _costs(h)
    skus: dict[tuple[int, int], Sku] = {}  # one Sku per line item and price (markdowns change it)
    orders = []
    for number, (d, i, q, price, paid, made) in enumerate(
        zip(
            lines.day.tolist(),
            lines.item.tolist(),
            lines.quantity.tolist(),
            lines.price.tolist(),
            lines.paid.tolist(),
            lines.created.tolist(),
            strict=True,
        ),
        start=1,
    ):
        sku = skus.get((i, price))
        if sku is None:
            amount = (Decimal(price) / 100).quantize(CENT)
            sku = skus[(i, price)] = Sku(codes[i], traffic.ids[owner[i]], titles[i], amount, costs[i])
        midnight = dt.datetime.combine(h.dates[d], dt.time())
        orders.append(
            Order(
                str(4_000_000_000_000_000_000 + number),
                f"sl_{number:07d}",
                midnight + dt.timedelta(seconds=made),
                midnight + dt.timedelta(seconds=paid),
                [Line(str(4_100_000_000_000_000_000 + number), sku, q)],
                Decimal(0),
                rng.choice(PROVINCES),
            )
        )
    return orders


def _days(h: StockHistory, traffic: Traffic, seed: int) -> list[ShopDay]:
    rng = np.random.default_rng([seed, 15, 6])
    buyers = traffic.buyers.sum(axis=1)
    visitors = np.rint(traffic.visitors.sum(axis=1) * SEEN_SEVERAL) + rng.poisson(15, len(h.dates))
    visitors = np.maximum(visitors.astype(np.int64), buyers)
    pageviews = np.maximum(traffic.pageviews.sum(axis=1) + rng.poisson(visitors * 0.3), visitors)
    gmv = traffic.gmv.sum(axis=1) / 100
    affiliate = gmv * AFFILIATE_SHARE * rng.uniform(0.8, 1.2, len(h.dates))
    dsr = np.clip(4.82 + np.cumsum(rng.uniform(-0.01, 0.01, (len(h.dates), 3)), axis=0), 4.6, 4.95)
    return [
        ShopDay(
            day,
            int(visitors[d]),
            int(pageviews[d]),
            money(float(affiliate[d])),
            (round(float(dsr[d, 0]), 4), round(float(dsr[d, 1]), 4), round(float(dsr[d, 2]), 4)),
        )
        for d, day in enumerate(h.dates)
    ]


def _ads(h: StockHistory, rng: random.Random) -> list[AdRow]:
    rows = []
    for day in h.dates:
        for channel, (plans, per_plan, roi) in CHANNELS.items():
            for plan in range(1, plans + 1):
                spend = money(per_plan * WEEKDAY[day.weekday()] * rng.uniform(0.7, 1.3))
                clicks = max(1, int(float(spend) / rng.uniform(0.5, 1.5)))
                gmv = money(float(spend) * roi * rng.uniform(0.6, 1.4))
                rows.append(
                    AdRow(day, channel, f"{channel}-计划{plan}", spend, gmv, clicks * rng.randint(15, 40),
                          clicks, max(0, int(clicks * 0.03)))
                )  # fmt: skip
    return rows


def shop_history(h: StockHistory, lines: Lines, traffic: Traffic, seed: int) -> ShopHistory:
    """The shop's days, orders (its order lines), refunds and ad plans."""
    rng = random.Random(f"{seed}-{SHOP}")
    history = ShopHistory(profile(h))
    history.days = _days(h, traffic, seed)
    history.orders = _orders(h, lines, traffic, rng)
    history.ads = _ads(h, rng)
    _, cases = apparel_cases(h, history.orders, seed)  # after-sales: demo/returns.py
    history.refunds = list(cases)
    return history


def write_platform_exports(folder: Path, history: ShopHistory) -> list[Path]:
    """生意参谋 店铺整体, 千牛 订单/宝贝/退款, 直通车, 引力魔方, 淘宝联盟: the main demo's format "a",
    but the 退款管理 export is the 54-column one (:func:`returns_exports.write_qianniu_54`)."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_exports(history, folder, style="a", refunds=write_qianniu_54)
