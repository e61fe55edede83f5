"""Login is required everywhere but /login and /health; a user limited to shop A never gets a byte
of shop B from any page, download or API route (every registered route is tried)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from shopops.domains import parts
from tests.web.conftest import SHOP_A, SHOP_B, WebDemo, logged_in

PUBLIC = {"/login", "/health", "/lang/{code}"}


def routes(demo: WebDemo) -> list[APIRoute]:
    """Every API route registered on the app (routers included; FastAPI versions differ in how)."""
    found: list[APIRoute] = []

    def walk(items: list[Any]) -> None:
        for route in items:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)

    walk(demo.app.routes)
    assert len(found) >= 25
    return found


def test_the_domains_routes_are_among_those_tried(web_demo: WebDemo) -> None:
    tried = {route.path for route in routes(web_demo)}
    assert {route.path for router in parts("routes") for route in router.routes} <= tried
    assert "/rivals" in tried


def concrete(path: str) -> str:
    return path.replace("{code}", "en")


def variants(route: APIRoute) -> list[dict[str, str]]:
    """Query strings that try to reach shop B, plus the defaults."""
    names = {p.alias or p.name for p in route.dependant.query_params}
    tries: list[dict[str, Any]] = [{}]
    if "shop" in names:
        tries += [{"shop": SHOP_B}, {"shop": SHOP_A}]
    if "from" in names:
        tries.append({"from": "2026-11-01", "to": "2026-11-24"})
    if "grain" in names:
        tries += [{"grain": "week"}, {"grain": "month"}]
    if "format" in names:
        tries.append({"format": "csv"})
    if "total" in names:
        tries.append({"total": "true"})
    return tries


def readable(response: Any) -> bytes:
    """The bytes a person would read: an .xlsx is unzipped first."""
    body: bytes = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return body


def test_nothing_answers_without_login(web_demo: WebDemo) -> None:
    client = TestClient(web_demo.app)
    checked = 0
    for route in routes(web_demo):
        if route.path in PUBLIC:
            continue
        for method in route.methods:
            response = client.request(method, concrete(route.path), follow_redirects=False)
            assert response.status_code in (303, 401, 403), (method, route.path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
            assert SHOP_A.encode() not in response.content and SHOP_B.encode() not in response.content
            checked += 1
    assert checked >= 20
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/login").status_code == 200


def test_a_wrong_token_is_refused(web_demo: WebDemo) -> None:
    client = TestClient(web_demo.app)
    response = client.get("/api/master", headers={"Authorization": "Bearer sho_wrong"})
    assert response.status_code == 401


@pytest.mark.parametrize("how", ["session", "token"])
def test_a_scoped_user_never_sees_the_other_shop(web_demo: WebDemo, how: str) -> None:
    if how == "session":
        client, _ = logged_in(web_demo.app, "alice")
    else:
        client = TestClient(web_demo.app, headers={"Authorization": f"Bearer {web_demo.tokens['alice']}"})
    seen_a = 0
    for route in routes(web_demo):
        if "GET" not in route.methods or route.path in PUBLIC:
            continue
        for query in variants(route):
            response = client.get(concrete(route.path), params=query, follow_redirects=False)
            assert response.status_code < 500, (route.path, query, response.text[:300])
            body = readable(response)
            assert SHOP_B.encode() not in body, (route.path, query)
            seen_a += SHOP_A.encode() in body
            if query.get("shop") == SHOP_B:
                assert response.status_code == 403, (route.path, response.status_code)
    assert seen_a >= 8  # the pages did show shop A


def test_an_unscoped_admin_sees_both_shops(web_demo: WebDemo) -> None:
    client, _ = logged_in(web_demo.app, "admin")
    body = client.get("/api/master").text
    assert SHOP_A in body and SHOP_B in body


def test_scoped_writes_to_the_other_shop_are_refused(web_demo: WebDemo) -> None:
    client, csrf = logged_in(web_demo.app, "alice")
    note = {"date": "2026-11-20", "shop": SHOP_B, "metric": "gmv", "comment": "x"}
    response = client.post("/api/findings/notes", json=note, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 403
    assert SHOP_B.encode() not in response.content
    form = {"csrf_token": csrf, "shop": SHOP_B}
    files = {"files": ("a.csv", b"x,y\n1,2\n", "text/csv")}
    response = client.post("/imports/upload", data=form, files=files)
    assert response.status_code == 403


def test_viewers_cannot_write_and_operators_not_open_settings(web_demo: WebDemo) -> None:
    viewer, csrf = logged_in(web_demo.app, "viewer")
    note = {"date": "2026-11-20", "shop": SHOP_A, "metric": "gmv", "acknowledged": True}
    assert viewer.post("/api/findings/notes", json=note, headers={"X-CSRF-Token": csrf}).status_code == 403
    alice, _ = logged_in(web_demo.app, "alice")
    assert alice.get("/settings").status_code == 403
    assert "设置" not in alice.get("/metrics").text.split("<main>")[0]
