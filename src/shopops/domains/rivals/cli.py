"""`shopops rival …`: the competitor registry, manual entries and the derived competitor tables.

Every table is available as a rich table, CSV or JSON. 生意参谋 indices are printed as plain
numbers (never with ¥); revenue from 指数还原 is an estimate with a range, labelled 估算.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import click
import polars as pl

from shopops.cli.context import open_workspace, out, parse_day, user_errors
from shopops.cli.fitted_tables import Column, emit_rows
from shopops.domains.rivals.analysis import (
    add_manual,
    add_rival_item,
    add_rival_shop,
    daily_sales,
    disappeared_items,
    fit_index,
    group_share,
    list_rivals,
    new_items,
    own_index_pairs,
    price_changes,
    rank_changes,
    review_growth,
)
from shopops.domains.rivals.facts import frame
from shopops.domains.rivals.findings import RivalRules
from shopops.domains.rivals.index_fit import rival_revenue_estimates
from shopops.domains.rivals.traffic import traffic_mix
from shopops.errors import UserError
from shopops.platforms import PLATFORMS
from shopops.reports.export import to_csv, to_json
from shopops.workspace import Workspace

FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
# Column labels for the tables; columns holding 生意参谋 indices end in _index/_popularity.
LABELS = {
    "shop": "店铺",
    "rival_shop": "竞店",
    "item_id": "商品ID",
    "title": "标题",
    "date": "日期",
    "previous_date": "上次日期",
    "old_price": "原价",
    "new_price": "新价",
    "change": "变化",
    "recent_median": "近14天中位价",
    "promotion": "促销",
    "price": "价格",
    "sales_total": "累计销量",
    "sales_30d": "月销量",
    "units": "日销量",
    "revenue": "估算销售额",
    "counter_status": "计数状态",
    "estimated": "估算",  # units spread over days without a snapshot
    "group_name": "分组",
    "unit_share": "销量占比",
    "revenue_share": "销售额占比",
    "rank": "排名",
    "rank_before": "上期排名",
    "rank_change": "排名变化",
    "trade_index": "交易指数",
    "revenue_low": "估算下限",
    "revenue_estimate": "估算销售额",
    "revenue_high": "估算上限",
    "traffic_source": "流量来源",
    "index_share": "流量指数占比",
    "visitor_share": "访客占比",
    "conversion_index": "支付转化指数",
    "conversion_rate": "支付转化率",
    "review_growth": "新增评价",
    "note": "备注",
    "entered_by": "录入人",
}
_RATIOS = {"change", "unit_share", "revenue_share", "index_share", "visitor_share", "conversion_rate"}


def _span(workspace: Workspace, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """--from/--to, defaulting to the latest snapshot week."""
    if end is None:
        row = workspace.connection.execute(
            "SELECT greatest(max(date), (SELECT max(date) FROM rival_index_day)) FROM rival_snapshots"
        ).fetchall()[0]
        if row[0] is None:
            raise UserError(
                "no competitor data yet — import snapshots (`shopops import FILE --map …`) or a 生意参谋 竞品 export"
            )
        end = row[0]
    start = start or end - dt.timedelta(days=6)
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    return start, end


def _cell(name: str, value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else ""
    if name in _RATIOS and isinstance(value, float):
        return f"{value:+.1%}" if name == "change" else f"{value:.1%}"
    if isinstance(value, float):
        return (
            f"{value:,.0f}" if name.endswith(("_index", "popularity")) or name == "units" else f"{value:,.2f}"
        )
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _emit(frame: pl.DataFrame, output_format: str, title: str = "") -> None:
    if output_format == "json":
        click.echo(to_json(frame))
    elif output_format == "csv":
        click.echo(to_csv(frame), nl=False)
    elif frame.is_empty():
        out.print(f"{title}：没有数据" if title else "没有数据")
    else:
        columns = [
            Column(c, LABELS.get(c, c), "text" if frame[c].dtype == pl.String else "count", 0 if i < 2 else i)
            for i, c in enumerate(frame.columns)
        ]
        cells = [[_cell(c, v) for c, v in zip(frame.columns, row, strict=True)] for row in frame.iter_rows()]
        emit_rows(columns, cells, title, records=frame.to_dicts())


@click.group("rival")
def rival_group() -> None:
    """竞店/竞品跟踪: registry, snapshots, price changes, sales, shares, 指数还原."""


@rival_group.command("add")
@click.argument("shop")
@click.option("--item", "item_id", help="A rival item (商品ID) of that shop; without it the shop is added.")
@click.option("--title", default="", help="The item's title (for the tables).")
@click.option("--our-item", default="", help="Our item (商品ID) it competes with.")
@click.option("--our-shop", default="*", show_default=True, help="Our shop it competes with.")
@click.option("--group", "group_name", default="", help="A group, e.g. the category (面霜).")
@click.option("--platform", "-p", type=click.Choice(PLATFORMS), required=True, help="The rival's platform.")
@click.pass_context
@user_errors
def add_command(
    ctx: click.Context,
    shop: str,
    item_id: str | None,
    title: str,
    our_item: str,
    our_shop: str,
    group_name: str,
    platform: str,
) -> None:
    """Follow a rival shop, or one of its items (paired with ours, in a group)."""
    con = open_workspace(ctx).connection
    if item_id is None:
        new = add_rival_shop(con, shop, platform=platform, our_shop=our_shop, group=group_name)
        out.print(f"{'已添加' if new else '已更新'}竞店 {shop}")
        return
    new = add_rival_item(
        con, shop, item_id, title=title, our_shop=our_shop, our_item_id=our_item, group=group_name
    )
    paired = f"，对标我方 {our_item}" if our_item else ""
    out.print(f"{'已添加' if new else '已更新'}竞品 {shop} {item_id}{paired}")


@rival_group.command("list")
@FORMAT
@click.pass_context
@user_errors
def list_command(ctx: click.Context, output_format: str) -> None:
    """The rival shops and items followed, with their pairing, group and last snapshot."""
    rows = list_rivals(open_workspace(ctx).connection)
    schema = ["rival_shop", "platform", "our_shop", "group", "item_id", "title", "our_item_id", "last_seen"]
    _emit(
        pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema),
        output_format,
    )


@rival_group.command("price")
@click.argument("shop")
@click.argument("item_id")
@click.argument("price")
@click.option("--date", "day", callback=parse_day, help="The day it was seen (default: today).")
@click.option("--note", default="", help="e.g. 双11 预售价, 券后价.")
@click.pass_context
@user_errors
def price_command(
    ctx: click.Context, shop: str, item_id: str, price: str, day: dt.date | None, note: str
) -> None:
    """Record a rival item's price seen by hand (it overrides the snapshot's price that day)."""
    add_manual(open_workspace(ctx).connection, day or dt.date.today(), shop, item_id, price=price, note=note)
    out.print(f"已记录 {shop} {item_id} 价格 {price}")


@rival_group.command("note")
@click.argument("shop")
@click.argument("text")
@click.option("--item", "item_id", default="", help="The rival item the note is about.")
@click.option("--date", "day", callback=parse_day, help="The day (default: today).")
@click.pass_context
@user_errors
def note_command(ctx: click.Context, shop: str, text: str, item_id: str, day: dt.date | None) -> None:
    """Record a note about a rival (a 直播, a 活动, a 新品预告 …)."""
    add_manual(open_workspace(ctx).connection, day or dt.date.today(), shop, item_id, note=text)
    out.print(f"已记录 {shop} 备注")


def _table_command(
    name: str, help_text: str, build: Callable[[Workspace, dt.date, dt.date], pl.DataFrame], title: str
) -> None:
    @rival_group.command(name, help=help_text)
    @click.option("--from", "start", callback=parse_day, help="First day (default: 6 days before --to).")
    @click.option("--to", "end", callback=parse_day, help="Last day (default: the latest snapshot).")
    @FORMAT
    @click.pass_context
    @user_errors
    def command(ctx: click.Context, start: dt.date | None, end: dt.date | None, output_format: str) -> None:
        workspace = open_workspace(ctx)
        first, last = _span(workspace, start, end)
        _emit(build(workspace, first, last), output_format, f"{title} {first} ~ {last}")


def _changes(workspace: Workspace, start: dt.date, end: dt.date) -> pl.DataFrame:
    rules = RivalRules.from_settings(workspace.settings.raw)
    return price_changes(workspace.connection, start, end, promo_drop=rules.promo_drop)


def _sales(workspace: Workspace, start: dt.date, end: dt.date) -> pl.DataFrame:
    frame = daily_sales(workspace.connection, start, end)
    return frame.select(
        pl.col("rival_shop").alias("shop"),
        "item_id",
        "date",
        "price",
        "sales_total",
        "sales_30d",
        "units",
        "revenue",
        "counter_status",
        "estimated",
    )


_table_command(
    "changes",
    "Price changes between snapshot days (shop item_id date old_price new_price …); promotion = a drop"
    " of at least rivals.promo_drop (default 15%) against the item's 14-day median.",
    _changes,
    "竞品价格变化",
)
_table_command(
    "sales",
    "Daily sales derived from the counters (cumulative or 月销量, as the mapping says), estimated revenue"
    " = units × price, and the counter status (ok, gap, reset, decrease = a data problem); estimated ="
    " the counter difference spread over days without a snapshot (估算).",
    _sales,
    "竞品日销量（估算）",
)
_table_command(
    "share",
    "Each rival shop's share of its group's units and estimated revenue.",
    lambda w, s, e: group_share(w.connection, s, e, by="shop"),
    "分组销售占比（按店铺）",
)
_table_command(
    "item-share",
    "Each rival item's share of its group's units and estimated revenue.",
    lambda w, s, e: group_share(w.connection, s, e, by="item"),
    "分组销售占比（按商品）",
)
_table_command(
    "ranks",
    "Rank by units within the group against the same-length period before.",
    lambda w, s, e: rank_changes(w.connection, s, e),
    "排名变化",
)
_table_command(
    "new", "Items first seen in the period (上新).", lambda w, s, e: new_items(w.connection, s, e), "上新"
)
_table_command(
    "gone",
    "Items no longer seen (last snapshot before their shop's latest).",
    lambda w, s, e: disappeared_items(w.connection, s, e),
    "消失的商品",
)
_table_command(
    "reviews", "Review growth per item.", lambda w, s, e: review_growth(w.connection, s, e), "评价增长"
)
_table_command(
    "traffic",
    "入店来源 mix: a rival's share of 流量指数 by source (an index share) against our visitor share.",
    lambda w, s, e: traffic_mix(w.connection, s, e),
    "流量来源结构",
)

_table_command(
    "notes",
    "Prices and notes entered by hand (`rival price`, `rival note`).",
    lambda w, s, e: frame(
        w.connection,
        "SELECT date, rival_shop AS shop, item_id, price, note, entered_by FROM rival_manual"
        " WHERE date BETWEEN $start AND $end ORDER BY date, shop, item_id, entered_at",
        {"start": s, "end": e},
    ),
    "手工记录",
)


@rival_group.command("estimate")
@click.option("--from", "start", callback=parse_day, help="First day (default: 6 days before --to).")
@click.option("--to", "end", callback=parse_day, help="Last day (default: the latest data).")
@click.option("--shop", "-s", "shop", help="Fit on this one of our shops (default: all our pairs).")
@FORMAT
@click.pass_context
@user_errors
def estimate_command(
    ctx: click.Context, start: dt.date | None, end: dt.date | None, shop: str | None, output_format: str
) -> None:
    """指数还原: rivals' 交易指数 as estimated revenue with a range, fitted on our own shop's pairs."""
    workspace = open_workspace(ctx)
    first, last = _span(workspace, start, end)
    fit = fit_index(own_index_pairs(workspace.connection, shop), shop or "")
    frame = rival_revenue_estimates(workspace.connection, fit, first, last)
    if output_format == "json":
        click.echo(to_json(frame.with_columns(pl.lit(str(fit.to_record()["formula"])).alias("fit"))))
        return
    if output_format == "table":
        out.print(
            f"指数还原（估算，不是事实）: {fit.to_record()['formula']}；{fit.pairs} 天本店数据，"
            f"典型误差 ±{fit.median_abs_pct_error:.1%}，90% 区间 ×{fit.low_factor:.3f} ~ ×{fit.high_factor:.3f}"
        )
    _emit(frame, output_format, f"竞品估算销售额 {first} ~ {last}")
