"""Security headers on every answer, Secure cookies over HTTPS, no inline script or style in any page,
and JSON embedded in pages escaped so that a shop name or 宝贝标题 holding ``</script>`` stays text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from shopops.web import cache
from shopops.web.app import HERE, create_app
from shopops.web.embedding import json_for_html, json_script
from shopops.web.headers import CONTENT_SECURITY_POLICY, is_https, secure_cookie
from tests.web.conftest import PASSWORD, WebDemo, build_web_demo
from tests.web.hostile_data import (
    HOSTILE_GROUP,
    HOSTILE_RIVAL_SHOP,
    HOSTILE_RIVAL_TITLE,
    HOSTILE_SHOP,
    HOSTILE_TITLE,
    HOSTILE_TITLES,
    RIVAL_ITEM,
    add_hostile_data,
)
from tests.web.test_access import routes

EXPECTED_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
        " font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


def html_routes(demo: WebDemo) -> list[str]:
    """Every GET route without path parameters (the pages among them answer text/html)."""
    return sorted(route.path for route in routes(demo) if "GET" in route.methods and "{" not in route.path)


class Page(HTMLParser):
    """The tags of a page and the text of each <script> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def texts(html: str) -> list[str]:
    """The text nodes of a page, entities decoded, whitespace at their ends dropped."""
    page = parse(html)
    return [t.strip() for t in page.text if t.strip()]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebDemo, TestClient]]:
    """The web demo with the hostile shop, titles and rivals; a client with the admin's token."""
    base = tmp_path_factory.mktemp("hostile")
    demo = build_web_demo(base)
    add_hostile_data(demo.workspace, base / "hostile")
    yield demo, TestClient(demo.app, headers={"Authorization": f"Bearer {demo.tokens['admin']}"})
    cache.wait_idle()
    demo.workspace.close()


def hostile_urls(demo: WebDemo) -> list[str]:
    """Every page, as is and with the hostile shop chosen, plus the hostile rival item and group."""
    urls = []
    for path in html_routes(demo):
        urls += [path, f"{path}?shop={quote(HOSTILE_SHOP)}&from=2026-11-01&to=2026-11-24"]
    urls += [
        f"/rivals?item={quote(HOSTILE_RIVAL_SHOP + '|' + RIVAL_ITEM)}",
        f"/rivals?group={quote(HOSTILE_GROUP)}",
        f"/?shop={quote('</script><svg onload=alert(9)>')}",  # no such shop: the error page names it
    ]
    return urls


def test_every_page_shows_hostile_names_as_text(hostile: tuple[WebDemo, TestClient]) -> None:
    demo, client = hostile
    pages = 0
    embedded: list[object] = []
    for url in hostile_urls(demo):
        response = client.get(url)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        page = parse(response.text)
        assert [tag for tag, _ in page.tags if tag in ("img", "svg", "iframe")] == [], url
        for attrs, text in page.scripts:
            if "src" in attrs:
                assert text == "", url
                continue
            assert attrs.get("type") == "application/json", (url, attrs)  # data, never code
            assert not re.search(r"[<>&\u2028\u2029]", text), (url, text[:200])
            embedded.append(json.loads(text))
        assert not any(re.match(r"on[a-z]+$", name) for _, attrs in page.tags for name in attrs), url
    assert pages >= 10
    everything = json.dumps(embedded, ensure_ascii=False)
    # The names and titles are in the pages' data as they are, not mangled.
    # (the item title is shown as text on /findings, below; an item's finding is no trend marker)
    for text in (HOSTILE_SHOP, HOSTILE_RIVAL_SHOP):
        assert json.dumps(text, ensure_ascii=False)[1:-1] in everything, text
    trends = client.get(
        "/trends", params={"shop": HOSTILE_SHOP, "metric": "gmv", "from": "2026-11-01", "to": "2026-11-24"}
    )
    series = json.loads(next(t for a, t in parse(trends.text).scripts if a.get("id") == "series"))
    assert [line["shop"] for line in series["lines"]] == [HOSTILE_SHOP]
    # the bestseller's 单品支付金额 finding belongs to the item, not on the shop's 支付金额 line
    assert not any(HOSTILE_TITLE in marker["text"] for marker in series["markers"])
    findings = client.get(
        "/findings", params={"shop": HOSTILE_SHOP, "from": "2026-11-18", "to": "2026-11-24"}
    )
    assert f"单品支付金额·{HOSTILE_TITLE}" in texts(findings.text)
    rivals = client.get("/rivals", params={"item": f"{HOSTILE_RIVAL_SHOP}|{RIVAL_ITEM}"})
    assert f"{HOSTILE_RIVAL_SHOP} {RIVAL_ITEM} {HOSTILE_RIVAL_TITLE}" in texts(rivals.text)
    settings = client.get("/settings")
    assert HOSTILE_SHOP in texts(settings.text)


