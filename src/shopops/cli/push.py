"""`shopops push`: the daily summary to the group bots and e-mail of `push.channels` in shopops.yaml.

A channel that fails is retried, logged in ``logs/push.log`` and reported with a warning line;
it never makes the command (or the daily run) fail: `shopops push` exits 0. `shopops push test`
sends a short test message and, being a check, exits 1 when a channel failed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
from rich.markup import escape

from shopops.cli.context import default_day, err, open_workspace, out, parse_day, user_errors
from shopops.delivery import KIND_LABELS, ChannelResult, Message, send_all
from shopops.errors import UserError, WorkspaceError
from shopops.reports.summary import FindingLine, PacingLine, Summary, compose_summary
from shopops.reports.summary_inputs import summary_inputs
from shopops.workspace import Workspace

LOG_NAME = Path("logs") / "push.log"
TEST_TITLE = "店铺日报 · 推送测试"


@dataclass
class PushOutcome:
    summary: Summary
    results: list[ChannelResult]

    @property
    def failed(self) -> list[ChannelResult]:
        return [result for result in self.results if not result.ok]


def summary_message(summary: Summary) -> Message:
    return Message(title=summary.title, text=summary.text, markdown=summary.markdown)


def chosen_channels(workspace: Workspace, names: Sequence[str]) -> list[str]:
    """The channels to send to: those named (each must exist), else every configured one."""
    configured = list(workspace.settings.push.channels)
    if not configured:
        raise WorkspaceError(
            "no push channels in shopops.yaml — add one under push.channels (see the commented example"
            " there), or use --dry-run to only print the summary"
        )
    unknown = [name for name in names if name not in configured]
    if unknown:
        raise WorkspaceError(
            f"no push channel named {', '.join(map(repr, unknown))} — channels in shopops.yaml: {', '.join(configured)}"
        )
    return list(names) or configured


def push_summary(
    workspace: Workspace,
    day: dt.date | None = None,
    *,
    channels: Sequence[str] = (),
    pacing: Sequence[PacingLine] = (),
    findings: Sequence[FindingLine] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> PushOutcome:
    """Compose the summary and send it; channel failures are in the results, never raised."""
    names = chosen_channels(workspace, channels)
    summary = compose_summary(workspace, day, pacing=pacing, findings=findings)
    results = send_all(
        workspace.settings.push,
        summary_message(summary),
        names=names,
        log_path=workspace.root / LOG_NAME,
        sleep=sleep,
    )
    return PushOutcome(summary, results)


def sections(workspace: Workspace, day: dt.date | None) -> tuple[list[PacingLine], list[FindingLine]]:
    """目标进度 and 重点发现 for the summary; a step that fails is said and left out, never fatal."""
    if day is None:
        return [], []
    try:
        return summary_inputs(workspace, day, workspace.settings.raw)
    except UserError as error:
        err.print(f"[yellow]⚠[/] 简报未含目标进度/重点发现：{escape(str(error))}")
        return [], []


def print_results(results: list[ChannelResult]) -> None:
    for result in results:
        name = f"{result.channel}（{KIND_LABELS.get(result.kind, result.kind)}）"
        if result.ok:
            tries = f"，重试 {result.retries} 次后成功" if result.retries else ""
            out.print(f"[green]✓[/] {escape(name)} 已发送{tries}")
        else:
            tries = f"，已重试 {result.retries} 次" if result.retries else ""
            err.print(
                f"[yellow]⚠[/] {escape(name)} 发送失败：{escape(result.detail)}{tries}（详见 {LOG_NAME.as_posix()}）"
            )


@click.group("push", invoke_without_command=True)
@click.option(
    "--date", "-d", "day", callback=parse_day, help="The day to sum up (default: the latest day with data)."
)
@click.option("--dry-run", is_flag=True, help="Only print the summary; send nothing.")
@click.option(
    "--channel",
    "-c",
    "channels",
    multiple=True,
    help="Send only to this channel of push.channels (repeatable).",
)
@click.pass_context
@user_errors
def push_group(ctx: click.Context, day: dt.date | None, dry_run: bool, channels: tuple[str, ...]) -> None:
    """Send the daily summary (≤ 800 字) to the group bots and e-mail in shopops.yaml.

    \b
    shopops push --dry-run                 print it
    shopops push --channel 运营群           send it to one channel
    shopops push test --channel 运营群      send a test message
    """
    if ctx.invoked_subcommand is not None:
        return
    workspace = open_workspace(ctx)
    day = default_day(workspace, day)
    pacing, findings = sections(workspace, day)
    if dry_run:
        summary = compose_summary(workspace, day, pacing=pacing, findings=findings)
        out.print(escape(summary.text))
        configured = workspace.settings.push.channels
        targets = [n for n in (channels or configured) if n in configured]
        where = (
            "、".join(f"{n}（{KIND_LABELS[configured[n].kind]}）" for n in targets) or "（未配置推送渠道）"
        )
        out.print(f"[dim]— {len(summary.text)} 字，未发送；将发送到：{escape(where)}[/]")
        return
    outcome = push_summary(workspace, day, channels=channels, pacing=pacing, findings=findings)
    out.print(f"简报 {outcome.summary.day}（{len(outcome.summary.text)} 字）")
    print_results(outcome.results)


@push_group.command("test")
@click.option(
    "--channel", "-c", "channels", multiple=True, help="The channel to test (repeatable; default: all)."
)
@click.pass_context
@user_errors
def push_test(ctx: click.Context, channels: tuple[str, ...]) -> None:
    """Send a short test message to check a channel's settings. Exit 1 if a channel failed."""
    workspace = open_workspace(ctx)
    names = chosen_channels(workspace, channels)
    now = dt.datetime.now().replace(microsecond=0)
    failed = False
    for name in names:
        channel = workspace.settings.push.channels[name]
        text = (
            f"{TEST_TITLE}\nShopOps 推送测试：收到这条消息，说明「{name}」（{KIND_LABELS[channel.kind]}）配置正确。"
            f"\n发送时间 {now:%Y-%m-%d %H:%M:%S}"
        )
        body = text.split("\n", 1)[1].replace("\n", "\n\n")
        message = Message(title=TEST_TITLE, text=text, markdown=f"#### {TEST_TITLE}\n\n{body}")
        results = send_all(workspace.settings.push, message, names=[name], log_path=workspace.root / LOG_NAME)
        print_results(results)
        failed = failed or not all(result.ok for result in results)
    if failed:
        ctx.exit(1)
