"""Shared CLI plumbing: the workspace option, consoles, and turning user errors into one line."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from shopops.errors import UserError, WorkspaceError
from shopops.workspace import Workspace, find_workspace

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def parse_day(_: click.Context, __: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback for date options: 2026-11-24, or a one-line usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-24") from None


def fail(message: str) -> None:
    """Print one line on stderr and exit with the user-error code 1."""
    err.print(f"[bold red]错误[/] {escape(message)}")
    sys.exit(1)


def user_errors(function: F) -> F:
    """Print a UserError as one line on stderr and exit 1, instead of a traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except UserError as error:
            fail(str(error))

    return wrapper  # type: ignore[return-value]


# Commands that must not run inside the dashboard's process (they would block or start a second server).
NOT_FORWARDED = frozenset({"serve", "watch"})


def open_workspace(ctx: click.Context) -> Workspace:
    """The workspace of the command. While `shopops serve` runs on it, the dashboard owns the only
    DuckDB writer: the whole command is then handed to the dashboard, which runs it and sends back
    its output and exit code (so no command ever stops at the warehouse's lock)."""
    served: Workspace | None = ctx.obj.get("served") if ctx.obj else None
    if served is not None:  # running inside the dashboard, on its workspace
        return served
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    root = find_workspace(Path(explicit) if explicit else None)
    _hand_to_dashboard(ctx, root)
    workspace = Workspace.open(root)
    ctx.call_on_close(workspace.close)
    return workspace


def _hand_to_dashboard(ctx: click.Context, root: Path) -> None:
    from shopops.web.client import forward_command
    from shopops.web.security import read_serve_file

    info = read_serve_file(root)
    argv = ctx.meta.get("shopops.argv")
    if info is None or argv is None:
        return
    name = ctx.find_root().invoked_subcommand or ""
    if name in NOT_FORWARDED:
        raise WorkspaceError(
            f"`shopops serve` (pid {info.pid}) runs on this workspace — stop it first (Ctrl-C), then run `shopops {name}`"
        )
    stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    code, stdout, stderr = forward_command(info, argv, Path.cwd(), stdin)
    click.echo(stdout, nl=False)
    click.echo(stderr, nl=False, err=True)
    ctx.exit(code)
