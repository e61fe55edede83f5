"""Small returns files the returns tests write and import as a user would: 千牛 退款管理 in its 42- and
54-column versions (real header lists: reference/export-formats-and-metrics.md §1.7 and
next-batch-research.md §4.1, the 54-column one with 退款完结时间 and 退款的申请时间 written twice), the
千牛 订单报表 and 宝贝报表 the rates are of, a 抖店 订单 and 售后表, and a 聚水潭 商品资料 for styles.

Three shops, the period 2026-11-01 ~ 2026-11-10 (the one before: 10-22 ~ 10-31):

天猫A店 (54 columns) — orders A1…A10 paid 11-01…11-10, ¥100.00 each; A0a, A0b paid 10-25, ¥200.00.
  R1 A1 仅退款 买家未收到货, no 发货物流信息 (发货前)   ¥100 成功 applied 11-01 done 11-02  不想要了
  R2 A2 退货退款 买家已退货 + 发货物流信息 (发货后)    ¥60  成功 applied 11-05 done 11-08  质量问题
  R3 A3 退货退款 买家已退货 (发货后)                  ¥40  成功 applied 11-06 done 11-09  尺码不合适
  R4 A3 仅退款 买家已收到货 + 发货物流信息 (发货后)    ¥10  成功 applied 11-07 done 11-09  少件
  R5 A4 退货退款                                     ¥100 处理中 applied 11-09            质量问题
  R6 A5 仅退款                                       ¥100 退款关闭 applied 11-06 done 11-07 拍错
  R7 A0a 退货退款 (paid 10-25)                       ¥50  成功 applied 11-01 done 11-03  质量问题
  R8 A0b 退货退款 (paid 10-25)                       ¥80  成功 applied 10-27 done 10-30  尺码偏大
  R9 A6 换货 (发货后)                                 ¥0   成功 applied 11-08 done 11-12  尺码偏小
淘宝B店 (42 columns: 是否需要退货, no 售后类型) — orders B1…B4 paid 11-03, B5 11-01, B6 11-10, ¥50.00 each.
  S1 B1 否 → 仅退款, 买家未收到货 (发货前)  ¥50 成功 applied 11-04 done 11-05  快递一直未送到
  S2 B2 是 → 退货退款 (发货后)              ¥25 成功 applied 11-05 done 11-07  颜色、款式、图案与描述不符
  S0 B0 (paid 10-24, no order row)          ¥30 成功 applied 10-25 done 10-26  不想要了
  S3 B3 否 → 仅退款                         ¥20 退款关闭 applied 11-09 done 11-10  拍错
抖店C (售后表 with codes and texts) — lines C1…C5 paid 11-02, C6 11-01, C7 11-10, ¥80.00 each (商品ID 3600001).
  T1 C1 0 (退货) 12 (成功)          退商品 80 + 运费 10 = ¥90 applied 11-03 done 11-06  尺码不合适
  T2 C2 发货前退款 / 退款成功         ¥80 applied 11-02 done 11-02                     拍错/多拍
  T3 C3 6 (价保) 12                  ¥5  applied 11-04 done 11-04                     价保
  T4 C4 1 (售后仅退款) 6 (申请)      ¥80 applied 11-09                                质量问题
  T5 C5 1 6                          ¥30 applied 11-10                                拍错
  T0 C0 0 12 (no order line)         ¥60 applied 10-28 done 10-29                     不喜欢
(A file covers the days from its first to its last date: every file here spans the whole period,
so its days without a refund are 0, not unknown.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tests.conftest import run_cli
from tests.stock_files import MASTER_HEADER, write_xlsx

A, B, C = "天猫A店", "淘宝B店", "抖店C"

# 千牛 退款管理, 42 columns (export-formats-and-metrics.md §1.7, idx:42548244805)
HEADER_42 = [
    "订单编号", "退款编号", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家实际支付金额", "宝贝标题",
    "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间", "退款状态", "货物状态",
    "退货物流信息", "发货物流信息", "客服介入状态", "卖家真实姓名", "卖家真实姓名新", "卖家退货地址", "卖家邮编",
    "卖家电话", "卖家手机", "退货物流单号", "退货物流公司", "买家退款原因", "买家退款说明", "买家退货时间", "责任方",
    "售中或售后", "商家备注", "完结时间", "部分退款/全部退款", "审核操作人", "举证超时", "是否零秒响应", "退款操作人",
    "退款原因标签", "业务类型", "是否帮他退款", "帮他退款操作账号",
]  # fmt: skip
# 千牛 退款管理, 54 columns (next-batch-research.md §4.1, idx:53531391049): two names written twice
HEADER_54 = [
    "订单编号", "退款编号", "支付单号", "订单付款时间", "商品 id", "商品编码", "退款完结时间", "退款完结时间",
    "买家实际支付金额", "宝贝标题", "买家退款金额", "手工退款 / 系统退款", "售后类型", "退款的申请时间",
    "退款的申请时间", "超时时间", "完结时间", "退款状态", "货物状态", "退货物流信息", "发货物流信息", "客服介入状态",
    "卖家真实姓名", "卖家真实姓名 (新)", "卖家退货地址", "卖家邮编", "卖家电话", "卖家手机", "退货物流单号",
    "退货物流公司", "买家退款原因", "买家退款说明", "买家退货时间", "责任方", "售中或售后", "备注标签", "商家备注",
    "部分退款 / 全部退款", "审核操作人", "审核操作人新会员名", "举证超时", "是否零秒响应", "退款操作人",
    "退款操作人新会员名", "退款原因标签", "业务类型", "是否帮他退款", "帮他退款操作账号", "小额收款", "淘特订单",
    "百亿补贴超链退款信息", "智能退款策略", "执行方案", "月份",
]  # fmt: skip
assert len(HEADER_42) == 42 and len(HEADER_54) == 54

# (refund, order, paid, sku, amount, kind, status, goods, shipping info, applied, completed, reason)
A_REFUNDS = [
    ("R1", "A1", "2026-11-01", "SKU-X", "100.00", "仅退款", "退款成功", "买家未收到货", "", "2026-11-01", "2026-11-02", "不想要了"),
    ("R2", "A2", "2026-11-02", "SKU-X", "60.00", "退货退款", "退款成功", "买家已退货", "中通 7731", "2026-11-05", "2026-11-08", "质量问题"),
    ("R3", "A3", "2026-11-03", "SKU-Y", "40.00", "退货退款", "退款成功", "买家已退货", "", "2026-11-06", "2026-11-09", "尺码不合适"),
    ("R4", "A3", "2026-11-03", "SKU-Y", "10.00", "仅退款", "退款成功", "买家已收到货", "圆通 5512", "2026-11-07", "2026-11-09", "少件"),
    ("R5", "A4", "2026-11-04", "SKU-X", "100.00", "退货退款", "买家已经申请退款，等待卖家同意", "买家已收到货", "中通 7732", "2026-11-09", "", "质量问题"),
    ("R6", "A5", "2026-11-05", "SKU-Y", "100.00", "仅退款", "退款关闭", "买家未收到货", "", "2026-11-06", "2026-11-07", "拍错"),
    ("R7", "A0a", "2026-10-25", "SKU-X", "50.00", "退货退款", "退款成功", "买家已退货", "中通 7700", "2026-11-01", "2026-11-03", "质量问题"),
    ("R8", "A0b", "2026-10-25", "SKU-Z", "80.00", "退货退款", "退款成功", "买家已退货", "中通 7701", "2026-10-27", "2026-10-30", "尺码偏大"),
    ("R9", "A6", "2026-11-06", "SKU-Y", "0.00", "换货", "退款成功", "买家已退货", "中通 7733", "2026-11-08", "2026-11-12", "尺码偏小"),
]  # fmt: skip
B_REFUNDS = [
    ("S1", "B1", "2026-11-03", "SKU-B", "50.00", "否", "退款成功", "买家未收到货", "", "2026-11-04", "2026-11-05", "快递一直未送到"),
    ("S2", "B2", "2026-11-03", "SKU-B", "25.00", "是", "退款成功", "买家已收到货", "", "2026-11-05", "2026-11-07", "颜色、款式、图案与描述不符"),
    ("S0", "B0", "2026-10-24", "SKU-B", "30.00", "否", "退款成功", "买家已收到货", "韵达 1", "2026-10-25", "2026-10-26", "不想要了"),
    ("S3", "B3", "2026-11-03", "SKU-B", "20.00", "否", "退款关闭", "买家已收到货", "韵达 2", "2026-11-09", "2026-11-10", "拍错"),
]  # fmt: skip
ORDER_HEADER = [
    "订单编号",
    "买家会员名",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "订单付款时间",
    "宝贝总数量",
]
LINE_HEADER = ["子订单编号", "主订单编号", "标题", "价格", "购买数量", "商家编码", "订单状态", "订单付款时间"]
A_ORDERS = [(f"A{n}", f"2026-11-{n:02d}", "100.00") for n in range(1, 11)] + [
    ("A0a", "2026-10-25", "200.00"),
    ("A0b", "2026-10-25", "200.00"),
]
A_SKUS = {"A1": "SKU-X", "A2": "SKU-X", "A4": "SKU-X", "A3": "SKU-Y", "A5": "SKU-Y", "A6": "SKU-Y"}
B_ORDERS = [(f"B{n}", "2026-11-03", "50.00") for n in range(1, 5)] + [
    ("B5", "2026-11-01", "50.00"),
    ("B6", "2026-11-10", "50.00"),
]
C_PAID = {
    1: "2026-11-02",
    2: "2026-11-02",
    3: "2026-11-02",
    4: "2026-11-02",
    5: "2026-11-02",
    6: "2026-11-01",
    7: "2026-11-10",
}
DOUYIN_ORDER_HEADER = [
    "子订单编号",
    "主订单编号",
    "选购商品",
    "商品ID",
    "商品数量",
    "订单应付金额",
    "支付完成时间",
    "订单状态",
]
AFTER_SALES_HEADER = [
    "售后单号", "订单号", "商品单号", "商品ID", "商品名称", "售后类型", "售后状态", "售后申请时间", "售后完结时间",
    "退商品金额（元）", "退运费金额（元）", "退款金额（元）", "售后原因", "问题描述",
]  # fmt: skip
C_AFTER_SALES = [
    ("T1", "C1", "C1-1", "0", "12", "2026-11-03 10:00:00", "2026-11-06 10:00:00", "80.00", "10.00", "90.00", "尺码不合适"),
    ("T2", "C2", "C2-1", "发货前退款", "退款成功", "2026-11-02 11:00:00", "2026-11-02 12:00:00", "80.00", "", "80.00", "拍错/多拍"),
    ("T3", "C3", "C3-1", "6", "12", "2026-11-04 09:00:00", "2026-11-04 10:00:00", "5.00", "", "5.00", "价保"),
    ("T4", "C4", "C4-1", "1", "6", "2026-11-09 09:00:00", "", "80.00", "", "80.00", "质量问题"),
    ("T5", "C5", "C5-1", "1", "6", "2026-11-10 09:00:00", "", "30.00", "", "30.00", "拍错"),
    ("T0", "C0", "C0-1", "0", "12", "2026-10-28 09:00:00", "2026-10-29 09:00:00", "60.00", "", "60.00", "不喜欢"),
]  # fmt: skip


def _time(day: str, hour: int = 10) -> str:
    return f"{day} {hour:02d}:00:00" if day else ""


def refunds_54(path: Path) -> Path:
    rows = []
    for refund, order, paid, sku, amount, kind, status, goods, info, applied, done, reason in A_REFUNDS:
        row: dict[str, object] = {
            "订单编号": order, "退款编号": refund, "支付单号": f"2026{refund}", "订单付款时间": _time(paid, 9),
            "商品 id": "60001", "商品编码": sku, "退款完结时间": _time(done), "买家实际支付金额": "100.00",
            "宝贝标题": "T恤", "买家退款金额": amount, "手工退款 / 系统退款": "系统退款", "售后类型": kind,
            "退款的申请时间": _time(applied, 8), "完结时间": _time(done), "退款状态": status, "货物状态": goods,
            "发货物流信息": info, "买家退款原因": reason, "买家退款说明": "", "责任方": "买家", "售中或售后": "售中",
        }  # fmt: skip
        cells = [row.get(name, "") for name in HEADER_54]
        cells[HEADER_54.index("退款完结时间") + 1] = "2099-01-01 00:00:00" if done else ""  # the second copy
        cells[HEADER_54.index("退款的申请时间") + 1] = "2099-01-01 00:00:00"  # is not read
        rows.append(cells)
    return write_xlsx(path, HEADER_54, rows)


def refunds_42(path: Path) -> Path:
    rows = []
    for refund, order, paid, sku, amount, needed, status, goods, info, applied, done, reason in B_REFUNDS:
        row: dict[str, object] = {
            "订单编号": order, "退款编号": refund, "支付宝交易号": f"2026{refund}", "订单付款时间": _time(paid, 9),
            "商品编码": sku, "退款完结时间": _time(done), "买家实际支付金额": "50.00", "宝贝标题": "袜子",
            "买家退款金额": amount, "手工退款/系统退款": "系统退款", "是否需要退货": needed,
            "退款的申请时间": _time(applied, 8), "退款状态": status, "货物状态": goods, "发货物流信息": info,
            "买家退款原因": reason, "完结时间": _time(done),
        }  # fmt: skip
        rows.append([row.get(name, "") for name in HEADER_42])
    return write_xlsx(path, HEADER_42, rows)


def orders(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    cells = [(o, f"buyer_{o}", total, total, "交易成功", _time(day, 9), 1) for o, day, total in rows]
    return write_xlsx(path, ORDER_HEADER, cells)


def order_lines(path: Path) -> Path:
    cells = []
    for order, day, total in A_ORDERS:
        sku = A_SKUS.get(order, "SKU-Z")
        cells.append((f"{order}-1", order, "T恤", total, 1, sku, "交易成功", _time(day, 9)))
    return write_xlsx(path, LINE_HEADER, cells)


def douyin_orders(path: Path) -> Path:
    cells = [
        (f"C{n}-1", f"C{n}", "卫衣", "3600001", 1, "80.00", f"{day} 09:00:00", "已完成")
        for n, day in C_PAID.items()
    ]
    return write_xlsx(path, DOUYIN_ORDER_HEADER, cells)


def after_sales(path: Path) -> Path:
    cells = [
        (
            case,
            order,
            line,
            "3600001",
            "卫衣",
            kind,
            status,
            applied,
            done,
            goods,
            postage,
            amount,
            reason,
            "",
        )
        for case, order, line, kind, status, applied, done, goods, postage, amount, reason in C_AFTER_SALES
    ]
    return write_xlsx(path, AFTER_SALES_HEADER, cells)


def product_master(path: Path) -> Path:
    # 款式编码, 商品编码, 颜色, 规格, 基本售价, 成本价, 创建时间, 分类, 年份, 季节, 商品名称, 店铺 (* = every shop)
    rows = [
        ("S1", "SKU-X", "白", "M", 100, 40, "2026-09-01", "T恤", 2026, "秋", "T恤 白 M", "*"),
        ("S1", "SKU-Y", "白", "L", 100, 40, "2026-09-01", "T恤", 2026, "秋", "T恤 白 L", "*"),
        ("S2", "SKU-Z", "黑", "M", 100, 40, "2026-09-01", "T恤", 2026, "秋", "T恤 黑 M", "*"),
    ]
    return write_xlsx(path, [*MASTER_HEADER, "店铺"], rows)


def build(root: Path, folder: Path) -> dict[str, str]:
    """A workspace with the three shops and every file imported; the import outputs by file."""
    assert run_cli("init", root).exit_code == 0
    for shop, platform in ((A, "tmall"), (B, "taobao"), (C, "douyin")):
        assert run_cli("-w", root, "shop", "add", shop, "--platform", platform).exit_code == 0
    outputs = {}
    for shop, files in (
        (A, [orders(folder / "ExportOrderList_A.xlsx", A_ORDERS), order_lines(folder / "ExportOrderDetailList_A.xlsx"),
             refunds_54(folder / "退款管理_A.xlsx")]),
        (B, [orders(folder / "ExportOrderList_B.xlsx", B_ORDERS), refunds_42(folder / "退款管理_B.xlsx")]),
        (C, [douyin_orders(folder / "抖店_订单导出_C.xlsx"), after_sales(folder / "抖店_售后_C.xlsx")]),
        ("", [product_master(folder / "聚水潭_商品资料.xlsx")]),
    ):  # fmt: skip
        for file in files:
            result = run_cli("-w", root, "import", file, *(["--shop", shop] if shop else []))
            assert result.exit_code == 0, result.output
            outputs[file.name] = result.output
    return outputs
