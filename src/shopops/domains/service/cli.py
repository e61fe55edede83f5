"""`shopops service …`: the 客服 tables — agents, the team's trend, an agent's coaching card.

Windows default like the other commands: ``--to`` the last day with 客服 data (not after the latest
complete day of the workspace), ``--from`` a week before (``team``: two weeks by day, eight weeks by
week). Every table also comes as ``--format csv|json`` with English column names; the notes (口径,
attribution option, provisional days) print under a table, and on stderr for CSV/JSON so that
standard output stays parseable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import click

from shopops.cli.context import default_day, open_workspace, out, parse_day, user_errors
from shopops.cli.fitted_tables import (
    FORMAT_OPTION,
    OUTPUT_OPTION,
    SHOPS_OPTION,
    Column,
    emit_table,
    print_no_data,
)
from shopops.domains.service.agents import AGENT_COLUMNS, CONVERSION_LABELS, agent_table
from shopops.domains.service.cli_coach import print_card
from shopops.domains.service.coaching import coach
from shopops.domains.service.daily import registered_shops, service_span
from shopops.domains.service.records import UNSTATED, load_records
from shopops.domains.service.team import TEAM_COLUMNS, Grain, team_trend
from shopops.errors import UserError
from shopops.workspace import Workspace

GROUPS = ("售前", "售后")
ATTRIBUTIONS = ("下单优先判定", "付款优先判定")
HOW = (
    "先导入 赤兔 售前明细/客服绩效（或 千牛 客服数据汇总）、抖店飞鸽 客服接待量、京东咚咚 客服绩效 的导出，"
    "例如 `shopops import 赤兔_售前明细_….xlsx --shop 店铺名`（`shopops sources` 列出全部）"
)
NO_DATA = f"没有客服数据：{HOW}"
AGENT_TABLE = (  # priority: 0 always shown, then the lower the longer kept on a narrow terminal
    Column("agent", "客服", "text", 0),
    Column("shop", "店铺", "text", 5),
    Column("group", "分组", "text", 12),
    Column("days", "天数", "count", 13),
    Column("inquiries", "询单\n人数", "count", 3),
    Column("inquiry_buyers", "询单付款\n人数", "count", 10),
    Column("inquiry_conversion", "询单\n转化率", "ratio", 1),
    Column("sales", "销售额", "money", 2),
    Column("sales_orders", "订单数", "count", 14),
    Column("aov", "客单价", "money", 6),
    Column("avg_response_seconds", "平均响应\n(秒)", "seconds", 4),
    Column("first_response_seconds", "首次响应\n(秒)", "seconds", 11),
    Column("reply_rate", "回复率", "ratio", 7),
    Column("slow_responses", "慢响应", "count", 15),
    Column("satisfaction_rate", "满意率", "ratio", 9),
    Column("refund_amount", "退款金额", "money", 16),
    Column("provisional", "暂定", "flag", 8),
)
TEAM_TABLE = (
    Column("period", "日期", "date", 0),
    Column("shop", "店铺", "text", 5),
    Column("days", "天数", "count", 12),
    Column("agents", "客服数", "count", 11),
    Column("receptions", "接待\n人数", "count", 6),
    Column("inquiries", "询单\n人数", "count", 4),
    Column("inquiry_conversion", "询单\n转化率", "ratio", 1),
    Column("avg_response_seconds", "平均响应\n(秒)", "seconds", 2),
    Column("service_sales", "客服\n销售额", "money", 7),
    Column("gmv", "支付金额", "money", 10),
    Column("conversion_rate", "支付\n转化率", "ratio", 3),
    Column("service_sales_share", "客服销售额\n占比", "ratio", 8),
    Column("provisional", "暂定", "flag", 9),
)
FORMAT, OUTPUT, SHOPS = FORMAT_OPTION, OUTPUT_OPTION, SHOPS_OPTION
GROUP = click.option(
    "--group", type=click.Choice(GROUPS), help="Only 售前 or 售后 agents (from the 客服名单)."
)


@click.group("service")
def service_group() -> None:
    """客服: per-agent figures (赤兔/千牛/飞鸽/咚咚), the team's trend, coaching cards."""


@service_group.command("agents")
@click.option("--from", "start", callback=parse_day, help="First day (default: 6 days before --to).")
@click.option("--to", "end", callback=parse_day, help="Last day (default: the last day with 客服 data).")
@SHOPS
@GROUP
@click.option(
    "--attribution",
    type=click.Choice(ATTRIBUTIONS),
    help="赤兔 客服销售额 option (default: the one most rows use).",
)
@click.option(
    "--conversion",
    type=click.Choice(["paid", "ordered"]),
    default="paid",
    show_default=True,
    help="询单转化率: 询单->最终付款 (paid) or 询单->最终下单 (ordered) ÷ 询单人数.",
)
@FORMAT
@OUTPUT
@click.pass_context
@user_errors
def agents_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    group: str | None,
    attribution: str | None,
    conversion: str,
    output_format: str,
    output: Path | None,
) -> None:
    """One row per agent: 询单, 询单转化率, 销售额, 响应, 回复率, 满意率 … (ratios from the counts).

    Several exports of one agent and day are one record; a renamed 旺旺 is one person (客服名单);
    a window that is exactly a range export uses it (整段导出), else the day rows are added up (日累加).
    """
    workspace = open_workspace(ctx)
    selected = _shops(workspace, shops)
    window = _window(workspace, start, end, selected, days=7)
    if window is None:
        print_no_data(output_format, AGENT_COLUMNS, NO_DATA)
        return
    first, last = window
    table = agent_table(
        workspace.connection,
        first,
        last,
        selected,
        group=group,
        attribution=attribution,
        conversion="ordered" if conversion == "ordered" else "paid",
    )
    if table.frame.is_empty():
        print_no_data(output_format, AGENT_COLUMNS, f"{first} ~ {last} {_scope(selected, group)}{NO_DATA}")
        return
    title = f"客服 {first} ~ {last}" + (f" · {group}" if group else "")
    emit_table(table.frame, output_format, output, AGENT_TABLE, title, table.notes)


