"""The demo JD shop: 京东商智 shop and SKU dailies, the order export, 京准通, 京东联盟 and coupons.

Orders are the ground truth; every other file is derived from them (商智's 成交金额 is the sum of
the day's paid orders), and :func:`write_jd` returns the manifest's true values per day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from shopops.demo.manifest import Value, blank_measures, derive
from shopops.demo.simulation import money
from shopops.demo.writers import write_csv, write_xlsx

JD_SHOP = "云朵京东旗舰店"
JD_FEE_RATE = Decimal("0.06")
# The demo's shipping rule (per order, shopops.yaml's global per_order) also applies to JD orders.
JD_SHIPPING = Decimal("5.50")
# (sku, name, price before, price after the change day or None)
JD_SKUS = (
    ("100012345678", "云朵 纯棉短袖T恤 黑色 M", Decimal("89.00"), Decimal("79.00")),
    ("100012345679", "云朵 加绒连帽卫衣 灰色 XL", Decimal("179.00"), None),
    ("100012345680", "云朵 中筒棉袜 3双装", Decimal("32.90"), None),
)
JZT = {
    "jd_express": ("京东快车", 90.0, 2.6),
    "jd_touchpoint": ("购物触点", 40.0, 1.4),
    "jd_fullsite": ("全站营销", 70.0, 2.1),
}
COUPONS = (
    ("JQ2026110001", "满199减20", "东券", Decimal("20.00")),
    ("JQ2026110002", "店铺新人券5元", "京券", Decimal("5.00")),
)


@dataclass(frozen=True)
class JdOrder:
    order_id: str
    buyer: str
    sku: int
    quantity: int
    amount: Decimal
    created_at: dt.datetime
    paid_at: dt.datetime | None
    coupon: int | None


@dataclass
class JdDay:
    date: dt.date
    visitors: int
    pageviews: int
    carts: int
    orders: list[JdOrder]


def simulate_jd(start: dt.date, days: int, seed: int) -> list[JdDay]:
    rng = random.Random(seed * 1009 + 17)
    change = start + dt.timedelta(days=days // 3)
    history: list[JdDay] = []
    serial = 300_000_000_000 + seed * 1_000_000
    for offset in range(days):
        date = start + dt.timedelta(days=offset)
        visitors = int(1200 * (1.25 if date.weekday() >= 5 else 1.0) * rng.uniform(0.85, 1.15))
        orders: list[JdOrder] = []
        for _ in range(max(1, int(visitors * rng.uniform(0.025, 0.04)))):
            serial += rng.randint(1, 97)
            index = rng.choices(range(len(JD_SKUS)), weights=(5, 2, 3))[0]
            if JD_SKUS[index][0] == "100012345679" and date >= change + dt.timedelta(days=5):
                index = 0  # the hoodie is delisted (下柜) a few days after the T-shirt's price cut
            quantity = rng.choice((1, 1, 1, 2, 3))
            price = _price(index, date, change)
            coupon = rng.choice((None, None, 0, 1)) if price * quantity >= 199 or rng.random() < 0.3 else None
            amount = price * quantity - (COUPONS[coupon][3] if coupon is not None else Decimal(0))
            created = dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=rng.randint(0, 86_000))
            paid = None if rng.random() < 0.06 else created + dt.timedelta(seconds=rng.randint(20, 300))
            if paid is not None and paid.date() != date:
                paid = created
            orders.append(
                JdOrder(
                    str(serial),
                    f"jd_{rng.randint(1, 4000):05d}",
                    index,
                    quantity,
                    amount,
                    created,
                    paid,
                    coupon,
                )
            )
        history.append(
            JdDay(date, visitors, int(visitors * rng.uniform(2.6, 3.4)), int(visitors * 0.08), orders)
        )
    return history


def _price(index: int, date: dt.date, change: dt.date) -> Decimal:
    _, _, before, after = JD_SKUS[index]
    return after if after is not None and date >= change else before


def write_jd(
    folder: Path, start: dt.date, days: int, seed: int
) -> tuple[list[Path], dict[str, dict[str, Value]]]:
    history = simulate_jd(start, days, seed)
    change = start + dt.timedelta(days=days // 3)
    first, last = history[0].date, history[-1].date
    span = f"{first:%Y%m%d}-{last:%Y%m%d}"
    rng = random.Random(seed * 31 + 5)
    files: list[Path] = []
    truth: dict[str, dict[str, Value]] = {}
    shop_rows, sku_rows, order_rows, ad_rows, union_rows, coupon_rows = [], [], [], [], [], []
    stock = [900, 400, 1500]
    for day in history:
        paid = [o for o in day.orders if o.paid_at is not None]
        gmv = sum((o.amount for o in paid), Decimal(0))
        customers = len({o.buyer for o in paid})
        units = sum(o.quantity for o in paid)
        shop_rows.append(
            [day.date.isoformat(), day.pageviews, day.visitors, f"{gmv:.2f}", customers, len(paid), units,
             _pct(customers, day.visitors), f"{gmv / customers:.2f}" if customers else "-", day.carts,
             rng.randint(20, 40)]
        )  # fmt: skip
        for index, (sku, name, _, _) in enumerate(JD_SKUS):
            sold = [o for o in paid if o.sku == index]
            shipped = sum(o.quantity for o in sold)
            stock[index] = stock[index] - shipped + (300 if stock[index] < 200 else 0)
            delisted = sku == "100012345679" and day.date >= change + dt.timedelta(days=5)
            sku_rows.append(
                [day.date.isoformat(), sku, name, f"{_price(index, day.date, change):.2f}", "下柜" if delisted else "上柜",
                 0 if delisted else int(day.visitors * (0.5, 0.2, 0.3)[index]), shipped,
                 f"{sum((o.amount for o in sold), Decimal(0)):.2f}", stock[index], shipped]
            )  # fmt: skip
        for o in day.orders:
            order_rows.append(
                [o.order_id, o.buyer, _ts(o.created_at), _ts(o.paid_at), f"{o.amount:.2f}", f"{o.amount:.2f}", "0.00",
                 "等待出库" if o.paid_at else "已取消", JD_SKUS[o.sku][1], o.quantity]
            )  # fmt: skip
        spend: dict[str, Decimal] = {}
        ad_gmv = Decimal(0)
        for channel, (label, base, roi) in JZT.items():
            spend[channel] = Decimal(0)
            for plan in range(2):
                cost = money(base / 2 * rng.uniform(0.7, 1.3))
                turnover = money(float(cost) * roi * rng.uniform(0.6, 1.4))
                spend[channel] += cost
                ad_gmv += turnover
                ad_rows.append(
                    [day.date.isoformat(), label, f"{label}-计划{plan + 1}", f"{7700 + plan}{len(channel)}",
                     rng.randint(3000, 9000), rng.randint(60, 300), f"{cost:.2f}", f"{turnover:.2f}", rng.randint(1, 9)]
                )  # fmt: skip
        commission = money(rng.uniform(15, 45))
        union_rows.append(
            [day.date.isoformat(), rng.randint(2, 9), f"{commission * 10:.2f}", f"{commission:.2f}"]
        )
        for index, (coupon_id, name, kind, face) in enumerate(COUPONS):
            used = [o for o in paid if o.coupon == index]
            coupon_rows.append(
                [day.date.isoformat(), coupon_id, name, kind, len(used) + rng.randint(5, 30), len(used),
                 f"{face * len(used):.2f}", f"{sum((o.amount for o in used), Decimal(0)):.2f}", len(used)]
            )  # fmt: skip
        row = blank_measures()
        row.update(
            gmv=gmv, visitors=day.visitors, pageviews=day.pageviews, buyers=customers, paid_orders=len(paid),
            units=units, ad_report_spend=sum(spend.values(), Decimal(0)), ad_gmv=ad_gmv,
            affiliate_commission=commission, shipping_cost=JD_SHIPPING * len(paid) if paid else None,
            fee_rate=JD_FEE_RATE,
        )  # fmt: skip
        row.update({f"ad_spend_{channel}": amount for channel, amount in spend.items()})
        truth[day.date.isoformat()] = derive(row)
    shop_header = ["日期", "浏览量（PV）", "访客数（UV）", "成交金额", "成交客户数", "成交单量", "成交商品件数",
                   "成交转化率", "客单价", "加购客户数", "平均停留时长(秒)"]  # fmt: skip
    files.append(write_xlsx(folder / f"京东商智_经营概况_{JD_SHOP}_{span}.xlsx", shop_header, shop_rows,
                            titles=[f"店铺：{JD_SHOP}", f"时间：{first} 至 {last}"]))  # fmt: skip
    sku_header = ["日期", "SKU", "商品名称", "京东价", "上下柜状态", "商品访客数", "成交商品件数", "成交金额",
                  "库存件数", "昨日出库商品件数"]  # fmt: skip
    files.append(
        write_csv(
            folder / f"京东商智_商品明细_{JD_SHOP}_{span}.csv", sku_header, sku_rows, encoding="gb18030"
        )
    )
    order_header = ["订单号", "下单帐号", "下单时间", "付款确认时间", "订单金额", "应付金额", "运费金额", "订单状态",
                    "商品名称", "订购数量"]  # fmt: skip
    files.append(
        write_csv(folder / f"京东订单导出_{JD_SHOP}_{span}.csv", order_header, order_rows, encoding="gb18030")
    )
    ad_header = [
        "日期",
        "推广产品",
        "计划名称",
        "计划ID",
        "展现数",
        "点击数",
        "总花费",
        "总订单金额",
        "总订单行",
    ]
    files.append(write_csv(folder / f"京准通_推广报表_{JD_SHOP}_{span}.csv", ad_header, ad_rows))
    files.append(write_csv(folder / f"京东联盟_商家日报_{JD_SHOP}_{span}.csv",
                           ["日期", "引入订单量", "引入成交金额", "预估佣金"], union_rows))  # fmt: skip
    coupon_header = ["日期", "优惠券ID", "优惠券名称", "优惠券类型", "领取张数", "使用张数", "优惠金额", "用券成交金额",
                     "用券订单数"]  # fmt: skip
    files.append(write_csv(folder / f"京东优惠券效果_{JD_SHOP}_{span}.csv", coupon_header, coupon_rows))
    return files, truth


def _ts(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _pct(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator * 100:.2f}%" if denominator else "-"


def coupon_totals(history: list[JdDay]) -> dict[str, tuple[Decimal, Decimal]]:
    """Per coupon: (cost, GMV carried) over the whole history — the coupon view's known totals."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for day in history:
        for order in day.orders:
            if order.paid_at is not None and order.coupon is not None:
                coupon_id, _, _, face = COUPONS[order.coupon]
                totals[coupon_id][0] += face
                totals[coupon_id][1] += order.amount
    return {key: (cost, gmv) for key, (cost, gmv) in totals.items()}
