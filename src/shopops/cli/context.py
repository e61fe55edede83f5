"""Shared CLI plumbing: the workspace option, consoles, and turning user errors into one line."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import duckdb
from rich.console import Console
from rich.markup import escape

from shopops.cli.localized_console import LocalizedConsole
from shopops.cli.messages import error_prefix, language, localize
from shopops.errors import DiskFullError, UserError, WorkspaceError
from shopops.metrics.completeness import skipped_text
from shopops.warehouse.connection import damaged, disk_full, lock_holder
from shopops.workspace import WAREHOUSE_NAME, Workspace, find_workspace

if TYPE_CHECKING:
    from shopops.web.security import ServeInfo

# Every line they print is said in the run's language (``--lang``; see shopops.cli.messages).
out: Console = LocalizedConsole(highlight=False, soft_wrap=True)
err: Console = LocalizedConsole(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def parse_day(_: click.Context, __: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback for date options: 2026-11-24, or a one-line usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(localize(f"{value!r} is not a date like 2026-11-24")) from None


def fail(message: str) -> None:
    """Print one line on stderr, in the run's language, and exit with the user-error code 1."""
    err.print(f"[bold red]{error_prefix()}[/] {escape(localize(message))}")
    sys.exit(1)


def user_errors(function: F) -> F:
    """Print a UserError as one line on stderr and exit 1, instead of a traceback; so too a full
    disk, a damaged warehouse and a write to a warehouse of a newer ShopOps (see ``_fault``)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = function(*args, **kwargs)
        except UserError as error:
            fail(str(error))
        except (OSError, duckdb.Error) as error:
            problem = _fault(error)
            if problem is None:
                raise
            fail(problem)
        workspace = _current_workspace()
        if workspace is not None and workspace.warehouse.refusal is not None:
            err.print(f"note: {escape(workspace.warehouse.refusal)}")
        return result

    return wrapper  # type: ignore[return-value]


def _current_workspace() -> Workspace | None:
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(_WORKSPACE) if ctx is not None else None
    return found if isinstance(found, Workspace) else None


def _fault(error: OSError | duckdb.Error) -> str | None:
    """The one line for a failure that is no bug of ShopOps, or None."""
    workspace = _current_workspace()
    where = disk_full(error)
    if where is not None:
        return str(DiskFullError(where or (str(workspace.root) if workspace else "a file")))
    if workspace is None or not isinstance(error, duckdb.Error):
        return None
    warehouse = workspace.warehouse
    problem = damaged(warehouse.path, error)
    if problem is not None:
        return str(problem)
    if warehouse.refusal is not None:  # opened read-only: this command writes, or needs the newer schema
        if "read-only mode" in str(error):
            return warehouse.refusal
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return (
            f"{warehouse.refusal.split(' — ')[0]}, and this command failed on it ({first}) — upgrade ShopOps"
        )
    return None


# Commands that must not run inside the dashboard's process (they would block or start a second server).
NOT_FORWARDED = frozenset({"serve", "watch"})
_WORKSPACE = "shopops.workspace"  # ctx.meta key: the command's workspace, for ``user_errors``


def open_workspace(ctx: click.Context) -> Workspace:
    """The workspace of the command. While `shopops serve` runs on it, the dashboard owns the only
    DuckDB writer: the whole command is then handed to the dashboard, which runs it and sends back
    its output and exit code (so no command ever stops at the warehouse's lock)."""
    served: Workspace | None = ctx.obj.get("served") if ctx.obj else None
    if served is not None:  # running inside the dashboard, on its workspace
        ctx.meta[_WORKSPACE] = served
        return served
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    root = find_workspace(Path(explicit) if explicit else None)
    _hand_to_dashboard(ctx, root)
    workspace = Workspace.open(root)
    ctx.call_on_close(workspace.close)
    ctx.meta[_WORKSPACE] = workspace
    return workspace


def default_day(workspace: Workspace, day: dt.date | None) -> dt.date | None:
    """``day``, or else the latest complete day — saying (on stderr) which incomplete day it skipped."""
    if day is not None:
        return day
    latest = workspace.data_dates()[1]
    note = skipped_text(workspace.incomplete_days())
    if note:
        err.print(f"[yellow]注意[/] {escape(note)}")
    return latest


def running_server(root: Path) -> ServeInfo | None:
    """The `shopops serve` running on the workspace, from its serve file.

    The file's pid alone proves nothing (a killed server's pid may have been reused), so the
    server must answer on its port with its secret. A server that does not (yet) answer is
    still trusted while its pid holds the warehouse (it may be starting). Any other serve file
    is stale: it is removed, with a note on stderr, and the command runs on its own.
    """
    from shopops.web.client import answers
    from shopops.web.security import SERVE_FILE, load_serve_file, read_serve_file, remove_serve_file

    info = load_serve_file(root)
    if info is None:
        return None
    if read_serve_file(root) is None:
        why = f"its `shopops serve`, pid {info.pid}, has ended"
    elif answers(info) or lock_holder(root / WAREHOUSE_NAME) in (info.pid, 0):
        return info
    else:
        why = f"pid {info.pid} is no `shopops serve` of this workspace: nothing answers on port {info.port}"
    remove_serve_file(root, info)
    err.print(f"note: removed a stale {SERVE_FILE} ({escape(why)})")
    return None


def _hand_to_dashboard(ctx: click.Context, root: Path) -> None:
    from shopops.web.client import forward_command

    info = running_server(root)
    argv = ctx.meta.get("shopops.argv")
    if info is None or argv is None:
        return
    name = ctx.find_root().invoked_subcommand or ""
    if name in NOT_FORWARDED:
        raise WorkspaceError(
            f"`shopops serve` (pid {info.pid}) runs on this workspace — stop it first (Ctrl-C), then run `shopops {name}`"
        )
    stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    if "--lang" not in argv:  # the dashboard's own locale is not the caller's
        argv = ["--lang", language(), *argv]
    # Tables are laid out for the caller's terminal (or go out as TSV into a pipe), not the server's.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    code, stdout, stderr = forward_command(info, argv, Path.cwd(), stdin, width)
    click.echo(stdout, nl=False)
    click.echo(stderr, nl=False, err=True)
    ctx.exit(code)