@service_group.command("team")
@click.option(
    "--from", "start", callback=parse_day, help="First day (default: 2 weeks, or 8 weeks --by week)."
)
@click.option("--to", "end", callback=parse_day, help="Last day (default: the last day with 客服 data).")
@SHOPS
@GROUP
@click.option("--by", type=click.Choice(["day", "week"]), default="day", show_default=True)
@FORMAT
@OUTPUT
@click.pass_context
@user_errors
def team_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    group: str | None,
    by: str,
    output_format: str,
    output: Path | None,
) -> None:
    """The team per shop and day/week: 接待, 询单, 询单转化率, 平均响应, 客服销售额, against the shop's
    支付转化率 (买家 ÷ 访客) and 客服销售额占比 (÷ 支付金额) of the same days (from the master table)."""
    workspace = open_workspace(ctx)
    selected = _shops(workspace, shops)
    grain: Grain = "week" if by == "week" else "day"
    window = _window(workspace, start, end, selected, days=14 if grain == "day" else 0)
    if window is None:
        print_no_data(output_format, TEAM_COLUMNS, NO_DATA)
        return
    first, last = window
    if start is None and grain == "week":
        first = last - dt.timedelta(days=last.weekday() + 7 * 7)
    frame = team_trend(workspace.connection, first, last, selected, by=grain, group=group)
    if frame.is_empty():
        print_no_data(
            output_format,
            TEAM_COLUMNS,
            f"{first} ~ {last} {_scope(selected, group)}没有按日的客服数据：{HOW}",
        )
        return
    notes = [
        "询单转化率 = 询单->最终付款人数 ÷ 询单人数（已结算的日期）；团队为客服相加，同一买家问过两位客服计两次",
        "支付转化率 = 支付买家数 ÷ 访客数，客服销售额占比 = 客服销售额 ÷ 支付金额：与客服同一批日期，取自总表",
    ]
    if grain == "week":
        notes.append("按周（周一起）：日累加，人数、访客、买家为每天之和；首尾两周只含窗口内的日期")
    notes += _attribution_notes(workspace, first, last, selected)
    if bool(frame["provisional"].any()):
        notes.append("暂定：部分日期的询单->最终付款尚未结算（约 4 天后稳定），结算后重新导入即更新")
    columns: tuple[Column, ...] = TEAM_TABLE
    if grain == "week":
        week = {"period": Column("period", "周起始日", "date", 0), "days": Column("days", "天数", "count", 1)}
        columns = tuple(week.get(c.key, c) for c in TEAM_TABLE)  # a partial week shows its days
    title = f"客服团队{'按周' if grain == 'week' else '按日'} {first} ~ {last}" + (
        f" · {group}" if group else ""
    )
    emit_table(frame, output_format, output, columns, title, notes)


@service_group.command("coach")
@click.argument("agent")
@click.option("--month", help="The month, like 2026-11 (default: the month of the last 客服 data).")
@SHOPS
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
@user_errors
def coach_command(
    ctx: click.Context, agent: str, month: str | None, shops: tuple[str, ...], output_format: str
) -> None:
    """An agent's coaching card for a month: the 3 weakest figures against the team's median (same
    shop and group), the agent's last months, the worst days as evidence, and what changed since
    last month. AGENT is a 客服名单 name or an account (旺旺)."""
    workspace = open_workspace(ctx)
    selected = _shops(workspace, shops)
    if month is None:
        last = service_span(workspace.connection, selected)[1]
        if last is None:
            raise UserError(NO_DATA)
        month = last.strftime("%Y-%m")
    card = coach(workspace.connection, agent, month, selected)
    if output_format == "json":
        click.echo(json.dumps(card.to_record(), ensure_ascii=False, indent=1))
        return
    print_card(out, card)


def _shops(workspace: Workspace, shops: Sequence[str]) -> list[str] | None:
    """The --shop choices (None: every shop), each a registered shop."""
    if not shops:
        return None
    known = registered_shops(workspace.connection)
    for shop in shops:
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(known) or 'none'}) — see `shopops shop list`"
            )
    return list(dict.fromkeys(shops))


def _window(
    workspace: Workspace,
    start: dt.date | None,
    end: dt.date | None,
    shops: Sequence[str] | None,
    *,
    days: int,
) -> tuple[dt.date, dt.date] | None:
    """--from/--to with their defaults; None when there is no 客服 data at all to default from."""
    if end is None:
        first, last = service_span(workspace.connection, shops)
        if last is None or first is None:
            return None
        end = last
        complete = workspace.data_dates()[1]
        if complete is not None and first <= complete < last:
            end = default_day(workspace, None) or last  # says which incomplete day it skipped
    start = start or end - dt.timedelta(days=max(days - 1, 0))
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    return start, end


def _scope(shops: Sequence[str] | None, group: str | None) -> str:
    parts = ["、".join(shops)] if shops else []
    parts += [group] if group else []
    return f"（{' '.join(parts)}）" if parts else ""


def _attribution_notes(
    workspace: Workspace, start: dt.date, end: dt.date, shops: Sequence[str] | None
) -> list[str]:
    records = load_records(workspace.connection, start, end, shops)
    return [
        f"{shop}：客服销售额按 {option or UNSTATED}" for shop, option in sorted(records.attribution.items())
    ]


__all__ = ["CONVERSION_LABELS", "service_group"]
