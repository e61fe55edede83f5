"""`shopops user add|list|password|remove|token`: dashboard accounts (argon2 hashes, per-shop scope)."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from shopops.cli.context import open_workspace, out, user_errors
from shopops.errors import UserError
from shopops.web import accounts


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("no terminal to ask for the password — pass --password-stdin and pipe it in")
    value: str = click.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    return value


@click.group("user")
def user_group() -> None:
    """Dashboard users: roles admin (管理员) / operator (运营) / viewer (只读), limited to shops."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--shops", help="Comma-separated shops the user may see (default: every shop).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@user_errors
def add_command(ctx: click.Context, name: str, role: str, shops: str | None, password_stdin: bool) -> None:
    """Add a user (asks for the password)."""
    workspace = open_workspace(ctx)
    chosen = [s.strip() for s in shops.replace("，", ",").split(",") if s.strip()] if shops else None
    user = accounts.add_user(workspace.connection, name, _password(password_stdin), role, chosen)
    scope = "、".join(user.shops) if user.shops is not None else "全部店铺"
    out.print(f"已添加用户 {user.name}（{accounts.ROLE_LABELS[role]}，{scope}）")


@user_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@user_errors
def password_command(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (ends the user's sessions)."""
    workspace = open_workspace(ctx)
    accounts.set_password(workspace.connection, name, _password(password_stdin))
    out.print(f"已更新 {name} 的密码")


@user_group.command("remove")
@click.argument("name")
@click.pass_context
@user_errors
def remove_command(ctx: click.Context, name: str) -> None:
    """Remove a user with their sessions and API tokens."""
    accounts.remove_user(open_workspace(ctx).connection, name)
    out.print(f"已删除用户 {name}")


@user_group.command("list")
@click.pass_context
@user_errors
def list_command(ctx: click.Context) -> None:
    """List users."""
    table = Table("用户 user", "角色 role", "店铺 shops")
    for user in accounts.list_users(open_workspace(ctx).connection):
        table.add_row(user.name, user.role, "、".join(user.shops) if user.shops is not None else "全部店铺")
    out.print(table)


@user_group.command("token")
@click.argument("name")
@click.option("--label", help="What the token is for (shown nowhere else).")
@click.pass_context
@user_errors
def token_command(ctx: click.Context, name: str, label: str | None) -> None:
    """Create an API token for scripts: `Authorization: Bearer <token>` (printed once)."""
    token = accounts.create_token(open_workspace(ctx).connection, name, label)
    click.echo(token)
