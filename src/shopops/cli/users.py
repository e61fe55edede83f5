"""`shopops user add|list|password|remove|token|tokens|revoke`: dashboard accounts (argon2 hashes,
per-shop scope) and their API tokens (expiring, revocable)."""

from __future__ import annotations

import json
import sys

import click
from rich.markup import escape
from rich.table import Table

from shopops.cli.context import err, open_workspace, out, user_errors
from shopops.errors import UserError
from shopops.reports.csv_cells import csv_text
from shopops.warehouse import audit
from shopops.web import accounts

STATES = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}


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
    password, con = _password(password_stdin), workspace.connection
    with audit.atomic(con):
        user = accounts.add_user(con, name, password, role, chosen)
        audit.record_current(con, "user.add", user.name, {"role": role, "shops": user.shops})
    scope = "、".join(user.shops) if user.shops is not None else "全部店铺"
    out.print(f"已添加用户 {user.name}（{accounts.ROLE_LABELS[role]}，{scope}）")


@user_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@user_errors
def password_command(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (ends the user's sessions and revokes their API tokens)."""
    workspace = open_workspace(ctx)
    password, con = _password(password_stdin), workspace.connection
    with audit.atomic(con):
        sessions, tokens = accounts.set_password(con, name, password)
        audit.record_current(con, "user.password", name, {"sessions": sessions, "tokens": tokens})
    out.print(
        f"已更新 {name} 的密码；已结束 {sessions} 个登录会话，已吊销 {tokens} 个 API 令牌"
        f"（脚本需要新令牌：shopops user token {name}）",
        markup=False,
    )


@user_group.command("remove")
@click.argument("name")
@click.pass_context
@user_errors
def remove_command(ctx: click.Context, name: str) -> None:
    """Remove a user with their sessions and API tokens."""
    con = open_workspace(ctx).connection
    with audit.atomic(con):
        accounts.remove_user(con, name)
        audit.record_current(con, "user.remove", name)
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
@click.option("--label", help="What the token is for (shown in `shopops user tokens` and on 设置).")
@click.option(
    "--expires-days",
    type=click.IntRange(1, accounts.MAX_TOKEN_DAYS),
    default=accounts.TOKEN_DAYS,
    show_default=True,
    help="Days until the token stops working.",
)
@click.pass_context
@user_errors
def token_command(ctx: click.Context, name: str, label: str | None, expires_days: int) -> None:
    """Create an API token for scripts: `Authorization: Bearer <token>`. The token alone goes to
    standard output (printed once, only its hash is kept); what it is, to standard error."""
    con = open_workspace(ctx).connection
    with audit.atomic(con):
        issued = accounts.issue_token(con, name, label, expires_days)
        detail = {"token_id": issued.id, "label": issued.label, "days": expires_days}
        audit.record_current(con, "token.create", name, detail)
    click.echo(issued.token)
    what = f"（{issued.label}）" if issued.label else ""
    err.print(
        f"已为 {name} 创建 API 令牌 {issued.id}{what}，{accounts.when(issued.expires)} 过期；令牌只显示这一次",
        markup=False,
    )


@user_group.command("tokens")
@click.argument("name")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
@user_errors
def tokens_command(ctx: click.Context, name: str, output_format: str) -> None:
    """List a user's API tokens: id, label, created, expires, last used, state."""
    found = accounts.list_tokens(open_workspace(ctx).connection, name)
    rows = [
        {
            "id": t.id,
            "label": t.label,
            "created": t.created.isoformat(timespec="seconds"),
            "expires": t.expires.isoformat(timespec="seconds"),
            "last_used": t.last_used.isoformat(timespec="seconds") if t.last_used else None,
            "state": t.state(),
            "revoked": t.revoked.isoformat(timespec="seconds") if t.revoked else None,
        }
        for t in found
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if output_format == "csv":
        click.echo(csv_text(rows), nl=False)
        return
    table = Table("编号 id", "标签 label", "创建 created", "过期 expires", "最近使用 last used", "状态 state")
    for t in found:
        last = accounts.when(t.last_used) if t.last_used else "—"
        cells = (str(t.id), t.label or "—", accounts.when(t.created), accounts.when(t.expires), last)
        table.add_row(*(escape(cell) for cell in cells), STATES[t.state()])
    if found:
        out.print(table)
    else:
        out.print(f"{name} 还没有 API 令牌 — shopops user token {name}", markup=False)


@user_group.command("revoke")
@click.argument("name")
@click.argument("token_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Revoke every token of the user.")
@click.pass_context
@user_errors
def revoke_command(ctx: click.Context, name: str, token_id: int | None, every: bool) -> None:
    """Revoke one API token of a user (its id from `shopops user tokens NAME`), or --all."""
    if (token_id is None) == (not every):
        raise click.UsageError(
            f"give a TOKEN_ID or --all (not both) — `shopops user tokens {name}` lists the ids"
        )
    con = open_workspace(ctx).connection
    with audit.atomic(con):
        if token_id is None:
            count = accounts.revoke_all(con, name)
            if count:
                audit.record_current(con, "token.revoke", name, {"tokens": count})
            said = f"已吊销 {name} 的 {count} 个 API 令牌" if count else f"{name} 没有有效的 API 令牌"
        else:
            before = accounts.revoke_token(con, name, token_id)
            if before.revoked is None:
                audit.record_current(con, "token.revoke", name, {"token_id": token_id, "label": before.label})
                said = f"已吊销 {name} 的 API 令牌 {token_id}"
            else:
                said = f"{name} 的 API 令牌 {token_id} 已于 {accounts.when(before.revoked)} 吊销"
    out.print(said, markup=False)
