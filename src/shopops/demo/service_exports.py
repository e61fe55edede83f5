"""The demo 客服 exports, each written from the manifest's truths in the real tools' shapes.

赤兔 售前明细 (daily, 下单优先判定) with its quirks: ``汇总``/``均值`` rows at the end, ``延迟统计`` in
the fields that are not settled yet, ``平均接待时长`` as ``8分48秒``, the mixed bracket in
``首次响应时长（秒)``, ratios (客单价, 客件数, 答问比) written rounded; 赤兔 自定义报表 (a week, the
period only in the file name), 遵时率, 分时接待; 千牛 客服数据汇总 with 满意度; 抖店 飞鸽 接待量;
京东 咚咚 绩效 and 工作量; and our 客服名单 template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopops.demo.writers import write_xlsx

DELAYED = "延迟统计"
FINAL_LAG, NEXT_DAY_LAG = 4, 1  # 询单->最终付款 settles in ~4 days, 询单->次日付款 in 1
DAILY_NAME = "赤兔_售前明细_下单优先判定_{start}至{end}.xlsx"
CUSTOM_NAME = "自定义报表_客服数据23年新_付款优先判定_{start}至{end}.xlsx"
DAILY_HEADER = [
    "日期", "店铺", "旺旺", "接待人数", "聊天人数(原咨询人数)", "询单人数", "询单->最终下单人数", "询单->最终付款人数",
    "询单->最终付款成功率", "询单->次日付款人数", "销售额", "销售量", "销售人数", "成交笔数", "客单价", "客件数",
    "平均响应(秒)", "首次响应时长（秒)", "平均接待时长", "回复率", "未回复人数", "慢响应人数", "长接待人数", "买家消息数",
    "客服消息数", "答问比", "转出人数", "退款笔数", "完成退款金额", "退款率",
]  # fmt: skip
CUSTOM_HEADER = [
    "客服昵称", "聊天人数(原咨询人数)", "接待人数", "直接接入人数", "转发接入人数", "转出人数", "总消息数", "买家消息数",
    "客服消息数", "答问比", "客服字数", "最大同时聊天数", "未回复人数", "回复率", "慢接待人数", "长接待人数",
    "首次响应(秒)", "平均响应(秒)", "平均接待时长",
]  # fmt: skip
ATTENDANCE_HEADER = [
    "客服", "旺旺", "上班天数", "平均上线时间", "平均最后在线时间", "在线总时长", "在线总时长(秒)", "平均日在线时长",
    "平均日在线时长(秒)", "服务总时长", "服务总时长(秒)", "挂起总时长", "挂起总时长(秒)",
]  # fmt: skip
QIANNIU_HEADER = [
    "日期", "旺旺", "接待人数", "平均响应(秒)", "回复率", "询单->最终付款成功率", "上班天数", "评价发送率", "客户满意比",
    "很满意", "满意", "一般", "不满意", "很不满意",
]  # fmt: skip
FEIGE_HEADER = [
    "日期", "店铺名称", "客服昵称", "账号名称", "人工已接待人数", "人工已接待会话量", "不满意率", "3分钟人工回复率",
    "首次响应时长（秒）", "平均响应时长（秒）", "满意率", "客服销售额（元）", "询单人数", "下单人数", "支付人数", "询单转化率",
]  # fmt: skip
DONGDONG_SALES_HEADER = ["日期", "客服", "促成下单商品金额", "促成下单人数", "售前接待人数"]
DONGDONG_WORK_HEADER = ["日期", "客服", "接待量", "首次平均响应时间", "平均响应时间", "30s应答率"]
ROSTER_HEADER = ["客服", "旺旺", "店铺", "分组", "入职日期", "状态", "离职日期"]
SATISFIED = ("very_satisfied", "satisfied")
UNHAPPY = ("dissatisfied", "very_dissatisfied")
RATED = (*SATISFIED, "neutral", *UNHAPPY)

Days = Mapping[str, Mapping[str, Mapping[str, Any]]]  # account → ISO date → figures (manifest form)


def is_delayed(date: str, as_of: dt.date, lag: int) -> bool:
    """A day's figure that settles ``lag`` days later is not final in an export taken on ``as_of``."""
    return dt.date.fromisoformat(date) + dt.timedelta(days=lag) >= as_of


