"""A deterministic simulation of shops' days: the truth that the demo exports are written from.

Patterns a real operator would recognise: weekdays, a slow trend, 618 and 双11 peaks, refunds
that complete days after payment, ad channels with different ROI, a 淘客 spike, a stock-out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from shopops.demo.planting import DayPlants, Plant, day_plants

CENT = Decimal("0.01")
PROVINCES = [
    "浙江省 杭州市 西湖区",
    "上海 上海市 浦东新区",
    "广东省 深圳市 南山区",
    "北京 北京市 朝阳区",
    "江苏省 南京市 鼓楼区",
    "四川省 成都市 武侯区",
    "新疆维吾尔自治区 乌鲁木齐市 天山区",
    "西藏自治区 拉萨市 城关区",
    "内蒙古自治区 呼和浩特市 新城区",
    "湖南省 长沙市 岳麓区",
]


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Sku:
    code: str
    item_id: str
    title: str
    price: Decimal
    cost: Decimal | None
    new_cost: Decimal | None = None  # cost from the middle of the range on (a supplier price change)


@dataclass(frozen=True)
class ShopProfile:
    name: str
    platform: str
    fee_rate: Decimal
    visitors: int
    conversion: float
    skus: tuple[Sku, ...]
    channels: dict[str, tuple[int, float, float]]  # channel → (plans, daily spend per plan, ROI)
    affiliate: float
    shipping_per_order: Decimal


@dataclass
class Line:
    line_id: str
    sku: Sku
    quantity: int

    @property
    def amount(self) -> Decimal:
        return self.sku.price * self.quantity


@dataclass
class Order:
    order_id: str
    buyer: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    lines: list[Line]
    postage: Decimal
    province: str
    refunded: Decimal = Decimal(0)  # successful refunds

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0)) + self.postage


@dataclass
class Refund:
    refund_id: str
    order: Order
    amount: Decimal
    applied_at: dt.datetime
    completed_at: dt.datetime | None
    status: str
    reason: str


@dataclass
class AdRow:
    date: dt.date
    channel: str
    plan: str
    spend: Decimal
    gmv: Decimal
    impressions: int
    clicks: int
    orders: int


@dataclass
class ShopDay:
    date: dt.date
    visitors: int
    pageviews: int
    affiliate: Decimal
    dsr: tuple[float, float, float] | None


@dataclass
class ShopHistory:
    profile: ShopProfile
    days: list[ShopDay] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    ads: list[AdRow] = field(default_factory=list)

    def paid_by_day(self) -> dict[dt.date, list[Order]]:
        """Paid orders grouped by payment date (支付口径)."""
        days: dict[dt.date, list[Order]] = {}
        for order in self.orders:
            if order.paid_at is not None:
                days.setdefault(order.paid_at.date(), []).append(order)
        return days


def promo_factor(day: dt.date) -> float:
    """618 and 双11 (with their warm-up days), 双12 and 年货节 lifts."""
    month_day = (day.month, day.day)
    if month_day == (11, 11):
        return 3.6
    if day.month == 11 and 1 <= day.day <= 10:
        return 1.5
    if month_day == (6, 18):
        return 2.6
    if day.month == 6 and 1 <= day.day <= 17:
        return 1.3
    if month_day == (12, 12):
        return 1.8
    if day.month == 1 and 10 <= day.day <= 25:
        return 1.2
    return 1.0


WEEKDAY = (1.0, 0.94, 0.93, 0.97, 1.06, 1.22, 1.18)


def affiliate_spike_day(start: dt.date, days: int) -> dt.date:
    """The day of the built-in 淘客 spike (×6) of every demo shop."""
    return start + dt.timedelta(days=days - 1 - min(9, days // 3))


def stock_out_days(start: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """First and last day of the built-in stock-out of each shop's first SKU (its bestseller)."""
    first = start + dt.timedelta(days=int(days * 0.55))
    return first, first + dt.timedelta(days=9)


