"""``--engine duckdb|spark`` (with ``--spark-master`` and ``--parquet``) on the commands whose heavy
part is the master table: ``table master``, ``report``, ``findings``.

With ``--engine spark`` the master table is computed by Spark over a Parquet export of the
warehouse (:mod:`shopops.metrics.spark_engine`); everything else the command reads (shops, targets,
breakdowns below the shop) still comes from the warehouse. A local export folder (default
``parquet/`` in the workspace) is brought up to date first — only partitions changed since the last
export are written; a URL (``hdfs://``, ``s3a://`` …) is read as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.markup import escape

from shopops.cli.context import err
from shopops.errors import UserError
from shopops.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
ENGINES = ("duckdb", "spark")
DEFAULT_MASTER = "local[2]"
EXPORT_FOLDER = "parquet"  # in the workspace: the export --engine spark reads by default


def engine_options(command: F) -> F:
    """Adds ``engine``, ``spark_master`` and ``parquet_root`` parameters to a click command."""
    command = click.option(
        "--parquet",
        "parquet_root",
        metavar="DIR|URL",
        help=(
            "Spark: the Parquet export to read (default: parquet/ in the workspace, updated first)."
            " A URL such as hdfs://… or s3a://… is read as it is: keep it current with"
            " `shopops export parquet DIR` and your copy tool."
        ),
    )(command)
    command = click.option(
        "--spark-master",
        metavar="URL",
        envvar="SHOPOPS_SPARK_MASTER",
        help=(
            f"Spark: the master URL — {DEFAULT_MASTER} (default: this machine, 2 cores), spark://host:7077,"
            " yarn, k8s://…, or sc://host:15002 for Spark Connect. Env: SHOPOPS_SPARK_MASTER."
        ),
    )(command)
    command = click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="duckdb",
        show_default=True,
        help=(
            "Where the 总表 is computed: duckdb (the warehouse) or spark (a cluster, for hundreds of"
            " shops; needs `pip install 'shopops[spark]'` and Java 17). Same figures either way."
        ),
    )(command)
    return command


def use_engine(
    ctx: click.Context,
    workspace: Workspace,
    engine: str,
    spark_master: str | None,
    parquet_root: str | None,
) -> None:
    """Points ``workspace.master_table`` at the chosen engine for the rest of the command."""
    if engine == "duckdb":
        given = [
            name for name, value in (("--spark-master", spark_master), ("--parquet", parquet_root)) if value
        ]
        if given:
            raise UserError(
                f"{' and '.join(given)}: only with --engine spark — add --engine spark, or leave it out"
            )
        return
    from shopops.metrics.spark_engine import SparkEngine
    from shopops.warehouse.parquet_export import export_parquet

    root = parquet_root or str(workspace.root / EXPORT_FOLDER)
    if "://" not in root:
        with err.status("更新 Parquet 导出…"):
            result = export_parquet(workspace.connection, Path(root))
        err.print(
            f"[dim]Parquet 导出 {escape(root)}：写入 {result.partitions_written} 个分区，"
            f"未变 {result.partitions_unchanged} 个[/]"
        )
    # Under spark-submit (which hands its JVM over in PYSPARK_GATEWAY_PORT), its --master holds.
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    master = spark_master or (None if submitted else DEFAULT_MASTER)
    err.print(f"[dim]用 Spark（{escape(master or 'spark-submit')}）计算总表…[/]")
    spark = SparkEngine(root, master=master)
    workspace.metric_engine = spark
    ctx.call_on_close(spark.close)
