"""`shopops targets …`: set, import, list, split and pace targets (目标与进度)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from shopops.analysis.targets import (
    METHODS,
    PERIOD_HINT,
    STATUS_NOTES,
    TARGET_METRICS,
    Pace,
    TargetPeriod,
    check_metric,
    define_group,
    groups,
    load_targets,
    pace,
    parse_period,
    parse_value,
    remove_target,
    scope_of,
    set_target,
    split_target,
    target_kind,
)
from shopops.cli.context import default_day, open_workspace, out, parse_day, user_errors
from shopops.cli.fitted_tables import Column, emit_rows
from shopops.cli.importing import describe
from shopops.cli.options import shop_option
from shopops.errors import BadValueError, UserError
from shopops.ingest.readers import read_export
from shopops.metrics.catalog import Metric, load_catalog
from shopops.reports.csv_cells import csv_text
from shopops.workspace import Workspace

DASH = "—"
SUMMARY_ROW = re.compile(r"^\s*(合计|总计|汇总|小计)")
PACE_COLUMNS = (
    ("period", "期间"),
    ("scope", "范围"),
    ("metric_label", "指标"),
    ("target", "目标"),
    ("achieved", "已完成"),
    ("time_progress", "时间进度"),
    ("completion", "完成进度"),
    ("progress_gap", "进度差"),
    ("gap", "差额"),
    ("needed_per_day", "日均需"),
    ("forecast", "预测"),
    ("forecast_range", "预测区间"),
    ("status", "状态"),
)
# Left out in this order when the terminal is narrow (0: always shown).
_PACE_PRIORITY = {"target": 3, "achieved": 4, "progress_gap": 5, "gap": 6, "needed_per_day": 7, "forecast": 8}
PACE_TABLE = tuple(
    Column(key, label, "text" if key in ("period", "scope", "metric_label", "status") else "count",
           _PACE_PRIORITY.get(key, 9 if key == "forecast_range" else 0))
    for key, label in PACE_COLUMNS
)  # fmt: skip


def _period(_: click.Context, __: click.Parameter, value: str | None) -> TargetPeriod | None:
    if value is None:
        return None
    period = parse_period(value)
    if period is None:
        raise click.BadParameter(f"{value!r}: {PERIOD_HINT}")
    return period


_SCOPE_OPTIONS = (
    click.option("--shop", "-s", help="A shop's target (default: all shops together)."),
    click.option("--group", "-g", help="A shop group's target (see `shopops targets group`)."),
)


def _scoped(function: Any) -> Any:
    for option in reversed(_SCOPE_OPTIONS):
        function = option(function)
    return function


@click.group("targets")
def targets_group() -> None:
    """Targets and pacing (目标与进度): 时间进度 vs 完成进度, run-rate needed, forecast.

    \b
    shopops targets set --period 2026-11 --metric gmv --value 1200000 --shop 云朵旗舰店
    shopops targets split --period 2026 --metric gmv --by last-year
    shopops targets pace --format table
    """


@targets_group.command("set")
@click.option("--period", "-p", callback=_period, required=True, help="2026, 2026-Q4 or 2026-11.")
@click.option("--metric", "-m", required=True, help=f"One of: {', '.join(TARGET_METRICS)} (or its 中文名).")
@click.option("--value", "-v", required=True, help="1200000, 120万; ratios as 3.5% or 0.035; ROI as 3.2.")
@_scoped
@click.pass_context
@user_errors
def set_command(
    ctx: click.Context, period: TargetPeriod, metric: str, value: str, shop: str | None, group: str | None
) -> None:
    """Set one target (it replaces an earlier one for the same period, scope and metric)."""
    workspace = open_workspace(ctx)
    chosen = check_metric(metric)
    amount = parse_value(value, chosen)
    scope = scope_of(workspace.connection, shop, group)
    set_target(workspace.connection, period, scope, chosen.key, amount)
    out.print(f"已设置目标 {period.label} · {scope.label} · {chosen.label} = {_show(chosen, amount)}")


@targets_group.command("remove")
@click.option("--period", "-p", callback=_period, required=True, help="2026, 2026-Q4 or 2026-11.")
@click.option("--metric", "-m", required=True, help="The metric whose target to clear.")
@_scoped
@click.pass_context
@user_errors
def remove_command(
    ctx: click.Context, period: TargetPeriod, metric: str, shop: str | None, group: str | None
) -> None:
    """Clear a target (from imported sheets and `targets set` alike)."""
    workspace = open_workspace(ctx)
    chosen = check_metric(metric)
    scope = scope_of(workspace.connection, shop, group)
    if not remove_target(workspace.connection, period, scope, chosen.key):
        raise UserError(
            f"no {chosen.label} target for {period.label} · {scope.label} — see `shopops targets list`"
        )
    out.print(f"已删除目标 {period.label} · {scope.label} · {chosen.label}")


@targets_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@user_errors
def import_command(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import target sheets (`shopops template targets`), each checked first.

    `shopops import FILE` reads the same sheets; this command also checks every 期间 and 店铺组 first.
    """
    workspace = open_workspace(ctx)
    for path in paths:
        _check_sheet(workspace, path)
        result = workspace.import_file(path, source="targets")
        mark = "=" if result.already_imported else "✓"
        out.print(f"{mark} {escape(describe(result))}")


