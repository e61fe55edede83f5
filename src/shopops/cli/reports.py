"""`shopops report daily|weekly|monthly`: the formatted Excel 日报 / 周报 / 月报."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shopops.cli.context import default_day, open_workspace, out, parse_day, user_errors
from shopops.cli.engine_options import engine_options, use_engine
from shopops.cli.options import shop_option, split_shops
from shopops.reports.workbook import build_report

DATE_HELP = {
    "daily": "The day (default: the latest complete day).",
    "weekly": "Any day of the week (default: the latest complete week).",
    "monthly": "Any day of the month (default: the latest complete month).",
}


@click.group("report")
def report_group() -> None:
    """Formatted Excel reports: 日报 (daily), 周报 (weekly), 月报 (monthly)."""


def _command(kind: str, summary: str) -> click.Command:
    @click.option("--date", "-d", "day", callback=parse_day, help=DATE_HELP[kind])
    @shop_option()
    @click.option("--shops", "old_shops", multiple=True, callback=split_shops, hidden=True)  # the old name
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where to write the .xlsx (default: reports/ in the workspace).",
    )
    @engine_options
    @click.pass_context
    @user_errors
    def command(
        ctx: click.Context,
        day: dt.date | None,
        shops: tuple[str, ...],
        old_shops: tuple[str, ...],
        output: Path | None,
        engine: str,
        spark_master: str | None,
        parquet_root: str | None,
    ) -> None:
        chosen = split_shops(None, None, (*shops, *old_shops)) or None
        workspace = open_workspace(ctx)
        use_engine(ctx, workspace, engine, spark_master, parquet_root)
        if day is None and kind == "daily":
            default_day(
                workspace, day
            )  # says which incomplete day the 日报 passes over; the report notes it too
        report = build_report(workspace, kind, day, shops=list(chosen) if chosen else None, target=output)
        period = report.data.period
        out.print(f"已写出{period.name} {period.label} → {report.path}")
        for line in report.missing():
            out.print(f"  注意 {line}（详见「数据来源」）")

    command.__doc__ = summary
    return click.command(kind)(command)


report_group.add_command(
    _command("daily", "日报: 总表 with 环比/周同比, 趋势 charts, 推广, 利润, 退款, 口径说明, 数据来源.")
)
report_group.add_command(
    _command("weekly", "周报: the same workbook over a week (Monday–Sunday), 环比 and 同比.")
)
report_group.add_command(_command("monthly", "月报: the same workbook over a calendar month, 环比 and 同比."))
