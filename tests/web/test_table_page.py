"""The 总表 page over a real HTTP server on 127.0.0.1, on the demo with its JD and Douyin shops: the
column chooser remembered per user (one user's choice leaves another's alone, each change in the audit
log, refused without the CSRF token), columns empty for every selected shop left out with a line saying
how many, the 合计's coverage marks with a title naming the shops missing, English column names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from shopops.demo.douyin import DOUYIN_SHOP
from shopops.demo.run import configure, generate
from shopops.metrics.catalog import load_catalog
from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.conftest import DEMO_DAYS, DEMO_END, run_cli
from tests.web.conftest import PASSWORD, SHOP_A, LiveServer, WebDemo, serving
from tests.web.hostile_data import HOSTILE_SHOP, add_hostile_data

TABLE = f"/table?from={DEMO_END}&to={DEMO_END}"  # one day: the 合计 row of DEMO_END is the last row
SECTIONS = load_catalog().sections


@dataclass
class Cell:
    text: str = ""
    section: str = ""
    title: str | None = None  # the coverage mark's title (None: no mark)
    mark: str = ""


@dataclass
class TablePage(HTMLParser):
    """The header keys, the rows of cells, the chooser's boxes and the empty-columns line of a 总表."""

    keys: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boxes: dict[str, bool] = field(default_factory=dict)
    empty_note: str = ""
    csrf: str = ""
    _where: str = ""

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "th" and a.get("data-key"):
            self.keys.append(str(a["data-key"]))
            self.labels.append("")
            self._where = "th"
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self.rows:
            self.rows[-1].append(Cell(section=a.get("data-section") or ""))
            self._where = "td"
        elif tag == "span" and a.get("class") == "cover":
            self.rows[-1][-1].title = a.get("title")
            self._where = "mark"
        elif tag == "input" and a.get("name") == "section":
            self.boxes[str(a["value"])] = "checked" in a
        elif tag == "input" and a.get("name") == "csrf_token" and not self.csrf:
            self.csrf = str(a["value"])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "p" and a.get("id") == "empty-note":
            self._where = "note"

    _in_body: bool = False

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td", "p") or (tag == "span" and self._where == "mark"):
            self._where = "td" if tag == "span" else ""
        if tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._where == "th":
            self.labels[-1] += data
        elif self._where == "td":
            self.rows[-1][-1].text += data
        elif self._where == "mark":
            self.rows[-1][-1].mark += data
        elif self._where == "note":
            self.empty_note += data

    def cell(self, row: list[Cell], key: str) -> Cell:
        return row[self.keys.index(key)]


def parse(html: str) -> TablePage:
    page = TablePage()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def platforms_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo's four shops (天猫, 淘宝, 京东, 抖音) behind a real server; users ``admin``, ``ann`` and
    ``bo`` (operators of every shop)."""
    base = tmp_path_factory.mktemp("table_web")
    generated = generate(base / "exports", days=DEMO_DAYS, end=DEMO_END, seed=7, platforms=True)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        configure(workspace, platforms=True)
    result = run_cli("--workspace", root, "import", *generated.files)
    assert result.exit_code == 0, result.output
    workspace = Workspace.open(root)
    accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
    accounts.add_user(workspace.connection, "ann", PASSWORD, "operator", None)
    accounts.add_user(workspace.connection, "bo", PASSWORD, "viewer", None)
    demo = WebDemo(root, base / "exports", base, workspace, create_app(workspace), {})
    with serving(demo) as server:
        yield server
    cache.wait_idle()
    workspace.close()


def client_for(server: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=120)
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def master_rows(client: httpx.Client, shop: str = "", day: dt.date = DEMO_END) -> list[dict[str, str]]:
    """The shop rows of the page's own CSV download of ``day`` (the figures the page must show)."""
    answer = client.get(f"/table/download?format=csv&from={day}&to={day}&shop={shop}")
    assert answer.status_code == 200, answer.text
    return [r for r in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))) if r["shop"] != "合计"]