def test_json_for_html_escapes_what_could_end_a_script() -> None:
    value = {"title": HOSTILE_TITLES[1], "line": "a\u2028b\u2029c", "amp": "&lt;"}
    text = json_for_html(value)
    assert text == (
        '{"title": "\\u003c/SCRIPT\\u003e\\u003cscript\\u003ealert(2)\\u003c/script\\u003e\\u0026amp;",'
        ' "line": "a\\u2028b\\u2029c", "amp": "\\u0026lt;"}'
    )
    assert json.loads(text) == value
    assert str(json_script([HOSTILE_SHOP], 'x"y')) == (
        '<script id="x&#34;y" type="application/json">'
        '["\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"]</script>'
    )


def test_templates_have_no_inline_script_style_or_safe_filter() -> None:
    for template in sorted((HERE / "templates").glob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert "| safe" not in text and "|safe" not in text, template.name
        assert not re.search(r"\sstyle=", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag, (template.name, tag)  # data blocks come from `| json_script`


def test_every_answer_carries_the_security_headers(hostile: tuple[WebDemo, TestClient]) -> None:
    demo, client = hostile
    anonymous = TestClient(demo.app)
    answers = [
        anonymous.get("/login"),
        anonymous.get("/", follow_redirects=False),
        anonymous.get("/api/findings"),
        anonymous.get("/static/app.js"),
        anonymous.get("/health"),
        client.get("/"),
        client.get("/trends"),
        client.get("/api/shops"),
        client.get("/table/download?format=csv"),
        client.get("/no-such-page"),
    ]
    for response in answers:
        assert {k: response.headers.get(k) for k in EXPECTED_HEADERS} == EXPECTED_HEADERS, response.url
    assert EXPECTED_HEADERS["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_cookies_are_secure_over_https_only(hostile: tuple[WebDemo, TestClient]) -> None:
    demo, _ = hostile
    plain = TestClient(demo.app)
    assert "secure" not in plain.get("/lang/en", follow_redirects=False).headers["set-cookie"].lower()
    forged = plain.get("/lang/en", headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
    assert "secure" not in forged.headers["set-cookie"].lower()  # from a client we do not trust
    https = TestClient(demo.app, base_url="https://testserver")
    lang = https.get("/lang/en", follow_redirects=False)
    assert lang.headers["set-cookie"].endswith("; Secure")
    login = https.post("/login", data={"name": "admin", "password": PASSWORD}, follow_redirects=False)
    assert login.status_code == 303
    assert re.match(r"shopops_session=[^;]+; HttpOnly; Max-Age=\d+; Path=/; SameSite=lax; Secure$",
                    login.headers["set-cookie"])  # fmt: skip


def test_secure_cookies_behind_the_proxy_of_shopops_yaml(hostile: tuple[WebDemo, TestClient]) -> None:
    """web.trusted_proxies (shopops.yaml) names the proxy whose X-Forwarded-Proto is believed."""
    demo, _ = hostile
    settings = demo.workspace.settings
    demo.workspace.settings = replace(settings, trusted_proxies=("10.0.0.0/8",))
    try:
        app = create_app(demo.workspace)
    finally:
        demo.workspace.settings = settings
    https = {"X-Forwarded-Proto": "https"}
    proxy = TestClient(app, client=("10.1.2.3", 40000))
    assert (
        proxy.get("/lang/en", headers=https, follow_redirects=False)
        .headers["set-cookie"]
        .endswith("; Secure")
    )
    assert "secure" not in proxy.get("/lang/en", follow_redirects=False).headers["set-cookie"].lower()
    stranger = TestClient(app, client=("203.0.113.9", 40000))
    answer = stranger.get("/lang/en", headers=https, follow_redirects=False)
    assert "secure" not in answer.headers["set-cookie"].lower()


def test_https_behind_a_trusted_proxy() -> None:
    def scope(client: str, proto: bytes | None, scheme: str = "http") -> dict[str, object]:
        headers = [(b"x-forwarded-proto", proto)] if proto else []
        return {"type": "http", "scheme": scheme, "client": (client, 5000), "headers": headers}

    assert is_https(scope("203.0.113.9", None, scheme="https"))
    assert is_https(scope("10.1.2.3", b"https"), ["10.0.0.0/8"])
    assert is_https(scope("10.1.2.3", b"https, http"), ["10.1.2.3"])
    assert not is_https(scope("10.1.2.3", b"http"), ["10.0.0.0/8"])
    assert not is_https(scope("203.0.113.9", b"https"), ["10.0.0.0/8"])
    assert not is_https(scope("10.1.2.3", b"https"))
    assert secure_cookie(b"a=1; Path=/") == b"a=1; Path=/; Secure"
    assert secure_cookie(b"a=1; Path=/; secure") == b"a=1; Path=/; secure"
    assert secure_cookie(b"secure=1; Path=/") == b"secure=1; Path=/; Secure"
