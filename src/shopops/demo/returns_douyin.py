"""山野好物抖音店's after-sales (抖店 售后): cases of its paid order lines, and the 售后表 files.

Live-room buyers cancel before shipment far more often than others (发货前退款: 12 % of the room's
lines, 4 % elsewhere); after shipment it is food: 破损 (a crushed gift box), 质量问题 (受潮, 发硬), lost
parcels, 少件 (a 补寄, ¥0), the odd wrong item (a 换货, ¥0), 七天无理由 on the tea, and a few 价保
(a price-protection refund). A 退货 the seller caused refunds the buyer's return postage too: 退款金额
= 退商品金额 + 退运费金额.

The files (research §4.1, idx:68651615396 / idx:52064188950):

- ``抖店_售后单_<shop>_<span>.xlsx``: the cases asked for before the last 30 days (half the days of a
  shorter demo), 售后类型 and 售后状态 as text;
- ``抖店售后推送_<shop>_<span>.xlsx``: the last 30 days as a push-message relay writes them, 售后类型
  and 售后状态 as **codes** (0 退货, 1 售后仅退款, 2 发货前退款, 3 换货, 6 价保, 7 补寄; 6 申请, 7 退货中,
  11 已发货, 12 成功, 27 拒绝申请, 28 失败, 29 退货后拒绝退款, 51 取消成功, 53 逆向交易完成), one message
  written twice (pushes repeat).

Both have the 50 columns of :data:`AFTER_SALE_HEADER`. The order export's 售后状态 of a line with a
case is the case's status text (:func:`order_statuses`), "-" otherwise.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopops.demo import returns_text as tx
from shopops.demo.douyin import AFFILIATE, DOUYIN_SHOP, PRODUCTS, DouyinLine
from shopops.demo.simulation import money
from shopops.demo.writers import write_xlsx

TYPES = {
    0: "退货",
    1: "售后仅退款",
    2: "发货前退款",
    3: "换货",
    4: "系统取消",
    5: "用户取消",
    6: "价保",
    7: "补寄",
}
KINDS = {0: "退货退款", 1: "仅退款", 2: "仅退款", 3: "换货", 4: "取消", 5: "取消", 6: "价保", 7: "补寄"}
STATUSES = {
    6: "待商家处理", 7: "待买家退货", 11: "待商家收货", 12: "退款成功", 27: "拒绝售后申请", 28: "售后失败",
    29: "退货后拒绝退款", 51: "售后关闭", 53: "售后完成",
}  # fmt: skip
SUCCESS, CLOSED = (12, 53), (27, 28, 29, 51)
SHIPPED = {0: "发货后", 1: "发货后", 2: "发货前", 3: "发货后"}  # 价保, 补寄 …: not returns, not said
SPECS = ("250g 罐装", "500g 礼盒装", "500g 袋装")  # 商品规格 of each product
# the chance of an after-shipment case with each reason, per paid line
AFTER = {
    "包装/商品破损/污渍": 0.012, "质量问题": 0.01, "快递一直未送到": 0.004, "少件/漏发": 0.004,
    "卖家发错货": 0.002, "七天无理由退换货": 0.008, "不想要了": 0.004, "价格保护": 0.003,
}  # fmt: skip
BEFORE = {"多拍/拍错/不想要": 0.5, "不想要了": 0.3, "未按约定时间发货": 0.1, "协商一致退款": 0.1}
CODES_DAYS = 30  # the push relay's file: the last 30 days
# [evidenced] research §4.1: 售后单号, 订单号, 商品单号, 售后类型, 售后状态, 售后申请时间, 退商品金额（元）
# (the 售后表's required columns) and 商品ID, 商品名称, 商品规格 (the 抖店 评价 export); [inferred] the
# other 40 names follow 抖店's wording in its order export and after-sale pages, and make the real
# file's 50 columns.
AFTER_SALE_HEADER = [
    "售后单号", "订单号", "商品单号", "售后类型", "售后状态", "售后申请时间", "退商品金额（元）",  # evidenced
    "商品ID", "商品名称", "商品规格",  # evidenced (评价 export)
    "退运费金额（元）", "退款金额（元）", "售后商品数量", "订单支付时间", "订单实付金额（元）", "售后原因", "问题描述",
    "货物状态", "售后完结时间", "退款方式", "退款状态", "退货物流公司", "退货物流单号", "买家退货时间", "商家收货时间",
    "发货物流公司", "发货物流单号", "发货时间", "换货物流公司", "换货物流单号", "收货人", "收货人手机号", "售后标签",
    "是否极速退", "仲裁状态", "商家备注", "处理人", "商家首次处理时间", "超时时间", "达人ID", "达人昵称", "流量来源",
    "流量体裁", "订单状态", "售后子类型", "凭证图片数", "申请人", "是否运费险", "运费险理赔金额（元）", "售后备注",
]  # fmt: skip


@dataclass
class DouyinCase:
    case_id: str
    line: DouyinLine
    type_code: int
    status_code: int
    reason: str
    detail: str
    applied_at: dt.datetime
    completed_at: dt.datetime | None
    goods_amount: Decimal
    postage: Decimal
    goods_status: str
    cause: str
    shipped_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    return_tracking: str = ""

    @property
    def amount(self) -> Decimal:
        return self.goods_amount + self.postage


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(rng.uniform(low, high) * 3600))


def douyin_cases(lines: list[DouyinLine], end: dt.date, seed: int) -> list[DouyinCase]:
    """The shop's after-sale cases as of the end of ``end`` (cases asked for later do not exist)."""
    rng = random.Random(f"{seed}-{DOUYIN_SHOP}-after-sales")
    now = dt.datetime.combine(end, dt.time(23, 59, 59))
    cases: list[DouyinCase] = []
    for line in lines:
        if line.paid_at is None:
            continue
        paid = line.paid_at
        shipped = paid + _hours(rng, 10, 40)
        delivered = shipped + _hours(rng, 40, 96)
        room = line.kind == "直播" and line.source != AFFILIATE
        before, after = rng.random(), rng.random()
        if before < (0.12 if room else 0.04):
            reason = rng.choices(list(BEFORE), list(BEFORE.values()))[0]
            case = _case(rng, line, 2, reason, paid + _hours(rng, 0.02, 9))
            case.goods_status = "未发货"
            _close(rng, case, now, done=case.applied_at + _hours(rng, 0, 0.5), ok=0.92)
        elif after < sum(AFTER.values()):
            reason = rng.choices(list(AFTER), list(AFTER.values()))[0]
            if reason == "快递一直未送到":
                applied = shipped + _hours(rng, 5 * 24, 8 * 24)
            elif reason == "价格保护":
                applied = paid + _hours(rng, 12, 6 * 24)
            else:
                applied = delivered + _hours(rng, 2, 6 * 24)
            case = _case(rng, line, 0, reason, applied)
            case.shipped_at = shipped
            _after_shipment(rng, case, now)
        else:
            continue
        if case.applied_at <= now:
            cases.append(case)
    return cases


