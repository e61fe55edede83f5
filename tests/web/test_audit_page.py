"""The audit log from the dashboard's side: logins and failed logins, notes, uploads and users added
on the pages are recorded once in the dashboard user's name (via web, or api:<label> with a token);
a command handed to a running server keeps the caller's OS user and "cli"; the 审计 page is for
admins only, filters, pages and escapes."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shopops.demo.writers import write_csv
from shopops.warehouse import audit
from shopops.web import accounts
from tests.conftest import DEMO_END, run_cli
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, WebDemo, build_web_demo, logged_in, serving

NOTE = {"date": "2026-11-20", "shop": SHOP_A, "metric": "gmv"}
HOSTILE = '<script>alert("审计")</script>'


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDemo]:
    demo = build_web_demo(tmp_path_factory.mktemp("audit"))
    accounts.add_user(demo.workspace.connection, "shop-a-admin", PASSWORD, "admin", [SHOP_A])
    yield demo
    demo.workspace.close()


def records(web: WebDemo, action: str | None = None) -> list[audit.AuditRecord]:
    cursor = web.workspace.connection.cursor()
    try:
        return audit.read(cursor, audit.AuditFilter(action=action))
    finally:
        cursor.close()


def added(web: WebDemo, before: list[audit.AuditRecord]) -> list[tuple[str, str, str, str]]:
    seen = {r.audit_id for r in before}
    return [(r.action, r.actor, r.via, r.target) for r in records(web) if r.audit_id not in seen]


def test_logins_and_failed_logins_are_recorded(web: WebDemo) -> None:
    client = TestClient(web.app)
    before = records(web)
    response = client.post("/login", data={"name": "viewer", "password": "wrong-password"})
    assert response.status_code == 401
    response = client.post("/login", data={"name": "viewer", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    assert added(web, before) == [("login.failed", "viewer", "web", ""), ("login", "viewer", "web", "")]
    failed, done = records(web)[-2:]
    assert failed.detail == {"client": "testclient", "reason": "wrong name or password"}
    assert done.detail == {"client": "testclient"} and done.shops == ()


def test_changes_on_the_pages_name_the_dashboard_user(web: WebDemo) -> None:
    alice, csrf = logged_in(web.app, "alice")
    before = records(web)
    form = {**NOTE, "acknowledged": "true", "comment": "已处理", "csrf_token": csrf}
    assert alice.post("/findings/note", data=form, follow_redirects=False).status_code == 303
    response = alice.post(
        "/api/findings/notes", json={**NOTE, "comment": "再看看"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 201
    with web.held_back.open("rb") as handle:
        files = {"files": (web.held_back.name, handle.read(), "text/csv")}
    response = alice.post("/imports/upload", data={"csrf_token": csrf}, files=files)
    assert response.status_code == 200, response.text
    admin, admin_csrf = logged_in(web.app, "admin")
    form = {"name": "小李", "password": PASSWORD, "role": "viewer", "shops": SHOP_B, "csrf_token": admin_csrf}
    assert admin.post("/settings/users", data=form, follow_redirects=False).status_code == 303
    target = f"2026-11-20 {SHOP_A} gmv"
    assert [change for change in added(web, before) if change[0] != "login"] == [
        ("finding.ack", "alice", "web", target),
        ("finding.note", "alice", "web", target),
        ("import", "alice", "web", web.held_back.name),
        ("user.add", "admin", "web", "小李"),
    ]
    new = {r.action: r for r in records(web)[len(before) :]}
    ack, note, upload = new["finding.ack"], new["finding.note"], new["import"]
    assert ack.detail == {
        "shop": SHOP_A,
        "date": "2026-11-20",
        "metric": "gmv",
        "channel": "",
        "comment": "已处理",
    }
    assert note.detail["comment"] == "再看看" and ack.shops == note.shops == (SHOP_A,)
    assert upload.shops == (SHOP_A,) and upload.detail["rows"] > 0 and len(upload.detail["sha256"]) == 64
    assert new["user.add"].detail == {"role": "viewer", "shops": [SHOP_B]} and new["user.add"].shops == (
        SHOP_B,
    )


def test_api_tokens_are_named_by_their_label(web: WebDemo) -> None:
    con = web.workspace.connection
    labelled = accounts.create_token(con, "alice", "日报脚本")
    plain = accounts.issue_token(con, "alice")
    before = records(web)
    for token in (labelled, plain.token):
        client = TestClient(web.app, headers={"Authorization": f"Bearer {token}"})
        assert client.post("/api/findings/notes", json={**NOTE, "comment": "脚本"}).status_code == 201
    assert [(a, actor, via) for a, actor, via, _ in added(web, before)] == [
        ("finding.note", "alice", "api:日报脚本"),
        ("finding.note", "alice", f"api:#{plain.id}"),
    ]


def test_commands_handed_to_the_server_keep_the_callers_name(
    web: WebDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI sends its OS user along: pretend another account than the server's ran it.
    monkeypatch.setattr("shopops.web.client.os_user", lambda: "caller")
    header = ["统计日期", "访客数", "支付金额"]
    corrected = write_csv(
        tmp_path / f"店铺整体_{SHOP_B}_更正.csv", header, [[str(DEMO_END), "123", "456.00"]]
    )
    with serving(web, local_cli=True):
        before = records(web)
        result = run_cli("-w", web.root, "shop", "add", "新开小店", "--platform", "taobao")
        assert result.exit_code == 0, result.output
        result = run_cli("-w", web.root, "import", corrected)
        assert result.exit_code == 0 and "(via shopops serve)" in result.output, result.output
        assert added(web, before) == [
            ("shop.add", "caller", "cli", "新开小店"),
            ("import", "caller", "cli", corrected.name),
        ]
        result = run_cli("-w", web.root, "audit", "--format", "json", "--action", "shop.add")
        assert result.exit_code == 0, result.output
        assert [(r["actor"], r["target"]) for r in json.loads(result.stdout)][-1] == ("caller", "新开小店")
    assert records(web)[-1].detail["rows"] == 1 and records(web)[-1].shops == (SHOP_B,)


def test_only_admins_see_the_audit_page(web: WebDemo) -> None:
    admin, _ = logged_in(web.app, "admin")
    page = admin.get("/audit")
    assert page.status_code == 200
    assert '<a href="/audit"' in page.text and "审计" in page.text
    for header in ("时间", "谁", "来源", "操作", "对象", "详情"):
        assert f"<th>{header}</th>" in page.text
    for name in ("alice", "viewer"):
        client, _ = logged_in(web.app, name)
        assert client.get("/audit").status_code == 403
        assert '<a href="/audit"' not in client.get("/metrics").text
    token = TestClient(web.app, headers={"Authorization": f"Bearer {web.tokens['alice']}"})
    assert token.get("/audit").status_code == 403


def test_the_page_filters_pages_and_escapes(web: WebDemo) -> None:
    cursor = web.workspace.connection.cursor()
    try:
        for number in range(55):
            audit.record(cursor, actor=HOSTILE, via="web", action="login.failed", detail={"try": number})
    finally:
        cursor.close()
    admin, _ = logged_in(web.app, "admin")
    total = len(records(web, "login.failed"))
    first = admin.get("/audit", params={"action": "login.failed"}).text
    assert first.count('class="audit-login-failed"') == 50
    assert f"共 {total} 条" in first and f"1 / {-(-total // 50)}" in first
    assert HOSTILE not in first and "&lt;script&gt;alert(&#34;审计&#34;)&lt;/script&gt;" in first
    assert 'href="/audit?action=login.failed&amp;page=2"' in first
    second = admin.get("/audit", params={"action": "login.failed", "page": 2}).text
    assert second.count('class="audit-login-failed"') == total - 50
    assert "try 0" in second and "try 54" in first  # newest first

    tomorrow = str(dt.date.today() + dt.timedelta(days=1))
    assert "没有数据" in admin.get("/audit", params={"from": tomorrow}).text
    today = str(dt.date.today())
    assert "共 0 条" not in admin.get("/audit", params={"from": today, "to": today}).text
    assert admin.get("/audit", params={"from": tomorrow, "to": today}).status_code == 400
    assert admin.get("/audit", params={"page": 0}).status_code == 422


def test_an_admin_of_some_shops_sees_their_records_only(web: WebDemo) -> None:
    client, _ = logged_in(web.app, "shop-a-admin")
    imports = client.get("/audit", params={"action": "import"}).text
    files = re.findall(r'<tr class="audit-import">.*?</tr>', imports, re.S)
    assert files and all(SHOP_B not in row for row in files)
    every = {r.target for r in records(web, "import")}
    assert any(SHOP_B in name for name in every)  # there are some, not shown
    shown = client.get("/audit").text
    assert SHOP_B not in shown
    assert "shop-a-admin" in shown  # its own login: a record of no shop
