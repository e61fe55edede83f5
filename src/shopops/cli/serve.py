"""`shopops serve`: the dashboard (FastAPI + uvicorn) on the workspace; the server owns the writer."""

from __future__ import annotations

import os
import secrets
import socket
import threading
from pathlib import Path

import click
from fastapi import FastAPI

from shopops.cli.context import open_workspace, out, running_server, user_errors
from shopops.errors import UserError
from shopops.web import accounts, cache
from shopops.web.security import remove_serve_file, write_serve_file
from shopops.workspace import Workspace


def serve_workspace(workspace: Workspace, host: str, port: int) -> None:
    """Run the dashboard until Ctrl-C; CLI imports meanwhile go through it (see `shopops import`)."""
    import uvicorn

    from shopops.web.app import create_app

    workspace.warehouse.require_writable()  # the dashboard writes: sessions, imports, notes
    if not accounts.list_users(workspace.connection):
        raise UserError("no users yet — add one first: shopops user add NAME --role admin")
    info = write_serve_file(workspace.root, host, port)
    app = create_app(workspace, local_secret=info.secret)
    attach_local_cli(app, workspace)
    threading.Thread(target=_warm, args=(workspace,), daemon=True).start()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    out.print(f"ShopOps 驾驶舱: http://{shown}:{port}  (Ctrl-C 停止)")
    try:
        # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS);
        # the dashboard believes only the proxies of shopops.yaml (web.trusted_proxies)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False)
    finally:
        remove_serve_file(workspace.root, info)
        cache.wait_idle()


def attach_local_cli(app: FastAPI, workspace: Workspace) -> None:
    """Let the CLI on this machine run its commands in the server (see ``open_workspace``)."""

    def run(
        args: list[str], cwd: str, stdin: str | None, lock: threading.Lock, width: int | None = None
    ) -> tuple[int, str, str]:
        from click.testing import CliRunner

        from shopops.cli.main import cli

        # The caller's terminal: its width for the tables, or (None) a pipe, where tables are TSV.
        env = {"COLUMNS": str(width) if width else None}
        with lock:  # one writer: the same lock as uploads and imports
            previous, previous_width = os.getcwd(), getattr(out, "_width", None)
            os.chdir(cwd)  # relative paths in the command are the caller's
            out.width = width or previous_width or 80
            try:
                result = CliRunner().invoke(cli, args, obj={"served": workspace}, input=stdin, env=env)
            finally:
                os.chdir(previous)
                out._width = previous_width  # rich has no public way back to "measure it"
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += f"错误 {type(result.exception).__name__}: {result.exception}\n"
        cache.clear()  # the command may have changed shops, targets or data
        return result.exit_code, result.stdout, stderr

    app.state.local_cli = run


def _warm(workspace: Workspace) -> None:
    from shopops.web.data import ScopedData
    from shopops.web.views import warm

    data = ScopedData(workspace, accounts.User("warm-up", "admin", None))
    try:
        warm(data)
    except Exception as error:  # a cold cache is only slower; the pages report real problems
        out.print(f"[dim]note: cache warm-up skipped ({error})[/]")
    finally:
        data.close()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
@user_errors
def serve_command(ctx: click.Context, host: str, port: int) -> None:
    """The web dashboard (驾驶舱), login required; JSON API under /api (docs: /api/docs)."""
    serve_workspace(open_workspace(ctx), host, port)


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens on it on 127.0.0.1, else a free port the system picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            chosen: int = probe.getsockname()[1]
            return chosen
    raise UserError("no free port on 127.0.0.1")


def demo_login(root: Path) -> tuple[str, str]:
    """The demo admin `demo` with a fresh password (printed by `shopops demo`)."""
    password = secrets.token_urlsafe(9)
    with Workspace.open(root) as workspace:
        con = workspace.connection
        if accounts.get_user(con, "demo") is None:
            accounts.add_user(con, "demo", password, "admin", None)
        else:
            accounts.set_password(con, "demo", password)
    return "demo", password


def import_via_server(
    ctx: click.Context, files: list[Path], shop: str | None, source: str | None, mapped: bool
) -> int | None:
    """When `shopops serve` runs on this workspace, hand the import to it; the exit code, else None."""
    from shopops.web.client import forward_import
    from shopops.workspace import find_workspace

    if ctx.obj and ctx.obj.get("served") is not None:
        return None  # already running inside the server (a handed-over command)
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    try:
        root = find_workspace(Path(explicit) if explicit else None)
    except UserError:
        return None
    info = running_server(root)
    if info is None:
        return None
    if mapped:
        raise UserError("--map cannot be used while `shopops serve` runs — stop the server, or add an alias")
    failed = 0
    for record in forward_import(info, files, shop, source):
        if record["ok"]:
            dates = f", {record['date_min']}…{record['date_max']}" if record.get("date_min") else ""
            shops = "、".join(record.get("shops") or [])
            out.print(f"✓ {record['file']} — {record['message']}{dates}, shop {shops} (via shopops serve)")
        else:
            failed += 1
            out.print(f"✗ {record['file']}: {record['message']}")
    return 1 if failed else 0
