"""`shopops stock …`: the stock status of a day, per SKU or per style.

``--date`` defaults to the latest day with a stock snapshot (not after the workspace's latest complete
day). Tables fit the terminal (low-value columns are left out and named); ``--format csv|json`` give
every column with English names, the notes (口径, which ERP's snapshot) on stderr.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click
import polars as pl
from rich.console import Console
from rich.markup import escape

from shopops.cli.context import err, open_workspace, out, parse_day, user_errors
from shopops.cli.fitted_tables import Column, omitted_line, print_no_data, print_tables
from shopops.domains.stock.status import CLASSES, STATUS_COLUMNS, StockRules, stock_status
from shopops.errors import UserError
from shopops.reports.export import to_csv, to_json

HOW = (
    "先导入 ERP 的库存导出（聚水潭 商品库存、旺店通 库存、eFAST 库存、京东自营 库存），"
    "例如 `shopops import 聚水潭_商品库存_20261130.xlsx --shop 店铺名`（`shopops sources` 列出全部）"
)
STATUS_TABLE = (
    Column("sku", "商品编码", "text", 0),
    Column("shop", "店铺", "text", 6),
    Column("style", "款式", "text", 9),
    Column("category", "分类", "text", 8),
    Column("season", "季节", "text", 12),
    Column("on_hand", "实际\n库存", "count", 10),
    Column("available", "可用", "count", 2),
    Column("in_transit", "在途", "count", 11),
    Column("sales_7d", "近7天\n销量", "count", 7),
    Column("sales_30d", "近30天\n销量", "count", 3),
    Column("days_of_cover", "可售\n天数", "seconds", 1),
    Column("status", "状态", "text", 0),
    Column("age_days", "库龄\n(天)", "count", 5),
    Column("stock_value", "库存金额", "money", 4),
)

# Per style: the style names the row, the SKU column counts its SKUs.
BY_STYLE_TABLE = (
    Column("style", "款式", "text", 0),
    STATUS_TABLE[1],
    Column("sku", "SKU数", "text", 13),
    *STATUS_TABLE[3:],
)


@click.group("stock")
def stock_group() -> None:
    """商品与库存: stock status from ERP snapshots (聚水潭/旺店通/eFAST/京东自营) and the sales we hold."""


@stock_group.command("status")
@click.option("--date", "day", callback=parse_day, help="The day (default: the latest stock snapshot).")
@click.option("--shop", "-s", "shops", multiple=True, help="Only this shop (repeatable).")
@click.option("--by", type=click.Choice(["sku", "style"]), default="sku", show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.pass_context
@user_errors
def status_command(
    ctx: click.Context,
    day: dt.date | None,
    shops: tuple[str, ...],
    by: str,
    output_format: str,
    output: Path | None,
) -> None:
    """One row per SKU (or style): 实际库存, 可用, 在途, 近7/30天销量, 可售天数, 状态, 库龄, 库存金额.

    状态 is one of 零动销, 滞销, 低周转, 正常, 高周转 (thresholds: `stock:` in shopops.yaml); 组合商品 sales
    count for their components (组合商品 BOM); the notes say which ERP's snapshot each shop used.
    """
    workspace = open_workspace(ctx)
    known = {name for name, _, _ in workspace.shops()}
    for shop in shops:
        if shop not in known:
            raise UserError(f"no shop named {shop!r} — `shopops shop list` shows the shops")
    con = workspace.connection
    if day is None:
        latest = con.execute("SELECT max(period_start) FROM stock_snapshot").fetchone()
        day = latest[0] if latest else None
    if day is None:
        print_no_data(output_format, STATUS_COLUMNS, f"没有库存快照：{HOW}")
        return
    rules = StockRules.from_settings(workspace.settings.raw)
    status = stock_status(con, day, list(shops) or None, by="style" if by == "style" else "sku", rules=rules)
    if status.frame.is_empty():
        print_no_data(
            output_format, STATUS_COLUMNS, status.notes[0] if status.notes else f"{day} 没有库存快照：{HOW}"
        )
        return
    frame = status.frame.drop("erp", "snapshot_date")
    if output_format in ("csv", "json"):
        text = to_csv(frame) if output_format == "csv" else to_json(frame) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            err.print(f"已写出 {escape(str(output))}（{frame.height} 行）")
        for note in status.notes:
            err.print(escape(note))
        return
    title = f"库存状态 {day}" + (" · 按款式" if by == "style" else "")
    columns = STATUS_TABLE if by == "sku" else BY_STYLE_TABLE
    if output is None:
        _print(out, frame, columns, title, status.notes)
        return
    with output.open("w", encoding="utf-8") as handle:
        _print(Console(file=handle, width=out.width, highlight=False), frame, columns, title, status.notes)
    err.print(f"已写出 {escape(str(output))}（{frame.height} 行）")


def _print(
    console: Console, frame: pl.DataFrame, columns: Sequence[Column], title: str, notes: list[str]
) -> None:
    left_out = print_tables(console, frame, columns, title)
    counts = dict(frame["status"].value_counts().iter_rows())
    summary = "、".join(f"{name} {counts.get(name, 0)}" for name in CLASSES)
    for line in [f"状态分布：{summary}", *notes, omitted_line(left_out)]:
        if line:
            console.print(escape(line))