def _check_sheet(workspace: Workspace, path: Path) -> None:
    """Every 期间 is a period and every 店铺组 is defined, else a BadValueError naming row and cell."""
    registry = workspace.registry
    con = workspace.connection
    known = groups(con)
    with workspace.temp_folder() as folder:
        raw = read_export(path, registry.header_score, Path(folder), limits=workspace.read_limits)
        detection = registry.detect(raw, forced="targets")
        if "period" not in detection.mapping:
            return  # the import itself says what is missing
        indexes = [detection.mapping["period"], detection.mapping.get("shop_group", -1)]
        loaded = [i for i in indexes if i >= 0]
        raw.load(con, "_so_target_check", loaded)
        try:
            rows = con.execute(
                f"SELECT rowid, {', '.join(f'c{i}' for i in loaded)} FROM _so_target_check"
            ).fetchall()
        finally:
            con.execute("DROP TABLE IF EXISTS _so_target_check")
    for rowid, text, *rest in rows:
        cell = (text or "").strip()
        if not cell or cell in ("-", "--", "—") or SUMMARY_ROW.match(cell):
            continue
        row = raw.first_row + rowid
        if parse_period(cell) is None:
            raise BadValueError(
                path, "is not a period", row=row, column=raw.header[indexes[0]], value=cell, hint=PERIOD_HINT
            )
        group = (rest[0] or "").strip() if rest else ""
        if group and group not in known:
            raise BadValueError(
                path,
                "is not a defined shop group",
                row=row,
                column=raw.header[indexes[1]],
                value=group,
                hint=f"define it first: shopops targets group {group} --shops A,B",
            )


@targets_group.command("group")
@click.argument("name", required=False)
@click.option("--shops", help="The group's shops, comma-separated: A,B (replaces the group).")
@click.pass_context
@user_errors
def group_command(ctx: click.Context, name: str | None, shops: str | None) -> None:
    """Define a shop group (店铺组) for group targets, or list the groups."""
    workspace = open_workspace(ctx)
    con = workspace.connection
    if name and shops:
        members = [s.strip() for s in shops.replace("，", ",").split(",") if s.strip()]
        define_group(con, name, members)
        out.print(f"已定义店铺组 {name}：{'、'.join(members)}")
        return
    if name:
        raise click.UsageError("give the group's shops: --shops A,B")
    found = groups(con)
    if not found:
        out.print("还没有店铺组 — shopops targets group 名称 --shops A,B")
    for group, members in found.items():
        out.print(f"{group}：{'、'.join(members)}")


