"""The demo Douyin shop: 抖店 orders, 罗盘 per-session workbooks, 千川, short videos, 主播排班表.

Orders are the ground truth. Live sessions run every other evening in the last four weeks; the
room's orders are paid during the session, and 精选联盟 (creator) orders arrive at any hour,
also during sessions, so excluding them from the anchors' credit matters.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from shopops.demo.manifest import Value, blank_measures, derive
from shopops.demo.simulation import money
from shopops.demo.writers import write_csv, write_xlsx

DOUYIN_SHOP = "山野好物抖音店"
DOUYIN_FEE_RATE = Decimal("0.05")
PRODUCTS = (
    ("3601234567890123456", "山野 高山红茶 250g", Decimal("59.90")),
    ("3601234567890123457", "山野 野生菌菇礼盒", Decimal("128.00")),
    ("3601234567890123458", "山野 手工红薯干 500g", Decimal("29.90")),
)
ANCHORS = ("小鹿", "阿泽")
CHANNELS = ("自然推荐", "千川PC", "短视频引流", "关注", "其他")
AFFILIATE = "精选联盟"


@dataclass(frozen=True)
class DouyinLine:
    order_id: str
    line_id: str
    product: int
    quantity: int
    payable: Decimal
    platform_discount: Decimal
    paid_at: dt.datetime | None
    source: str  # 流量来源
    kind: str  # 流量体裁


@dataclass(frozen=True)
class Session:
    session_id: str
    date: dt.date
    started_at: dt.datetime
    ended_at: dt.datetime
    viewers: int
    watch_seconds: int
    qianchuan: Decimal


def simulate_douyin(start: dt.date, days: int, seed: int) -> tuple[list[DouyinLine], list[Session]]:
    rng = random.Random(seed * 7919 + 3)
    lines: list[DouyinLine] = []
    sessions: list[Session] = []
    serial = 6_900_000_000_000_000_000 + seed * 10_000_000
    live_from = start + dt.timedelta(days=max(days - 28, 0))
    for offset in range(days):
        date = start + dt.timedelta(days=offset)
        midnight = dt.datetime.combine(date, dt.time())
        session = None
        if date >= live_from and (date - live_from).days % 2 == 0:
            began = midnight + dt.timedelta(hours=19, minutes=rng.choice((0, 15, 30)))
            session = Session(
                f"7{seed:03d}{date:%Y%m%d}01",
                date,
                began,
                began + dt.timedelta(hours=3),
                rng.randint(5000, 9000),
                rng.randint(40, 90),
                money(rng.uniform(300, 700)),
            )
            sessions.append(session)
        plan: list[tuple[str, str, Session | None]] = []
        plan += [("商品卡", "自然流量", None)] * rng.randint(6, 14)
        plan += [("短视频", "短视频", None)] * rng.randint(2, 6)
        plan += [("直播", AFFILIATE, None)] * rng.randint(1, 4)
        if session is not None:
            plan += [
                ("直播", rng.choice(("直播间-自然流量", "直播间-千川")), session)
                for _ in range(rng.randint(40, 80))
            ]
        for kind, source, room in plan:
            serial += rng.randint(1, 50)
            if room is not None:
                paid = room.started_at + dt.timedelta(seconds=rng.randint(0, 3 * 3600 - 1))
            else:
                paid = midnight + dt.timedelta(seconds=rng.randint(0, 86_399))
            paid_at: dt.datetime | None = None if rng.random() < 0.05 else paid  # 已关闭: never paid
            for part in range(rng.choice((1, 1, 1, 2))):
                index = rng.randrange(len(PRODUCTS))
                quantity = rng.choice((1, 1, 2))
                discount = money(rng.choice((0, 0, 3, 5)))
                payable = PRODUCTS[index][2] * quantity - discount
                lines.append(
                    DouyinLine(
                        str(serial),
                        f"{serial + part + 1}",
                        index,
                        quantity,
                        payable,
                        discount,
                        paid_at,
                        source,
                        kind,
                    )
                )
            serial += 2
    return lines, sessions


def in_session(line: DouyinLine, session: Session) -> bool:
    return line.paid_at is not None and session.started_at <= line.paid_at < session.ended_at


def own_room(line: DouyinLine, session: Session) -> bool:
    return line.kind == "直播" and line.source != AFFILIATE and in_session(line, session)


def anchor_slots(session: Session) -> list[tuple[str, dt.datetime, dt.datetime]]:
    middle = session.started_at + dt.timedelta(minutes=90)
    return [(ANCHORS[0], session.started_at, middle), (ANCHORS[1], middle, session.ended_at)]


def write_douyin(
    folder: Path, start: dt.date, days: int, seed: int, *, after_sales: Mapping[str, str] | None = None
) -> tuple[list[Path], dict[str, dict[str, Value]]]:
    """``after_sales``: the 售后状态 of each 子订单 with an after-sale (demo/returns_douyin.py), else "-"."""
    lines, sessions = simulate_douyin(start, days, seed)
    rng = random.Random(seed * 53 + 11)
    end = start + dt.timedelta(days=days - 1)
    span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    files = [_orders_file(folder, lines, span, after_sales or {})]
    by_date = {s.date: s for s in sessions}
    truth: dict[str, dict[str, Value]] = {}
    qianchuan_rows, video_rows = [], []
    for offset in range(days):
        date = start + dt.timedelta(days=offset)
        paid = [line for line in lines if line.paid_at is not None and line.paid_at.date() == date]
        row = blank_measures()
        row.update(
            gmv=sum((line.payable for line in paid), Decimal(0)),
            paid_orders=len({line.order_id for line in paid}),
            units=sum(line.quantity for line in paid),
            fee_rate=DOUYIN_FEE_RATE,
        )
        spend, turnover = Decimal(0), Decimal(0)
        for plan in range(2):
            cost = money(rng.uniform(150, 400))
            gmv = money(float(cost) * rng.uniform(1.5, 3.5))
            net = money(float(gmv) * 0.9)
            spend, turnover = spend + cost, turnover + gmv
            qianchuan_rows.append(
                [date.isoformat(), f"17{plan}{seed:04d}", f"直播间成交-计划{plan + 1}", f"{cost:.2f}", f"{gmv:.2f}",
                 rng.randint(5, 40), rng.randint(20000, 60000), rng.randint(400, 1500), f"{net:.2f}",
                 rng.randint(4, 30), f"{gmv / cost:.2f}"]
            )  # fmt: skip
        row.update(ad_spend_qianchuan=spend, ad_report_spend=spend, ad_gmv=turnover)
        plays = clicks = orders = 0
        video_gmv = Decimal(0)
        for video in range(2):
            views, click, sold = rng.randint(3000, 30000), rng.randint(30, 300), rng.randint(0, 12)
            amount = money(sold * rng.uniform(40, 90))
            plays, clicks, orders, video_gmv = (
                plays + views,
                clicks + click,
                orders + sold,
                video_gmv + amount,
            )
            video_rows.append(
                [date.isoformat(), f"72{seed:03d}{date:%m%d}{video}", f"山野好物 开箱 {date:%m%d}-{video + 1}", views,
                 f"{rng.uniform(8, 35):.2f}%", rng.randint(50, 900), rng.randint(5, 90), rng.randint(2, 60),
                 rng.randint(0, 40), click, sold, f"{amount:.2f}"]
            )  # fmt: skip
        row.update(video_plays=plays, video_product_clicks=clicks, video_orders=orders, video_gmv=video_gmv)
        session = by_date.get(date)
        if session is not None:
            files.append(_session_workbook(folder, session, lines, rng))
            room = [line for line in lines if own_room(line, session)]
            buyers = len({line.order_id for line in room})
            row.update(
                live_gmv=sum((line.payable for line in room), Decimal(0)),
                live_viewers=session.viewers,
                live_buyers=buyers,
                live_watch_seconds=session.watch_seconds * session.viewers,
                live_product_clickers=_clickers(session, buyers),
            )
        truth[date.isoformat()] = derive(row)
    qianchuan_header = ["日期", "计划ID", "计划名称", "整体消耗", "整体成交金额", "整体成交订单数", "整体展现次数",
                        "整体点击次数", "净成交金额", "净成交订单数", "整体支付ROI"]  # fmt: skip
    files.append(
        write_csv(folder / f"巨量千川_计划日报_{DOUYIN_SHOP}_{span}.csv", qianchuan_header, qianchuan_rows)
    )
    video_header = ["日期", "作品ID", "作品名称", "播放量", "完播率", "点赞数", "评论数", "分享数", "涨粉数",
                    "商品点击次数", "成交订单数", "成交金额"]  # fmt: skip
    files.append(
        write_csv(
            folder / f"短视频数据_{DOUYIN_SHOP}_{span}.csv", video_header, video_rows, encoding="utf-8-sig"
        )
    )
    schedule = [
        [s.date.isoformat(), anchor, f"{begin:%Y-%m-%d %H:%M}", f"{until:%Y-%m-%d %H:%M}"]
        for s in sessions
        for anchor, begin, until in anchor_slots(s)
    ]
    if schedule:
        files.append(
            write_xlsx(
                folder / f"主播排班表_{DOUYIN_SHOP}.xlsx", ["日期", "主播", "上播时间", "下播时间"], schedule
            )
        )
    return files, truth


def _clickers(session: Session, buyers: int) -> int:
    return max(buyers, session.viewers * 12 // 100)


def _orders_file(folder: Path, lines: list[DouyinLine], span: str, after_sales: Mapping[str, str]) -> Path:
    header = ["主订单编号", "子订单编号", "选购商品", "商品ID", "商品数量", "商品金额", "订单应付金额", "运费", "优惠总金额",
              "平台优惠", "商家优惠", "达人优惠", "订单提交时间", "支付完成时间", "订单状态", "售后状态", "达人ID",
              "达人昵称", "流量来源", "流量体裁"]  # fmt: skip
    rows = []
    for line in lines:
        product_id, title, price = PRODUCTS[line.product]
        creator = line.source == AFFILIATE
        submitted = (line.paid_at or dt.datetime(2000, 1, 1)) - dt.timedelta(seconds=40)
        rows.append(
            ["\t" + line.order_id, "\t" + line.line_id, title, "\t" + product_id, line.quantity, f"{price:.2f}",
             f"{line.payable:.2f}", "0.00", f"{line.platform_discount:.2f}", f"{line.platform_discount:.2f}", "0.00",
             "0.00", submitted.strftime("%Y/%m/%d %H:%M:%S") if line.paid_at else "",
             line.paid_at.strftime("%Y/%m/%d %H:%M:%S") if line.paid_at else "",
             "已完成" if line.paid_at else "已关闭", after_sales.get(line.line_id, "-"), "\t8812345" if creator else "",
             "山野测评官" if creator else "", line.source, line.kind]
        )  # fmt: skip
    return write_csv(folder / f"抖店订单导出_{DOUYIN_SHOP}_{span}.csv", header, rows, encoding="utf-8-sig")


def _session_workbook(folder: Path, session: Session, lines: list[DouyinLine], rng: random.Random) -> Path:
    """罗盘 单场直播数据: one workbook, five sheets, each a table with the session's ID and date."""
    room = [line for line in lines if own_room(line, session)]
    gmv = sum((line.payable for line in room), Decimal(0))
    buyers = len({line.order_id for line in room})
    key = [session.session_id, session.date.isoformat()]
    user_paid = money(float(gmv) * 0.97)
    sheets: dict[str, tuple[list[str], list[list[object]]]] = {
        "基本信息": (
            ["直播ID", "日期", "直播标题", "抖音号", "直播开始时间", "直播结束时间", "直播间用户支付金额", "千次观看用户支付金额"],
            [[*key, f"山野好物 {session.date:%m月%d日} 专场", "shanye_goods", f"{session.started_at:%Y-%m-%d %H:%M:%S}",
              f"{session.ended_at:%Y-%m-%d %H:%M:%S}", f"{user_paid:.2f}", f"{user_paid * 1000 / session.viewers:.2f}"]],
        ),
        "整体看板": (
            ["直播ID", "日期", "直播间观看人数", "直播间观看次数", "平均在线人数", "人均观看时长(秒)", "直播间成交金额",
             "成交人数", "成交订单数", "新增粉丝数", "直播间观看-成交率(人数)", "直播间商品点击-成交率(人数)"],
            [[*key, session.viewers, session.viewers * 8 // 5, session.viewers // 20, session.watch_seconds, f"{gmv:.2f}",
              buyers, buyers, rng.randint(50, 300), f"{buyers / session.viewers * 100:.2f}%",
              f"{buyers / _clickers(session, buyers) * 100:.2f}%"]],
        ),
        "转化漏斗": (
            ["直播ID", "日期", "环节", "人数"],
            [[*key, step, people] for step, people in funnel_steps(session, buyers)],
        ),
        "渠道分析": (["直播ID", "日期", "渠道名称", "观看人数", "成交金额", "千川消耗"], _channel_rows(session, gmv, key)),
        "商品明细": (
            ["直播ID", "日期", "商品ID", "商品名称", "商品曝光人数", "商品点击人数", "成交件数", "成交金额", "成交人数"],
            [[*key, product_id, title, session.viewers // 3, session.viewers // 25,
              sum(x.quantity for x in room if x.product == index),
              f"{sum((x.payable for x in room if x.product == index), Decimal(0)):.2f}",
              len({x.order_id for x in room if x.product == index})]
             for index, (product_id, title, _) in enumerate(PRODUCTS)],
        ),
    }  # fmt: skip
    path = folder / f"罗盘_直播复盘_{DOUYIN_SHOP}_{session.session_id}.xlsx"
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(index, column, value)
                else:
                    sheet.write_number(index, column, float(value))  # type: ignore[arg-type]
    workbook.close()
    return path


def funnel_steps(session: Session, buyers: int) -> list[tuple[str, int]]:
    return [
        ("直播间曝光人数", session.viewers * 4),
        ("直播间进入人数", session.viewers),
        ("商品曝光人数", session.viewers * 3 // 5),
        ("商品点击人数", _clickers(session, buyers)),
        ("成交人数", buyers),
    ]


def _channel_rows(session: Session, gmv: Decimal, key: list[str]) -> list[list[object]]:
    shares = (Decimal("0.40"), Decimal("0.30"), Decimal("0.15"), Decimal("0.10"))
    amounts = [money(gmv * share) for share in shares]
    amounts.append(gmv - sum(amounts, Decimal(0)))
    viewers = [session.viewers * p // 100 for p in (40, 30, 15, 10)]
    viewers.append(session.viewers - sum(viewers))
    return [
        [
            *key,
            name,
            viewers[i],
            f"{amounts[i]:.2f}",
            f"{session.qianchuan:.2f}" if name == "千川PC" else "0.00",
        ]
        for i, name in enumerate(CHANNELS)
    ]
