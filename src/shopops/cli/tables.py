"""`shopops table master` and `shopops metrics`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import polars as pl

from shopops.cli.context import open_workspace, out, parse_day, user_errors
from shopops.cli.engine_options import engine_options, use_engine
from shopops.cli.fitted_tables import Column, emit_rows
from shopops.cli.options import shop_option
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.metrics.master import COMPARISONS, GRAINS, change_label
from shopops.reports.export import FORMATS, write_table
from shopops.reports.metric_docs import metrics_markdown

FIXED_LABELS = {
    "date": "日期",
    "shop": "店铺",
    "platform": "平台",
    "complete": "数据完整",
    "total_coverage": "合计只含部分店铺",
}


@click.group("table")
def table_group() -> None:
    """Tables built from the warehouse."""


@table_group.command("master")
@click.option("--from", "start", callback=parse_day, help="First day (default: 29 days before --to).")
@click.option("--to", "end", callback=parse_day, help="Last day (default: the latest day with data).")
@shop_option()
@click.option("--grain", type=click.Choice(GRAINS), default="day", show_default=True)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option(
    "--compare", is_flag=True, help="Add 环比 and 周同比 (day) / 同比 (week, month) change columns."
)
@click.option("--total", is_flag=True, help="Add a 合计 row per period (ratios recomputed from sums).")
@click.option(
    "--provenance", is_flag=True, help="Add <measure>__source columns naming the export each value came from."
)
@click.option(
    "--labels",
    type=click.Choice(["key", "zh"]),
    default=None,
    help="Header names: metric keys or 中文名 (default: keys for csv/json, 中文 for xlsx).",
)
@engine_options
@click.pass_context
@user_errors
def master_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    grain: str,
    output_format: str,
    output: Path | None,
    compare: bool,
    total: bool,
    provenance: bool,
    labels: str | None,
    engine: str,
    spark_master: str | None,
    parquet_root: str | None,
) -> None:
    """The master table (总表): one row per shop per day/week/month, every catalog metric.

    Ratios are fractions (0.0345), money has 2 decimals, unknown is empty (CSV) or null (JSON).
    --engine spark computes it on Spark over a Parquet export (docs/scale.md), with the same figures.
    """
    if output_format == "xlsx" and output is None:
        raise UserError("--format xlsx needs --output FILE.xlsx")
    workspace = open_workspace(ctx)
    use_engine(ctx, workspace, engine, spark_master, parquet_root)
    frame = workspace.master_table(
        start, end, shops=shops or None, grain=grain, compare=compare, provenance=provenance, total=total
    )
    catalog = load_catalog()
    use_labels = (labels or ("zh" if output_format == "xlsx" else "key")) == "zh"
    header = _labels(frame, grain) if use_labels else None
    units = {key: metric.unit for key, metric in catalog.metrics.items()}
    units.update({c: "change" for c in frame.columns if c.endswith("_change")})
    notes = {key: metric.definition for key, metric in catalog.metrics.items()}
    text = write_table(frame, output_format, output, labels=header, units=units, notes=notes)
    if text is not None:
        click.echo(text, nl=False)
    else:
        out.print(f"已写出 {output}（{frame.height} 行）")


def _labels(frame: pl.DataFrame, grain: str) -> dict[str, str]:
    catalog = load_catalog()
    labels = dict(FIXED_LABELS)
    for key, metric in catalog.metrics.items():
        daily_sum = (
            grain != "day" and catalog.measures.get(key) and catalog.measures[key].aggregate == "daily_sum"
        )
        labels[key] = metric.label + ("（日累加）" if daily_sum else "")
    for name, _ in COMPARISONS[grain]:
        for key in catalog.metrics:
            labels[f"{key}_{name}_change"] = change_label(catalog, key, name)
    for column in frame.columns:
        if column.endswith("__source"):
            labels[column] = catalog.label(column.removesuffix("__source")) + "·来源"
    if grain != "day":
        labels["date"] = "周起始日" if grain == "week" else "月份"
    return labels


@click.command("metrics")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "markdown"]),
    default="table",
    show_default=True,
)
def metrics_command(output_format: str) -> None:
    """The metric dictionary (口径): key, 中文名, definition, formula, unit."""
    catalog = load_catalog()
    if output_format == "markdown":
        click.echo(metrics_markdown(catalog), nl=False)
        return
    rows = [
        {
            "key": m.key,
            "label": m.label,
            "section": m.section,
            "unit": m.unit,
            "direction": m.direction,
            "formula": m.formula,
            "definition": m.definition,
        }
        for m in catalog.metrics.values()
    ]
    if output_format != "table":
        text = write_table(pl.DataFrame(rows), output_format, None)
        click.echo(text, nl=False)
        return
    cells = [[str(row[c.key]) for c in METRIC_TABLE] for row in rows]
    emit_rows(METRIC_TABLE, cells, "指标口径", records=rows)


METRIC_TABLE = (
    Column("key", "key", "text", 0),
    Column("label", "中文名", "text", 0),
    Column("unit", "单位", "text", 3),
    Column("formula", "公式", "text", 2, wrap=True),
    Column("definition", "口径", "text", 0, wrap=True),
)
