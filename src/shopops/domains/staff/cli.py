"""`shopops staff …`: 绩效 scores per person with their working, the cards in effect, and the bonus.

``--period`` takes a month (2026-11), a quarter (2026-Q4) or a year (2026); by default the last whole
month of the data. A quarter's or a year's score is computed from the quarter's figures (ratios from
its sums), not averaged from the months'.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import click
import duckdb
from rich.markup import escape

from shopops.analysis.targets.periods import PERIOD_HINT, TargetPeriod, parse_period
from shopops.cli.context import default_day, open_workspace, out, user_errors
from shopops.cli.fitted_tables import (
    FORMAT_XLSX_OPTION,
    OUTPUT_OPTION,
    Column,
    emit_table,
    emit_text,
    print_no_data,
)
from shopops.domains.staff.board import SCORE_COLUMNS, board_records, detail_frame, rollup_frame, score_frame
from shopops.domains.staff.cards import METHOD_LABELS
from shopops.domains.staff.cli_bonus import bonus_command
from shopops.domains.staff.library import CARDS_FILE, all_cards, preset_text
from shopops.domains.staff.scoring import Scoreboard, score_period
from shopops.domains.staff.working import rule_text
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.warehouse import audit
from shopops.workspace import Workspace

NO_STAFF = "还没有员工名单：shopops template staff-list 生成模板，填好后 shopops import 员工名单.xlsx"
SCORE_TABLE = (
    Column("person", "姓名", "text", 0),
    Column("role", "岗位", "text", 0),
    Column("total", "总分", "money", 0),
    Column("tier", "等级", "text", 0),
    Column("rank", "排名", "count", 1),
    Column("provisional", "暂定", "flag", 2),
    Column("shops", "负责店铺", "text", 5),
    Column("notes", "说明", "text", 3),
)
PERIOD_OPTION = click.option(
    "--period", "-p", help="2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default: the last whole month."
)


@click.group("staff")
def staff_group() -> None:
    """绩效: staff KPI scores from the scorecards (评分表), with their working, and the bonus."""


def resolve_period(workspace: Workspace, text: str | None, *, required: bool = True) -> TargetPeriod:
    if text:
        period = parse_period(text)
        if period is None:
            raise UserError(f"--period {text!r} 读不出来 — {PERIOD_HINT}")
        return period
    latest = default_day(workspace, None)
    if latest is None:
        if not required:  # the cards need no data: the current month's
            return TargetPeriod.containing(dt.date.today(), "month")
        raise UserError("工作区还没有数据：先 shopops import 导出文件，或写 --period 2026-11")
    month = TargetPeriod.containing(latest, "month")
    if latest < month.end:  # the month is not over: the one before
        month = TargetPeriod.containing(month.start - dt.timedelta(days=1), "month")
    return month


def board_for(ctx: click.Context, period_text: str | None, role: str | None) -> tuple[Workspace, Scoreboard]:
    workspace = open_workspace(ctx)
    period = resolve_period(workspace, period_text)
    con = workspace.connection
    if not con.execute("SELECT count(*) FROM staff").fetchall()[0][0]:
        raise UserError(NO_STAFF)
    roles = [row[0] for row in con.execute("SELECT DISTINCT role FROM staff ORDER BY 1").fetchall()]
    if role is not None and role not in roles:
        raise UserError(f"--role {role!r} 不在员工名单的岗位里（{'、'.join(roles)}）")
    return workspace, score_period(con, period, role=role)


@staff_group.command("score")
@PERIOD_OPTION
@click.option("--role", "-r", help="Only this role (岗位), with a score column per line of its card.")
@click.option("--explain", "explain", metavar="PERSON", help="Print the working of one person's card.")
@click.option(
    "--months", is_flag=True, help="A quarter or a year: each month's total beside the period's (roll-up)."
)
@FORMAT_XLSX_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def score_command(
    ctx: click.Context,
    period: str | None,
    role: str | None,
    explain: str | None,
    months: bool,
    output_format: str,
    output: Path | None,
) -> None:
    """Per person: line scores, weighted total, tier (金/银/铜 or the card's own) and rank within role.
    A person who joined or left in the period is pro-rated and says so; unsettled figures (赤兔's
    延迟统计, exports made less than 4 days after the day) make the score 暂定. `--explain 小美`
    prints every line's working and the files it came from; `--format xlsx -o 绩效.xlsx` writes a
    summary sheet and one 明细 sheet per person.
    """
    workspace, board = board_for(ctx, period, role)
    con = workspace.connection
    if explain is not None:
        _explain(con, board, explain)
        return
    if not board.people:
        print_no_data(output_format, SCORE_COLUMNS, f"{board.period.key} 没有在岗的人可评分")
        return
    lines = [f"{member.person}（{member.role}）未评分：{why}" for member, why in board.unscored]
    if board.unused_inputs:
        shown = "、".join(board.unused_inputs[:8]) + (
            f" 等 {len(board.unused_inputs)} 项" if len(board.unused_inputs) > 8 else ""
        )
        lines.append(
            f"绩效录入里没有用上的：{shown}（不在员工名单，或没有评分表用这个项目名 — 核对姓名和项目名）"
        )
    lines.append(f"数据截至 {board.through}；总分 = Σ 各项得分 × 权重；--explain 姓名 看计算过程")
    if output_format == "xlsx":
        from shopops.domains.staff.sheet_book import write_score_book

        if output is None:
            raise UserError("--format xlsx 要写 -o 文件名.xlsx")
        write_score_book(con, board, output)
        out.print(f"已写出 {escape(str(output))}（{len(board.people)} 人，每人一张明细表）")
        return
    if output_format == "json" and not months:
        text = json.dumps(board_records(con, board), ensure_ascii=False, indent=2) + "\n"
        emit_text(text, output, f"{len(board.people)} 人", lines)
        return
    by_line = role is not None and not months
    frame = score_frame(board, by_line=by_line)
    columns = [c for c in SCORE_TABLE if not (by_line and c.key == "role")]
    if months:
        if board.period.kind == "month":
            raise UserError("--months 用于季度或年度：--period 2026-Q4 或 2026")
        done = [m for m in board.period.months() if m.end <= board.through]
        frame = rollup_frame(board, [score_period(con, m, role=role) for m in done])
        lines.insert(0, f"{board.period.label} 总分按整个期间的数据重新评分，不是各月平均；各月为当月总分")
        columns[2:2] = [
            Column(key, key.removeprefix("month:"), "money", 1)
            for key in frame.columns
            if key.startswith("month:")
        ]
    if by_line and board.people:
        # A narrow terminal drops the lightest lines first (出勤率 5 % before 指标完成率 30 %).
        weights = {line.line.name: line.line.weight for line in board.people[0].lines}
        columns = [replace(c, priority=40) if c.key in ("notes", "shops") else c for c in columns]
        columns[3:3] = [
            Column(key, key.removeprefix("line:"), "money", 1 + 30 - min(int(weights[key[5:]]), 30))
            for key in frame.columns
            if key.startswith("line:")
        ]
    title = f"绩效 {board.period.label}" + (f" · {role}" if role else "")
    emit_table(frame, output_format, output, columns, title, lines, split=False)


def _explain(con: duckdb.DuckDBPyConnection, board: Scoreboard, name: str) -> None:
    match = [p for p in board.people if p.member.person == name]
    if not match:
        known = "、".join(p.member.person for p in board.people) or "无"
        raise UserError(f"{board.period.key} 的评分里没有 {name!r}（有：{known}）")
    person = match[0]
    total = "—" if person.total is None else f"{person.total}"
    tier = f"（{person.tier.label}" if person.tier else "（缺项，见上"
    rank = f"，岗位内第 {person.rank}/{person.peers} 名）" if person.rank else "）"
    out.print(f"[bold]{escape(person.member.person)}[/] {escape(person.member.role)} {board.period.label}")
    out.print(escape(f"评分表：{person.card.title}，版本 {person.card.version}"))
    for scored, line in zip(person.lines, detail_frame(con, [person]).iter_rows(named=True), strict=True):
        out.print(escape(f"· {line['working']}"), soft_wrap=False)
        if line["evidence"]:
            out.print(escape(f"  依据：{line['evidence']}"), soft_wrap=False)
        if scored.line.basis:
            out.print(escape(f"  口径：{scored.line.basis}"), soft_wrap=False)
    out.print(escape(f"总分 {total}{tier}{rank}{'，暂定' if person.provisional else ''}"))
    for note in person.notes:
        out.print(escape(f"注：{note}"), soft_wrap=False)


@staff_group.command("cards")
@PERIOD_OPTION
@click.option("--role", "-r", help="Only this role's card.")
@click.option(
    "--init",
    is_flag=True,
    help="Write the presets to scorecards.yaml in the workspace, to edit (not over one).",
)
@click.pass_context
@user_errors
def cards_command(ctx: click.Context, period: str | None, role: str | None, init: bool) -> None:
    """The scorecards in effect for the period (presets, scorecards.yaml, imported sheets), checked:
    each line's metric or manual input, scope, weight, scoring and cap. `--init` starts a
    scorecards.yaml from the presets (a card there replaces the preset of its role from its month)."""
    workspace = open_workspace(ctx)
    if init:
        target = workspace.root / CARDS_FILE
        if target.exists():
            raise UserError(f"{target} 已存在 — 直接编辑它，或先改名再 --init")
        target.write_text(preset_text(), encoding="utf-8")
        audit.record_current(workspace.connection, "staff.cards", CARDS_FILE, {"file": str(target.name)})
        out.print(f"已写出 {escape(str(target))} — 改好后 shopops staff cards 检查")
        return
    chosen = resolve_period(workspace, period, required=False)
    from shopops.domains.staff.cards import card_for

    catalog = load_catalog()
    cards = all_cards(workspace.connection, catalog)
    roles = sorted({c.role for c in cards})
    for name in [role] if role else roles:
        card = card_for(cards, name, chosen)
        if card is None:
            raise UserError(f"岗位 {name!r} 在 {chosen.key} 没有评分表（有：{'、'.join(roles)}）")
        out.print(f"[bold]{escape(card.title)}[/] 版本 {escape(card.version)}")
        for line in card.lines:
            what = line.source_label
            if line.metric:
                what = f"{catalog.label(line.metric)} {what}"
            if line.target_input:
                what += f" ÷ {'目标表' if line.target_input == 'targets' else line.target_input}"
            out.print(escape(f"  {line.number}. {line.name} {line.weight}% · {what}"), soft_wrap=False)
            out.print(escape(f"     {METHOD_LABELS[line.method]}：{rule_text(line)}"), soft_wrap=False)
        tiers = "；".join(f"{t.label} ≥{t.minimum:g}（系数 {t.coefficient}）" for t in card.tiers)
        out.print(escape(f"  等级：{tiers}"), soft_wrap=False)


staff_group.add_command(bonus_command)
