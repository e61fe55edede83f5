"""`shopops backup [-o FILE]`, `shopops backup --verify FILE`, `shopops restore FILE [--to DIR] [--force]`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from shopops.cli.context import err, open_workspace, out, user_errors
from shopops.errors import UserError, WorkspaceError
from shopops.operations.archive import Manifest
from shopops.operations.archive import Progress as Report
from shopops.operations.backup import Backup, take_backup
from shopops.operations.restore import restore_into, restore_over, verify_backup
from shopops.workspace import find_workspace


@contextmanager
def progress_shown() -> Iterator[Report]:
    """A spinner (and bytes done, when known) on stderr while a backup or restore works."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task("", total=None)

        def report(label: str, done: int, total: int | None) -> None:
            bar.update(task, description=escape(label), completed=done, total=total)

        yield report


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:,.0f} B" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"


def contents(manifest: Manifest) -> str:
    return f"{len(manifest.tables)} 张表，{manifest.total_rows:,} 行"


def said_backup(made: Backup, what: str = "已备份") -> str:
    return f"[green]✓[/] {what} → {escape(str(made.path.absolute()))}（{size_text(made.size)}，{contents(made.manifest)}）"


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(),
    help="File (or folder) to write. Default: backups/backup-<time>.zip in the workspace (backup.dir in shopops.yaml).",
)
@click.option(
    "--verify", metavar="FILE", type=click.Path(), help="Check a backup file instead of writing one."
)
@click.pass_context
@user_errors
def backup_command(ctx: click.Context, output: str | None, verify: str | None) -> None:
    """Back the workspace up into one file: the warehouse (a consistent copy, also while
    `shopops serve` runs), shopops.yaml (aliases, saved mappings, promo calendar …) and a manifest
    with row counts and sha256 of every member. --verify FILE checks such a file."""
    if verify is not None:
        if output is not None:
            raise click.UsageError("--verify checks a backup; it does not go with -o")
        path = Path(verify)
        with progress_shown() as report:
            manifest = verify_backup(path, report)
        out.print(
            f"[green]✓[/] {escape(path.name)} 完好: ShopOps {escape(manifest.shopops_version)}，"
            f"{escape(manifest.created_at)}，数据结构 {manifest.schema_version:03d}，{contents(manifest)}，"
            f"{len(manifest.members)} 个文件的大小与 sha256 一致"
        )
        return
    workspace = open_workspace(ctx)
    with progress_shown() as report:
        made = take_backup(workspace, Path(output) if output else None, progress=report)
    out.print(said_backup(made))


@click.command("restore")
@click.argument("file", type=click.Path())
@click.option(
    "--to", "to", metavar="DIR", type=click.Path(), help="Restore as a new workspace in DIR (new or empty)."
)
@click.option("--force", is_flag=True, help="Replace the current workspace (backed up first).")
@click.pass_context
@user_errors
def restore_command(ctx: click.Context, file: str, to: str | None, force: bool) -> None:
    """Restore a backup: as a new workspace (--to DIR), or over the current one (--force, after
    backing it up). The backup is checked completely first; a damaged one changes nothing."""
    path = Path(file)
    if to is not None:
        if force:
            raise click.UsageError("--to makes a new workspace; --force replaces the current one — pick one")
        with progress_shown() as report:
            restored = restore_into(path, Path(to), report)
        out.print(
            f"[green]✓[/] 已恢复 {escape(path.name)}（备份于 {escape(restored.manifest.created_at)}，"
            f"{contents(restored.manifest)}）为新工作区 {escape(str(restored.root))}"
        )
        out.print(f"  使用: cd {escape(str(restored.root))}  或  shopops -w {escape(str(restored.root))} …")
        return
    if not force:
        explicit = ctx.obj.get("workspace") if ctx.obj else None
        try:
            root = find_workspace(Path(explicit) if explicit else None)
        except WorkspaceError:
            raise UserError(
                f"no workspace here to restore {path.name} over — restore it as a new workspace with --to DIR"
            ) from None
        raise UserError(
            f"restoring {path.name} replaces the workspace at {root.absolute()} — add --force to do so (it is backed up"
            " first), or restore into a new folder with --to DIR"
        )
    workspace = open_workspace(ctx)
    with progress_shown() as report:
        restored = restore_over(workspace, path, report)
    if restored.before is not None:
        out.print(said_backup(restored.before, "已先备份当前工作区"))
    out.print(
        f"[green]✓[/] 已恢复 {escape(path.name)}（备份于 {escape(restored.manifest.created_at)}，"
        f"{contents(restored.manifest)}）到 {escape(str(restored.root))}"
    )
    out.print("  审计日志与 API 令牌保持原样（已吊销的令牌不会复活），所有登录会话已结束，请重新登录网页")
