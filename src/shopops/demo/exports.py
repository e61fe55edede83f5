"""Writing a simulated history as the files an operator downloads, each with its real quirks."""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from shopops.demo.returns_exports import write_qianniu_42
from shopops.demo.simulation import ShopHistory
from shopops.demo.writers import csv_bytes, write_csv, write_html_xls, write_xlsx, write_zip

SCENES = {"keyword": "关键词推广", "display": "精准人群推广", "fullsite": "全站推广", "smart": "货品运营"}


def _ts(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _pct(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator * 100:.2f}%" if denominator else "-"


def _thousands(value: Decimal) -> str:
    return f"{value:,.2f}"


def sycm_rows(history: ShopHistory, style: str) -> tuple[list[str], list[list[object]]]:
    """生意参谋 店铺整体; ``style`` 'old' (直通车消耗/钻石展位消耗) or 'new' (关键词推广费 …)."""
    paid = history.paid_by_day()
    spend: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    for ad in history.ads:
        spend[(ad.date, ad.channel)] += ad.spend
    refunds: dict[dt.date, Decimal] = defaultdict(Decimal)
    for refund in history.refunds:
        if refund.status == "退款成功" and refund.completed_at is not None:
            refunds[refund.completed_at.date()] += refund.amount
    channels = list(history.profile.channels)
    names = {
        "old": {"keyword": "直通车消耗", "display": "钻石展位消耗"},
        "new": {"keyword": "关键词推广费", "display": "精准人群推广费", "fullsite": "全站推广花费"},
    }[style]
    header = [
        "统计日期",
        "访客数",
        "浏览量",
        "支付金额",
        "支付买家数",
        "支付父订单数",
        "支付子订单数",
        "支付件数",
        "支付转化率",
        "客单价",
        *[names[c] for c in channels],
        "淘宝客佣金",
        "成功退款金额",
        "描述相符评分",
        "服务态度评分",
        "物流服务评分",
    ]
    rows: list[list[object]] = []
    for day in history.days:
        orders = paid.get(day.date, [])
        gmv = sum((o.total for o in orders), Decimal(0))
        buyers = len({o.buyer for o in orders})
        units = sum(line.quantity for o in orders for line in o.lines)
        dsr: list[object] = list(day.dsr) if day.dsr else ["-", "-", "-"]
        rows.append(
            [
                day.date.isoformat()
                if style == "new"
                else f"{day.date.year}/{day.date.month}/{day.date.day}",
                f"{day.visitors:,}",
                day.pageviews,
                _thousands(gmv),
                buyers,
                len(orders),
                sum(len(o.lines) for o in orders),
                units,
                _pct(buyers, day.visitors),
                f"{(gmv / buyers):.2f}" if buyers else "-",
                *[f"{spend[(day.date, c)]:.2f}" for c in channels],
                f"{day.affiliate:.2f}",
                f"{refunds.get(day.date, Decimal(0)):.2f}",
                *dsr,
            ]
        )
    return header, rows


def write_exports(
    history: ShopHistory,
    folder: Path,
    *,
    style: str,
    refunds: Callable[[ShopHistory, Path], Path] | None = None,
) -> list[Path]:
    """All exports of one shop. ``style`` 'a' or 'b' picks formats and header generations;
    ``refunds`` writes the 退款管理 export instead of the style's own (山岚服饰's 54 columns)."""
    shop = history.profile.name
    first, last = history.days[0].date, history.days[-1].date
    span = f"{first:%Y%m%d}-{last:%Y%m%d}"
    files = []
    if style == "a":
        header, rows = sycm_rows(history, "old")
        files.append(
            write_csv(
                folder / f"【生意参谋平台】店铺整体_{shop}_{span}.csv",
                header,
                rows,
                encoding="gb18030",
                titles=["生意参谋 取数 · 店铺整体日报", f"统计时间：{first} ~ {last}", ""],
                footer=[["合计", sum(d.visitors for d in history.days)], ["数据来源：生意参谋"]],
            )
        )
    else:
        header, rows = sycm_rows(history, "new")
        rows = rows[:-1]  # yesterday's 生意参谋 figures are not out yet
        files.append(
            write_html_xls(
                folder / f"生意参谋_店铺整体_{shop}.xls",
                header,
                rows,
                titles=[f"店铺名称：{shop}", f"日期：{first} 至 {last - dt.timedelta(days=1)}"],
            )
        )
    files.append(_orders(history, folder, style, span))
    files.append(_lines(history, folder, style, span))
    files.append(refunds(history, folder) if refunds else _refunds(history, folder, style))
    files.extend(_ads(history, folder, style, span))
    files.append(_affiliate(history, folder, style))
    return files


def _orders(history: ShopHistory, folder: Path, style: str, span: str) -> Path:
    shop = history.profile.name
    if style == "a":
        header = [
            "订单编号",
            "买家会员名",
            "买家应付邮费",
            "总金额",
            "买家实际支付金额",
            "订单状态",
            "收货地址",
            "订单创建时间",
            "订单付款时间",
            "宝贝标题",
            "宝贝总数量",
            "退款金额",
            "店铺名称",
        ]
    else:
        header = [
            "订单编号",
            "买家会员名",
            "买家应付邮费",
            "总金额",
            "买家实付金额",
            "订单状态",
            "收货地址",
            "买家下单时间",
            "买家付款时间",
            "宝贝标题",
            "宝贝总数量",
            "退款金额",
        ]
    rows: list[list[object]] = []
    for order in history.orders:
        if order.paid_at is None:
            status = "等待买家付款" if int(order.order_id) % 2 else "交易关闭"
        else:
            status = "交易关闭" if order.refunded >= order.total else "交易成功"
        paid_amount = order.total - order.refunded if order.paid_at else Decimal(0)
        row: list[object] = [
            f'="{order.order_id}"' if style == "a" else order.order_id,
            order.buyer,
            f"{order.postage:.2f}",
            f"{order.total:.2f}",
            f"{paid_amount:.2f}",
            status,
            order.province,
            _ts(order.created_at),
            _ts(order.paid_at),
            order.lines[0].sku.title,
            sum(line.quantity for line in order.lines),
            f"{order.refunded:.2f}",
        ]
        if style == "a":
            row.append(shop)
        rows.append(row)
    if style == "a":
        return write_csv(folder / f"ExportOrderList_{span}.csv", header, rows, encoding="utf-8-sig")
    return write_xlsx(folder / f"订单报表_{shop}_{span}.xlsx", header, rows, sheet="订单")


def _lines(history: ShopHistory, folder: Path, style: str, span: str) -> Path:
    shop = history.profile.name
    header = [
        "子订单编号",
        "主订单编号",
        "标题",
        "价格",
        "购买数量",
        "商家编码",
        "订单状态",
        "买家实际支付金额",
        "退款状态",
        "退款金额",
        "订单创建时间",
        "订单付款时间",
    ]
    rows: list[list[object]] = []
    for order in history.orders:
        for line in order.lines:
            rows.append(
                [
                    f'="{line.line_id}"' if style == "a" else line.line_id,
                    order.order_id,
                    line.sku.title,
                    f"{line.sku.price:.2f}",
                    line.quantity,
                    line.sku.code,
                    "交易成功" if order.paid_at else "等待买家付款",
                    f"{line.amount:.2f}" if order.paid_at else "0.00",
                    "",
                    "",
                    _ts(order.created_at),
                    _ts(order.paid_at),
                ]
            )
    if style == "a":
        return write_csv(folder / f"ExportOrderDetailList_{shop}_{span}.csv", header, rows)
    return write_xlsx(folder / f"宝贝报表_{shop}_{span}.xlsx", header, rows, titles=[f"{shop} 宝贝报表"])


def _refunds(history: ShopHistory, folder: Path, style: str) -> Path:
    """Style 'a': a short 12-column 退款管理; style 'b': the 42-column one (research §1.7)."""
    shop = history.profile.name
    if style == "b":
        return write_qianniu_42(history, folder / f"退款管理_{shop}.xlsx")
    header = [
        "订单编号",
        "退款编号",
        "订单付款时间",
        "商品编码",
        "退款完结时间",
        "买家实际支付金额",
        "宝贝标题",
        "买家退款金额",
        "退款的申请时间",
        "退款状态",
        "买家退款原因",
        "完结时间",
    ]
    rows = [
        [
            r.order.order_id,
            r.refund_id,
            _ts(r.order.paid_at),
            r.order.lines[0].sku.code,
            _ts(r.completed_at),
            f"{r.order.total:.2f}",
            r.order.lines[0].sku.title,
            f"{r.amount:.2f}",
            _ts(r.applied_at),
            r.status,
            r.reason,
            _ts(r.completed_at),
        ]
        for r in history.refunds
    ]
    return write_csv(folder / f"退款管理_{shop}.csv", header, rows, encoding="gb18030")


def _ads(history: ShopHistory, folder: Path, style: str, span: str) -> list[Path]:
    shop = history.profile.name
    if style == "a":
        ztc = [a for a in history.ads if a.channel == "keyword"]
        header = ["日期", "计划名称", "推广单元", "展现量", "点击量", "花费", "总成交金额", "总成交笔数"]
        rows = [
            [
                a.date.isoformat(),
                a.plan,
                "全店宝贝",
                a.impressions,
                a.clicks,
                f"{a.spend:.2f}",
                f"{a.gmv:.2f}",
                a.orders,
            ]
            for a in ztc
        ]
        total = sum((a.spend for a in ztc), Decimal(0))
        ylmf = [a for a in history.ads if a.channel == "display"]
        return [
            write_csv(
                folder / f"直通车_计划报表_{shop}_{span}.csv",
                header,
                rows,
                footer=[["合计", "", "", "", "", f"{total:.2f}"]],
            ),
            write_xlsx(
                folder / f"引力魔方_计划日报表_{shop}_{span}.xlsx",
                ["计划基本信息", "统计日期", "展现", "点击", "消耗", "成交订单金额", "成交订单量"],
                [
                    [
                        a.plan,
                        a.date.isoformat(),
                        a.impressions,
                        a.clicks,
                        float(a.spend),
                        float(a.gmv),
                        a.orders,
                    ]
                    for a in ylmf
                ],
                titles=["引力魔方 · 计划日报表", f"店铺：{shop}"],
            ),
        ]
    header = [
        "日期",
        "场景名称",
        "计划ID",
        "计划名称",
        "主体名称",
        "展现量",
        "点击量",
        "花费",
        "总成交金额",
        "总成交笔数",
    ]
    rows = [
        [
            a.date.isoformat(),
            SCENES[a.channel],
            str(zlib.crc32(a.plan.encode())),
            a.plan,
            "全店商品",
            a.impressions,
            a.clicks,
            f"{a.spend:.2f}",
            f"{a.gmv:.2f}",
            a.orders,
        ]
        for a in history.ads
    ]
    return [write_zip(folder / f"万相台无界_报表_{shop}_{span}.zip", "报表数据.csv", csv_bytes(header, rows))]


def _affiliate(history: ShopHistory, folder: Path, style: str) -> Path:
    shop = history.profile.name
    header = ["统计日期", "点击量", "佣金", "引入付款金额", "结算金额"]
    rows = [
        [
            d.date.isoformat(),
            d.visitors // 20,
            f"{d.affiliate:.2f}",
            f"{d.affiliate * 12:.2f}",
            f"{d.affiliate * 11:.2f}",
        ]
        for d in history.days
    ]
    if style == "a":  # a tab-separated text table that the platform names .xls
        return write_csv(
            folder / f"淘宝联盟_商家推广日报_{shop}.xls", header, rows, encoding="gb18030", delimiter="\t"
        )
    return write_csv(folder / f"淘宝联盟_{shop}.csv", header, rows)


# Our 商品资料 template (`shopops template product-list`), as `write_cost_sheet` fills it.
PRODUCT_LIST_HEADER = [
    "图片", "款式编码", "商品编码", "颜色", "规格", "基本售价", "成本价", "成本生效日期", "创建时间", "分类", "年份",
    "季节", "商品名称", "商品ID", "店铺", "供应商名称",
]  # fmt: skip


def write_cost_sheet(histories: list[ShopHistory], folder: Path, change_day: dt.date) -> Path:
    """The shops' SKUs with their costs in our 商品资料 template: one row per shop and SKU, and a
    second row (成本生效日期 ``change_day``) for a SKU whose supplier raised the price mid-window.
    A SKU without a cost is listed with 成本价 empty: its cost is unknown, so is its shop's profit."""
    rows: list[list[object]] = []
    for history in histories:
        shop = history.profile.name
        for sku in history.profile.skus:
            versions = [(sku.cost, "")]
            if sku.new_cost is not None:
                versions.append((sku.new_cost, change_day.isoformat()))
            for cost, cost_from in versions:
                known: object = "" if cost is None else float(cost)
                rows.append(["", "", sku.code, "", "", float(sku.price), known, cost_from, "", "", "", "",
                             sku.title, sku.item_id, shop, ""])  # fmt: skip
    return write_xlsx(folder / "商品资料.xlsx", PRODUCT_LIST_HEADER, rows, sheet="商品资料")
