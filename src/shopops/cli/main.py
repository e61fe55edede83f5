"""Entry point: `shopops` and its commands."""

from __future__ import annotations

from pathlib import Path

import click

from shopops import __version__
from shopops.cli.audit import audit_command
from shopops.cli.backup import backup_command, restore_command
from shopops.cli.context import fail, out, user_errors
from shopops.cli.daily_run import run_group, watch_command
from shopops.cli.doctor import doctor_command
from shopops.cli.export import export_group
from shopops.cli.findings import explain_command, findings_command
from shopops.cli.importing import import_command, imports_command, sources_command
from shopops.cli.jd import jd_group
from shopops.cli.messages import LANGUAGES, set_language
from shopops.cli.push import push_group
from shopops.cli.reports import report_group
from shopops.cli.serve import serve_command
from shopops.cli.shops import shop_group
from shopops.cli.tables import metrics_command, table_group
from shopops.cli.targets import targets_group
from shopops.cli.templates import demo_command, template_command
from shopops.cli.users import user_group
from shopops.domains import DomainError, parts
from shopops.workspace import Workspace

HELP = """ShopOps 店铺运营驾驶舱 — 把每天的平台导出合成一张总表。

\b
Start:  shopops init ~/ops && cd ~/ops
        shopops shop add 某某旗舰店 --platform tmall
        shopops import ~/Downloads/*.csv ~/Downloads/*.xls*
        shopops table master --from 2026-11-01 --to 2026-11-24 --format csv
Demo:   shopops demo

Commands find the workspace by --workspace, $SHOPOPS_HOME, or the current folder.
"""


class _ShopOpsGroup(click.Group):
    """Remembers the command line, so that a running dashboard can be handed the whole command;
    adds the domains' commands (`shopops rival …`) the first time any command is looked up."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta.setdefault("shopops.argv", list(args))
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._add_domains()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_domains()
        return super().list_commands(ctx)

    def _add_domains(self) -> None:
        if getattr(self, "_domains_added", False):
            return
        self._domains_added = True
        try:
            commands = parts("commands")
        except DomainError as error:
            fail(str(error))
        for command in commands:
            if command.name in self.commands:
                fail(f"a domain's command {command.name!r} is already a command of shopops")
            self.add_command(command)


@click.group(
    cls=_ShopOpsGroup,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False),
    envvar="SHOPOPS_HOME",
    help="Workspace folder (default: $SHOPOPS_HOME or the current folder).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    is_eager=True,
    expose_value=False,
    callback=lambda _ctx, _param, value: set_language(value),
    help="Language of messages: zh (default) or en (default from $SHOPOPS_LANG, then LANG/LC_ALL).",
)
@click.version_option(__version__, prog_name="shopops")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    ctx.obj = {**(ctx.obj or {}), "workspace": workspace}  # "served": set when run by the dashboard


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False), default=".")
@user_errors
def init_command(directory: str) -> None:
    """Create a workspace: shopops.yaml, warehouse.duckdb, inbox/ and reports/."""
    root = Path(directory).expanduser().resolve()
    with Workspace.init(root):
        pass
    out.print(f"已创建工作区 {root}")
    out.print("  下一步: shopops shop add 店铺名 --platform tmall|taobao|jd|douyin")
    out.print(f"  然后在该目录中运行命令，或设置 SHOPOPS_HOME={root}")


cli.add_command(import_command)
cli.add_command(imports_command)
cli.add_command(sources_command)
cli.add_command(table_group)
cli.add_command(metrics_command)
cli.add_command(report_group)
cli.add_command(template_command)
cli.add_command(demo_command)
cli.add_command(findings_command)
cli.add_command(explain_command)
cli.add_command(targets_group)
cli.add_command(push_group)
cli.add_command(jd_group)
cli.add_command(serve_command)
cli.add_command(user_group)
cli.add_command(run_group)
cli.add_command(watch_command)
cli.add_command(audit_command)
cli.add_command(doctor_command)
cli.add_command(shop_group)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(export_group)


def main() -> None:
    cli(prog_name="shopops")