@targets_group.command("list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_context
@user_errors
def list_command(ctx: click.Context, output_format: str) -> None:
    """List the targets in force and where each came from.

    The latest value per period, scope and metric wins (a later sheet or `targets set`).
    """
    workspace = open_workspace(ctx)
    targets, problems = load_targets(workspace.connection, strict=False)
    catalog = load_catalog()
    records = [
        {
            "period": t.period.key,
            "period_start": t.period.start.isoformat(),
            "period_end": t.period.end.isoformat(),
            "scope": t.scope.label,
            "metric": t.metric,
            "metric_label": catalog.metrics[t.metric].label,
            "kind": target_kind(catalog.metrics[t.metric]),
            "target": t.value,
            "source": t.source,
        }
        for t in targets
    ]
    if output_format != "table":
        click.echo(_serialise(records, output_format), nl=False)
    elif not records:
        out.print(
            "还没有目标 — shopops targets set --period 2026-11 --metric gmv --value 1200000，或 shopops template targets"
        )
    else:
        table = Table("期间", "范围", "指标", "类型", "目标", "来源")
        kinds = {"goal": "达成", "cap": "上限/预算", "ratio": "比率"}
        for target, record in zip(targets, records, strict=True):
            metric = catalog.metrics[target.metric]
            table.add_row(
                target.period.key, target.scope.label, metric.label, kinds[str(record["kind"])],
                _show(metric, target.value), target.source,
            )  # fmt: skip
        out.print(table)
    for problem in problems:
        click.echo(f"注意 {problem}", err=True)


@targets_group.command("split")
@click.option("--period", "-p", callback=_period, required=True, help="The year (2026) or quarter (2026-Q4).")
@click.option("--metric", "-m", required=True, help="An additive metric: gmv, net_profit, ad_spend …")
@click.option(
    "--by",
    "method",
    type=click.Choice(METHODS),
    default="last-year",
    show_default=True,
    help="Last year's monthly pattern, or evenly by days.",
)
@click.option("--value", "-v", help="The total to split (default: the period's target as set).")
@_scoped
@click.option("--dry-run", is_flag=True, help="Only print the months; do not save them as targets.")
@click.pass_context
@user_errors
def split_command(
    ctx: click.Context,
    period: TargetPeriod,
    metric: str,
    method: str,
    value: str | None,
    shop: str | None,
    group: str | None,
    dry_run: bool,
) -> None:
    """Split a year/quarter target into months that add up to it exactly."""
    workspace = open_workspace(ctx)
    con = workspace.connection
    chosen = check_metric(metric)
    scope = scope_of(con, shop, group)
    if value is not None:
        total = parse_value(value, chosen)
    else:
        found = [
            t
            for t in load_targets(con)[0]
            if t.period == period and t.scope == scope and t.metric == chosen.key
        ]
        if not found:
            raise UserError(
                f"no {chosen.label} target for {period.label} · {scope.label} — pass --value or set it first"
            )
        total = found[0].value
    parts = split_target(workspace, period, scope, chosen, total, method)
    table = Table(
        "月份",
        "目标",
        "占比",
        "依据",
        title=f"{period.label} · {scope.label} · {chosen.label} {_show(chosen, total)}",
    )
    whole = sum((p.share for p in parts), Decimal(0))
    for part in parts:
        table.add_row(part.period.key, _show(chosen, part.value), f"{part.share / whole:.2%}", part.basis)
    out.print(table)
    if dry_run:
        return
    if value is not None:
        set_target(con, period, scope, chosen.key, total)
    for part in parts:
        set_target(con, part.period, scope, chosen.key, part.value)
    out.print(
        f"已保存 {len(parts)} 个月目标（合计 {_show(chosen, sum((p.value for p in parts), Decimal(0)))}）"
    )


@targets_group.command("pace")
@click.option(
    "--date", "-d", "day", callback=parse_day, help="As of this day (default: the latest complete day)."
)
@shop_option("Only targets of this shop; repeat or comma-separate for several.")
@click.option(
    "--period",
    "-p",
    "periods",
    multiple=True,
    help="Only these periods (2026, 2026-Q4, 2026-11); repeatable.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_context
@user_errors
def pace_command(
    ctx: click.Context,
    day: dt.date | None,
    shops: tuple[str, ...],
    periods: tuple[str, ...],
    output_format: str,
) -> None:
    """时间进度 vs 完成进度, gap, daily run-rate needed and forecast of the targets.

    Shows the targets whose period contains the day (default: the latest complete day).

    时间进度 counts the as-of day as elapsed. Unknown is “—” (table), empty (CSV) or null (JSON).
    """
    workspace = open_workspace(ctx)
    day = default_day(workspace, day)
    chosen = []
    for text in periods:
        period = parse_period(text)
        if period is None:
            raise click.BadParameter(f"{text!r}: {PERIOD_HINT}", param_hint="--period")
        chosen.append(period)
    known = {name for name, _, _ in workspace.shops()}
    for shop in shops:
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(sorted(known))}) — see `shopops shop list`"
            )
    rows = pace(workspace, day, shops=list(shops) or None, periods=chosen or None)
    if output_format != "table":
        click.echo(_serialise([r.record() for r in rows], output_format), nl=False)
        return
    if not rows:
        out.print("没有进行中的目标 — shopops targets set … 或 shopops targets list 查看已有目标")
        return
    statuses = sorted({row.status for row in rows})
    lines = ["  " + "；".join(f"{s}：{STATUS_NOTES[s]}" for s in statuses if s in STATUS_NOTES)]
    for row in rows:  # how each forecast was made, and why its range is what it is
        if row.forecast_note:
            method = f"{row.method}：" if row.method else ""
            lines.append(
                f"  预测 · {row.target.scope.label} {row.metric.label}：{method + row.forecast_note}"
            )
    title = f"目标进度 · 截至 {rows[0].as_of}（含当日）"
    emit_rows(PACE_TABLE, [pace_cells(row) for row in rows], title, lines, records=[r.record() for r in rows])


