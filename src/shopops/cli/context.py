"""Shared CLI plumbing: the workspace option, consoles, and turning user errors into one line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from shopops.errors import UserError
from shopops.workspace import Workspace

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


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


def open_workspace(ctx: click.Context) -> Workspace:
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    workspace = Workspace.open(Path(explicit) if explicit else None)
    ctx.call_on_close(workspace.close)
    return workspace
