"""The findings page lists every finding by 涉及金额, a grouped one opening (<details>) onto its children;
the overview shows the day's top alerts.budget and "另有 N 条 → 全部". Real pages from a real workspace."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopops.web import cache
from tests.web.conftest import WebDemo, build_web_demo
from tests.web.grouped_data import CUT_DAY, CUT_ITEMS, MARKUP_TITLE, RIVAL, add_price_cuts, set_budget

DAY = CUT_DAY.isoformat()
BUDGET = 2


class Rows(HTMLParser):
    """Every <tr> of a page: its class and the text of each cell (whitespace collapsed)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.open: list[tuple[str, list[str], list[list[str]]]] = []  # class, cells, the cell being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.open.append((dict(attrs).get("class") or "", [], []))
        elif tag in ("td", "th") and self.open:
            self.open[-1][2].append([])

    def handle_data(self, data: str) -> None:
        for _, _, cell in self.open:
            if cell:
                cell[-1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.open and self.open[-1][2]:
            self.open[-1][1].append(" ".join("".join(self.open[-1][2].pop()).split()))
        elif tag == "tr" and self.open:
            css, cells, _ = self.open.pop()
            self.rows.append((css.strip(), cells))


def rows_of(html: str) -> Rows:
    parser = Rows()
    parser.feed(html)
    parser.close()
    return parser


def money(impact: float | None) -> str:
    return "—" if impact is None else f"¥{impact:,.0f}"


def by_impact(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r["impact"] is None, -(r["impact"] or 0.0)))


@pytest.fixture(scope="module")
def grouped_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebDemo, TestClient]]:
    base = tmp_path_factory.mktemp("grouped_web")
    demo = build_web_demo(base)
    add_price_cuts(demo.workspace, base / "cuts")
    set_budget(demo.root, BUDGET)
    demo.workspace.reload_settings()
    client = TestClient(demo.app, headers={"Authorization": f"Bearer {demo.tokens['admin']}"})
    yield demo, client
    cache.wait_idle()
    demo.workspace.close()


def test_the_day_has_a_group_and_more_findings_than_the_budget(
    grouped_web: tuple[WebDemo, TestClient],
) -> None:
    _, client = grouped_web
    records = client.get("/api/findings", params={"from": DAY, "to": DAY}).json()
    groups = [r for r in records if r["children"]]
    assert [(g["shop"], g["metric"], len(g["children"])) for g in groups] == [(RIVAL, "rival_price", 3)]
    assert sorted(c["item"] for c in groups[0]["children"]) == list(CUT_ITEMS)
    assert len(records) > BUDGET and all(r["impact"] is not None for r in records)


def test_the_findings_page_lists_all_by_impact_and_opens_the_group(
    grouped_web: tuple[WebDemo, TestClient],
) -> None:
    _, client = grouped_web
    records = by_impact(client.get("/api/findings", params={"from": DAY, "to": DAY}).json())
    html = client.get("/findings", params={"from": DAY, "to": DAY}).text
    rows = rows_of(html).rows
    header = next(cells for css, cells in rows if cells and cells[0] == "日期")
    assert header[:8] == ["日期", "店铺", "指标", "数值", "预期范围", "涉及金额", "级别", "说明"]
    top = [cells for css, cells in rows if css.startswith("sev-")]
    assert [(c[0], c[1], c[5]) for c in top] == [(DAY, r["shop"], money(r["impact"])) for r in records]
    group = next(r for r in records if r["children"])
    (row,) = [c for c in top if c[1] == RIVAL]
    assert row[2].startswith("竞品降价") and row[2].endswith("·3 件")
    assert row[3] == "—" and row[4] == "—"  # a group has no single value
    assert html.count('<details class="children">') == 1
    assert "<summary>展开明细（3 件）</summary>" in html
    children = [cells for css, cells in rows if css.startswith("child ")]
    assert [c[3] for c in children] == [money(c["impact"]) for c in group["children"]]
    assert [c[0] for c in children] == [r["item"] for r in group["children"]]  # labelled by item ID
    # The markup in a rival's title is text, never markup.
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert any(MARKUP_TITLE[:12] in c[5] for c in children)  # the title shortened with "…"
    assert children[0][2] == "127.42 ~ 149.9"  # rival prices: plain numbers, 2 decimals


def test_the_overview_shows_the_top_of_the_budget_and_links_to_all(
    grouped_web: tuple[WebDemo, TestClient],
) -> None:
    _, client = grouped_web
    records = by_impact(client.get("/api/findings", params={"from": DAY, "to": DAY}).json())
    html = client.get("/", params={"date": DAY}).text
    top = [cells for css, cells in rows_of(html).rows if css.startswith("sev-")]
    assert [(c[1], c[5]) for c in top] == [(r["shop"], money(r["impact"])) for r in records[:BUDGET]]
    hidden = len(records) - BUDGET
    within = sum(len(r["children"]) or 1 for r in records[BUDGET:])
    more = f"另有 {hidden} 条" + (f"（含 {within} 项）" if within > hidden else "")
    link = f'<a href="/findings?from={DAY}&amp;to={DAY}&amp;shop=">→ 全部</a>'
    assert f'<p class="more-findings">{more} {link}</p>' in html
    overview = client.get("/api/overview", params={"date": DAY}).json()
    assert [f["shop"] for f in overview["findings"]] == [r["shop"] for r in records[:BUDGET]]
    assert overview["findings_more"] == more
