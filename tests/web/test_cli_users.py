"""`shopops user …` and `shopops serve` refusing to start without users."""

from __future__ import annotations

from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.web import accounts
from shopops.workspace import Workspace
from tests.conftest import DemoWorkspace


def invoke(demo: DemoWorkspace, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--workspace", str(demo.root), *args], input=stdin)
    return result.exit_code, result.output


def invoke_stdout(demo: DemoWorkspace, *args: str) -> tuple[int, str]:
    """Standard output alone (``user token`` says what it made on standard error)."""
    result = CliRunner().invoke(cli, ["--workspace", str(demo.root), *args])
    return result.exit_code, result.stdout


def test_add_list_token_and_password(fresh_demo: DemoWorkspace) -> None:
    code, output = invoke(
        fresh_demo,
        "user",
        "add",
        "小王",
        "--role",
        "operator",
        "--shops",
        "云朵旗舰店",
        "--password-stdin",
        stdin="long-enough-1\n",
    )
    assert code == 0, output
    assert "小王" in invoke(fresh_demo, "user", "list")[1]
    code, token = invoke_stdout(fresh_demo, "user", "token", "小王")
    assert code == 0 and token.startswith("sho_") and token.count("\n") == 1
    with Workspace.open(fresh_demo.root) as workspace:
        stored = workspace.connection.execute("SELECT password_hash FROM users").fetchone()
        assert stored is not None and str(stored[0]).startswith("$argon2id$")
        user = accounts.user_for_token(workspace.connection, token.strip())
        assert user is not None and user.shops == ("云朵旗舰店",)
    code, _ = invoke(fresh_demo, "user", "password", "小王", "--password-stdin", stdin="another-pass-2\n")
    assert code == 0
    with Workspace.open(fresh_demo.root) as workspace:
        assert accounts.check_password(workspace.connection, "小王", "another-pass-2") is not None
        assert accounts.check_password(workspace.connection, "小王", "long-enough-1") is None


def test_bad_input_gets_one_line(fresh_demo: DemoWorkspace) -> None:
    code, output = invoke(
        fresh_demo, "user", "add", "x", "--role", "admin", "--password-stdin", stdin="short\n"
    )
    assert code == 1 and "密码至少需要 8 个字符" in output
    code, output = invoke(
        fresh_demo,
        "user",
        "add",
        "x",
        "--role",
        "viewer",
        "--shops",
        "没有这家",
        "--password-stdin",
        stdin="long-enough-1\n",
    )
    assert code == 1 and "未知店铺 '没有这家' — 见 `shopops shop list`" in output
    code, output = invoke(fresh_demo, "serve", "--port", "1")
    assert code == 1 and "还没有用户 — 先添加一个：shopops user add 用户名 --role admin" in output
