"""`shopops live intervals` and `shopops live alerts`: a room's session as data (DESIGN §5) — what the
live page shows, for scripts, tests and the 复盘."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import polars as pl

from shopops.cli.context import open_workspace, parse_day, user_errors
from shopops.cli.fitted_tables import FORMAT_OPTION, OUTPUT_OPTION, Column, emit_table, print_no_data
from shopops.domains.live.alerts import SEVERITY_LABELS, session_alerts
from shopops.domains.live.fields import RATIOS
from shopops.domains.live.live_settings import live_settings
from shopops.domains.live.room import RoomSession, china_now, interval_rows, pick_room, room_sessions

ROOM_OPTION = click.option("--room", "-r", help="直播间（或店铺名：它自己的直播间）；默认最近有数据的那个。")
SHOP_OPTION = click.option("--shop", "-s", help="店铺（两个店铺有同名直播间时）。")
DATE_OPTION = click.option(
    "--date", "-d", "day", callback=parse_day, help="开播那天的场次（默认：最近一场）。"
)

INTERVAL_COLUMNS = (
    Column("span", "时段", "text", 0),
    Column("anchor", "主播", "text", 3),
    Column("product", "商品", "text", 6),
    Column("gmv_delta", "Δ成交", "money", 0),
    Column("orders_delta", "Δ订单", "count", 1),
    Column("online_viewers", "在线", "count", 2),
    Column("entry_rate", "进入率", "ratio", 7),
    Column("product_click_rate", "点击率", "ratio", 5),
    Column("click_to_order_rate", "点击\n成交率", "ratio", 2),
    Column("gpm", "GPM", "money", 8),
    Column("spend_delta", "Δ消耗", "money", 4),
    Column("roi", "ROI", "money", 3),
    Column("marks", "注", "text", 4),
)
ALERT_COLUMNS = (
    Column("time", "时间", "text", 0),
    Column("level", "级别", "text", 1),
    Column("title", "提醒", "text", 0),
    Column("detail", "说明", "text", 2),
)


def _sessions(
    ctx: click.Context, room: str | None, shop: str | None, day: dt.date | None
) -> list[RoomSession]:
    workspace = open_workspace(ctx)
    settings = live_settings(workspace.settings.raw)
    cursor = workspace.connection
    chosen = pick_room(cursor, room, shop)
    return room_sessions(cursor, chosen.shop, chosen.room, settings, day=day)


def _marks(row: dict[str, Any]) -> str:
    marks = []
    if row["reset"]:
        marks.append("重置")
    if row["stale"]:
        marks.append(f"未刷新×{row['stale']}")
    if row["gap"]:
        marks.append("缺数")
    return "、".join(marks)


@click.command("intervals")
@ROOM_OPTION
@SHOP_OPTION
@DATE_OPTION
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def intervals_command(
    ctx: click.Context,
    room: str | None,
    shop: str | None,
    day: dt.date | None,
    output_format: str,
    output: Path | None,
) -> None:
    """每个采集间隔的增量与比率：Δ成交金额、Δ订单、Δ消耗、在线人数、ROI …（比率由增量重算）。"""
    sessions = _sessions(ctx, room, shop, day)
    rows = [
        {
            "shop": s.session.shop,
            "room": s.session.room,
            "session_start": s.session.start.isoformat(sep=" "),
            **row,
        }
        for s in sessions
        for row in interval_rows(s)
    ]
    if not rows:
        print_no_data(
            output_format, ["start", "end", "gmv_delta"], "这一天没有开播的场次（或只有一次采集，还没有间隔）"
        )
        return
    frame = pl.DataFrame(rows, infer_schema_length=None)
    if output_format == "table":
        spans = [f"{row['start'][11:16]}–{row['end'][11:16]}" for row in rows]
        frame = frame.with_columns(pl.Series("span", spans), pl.Series("marks", [_marks(r) for r in rows]))
    first = sessions[0]
    title = f"{first.name} {first.session.start:%Y-%m-%d %H:%M} 起 · 每个采集间隔"
    lines = [f"{m.label} = {m.formula}" for m in RATIOS if m.key in ("click_to_order_rate", "roi", "gpm")]
    lines.append("计数器是开播以来的累计：间隔的增量 = 后一次 − 前一次；大屏没刷新的重复采集并入下一个间隔。")
    emit_table(frame, output_format, output, INTERVAL_COLUMNS, title, lines, split=False)


@click.command("alerts")
@ROOM_OPTION
@SHOP_OPTION
@DATE_OPTION
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def alerts_command(
    ctx: click.Context,
    room: str | None,
    shop: str | None,
    day: dt.date | None,
    output_format: str,
    output: Path | None,
) -> None:
    """这场直播的提醒，按直播中会推送的规则逐次判断（掉点、低于主播常态、消耗节奏、在线断崖、退款、断数）。"""
    workspace = open_workspace(ctx)
    settings = live_settings(workspace.settings.raw)
    chosen = pick_room(workspace.connection, room, shop)
    sessions = room_sessions(workspace.connection, chosen.shop, chosen.room, settings, day=day)
    now = china_now() if day is None else None
    alerts = [
        a
        for s in sessions
        for a in session_alerts(s.session, plan=s.plan, benchmarks=s.benchmarks, settings=settings, now=now)
    ]
    if not alerts:
        print_no_data(output_format, ["at", "kind", "title"], "这场直播没有提醒")
        return
    rows = [a.to_json() for a in alerts]
    frame = pl.DataFrame(rows, infer_schema_length=None)
    if output_format == "table":
        frame = frame.with_columns(
            pl.Series("time", [a.at.strftime("%H:%M:%S") for a in alerts]),
            pl.Series("level", [SEVERITY_LABELS.get(a.severity, a.severity) for a in alerts]),
        )
    title = f"{chosen.name} · 直播提醒"
    lines = [
        f"同一类提醒在情况消失并过了 {settings.rearm_minutes:g} 分钟后才会再次出现；推送按直播间每 {settings.throttle_minutes:g} 分钟最多一条。"
    ]
    emit_table(frame, output_format, output, ALERT_COLUMNS, title, lines, split=False)