def simulate(
    profile: ShopProfile,
    start: dt.date,
    days: int,
    seed: int,
    shop_index: int,
    plants: Sequence[Plant] = (),
) -> ShopHistory:
    """``plants`` (this shop's planted anomalies) change their days; without them the default demo."""
    rng = random.Random(f"{seed}-{profile.name}")
    history = ShopHistory(profile)
    end = start + dt.timedelta(days=days - 1)
    order_counter = 0
    refund_counter = 0
    stock_out = stock_out_days(start, days)
    spike_day = affiliate_spike_day(start, days)
    dsr = [4.82, 4.85, 4.79]
    biggest = max(profile.channels, key=lambda c: profile.channels[c][0] * profile.channels[c][1])
    planted = day_plants([p for p in plants if p.shop == profile.name], biggest)
    for index in range(days):
        day = start + dt.timedelta(days=index)
        plant = planted.get(day, DayPlants())
        factor = WEEKDAY[day.weekday()] * (1 + 0.0008 * index) * promo_factor(day) * rng.uniform(0.92, 1.08)
        visitors = max(1, int(profile.visitors * factor * plant.visitors))
        conversion = (
            profile.conversion
            * (1.15 if promo_factor(day) > 1.4 else 1.0)
            * rng.uniform(0.9, 1.1)
            * plant.conversion
        )
        buyers = 0 if plant.zero_sales else max(1, round(visitors * conversion))
        affiliate = money(
            profile.affiliate
            * factor
            * rng.uniform(0.8, 1.2)
            * (6 if day == spike_day else 1)
            * plant.affiliate
        )
        dsr = [min(5.0, max(4.5, value + rng.uniform(-0.01, 0.01) - plant.dsr_drop)) for value in dsr]
        has_dsr = index != days // 2  # one day the platform shows "-"
        history.days.append(
            ShopDay(
                day,
                visitors,
                visitors * 3 + rng.randint(0, visitors),
                affiliate,
                (round(dsr[0], 4), round(dsr[1], 4), round(dsr[2], 4)) if has_dsr else None,
            )
        )
        available = [
            s for s in profile.skus if not (s is profile.skus[0] and stock_out[0] <= day <= stock_out[1])
        ]
        for buyer_no in range(buyers):
            buyer = f"tb_{shop_index}{index:04d}{buyer_no:04d}"
            for _ in range(2 if rng.random() < 0.05 else 1):
                order_counter += 1
                history.orders.append(
                    _order(rng, profile, shop_index, order_counter, buyer, day, available, paid=True)
                )
        for _ in range(max(1, buyers // 12)):
            order_counter += 1
            history.orders.append(
                _order(
                    rng,
                    profile,
                    shop_index,
                    order_counter,
                    f"tb_u{order_counter}",
                    day,
                    available,
                    paid=False,
                )
            )
        for channel, (plans, per_plan, roi) in profile.channels.items():
            for plan in range(1, plans + 1):
                spend = money(per_plan * factor**0.5 * rng.uniform(0.7, 1.3) * plant.spend_factor(channel))
                clicks = max(1, int(float(spend) / rng.uniform(0.6, 1.8)))
                history.ads.append(
                    AdRow(
                        day,
                        channel,
                        f"{channel}-计划{plan}",
                        spend,
                        money(float(spend) * roi * rng.uniform(0.6, 1.4)),
                        clicks * rng.randint(15, 40),
                        clicks,
                        max(0, int(clicks * 0.03)),
                    )
                )
    for order in history.orders:
        if order.paid_at is None or rng.random() > 0.07:
            continue
        refund_counter += 1
        applied = order.paid_at + dt.timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
        if applied.date() > end:
            continue
        full = rng.random() < 0.6 or (len(order.lines) == 1 and order.postage == 0)
        amount = order.total if full else order.lines[0].amount
        outcome = rng.random()
        completed: dt.datetime | None = applied + dt.timedelta(
            days=rng.randint(0, 4), hours=rng.randint(1, 20)
        )
        if outcome < 0.75 and completed is not None and completed.date() <= end:
            status = "退款成功"
            order.refunded += amount
        elif outcome < 0.9 and completed is not None and completed.date() <= end:
            status = "退款关闭"
        else:
            status, completed = "买家已经申请退款，等待卖家同意", None
        reason = rng.choice(
            ["尺码不合适", "不想要了", "质量问题", "与商品描述不符", "发错货", "七天无理由退换货"]
        )
        history.refunds.append(
            Refund(
                f"{2_100_000_000_000_000 + shop_index * 10**13 + refund_counter}",
                order,
                amount,
                applied,
                completed,
                status,
                reason,
            )
        )
    _apply_refund_surges(history, planted, shop_index, refund_counter, seed)
    return history


def _apply_refund_surges(
    history: ShopHistory, planted: dict[dt.date, DayPlants], shop_index: int, counter: int, seed: int
) -> None:
    for day, plant in sorted(planted.items()):
        if plant.refund_surge:
            counter = _refund_surge(history, shop_index, counter, day, plant.refund_surge, seed)


def _refund_surge(
    history: ShopHistory, shop_index: int, counter: int, day: dt.date, size: float, seed: int
) -> int:
    """Full refunds (质量问题) of orders paid in the 5 days before, completed on ``day``."""
    profile = history.profile
    rng = random.Random(f"{seed}-{profile.name}-surge-{day}")
    usual = profile.visitors * profile.conversion * 0.05
    candidates = [
        o
        for o in history.orders
        if o.paid_at is not None and 1 <= (day - o.paid_at.date()).days <= 5 and o.refunded == 0
    ]
    for order in rng.sample(candidates, min(len(candidates), max(6, round(size * usual)))):
        assert order.paid_at is not None
        counter += 1
        completed = dt.datetime.combine(day, dt.time(10)) + dt.timedelta(minutes=rng.randint(0, 600))
        applied = max(order.paid_at + dt.timedelta(hours=2), completed - dt.timedelta(days=1))
        order.refunded += order.total
        history.refunds.append(
            Refund(
                f"{2_100_000_000_000_000 + shop_index * 10**13 + counter}",
                order,
                order.total,
                applied,
                completed,
                "退款成功",
                "质量问题",
            )
        )
    return counter


def _order(
    rng: random.Random,
    profile: ShopProfile,
    shop_index: int,
    counter: int,
    buyer: str,
    day: dt.date,
    skus: list[Sku],
    *,
    paid: bool,
) -> Order:
    order_id = str(3_000_000_000_000_000_000 + shop_index * 10**15 + counter * 7)
    seconds = rng.randint(0, 86_399)
    paid_at = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    created_at = paid_at - dt.timedelta(seconds=rng.randint(5, 900))
    lines = []
    for position in range(1 if rng.random() < 0.8 else 2):
        sku = rng.choice(skus)
        lines.append(Line(f"{order_id}{position + 1}", sku, 2 if rng.random() < 0.15 else 1))
    subtotal = sum((line.amount for line in lines), Decimal(0))
    postage = Decimal(0) if subtotal >= 99 else Decimal("8.00")
    return Order(
        order_id, buyer, created_at, paid_at if paid else None, lines, postage, rng.choice(PROVINCES)
    )
