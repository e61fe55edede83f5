"""`shopops findings` (异常发现) and `shopops explain` (GMV 变化拆解)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from rich.table import Table

from shopops.analysis.anomalies import alert_settings, detect
from shopops.analysis.anomalies.finding import SEVERITIES
from shopops.analysis.explain import text
from shopops.analysis.explain.change import explain_change
from shopops.cli.context import default_day, err, open_workspace, out, parse_day, user_errors
from shopops.cli.engine_options import engine_options, use_engine
from shopops.cli.findings_output import csv_text, empty_text, json_text, print_skipped, print_table
from shopops.cli.options import shop_option
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.workspace import Workspace

CSV_COLUMNS = (
    "date",
    "shop",
    "metric",
    "metric_label",
    "channel",
    "value",
    "expected_low",
    "expected_high",
    "severity",
    "provisional",
    "rule",
    "driver",
    "related",
    "context",
    "score",
    "explanation",
    "item",
    "impact",
    "basis",
    "since",
    "children_count",
)


def _latest(workspace: Workspace) -> dt.date:
    if not workspace.shops():
        raise UserError("no shops yet — add one with `shopops shop add 店铺名 --platform tmall`, then import")
    latest = default_day(workspace, None)
    if latest is None:
        raise UserError("nothing imported yet — `shopops import FILE…` first")
    return latest


@click.command("findings")
@click.option("--from", "start", callback=parse_day, help="First day (default: 6 days before --to).")
@click.option("--to", "end", callback=parse_day, help="Last day (default: the latest complete day).")
@shop_option()
@click.option(
    "--severity",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="Least severity shown: critical 严重, warning 警告, info 提示.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Table: every finding of each day and every child of a group (default: the top alerts.budget).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@engine_options
@click.pass_context
@user_errors
def findings_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    severity: str,
    show_all: bool,
    output_format: str,
    engine: str,
    spark_master: str | None,
    parquet_root: str | None,
) -> None:
    """异常发现: unusual figures per shop and day, with the expected range and the reason.

    Every metric is compared with the same weekday of recent weeks (大促 and holidays taken into
    account: promo_calendar in shopops.yaml), plus the usual rules (GMV 环比, 退款率, 转化率, ROI,
    淘客佣金, 零销售, DSR; thresholds under alerts: in shopops.yaml). Refund and ad figures of the last
    7 days of data are provisional (still moving).

    The table ranks each day's findings by 涉及金额 (money at stake) and shows the top alerts.budget
    (default 10) with "另有 N 条" for the rest; a group (a rival's price cuts, items that stopped
    selling) is one row with its first 3 children under it. --all shows everything. JSON and CSV
    always hold every finding (JSON: a group's "children"; CSV: child rows name their group's id in
    "parent"). Checks that could not run are listed after the table; in JSON/CSV mode on stderr.
    """
    workspace = open_workspace(ctx)
    use_engine(ctx, workspace, engine, spark_master, parquet_root)
    end = end or _latest(workspace)
    start = start or end - dt.timedelta(days=6)
    settings = alert_settings(workspace.settings.raw)
    detection = detect(
        workspace.connection,
        start,
        end,
        shops=shops or None,
        settings=settings,
        shipping=workspace.shipping_rates(),
        engine=workspace.metric_engine,
    )
    findings = [f for f in detection.findings if f.rank <= SEVERITIES.index(severity)]
    if output_format in ("json", "csv"):
        body = json_text(findings) if output_format == "json" else csv_text(findings, CSV_COLUMNS)
        click.echo(body, nl=output_format == "json")
        print_skipped(err, detection.skipped)
        return
    if findings:
        print_table(out, findings, load_catalog(), None if show_all else settings.budget)
    else:
        out.print(empty_text(start, end))
    print_skipped(out, detection.skipped)


@click.command("explain")
@shop_option("The shop; repeat or comma-separate for a group (default: all shops).")
@click.option(
    "--date", "-d", "day", callback=parse_day, help="The day to explain (default: the latest complete day)."
)
@click.option("--vs", "vs", callback=parse_day, help="Compared with this day (default: the day before).")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
@user_errors
def explain_command(
    ctx: click.Context, shops: tuple[str, ...], day: dt.date | None, vs: dt.date | None, output_format: str
) -> None:
    """GMV 变化拆解: why 支付金额 moved between two days.

    The change is split exactly (LMDI; the parts add up to the change) into 访客数 × 支付转化率 ×
    客单价, then drilled down by ad channel (spend, clicks), item and — for several shops — by shop.
    """
    workspace = open_workspace(ctx)
    day = day or _latest(workspace)
    vs = vs or day - dt.timedelta(days=1)
    selected = list(shops) or [name for name, _, _ in workspace.shops()]
    if not selected:
        raise UserError("no shops yet — add one with `shopops shop add 店铺名 --platform tmall`, then import")
    explanation = explain_change(workspace.connection, day, vs, selected)
    record = explanation.to_record()
    if output_format == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=1))
        return
    _explain_tables(record)


def _pct(value: Any) -> str:
    return "—" if value is None else text.percent(float(value))


def _explain_tables(record: dict[str, Any]) -> None:
    out.print(f"[bold]{record['shop']}[/] {record['vs']} → {record['date']}")
    parts = Table(
        "因素 factor",
        "之前",
        "之后",
        "变化",
        "贡献（元）",
        "占变化",
        title="支付金额拆解",
        caption=record["split_label"],
    )
    for part in record["parts"]:
        before, after = part["before"], part["after"]
        if part["factor"] == "conversion_rate":
            shown = ("—" if v is None else text.ratio_text(v) for v in (before, after))
            moved = "—" if before is None or after is None else text.points(after - before)
        elif part["factor"] in text.MONEY_FACTORS:
            shown = ("—" if v is None else text.money(v) for v in (before, after))
            moved = _pct(part["change_pct"])
        else:
            shown = ("—" if v is None else text.count(v) for v in (before, after))
            moved = _pct(part["change_pct"])
        share = "—" if part["share"] is None else text.share(part["share"])
        parts.add_row(part["label"], *shown, moved, text.signed_money(part["contribution"]), share)
    parts.add_row(
        "支付金额",
        text.money(record["base"]),
        text.money(record["value"]),
        _pct(record["change_pct"]),
        text.signed_money(record["change"]),
        "100%",
    )
    out.print(parts)
    if record["channels"]:
        channels = Table(
            "渠道 channel", "花费之前", "花费之后", "花费变化", "点击之前", "点击之后", title="推广渠道"
        )
        for c in record["channels"]:
            channels.add_row(
                c["label"],
                "—" if c["spend_before"] is None else text.money(c["spend_before"]),
                "—" if c["spend_after"] is None else text.money(c["spend_after"]),
                _pct(c["spend_change_pct"]),
                "—" if c["clicks_before"] is None else text.count(c["clicks_before"]),
                "—" if c["clicks_after"] is None else text.count(c["clicks_after"]),
            )
        out.print(channels)
    if record["items"]:
        items = Table("商品 item", "之前", "之后", "变化", title="商品（变化最大的）")
        for i in record["items"]:
            items.add_row(
                i["title"],
                text.money(i["sales_before"]),
                text.money(i["sales_after"]),
                text.signed_money(i["change"]),
            )
        out.print(items)
    if len(record["shops"]) > 1:
        shops = Table("店铺 shop", "之前", "之后", "变化", "占变化", title="店铺")
        for s in record["shop_parts"]:
            shops.add_row(
                s["shop"],
                "—" if s["before"] is None else text.money(s["before"]),
                "—" if s["after"] is None else text.money(s["after"]),
                "—" if s["change"] is None else text.signed_money(s["change"]),
                "—" if s["share"] is None else text.share(s["share"]),
            )
        out.print(shops)
    out.print(record["text"])