def duration_text(seconds: int) -> str:
    """赤兔's durations: ``48秒``, ``8分48秒``, ``152小时3分20秒``."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes}分{secs}秒"
    return f"{minutes}分{secs}秒" if minutes else f"{secs}秒"


def clock(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def pct(numerator: float | Decimal, denominator: float | Decimal) -> str:
    return f"{float(numerator) / float(denominator):.2%}" if denominator else "-"


def ratio(numerator: float | Decimal, denominator: float | Decimal) -> float | str:
    return round(float(numerator) / float(denominator), 2) if denominator else "-"


def _money(value: object) -> Decimal:
    return Decimal(str(value))


def _sum(rows: Sequence[Mapping[str, Any]], key: str) -> Any:
    values = [row[key] for row in rows]
    if values and isinstance(values[0], str):
        return sum((_money(v) for v in values), Decimal(0))
    return sum(values)


def _weighted(rows: Sequence[Mapping[str, Any]], key: str, digits: int) -> float | int | str:
    weight = sum(row["receptions"] for row in rows)
    if not weight:
        return "-"
    mean = sum(float(row[key] or 0) * int(row["receptions"]) for row in rows) / float(weight)
    return round(mean, digits) if digits else round(mean)


def _daily_row(date: str, shop: str, account: str, f: Mapping[str, Any], as_of: dt.date) -> list[object]:
    final = not is_delayed(date, as_of, FINAL_LAG)
    sales = _money(f["sales"])
    return [
        date, shop, account, f["receptions"], f["chats"], f["inquiries"],
        f["inquiry_ordered"] if final else DELAYED,
        f["inquiry_paid"] if final else DELAYED,
        pct(f["inquiry_paid"], f["inquiries"]) if final else DELAYED,
        DELAYED if is_delayed(date, as_of, NEXT_DAY_LAG) else f["inquiry_next_day_paid"],
        sales, f["units"], f["sales_buyers"], f["sales_orders"],
        ratio(sales, f["sales_buyers"]), ratio(f["units"], f["sales_buyers"]),
        f["avg_response_seconds"], f["first_response_seconds"], duration_text(f["avg_session_seconds"]),
        pct(f["replied"], f["receptions"]), f["unreplied"], f["slow_responses"], f["long_sessions"],
        f["buyer_messages"], f["agent_messages"], ratio(f["agent_messages"], f["buyer_messages"]),
        f["transfers_out"], f["refunds"], _money(f["refund_amount"]), pct(_money(f["refund_amount"]), sales),
    ]  # fmt: skip


def _daily_summary(
    label: str, rows: Sequence[Mapping[str, Any]], agents: int, delayed: tuple[bool, bool]
) -> list[object]:
    """``汇总`` (counts summed, ratios recomputed) or ``均值`` (counts per agent, the same ratios)."""
    per = 1 if label == "汇总" else agents
    total = {key: _sum(rows, key) for key in rows[0]}

    def count(key: str) -> object:
        value = total[key]
        return value if per == 1 else round(float(value) / per, 2)

    final, next_day = delayed
    return [
        label, "", "", count("receptions"), count("chats"), count("inquiries"),
        DELAYED if final else count("inquiry_ordered"), DELAYED if final else count("inquiry_paid"),
        DELAYED if final else pct(total["inquiry_paid"], total["inquiries"]),
        DELAYED if next_day else count("inquiry_next_day_paid"),
        count("sales"), count("units"), count("sales_buyers"), count("sales_orders"),
        ratio(total["sales"], total["sales_buyers"]), ratio(total["units"], total["sales_buyers"]),
        _weighted(rows, "avg_response_seconds", 1), _weighted(rows, "first_response_seconds", 1),
        _session(rows), pct(total["replied"], total["receptions"]), count("unreplied"), count("slow_responses"),
        count("long_sessions"), count("buyer_messages"), count("agent_messages"),
        ratio(total["agent_messages"], total["buyer_messages"]), count("transfers_out"), count("refunds"),
        count("refund_amount"), pct(total["refund_amount"], total["sales"]),
    ]  # fmt: skip


def _session(rows: Sequence[Mapping[str, Any]]) -> str:
    mean = _weighted(rows, "avg_session_seconds", 0)
    return mean if isinstance(mean, str) else duration_text(int(mean))


def _flat(days: Days) -> list[tuple[str, str, Mapping[str, Any]]]:
    return sorted(((date, account, f) for account, by_day in days.items() for date, f in by_day.items()),
                  key=lambda item: (item[0], item[1]))  # fmt: skip


def chitu_daily_workbook(path: Path, shop: str, days: Days, as_of: dt.date) -> Path:
    """赤兔 售前明细 of one shop, one row per 旺旺 per day, as exported on ``as_of``."""
    flat = _flat(days)
    rows: list[list[object]] = [_daily_row(date, shop, account, f, as_of) for date, account, f in flat]
    figures = [f for _, _, f in flat]
    if figures:
        delayed = (
            any(is_delayed(d, as_of, FINAL_LAG) for d, _, _ in flat),
            any(is_delayed(d, as_of, NEXT_DAY_LAG) for d, _, _ in flat),
        )
        rows.append(_daily_summary("汇总", figures, len(days), delayed))
        rows.append(_daily_summary("均值", figures, len(days), delayed))
    return write_xlsx(path, DAILY_HEADER, rows)


def custom_week_workbook(path: Path, agents: Mapping[str, Mapping[str, Any]]) -> Path:
    """赤兔 自定义报表 客服数据23年新 over one week: no 日期 column, ``汇总`` and ``均值`` last."""
    rows: list[list[object]] = [_custom_row(account, f) for account, f in sorted(agents.items())]
    if agents:
        figures = list(agents.values())
        total = {key: sum(f[key] for f in figures) for key in figures[0] if "seconds" not in key}
        total["max_concurrent"] = max(f["max_concurrent"] for f in figures)
        for key in ("first_response_seconds", "avg_response_seconds"):
            total[key] = _weighted(figures, key, 1)
        total["avg_session_seconds"] = _weighted(figures, "avg_session_seconds", 0)
        rows.append(_custom_row("汇总", total))
        mean = {k: v if "seconds" in k else round(v / len(figures), 2) for k, v in total.items()}
        mean["max_concurrent"] = round(sum(f["max_concurrent"] for f in figures) / len(figures), 2)
        rows.append(_custom_row("均值", mean, rates_from=total))
    return write_xlsx(path, CUSTOM_HEADER, rows)


def _custom_row(name: str, f: Mapping[str, Any], rates_from: Mapping[str, Any] | None = None) -> list[object]:
    r = rates_from or f
    session = f["avg_session_seconds"]
    return [
        name, f["chats"], f["receptions"], f["direct_receptions"], f["forwarded_receptions"], f["transfers_out"],
        f["total_messages"], f["buyer_messages"], f["agent_messages"], ratio(r["agent_messages"], r["buyer_messages"]),
        f["agent_characters"], f["max_concurrent"], f["unreplied"], pct(r["replied"], r["receptions"]),
        f["slow_receptions"], f["long_sessions"], f["first_response_seconds"], f["avg_response_seconds"],
        session if isinstance(session, str) else duration_text(session),
    ]  # fmt: skip


def attendance_workbook(path: Path, accounts: Mapping[str, Mapping[str, Any]]) -> Path:
    rows: list[list[object]] = []
    for account, a in accounts.items():
        rows.append(
            [a["person"], account, a["work_days"], clock(a["avg_first_online_seconds"]),
             clock(a["avg_last_online_seconds"]), duration_text(a["online_seconds"]), a["online_seconds"],
             duration_text(a["avg_daily_online_seconds"]), a["avg_daily_online_seconds"],
             duration_text(a["service_seconds"]), a["service_seconds"], duration_text(a["hangup_seconds"]),
             a["hangup_seconds"]]
        )  # fmt: skip
    return write_xlsx(path, ATTENDANCE_HEADER, rows)


def hourly_workbook(path: Path, hours: Mapping[str, Sequence[int]], *, old_headers: bool = False) -> Path:
    """赤兔 分时接待: one row per day, a column per hour (``0`` … ``23``; the older export ``0点`` …)."""
    header = ["日期", *(f"{h}点" if old_headers else str(h) for h in range(24)), "全天"]
    rows = [[date, *counts, sum(counts)] for date, counts in sorted(hours.items())]
    return write_xlsx(path, header, rows)


def qianniu_workbook(path: Path, days: Days, as_of: dt.date) -> Path:
    """千牛 客服数据汇总 by day with 满意度; a 询单->最终付款 rate not settled yet is ``-``."""
    rows: list[list[object]] = []
    for date, account, f in _flat(days):
        rated = sum(f[key] for key in RATED)
        rows.append(
            [date, account, f["receptions"], f["avg_response_seconds"], pct(f["replied"], f["receptions"]),
             "-" if is_delayed(date, as_of, FINAL_LAG) else pct(f["inquiry_paid"], f["inquiries"]),
             f["work_days"], pct(f["evaluations_sent"], f["receptions"]),
             pct(sum(f[key] for key in SATISFIED), rated), *(f[key] for key in RATED)]
        )  # fmt: skip
    return write_xlsx(path, QIANNIU_HEADER, rows)


def feige_workbook(path: Path, shop: str, days: Days, logins: Mapping[str, str]) -> Path:
    """抖店 飞鸽 客服接待量 by day (rates as percent text)."""
    rows: list[list[object]] = []
    for date, account, f in _flat(days):
        rated = sum(f[key] for key in RATED)
        rows.append(
            [date, shop, account, logins[account], f["receptions"], f["sessions"],
             pct(sum(f[key] for key in UNHAPPY), rated), pct(f["replied_3min"], f["sessions"]),
             f["first_response_seconds"], f["avg_response_seconds"], pct(sum(f[key] for key in SATISFIED), rated),
             _money(f["sales"]), f["inquiries"], f["inquiry_ordered"], f["inquiry_paid"],
             pct(f["inquiry_paid"], f["inquiries"])]
        )  # fmt: skip
    return write_xlsx(path, FEIGE_HEADER, rows)


def dongdong_workbooks(folder: Path, days: Days, span: str) -> list[Path]:
    """京东 咚咚 客服绩效 and 工作量 by day."""
    flat = _flat(days)
    sales = [[d, a, _money(f["ordered_amount"]), f["inquiry_ordered"], f["receptions"]] for d, a, f in flat]
    work = [
        [
            d,
            a,
            f["sessions"],
            f["first_response_seconds"],
            f["avg_response_seconds"],
            pct(f["replied_30s"], f["sessions"]),
        ]
        for d, a, f in flat
    ]
    return [
        write_xlsx(folder / f"咚咚_客服绩效_{span}.xlsx", DONGDONG_SALES_HEADER, sales),
        write_xlsx(folder / f"咚咚_工作量_{span}.xlsx", DONGDONG_WORK_HEADER, work),
    ]


def roster_workbook(path: Path, agents: Sequence[Mapping[str, Any]]) -> Path:
    """Our 客服名单: one row per account, so a renamed 旺旺 is two rows of one 客服."""
    rows = [
        [a["person"], account, a["shop"], a["group"], a["start_date"], "离职" if a["left_date"] else "在职",
         a["left_date"] or ""]
        for a in agents
        for account in a["accounts"]
    ]  # fmt: skip
    return write_xlsx(path, ROSTER_HEADER, rows)
