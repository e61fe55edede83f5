"""`shopops template` and `shopops demo`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shopops.cli.context import open_workspace, out, user_errors
from shopops.errors import UserError, WorkspaceError
from shopops.reports.templates import RETIRED, templates, write_template


@click.command("template")
@click.argument("name", type=click.Choice(sorted([*templates(), *RETIRED])))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: NAME-template.xlsx in the current folder).",
)
@click.pass_context
@user_errors
def template_command(ctx: click.Context, name: str, output: Path | None) -> None:
    """Write a blank import template for a sheet of ours (product-list: 商品资料 with 成本价 and
    成本生效日期; targets: 目标表; service-roster: 客服名单). sku-cost is retired: see product-list."""
    if name in RETIRED:
        raise UserError(RETIRED[name])
    workspace = open_workspace(ctx)
    spec = workspace.registry.get(templates()[name])
    target = output or Path(f"{name}-template.xlsx")
    write_template(spec, target)
    out.print(f"已写出模板 {target} — 填好后 shopops import {target}")


DEMO_MARKER = Path("exports") / "manifest.json"  # written by the demo's export generator


@click.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("shopops-demo"))
@click.option("--days", default=400, show_default=True, help="Days of history to generate.")
@click.option("--end", "end", default=None, help="Last day of the demo data (default: yesterday).")
@click.option("--seed", default=20261125, show_default=True, help="Random seed (same seed, same data).")
@click.option("--no-serve", is_flag=True, help="Do not start the dashboard at the end.")
@user_errors
def demo_command(directory: Path, days: int, end: str | None, seed: int, no_serve: bool) -> None:
    """Build a demo workspace from realistic generated exports, import them, print the master table."""
    from shopops.demo.run import run_demo

    last = dt.date.fromisoformat(end) if end else dt.date.today() - dt.timedelta(days=1)
    root = directory.expanduser().resolve()
    refuse_own_workspace(root)
    run_demo(root, days=days, end=last, seed=seed, console=out)
    if no_serve:
        return
    from shopops.cli.serve import demo_login, free_port, serve_workspace
    from shopops.workspace import Workspace

    name, password = demo_login(root)
    port = free_port(8000)
    out.print(f"演示账号 demo login: [bold]{name}[/] / [bold]{password}[/]  →  http://127.0.0.1:{port}")
    from shopops.cli.demo_accounts import staff_logins

    for login, secret, whose in staff_logins(root):  # the 绩效 page as a 主管 and as one person
        out.print(f"  绩效演示账号 {whose}: [bold]{login}[/] / [bold]{secret}[/]")
    with Workspace.open(root) as workspace:
        serve_workspace(workspace, "127.0.0.1", port)


def refuse_own_workspace(root: Path) -> None:
    """A workspace of the user's own (no demo's manifest in it) is never filled with the demo's
    made-up shops: one line saying what was found and what to do."""
    from shopops.settings import CONFIG_NAME

    if (root / CONFIG_NAME).is_file() and not (root / DEMO_MARKER).is_file():
        raise WorkspaceError(
            f"{root} is a ShopOps workspace of your own ({CONFIG_NAME}, no demo {DEMO_MARKER.as_posix()}) —"
            " `shopops demo` would add its 5 made-up shops to it; give a new folder: shopops demo DIR"
        )


__all__ = ["demo_command", "refuse_own_workspace", "template_command"]
