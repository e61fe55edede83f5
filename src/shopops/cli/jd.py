"""`shopops jd prices|listings|coupons`: the JD views (price changes, 上下柜, 优惠券效果)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click

from shopops.analysis.jd import coupon_effect, listing_changes, price_changes
from shopops.cli.context import default_day, err, open_workspace, out, parse_day, user_errors
from shopops.cli.fitted_tables import DASH, Column, emit_rows, plain_output
from shopops.cli.options import shop_option
from shopops.reports.csv_cells import csv_text

View = Callable[..., list[dict[str, Any]]]
VIEWS: dict[str, tuple[View, str]] = {
    "prices": (price_changes, "价格变动（相邻两次导出的京东价不同）"),
    "listings": (listing_changes, "上下柜（new 新出现 / listed 上柜 / delisted 下柜）"),
    "coupons": (coupon_effect, "优惠券效果（ROI = 用券成交金额 / 优惠金额）"),
}


@click.group("jd")
def jd_group() -> None:
    """京东: price changes, items listed/delisted and coupon effect from 京东商智 and coupon exports."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _command(name: str) -> click.Command:
    view, title = VIEWS[name]

    @click.command(name, help=title)
    @click.option("--from", "start", callback=parse_day, help="First day (default: 29 days before --to).")
    @click.option("--to", "end", callback=parse_day, help="Last day (default: the latest complete day).")
    @shop_option()
    @click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table")
    @click.pass_context
    @user_errors
    def command(
        ctx: click.Context,
        start: dt.date | None,
        end: dt.date | None,
        shops: tuple[str, ...],
        output_format: str,
    ) -> None:
        workspace = open_workspace(ctx)
        end = default_day(workspace, end) or dt.date.today()
        start = start or end - dt.timedelta(days=29)
        rows = [
            {k: _plain(v) for k, v in row.items()}
            for shop in shops or (None,)
            for row in view(workspace.connection, start, end, shop)
        ]
        if output_format == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        elif output_format == "csv":
            click.echo(csv_text(rows), nl=False)
        elif not rows:
            (err if plain_output() else out).print(f"{title}：{start} ~ {end} 没有数据")
        else:
            columns = [Column(key, key, "text", 0 if i < 3 else i) for i, key in enumerate(rows[0])]
            cells = [[DASH if v is None else str(v) for v in row.values()] for row in rows]
            emit_rows(columns, cells, f"{title} {start} ~ {end}", records=rows)

    return command


for _name in VIEWS:
    jd_group.add_command(_command(_name))
