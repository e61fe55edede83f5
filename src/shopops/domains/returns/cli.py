"""`shopops returns …`: the returns summary (both rate bases) and the reason Pareto with 品退率.

``--to`` defaults to the workspace's latest complete day, ``--from`` to 29 days before it (the last
30 complete days). Tables fit the terminal (low-value columns left out and named); ``--format
csv|json`` give every column with English names and ``xlsx`` a sheet with Chinese headers; the notes
(口径, which basis, provisional days) print under a table and on stderr otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click
import polars as pl

from shopops.cli.context import default_day, open_workspace, parse_day, user_errors
from shopops.cli.fitted_tables import (
    FORMAT_XLSX_OPTION,
    OUTPUT_OPTION,
    SHOPS_OPTION,
    Column,
    emit_table,
    emit_workbook,
    print_no_data,
)
from shopops.domains.returns.cli_items import items_command
from shopops.domains.returns.pareto import PARETO_COLUMNS, RATE_COLUMNS, product_rates, reason_pareto
from shopops.domains.returns.rules import ReturnRules
from shopops.domains.returns.summary import SUMMARY_COLUMNS, case_shops, returns_summary
from shopops.errors import UserError
from shopops.workspace import Workspace

HOW = "先导入 千牛 退款管理 或 抖店 售后表 导出：shopops import 退款管理.xlsx --shop 店铺名（`shopops sources` 列出全部）"
NO_DATA = f"没有退款/售后数据：{HOW}"

SUMMARY_TABLE = (
    Column("shop", "店铺", "text", 0),
    Column("success_cases", "成功\n退款单", "count", 0),
    Column("success_amount", "成功退款\n金额", "money", 0),
    Column("refund_only_amount", "仅退款\n金额", "money", 6),
    Column("return_refund_amount", "退货退款\n金额", "money", 5),
    Column("exchange_cases", "换货\n单数", "count", 10),
    Column("before_shipment_amount", "发货前\n金额", "money", 9),
    Column("after_shipment_amount", "发货后\n金额", "money", 4),
    Column("unknown_shipment_cases", "发货\n未知", "count", 12),
    Column("open_cases", "处理中", "count", 8),
    Column("gmv", "支付金额", "money", 7),
    Column("refund_rate_completed", "退款率\n(按完结日)", "ratio", 0),
    Column("after_shipment_rate", "发货后退款率\n(按完结日)", "ratio", 3),
    Column("product_rate", "品退率\n(按完结日)", "ratio", 11),
    Column("refund_rate_cohort", "退款率\n(按支付日)", "ratio", 0),
    Column("order_refund_rate_cohort", "退款订单率\n(按支付日)", "ratio", 2),
    Column("provisional", "暂估", "flag", 1),
)
SUMMARY_LABELS = {
    "shop": "店铺", "platform": "平台", "success_cases": "成功退款单(按完结日)", "success_amount": "成功退款金额(按完结日)",
    "refund_only_cases": "仅退款单数", "refund_only_amount": "仅退款金额", "return_refund_cases": "退货退款单数",
    "return_refund_amount": "退货退款金额", "exchange_cases": "换货单数", "exchange_amount": "换货金额",
    "unstated_cases": "未注明类型单数", "unstated_amount": "未注明类型金额", "before_shipment_cases": "发货前单数",
    "before_shipment_amount": "发货前金额", "after_shipment_cases": "发货后单数", "after_shipment_amount": "发货后金额",
    "unknown_shipment_cases": "发货未知单数", "unknown_shipment_amount": "发货未知金额", "open_cases": "处理中单数(按申请日)",
    "open_amount": "处理中金额", "closed_cases": "已关闭单数(按申请日)", "not_return_cases": "非退货售后单(价保/补寄/取消)",
    "gmv": "支付金额", "paid_orders": "支付订单数", "refund_rate_completed": "退款率(按完结日)",
    "after_shipment_rate": "发货后退款率(按完结日)", "product_amount": "品退金额(按完结日)", "product_rate": "品退率(按完结日)",
    "cohort_amount": "成功退款金额(按支付日)", "cohort_orders": "退款订单数(按支付日)", "refund_rate_cohort": "退款率(按支付日)",
    "order_refund_rate_cohort": "退款订单率(按支付日)", "cohort_unplaced": "无付款时间的成功退款单",
    "as_of": "数据截至", "provisional": "按支付日暂估", "stable_on": "稳定日",
}  # fmt: skip
PARETO_TABLE = (
    Column("class", "原因大类", "text", 0),
    Column("reason", "退款原因", "text", 0),
    Column("count", "单数", "count", 0),
    Column("amount", "金额", "money", 4),
    Column("share", "占比", "ratio", 0),
    Column("cum_share", "累计\n占比", "ratio", 5),
    Column("count_prev", "上期\n单数", "count", 6),
    Column("change_text", "占比\n变化", "text", 1),
    Column("top_reasons", "主要原因", "text", 2),
)
PARETO_LABELS = {
    "reason": "退款原因", "class": "原因大类", "count": "单数", "amount": "金额", "share": "占比", "cum_share": "累计占比",
    "count_prev": "上期单数", "share_prev": "上期占比", "share_change": "占比变化(pp)", "top_reasons": "主要原因",
}  # fmt: skip
RATE_TABLE = (
    Column("sku", "商品编码", "text", 0),
    Column("shop", "店铺", "text", 5),
    Column("style", "款式", "text", 6),
    Column("paid_lines", "支付\n子订单", "count", 0),
    Column("product_cases", "品退\n单数", "count", 0),
    Column("product_rate", "品退率\n(按支付日)", "ratio", 0),
    Column("return_rate", "退货率\n(按支付日)", "ratio", 2),
    Column("product_amount", "品退\n金额", "money", 3),
    Column("top_reason", "主要品退原因", "text", 1),
)
RATE_LABELS = {
    "shop": "店铺", "sku": "商品编码", "style": "款式", "name": "名称", "paid_lines": "支付子订单",
    "product_cases": "品退单数", "product_rate": "品退率(按支付日)", "return_cases": "成功退货退款单",
    "return_rate": "退货率(按支付日)", "product_amount": "品退金额", "top_reason": "主要品退原因",
}  # fmt: skip


def _units(columns: Sequence[str]) -> dict[str, str]:
    units = {}
    for key in columns:
        if key.endswith("amount") or key == "gmv":
            units[key] = "money"
        elif "rate" in key or "share" in key:
            units[key] = "ratio"
        elif key.endswith(("cases", "orders", "lines", "count", "count_prev", "unplaced")):
            units[key] = "count"
    return units


START = click.option("--from", "start", callback=parse_day, help="First day (default: 29 days before --to).")
END = click.option("--to", "end", callback=parse_day, help="Last day (default: the latest complete day).")


@click.group("returns")
def returns_group() -> None:
    """退货: refunds and returns (千牛 退款管理, 抖店 售后表) — totals, both rate bases, reasons, 品退率."""


@returns_group.command("summary")
@START
@END
@SHOPS_OPTION
@FORMAT_XLSX_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def summary_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    output_format: str,
    output: Path | None,
) -> None:
    """Per shop and 合计: refunds by type (仅退款/退货退款/换货) and shipment (发货前/发货后), 处理中,
    and the refund rate on both bases — 按完结日 (this period's refunded money ÷ its 支付金额; the
    总表's 退款率) and 按支付日 (the orders paid in the period and their refunds since; 暂估 for
    returns.provisional_days, 14, after the period), plus 发货后退款率 and 品退率.
    """
    workspace, rules, window = _prepare(ctx, shops, start, end, output_format)
    if window is None:
        print_no_data(_plain(output_format), SUMMARY_COLUMNS, NO_DATA)
        return
    first, last = window
    result = returns_summary(workspace.connection, first, last, list(shops) or None, rules)
    if result.frame.is_empty():
        print_no_data(_plain(output_format), SUMMARY_COLUMNS, f"{_scope(shops)}{NO_DATA}")
        return
    title = f"退货汇总 {first} ~ {last}"
    _emit(
        result.frame,
        output_format,
        output,
        SUMMARY_TABLE,
        SUMMARY_LABELS,
        title,
        result.notes,
        "退货汇总",
        split=False,
    )


@returns_group.command("reasons")
@START
@END
@SHOPS_OPTION
@click.option(
    "--by",
    type=click.Choice(["reason", "class", "sku", "style"]),
    default="reason",
    show_default=True,
    help="reason/class: the Pareto; sku/style: 品退率 per SKU or style.",
)
@FORMAT_XLSX_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def reasons_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    by: str,
    output_format: str,
    output: Path | None,
) -> None:
    """The reason Pareto: count, amount, share, cumulative share and the change since the previous
    period (same length), each reason in its 原因大类 (品质, 仓配, 尺码, 主观, 服务/其他 — editable:
    returns.reason_classes in shopops.yaml); `--by class` one row per class with its top reasons;
    `--by sku|style` 品退率 = product-caused refunds ÷ paid order lines (按支付日).
    """
    workspace, rules, window = _prepare(ctx, shops, start, end, output_format)
    columns = RATE_COLUMNS if by in ("sku", "style") else PARETO_COLUMNS
    if window is None:
        print_no_data(_plain(output_format), columns, NO_DATA)
        return
    first, last = window
    chosen = case_shops(workspace.connection, list(shops) or None)
    if not chosen:
        print_no_data(_plain(output_format), columns, f"{_scope(shops)}{NO_DATA}")
        return
    con = workspace.connection
    if by in ("sku", "style"):
        rates = product_rates(con, first, last, chosen, rules, by="style" if by == "style" else "sku")
        table = RATE_TABLE if by == "sku" else _style_table()
        title = f"品退率 {first} ~ {last}" + (" · 按款式" if by == "style" else "")
        _emit(rates.frame, output_format, output, table, RATE_LABELS, title, rates.notes, "品退率")
        return
    pareto = reason_pareto(con, first, last, chosen, rules, by="class" if by == "class" else "reason")
    head = f"{pareto.cases} 单（上期 {pareto.cases_prev} 单）"
    title = f"退款原因{'大类' if by == 'class' else ''} {first} ~ {last}"
    frame = pareto.frame
    if output_format == "table":  # the change of a share in points: +5.0pp
        unwanted = "reason" if by == "class" else "top_reasons"
        table = tuple(c for c in PARETO_TABLE if c.key != unwanted)
        frame = frame.with_columns(
            change_text=pl.col("share_change").map_elements(
                lambda v: f"{v * 100:+.1f}pp", return_dtype=pl.String
            )
        )
        emit_table(frame, "table", output, table, title, [head, *pareto.notes])
        return
    _emit(frame, output_format, output, PARETO_TABLE, PARETO_LABELS, title, [head, *pareto.notes], "退款原因")


def _style_table() -> tuple[Column, ...]:
    return (
        Column("style", "款式", "text", 0),
        Column("shop", "店铺", "text", 5),
        Column("sku", "SKU数", "text", 6),
        *RATE_TABLE[3:],
    )


def _prepare(
    ctx: click.Context,
    shops: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    output_format: str,
) -> tuple[Workspace, ReturnRules, tuple[dt.date, dt.date] | None]:
    """The workspace, the returns settings and the window (None: no refund/售后 data at all)."""
    if output_format == "xlsx" and ctx.params.get("output") is None:
        raise click.UsageError("--format xlsx needs a file: add -o 退货.xlsx")
    workspace = open_workspace(ctx)
    rules = ReturnRules.from_settings(workspace.settings.raw)
    known = {name for name, _, _ in workspace.shops()}
    for shop in shops:
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(sorted(known)) or 'none'}) — see `shopops shop list`"
            )
    if not case_shops(workspace.connection):
        return workspace, rules, None
    if end is None:
        end = default_day(workspace, None)
        if end is None:
            return workspace, rules, None
    start = start or end - dt.timedelta(days=29)
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    return workspace, rules, (start, end)


def _plain(output_format: str) -> str:
    return "json" if output_format == "xlsx" else output_format


def _scope(shops: Sequence[str]) -> str:
    return f"（{'、'.join(shops)}）" if shops else ""


def _emit(
    frame: pl.DataFrame,
    output_format: str,
    output: Path | None,
    table: Sequence[Column],
    labels: dict[str, str],
    title: str,
    notes: Sequence[str],
    sheet: str,
    *,
    split: bool = True,
) -> None:
    if output_format == "xlsx":
        assert output is not None
        emit_workbook(frame, output, notes, labels=labels, units=_units(frame.columns), sheet=sheet)
        return
    emit_table(frame, output_format, output, table, title, notes, split=split)


returns_group.add_command(items_command)
