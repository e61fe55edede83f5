"""CSRF on every form and JSON post, login rate limiting, cookie flags, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, SHOP_A, WebDemo, logged_in
from tests.web.test_access import routes

NOTE = {"date": "2026-11-20", "shop": SHOP_A, "metric": "gmv", "comment": "看过了"}


def test_every_post_without_its_csrf_token_is_refused(fresh_web: WebDemo) -> None:
    client, csrf = logged_in(fresh_web.app, "admin")
    posts = [
        r.path
        for r in routes(fresh_web)
        if "POST" in r.methods and r.path not in ("/login", "/api/local/import")
    ]
    assert len(posts) >= 5
    for path in posts:
        form = {"date": "2026-11-20", "shop": SHOP_A, "metric": "gmv", "name": "x", "password": "p" * 9}
        response = client.post(path, data=form, files={"files": ("a.csv", b"a\n", "text/csv")})
        assert response.status_code == 403, (path, response.status_code)
        response = client.post(path, data={**form, "csrf_token": "forged"}, follow_redirects=False)
        assert response.status_code == 403, path
    # with the token the same note is saved
    response = client.post("/findings/note", data={**NOTE, "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    response = client.post("/api/findings/notes", json=NOTE, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201
    assert client.post("/api/findings/notes", json=NOTE).status_code == 403
    rows = fresh_web.workspace.connection.execute("SELECT count(*) FROM finding_notes").fetchone()
    assert rows == (2,)


def test_api_tokens_need_no_csrf(fresh_web: WebDemo) -> None:
    client = TestClient(fresh_web.app, headers={"Authorization": f"Bearer {fresh_web.tokens['alice']}"})
    assert client.post("/api/findings/notes", json=NOTE).status_code == 201


def test_wrong_passwords_are_rate_limited(fresh_web: WebDemo) -> None:
    client = TestClient(fresh_web.app)
    for _ in range(5):
        response = client.post("/login", data={"name": "alice", "password": "wrong-password"})
        assert response.status_code == 401
    response = client.post("/login", data={"name": "alice", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 429  # even the right password waits now
    other = client.post("/login", data={"name": "admin", "password": PASSWORD}, follow_redirects=False)
    assert other.status_code == 303


def test_session_cookie_flags_and_logout(fresh_web: WebDemo) -> None:
    client = TestClient(fresh_web.app)
    response = client.post("/login", data={"name": "admin", "password": PASSWORD}, follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    secure = TestClient(fresh_web.app, base_url="https://testserver")
    response = secure.post("/login", data={"name": "admin", "password": PASSWORD}, follow_redirects=False)
    assert "secure" in response.headers["set-cookie"].lower()
    client, csrf = logged_in(fresh_web.app, "admin")
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_redirects_only_inside_the_site(fresh_web: WebDemo) -> None:
    client = TestClient(fresh_web.app)
    form = {"name": "admin", "password": PASSWORD, "next": "//evil.example/"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"
