"""`shopops shop add|list|rename|remove`: the shops (店铺) of the workspace."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from shopops.cli.backup import progress_shown, said_backup
from shopops.cli.context import err, open_workspace, out, user_errors
from shopops.operations.shops import mentions, remove_shop, rename_shop
from shopops.platforms import PLATFORM_LABELS, PLATFORMS
from shopops.settings import CONFIG_NAME
from shopops.workspace import Workspace


@click.group("shop")
def shop_group() -> None:
    """Register, list, rename and remove shops (店铺)."""


@shop_group.command("add")
@click.argument("name")
@click.option("--platform", "-p", type=click.Choice(PLATFORMS), required=True, help="Where the shop sells.")
@click.option(
    "--fee-rate",
    default="0",
    show_default=True,
    help="平台扣点 as a fraction of net sales (0.05 = 5%); used for 毛利.",
)
@click.pass_context
@user_errors
def shop_add(ctx: click.Context, name: str, platform: str, fee_rate: str) -> None:
    """Register a shop."""
    workspace = open_workspace(ctx)
    workspace.add_shop(name, platform, fee_rate)
    out.print(f"已添加店铺 {name}（{PLATFORM_LABELS[platform]}，扣点 {float(fee_rate):.2%}）")


@shop_group.command("list")
@click.pass_context
@user_errors
def shop_list(ctx: click.Context) -> None:
    """List the shops of the workspace."""
    workspace = open_workspace(ctx)
    shops = workspace.shops()
    if not shops:
        out.print("还没有店铺 — shopops shop add 店铺名 --platform tmall")
        return
    table = Table("店铺 shop", "平台 platform", "扣点 fee rate")
    for name, platform, rate in shops:
        table.add_row(name, f"{PLATFORM_LABELS[platform]} ({platform})", f"{rate:.2%}")
    out.print(table)


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{table} {rows:,} 行" for table, rows in counts.items()) or "没有数据行"


def _yaml_note(workspace: Workspace, name: str) -> None:
    if mentions(workspace.root / CONFIG_NAME, name):
        err.print(f"note: {CONFIG_NAME} still names {escape(name)} — edit it there if it should change too")


@shop_group.command("rename")
@click.argument("old")
@click.argument("new")
@click.pass_context
@user_errors
def shop_rename(ctx: click.Context, old: str, new: str) -> None:
    """Rename a shop everywhere (data, targets, rivals, users' shops, notes) in one transaction."""
    workspace = open_workspace(ctx)
    renaming = rename_shop(workspace, old, new)
    out.print(f"[green]✓[/] 已将店铺 {escape(old)} 改名为 {escape(new)}：{escape(_counts(renaming.changed))}")
    if renaming.config_renamed:
        out.print(f"  {CONFIG_NAME} 的 shipping.shops 也已改为 {escape(new)}")
    if renaming.config_mentions_old:
        _yaml_note(workspace, old)


@shop_group.command("remove")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@user_errors
def shop_remove(ctx: click.Context, name: str, yes: bool) -> None:
    """Remove a shop with every row of it, in every table (asks first; backs the workspace up before)."""
    if not yes:
        try:
            sure = click.confirm(
                f"删除店铺 {name} 及其在所有表中的全部数据？（会先备份整个工作区）", default=False, err=True
            )
        except click.Abort:
            sure = False
        if not sure:
            err.print(f"未删除店铺 {escape(name)}，没有任何改动（不询问: --yes）")
            ctx.exit(1)
        argv = ctx.meta.get("shopops.argv")
        if argv is not None:  # asked here: a running dashboard it is handed to must not ask again
            ctx.meta["shopops.argv"] = [*argv, "--yes"]
    workspace = open_workspace(ctx)
    with progress_shown() as report:
        removal = remove_shop(workspace, name, report)
    out.print(said_backup(removal.backup, "已先备份"))
    total = sum(removal.deleted.values())
    out.print(f"[green]✓[/] 已删除店铺 {escape(name)}：共 {total:,} 行（{escape(_counts(removal.deleted))}）")
    if removal.changed:
        out.print(f"  店铺列表中去掉了 {escape(name)}：{escape(_counts(removal.changed))}")
    _yaml_note(workspace, name)