def test_each_user_has_their_own_columns(platforms_web: LiveServer) -> None:
    ann, bo = client_for(platforms_web, "ann"), client_for(platforms_web, "bo")
    before = parse(ann.get(TABLE).text)
    assert before.boxes == dict.fromkeys(SECTIONS, True)
    assert any(k.startswith("ad_spend") for k in before.keys)

    shown = [s for s in SECTIONS if s not in ("推广", "DSR")]
    refused = ann.post("/table/columns", data={"section": shown, "back": TABLE})
    assert refused.status_code == 403  # no CSRF token: nothing saved
    assert parse(ann.get(TABLE).text).boxes == dict.fromkeys(SECTIONS, True)

    saved = ann.post("/table/columns", data={"section": shown, "back": TABLE, "csrf_token": before.csrf})
    assert (saved.status_code, saved.headers["location"]) == (303, TABLE)
    after = parse(ann.get(TABLE).text)
    assert after.boxes == {s: s in shown for s in SECTIONS}
    catalog = load_catalog()
    assert {catalog.metrics[k].section for k in after.keys[2:]} <= set(shown)
    assert "ad_spend" not in after.keys and "dsr_service" not in after.keys and "gmv" in after.keys

    others = parse(bo.get(TABLE).text)  # a viewer, and untouched by ann's choice
    assert others.boxes == dict.fromkeys(SECTIONS, True)
    assert "ad_spend" in others.keys and "dsr_service" in others.keys

    # bo (a viewer may choose columns too) through the page script's request: JSON back.
    answer = bo.post(
        "/table/columns",
        data={"section": ["综合销售"], "csrf_token": others.csrf},
        headers={"accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json() == {"hidden": [s for s in SECTIONS if s != "综合销售"]}
    assert {load_catalog().metrics[k].section for k in parse(bo.get(TABLE).text).keys[2:]} == {"综合销售"}
    assert parse(ann.get(TABLE).text).boxes == {s: s in shown for s in SECTIONS}

    cursor = platforms_web.demo.workspace.connection.cursor()
    stored = cursor.execute("SELECT user_name, key, value FROM user_preference ORDER BY user_name").fetchall()
    assert [(u, k, json.loads(v)) for u, k, v in stored] == [
        ("ann", "table.columns", {"hidden": ["推广", "DSR"]}),
        ("bo", "table.columns", {"hidden": [s for s in SECTIONS if s != "综合销售"]}),
    ]
    logged = cursor.execute(
        "SELECT actor, via, target, detail FROM audit_log WHERE action = 'preference.save' ORDER BY audit_id"
    ).fetchall()
    assert [(a, v, t, json.loads(d)) for a, v, t, d in logged] == [
        ("ann", "web", "table.columns", {"value": {"hidden": ["推广", "DSR"]}}),
        ("bo", "web", "table.columns", {"value": {"hidden": [s for s in SECTIONS if s != "综合销售"]}}),
    ]
    # Back to every section, for the other tests of this module.
    for client, page in ((ann, after), (bo, others)):
        client.post("/table/columns", data={"section": list(SECTIONS), "csrf_token": page.csrf})


def test_columns_empty_for_a_tmall_shop_are_left_out(platforms_web: LiveServer) -> None:
    admin = client_for(platforms_web, "admin")
    rows = master_rows(admin, SHOP_A)
    catalog = load_catalog()
    empty = [k for k in catalog.metrics if all(row[k] == "" for row in rows)]
    assert {
        "ad_spend_jd_express",
        "ad_spend_jd_touchpoint",
        "ad_spend_jd_fullsite",
        "ad_spend_qianchuan",
    } <= set(empty)
    page = parse(admin.get(f"{TABLE}&shop={SHOP_A}").text)
    assert page.keys == ["date", "shop", *(k for k in catalog.metrics if k not in empty)]
    assert " ".join(page.empty_note.split()) == (
        f"已隐藏 {len(empty)} 个空列（所选店铺在这段时间全为 —） · 显示空列"
    )
    every = parse(admin.get(f"{TABLE}&shop={SHOP_A}&empty=1").text)
    assert every.keys == ["date", "shop", *catalog.metrics]
    assert " ".join(every.empty_note.split()).startswith(f"显示了 {len(empty)} 个空列")
    assert [every.cell(every.rows[0], k).text for k in empty] == ["—"] * len(empty)
    # Every section off but 推广: its Tmall columns only, and the line counts only what it left out.
    csrf = page.csrf
    admin.post("/table/columns", data={"section": ["推广"], "csrf_token": csrf})
    ads = parse(admin.get(f"{TABLE}&shop={SHOP_A}").text)
    promo = [k for k, m in catalog.metrics.items() if m.section == "推广"]
    assert ads.keys == ["date", "shop", *(k for k in promo if k not in empty)]
    assert f"已隐藏 {len([k for k in promo if k in empty])} 个空列" in ads.empty_note
    admin.post("/table/columns", data={"section": list(SECTIONS), "csrf_token": csrf})


def test_partial_totals_carry_their_mark_and_the_missing_shop(platforms_web: LiveServer) -> None:
    admin = client_for(platforms_web, "admin")
    day = DEMO_END - dt.timedelta(days=1)  # 抖音 has no 访客数; the other three have
    rows = master_rows(admin, day=day)
    assert len(rows) == 4 and [r["shop"] for r in rows if r["visitors"] == ""] == [DOUYIN_SHOP]
    visitors = sum(int(r["visitors"]) for r in rows if r["visitors"])
    gmv = sum(Decimal(r["gmv"]) for r in rows)
    page = parse(admin.get(f"/table?from={day}&to={day}").text)
    total = page.rows[-1]
    assert [c.text for c in total[:2]] == [str(day), "合计"]
    cell = page.cell(total, "visitors")
    assert (cell.text, cell.mark) == (f"{visitors:,} ", "⁽³⁄₄⁾")
    assert cell.title == f"访客数 合计只含 3/4 个店铺（缺 {DOUYIN_SHOP}）"
    # Known for every shop: no mark. Shop rows never carry one.
    assert (page.cell(total, "gmv").text, page.cell(total, "gmv").title) == (f"¥{gmv:,}", None)
    assert all(c.title is None for row in page.rows[:-1] for c in row)
    # A 推广花费 channel only the JD shop uses: its 合计 is whole (unknown there means "not used").
    jd = page.cell(total, "ad_spend_jd_express")
    assert (jd.text, jd.title) == (
        next(f"¥{Decimal(r['ad_spend_jd_express']):,}" for r in rows if r["ad_spend_jd_express"]),
        None,
    )
    # A ratio over the shops that know both parts.
    buyers = sum(int(r["buyers"]) for r in rows if r["visitors"])
    rate = page.cell(total, "conversion_rate")
    assert (rate.text, rate.mark) == (f"{buyers / visitors:.2%} ", "⁽³⁄₄⁾")
    assert rate.title == f"支付转化率 合计只含 3/4 个店铺（缺 {DOUYIN_SHOP}）"
    # On DEMO_END 小野家居's 生意参谋 export has no 访客数 either: two shops named.
    last = parse(admin.get(TABLE).text)
    cell = last.cell(last.rows[-1], "visitors")
    known = sum(int(r["visitors"]) for r in master_rows(admin) if r["visitors"])
    assert (cell.text, cell.mark) == (f"{known:,} ", "⁽²⁄₄⁾")
    assert cell.title == f"访客数 合计只含 2/4 个店铺（缺 小野家居、{DOUYIN_SHOP}）"


def test_english_headers_and_notes(platforms_web: LiveServer) -> None:
    admin = client_for(platforms_web, "admin")
    admin.cookies.set("lang", "en")
    page = parse(admin.get(TABLE).text)
    catalog = load_catalog()
    expected = [
        str(getattr(catalog.metrics[k], "label_en", "") or catalog.metrics[k].label) for k in page.keys[2:]
    ]
    assert page.labels == ["Date", "Shop", *expected]
    assert page.boxes["推广"] is True  # the value stays the section's key; its label is English
    total = page.rows[-1]
    assert total[1].text == "Total"
    label = expected[page.keys.index("visitors") - 2]
    assert (
        page.cell(total, "visitors").title == f"{label}: total of 2/4 shops (missing 小野家居, {DOUYIN_SHOP})"
    )
    assert "Advertising" in admin.get(TABLE).text


def test_a_foreign_back_address_goes_to_the_table(platforms_web: LiveServer) -> None:
    admin = client_for(platforms_web, "admin")
    csrf = parse(admin.get(TABLE).text).csrf
    for back in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        answer = admin.post(
            "/table/columns", data={"section": list(SECTIONS), "back": back, "csrf_token": csrf}
        )
        assert (answer.status_code, answer.headers["location"]) == (303, "/table")


def test_a_shop_named_like_markup_is_text_in_the_coverage_note(
    live_server: LiveServer, tmp_path: Path
) -> None:
    add_hostile_data(live_server.demo.workspace, tmp_path / "hostile")  # 支付金额, 访客数, 买家数 only
    client = client_for(live_server, "admin")
    day = DEMO_END - dt.timedelta(days=1)
    html = client.get(f"/table?from={day}&to={day}").text
    page = parse(html)
    cell = page.cell(page.rows[-1], "pageviews")
    assert (cell.mark, cell.title) == ("⁽²⁄₃⁾", f"浏览量 合计只含 2/3 个店铺（缺 {HOSTILE_SHOP}）")
    assert HOSTILE_SHOP not in html and str(escape(HOSTILE_SHOP)) in html


def test_a_removed_user_leaves_no_remembered_columns(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as workspace:
        con = workspace.connection
        accounts.add_user(con, "cy", PASSWORD, "viewer", None)
        con.execute(
            "INSERT INTO user_preference (user_name, key, value) VALUES ('cy', 'table.columns', '{}')"
        )
        accounts.remove_user(con, "cy")
        accounts.add_user(con, "cy", PASSWORD, "viewer", None)  # a new account of the same name starts clean
        assert con.execute("SELECT count(*) FROM user_preference").fetchall() == [(0,)]


def test_the_overview_cards_carry_the_partial_mark_and_no_change_across_other_shops(
    platforms_web: LiveServer,
) -> None:
    admin = client_for(platforms_web, "admin")
    day = DEMO_END - dt.timedelta(days=1)  # 抖音 has no 访客数; the other three have
    visitors = sum(int(r["visitors"]) for r in master_rows(admin, day=day) if r["visitors"])
    html = admin.get(f"/?date={day}").text
    note = f"访客数 合计只含 3/4 个店铺（缺 {DOUYIN_SHOP}）"
    assert f'{visitors:,}<span class="cover" title="{note}">⁽³⁄₄⁾</span>' in html
    assert f'<div class="cover-note">{note}</div>' in html
    # On DEMO_END 小野家居 has no 访客数 either: the 合计 rests on other shops than the day before,
    # so the card shows no 环比 for it (a change between different sets of shops is no change).
    last = admin.get(f"/?date={DEMO_END}").text
    card = last[last.index('<div class="label">访客数</div>') :].split('<div class="card"')[0]
    assert "⁽²⁄₄⁾" in card and '环比 <b class="">—</b>' in card
    english = client_for(platforms_web, "admin")
    english.cookies.set("lang", "en")
    assert f"Visitors: total of 3/4 shops (missing {DOUYIN_SHOP})" in english.get(f"/?date={day}").text
