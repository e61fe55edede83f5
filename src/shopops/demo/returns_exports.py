"""The 千牛 退款管理 exports of the returns demo, in their two real generations.

- **54 columns** (research §4.1, idx:53531391049), what 山岚服饰 downloads: 支付单号 (not 支付宝交易号),
  ``商品 id`` with a space, ``手工退款 / 系统退款`` and ``部分退款 / 全部退款`` with spaces, and two
  names written twice — 退款完结时间 and 退款的申请时间 each appear two times in the header row, both
  copies holding the same value (pandas would read the second as ``退款完结时间.1``); then
  买家会员名称, which some versions carry (idx:12444148807).
- **42 columns** (export-formats-and-metrics.md §1.7, idx:42548244805), what the main demo's style "b"
  shop (小野家居) downloads: 支付宝交易号, ``手工退款/系统退款``, 是否需要退货 (no 售后类型). Its refunds
  are the simulation's (ids, amounts, statuses, dates and reasons unchanged: the 总表 truths rest on
  them); what the short export did not say (是否需要退货, 货物状态, 物流, 责任方 …) is drawn here from
  a separate random stream.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from shopops.demo.returns import Case, status_class
from shopops.demo.returns_text import REASON_TAGS
from shopops.demo.simulation import Refund, ShopHistory
from shopops.demo.writers import write_csv, write_xlsx

QIANNIU_54 = [
    "订单编号", "退款编号", "支付单号", "订单付款时间", "商品 id", "商品编码", "退款完结时间", "退款完结时间",
    "买家实际支付金额", "宝贝标题", "买家退款金额", "手工退款 / 系统退款", "售后类型", "退款的申请时间", "退款的申请时间",
    "超时时间", "完结时间", "退款状态", "货物状态", "退货物流信息", "发货物流信息", "客服介入状态", "卖家真实姓名",
    "卖家真实姓名 (新)", "卖家退货地址", "卖家邮编", "卖家电话", "卖家手机", "退货物流单号", "退货物流公司", "买家退款原因",
    "买家退款说明", "买家退货时间", "责任方", "售中或售后", "备注标签", "商家备注", "部分退款 / 全部退款", "审核操作人",
    "审核操作人新会员名", "举证超时", "是否零秒响应", "退款操作人", "退款操作人新会员名", "退款原因标签", "业务类型",
    "是否帮他退款", "帮他退款操作账号", "小额收款", "淘特订单", "百亿补贴超链退款信息", "智能退款策略", "执行方案",
    "买家会员名称",
]  # fmt: skip
QIANNIU_42 = [
    "订单编号", "退款编号", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家实际支付金额", "宝贝标题",
    "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间", "退款状态", "货物状态", "退货物流信息",
    "发货物流信息", "客服介入状态", "卖家真实姓名", "卖家真实姓名新", "卖家退货地址", "卖家邮编", "卖家电话", "卖家手机",
    "退货物流单号", "退货物流公司", "买家退款原因", "买家退款说明", "买家退货时间", "责任方", "售中或售后", "商家备注",
    "完结时间", "部分退款/全部退款", "审核操作人", "举证超时", "是否零秒响应", "退款操作人", "退款原因标签", "业务类型",
    "是否帮他退款", "帮他退款操作账号",
]  # fmt: skip
SELLER = {
    "山岚服饰": (
        "杭州山岚服饰有限公司",
        "浙江省 杭州市 余杭区 星桥街道 山岚仓 售后组",
        "311100",
        "0571-86120331",
    ),
    "小野家居": (
        "南通小野家纺有限公司",
        "江苏省 南通市 通州区 川姜镇 小野仓 退货组",
        "226300",
        "0513-86571120",
    ),
}
DEFAULT_SELLER = ("店铺运营公司", "浙江省 杭州市 余杭区 退货仓", "311100", "0571-80000000")


def _ts(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def payment_id(refund: Refund) -> str:
    """支付单号 / 支付宝交易号: 28 digits, the payment day first."""
    paid = refund.order.paid_at or refund.order.created_at
    return f"{paid:%Y%m%d}2200{(int(refund.order.order_id) * 7919) % 10**16:016d}"


def _mobile(shop: str) -> str:
    return f"138****{sum(map(ord, shop)) % 10000:04d}"


def write_qianniu_54(history: ShopHistory, folder: Path) -> Path:
    """山岚服饰's 退款管理 (54 columns) from its cases (:class:`returns.Case`)."""
    shop = history.profile.name
    name, address, postcode, phone = SELLER.get(shop, DEFAULT_SELLER)
    rows: list[list[object]] = []
    for case in history.refunds:
        assert isinstance(case, Case), "the 54-column export is written from returns.Case"
        line = case.order.lines[0]
        done, applied = _ts(case.completed_at), _ts(case.applied_at)
        success = case.status in ("退款成功", "换货成功")
        returns = case.kind != "仅退款"
        mode = ("系统退款" if case.zero_second else "手工退款") if case.status == "退款成功" else ""
        rows.append(
            [case.order.order_id, case.refund_id, payment_id(case), _ts(case.order.paid_at), line.sku.item_id,
             line.sku.code, done, done, f"{case.order.total:.2f}", line.sku.title, f"{case.amount:.2f}", mode,
             case.kind, applied, applied, _ts(case.timeout_at), done, case.status, case.goods_status,
             f"{case.return_company} {case.return_tracking}" if case.return_tracking else "", case.ship_info,
             "客服未介入", name, name, address if returns else "", postcode if returns else "",
             phone if returns else "", _mobile(shop) if returns else "", case.return_tracking, case.return_company,
             case.reason, case.detail, _ts(case.returned_at), case.responsible, case.phase, "",
             case.note, "部分退款" if case.partial else "全部退款", case.operator, case.operator, "",
             "是" if case.zero_second else "否", case.operator if success else "",
             case.operator if success else "", REASON_TAGS[case.group], "普通交易", "否", "", "否", "否", "",
             "极速退款" if case.zero_second else "", "", case.order.buyer]
        )  # fmt: skip
    # 千牛 downloads the list as a CSV in GB18030 (as the main demo's 退款管理 of format "a")
    return write_csv(folder / f"退款管理_{shop}.csv", QIANNIU_54, rows, encoding="gb18030")


