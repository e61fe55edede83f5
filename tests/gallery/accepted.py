"""The accepted gallery: real-world quirks that must import, each with the exact line it prints
and the exact totals it stores.

Its twin, ``test_bad_input_gallery.py``, holds the files that must be refused. Together they say,
for every quirk we know of, what ShopOps does with it: nothing is loaded without a word.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The 54-column 千牛 退款管理 export (reference/next-batch-research.md §4.1, a public importer of the
# current export): 退款完结时间 and 退款的申请时间 appear twice; 商品 id has a space; 支付单号 replaced
# 支付宝交易号. The first of two equal headers is the one read.
_REFUND_54_TEXT = (
    "订单编号, 退款编号, 支付单号, 订单付款时间, 商品 id, 商品编码, 退款完结时间, 退款完结时间, 买家实际支付金额,"
    " 宝贝标题, 买家退款金额, 手工退款 / 系统退款, 售后类型, 退款的申请时间, 退款的申请时间, 超时时间, 完结时间,"
    " 退款状态, 货物状态, 退货物流信息, 发货物流信息, 客服介入状态, 卖家真实姓名, 卖家真实姓名 (新), 卖家退货地址,"
    " 卖家邮编, 卖家电话, 卖家手机, 退货物流单号, 退货物流公司, 买家退款原因, 买家退款说明, 买家退货时间, 责任方,"
    " 售中或售后, 备注标签, 商家备注, 部分退款 / 全部退款, 审核操作人, 审核操作人新会员名, 举证超时, 是否零秒响应,"
    " 退款操作人, 退款操作人新会员名, 退款原因标签, 业务类型, 是否帮他退款, 帮他退款操作账号, 小额收款, 淘特订单,"
    " 百亿补贴超链退款信息, 智能退款策略, 执行方案, 月份"
)
REFUND_54_HEADER = _REFUND_54_TEXT.split(", ")

REFUND_54_ROWS = [
    # 订单编号, 退款编号, 订单付款时间, 退款完结时间, 买家实际支付金额, 买家退款金额, 退款状态, 买家退款原因
    ("3912345678901234567", "205512345678901234", "2024-11-01 10:00:00", "2024-11-03 09:00:00", "89.00", "89.00",
     "退款成功", "尺码不合适"),
    ("3912345678901234568", "205512345678901235", "2024-11-01 11:00:00", "2024-11-04 15:30:00", "120.00", "40.00",
     "退款成功", "质量问题"),
    ("3912345678901234569", "205512345678901236", "2024-11-02 08:00:00", "", "56.00", "56.00",
     "退款关闭", "不想要了"),
]  # fmt: skip


def build_refund_54(folder: Path) -> Path:
    target = folder / "某某旗舰店_退款管理_54列.csv"
    index = {name: i for i, name in reversed(list(enumerate(REFUND_54_HEADER)))}
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REFUND_54_HEADER)
        for order, refund, paid, done, paid_amount, amount, status, reason in REFUND_54_ROWS:
            row = [""] * len(REFUND_54_HEADER)
            values = {
                "订单编号": order,
                "退款编号": refund,
                "订单付款时间": paid,
                "退款完结时间": done,
                "买家实际支付金额": paid_amount,
                "买家退款金额": amount,
                "退款状态": status,
                "买家退款原因": reason,
                "宝贝标题": "保温杯 500ml",
                "月份": "2024-11",
            }
            for name, value in values.items():
                row[index[name]] = value
            # The second 退款完结时间 holds another date: only the first may be read.
            row[REFUND_54_HEADER.index("退款完结时间", index["退款完结时间"] + 1)] = "2030-01-01 00:00:00"
            writer.writerow(row)
    return target


def build_orders_in_two_sheets(folder: Path) -> Path:
    """Two order sheets and a note sheet: the first is imported, the others are named as not."""
    import xlsxwriter

    target = folder / "某某旗舰店_订单_两个工作表.xlsx"
    workbook = xlsxwriter.Workbook(str(target))
    for sheet_name, first_id in (("订单1", 3912345678901234567), ("订单2", 3912345678901234600)):
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, ["订单编号", "订单付款时间", "买家实际支付金额"])
        for i in range(3):
            sheet.write_row(i + 1, 0, [str(first_id + i), f"2024-11-0{i + 1} 10:00:00", 10 + i])
    workbook.add_worksheet("说明").write_row(0, 0, ["导出人", "导出时间"])
    workbook.add_worksheet("空白")
    workbook.close()
    return target


ACCEPTED_BUILDERS: dict[str, Callable[[Path], Path]] = {
    "某某旗舰店_退款管理_54列.csv": build_refund_54,
    "某某旗舰店_订单_两个工作表.xlsx": build_orders_in_two_sheets,
}


@dataclass(frozen=True)
class Accepted:
    id: str
    file: str
    line: str  # the exact stdout line, without the leading "✓ "
    totals: tuple[tuple[str, list[tuple[object, ...]]], ...]  # (SQL, its exact rows)
    args: tuple[str, ...] = ()


def unused(*names: str) -> str:
    return "; columns not imported: " + ", ".join(names)  # the gallery runs in English (--lang en)


_REFUND_54_READ = {"订单编号", "退款编号", "订单付款时间", "商品编码", "买家实际支付金额", "宝贝标题", "买家退款金额",
                   "退款状态", "买家退款原因", "退款完结时间", "退款的申请时间",
                   # what the returns domain reads (issue 16, migration 013)
                   "支付单号", "商品 id", "手工退款 / 系统退款", "售后类型", "货物状态", "发货物流信息", "退货物流单号",
                   "买家退款说明", "退款原因标签", "责任方", "售中或售后", "部分退款 / 全部退款"}  # fmt: skip
# What the import line names as unused: every other header, and the second of two equal ones.
REFUND_54_UNUSED = [
    f"{name} (重复表头)" if i != REFUND_54_HEADER.index(name) else name
    for i, name in enumerate(REFUND_54_HEADER)
    if name not in _REFUND_54_READ or i != REFUND_54_HEADER.index(name)
]


ACCEPTED: list[Accepted] = [
    Accepted(
        "wanxiangtai-real-headers",
        "万相台无界_报表_某某旗舰店.csv",
        "万相台无界_报表_某某旗舰店.csv — 万相台无界 · 报表 (wxt_report): 5 rows, 2024-11-01…2024-11-02,"
        " shop 某某旗舰店" + unused("场景ID"),
        (
            (
                "SELECT date, channel, sum(spend), sum(ad_gmv), sum(ad_orders) FROM ad_plan_day"
                " GROUP BY ALL ORDER BY ALL",
                [
                    ("2024-11-01", "display", "50.00", "0.00", 0),
                    ("2024-11-01", "fullsite", "20.00", "80.00", 1),
                    ("2024-11-01", "keyword", "110.00", "300.00", 3),
                    ("2024-11-02", "keyword", "88.00", "120.00", 1),
                ],
            ),
        ),
    ),
    Accepted(
        "footer-note-blank-and-duplicate-lines",
        "某某旗舰店_店铺整体_with_footer.csv",
        "某某旗舰店_店铺整体_with_footer.csv — 生意参谋 · 店铺整体日报 (sycm_shop_daily): 3 rows,"
        " 2024-11-01…2024-11-03, shop 某某旗舰店 (1 duplicate row kept once (identical lines);"
        " skipped 3 rows: 1 合计/汇总, 1 blank, 1 note)",
        (("SELECT count(*), sum(visitors), sum(gmv) FROM sycm_shop_day", [(3, 310, "1822.56")]),),
    ),
    # 赤兔 自定义报表: the period, report and attribution only in the file name; 延迟统计 cells; the 汇总
    # and 均值 rows; 8分48秒; 首次响应时长（秒) with mixed brackets; 客单价 is recomputed, not stored.
    Accepted(
        "chitu-custom-report-quirks",
        "自定义报表_客服数据23年新_下单优先判定_2026-11-23至2026-11-29.csv",
        "自定义报表_客服数据23年新_下单优先判定_2026-11-23至2026-11-29.csv — 赤兔/千牛 · 客服绩效"
        " (chitu_service): 2 rows, 2026-11-23…2026-11-29, shop 某某旗舰店 (1 row still 延迟统计 in"
        " 询单->最终付款人数, 询单->最终付款成功率 (unknown until it settles: import a later export of the same"
        " days to replace them); skipped 2 rows: 2 合计/汇总)" + unused("客单价"),
        (
            (
                "SELECT agent, period_start::VARCHAR, period_end::VARCHAR, report, attribution, pending,"
                " chats, inquiry_paid, sales::VARCHAR, first_response_seconds, avg_session_seconds,"
                " reply_rate_stated FROM service_agent_period ORDER BY agent",
                [
                    (
                        "某某旗舰店:小美",
                        "2026-11-23",
                        "2026-11-29",
                        "客服数据23年新",
                        "下单优先判定",
                        True,
                        50,
                        None,
                        "1234.50",
                        12.5,
                        528.0,
                        0.985,
                    ),
                    (
                        "某某旗舰店:阿宁",
                        "2026-11-23",
                        "2026-11-29",
                        "客服数据23年新",
                        "下单优先判定",
                        False,
                        40,
                        6,
                        "880.00",
                        9.0,
                        48.0,
                        1.0,
                    ),
                ],
            ),
        ),
        ("--shop", "某某旗舰店"),
    ),
    Accepted(
        "unused-columns-named",
        "某某旗舰店_订单_extra_columns.csv",
        "某某旗舰店_订单_extra_columns.csv — 千牛 · 订单报表（订单级） (qianniu_orders): 2 rows, 2024-11-01,"
        " shop 某某旗舰店" + unused("买家留言", "商家备注"),
        (("SELECT count(*), sum(paid_amount) FROM orders", [(2, "20.50")]),),
    ),
    Accepted(
        "shop-column-with-two-shops",
        "orders_two_shops.csv",
        "orders_two_shops.csv — 千牛 · 订单报表（订单级） (qianniu_orders): 3 rows, 2024-11-01,"
        " shops 另一家店 (2 rows)、某某旗舰店 (1 row)",
        (
            (
                "SELECT shop, count(*), sum(paid_amount) FROM orders GROUP BY shop ORDER BY shop",
                [("另一家店", 2, "17.00"), ("某某旗舰店", 1, "12.50")],
            ),
        ),
    ),
    Accepted(
        "refund-export-54-columns",
        "某某旗舰店_退款管理_54列.csv",
        "某某旗舰店_退款管理_54列.csv — 千牛 · 退款管理 (qianniu_refunds): 3 rows, 2024-11-03…2024-11-04,"
        " shop 某某旗舰店" + unused(*REFUND_54_UNUSED),
        (
            (
                "SELECT refund_id, refund_amount, status, completed_at, applied_at FROM refunds ORDER BY 1",
                [
                    ("205512345678901234", "89.00", "退款成功", "2024-11-03 09:00:00", None),
                    ("205512345678901235", "40.00", "退款成功", "2024-11-04 15:30:00", None),
                    ("205512345678901236", "56.00", "退款关闭", None, None),
                ],
            ),
        ),
    ),
    Accepted(
        "workbook-sheets-not-imported-are-named",
        "某某旗舰店_订单_两个工作表.xlsx",
        "某某旗舰店_订单_两个工作表.xlsx [订单1] — 千牛 · 订单报表（订单级） (qianniu_orders): 3 rows,"
        " 2024-11-01…2024-11-03, shop 某某旗舰店; sheet 订单2 not imported: is a second"
        " 千牛 · 订单报表（订单级） sheet (after 订单1): save it as its own file; sheet 说明 not imported:"
        " headers (导出人, 导出时间) match no known export type — add the missing"
        " names as aliases in shopops.yaml, or import with --source KEY --map 源列=column (see `shopops sources`)",
        (("SELECT count(*), sum(paid_amount) FROM orders", [(3, "33.00")]),),
    ),
    Accepted(
        "stray-quotes-in-titles",
        "某某旗舰店_订单_stray_quotes.csv",
        "某某旗舰店_订单_stray_quotes.csv — 千牛 · 订单报表（订单级） (qianniu_orders): 10 rows, 2024-11-01,"
        " shop 某某旗舰店",
        (
            (
                "SELECT count(*), sum(paid_amount), list(source_row ORDER BY source_row)"
                " FILTER (WHERE title = '27\"显示器 高清') FROM orders",
                [(10, "1045.00", [4, 7, 10])],
            ),
        ),
    ),
    # A 商品资料 without 创建时间 is a list with no days (and a SKU without 成本价 is kept without a cost).
    Accepted(
        "product-list-without-dates",
        "聚水潭_商品资料_无创建时间.csv",
        "聚水潭_商品资料_无创建时间.csv — 商品资料 (product_master): 2 rows, shop 某某旗舰店",
        (
            (
                "SELECT sku, cost_price FROM product_master ORDER BY sku",
                [("A1-白-L", None), ("A1-白-M", "30.00")],
            ),
        ),
        ("--shop", "某某旗舰店"),
    ),
]
