"""山岚服饰's after-sales (退换货): a case per order line that has one, with the planted causes.

Every paid order line may get one case — a 仅退款 before shipment (about 3.5 % of orders, mostly
拍错/不想要, often 极速退款 answered in zero seconds), or after shipment (about 10 %: 尺码 first, then
主观, 品质, 仓配 and 物流 reasons, see :mod:`returns_text`) a 退货退款, a 换货 (¥0) or a 仅退款 that keeps
the goods (a lost parcel, a 部分退款 for a flaw). Each case runs through the platform's steps
(seller agrees, buyer ships back, seller receives, money back); a case whose last step is after the
export (the end of the last day) is written with the step it is at, and one asked for after the
export does not exist yet.

Four causes are planted (deterministic from the seed; ``manifest["returns"]["planted"]``):

- **size**: a selling style whose size chart runs small: 尺码 returns several times the shop's rate,
  mostly on S and M, over the whole period;
- **defect_batch**: one style (the best seller of a 12–16-day window, 44–56 days before the end): what
  was paid in the window is a bad batch — 质量问题 (开线/起球) and 褪色/掉色 returns on about 30 % of
  those orders;
- **mispick_week**: 7 days (inside the last 60, not the last 14) when the warehouse picked wrong:
  卖家发错货 and 少件/漏发 on about 7 % of the orders paid that week (0.5 % otherwise);
- **seasonal**: last season's styles get four times the 主观 returns (不喜欢, 七天无理由 …) on what
  is paid in the last four weeks.

Successful refunds add to ``order.refunded`` and are :class:`~shopops.demo.simulation.Refund`
objects (:class:`Case`), so the shop's 总表 truths (``manifest.shop_truth``) stay exact.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shopops.demo import returns_text as tx
from shopops.demo.simulation import Order, Refund, money
from shopops.demo.stock_catalog import OLD_SEASON, SHOP

if TYPE_CHECKING:
    from shopops.demo.stock import StockHistory
    from shopops.demo.stock_catalog import Sku as StyleSku

SHOP_INDEX = 9  # in refund numbers, apart from the main demo shops'
SIZE_FACTOR = {"S": 6.5, "M": 4.5, "L": 1.6, "XL": 1.0}  # the size style's 尺码 returns × the shop's
DEFECT_RATE = {"质量问题": 0.23, "商品褪色/掉色": 0.07}
MISPICK_RATE = {"卖家发错货": 0.05, "少件/漏发": 0.02}
SEASONAL_FACTOR = 4.0
SEASONAL_DAYS = 28
COURIERS = (("中通快递", "735"), ("韵达快递", "432"), ("申通快递", "773"), ("极兔速递", "JT"))
OPERATORS = ("山岚服饰:售后小林", "山岚服饰:售后阿青")
RESPONSIBLE = {"subjective": "买家", "logistics": "物流"}  # else 卖家 (尺码不合适: 买家)
SUCCESS = ("退款成功", "换货成功")
CLOSED = ("退款关闭", "换货关闭")


@dataclass
class Case(Refund):
    """One after-sale case as the 千牛 退款管理 export describes it (the refund fields, then these)."""

    kind: str = "退货退款"  # 售后类型: 仅退款 / 退货退款 / 换货
    shipped: str = "发货后"  # 发货前 / 发货后
    goods_status: str = ""  # 货物状态: 买家未收到货 / 买家已收到货 / 买家已退货
    detail: str = ""  # 买家退款说明
    responsible: str = ""  # 责任方: 买家 / 卖家 / 物流
    phase: str = "售后"  # 售中或售后
    partial: bool = False  # 部分退款
    cause: str = "normal"  # the demo's label: size / defect / mispick / subjective / normal
    group: str = "other"  # the reason's group (returns_text.REASON_TAGS)
    shipped_at: dt.datetime | None = None
    ship_info: str = ""  # 发货物流信息
    delivered_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None  # 买家退货时间
    return_company: str = ""
    return_tracking: str = ""
    zero_second: bool = False  # 是否零秒响应 (极速退款)
    timeout_at: dt.datetime | None = None  # 超时时间 of the step the case is at
    operator: str = ""
    note: str = ""  # 商家备注


def status_class(status: str) -> str:
    """成功 / 关闭 / 处理中."""
    return "成功" if status in SUCCESS else "关闭" if status in CLOSED else "处理中"


@dataclass(frozen=True)
class Plan:
    """The planted causes of one seed."""

    size_style: str
    size_sizes: tuple[str, ...]
    defect_style: str
    defect_skus: tuple[str, ...]
    defect_from: dt.date
    defect_to: dt.date
    mispick_from: dt.date
    mispick_to: dt.date
    seasonal_styles: tuple[str, ...]
    seasonal_from: dt.date

    def to_json(self) -> dict[str, Any]:
        return {
            "size": {"shop": SHOP, "style": self.size_style, "sizes": list(self.size_sizes)},
            "defect_batch": {
                "shop": SHOP, "style": self.defect_style,
                "skus": list(self.defect_skus), "paid_from": self.defect_from.isoformat(),
                "paid_to": self.defect_to.isoformat(),
            },
            "mispick_week": {"shop": SHOP, "from": self.mispick_from.isoformat(), "to": self.mispick_to.isoformat()},
            "seasonal": {"shop": SHOP, "styles": list(self.seasonal_styles), "paid_from": self.seasonal_from.isoformat()},
        }  # fmt: skip


def sku_index(h: StockHistory) -> dict[str, StyleSku]:
    return {s.code: s for s in h.skus}


def make_plan(h: StockHistory, orders: list[Order], seed: int) -> Plan:
    rng = random.Random(f"{seed}-{SHOP}-returns-plan")
    end = h.dates[-1]
    skus = sku_index(h)
    counts: dict[str, int] = {}
    for order in orders:
        sku = skus.get(order.lines[0].sku.code)
        if sku is not None:
            counts[sku.style.code] = counts.get(sku.style.code, 0) + 1
    four = [s for s in h.styles if s.role == "normal" and len(s.sizes) == 4 and counts.get(s.code, 0)]
    selling = [s for s in four if 150 <= counts[s.code] <= 400]
    size_style = max(selling, key=lambda s: counts[s.code]) if selling else (
        min(four, key=lambda s: abs(counts[s.code] - 250))
    )  # fmt: skip
    length = rng.randint(12, 16)
    defect_from = end - dt.timedelta(days=rng.randint(44, 56))
    defect_to = defect_from + dt.timedelta(days=length - 1)
    in_window: dict[str, int] = {}
    for order in orders:
        sku = skus.get(order.lines[0].sku.code)
        assert order.paid_at is not None
        if sku is not None and defect_from <= order.paid_at.date() <= defect_to:
            in_window[sku.style.code] = in_window.get(sku.style.code, 0) + 1
    able = [
        s
        for s in h.styles
        if s.code != size_style.code and s.role in ("normal", "launch", "oversold", "steady", "repriced")
    ]
    defect = max(able, key=lambda s: (in_window.get(s.code, 0), s.code))
    mispick_from = end - dt.timedelta(days=rng.randint(21, 30))
    return Plan(
        size_style=size_style.code,
        size_sizes=("S", "M"),
        defect_style=defect.code,
        defect_skus=tuple(s.code for s in h.skus if s.style is defect),
        defect_from=defect_from,
        defect_to=defect_to,
        mispick_from=mispick_from,
        mispick_to=mispick_from + dt.timedelta(days=6),
        seasonal_styles=tuple(s.code for s in h.styles if s.role in OLD_SEASON),
        seasonal_from=end - dt.timedelta(days=SEASONAL_DAYS - 1),
    )


def _group(reason: str) -> str:
    for group, reasons in (
        ("size", tx.SIZE_REASONS),
        ("quality", tx.QUALITY_REASONS),
        ("mispick", tx.MISPICK_REASONS),
        ("subjective", tx.SUBJECTIVE_REASONS),
        ("logistics", tx.LOGISTICS_REASONS),
    ):
        if reason in reasons:
            return group
    return "other"


def _rates(plan: Plan, order: Order, sku: StyleSku | None) -> dict[str, float]:
    """The chance of each after-shipment reason for this order line."""
    rates = dict(tx.AFTER_SHIPMENT)
    assert order.paid_at is not None
    paid = order.paid_at.date()
    if sku is not None and sku.style.code == plan.size_style:
        for reason in tx.SIZE_REASONS:
            rates[reason] *= SIZE_FACTOR[sku.size]
    if sku is not None and sku.code in plan.defect_skus and plan.defect_from <= paid <= plan.defect_to:
        rates.update(DEFECT_RATE)
    if plan.mispick_from <= paid <= plan.mispick_to:
        rates.update(MISPICK_RATE)
    if sku is not None and sku.style.code in plan.seasonal_styles and paid >= plan.seasonal_from:
        for reason in ("不喜欢/效果不好", "七天无理由退换货", "不想要了"):
            rates[reason] *= SEASONAL_FACTOR
    return rates


def _cause(plan: Plan, case: Case, sku: StyleSku | None) -> str:
    assert case.order.paid_at is not None
    paid = case.order.paid_at.date()
    code, style = (sku.code, sku.style.code) if sku is not None else ("", "")
    if case.group == "size" and style == plan.size_style:
        return "size"
    if case.reason in DEFECT_RATE and code in plan.defect_skus and plan.defect_from <= paid <= plan.defect_to:
        return "defect"
    if case.reason in MISPICK_RATE and plan.mispick_from <= paid <= plan.mispick_to:
        return "mispick"
    if case.group == "subjective" and style in plan.seasonal_styles and paid >= plan.seasonal_from:
        return "subjective"
    return "normal"


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(rng.uniform(low, high) * 3600))


def _tracking(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.randint(10**11, 10**12 - 1)}"


def _detail(rng: random.Random, reason: str, sku: StyleSku | None, small: bool) -> str:
    key = "尺码偏小" if reason == "尺码不合适" and small else reason
    text = rng.choice(tx.DETAILS.get(key, tx.DETAILS["其他"]))
    colour, size = (sku.colour, sku.size) if sku is not None else ("黑色", "M")
    others = [c for c in ("黑色", "白色", "灰色", "藏青", "卡其") if c != colour]
    sizes = [s for s in ("S", "M", "L", "XL") if s != size]
    return text.format(
        size=size, colour=colour, other_colour=rng.choice(others), other_size=rng.choice(sizes)
    )


class _Maker:
    """Draws the cases of one shop history (orders in payment order)."""

    def __init__(self, h: StockHistory, plan: Plan, seed: int) -> None:
        self.rng = random.Random(f"{seed}-{SHOP}-returns")
        self.plan = plan
        self.skus = sku_index(h)
        self.now = dt.datetime.combine(h.dates[-1], dt.time(23, 59, 59))  # the export's moment
        self.cases: list[Case] = []

    def order(self, order: Order) -> None:
        rng = self.rng
        assert order.paid_at is not None
        sku = self.skus.get(order.lines[0].sku.code)
        paid = order.paid_at
        ship_day = paid.date() + dt.timedelta(days=0 if paid.hour < 16 else 1)
        shipped = dt.datetime.combine(ship_day, dt.time(17)) + _hours(rng, 0, 3)
        delivered = shipped + _hours(rng, 30, 96)
        confirmed = delivered + _hours(rng, 2, 200)
        before, after, choice = rng.random(), rng.random(), rng.random()
        rates = _rates(self.plan, order, sku)
        if before < tx.BEFORE_SHIPMENT_RATE:
            reason = _pick(rng, tx.BEFORE_SHIPMENT)
            gap = max((shipped - paid).total_seconds() / 3600 - 0.1, 0.06)
            case = self._new(order, reason, paid + _hours(rng, 0.05, gap), sku, small=False)
            self._before_shipment(case)
        elif after < sum(rates.values()):
            reason = _pick(rng, rates)
            small = (sku is not None and sku.style.code == self.plan.size_style) or choice < 0.5
            if reason == "快递一直未送到":
                applied = shipped + _hours(rng, 5 * 24, 8 * 24)
            else:
                applied = delivered + _hours(rng, 2, 6.5 * 24)
            case = self._new(order, reason, applied, sku, small=small)
            case.shipped_at, case.delivered_at = shipped, delivered
            case.ship_info = f"圆通速递 YT{rng.randint(10**12, 10**13 - 1)}"
            case.phase = "售中" if applied < confirmed else "售后"
            self._after_shipment(case)
        else:
            return
        if case.applied_at > self.now:
            return  # asked for after the export
        case.cause = _cause(self.plan, case, sku)
        if case.status == "退款成功":
            order.refunded += case.amount
        self.cases.append(case)

    def _new(
        self, order: Order, reason: str, applied: dt.datetime, sku: StyleSku | None, *, small: bool
    ) -> Case:
        number = 2_100_000_000_000_000 + SHOP_INDEX * 10**13 + len(self.cases) + 1
        group = _group(reason)
        return Case(
            str(number), order, order.total, applied, None, "", reason,
            detail=_detail(self.rng, reason, sku, small), group=group,
            responsible="买家" if reason == "尺码不合适" else RESPONSIBLE.get(group, "卖家"),
        )  # fmt: skip

    def _before_shipment(self, case: Case) -> None:
        rng = self.rng
        case.kind, case.shipped, case.goods_status, case.phase = "仅退款", "发货前", "买家未收到货", "售中"
        case.responsible = "卖家" if case.reason == "未按约定时间发货" else "买家"
        if case.reason == "协商一致退款":
            case.responsible = "卖家"
        if rng.random() < 0.65:  # 极速退款: agreed by the system at once
            case.zero_second = True
            self._finish(case, case.applied_at + dt.timedelta(seconds=rng.randint(0, 59)), "退款成功")
        elif rng.random() < 0.88:
            self._finish(case, case.applied_at + _hours(self.rng, 0.5, 8), "退款成功")
        else:
            self._finish(case, case.applied_at + _hours(self.rng, 1, 20), "退款关闭")
        if case.completed_at is None:
            case.status = "买家已经申请退款，等待卖家同意"
            case.timeout_at = case.applied_at + dt.timedelta(hours=24)

    def _after_shipment(self, case: Case) -> None:
        rng = self.rng
        reason, order = case.reason, case.order
        case.goods_status = "买家已收到货"
        keep = {
            "快递一直未送到": 1.0, "空包裹/少货": 1.0, "少件/漏发": 1.0, "协商一致退款": 1.0,
            "质量问题": 0.3, "商品褪色/掉色": 0.3, "包装/商品破损/污渍": 0.5,
        }.get(reason, 0.0)  # fmt: skip
        exchange = {"尺码不合适": 0.25, "卖家发错货": 0.6, "质量问题": 0.1}.get(reason, 0.0)
        draw = rng.random()
        if draw < keep:  # 仅退款: the buyer keeps the goods (or never got them)
            case.kind = "仅退款"
            if reason == "快递一直未送到":
                case.goods_status = "买家未收到货"
            elif reason == "少件/漏发" and order.lines[0].quantity > 1:
                case.amount, case.partial = order.lines[0].sku.price, True
            elif reason not in ("空包裹/少货", "少件/漏发"):
                share = rng.choice((Decimal("0.1"), Decimal("0.2"), Decimal("0.3")))
                case.amount, case.partial = (
                    money(max((order.total * share).to_integral_value(), Decimal(5))),
                    True,
                )
            outcome = "退款成功" if rng.random() < 0.88 else "退款关闭"
            self._finish(case, case.applied_at + _hours(rng, 2, 48), outcome)
            if case.completed_at is None:
                case.status = "买家已经申请退款，等待卖家同意"
                case.timeout_at = case.applied_at + dt.timedelta(hours=48)
            return
        case.kind = "换货" if draw < keep + (1 - keep) * exchange else "退货退款"
        if case.kind == "换货":
            case.amount = Decimal("0.00")
        agreed = case.applied_at + _hours(rng, 0.5, 20)
        sent = agreed + _hours(rng, 2, 48)
        back = sent + _hours(rng, 36, 96)
        company, prefix = rng.choice(COURIERS)
        if rng.random() < 0.1:  # the buyer keeps it after all (or the seller refuses): closed
            self._finish(case, case.applied_at + _hours(rng, 24, 6 * 24), CLOSED[case.kind == "换货"])
        else:
            self._finish(case, back + _hours(rng, 1, 24), SUCCESS[case.kind == "换货"])
            if sent <= self.now:  # the buyer has sent the goods back
                case.returned_at, case.goods_status = sent, "买家已退货"
                case.return_company, case.return_tracking = company, _tracking(rng, prefix)
        if case.completed_at is not None:
            return
        exchange_steps = ("换货待处理", "待买家退货", "买家已退货，待收货")
        refund_steps = (
            "买家已经申请退款，等待卖家同意",
            "卖家已经同意退款，等待买家退货",
            "买家已经退货，等待卖家确认收货",
        )
        steps = exchange_steps if case.kind == "换货" else refund_steps
        if self.now < agreed:
            case.status, case.timeout_at, case.goods_status = (
                steps[0],
                case.applied_at + dt.timedelta(days=2),
                "买家已收到货",
            )
        elif self.now < sent or case.returned_at is None:
            case.status, case.timeout_at, case.goods_status = (
                steps[1],
                agreed + dt.timedelta(days=7),
                "买家已收到货",
            )
        else:
            case.status, case.timeout_at = steps[2], sent + dt.timedelta(days=10)  # fmt: skip

    def _finish(self, case: Case, when: dt.datetime, status: str) -> None:
        """The case's last step: done at ``when`` if that is before the export, else still open."""
        if when <= self.now:
            case.completed_at, case.status = when, status
            if status in SUCCESS and not case.zero_second:
                case.operator = self.rng.choice(OPERATORS)


