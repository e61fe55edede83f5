"""`shopops jd prices|listings|coupons`: the JD views (price changes, 上下柜, 优惠券效果)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click
from rich.table import Table

from shopops.analysis.jd import coupon_effect, listing_changes, price_changes
from shopops.cli.context import open_workspace, out, user_errors
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
    @click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
    @click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
    @click.option("--shop", help="Only this shop.")
    @click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table")
    @click.pass_context
    @user_errors
    def command(
        ctx: click.Context, start: dt.datetime, end: dt.datetime, shop: str | None, output_format: str
    ) -> None:
        workspace = open_workspace(ctx)
        rows = [
            {k: _plain(v) for k, v in row.items()}
            for row in view(workspace.connection, start.date(), end.date(), shop)
        ]
        if output_format == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        elif output_format == "csv":
            click.echo(csv_text(rows), nl=False)
        else:
            table = Table(*(rows[0] if rows else ["—"]), title=title)
            for row in rows:
                table.add_row(*("—" if v is None else str(v) for v in row.values()))
            out.print(table)

    return command


for _name in VIEWS:
    jd_group.add_command(_command(_name))
