"""API tokens that expire and can be revoked: `shopops user token|tokens|revoke`, the 设置 page for
admins, 401 with a clear message for an expired or revoked token, last use recorded at most once a
minute, a new password ends sessions and tokens, and migration 007 gives old tokens 90 days."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from markupsafe import escape

from shopops.cli.main import cli
from shopops.warehouse.connection import Warehouse, migration_scripts
from shopops.web import accounts
from tests.conftest import DemoWorkspace
from tests.web.conftest import PASSWORD, WebDemo, logged_in

LABEL = '<script>alert("x")</script> & 报表'


def run(root: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], input=stdin)


def add_alice(demo: DemoWorkspace) -> None:
    result = run(demo.root, "user", "add", "alice", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert result.exit_code == 0, result.output


def api(app: object, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})  # type: ignore[arg-type]


def token_rows(root: Path, name: str) -> list[dict[str, object]]:
    result = run(root, "user", "tokens", name, "--format", "json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_cli_creates_lists_and_revokes_tokens(fresh_demo: DemoWorkspace) -> None:
    add_alice(fresh_demo)
    before = dt.datetime.now()
    result = run(fresh_demo.root, "user", "token", "alice", "--label", "报表脚本", "--expires-days", "30")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert re.fullmatch(r"sho_[A-Za-z0-9_-]{43}", token)  # stdout holds the token alone, for scripts
    expires = (before + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    assert result.stderr.startswith(f"已为 alice 创建 API 令牌 1（报表脚本），{expires} ")
    assert "令牌只显示这一次" in result.stderr
    second = run(fresh_demo.root, "user", "token", "alice")  # default: 90 days
    assert second.exit_code == 0 and "API 令牌 2，" in second.stderr

    rows = token_rows(fresh_demo.root, "alice")
    assert [(r["id"], r["label"], r["state"], r["last_used"]) for r in rows] == [
        (1, "报表脚本", "active", None),
        (2, None, "active", None),
    ]
    created = dt.datetime.fromisoformat(str(rows[1]["created"]))
    assert dt.datetime.fromisoformat(str(rows[1]["expires"])) - created == dt.timedelta(days=90)
    table = run(fresh_demo.root, "user", "tokens", "alice").stdout
    assert "报表脚本" in table and "有效" in table and "—" in table  # never used: "—"
    assert token not in table  # only its hash is stored

    result = run(fresh_demo.root, "user", "revoke", "alice", "1")
    assert (result.exit_code, result.stdout.strip()) == (0, "已吊销 alice 的 API 令牌 1")
    assert [r["state"] for r in token_rows(fresh_demo.root, "alice")] == ["revoked", "active"]
    result = run(fresh_demo.root, "user", "revoke", "alice", "--all")
    assert (result.exit_code, result.stdout.strip()) == (0, "已吊销 alice 的 1 个 API 令牌")
    assert [r["state"] for r in token_rows(fresh_demo.root, "alice")] == ["revoked", "revoked"]


def test_cli_refusals_are_one_line(fresh_demo: DemoWorkspace) -> None:
    add_alice(fresh_demo)
    run(fresh_demo.root, "user", "add", "bob", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert run(fresh_demo.root, "user", "token", "bob").exit_code == 0  # token 1 is bob's
    cases = [
        (("user", "revoke", "alice"), 2, "give a TOKEN_ID or --all"),
        (("user", "revoke", "alice", "1", "--all"), 2, "give a TOKEN_ID or --all"),
        (
            ("user", "revoke", "alice", "1"),
            1,
            "alice 没有 API 令牌 1 — `shopops user tokens alice` 列出令牌",
        ),
        (("user", "revoke", "nobody", "--all"), 1, "没有用户 'nobody' — `shopops user list` 列出用户"),
        (("user", "tokens", "nobody"), 1, "没有用户 'nobody' — `shopops user list` 列出用户"),
        (("user", "token", "alice", "--expires-days", "0"), 2, "0 is not in the range 1<=x<=3650"),
        (
            ("user", "token", "alice", "--label", "a\nb"),
            1,
            "令牌标签须为一行、最多 100 个字符 — 写短一些，不要换行",
        ),
    ]
    for args, code, message in cases:
        result = run(fresh_demo.root, *args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert token_rows(fresh_demo.root, "alice") == []


def test_expired_and_revoked_tokens_get_401_with_the_reason(fresh_web: WebDemo) -> None:
    con = fresh_web.workspace.connection
    issued = accounts.issue_token(con, "alice", "nightly", 90)
    assert api(fresh_web.app, issued.token).get("/api/shops").status_code == 200
    con.execute(
        "UPDATE api_tokens SET expires_at = TIMESTAMP '2026-11-01 08:30:00' WHERE token_id = ?", [issued.id]
    )
    response = api(fresh_web.app, issued.token).get("/api/shops")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {
        "detail": f"API 令牌 {issued.id} 已于 2026-11-01 08:30 过期 (API token {issued.id} of alice expired"
        " on 2026-11-01 08:30) — create a new one: shopops user token alice"
    }
    other = accounts.issue_token(con, "alice", None, 90)
    accounts.revoke_token(con, "alice", other.id)
    response = api(fresh_web.app, other.token).get("/api/shops")
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert re.fullmatch(
        rf"API 令牌 {other.id} 已于 \d{{4}}-\d\d-\d\d \d\d:\d\d 吊销 \(API token {other.id} of alice was"
        r" revoked on [\d: -]+\) — create a new one: shopops user token alice",
        detail,
    ), detail
    response = api(fresh_web.app, "sho_never-issued").get("/api/shops")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "未知的 API 令牌 (unknown API token) — copy it whole, or create one: shopops user token NAME"
    )


def test_last_use_is_written_at_most_once_a_minute(fresh_web: WebDemo) -> None:
    con = fresh_web.workspace.connection
    issued = accounts.issue_token(con, "alice", None, 90)

    def last_used() -> dt.datetime | None:
        row = con.execute("SELECT last_used_at FROM api_tokens WHERE token_id = ?", [issued.id]).fetchone()
        assert row is not None
        value: dt.datetime | None = row[0]
        return value

    assert last_used() is None
    client = api(fresh_web.app, issued.token)
    assert client.get("/api/shops").status_code == 200
    first = last_used()
    assert first is not None and abs((dt.datetime.now() - first).total_seconds()) < 10
    for _ in range(20):
        assert client.get("/api/shops").status_code == 200
    assert last_used() == first  # no write on every call
    earlier = first - dt.timedelta(minutes=2)
    con.execute("UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?", [earlier, issued.id])
    assert client.get("/api/shops").status_code == 200
    latest = last_used()
    assert latest is not None and latest > first


def test_a_new_password_ends_sessions_and_tokens(fresh_web: WebDemo) -> None:
    browser, _ = logged_in(fresh_web.app, "alice")
    token = fresh_web.tokens["alice"]
    assert api(fresh_web.app, token).get("/api/shops").status_code == 200
    ended = accounts.set_password(fresh_web.workspace.connection, "alice", "another-pass-2")
    assert ended == (1, 1)  # one session, one token
    assert browser.get("/", follow_redirects=False).status_code == 303  # back to the login page
    response = api(fresh_web.app, token).get("/api/shops")
    assert response.status_code == 401 and "吊销" in response.json()["detail"]
    assert api(fresh_web.app, fresh_web.tokens["admin"]).get("/api/shops").status_code == 200


def test_cli_password_says_what_it_ended(fresh_demo: DemoWorkspace) -> None:
    add_alice(fresh_demo)
    run(fresh_demo.root, "user", "token", "alice")
    run(fresh_demo.root, "user", "token", "alice")
    result = run(fresh_demo.root, "user", "password", "alice", "--password-stdin", stdin="another-pass-2\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "已更新 alice 的密码；已结束 0 个登录会话，已吊销 2 个 API 令牌（脚本需要新令牌：shopops user token alice）"
    )


def test_settings_page_lists_creates_and_revokes_tokens(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "admin")
    page = client.get("/settings").text
    section = page.split('id="api-tokens"')[1]
    for name in ("admin", "alice", "viewer"):
        assert f"<td>{name}</td>" in section
    form = {"csrf_token": csrf, "user": "alice", "label": LABEL, "expires_days": "7"}
    response = client.post("/settings/tokens", data=form, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/settings#api-tokens")
    shown = client.get("/settings").text
    token = re.search(r'<code id="new-token">(sho_[A-Za-z0-9_-]+)</code>', shown)
    assert token, "the new token is shown once"
    assert str(escape(LABEL)) in shown and "<script>alert" not in shown  # every field escaped
    assert "sho_" not in client.get("/settings").text  # and only once
    assert api(fresh_web.app, token.group(1)).get("/api/shops").status_code == 200
    token_id = accounts.list_tokens(fresh_web.workspace.connection, "alice")[-1].id
    response = client.post(
        "/settings/tokens/revoke",
        data={"csrf_token": csrf, "token_id": str(token_id)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert api(fresh_web.app, token.group(1)).get("/api/shops").status_code == 401
    assert "已吊销" in client.get("/settings").text.split('id="api-tokens"')[1]


def test_settings_tokens_refusals(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "admin")
    bad = {"csrf_token": csrf, "user": "alice", "label": "", "expires_days": "abc"}
    response = client.post("/settings/tokens", data=bad)
    assert response.status_code == 400
    assert "有效天数须为 1 到 3650 的整数 (expires days: a whole number from 1 to 3650)" in response.text
    response = client.post("/settings/tokens", data={**bad, "expires_days": "7", "user": "nobody"})
    assert response.status_code == 400 and "no user &#39;nobody&#39;" in response.text
    response = client.post("/settings/tokens", data={**bad, "expires_days": "7", "csrf_token": "forged"})
    assert response.status_code == 403
    response = client.post("/settings/tokens/revoke", data={"csrf_token": csrf, "token_id": "999"})
    assert response.status_code == 400 and "no API token 999" in response.text
    operator, operator_csrf = logged_in(fresh_web.app, "alice")
    form = {"csrf_token": operator_csrf, "user": "alice", "label": "", "expires_days": "7"}
    assert operator.post("/settings/tokens", data=form).status_code == 403
    revoke = {"csrf_token": operator_csrf, "token_id": "1"}
    assert operator.post("/settings/tokens/revoke", data=revoke).status_code == 403
    assert accounts.list_tokens(fresh_web.workspace.connection, "admin")[0].revoked is None
    # a viewer's token cannot create tokens either (tokens carry no CSRF, the role still counts)
    viewer = api(fresh_web.app, fresh_web.tokens["viewer"])
    assert viewer.post("/settings/tokens", data={"user": "viewer", "expires_days": "7"}).status_code == 403
    # an admin's token gets the new token as JSON
    admin = api(fresh_web.app, fresh_web.tokens["admin"])
    created = admin.post("/settings/tokens", data={"user": "viewer", "label": "ci", "expires_days": "7"})
    assert created.status_code == 201
    assert created.json()["token"].startswith("sho_") and created.json()["user"] == "viewer"


def test_migration_gives_existing_tokens_ninety_days(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for version, name, sql in migration_scripts():
        if version >= 7:
            break
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    con.execute("INSERT INTO users (name, password_hash, role) VALUES ('alice', 'x', 'viewer')")
    con.execute(
        "INSERT INTO api_tokens (token_hash, user_name, label, created_at) VALUES"
        " (?, 'alice', 'old', TIMESTAMP '2025-01-01 00:00:00'), (?, 'alice', NULL, TIMESTAMP '2025-06-01 00:00:00')",
        [accounts.digest("sho_old-one"), accounts.digest("sho_old-two")],
    )
    con.close()
    before = dt.datetime.now()
    warehouse = Warehouse(path)
    after = dt.datetime.now()
    try:
        tokens = accounts.list_tokens(warehouse.connection, "alice")
        assert [(t.id, t.label, t.created, t.last_used, t.revoked) for t in tokens] == [
            (1, "old", dt.datetime(2025, 1, 1), None, None),
            (2, None, dt.datetime(2025, 6, 1), None, None),
        ]
        for token in tokens:
            assert (
                before + dt.timedelta(days=90, seconds=-1) <= token.expires <= after + dt.timedelta(days=90)
            )
        user = accounts.user_for_token(warehouse.connection, "sho_old-one")
        assert user is not None and user.name == "alice"
        assert accounts.issue_token(warehouse.connection, "alice", None, 1).id == 3
    finally:
        warehouse.close()