def _case(rng: random.Random, line: DouyinLine, code: int, reason: str, at: dt.datetime) -> DouyinCase:
    number = f"73{int(line.line_id) % 10**17:017d}"  # a line has one case at most
    texts = tx.DOUYIN_DETAILS.get(reason, ("其他",))
    per_product = texts[line.product] if isinstance(texts[0], tuple) else texts
    detail = str(rng.choice(per_product))
    cause = "subjective" if reason in tx.SUBJECTIVE_REASONS else "normal"
    return DouyinCase(
        number, line, code, 6, reason, detail, at, None, line.payable, Decimal(0), "已收到货", cause
    )


def _close(
    rng: random.Random, case: DouyinCase, now: dt.datetime, *, done: dt.datetime, ok: float, fail: int = 51
) -> None:
    if done <= now:
        case.completed_at = done
        case.status_code = 12 if rng.random() < ok else fail


def _after_shipment(rng: random.Random, case: DouyinCase, now: dt.datetime) -> None:
    reason, line = case.reason, case.line
    seller = reason in ("包装/商品破损/污渍", "质量问题", "卖家发错货")
    if reason == "价格保护":
        case.type_code, case.goods_amount = 6, money(rng.choice((3, 5, 8, 10)))
        _close(rng, case, now, done=case.applied_at + _hours(rng, 0, 0.2), ok=1.0)
        return
    if reason == "少件/漏发" and rng.random() < 0.6:  # 补寄: the missing bag is sent, nothing refunded
        case.type_code, case.goods_amount = 7, Decimal("0.00")
        _close(rng, case, now, done=case.applied_at + _hours(rng, 24, 72), ok=1.0)
        case.status_code = 53 if case.completed_at else 6
        return
    if reason == "快递一直未送到":
        case.goods_status = "未收到货"
    if reason in ("快递一直未送到", "少件/漏发") or (
        seller and reason != "卖家发错货" and rng.random() < 0.7
    ):
        case.type_code = 1  # 售后仅退款: the food stays with the buyer
        if reason in ("包装/商品破损/污渍", "少件/漏发") and rng.random() < 0.5:
            case.goods_amount = money(max((line.payable * Decimal("0.3")).to_integral_value(), Decimal(5)))
        _close(rng, case, now, done=case.applied_at + _hours(rng, 1, 48), ok=0.9, fail=27)
        return
    case.type_code = 3 if reason == "卖家发错货" and rng.random() < 0.5 else 0
    if case.type_code == 3:
        case.goods_amount = Decimal("0.00")
    elif seller:
        case.postage = money(rng.choice((8, 10, 12)))  # the buyer's return postage, refunded
    agreed = case.applied_at + _hours(rng, 1, 24)
    sent = agreed + _hours(rng, 2, 48)
    back = sent + _hours(rng, 48, 96)
    if sent <= now:
        case.returned_at, case.goods_status = sent, "已退货"
        case.return_tracking = f"YT{rng.randint(10**12, 10**13 - 1)}"
    outcome = rng.random()
    if outcome < 0.06:  # the buyer gives up before sending it back
        case.returned_at, case.return_tracking, case.goods_status = None, "", "已收到货"
        _close(rng, case, now, done=agreed + _hours(rng, 24, 72), ok=0.0, fail=51)
    elif outcome < 0.1 and case.type_code == 0:  # the returned goods were not what was sold
        _close(rng, case, now, done=back + _hours(rng, 2, 24), ok=0.0, fail=29)
    else:
        _close(rng, case, now, done=back + _hours(rng, 1, 24), ok=1.0)
        if case.type_code == 3 and case.completed_at is not None:
            case.status_code = 53
    if case.completed_at is None:
        case.status_code = 6 if now < agreed else 7 if case.returned_at is None else 11


