"""`shopops doctor`: is this workspace healthy, and if not, what to do — one line per check.

Exit code 1 when a check fails; warnings exit 0. The table speaks the run's language (the checks'
English texts through the catalog, messages_health.yaml); ``--format json`` is data and keeps them in
English as :mod:`shopops.health` writes them. While `shopops serve` runs, the dashboard owns
the warehouse and the command is handed to it like any other (see ``open_workspace``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from shopops import health
from shopops.cli.context import open_workspace, out, parse_day, user_errors
from shopops.cli.messages import Language, catalog, language
from shopops.errors import UserError
from shopops.web.security import SERVE_FILE, ServeInfo, load_serve_file, read_serve_file
from shopops.workspace import Workspace, find_workspace

WIDTH = 80
STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red"}
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")  # a table's padding at the end of a line
_FOREIGN = {"zh": re.compile(r"[A-Za-z]{2}"), "en": re.compile(r"[\u4e00-\u9fff]")}
HEADERS = {"zh": ("检查", "结果 · 修复"), "en": ("check", "result · fix")}


@click.command("doctor")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: in the run's language (--lang); json: data, each check's message and fix in English.",
)
@click.option(
    "--date",
    "today",
    callback=parse_day,
    help="Check as of this day (default: today), e.g. whether the holiday data reaches far enough.",
)
@click.option(
    "--import-days",
    type=click.IntRange(1, 365),
    default=health.IMPORT_DAYS,
    show_default=True,
    help="An export a shop imported before is late after this many days without one.",
)
@click.pass_context
@user_errors
def doctor_command(ctx: click.Context, fmt: str, today: dt.date | None, import_days: int) -> None:
    """Check the workspace: warehouse, schema, disk, imports, backups, push, holidays, server.

    Each check says ✓ ok, ! warning or ✗ failure, with the fix. Exit 1 when a check fails.
    """
    today = today or dt.date.today()
    served: Workspace | None = ctx.obj.get("served") if ctx.obj else None
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    root = served.root if served is not None else find_workspace(Path(explicit) if explicit else None)
    before = load_serve_file(root)
    alive = read_serve_file(root) is not None
    workspace: Workspace | None = None
    problem: UserError | None = None
    try:
        workspace = open_workspace(ctx)  # hands the whole command to a running server
    except UserError as error:
        problem = error
    if workspace is not None:
        checks = health.check_workspace(workspace, today, checkpoint=served is None, import_days=import_days)
    else:
        assert problem is not None
        checks = health.check_unopened(root, today, problem)
    checks.append(_server_check(root, before, alive, served is not None))
    if fmt == "json":
        status = health.worst(checks)
        report = {"status": status, "date": today.isoformat(), "checks": [c.as_dict() for c in checks]}
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_table(checks)
    if health.worst(checks) == "fail":
        ctx.exit(1)


def _server_check(root: Path, before: ServeInfo | None, alive: bool, served: bool) -> health.Check:
    """The serve file: the running server's, none, or a stale one that opening the workspace removed."""
    current = load_serve_file(root)
    if current is not None and (served or alive):
        return health.server_running(current.pid, current.port)
    if before is None or current is not None:
        return health.server_absent()
    why = (
        f"pid {before.pid} has ended"
        if not alive
        else f"pid {before.pid} is no shopops serve of this workspace"
    )
    return health.server_stale(SERVE_FILE, why)


def _print_table(checks: list[health.Check]) -> None:
    lang = language()
    heads = HEADERS[lang]
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column(heads[0], no_wrap=True)
    table.add_column(heads[1], overflow="fold")
    for check in checks:
        message, fix = in_language(check, lang)
        text = escape(message)
        if fix:
            text += f"\n[dim]→ {escape(fix)}[/]"
        label = check.key if lang == "en" else check.label
        table.add_row(f"[{STYLES[check.status]}]{check.symbol}[/]", label, text)
    with out.capture() as captured:
        out.print(table, width=min(out.width, WIDTH), soft_wrap=False)
    click.echo("\n".join(_TRAILING.sub(r"\1", line) for line in captured.get().splitlines()))
    counts = {s: sum(1 for c in checks if c.status == s) for s in health.STATUSES}
    out.print(f"{counts['ok']} ok, {counts['warn']} warnings, {counts['fail']} failed")


def in_language(check: health.Check, lang: Language) -> tuple[str, str]:
    """The check's result and fix in ``lang``: each through the catalog, else as the one message
    "result — fix" that a check made from a user error was split from; as they are where unknown."""
    message, fix = _said(check.message, lang), _said(check.fix, lang)
    if check.fix and (message is None or fix is None):
        whole = catalog().translate(f"{check.message} — {check.fix}", lang)
        if whole is not None:
            head, dash, tail = whole.partition(" — ")
            if not dash:
                head, dash, tail = whole.partition("— ")
            return head.strip(), tail.strip()
    return message or check.message, fix if fix is not None else check.fix


def _said(text: str, lang: Language) -> str | None:
    """``text`` in ``lang`` (itself when nothing in it is foreign), or None when the catalog lacks it."""
    return catalog().translate(text, lang) if _FOREIGN[lang].search(text) else text