def pace_cells(row: Pace) -> list[str]:
    """The table cells of a pacing row, in PACE_COLUMNS order."""
    metric = row.metric
    ranged = row.forecast_low is not None and row.forecast_high is not None
    return [
        row.period.key,
        row.target.scope.label,
        metric.label,
        _show(metric, row.target.value),
        _show(metric, row.achieved),
        f"{row.time_progress:.1%}",
        DASH if row.completion is None else f"{row.completion:.1%}",
        DASH if row.progress_gap is None else f"{row.progress_gap * 100:+.1f}pp",
        _show(metric, row.gap, change=True),
        _show(metric, row.needed_per_day),
        _show(metric, row.forecast),
        f"{_show(metric, row.forecast_low)} ~ {_show(metric, row.forecast_high)}" if ranged else DASH,
        row.status,
    ]


def _show(metric: Metric, value: Decimal | None, *, change: bool = False) -> str:
    if value is None:
        return DASH
    if metric.unit == "ratio" and not metric.is_multiple:
        return f"{value * 100:.2f}pp" if change else f"{value:.2%}"
    if metric.unit in {"ratio", "score"}:
        return f"{value:.2f}"
    if metric.unit == "count":
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"
    return f"{value:,.2f}"


def _serialise(records: Sequence[dict[str, object]], output_format: str) -> str:
    def plain(value: object) -> object:
        return float(value) if isinstance(value, Decimal) else value

    if output_format == "json":
        return (
            json.dumps([{k: plain(v) for k, v in r.items()} for r in records], ensure_ascii=False, indent=1)
            + "\n"
        )
    return csv_text(records)


__all__ = ["pace_cells", "targets_group"]