def apparel_cases(h: StockHistory, orders: list[Order], seed: int) -> tuple[Plan, list[Case]]:
    """The shop's plan and cases; successful refunds add to their orders' ``refunded``."""
    plan = make_plan(h, orders, seed)
    maker = _Maker(h, plan, seed)
    for order in orders:
        if order.paid_at is not None:
            maker.order(order)
    maker.cases.sort(key=lambda c: c.applied_at)
    for number, case in enumerate(maker.cases, start=1):
        case.refund_id = str(2_100_000_000_000_000 + SHOP_INDEX * 10**13 + number)
        if case.cause == "defect" and case.status in SUCCESS:
            case.note = "批次问题，已反馈工厂"
    return plan, maker.cases


def _ts(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def case_json(case: Case, skus: dict[str, StyleSku], file: str) -> dict[str, Any]:
    """A case of ``manifest["returns"]["cases"]`` (money as text); ``skus``: :func:`sku_index`."""
    line = case.order.lines[0]
    sku = skus.get(line.sku.code)
    return {
        "id": case.refund_id, "shop": SHOP, "source": "qianniu_refunds", "file": file,
        "order_id": case.order.order_id, "line_id": line.line_id, "sku": line.sku.code,
        "item_id": line.sku.item_id, "style": sku.style.code if sku else None,
        "colour": sku.colour if sku else None, "size": sku.size if sku else None,
        "quantity": line.quantity, "kind": case.kind, "shipped": case.shipped, "status": case.status,
        "status_class": status_class(case.status), "amount": str(case.amount),
        "goods_amount": str(case.amount), "postage": "0.00", "paid_amount": str(case.order.total),
        "partial": case.partial, "paid_at": _ts(case.order.paid_at), "applied_at": _ts(case.applied_at),
        "completed_at": _ts(case.completed_at), "reason": case.reason, "detail": case.detail,
        "responsible": case.responsible, "phase": case.phase, "goods_status": case.goods_status,
        "cause": case.cause,
    }  # fmt: skip