def kinds_42(history: ShopHistory) -> dict[str, tuple[bool, bool]]:
    """Per refund of a main demo shop: (refunded before shipment, goods sent back) — what its 42-column
    row says through 货物状态/发货物流信息 and 是否需要退货, and what the truths of the 退货 metrics
    read (``returns_truth``)."""
    rng = random.Random(f"qianniu-42-kind-{history.profile.name}")
    kinds = {}
    for refund in history.refunds:
        paid = refund.order.paid_at or refund.order.created_at
        before = refund.reason == "不想要了" and refund.applied_at - paid < dt.timedelta(hours=36)
        kinds[refund.refund_id] = (before, not before and refund.reason != "不想要了" and rng.random() < 0.8)
    return kinds


def write_qianniu_42(history: ShopHistory, path: Path) -> Path:
    """The 42-column 退款管理 of a main demo shop, from the simulation's refunds."""
    shop = history.profile.name
    rng = random.Random(f"qianniu-42-{shop}")
    name, address, postcode, phone = SELLER.get(shop, DEFAULT_SELLER)
    rows: list[list[object]] = []
    kinds = kinds_42(history)
    for refund in history.refunds:
        before, returned = kinds[refund.refund_id]
        success = refund.status == "退款成功"
        if before:
            goods = "买家未收到货"
        else:
            goods = "买家已退货" if returned and status_class(refund.status) == "成功" else "买家已收到货"
        tracking = f"{rng.randint(10**11, 10**12 - 1)}" if goods == "买家已退货" else ""
        returned_at = refund.applied_at + dt.timedelta(hours=rng.randint(6, 40)) if tracking else None
        operator = f"{shop}:售后{rng.choice('一二三')}" if success else ""
        fault = {"质量问题": "卖家", "与商品描述不符": "卖家", "发错货": "卖家"}.get(refund.reason, "买家")
        group = {
            "尺码不合适": "size",
            "质量问题": "quality",
            "与商品描述不符": "quality",
            "发错货": "mispick",
        }
        rows.append(
            [refund.order.order_id, refund.refund_id, payment_id(refund), _ts(refund.order.paid_at),
             refund.order.lines[0].sku.code, _ts(refund.completed_at), f"{refund.order.total:.2f}",
             refund.order.lines[0].sku.title, f"{refund.amount:.2f}", "手工退款" if success else "",
             "是" if returned else "否", _ts(refund.applied_at),
             "" if refund.completed_at else _ts(refund.applied_at + dt.timedelta(days=2)), refund.status, goods,
             f"中通快递 735{tracking}" if tracking else "",
             "" if before else f"韵达快递 43{rng.randint(10**11, 10**12 - 1)}", "客服未介入", name, name,
             address if returned else "", postcode if returned else "", phone if returned else "",
             _mobile(shop) if returned else "", f"735{tracking}" if tracking else "",
             "中通快递" if tracking else "", refund.reason, "", _ts(returned_at), fault,
             "售中" if before else "售后", "", _ts(refund.completed_at),
             "部分退款" if refund.amount < refund.order.total else "全部退款", operator, "", "否", operator,
             REASON_TAGS[group.get(refund.reason, "subjective")], "普通交易", "否", ""]
        )  # fmt: skip
    return write_xlsx(path, QIANNIU_42, rows)
