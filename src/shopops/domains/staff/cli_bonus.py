"""`shopops staff bonus`: a period's bonus from the scores — one pool split by score, or a base times
each tier's coefficient — beside last period's, saved (signed off) with ``--save``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
import duckdb
import polars as pl
from rich.console import Console
from rich.markup import escape

from shopops.cli.context import err, out, user_errors
from shopops.cli.fitted_tables import (
    FORMAT_XLSX_OPTION,
    OUTPUT_OPTION,
    Column,
    cell,
    emit_table,
    excerpt,
    omitted_line,
    print_tables,
)
from shopops.domains.staff.bonus_plan import BonusPlan, Method, bonus_frame, plan_bonus, save_refusal
from shopops.domains.staff.bonus_runs import save_bonus
from shopops.errors import UserError

TOTAL_LABEL = "合计"
NAME_WIDTH = 16  # a long name is cut in the terminal table (csv/json/xlsx give it whole)
TABLE = (
    Column("person", "姓名", "text", 0),
    Column("role", "岗位", "text", 0),
    Column("total", "总分", "money", 0),
    Column("tier", "等级", "text", 0),
    Column("proration", "在岗天数\n占比", "ratio", 3),
    Column("bonus", "奖金", "money", 0),
    Column("previous_bonus", "上期奖金", "money", 1),
    Column("change", "变化", "money", 1),
    Column("previous_total", "上期总分", "money", 4),
    Column("provisional", "暂定", "flag", 2),
    Column("working", "计算过程", "text", 9),
)
NEEDS_ONE = "写 --pool 金额（奖金池按 总分 × 在岗天数占比 分）或 --base 金额（基数 × 等级系数），二选一"


def _amount(_: click.Context, parameter: click.Parameter, value: str | None) -> Decimal | None:
    """50000 · 50,000 · 5万 · 12345.67元 → Decimal; anything else a one-line usage error."""
    if value is None:
        return None
    text = value.strip().replace(",", "").replace("，", "").removesuffix("元").removeprefix("¥").strip()
    scale = Decimal(10_000) if text.endswith("万") else Decimal(1)
    try:
        amount = Decimal(text.removesuffix("万")) * scale
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        if parameter.name == "min_score":
            raise click.BadParameter(f"{value!r} 不是分数 — 写 60 或 72.5")
        raise click.BadParameter(f"{value!r} 不是金额 — 写 50000、5万 或 12345.67")
    return amount


@click.command("bonus")
@click.option("--period", "-p", required=True, help="2026-11 (month), 2026-Q4 (quarter) or 2026 (year).")
@click.option(
    "--pool",
    callback=_amount,
    metavar="AMOUNT",
    help="奖金池 (元, e.g. 50000 or 5万): split by total × 在岗天数占比 among everyone shown — ONE pool "
    "across all roles unless --role picks one; Σ 奖金 == pool to the 分.",
)
@click.option(
    "--base",
    callback=_amount,
    metavar="AMOUNT",
    help="奖金基数 (元): each person gets base × their tier's coefficient (金牌 1.2 …) × 在岗天数占比.",
)
@click.option("--role", "-r", help="Only this role (岗位): its own pool, and --save replaces only its rows.")
@click.option(
    "--min-score",
    callback=_amount,
    metavar="SCORE",
    help="--pool only: a total below this (e.g. 60) gets no bonus.",
)
@click.option(
    "--floor", callback=_amount, metavar="AMOUNT", help="保底 (元) per person, pro-rated by 在岗天数."
)
@click.option(
    "--cap", callback=_amount, metavar="AMOUNT", help="封顶 (元) per person, pro-rated by 在岗天数."
)
@click.option(
    "--save",
    is_flag=True,
    help="Sign off: store the bonus (replacing the period's, or the role's, earlier save) and audit it. "
    "Refused while a score is 暂定 or unknown, or the period is not over.",
)
@FORMAT_XLSX_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def bonus_command(
    ctx: click.Context,
    period: str,
    pool: Decimal | None,
    base: Decimal | None,
    role: str | None,
    min_score: Decimal | None,
    floor: Decimal | None,
    cap: Decimal | None,
    save: bool,
    output_format: str,
    output: Path | None,
) -> None:
    """The bonus of a period (奖金): `--pool 50000` splits one pool by total × 在岗天数占比 (exact
    to the 分: the leftover 分 go one each by largest remainder), `--base 3000` pays base × tier
    coefficient; `--floor`/`--cap` bound each person. Shows each person's total, tier, bonus and
    last period's saved bonus with the change; `--format xlsx -o 绩效与奖金.xlsx` writes the sheet to
    sign and each person's 明细. A person whose total is unknown gets nothing and is named.
    """
    if (pool is None) == (base is None):
        raise click.UsageError(
            ("--pool 和 --base 只能用一个：" if pool is not None else "缺少金额：") + NEEDS_ONE
        )
    if min_score is not None and base is not None:
        raise click.UsageError("--min-score 只用于 --pool（--base 按等级系数发，系数 0 的等级不发）")
    if output_format == "xlsx" and output is None:
        raise click.UsageError("--format xlsx 要写 -o 文件名，如 -o 绩效与奖金.xlsx")
    from shopops.domains.staff.cli import board_for

    workspace, board = board_for(ctx, period, role)
    if not board.people:
        raise UserError(f"{board.period.key} 没有可评分的在岗人员 — 检查员工名单的入职/离职日期和 --role")
    if board.through < board.period.start:
        raise UserError(
            f"{board.period.key} 还没有数据（数据只到 {board.through}） — 先 shopops import 这段时间的导出"
        )
    method: Method = "pool" if pool is not None else "base"
    amount = pool if pool is not None else base
    assert amount is not None
    con = workspace.connection
    plan = plan_bonus(
        con, board, method=method, basis=amount, role=role, min_score=min_score, floor=floor, cap=cap
    )
    if save and (refusal := save_refusal(plan)) is not None:
        raise UserError(refusal)
    _emit(con, plan, output_format, output)
    if save:
        replaced = save_bonus(
            con, plan.period, role, plan.rows(), method=method, basis=amount, shops=plan.shops
        )
        again = f"，替换了之前定稿的 {replaced} 行" if replaced else ""
        saved = f"已定稿 {plan.period.key} 奖金：{len(plan.lines)} 人，合计 {plan.result.total:,.2f} 元{again}；已记入操作日志"
        (err if output_format in ("csv", "json") else out).print(escape(saved))


def _emit(con: duckdb.DuckDBPyConnection, plan: BonusPlan, output_format: str, output: Path | None) -> None:
    frame = bonus_frame(plan)
    lines = [plan.rule, *plan.notes]
    if output_format == "xlsx":
        from shopops.domains.staff.sheet_book import write_bonus_book

        assert output is not None
        write_bonus_book(con, plan, output)
        out.print(f"已写出 {escape(str(output))}（{len(plan.lines)} 人，绩效与奖金 + 每人一张明细表）")
        for line in lines[1:]:
            err.print(f"[bold yellow]{escape(line)}[/]")
        return
    if output_format in ("csv", "json"):
        emit_table(frame, output_format, output, TABLE, "", lines)
        return
    title = f"奖金 {plan.period.label}" + (f" · {plan.role}" if plan.role else "")
    if output is None:
        _print(out, plan, frame, title, lines)
        return
    with output.open("w", encoding="utf-8") as handle:
        _print(
            Console(file=handle, width=out.width, highlight=False, soft_wrap=True), plan, frame, title, lines
        )
    out.print(f"已写出 {escape(str(output))}（{frame.height} 人）")


def _print(console: Console, plan: BonusPlan, frame: pl.DataFrame, title: str, lines: list[str]) -> None:
    """The table with a 合计 row; the working under it when the terminal has no room for its column;
    then how it was split and the notes, loud."""
    before = plan.previous_total
    total: dict[str, object] = {
        "person": TOTAL_LABEL,
        "bonus": plan.result.total,
        "previous_bonus": before,
        "change": None if before is None else plan.result.total - before,
    }
    rows = [
        {
            c.key: excerpt(row[c.key], NAME_WIDTH) if c.key == "person" else cell(c.kind, row[c.key])
            for c in TABLE
        }
        for row in frame.iter_rows(named=True)
    ]
    rows.append({c.key: cell(c.kind, total[c.key]) if c.key in total else "" for c in TABLE})
    shown = pl.DataFrame(rows, schema=dict.fromkeys((c.key for c in TABLE), pl.String), orient="row")
    left_out = print_tables(console, shown, TABLE, title, split=False)
    if "计算过程" in left_out:
        left_out.remove("计算过程")
        for row in frame.iter_rows(named=True):
            console.print(escape(f"· {row['person']}：{row['working']}"), soft_wrap=False)
    if note := omitted_line(left_out):
        console.print(escape(note), soft_wrap=False)
    console.print(escape(lines[0]), soft_wrap=False)
    for line in lines[1:]:
        console.print(f"[bold yellow]{escape(line)}[/]", soft_wrap=False)
