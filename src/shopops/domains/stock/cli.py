"""`shopops stock …`: the stock status of a day (per SKU or per style), its alerts, the clearance list.

``--date`` defaults to the latest day with a stock snapshot (not after the workspace's latest complete
day). Tables fit the terminal (low-value columns are left out and named); ``--format csv|json`` give
every column with English names, the notes (口径, which ERP's snapshot) on stderr.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import polars as pl
from rich.markup import escape

from shopops.cli.context import err, open_workspace, parse_day, user_errors
from shopops.cli.fitted_tables import SHOPS_OPTION, Column, emit_table, print_no_data
from shopops.domains.stock.alerts import ALERT_COLUMNS, KINDS, stock_alerts
from shopops.domains.stock.clearance import CLEARANCE_COLUMNS, clearance_list
from shopops.domains.stock.status import CLASSES, STATUS_COLUMNS, StockRules, stock_status
from shopops.errors import UserError
from shopops.reports.export import write_table
from shopops.workspace import Workspace

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
@SHOPS_OPTION
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
    title = f"库存状态 {day}" + (" · 按款式" if by == "style" else "")
    counts = dict(frame["status"].value_counts().iter_rows())
    summary = "状态分布：" + "、".join(f"{name} {counts.get(name, 0)}" for name in CLASSES)
    columns = STATUS_TABLE if by == "sku" else BY_STYLE_TABLE
    emit_table(frame, output_format, output, columns, title, [summary, *status.notes])


ALERTS_TABLE = (
    Column("sku", "商品编码", "text", 0),
    Column("shop", "店铺", "text", 6),
    Column("kind_text", "类型", "text", 0),
    Column("style", "款式", "text", 9),
    Column("available", "可用", "count", 3),
    Column("in_transit", "在途", "count", 4),
    Column("daily_sales", "日均\n销量", "money", 2),  # two decimals: 0.03 a day is not 0
    Column("days_of_cover", "可售\n天数", "seconds", 7),
    Column("cover_with_transit", "含在途\n可售天数", "seconds", 1),
    Column("stock_value", "库存金额", "money", 5),
    Column("amount_at_stake", "涉及金额", "money", 0),
    Column("formula", "涉及金额算法", "text", 10),
)
CLEARANCE_TABLE = (
    Column("style", "款式", "text", 0),
    Column("shop", "店铺", "text", 9),
    Column("season", "季节", "text", 10),
    Column("on_hand", "实际\n库存", "count", 7),
    Column("stock_value", "库存金额", "money", 1),
    Column("age_days", "库龄\n(天)", "count", 3),
    Column("sell_through", "售罄率", "ratio", 2),
    Column("weeks_to_sell_out", "清完\n周数", "seconds", 4),
    Column("velocity_trend", "销量\n趋势", "ratio", 5),
    Column("elasticity_text", "价格\n弹性", "text", 6),
    Column("score", "清仓得分", "count", 0),
    Column("markdown_band", "建议折扣", "text", 0),
)
# The Excel sheet of the activity plan: Chinese headers, money and ratios formatted.
CLEARANCE_LABELS = {
    "shop": "店铺", "style": "款式编码", "name": "名称", "category": "分类", "season": "季节", "skus": "SKU数",
    "on_hand": "实际库存", "available": "可用库存", "stock_value": "库存金额", "age_days": "库龄(天)",
    "age_basis": "库龄依据", "sell_through": "售罄率", "sell_through_formula": "售罄率口径", "sold_to_date": "期内销量", "sold_from": "销量起算日",
    "units_14d": "近14天销量", "units_prev_14d": "前14天销量", "velocity_trend": "销量趋势",
    "weeks_to_sell_out": "清完周数(近14天)", "weeks_to_sell_out_28d": "清完周数(近28天)", "score": "清仓得分",
    "list_price": "基本售价", "current_price": "当前成交价", "elasticity": "价格弹性", "seasonal_factor": "季节系数", "suggested_price": "建议售价",
    "markdown_band": "建议折扣",
}  # fmt: skip
CLEARANCE_UNITS = (
    dict.fromkeys(("stock_value", "list_price", "current_price", "suggested_price"), "money")
    | dict.fromkeys(("skus", "on_hand", "available", "age_days", "sold_to_date", "units_14d", "units_prev_14d", "score"), "count")
    | dict.fromkeys(("sell_through", "velocity_trend"), "ratio")
    | dict.fromkeys(("weeks_to_sell_out", "weeks_to_sell_out_28d", "elasticity", "seasonal_factor"), "score")
)  # fmt: skip


def _scope(workspace: Workspace, shops: tuple[str, ...], day: dt.date | None) -> dt.date | None:
    """Check the shops; the day asked, else the latest stock snapshot (None: there is none)."""
    known = {name for name, _, _ in workspace.shops()}
    for shop in shops:
        if shop not in known:
            raise UserError(f"no shop named {shop!r} — `shopops shop list` shows the shops")
    if day is not None:
        return day
    latest = workspace.connection.execute("SELECT max(period_start) FROM stock_snapshot").fetchone()
    return latest[0] if latest else None


@stock_group.command("alerts")
@click.option("--date", "day", callback=parse_day, help="The day (default: the latest stock snapshot).")
@SHOPS_OPTION
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.pass_context
@user_errors
def alerts_command(
    ctx: click.Context, day: dt.date | None, shops: tuple[str, ...], output_format: str, output: Path | None
) -> None:
    """库存告警: 断货风险, 超卖 and 积压 SKUs of the snapshot, ranked by 涉及金额 (money at stake).

    断货风险: 可售天数 counting 在途 below the 补货周期 (stock.lead_time_days, default 14; 爆款
    stock.bestseller_days, 21); 超卖: 可用 < 0; 积压: 滞销 or 零动销 with 库存金额 ≥ stock.overstock_min_value.
    The notes give each 涉及金额 formula; the same alerts join `shopops findings`.
    """
    workspace = open_workspace(ctx)
    day = _scope(workspace, shops, day)
    if day is None:
        print_no_data(output_format, ALERT_COLUMNS, f"没有库存快照：{HOW}")
        return
    rules = StockRules.from_settings(workspace.settings.raw)
    alerts = stock_alerts(workspace.connection, day, list(shops) or None, rules=rules)
    if not alerts.has_stock:
        print_no_data(
            output_format, ALERT_COLUMNS, alerts.notes[0] if alerts.notes else f"{day} 没有库存快照：{HOW}"
        )
        return
    title = f"库存告警 {day}"
    if output_format in ("csv", "json"):
        emit_table(alerts.frame, output_format, output, (), title, alerts.notes)
        return
    amounts = []
    for kind in KINDS:
        part = alerts.frame.filter(pl.col("kind") == kind)
        known = part["amount_at_stake"].drop_nulls()
        amounts.append(f"{kind} {part.height}（¥{known.sum():,.0f}）")
    lines = [
        f"合计：{'、'.join(amounts)}" if alerts.frame.height else f"{day}：没有断货、超卖或积压",
        *alerts.notes,
    ]
    shown = alerts.frame.with_columns(
        kind_text=pl.when(pl.col("bestseller") & (pl.col("kind") == "断货风险"))
        .then(pl.col("kind") + "·爆款")
        .otherwise(pl.col("kind"))
    )
    emit_table(shown, "table", output, ALERTS_TABLE, title, lines)


@stock_group.command("clearance")
@click.option(
    "--season", required=True, help="季节: 春, 夏, 秋, 冬, 四季, a 季节 of the product master, or old."
)
@click.option("--date", "day", callback=parse_day, help="The day (default: the latest stock snapshot).")
@SHOPS_OPTION
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table"
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.pass_context
@user_errors
def clearance_command(
    ctx: click.Context,
    season: str,
    day: dt.date | None,
    shops: tuple[str, ...],
    output_format: str,
    output: Path | None,
) -> None:
    """换季清仓: the styles of a season with stock, ranked by 库存金额 × 库龄 × 降速, with 售罄率, 清完周数,
    销量趋势 and a 建议折扣 from the style's own price elasticity (sell out in stock.clearance_weeks, 8).

    `--format xlsx -o 清仓计划.xlsx` writes the activity plan's Excel sheet.
    """
    if output_format == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs a file: add -o 清仓计划.xlsx")
    workspace = open_workspace(ctx)
    day = _scope(workspace, shops, day)
    if day is None:
        print_no_data(
            "json" if output_format == "xlsx" else output_format, CLEARANCE_COLUMNS, f"没有库存快照：{HOW}"
        )
        return
    rules = StockRules.from_settings(workspace.settings.raw)
    plan = clearance_list(workspace.connection, day, season, list(shops) or None, rules=rules)
    if not plan.has_stock:
        fmt = "json" if output_format == "xlsx" else output_format
        print_no_data(fmt, CLEARANCE_COLUMNS, plan.notes[0] if plan.notes else f"{day} 没有库存快照：{HOW}")
        return
    frame = plan.frame
    if output_format == "xlsx":
        assert output is not None
        notes = {"score": plan.notes[1], "sell_through": plan.notes[2], "elasticity": plan.notes[4]}
        notes |= {"markdown_band": plan.notes[5]}
        write_table(
            frame,
            "xlsx",
            output,
            labels=CLEARANCE_LABELS,
            units=CLEARANCE_UNITS,
            notes=notes,
            sheet="清仓计划",
        )
        err.print(f"已写出 {escape(str(output))}（{frame.height} 款）")
        for note in plan.notes:
            err.print(escape(note))
        return
    if output_format in ("csv", "json"):
        emit_table(frame, output_format, output, (), "", plan.notes)
        return
    shown = frame.with_columns(
        elasticity_text=pl.col("elasticity").map_elements(lambda v: f"{v:+.2f}", return_dtype=pl.String)
    )
    value = frame["stock_value"].drop_nulls().sum() if frame.height else 0
    head = (
        f"{frame.height} 款，库存金额 ¥{value:,.2f}" if frame.height else f"季节 {season}：没有有库存的款式"
    )
    label = "往季（当季以外）" if season.strip().lower() == "old" else season
    emit_table(shown, "table", output, CLEARANCE_TABLE, f"换季清仓 {label} {day}", [head, *plan.notes])
