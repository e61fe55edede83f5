"""The demo Douyin room's 直播大屏累计数据, as the capture tool writes them, and its 直播计划.

``{date}_直播大屏累计数据.csv`` is the file xiaoyu312/qianchuan-live-board-tool writes (research §6.1):
UTF-8 with a BOM, 采集时间, 主播, then the board's 36 metrics (商品点击率 and 商品转化率 after 直播间商品
点击次数), each cell the page's text — ``--`` for nothing yet, ``%``, thousands commas (now and then
the full-width ``，``/``％``), 停留时长 as ``N分M秒``. Every session of the last four weeks but the last
has a reading every five minutes (each anchor's benchmark); the last one — the replay — a reading
every minute with the designed events of :mod:`shopops.demo.live_truth`, a line written twice and
two lines in the wrong order. The 直播计划 (our template) gives the replay's hourly targets and 千川
budget and its product run order. The truths go to ``manifest["live"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopops.demo.douyin import DOUYIN_SHOP, PRODUCTS, Session
from shopops.demo.live_truth import (
    BUDGET_WEIGHTS,
    DUPLICATE,
    MINUTES,
    RUN_MINUTES,
    RUN_ORDER,
    SWAPPED,
    TARGET_WEIGHTS,
    Board,
    Minute,
    Reading,
    events,
    expected,
    intervals,
    simulate_board,
    totals,
)
from shopops.demo.writers import write_csv, write_xlsx

FOLDER = Path(DOUYIN_SHOP) / "直播"
METRICS = (
    "净成交订单数", "净成交订单成本(元)", "用户实际支付净成交金额(元)", "净成交金额结算率", "净成交订单结算率",
    "1小时内退款订单数", "1小时内退款金额(元)", "1小时内退款率", "整体成交订单数", "GPM(元)", "观看成交转化率",
    "整体成交订单成本(元)", "用户实际支付金额(元)", "整体成交智能优惠券金额(元)", "电商平台补贴金额(元)",
    "整体未完结预售订单预估金额(元)", "直播间退款金额(元)", "直播间退款率", "实时在线人数", "直播间整体曝光次数",
    "曝光观看率(次数)", "直播间整体观看人数", "直播间平均停留时长(整场)", "直播间整体新增粉丝数", "直播间评论次数",
    "直播间商品曝光次数", "直播间商品点击次数", "商品点击率", "商品转化率", "分享次数", "分享率", "打赏次数", "点赞率",
    "整体消耗(元)", "整体支付ROI", "整体成交金额(元)", "净成交ROI", "净成交金额(元)",
)  # fmt: skip
HEADER = ("采集时间", "主播", *METRICS)
PLAN_HEADER = ("日期", "直播间", "开始时间", "结束时间", "目标成交金额", "千川预算", "商品ID", "商品名称")


def write_live_feeds(
    folder: Path, sessions: Sequence[Session], seed: int
) -> tuple[list[Path], dict[str, Any]]:
    """Write the board of every session (the last one: the replay) and the replay's 直播计划 under
    ``folder``; return the files and ``manifest["live"]``."""
    target = folder / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    earlier: list[dict[str, Any]] = []
    boards = [
        simulate_board(session, seed, replay=index == len(sessions) - 1)
        for index, session in enumerate(sessions)
    ]
    dates = [board.session.date for board in boards]
    for board in boards:
        lines = [_cells(board, reading) for reading in board.readings]
        if board.replay:
            lines = _quirks(board, lines)
        day = board.session.date
        where = target / str(day) / board.session.session_id if dates.count(day) > 1 else target
        where.mkdir(parents=True, exist_ok=True)  # two sessions a day: the tool's name twice, a folder each
        path = write_csv(where / f"{day}_直播大屏累计数据.csv", HEADER, lines, encoding="utf-8-sig")
        files.append(path)
        if not board.replay:
            earlier.append(_session_json(folder, path, board))
    live: dict[str, Any] = {"room": "", "shop": DOUYIN_SHOP, "sessions": earlier}
    if boards:
        replay = boards[-1]
        plan_path, plan = _write_plan(target, replay)
        files.append(plan_path)
        rows = intervals(replay)
        live["replay"] = {
            **_session_json(folder, files[-2], replay),
            "intervals": rows,
            "totals": totals(replay),
            "events": events(replay),
            "plan": {"file": plan_path.relative_to(folder).as_posix(), **plan},
        }
    live["files"] = [path.relative_to(folder).as_posix() for path in files]
    return files, live


def live_file_shops(folder: Path, manifest: Mapping[str, Any]) -> dict[Path, str | None]:
    """The shop to import each live file for (the board names no shop: ``--shop``)."""
    live = manifest.get("live") or {}
    return {folder / path: live["shop"] for path in live.get("files", [])}


def _session_json(folder: Path, path: Path, board: Board) -> dict[str, Any]:
    first, last = board.readings[0], board.readings[-1]
    return {
        "file": path.relative_to(folder).as_posix(),
        "date": board.session.date.isoformat(),
        "start": first.at.isoformat(),
        "end": last.at.isoformat(),
        "readings": len(board.readings),
        "totals": totals(board) if not board.replay else None,
    }


# -- the board's text --------------------------------------------------------------------------


def _cells(board: Board, reading: Reading) -> list[str]:
    """One line: the page's text of every metric at the minute the reading shows."""
    c = board.cumulative(reading.shows)
    now: Minute = board.minutes[reading.shows - 1]
    wide = board.replay and reading.shows % 11 == 5  # the page's full-width ，and ％ on some readings
    refunded = bool(c["refund_1h_orders"])

    def amount(value: Decimal | int) -> str:
        return _wide(f"{value:,.2f}", wide)

    def count(value: Decimal | int) -> str:
        return _wide(f"{value:,}", wide)

    def pct(numerator: Decimal | int, denominator: Decimal | int, *, blank: bool = False) -> str:
        if blank or not denominator:
            return "--"
        return _wide(f"{Decimal(numerator) * 100 / Decimal(denominator):.2f}%", wide)

    def per(numerator: Decimal | int, denominator: Decimal | int) -> str:
        return (
            "--"
            if not denominator
            else amount((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01")))
        )

    gmv, orders, spend, viewers = c["gmv"], c["orders"], c["spend"], c["viewers"]
    cells = {
        "净成交订单数": count(c["net_orders"]),
        "净成交订单成本(元)": per(spend, c["net_orders"]),
        "用户实际支付净成交金额(元)": amount(c["user_paid"] - c["room_refund_amount"]),
        "净成交金额结算率": pct(c["net_gmv"], gmv),
        "净成交订单结算率": pct(c["net_orders"], orders),
        "1小时内退款订单数": count(c["refund_1h_orders"]) if refunded else "--",
        "1小时内退款金额(元)": amount(c["refund_1h_amount"]) if refunded else "--",
        "1小时内退款率": pct(c["refund_1h_amount"], gmv, blank=not refunded),
        "整体成交订单数": count(orders),
        "GPM(元)": per(gmv * 1000, viewers),
        "观看成交转化率": pct(orders, viewers),
        "整体成交订单成本(元)": per(spend, orders),
        "用户实际支付金额(元)": amount(c["user_paid"]),
        "整体成交智能优惠券金额(元)": amount(c["coupon"]),
        "电商平台补贴金额(元)": amount(c["subsidy"]),
        "整体未完结预售订单预估金额(元)": "0.00",
        "直播间退款金额(元)": amount(c["room_refund_amount"]) if c["room_refund_orders"] else "--",
        "直播间退款率": pct(c["room_refund_amount"], gmv, blank=not c["room_refund_orders"]),
        "实时在线人数": count(now.online),
        "直播间整体曝光次数": count(c["exposures"]),
        "曝光观看率(次数)": pct(viewers, c["exposures"]),
        "直播间整体观看人数": count(viewers),
        "直播间平均停留时长(整场)": f"{now.stay // 60}分{now.stay % 60}秒",
        "直播间整体新增粉丝数": count(c["new_fans"]),
        "直播间评论次数": count(c["comments"]),
        "直播间商品曝光次数": count(c["product_exposures"]),
        "直播间商品点击次数": count(c["product_clicks"]),
        "商品点击率": pct(c["product_clicks"], c["product_exposures"]),
        "商品转化率": pct(orders, c["product_clicks"]),
        "分享次数": count(c["shares"]),
        "分享率": pct(c["shares"], viewers),
        "打赏次数": count(c["tips"]),
        "点赞率": _wide(f"{now.likes:.2f}%", wide),
        "整体消耗(元)": amount(spend),
        "整体支付ROI": "--" if not spend else f"{gmv / spend:.2f}",
        "整体成交金额(元)": amount(gmv),
        "净成交ROI": "--" if not spend else f"{c['net_gmv'] / spend:.2f}",
        "净成交金额(元)": amount(c["net_gmv"]),
    }
    return [reading.at.strftime("%Y-%m-%d %H:%M:%S"), reading.anchor, *(cells[name] for name in METRICS)]


def _wide(text: str, wide: bool) -> str:
    return text.replace(",", "，").replace("%", "％") if wide else text


def _quirks(board: Board, lines: list[list[str]]) -> list[list[str]]:
    """The replay's file as the tool left it: a page that did not refresh repeats the line before
    (with its own 采集时间), one line is written twice, two lines are in the wrong order."""
    out: list[list[str]] = []
    for reading, line in zip(board.readings, lines, strict=True):
        out.append(line)  # an unchanged reading's figures are its minute's: the same text
        if reading.at == board.at(DUPLICATE):
            out.append(list(line))
    first = next(
        i for i, line in enumerate(out) if line[0] == board.at(SWAPPED[0]).strftime("%Y-%m-%d %H:%M:%S")
    )
    out[first], out[first + 1] = out[first + 1], out[first]
    return out


# -- the 直播计划 ---------------------------------------------------------------------------------


def _write_plan(folder: Path, board: Board) -> tuple[Path, dict[str, Any]]:
    """The replay's plan, made before the live: hourly targets and budgets, the product run order."""
    session = board.session
    usual_gmv, usual_spend = expected(board)
    target = round(usual_gmv * Decimal("1.05"), -3)  # a little more than usual
    budget = round(usual_spend, -2)
    day = session.date.isoformat()
    rows: list[list[object]] = []
    slots, products = [], []
    hours = MINUTES // 60
    for hour, (share, weight) in enumerate(zip(TARGET_WEIGHTS, BUDGET_WEIGHTS, strict=True)):
        begin = session.started_at + dt.timedelta(hours=hour)
        until = session.started_at + dt.timedelta(hours=hour + 1) if hour < hours - 1 else session.ended_at
        slot_target, slot_budget = target * share / 100, budget * weight / 100
        rows.append([day, "", _clock(begin), _clock(until), float(slot_target), float(slot_budget), "", ""])
        slots.append({"start": begin.isoformat(), "end": until.isoformat(),
                      "target_gmv": f"{slot_target:.2f}", "budget": f"{slot_budget:.2f}"})  # fmt: skip
    for index, product in enumerate(RUN_ORDER):
        begin = session.started_at + dt.timedelta(minutes=index * RUN_MINUTES)
        until = begin + dt.timedelta(minutes=RUN_MINUTES)
        product_id, title, _ = PRODUCTS[product]
        rows.append([day, "", _clock(begin), _clock(until), "", "", product_id, title])
        products.append(
            {"start": begin.isoformat(), "end": until.isoformat(), "product_id": product_id, "product": title}
        )
    path = write_xlsx(folder / f"直播计划_{DOUYIN_SHOP}_{day}.xlsx", PLAN_HEADER, rows, sheet="直播计划")
    return path, {
        "target_gmv": f"{target:.2f}",
        "budget": f"{budget:.2f}",
        "slots": slots,
        "products": products,
    }


def _clock(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