def order_statuses(cases: list[DouyinCase]) -> dict[str, str]:
    """售后状态 of the order export per 子订单 with a case (the case's status text)."""
    return {c.line.line_id: STATUSES[c.status_code] for c in cases}


def _ts(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _row(case: DouyinCase, *, codes: bool) -> list[object]:
    line = case.line
    product_id, title, _ = PRODUCTS[line.product]
    creator = line.source == AFFILIATE
    shipped = case.type_code != 2
    done = case.completed_at
    refund_state = "退款成功" if case.status_code == 12 else "无需退款" if case.amount == 0 else ""
    return [
        case.case_id, line.order_id, line.line_id,
        str(case.type_code) if codes else TYPES[case.type_code],
        str(case.status_code) if codes else STATUSES[case.status_code],
        _ts(case.applied_at), f"{case.goods_amount:.2f}", product_id, title, SPECS[line.product],
        f"{case.postage:.2f}", f"{case.amount:.2f}", line.quantity, _ts(line.paid_at), f"{line.payable:.2f}",
        case.reason, case.detail, case.goods_status, _ts(done), "原路退回" if case.amount else "",
        refund_state, "圆通速递" if case.return_tracking else "", case.return_tracking, _ts(case.returned_at),
        _ts(done) if case.returned_at and case.status_code in SUCCESS else "",
        "中通快递" if shipped else "", f"7356{int(line.line_id) % 10**10:010d}" if shipped else "",
        _ts(case.shipped_at), "中通快递" if case.type_code == 3 and done else "",
        f"7357{int(line.line_id) % 10**10:010d}" if case.type_code == 3 and done else "", "王**",
        f"1{int(line.order_id) % 90 + 10}****{int(line.line_id) % 10000:04d}",
        "七天无理由" if case.reason == "七天无理由退换货" else "", "是" if case.type_code == 2 else "否",
        "无仲裁", "", "山野客服小禾" if done else "", _ts(case.applied_at + dt.timedelta(minutes=7)),
        "" if done else _ts(case.applied_at + dt.timedelta(days=2)), "8812345" if creator else "",
        "山野测评官" if creator else "", line.source, line.kind, "已完成",
        "未发货仅退款" if case.type_code == 2 else "", 0 if case.type_code == 2 else 1, "买家", "否", "0.00", "",
    ]  # fmt: skip


def write_after_sales(
    folder: Path, cases: list[DouyinCase], start: dt.date, end: dt.date
) -> list[tuple[Path, list[DouyinCase]]]:
    """The two 售后 files (text, then codes with one repeated row) and the cases each holds; the codes
    file covers the last 30 days (half the days of a shorter demo). A file without a case is not
    written."""
    cut = end - dt.timedelta(days=min(CODES_DAYS, ((end - start).days + 1) // 2) - 1)
    early = [c for c in cases if c.applied_at.date() < cut]
    late = [c for c in cases if c.applied_at.date() >= cut]
    text_rows = [_row(c, codes=False) for c in early]
    code_rows = [_row(c, codes=True) for c in late]
    if code_rows:
        code_rows.insert(len(code_rows) // 2, list(code_rows[len(code_rows) // 2]))  # a push sent twice
    first = cut - dt.timedelta(days=1)
    written = []
    if early:
        name = f"抖店_售后单_{DOUYIN_SHOP}_{start:%Y%m%d}-{first:%Y%m%d}.xlsx"
        written.append((write_xlsx(folder / name, AFTER_SALE_HEADER, text_rows), early))
    if late:
        name = f"抖店售后推送_{DOUYIN_SHOP}_{cut:%Y%m%d}-{end:%Y%m%d}.xlsx"
        written.append((write_xlsx(folder / name, AFTER_SALE_HEADER, code_rows), late))
    return written


def douyin_case_json(case: DouyinCase, file: str) -> dict[str, Any]:
    line = case.line
    status_class = (
        "成功" if case.status_code in SUCCESS else "关闭" if case.status_code in CLOSED else "处理中"
    )
    return {
        "id": case.case_id, "shop": DOUYIN_SHOP, "source": "douyin_after_sales", "file": file,
        "order_id": line.order_id, "line_id": line.line_id, "sku": PRODUCTS[line.product][0],
        "item_id": PRODUCTS[line.product][0], "style": None, "colour": None, "size": None,
        "spec": SPECS[line.product], "quantity": line.quantity, "kind": KINDS[case.type_code],
        "shipped": SHIPPED.get(case.type_code), "type_code": case.type_code,
        "type_text": TYPES[case.type_code], "status_code": case.status_code,
        "status": STATUSES[case.status_code], "status_class": status_class, "amount": str(case.amount),
        "goods_amount": str(case.goods_amount), "postage": str(case.postage),
        "paid_amount": str(line.payable), "partial": Decimal(0) < case.goods_amount < line.payable,
        "paid_at": _ts(line.paid_at), "applied_at": _ts(case.applied_at),
        "completed_at": _ts(case.completed_at) or None, "reason": case.reason, "detail": case.detail,
        "responsible": None, "goods_status": case.goods_status, "cause": case.cause,
    }  # fmt: skip
