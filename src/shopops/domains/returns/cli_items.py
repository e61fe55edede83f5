"""`shopops returns items`: the focus list — SKUs or styles ranked by the Wilson lower bound of their
return rate (按支付日), with their reasons, sizes and colours and the change since the period before.

``--to`` defaults to the workspace's latest complete day, ``--from`` to 29 days before it. The table
fits the terminal (low-value columns left out and named); ``--format csv|json`` give every column with
English names (:data:`items.FOCUS_COLUMNS`), ``xlsx`` a sheet with Chinese headers; the 口径 lines
print under the table, and on stderr otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
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
    excerpt,
    print_no_data,
)
from shopops.domains.returns.items import FOCUS_COLUMNS, focus_items
from shopops.domains.returns.rules import ReturnRules
from shopops.errors import UserError

HOW = (
    "退货率需要订单行和退款单：先导入 千牛 已卖出的宝贝 宝贝报表（或 抖店 订单）和 千牛 退款管理（或 抖店 售后表），"
    "例如 `shopops import 宝贝报表.csv 退款管理.xlsx --shop 店铺名`（`shopops sources` 列出全部）"
)
ITEMS_TABLE = (
    Column("rank", "#", "count", 8),
    Column("sku", "商品编码", "text", 0),
    Column("shop", "店铺", "text", 6),
    Column("name", "名称", "text", 10),
    Column("where", "尺码·颜色", "text", 2),
    Column("lines", "支付\n子订单", "count", 0),
    Column("returns", "退货\n子订单", "count", 5),
    Column("rate", "退货率", "ratio", 0),
    Column("lower_bound", "Wilson\n下限", "ratio", 0),
    Column("change", "变化\n(pp)", "text", 0),
    Column("reason", "主要原因", "text", 0),
    Column("amount", "退款金额", "money", 4),
    Column("size_compare", "该尺码\nvs 其他", "text", 7),
    Column("prev_rate", "上期\n退货率", "ratio", 9),
)
STYLE_TABLE = (ITEMS_TABLE[0], Column("style_shown", "款式", "text", 0), *ITEMS_TABLE[2:])
ITEMS_LABELS = {
    "rank": "排名", "shop": "店铺", "sku": "商品编码", "style": "款式", "name": "名称", "color": "颜色", "size": "尺码",
    "skus": "SKU数", "lines": "支付子订单", "returns": "退货子订单", "rate": "退货率(按支付日)",
    "lower_bound": "Wilson下限", "amount": "退款金额(成功+处理中)", "refunded": "已退款", "top_reason": "主要原因",
    "top_reason_class": "主要原因大类", "top_reason_share": "主要原因占比", "second_reason": "第二原因",
    "second_reason_class": "第二原因大类", "second_reason_share": "第二原因占比", "top_class": "主因大类",
    "top_class_share": "主因大类占比", "top_class_prev_share": "上期该大类占比", "sizes": "退货尺码分布",
    "colors": "退货颜色分布", "focus_size": "关注尺码", "size_rate": "该尺码退货率", "other_sizes_rate": "同款其他尺码退货率",
    "focus_color": "关注颜色", "color_rate": "该颜色退货率", "other_colors_rate": "同款其他颜色退货率",
    "prev_lines": "上期支付子订单", "prev_returns": "上期退货子订单", "prev_rate": "上期退货率",
    "prev_lower_bound": "上期Wilson下限", "rate_change": "退货率变化(pp)", "lower_bound_change": "下限变化(pp)",
    "new": "新(上期单量不足)", "provisional": "暂定",
}  # fmt: skip
ITEMS_UNITS = (
    dict.fromkeys(("amount", "refunded"), "money")
    | dict.fromkeys(("rank", "skus", "lines", "returns", "prev_lines", "prev_returns"), "count")
    | {key: "ratio" for key in FOCUS_COLUMNS if key.endswith(("rate", "share", "bound", "change"))}
)


@click.command("items")
@click.option("--by", type=click.Choice(["sku", "style"]), default="sku", show_default=True)
@click.option("--from", "start", callback=parse_day, help="First payment day (default: 29 days before --to).")
@click.option("--to", "end", callback=parse_day, help="Last payment day (default: the latest complete day).")
@SHOPS_OPTION
@click.option(
    "--min-orders",
    type=click.IntRange(min=1),
    help="List only rows with this many paid order lines (default: returns.min_orders, 20).",
)
@FORMAT_XLSX_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def items_command(
    ctx: click.Context,
    by: str,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    min_orders: int | None,
    output_format: str,
    output: Path | None,
) -> None:
    """关注清单: SKUs (or styles) ranked by the Wilson lower bound of their 退货率 — 退货子订单 ÷ 支付子订单
    of the orders paid in the period (按支付日; a request counts whether it succeeded or is still open,
    closed ones do not) — with the top reasons and their classes, the sizes and colours the returns fall
    on, the 退款金额 and the change since the period before (pp; 新 when it had too few orders).
    """
    if output_format == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs a file: add -o 退货关注清单.xlsx")
    plain = "json" if output_format == "xlsx" else output_format
    workspace = open_workspace(ctx)
    rules = ReturnRules.from_settings(workspace.settings.raw)
    rules = replace(rules, min_orders=min_orders) if min_orders is not None else rules
    known = {name for name, _, _ in workspace.shops()}
    for shop in shops:
        if shop not in known:
            raise UserError(f"no shop named {shop!r} — `shopops shop list` shows the shops")
    end = end or default_day(workspace, None)
    if end is None:
        print_no_data(plain, FOCUS_COLUMNS, f"没有数据：{HOW}")
        return
    start = start or end - dt.timedelta(days=29)
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    focus = focus_items(
        workspace.connection, start, end, list(shops) or None, rules, "style" if by == "style" else "sku"
    )
    if not focus.has_lines:
        scope = f"（{'、'.join(shops)}）" if shops else ""
        print_no_data(plain, FOCUS_COLUMNS, f"{start}…{end}{scope} 没有付款的订单行：{HOW}")
        return
    frame = focus.frame
    title = f"退货关注清单 {start} ~ {end} 付款" + (" · 按款式" if by == "style" else "")
    if frame.is_empty():
        head = f"没有支付子订单 ≥ {rules.min_orders} 的{'款式' if by == 'style' else ' SKU'}（--min-orders 可调低）"
    else:
        head = f"{frame.height} 个{'款式' if by == 'style' else ' SKU'}，退货子订单 {frame['returns'].sum()} / 支付子订单 {frame['lines'].sum()}"
    lines = [head, *focus.notes]
    if output_format == "xlsx":
        assert output is not None
        emit_workbook(frame, output, lines, labels=ITEMS_LABELS, units=ITEMS_UNITS, sheet="退货关注清单")
        return
    if output_format in ("csv", "json"):
        emit_table(frame, output_format, output, (), title, lines)
        return
    emit_table(_shown(frame), "table", output, ITEMS_TABLE if by == "sku" else STYLE_TABLE, title, lines)


def _shown(frame: pl.DataFrame) -> pl.DataFrame:
    """The table's text columns: 尺码·颜色, 变化 (pp or 新), 主要原因 (class·reason share), 该尺码 vs 其他."""
    rows = frame.to_dicts()
    return frame.with_columns(
        where=pl.Series([_where(r) for r in rows], dtype=pl.String),
        change=pl.Series([_change(r) for r in rows], dtype=pl.String),
        reason=pl.Series([_reason(r) for r in rows], dtype=pl.String).map_elements(
            lambda text: excerpt(text, 22), return_dtype=pl.String
        ),
        size_compare=pl.Series([_compare(r) for r in rows], dtype=pl.String),
        # a SKU without a 款式编码 stands for itself; a long code or title is cut (csv/json: whole)
        style_shown=pl.coalesce("style", "sku").map_elements(
            lambda text: excerpt(text, 16), return_dtype=pl.String
        ),
        sku=pl.col("sku").map_elements(lambda text: excerpt(text, 18), return_dtype=pl.String),
    )


def _where(row: dict[str, object]) -> str | None:
    if row["sku"] is not None and row["sizes"] is None:  # a SKU: its own size and colour
        parts = [str(v) for v in (row["size"], row["color"]) if v]
        return "·".join(parts) or None
    return str(row["sizes"]) if row["sizes"] else None


def _change(row: dict[str, object]) -> str:
    if row["new"]:
        return "新"
    change = row["rate_change"]
    return f"{change * 100:+.1f}" if isinstance(change, float) else "—"


def _reason(row: dict[str, object]) -> str | None:
    if row["top_reason"] is None:
        return None
    share = row["top_reason_share"]
    return f"{row['top_reason_class']}·{row['top_reason']} {share:.0%}" if isinstance(share, float) else None


def _compare(row: dict[str, object]) -> str | None:
    size, other = row["size_rate"], row["other_sizes_rate"]
    if row["focus_size"] is None or not isinstance(size, float) or not isinstance(other, float):
        return None
    return f"{row['focus_size']} {size:.0%} vs {other:.0%}"
