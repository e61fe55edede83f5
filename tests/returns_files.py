"""Small returns-domain files the tests write and import as a user would: a 商品资料, a 千牛 宝贝报表 of
order lines and a 54-column 千牛 退款管理 export (the real header, two names written twice), built from
a list of (SKU, payment day, lines, returns) so each test states its cases in a few lines."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.stock_files import write_xlsx

# 千牛 退款管理, the newer 54-column export (reference/next-batch-research.md §4.1), as the platform
# writes it: 退款完结时间 and 退款的申请时间 twice.
REFUND_HEADER = [
    "订单编号", "退款编号", "支付单号", "订单付款时间", "商品 id", "商品编码", "退款完结时间", "退款完结时间",
    "买家实际支付金额", "宝贝标题", "买家退款金额", "手工退款 / 系统退款", "售后类型", "退款的申请时间",
    "退款的申请时间", "超时时间", "完结时间", "退款状态", "货物状态", "退货物流信息", "发货物流信息",
    "客服介入状态", "卖家真实姓名", "卖家真实姓名 (新)", "卖家退货地址", "卖家邮编", "卖家电话", "卖家手机",
    "退货物流单号", "退货物流公司", "买家退款原因", "买家退款说明", "买家退货时间", "责任方", "售中或售后",
    "备注标签", "商家备注", "部分退款 / 全部退款", "审核操作人", "审核操作人新会员名", "举证超时", "是否零秒响应",
    "退款操作人", "退款操作人新会员名", "退款原因标签", "业务类型", "是否帮他退款", "帮他退款操作账号", "小额收款",
    "淘特订单", "百亿补贴超链退款信息", "智能退款策略", "执行方案",
]  # fmt: skip
LINE_HEADER = [
    "子订单编号",
    "主订单编号",
    "商家编码",
    "标题",
    "购买数量",
    "价格",
    "买家实际支付金额",
    "订单付款时间",
]
MASTER_HEADER = ["款式编码", "商品编码", "颜色", "规格", "商品名称"]
PRICE = 100  # every line is paid ¥100; every return asks ¥100 back


@dataclass
class Batch:
    """``lines`` order lines of ``sku`` paid on ``day``, the first of them returned for ``reasons``
    (applied ``lag`` days later; ``status`` 退款成功 unless given per reason in ``statuses``)."""

    sku: str
    day: dt.date
    lines: int
    reasons: Sequence[str] = ()
    statuses: Sequence[str] = field(default_factory=list)
    lag: int = 2
    kind: str = "退货退款"


@dataclass
class ReturnsFiles:
    batches: list[Batch] = field(default_factory=list)
    products: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # style, sku, colour, size, name

    def add(self, sku: str, day: dt.date, lines: int, *reasons: str, **extra: object) -> None:
        self.batches.append(Batch(sku, day, lines, reasons, **extra))  # type: ignore[arg-type]

    def write(self, folder: Path, shop: str = "甲店") -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        line_rows, refund_rows = [], []
        number = 0
        for batch in self.batches:
            for index in range(batch.lines):
                number += 1
                order, paid = f"O{number:05d}", f"{batch.day} 10:00:00"
                line_rows.append(
                    [f"L{number:05d}", order, batch.sku, f"{batch.sku} 标题", 1, PRICE, PRICE, paid]
                )
                if index >= len(batch.reasons):
                    continue
                status = batch.statuses[index] if index < len(batch.statuses) else "退款成功"
                applied = dt.datetime.combine(batch.day + dt.timedelta(days=batch.lag), dt.time(9))
                done = "" if status != "退款成功" else str(applied + dt.timedelta(hours=5))
                row: dict[str, object] = dict.fromkeys(REFUND_HEADER, "")
                row |= {
                    "订单编号": order, "退款编号": f"R{number:05d}", "订单付款时间": paid, "商品编码": batch.sku,
                    "买家实际支付金额": PRICE, "宝贝标题": f"{batch.sku} 标题", "买家退款金额": PRICE,
                    "售后类型": batch.kind, "退款状态": status, "货物状态": "买家已退货", "买家退款原因": batch.reasons[index],
                    "退款完结时间": done, "退款的申请时间": str(applied),
                }  # fmt: skip
                refund_rows.append([row[name] for name in REFUND_HEADER])  # a name written twice: both cells
        lines = folder / f"{shop}_宝贝报表.csv"
        with lines.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(LINE_HEADER)
            writer.writerows(line_rows)
        refunds = folder / f"{shop}_千牛_退款管理.csv"
        with refunds.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REFUND_HEADER)
            writer.writerows(refund_rows)
        files = [lines, refunds]
        if self.products:
            files.append(
                write_xlsx(folder / "商品资料.xlsx", MASTER_HEADER, [list(p) for p in self.products])
            )
        return files
