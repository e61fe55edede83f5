"""`shopops run daily` and `shopops watch`: the hands-off morning job (for cron / Task Scheduler).

One run: import everything new in ``inbox/`` (archived when imported, left with a reason file
when not), back the workspace up (the newest ``backup.keep`` daily backups are kept), write the
日报 for the latest day with data, find what moved, push the summary.
Every step reports on its own line; a failing step is said and the next one still runs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.markup import escape

from shopops.cli.context import default_day, err, open_workspace, out, parse_day, user_errors
from shopops.cli.importing import describe
from shopops.cli.push import print_results, push_summary
from shopops.errors import UserError
from shopops.inbox import InboxOutcome, pending_files, process_inbox
from shopops.operations.backup import backup_folder, daily_backup
from shopops.reports.summary import FindingLine, PacingLine
from shopops.reports.summary_inputs import summary_inputs
from shopops.reports.workbook import build_report
from shopops.workspace import Workspace


@dataclass
class RunSummary:
    """What one run did: counts for the closing line, problems for the exit code."""

    imported: int = 0
    unchanged: int = 0  # files already imported before (same content): nothing new was imported
    rejected: int = 0
    report: Path | None = None
    backup: Path | None = None
    pacing: list[PacingLine] = field(default_factory=list)
    findings: list[FindingLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _print_outcome(outcome: InboxOutcome) -> None:
    if outcome.result is not None:
        mark = "[dim]=[/]" if outcome.result.already_imported else "[green]✓[/]"
        out.print(f"{mark} {escape(describe(outcome.result))}")
    else:
        err.print(
            f"[red]✗[/] {escape(outcome.error or outcome.path.name)}（原因已写入 {outcome.path.name}.error.txt）"
        )


def run_daily(workspace: Workspace, *, day: dt.date | None, push: bool) -> RunSummary:
    summary = RunSummary()
    outcomes = process_inbox(workspace, on_file=_print_outcome)
    summary.unchanged = sum(o.result is not None and o.result.already_imported for o in outcomes)
    summary.imported = sum(o.imported for o in outcomes) - summary.unchanged
    summary.rejected = len(outcomes) - summary.imported - summary.unchanged
    if not outcomes:
        out.print("inbox/ 中没有新文件")
    try:
        _backup(workspace, summary)
    except UserError as error:
        summary.problems.append(f"备份: {error}")
        err.print(f"[red]✗[/] 备份: {escape(str(error))}")
    day = default_day(workspace, day)
    if day is None:
        summary.problems.append("还没有任何数据：先把导出文件放进 inbox/")
        err.print("[red]✗[/] 还没有任何数据：先把导出文件放进 inbox/ 再运行")
        return summary
    steps: list[tuple[str, Callable[[], None]]] = [
        ("日报", lambda: _report(workspace, day, summary)),
        ("异常与目标", lambda: _sections(workspace, day, summary)),
    ]
    if push:
        steps.append(("推送", lambda: _push(workspace, day, summary)))
    for label, step in steps:
        try:
            step()
        except UserError as error:
            summary.problems.append(f"{label}: {error}")
            err.print(f"[red]✗[/] {label}: {escape(str(error))}")
    out.print(
        f"完成：导入 {summary.imported} 个文件"
        + (f"，{summary.unchanged} 个此前已导入（内容相同，未重复导入）" if summary.unchanged else "")
        + f"，拒绝 {summary.rejected} 个"
        + (f"，{len(summary.problems)} 个步骤出错" if summary.problems else "")
    )
    return summary


def _backup(workspace: Workspace, summary: RunSummary) -> None:
    keep = workspace.settings.backup.keep
    if keep == 0:
        out.print("[dim]每日备份已关闭（shopops.yaml 的 backup.keep 为 0）[/]")
        return
    try:
        made, removed = daily_backup(workspace)
    except OSError as error:  # the backup folder cannot be written: a step that failed, not a crash
        where = error.filename or backup_folder(workspace)
        raise UserError(
            f"cannot write the backup in {where} ({error.strerror}) — check backup.dir"
        ) from error
    assert made is not None
    summary.backup = made.path
    dropped = f"，删除了 {len(removed)} 份更早的" if removed else ""
    out.print(f"[green]✓[/] 备份 → {escape(str(made.path))}（保留最近 {keep} 份每日备份{dropped}）")


def _report(workspace: Workspace, day: dt.date | None, summary: RunSummary) -> None:
    report = build_report(workspace, "daily", day)
    summary.report = report.path
    out.print(f"[green]✓[/] 日报 {report.data.period.label} → {report.path}")
    for line in report.missing():
        out.print(f"  注意 {line}")


def _sections(workspace: Workspace, day: dt.date, summary: RunSummary) -> None:
    summary.pacing, summary.findings = summary_inputs(workspace, day, workspace.settings.raw)
    found = sum(line.count for line in summary.findings)
    out.print(f"[green]✓[/] {day} 发现 {found} 条异常，{len(summary.pacing)} 个目标在进行")
    for line in summary.findings[:5]:
        out.print(f"  · {escape(line.text)}")


def _push(workspace: Workspace, day: dt.date, summary: RunSummary) -> None:
    if not workspace.settings.push.channels:
        out.print("[dim]未配置推送渠道（shopops.yaml 的 push.channels），跳过推送[/]")
        return
    outcome = push_summary(workspace, day, pacing=summary.pacing, findings=summary.findings)
    print_results(outcome.results)  # a failing channel is a warning: the run goes on


@click.group("run")
def run_group() -> None:
    """Jobs to schedule (cron / Task Scheduler)."""


@run_group.command("daily")
@click.option(
    "--date", "-d", "day", callback=parse_day, help="Report day (default: the latest complete day)."
)
@click.option("--no-push", is_flag=True, help="Do not send the summary to the group bots / e-mail.")
@click.pass_context
@user_errors
def run_daily_command(ctx: click.Context, day: dt.date | None, no_push: bool) -> None:
    """Import inbox/, back up, write the 日报, find what moved, push the summary. Exit 1 if a file or step failed."""
    workspace = open_workspace(ctx)
    summary = run_daily(workspace, day=day, push=not no_push)
    if summary.rejected or summary.problems:
        ctx.exit(1)


@click.command("watch")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between looks at inbox/.")
@click.option(
    "--settle",
    default=3.0,
    show_default=True,
    help="A file must stay unchanged this long (a download in progress).",
)
@click.option("--no-push", is_flag=True, help="Do not send the summary after a run.")
@click.option("--max-runs", type=int, hidden=True, help="Stop after this many runs (for tests).")
@click.pass_context
@user_errors
def watch_command(
    ctx: click.Context, interval: float, settle: float, no_push: bool, max_runs: int | None
) -> None:
    """Watch inbox/ and run the daily job whenever new files have arrived. Stop with Ctrl-C."""
    workspace = open_workspace(ctx)
    inbox = workspace.root / "inbox"
    out.print(f"正在监视 {inbox}（每 {interval:g} 秒；Ctrl-C 停止）")
    runs = 0
    try:
        while max_runs is None or runs < max_runs:
            if _settled(pending_files(inbox), settle):
                run_daily(workspace, day=None, push=not no_push)
                runs += 1
            else:
                time.sleep(interval)
    except KeyboardInterrupt:
        out.print("已停止监视")


def _settled(files: list[Path], settle: float) -> bool:
    """True when there are files and none changed in the last ``settle`` seconds."""
    if not files:
        return False
    newest = max(path.stat().st_mtime for path in files)
    if time.time() - newest >= settle:
        return True
    time.sleep(max(0.0, settle - (time.time() - newest)))
    return False
