"""The dashboard on `shopops demo`'s workspace (tests/web/demo_site.py), from a real server on 127.0.0.1:
the 异常 tables write their figures as `shopops findings` does (reports/figures.py), the 趋势 markers
sit on the shop's own line, the favicon is ours and served as SVG, and the 竞品 page has the demo's
rivals."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.web.conftest import PASSWORD, LiveServer, WebDemo, serving

# Every figure form of a findings table: money, a share, a multiple or score, a count, seconds, days.
FIGURE = re.compile(
    r"^(?:—|−?¥[\d,]+\.\d\d|−?\d+\.\d\d%|\d+\.\d{2,3}|[\d,]+\.\d (?:秒|天)|-?[\d,]+(?:\.\d\d?)?)$"
)


@pytest.fixture(scope="module")
def session(demo_site: WebDemo) -> Iterator[tuple[LiveServer, httpx.Client]]:
    with serving(demo_site) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        assert client.post("/login", data={"name": "admin", "password": PASSWORD}).status_code == 303
        yield server, client


def cells(page: str, css: str) -> list[str]:
    found = re.findall(rf'<td class="{css}">(.*?)</td>', page, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def test_the_findings_figures_are_written_as_the_cli_writes_them(
    session: tuple[LiveServer, httpx.Client],
) -> None:
    _, client = session
    page = client.get("/findings", params={"from": "2026-11-01", "to": "2026-11-30"}).text
    values = cells(page, "num")
    assert len(values) > 50
    parts = [part.removeprefix("≤ ").removeprefix("≥ ") for value in values for part in value.split(" ~ ")]
    assert [part for part in parts if not FIGURE.match(part)] == []
    assert not re.search(r"\d\.\d{4,}", " ".join(values))  # no 84.14999999999999
    # Domain figures outside the catalog: a return rate as a share, a response time in seconds.
    rows = re.findall(r"<tr class=\"sev-.*?</tr>", page, flags=re.S)
    returns = [r for r in rows if "主观退货偏高" in r or "品质退货偏高" in r]
    assert returns and all(re.search(r'<td class="num">\d+\.\d\d%</td>', r) for r in returns)
    slower = [r for r in rows if "客服响应变慢" in r]
    assert slower and all(re.search(r'<td class="num">[\d.]+ 秒</td>', r) for r in slower)


def test_the_english_findings_name_metrics_and_severities_in_english(
    session: tuple[LiveServer, httpx.Client],
) -> None:
    server, _ = session
    with httpx.Client(base_url=server.url, timeout=120) as client:
        client.post("/login", data={"name": "admin", "password": PASSWORD})
        client.get("/lang/en?next=/")
        page = client.get("/findings", params={"from": "2026-11-01", "to": "2026-11-30"}).text
    badges = set(re.findall(r'<span class="badge (?:critical|warning|info)">([^<]+)</span>', page))
    assert badges and badges <= {
        "Critical",
        "Warning",
        "Info",
        "Critical (provisional)",
        "Warning (provisional)",
        "Info (provisional)",
    }
    labels = set(re.findall(r"</td><td>([^<]*)</td><td class=\"num\">", page))
    assert {"Stock-out risk", "Slower CS response", "Stock-out risk·after Double 11"} <= labels
    assert {label.split("·")[0] for label in labels if label.startswith("Item GMV·")} == {"Item GMV"}
    assert not [label for label in labels if re.search(r"[\u4e00-\u9fff]", label.split("·")[0])]


def test_trend_markers_sit_on_the_shops_own_line(session: tuple[LiveServer, httpx.Client]) -> None:
    _, client = session
    page = client.get("/trends", params={"metric": "gmv", "from": "2026-10-01", "to": "2026-11-30"}).text
    found = re.search(r'<script id="series" type="application/json">(.*?)</script>', page, flags=re.S)
    assert found
    series = json.loads(html.unescape(found.group(1)))
    lines = {
        line["shop"]: dict(zip(series["dates"], line["values"], strict=True)) for line in series["lines"]
    }
    assert series["markers"]
    for marker in series["markers"]:  # not an item's 单品支付金额 of 0 drawn on the shop's chart
        assert marker["value"] == pytest.approx(lines[marker["shop"]][marker["date"]])


def test_the_favicon_is_ours_and_an_svg(session: tuple[LiveServer, httpx.Client]) -> None:
    _, client = session
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and "http://www.w3.org/2000/svg" in icon.text
    assert "href=" not in icon.text and "https:" not in icon.text  # nothing fetched from elsewhere
    link = '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">'
    assert all(link in client.get(path).text for path in ("/", "/findings", "/stock"))
    assert link in httpx.get(session[0].url + "/login").text  # the login page too


def test_the_rivals_page_shows_the_demos_rivals(session: tuple[LiveServer, httpx.Client]) -> None:
    _, client = session
    page = client.get("/rivals").text
    manifest = json.loads((session[0].demo.exports / "manifest.json").read_text(encoding="utf-8"))
    cut = manifest["rivals"]["price_cut"]
    assert "还没有竞品数据" not in page
    assert cut["item"] in page
    assert re.search(r"交易指数\^", page)  # the index fit has our own 交易指数 and GMV
