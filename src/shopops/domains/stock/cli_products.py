"""`shopops products …`: the assortment (产品结构) and the 上新 curves.

Windows default like the other commands: ``--to`` the latest complete day of the workspace, ``--from``
29 days before (the last 30 complete days); ``products new --since`` 29 days before that day. Tables
fit the terminal (low-value columns are left out and named); ``--format csv|json`` give every column
with English names, the notes (口径: which formula, which snapshot) on stderr.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click
import polars as pl

from shopops.cli.context import default_day, open_workspace, parse_day, user_errors
from shopops.cli.fitted_tables import (
    FORMAT_OPTION,
    OUTPUT_OPTION,
    SHOPS_OPTION,
    Column,
    emit_table,
    print_no_data,
)
from shopops.domains.stock.launches import LAUNCH_COLUMNS, VERDICTS, launches
from shopops.domains.stock.status import StockRules
from shopops.domains.stock.structure import (
    GRAINS,
    GROUP_COLUMNS,
    GROUP_LABELS,
    SKU_COLUMNS,
    product_structure,
)
from shopops.errors import UserError
from shopops.workspace import Workspace

HOW = (
    "先导入 商品资料（聚水潭 商品资料 或 `shopops template product-list`）、ERP 库存导出和 千牛 宝贝报表，"
    "例如 `shopops import 聚水潭_商品资料.xlsx --shop 店铺名`（`shopops sources` 列出全部）"
)
DAYS = 30

STRUCTURE_TABLE = (  # priority: 0 always shown, then the lower the longer kept on a narrow terminal
    Column("group", "分组", "text", 0),
    Column("shop", "店铺", "text", 9),
    Column("skus", "SKU数", "count", 2),
    Column("styles", "款数", "count", 13),
    Column("new_skus", "新品\nSKU", "count", 10),
    Column("active_rate", "动销率", "ratio", 3),
    Column("units", "销量", "count", 14),
    Column("gmv", "销售额", "money", 12),
    Column("gmv_share", "销售额\n占比", "ratio", 1),
    Column("profit", "毛利", "money", 15),
    Column("profit_share", "毛利\n占比", "ratio", 8),
    Column("abc_gmv", "ABC\n销售额", "text", 5),
    Column("abc_profit", "ABC\n毛利", "text", 11),
    Column("sell_through", "售罄率", "ratio", 4),
    Column("stock_value", "库存金额", "money", 16),
    Column("stock_value_share", "库存\n占比", "ratio", 6),
)
SKU_TABLE = (
    Column("sku", "商品编码", "text", 0),
    Column("shop", "店铺", "text", 6),
    Column("category", "分类", "text", 9),
    Column("price_band", "价格带", "text", 12),
    Column("new", "新品", "flag", 10),
    Column("units", "销量", "count", 4),
    Column("gmv", "销售额", "money", 1),
    Column("profit", "毛利", "money", 7),
    Column("abc_gmv", "ABC\n销售额", "text", 2),
    Column("abc_profit", "ABC\n毛利", "text", 5),
    Column("sell_through", "售罄率", "ratio", 3),
    Column("stock_value", "库存金额", "money", 8),
    Column("stock_value_share", "库存\n占比", "ratio", 11),
)
NEW_TABLE = (
    Column("item", "款式", "text", 0),
    Column("shop", "店铺", "text", 9),
    Column("category", "分类", "text", 6),
    Column("launch", "上新日", "date", 3),
    Column("verdict_days", "天数", "count", 2),
    Column("verdict_units", "销量", "count", 0),
    Column("cohort", "同类\n25–75分位", "text", 1),
    Column("verdict_visitors", "访客", "count", 5),
    Column("verdict_conversion", "转化率", "ratio", 4),
    Column("units_7d", "前7天\n销量", "count", 8),
    Column("units_14d", "前14天\n销量", "count", 7),
    Column("units_30d", "前30天\n销量", "count", 10),
    Column("verdict", "判断", "text", 0),
)
FORMAT, OUTPUT, SHOPS = FORMAT_OPTION, OUTPUT_OPTION, SHOPS_OPTION


@click.group("products")
def products_group() -> None:
    """商品结构与上新: the assortment by category/season/price band (ABC, 动销率, 售罄率), 上新 curves."""


@products_group.command("structure")
@click.option("--from", "start", callback=parse_day, help="First day (default: 29 days before --to).")
@click.option("--to", "end", callback=parse_day, help="Last day (default: the latest complete day).")
@SHOPS
@click.option(
    "--by",
    type=click.Choice(GRAINS),
    default="category",
    show_default=True,
    help="Group by 分类, 季节, 价格带 (基本售价), or one row per SKU.",
)
@FORMAT
@OUTPUT
@click.pass_context
@user_errors
def structure_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    by: str,
    output_format: str,
    output: Path | None,
) -> None:
    """产品结构 per group: SKU数, 款数, 新品, 动销率, 销售额/毛利 and their shares, ABC (by 销售额 and by
    毛利), 售罄率, 库存金额 and its share, with a 合计 row per shop.

    Ratios are recomputed from the group's sums; 售罄率/动销率/ABC follow `stock:` in shopops.yaml
    (sell_through, active_rate, abc_a/abc_b) and the notes say which formula was used.
    """
    workspace = open_workspace(ctx)
    selected = _shops(workspace, shops)
    window = _window(workspace, start, end)
    columns = SKU_COLUMNS if by == "sku" else tuple(by if c == "group" else c for c in GROUP_COLUMNS)
    if window is None:
        print_no_data(output_format, columns, f"没有商品数据：{HOW}")
        return
    first, last = window
    rules = StockRules.from_settings(workspace.settings.raw)
    grain = next(g for g in GRAINS if g == by)
    result = product_structure(workspace.connection, first, last, selected, by=grain, rules=rules)
    if result.frame.is_empty():
        print_no_data(output_format, columns, f"{first} ~ {last} 没有商品的销售或库存：{HOW}")
        return
    title = f"产品结构 {first} ~ {last} · 按{GROUP_LABELS[grain]}"
    if output_format != "table":
        emit_table(result.frame, output_format, output, (), title, result.notes)
        return
    shown = result.frame
    if by == "sku":
        table: Sequence[Column] = SKU_TABLE
    else:
        shown = shown.rename({by: "group"}).with_columns(
            *(
                pl.format("{}/{}/{}", *(pl.col(f"{kind}_{c}") for c in "abc")).alias(f"abc_{kind}")
                for kind in ("gmv", "profit")
            )
        )
        header = Column("group", GROUP_LABELS[grain], "text", 0)
        table = (header, *STRUCTURE_TABLE[1:])
    notes = [*result.notes]
    if by != "sku":
        notes.insert(0, "ABC 列为该组 A/B/C 级的SKU数（全店SKU一起排）")
    emit_table(shown, output_format, output, table, title, notes)


@products_group.command("new")
@click.option(
    "--since",
    "--from",
    "since",
    callback=parse_day,
    help="Launched on or after this day (default: 29 days before --to).",
)
@click.option("--to", "end", callback=parse_day, help="Last day (default: the latest complete day).")
@SHOPS
@click.option(
    "--by",
    type=click.Choice(["style", "sku"]),
    default="style",
    show_default=True,
    help="One row per style (its SKUs summed) or per SKU.",
)
@FORMAT
@OUTPUT
@click.pass_context
@user_errors
def new_command(
    ctx: click.Context,
    since: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    by: str,
    output_format: str,
    output: Path | None,
) -> None:
    """上新 curves: each style launched since --since, its 销量/访客/转化率 of days 1–7, 1–14, 1–30,
    against the earlier launches of its category (same days since launch), and a verdict: 起量, 跟随
    or 滞后 (percentiles: `stock: takes_off/lags` in shopops.yaml).

    上新日 = 商品资料 创建时间, else the first snapshot with stock, else the first sale; 访客 come from
    生意参谋 商品效果 (— when no export covers the days).
    """
    workspace = open_workspace(ctx)
    selected = _shops(workspace, shops)
    window = _window(workspace, since, end)
    if window is None:
        print_no_data(output_format, LAUNCH_COLUMNS, f"没有商品数据：{HOW}")
        return
    first, last = window
    rules = StockRules.from_settings(workspace.settings.raw)
    result = launches(
        workspace.connection, first, last, selected, by="sku" if by == "sku" else "style", rules=rules
    )
    if result.frame.is_empty():
        print_no_data(
            output_format,
            LAUNCH_COLUMNS,
            f"{first} ~ {last} 没有上新的{'SKU' if by == 'sku' else '款'}（上新日取商品资料的创建时间）：{HOW}",
        )
        return
    title = f"上新 {first} ~ {last}" + (" · 按SKU" if by == "sku" else "")
    if output_format != "table":
        emit_table(result.frame, output_format, output, (), title, result.notes)
        return
    shown = result.frame.with_columns(
        item=pl.col("sku" if by == "sku" else "style"),
        cohort=pl.Series(
            [_span(low, high) for low, high in result.frame.select("cohort_p25", "cohort_p75").iter_rows()]
        ),
    )
    table = NEW_TABLE if by == "style" else (Column("item", "商品编码", "text", 0), *NEW_TABLE[1:])
    counts = dict(result.frame["verdict"].value_counts().iter_rows())
    summary = "、".join(f"{name} {counts.get(name, 0)}" for name in VERDICTS)
    notes = [
        f"判断：{summary}；天数、销量、访客、转化率 = 上新以来（至多 30 天），同类 = 同分类早先上新的同样天数",
        *result.notes,
    ]
    emit_table(shown, output_format, output, table, title, notes)


def _span(low: float | None, high: float | None) -> str | None:
    if low is None or high is None:
        return None
    return f"{round(low, 1):g}–{round(high, 1):g}"


def _shops(workspace: Workspace, shops: Sequence[str]) -> list[str] | None:
    """The --shop choices (None: every shop), each a registered shop."""
    if not shops:
        return None
    known = [name for name, _, _ in workspace.shops()]
    for shop in shops:
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(known) or 'none'}) — see `shopops shop list`"
            )
    return list(dict.fromkeys(shops))


def _window(
    workspace: Workspace, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date] | None:
    """--from/--to with their defaults (the last 30 complete days); None: no data to default from."""
    end = end or default_day(workspace, None)
    if end is None:
        return None
    start = start or end - dt.timedelta(days=DAYS - 1)
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    return start, end
