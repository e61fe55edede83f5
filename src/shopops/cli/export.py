"""`shopops export parquet DIR`: the warehouse's tables as Hive-partitioned Parquet (for Spark …)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopops.cli.context import err, open_workspace, out, user_errors
from shopops.warehouse import audit
from shopops.warehouse.parquet_export import ExportResult, export_parquet


@click.group("export")
def export_group() -> None:
    """Export the warehouse for other tools (导出)."""


@export_group.command("parquet")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False))
@click.pass_context
@user_errors
def export_parquet_command(ctx: click.Context, directory: str) -> None:
    """Write the warehouse's tables into DIR as Parquet, partitioned Hive style by shop and month
    (<table>/shop=…/month=YYYY-MM/part-….parquet), with manifest.json naming every file — what
    `shopops table master --engine spark` reads. Run it again to bring DIR up to date: only the
    partitions whose rows changed are written. Accounts, tokens and the audit log are left out."""
    workspace = open_workspace(ctx)
    target = Path(directory).expanduser().absolute()
    bar = Progress(
        TextColumn("[bold]导出[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task("", total=None)

        def report(label: str, done: int, total: int) -> None:
            bar.update(task, description=escape(label), completed=done, total=total)

        result = export_parquet(workspace.connection, target, progress=report)
    if workspace.warehouse.refusal is None:
        con = workspace.connection
        with audit.atomic(con):
            audit.record_current(con, "export", str(target), _detail(result))
    out.print(summary(result, target))
    if result.reason is not None:
        # The reason in a run of its own: said in the run's language whole, not taken apart.
        err.print(f"[yellow]注意[/] 全量导出：[italic]{escape(result.reason)}[/]")


def summary(result: ExportResult, target: Path) -> str:
    """The one line the command prints."""
    where, seconds = escape(str(target)), f"{result.seconds:.1f}"
    if result.partitions_written == 0 and result.partitions_removed == 0:
        return (
            f"[green]✓[/] {where} 已是最新：{result.tables} 张表，{result.partitions_unchanged} 个分区均未变，"
            f"未写入数据文件，用时 {seconds} 秒"
        )
    return (
        f"[green]✓[/] 已导出 {result.tables} 张表到 {where}：写入 {result.partitions_written} 个分区"
        f"（{result.rows_written:,} 行），未变 {result.partitions_unchanged} 个，删除 {result.partitions_removed} 个，"
        f"用时 {seconds} 秒"
    )


def _detail(result: ExportResult) -> dict[str, object]:
    return {
        "shops": None,  # every shop's rows
        "tables": result.tables,
        "partitions": result.partitions_written,
        "rows": result.rows_written,
        "removed": result.partitions_removed,
        "reason": result.reason,  # why all was written again, when an earlier export was there
    }
