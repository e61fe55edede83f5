"""Uploads in the page and the API, and `shopops import` while `shopops serve` holds the warehouse."""

from __future__ import annotations

import httpx

from tests.conftest import run_cli
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, LiveServer, WebDemo, logged_in


def imported(demo: WebDemo) -> int:
    row = demo.workspace.connection.execute("SELECT count(*) FROM imports").fetchone()
    return int(row[0]) if row else 0


def test_upload_several_files_in_the_page(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "admin")
    before = imported(fresh_web)
    files = [
        ("files", (fresh_web.held_back.name, fresh_web.held_back.read_bytes(), "text/csv")),
        ("files", ("notes.csv", "随便写的,表头\n1,2\n".encode(), "text/csv")),
    ]
    response = client.post("/imports/upload", data={"csrf_token": csrf}, files=files)
    assert response.status_code == 422  # one of the two was rejected
    page = response.text
    assert "✓" in page and "✗" in page and "notes.csv" in page
    assert imported(fresh_web) == before + 1
    assert "web:admin" in client.get("/imports").text


def test_scoped_operator_uploads_for_their_shop(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "alice")
    # The same export under a name that names no shop: a limited user must say which of theirs it is.
    files = {"files": ("退款管理.csv", fresh_web.held_back.read_bytes(), "text/csv")}
    refused = client.post("/api/imports", files=files, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 200
    assert refused.json()[0]["ok"] is False
    assert refused.json()[0]["message"].startswith("请选择你的店铺后重新上传 (choose one of your shops")
    assert SHOP_B not in refused.text  # the importer's list of every registered shop is not shown
    response = client.post("/api/imports", data={"shop": SHOP_A}, files=files, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    assert response.json()[0]["ok"] is True
    assert response.json()[0]["shops"] == [SHOP_A]


def test_scoped_operator_needs_no_shop_when_the_file_names_theirs(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "alice")
    files = {"files": (fresh_web.held_back.name, fresh_web.held_back.read_bytes(), "text/csv")}
    response = client.post("/api/imports", files=files, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    assert response.json()[0]["ok"] is True
    assert response.json()[0]["shops"] == [SHOP_A]


def test_cli_import_goes_through_the_running_server(live_server: LiveServer) -> None:
    demo = live_server.demo
    before = imported(demo)
    result = run_cli("--workspace", demo.root, "import", demo.held_back)
    assert result.exit_code == 0, result.output
    assert "via shopops serve" in result.output
    assert imported(demo) == before + 1
    with httpx.Client(base_url=live_server.url) as client:
        client.post("/login", data={"name": "admin", "password": PASSWORD})
        assert demo.held_back.name in client.get("/imports").text
    bad = demo.root / "bad.csv"
    bad.write_text("什么,都不是\n1,2\n", encoding="utf-8")
    result = run_cli("--workspace", demo.root, "import", bad)
    assert result.exit_code == 1
    assert "✗ bad.csv" in result.output


def test_a_scoped_operator_cannot_import_another_shops_file_as_their_own(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "alice")
    before = imported(fresh_web)
    theirs = next(p for p in fresh_web.exports.iterdir() if p.name == "退款管理_小野家居.xlsx")
    files = {"files": (theirs.name, theirs.read_bytes())}
    response = client.post("/api/imports", data={"shop": SHOP_A}, files=files, headers={"X-CSRF-Token": csrf})
    assert response.json()[0]["ok"] is False
    assert imported(fresh_web) == before
