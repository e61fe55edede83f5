"""The 客服 page on the demo's 客服 exports, over a real HTTP server on 127.0.0.1: the agent table's
cells against figures computed from the demo manifest, the 暂定 badge and the notes, the agent's
daily trend, the team totals; shop scoping (another shop's agents are never shown, even by URL);
agent names with markup shown as text; an empty workspace explains what to import."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.conftest import DEMO_END
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, LiveServer, build_web_demo, serving
from tests.web.service_data import (
    HOSTILE_AGENTS,
    HOSTILE_DAYS,
    SERVICE_START,
    ServiceData,
    add_service_data,
    agent_days,
    expected_agent,
)

WINDOW = {"from": SERVICE_START.isoformat(), "to": DEMO_END.isoformat()}


@pytest.fixture(scope="module")
def service_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ServiceData]]:
    base = tmp_path_factory.mktemp("service_web")
    demo = build_web_demo(base)
    data = add_service_data(demo.workspace, demo.exports, base / "service")
    with serving(demo) as server:
        yield server, data
    cache.wait_idle()
    demo.workspace.close()


def client_for(server: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def agent_cells(page: str, shop: str, person: str) -> dict[str, str]:
    """One row of the agent table: column class → its text, plus the row's markup under "row"."""
    row = re.search(rf'<tr data-agent="{re.escape(shop)}\|{re.escape(person)}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"no row for {shop}|{person}"
    cells = dict(re.findall(r'class="(?:num )?c-([a-z_]+)" data-sort="[^"]*">(.*?)</td>', row.group(1)))
    return cells | {"row": row.group(1)}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def yuan(value: Decimal | float | None) -> str:
    return "—" if value is None else f"¥{Decimal(str(value)):,.2f}"


def test_agent_rows_match_the_manifest(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    page = client_for(server, "admin").get("/service", params=WINDOW).text
    assert f"<h1>客服 · 全部店铺 <small>{SERVICE_START} ~ {DEMO_END}</small></h1>" in page
    agents = [(a["shop"], a["person"]) for a in data.truth["agents"] if a["left_date"] is None]
    assert len(agents) == 8
    for shop, person in agents:
        want = expected_agent(data.truth, shop, person, SERVICE_START, DEMO_END)
        got = agent_cells(page, shop, person)
        assert got["days"] == str(want["days"]), person
        assert got["receptions"] == f"{want['receptions']:,}", person
        assert got["inquiries"] == f"{want['inquiries']:,}", person
        assert got["inquiry_buyers"] == f"{want['inquiry_buyers']:,}", person
        assert got["inquiry_conversion"] == pct(want["inquiry_conversion"]), person
        assert got["sales"] == yuan(want["sales"]), person
        assert got["sales_orders"] == f"{want['sales_orders']:,}", person
        assert got["refund_amount"] == yuan(want["refund_amount"]), person
        assert got["slow_responses"] == f"{want['slow_responses']:,}", person
        assert got["reply_rate"] == pct(want["reply_rate"]), person
        assert got["aov"] == ("—" if want["aov"] is None else yuan(round(want["aov"], 2))), person
        assert float(got["avg_response_seconds"]) == pytest.approx(want["avg_response_seconds"], abs=0.051)
        assert ("暂定</span>" in got["row"]) == want["provisional"], person
        shown = "—" if shop == SHOP_B else pct(want["satisfaction_rate"])  # 千牛 满意度: shop A only
        assert got["satisfaction_rate"] == shown, person
    star = agent_cells(page, SHOP_A, "小美")
    want = expected_agent(data.truth, SHOP_A, "小美", SERVICE_START, DEMO_END)
    paid = want["inquiry_buyers"]
    assert star["inquiry_conversion"] == f"{paid / sum_settled_inquiries(data, '小美'):.2%}"
    notes = page.split('id="service-notes">')[1].split("</ul>")[0]
    assert "<li>询单转化率 = 询单-&gt;最终付款人数 ÷ 询单人数（已结算的日期）</li>" in notes
    assert f"<li>{SHOP_A}：客服销售额按 下单优先判定" in notes
    assert "付款优先判定" in notes and "日累加" in notes and "暂定" in notes


def sum_settled_inquiries(data: ServiceData, person: str) -> int:
    delayed = set(data.truth["delayed"]["final"])
    days = agent_days(data.truth, SHOP_A, person, SERVICE_START, DEMO_END)
    return sum(f["inquiries"] for d, f in days.items() if d not in delayed)


def test_a_renamed_and_a_departed_agent(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    rename = data.truth["rename"]
    page = client_for(server, "admin").get("/service", params=WINDOW).text
    row = agent_cells(page, rename["shop"], rename["person"])["row"]
    assert escape(rename["new"]) in row  # the account in use in the window, one person
    assert f'data-agent="{rename["shop"]}|{escape(rename["new"])}"' not in page
    left = data.truth["left"]  # left 30 days before the end: not in a window of the last 21 days
    assert f'data-agent="{left["shop"]}|{left["person"]}"' not in page


def test_the_page_speaks_english_from_the_domains_words(
    service_server: tuple[LiveServer, ServiceData],
) -> None:
    server, _ = service_server
    client = client_for(server, "admin")
    client.get("/lang/en")
    page = client.get("/service", params=WINDOW).text
    for english in ("Customer service", "Agents", "Inquiry conversion", "Avg response (s)", "Coaching card"):
        assert english in page
    assert "客服明细" not in page and "询单转化率口径" not in page
    client.get("/lang/zh")


def test_the_ordered_conversion_and_the_group_filter(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    client = client_for(server, "admin")
    page = client.get("/service", params=WINDOW | {"conversion": "ordered", "group": "售前"}).text
    assert "<th>询单-&gt;最终下单人数</th>" in page and "<th>询单-&gt;最终付款人数</th>" not in page
    days = agent_days(data.truth, SHOP_A, "小美", SERVICE_START, DEMO_END)
    settled = [f for d, f in days.items() if d not in set(data.truth["delayed"]["final"])]
    ordered = sum(f["inquiry_ordered"] for f in settled) / sum(f["inquiries"] for f in settled)
    assert agent_cells(page, SHOP_A, "小美")["inquiry_conversion"] == pct(ordered)
    after_sales = [a["person"] for a in data.truth["agents"] if a["group"] == "售后"]
    assert after_sales and all(f'|{p}"' not in page for p in after_sales)


def test_the_agent_trend_is_the_manifest_by_day(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    slipping = data.truth["slipping"]
    page = (
        client_for(server, "admin")
        .get("/service", params=WINDOW | {"agent": f"{slipping['shop']}|{slipping['person']}"})
        .text
    )
    assert f"客服趋势 · {slipping['person']}" in page
    trend = embedded(page, "agent-trend")
    days = agent_days(data.truth, slipping["shop"], slipping["person"], SERVICE_START, DEMO_END)
    delayed = set(data.truth["delayed"]["final"])
    assert trend["label"] == slipping["person"] and trend["dates"][0] == str(SERVICE_START)
    for index, day in enumerate(trend["dates"]):
        figures = days.get(day)
        conversion, sales = trend["inquiry_conversion"][index], trend["sales"][index]
        if figures is None:  # a day off: no point, not a zero
            assert (conversion, sales, trend["avg_response_seconds"][index]) == (None, None, None)
            continue
        assert sales == float(Decimal(figures["sales"]))
        if day in delayed:
            assert conversion is None and trend["provisional"][index]
        else:
            assert conversion == round(figures["inquiry_paid"] / figures["inquiries"], 4)
        assert trend["avg_response_seconds"][index] == pytest.approx(
            figures["avg_response_seconds"], abs=0.05
        )
    # The story: responses slower over the last 14 days than before.
    since = slipping["from"]
    before = [
        v for d, v in zip(trend["dates"], trend["avg_response_seconds"], strict=True) if v and d < since
    ]
    after = [
        v for d, v in zip(trend["dates"], trend["avg_response_seconds"], strict=True) if v and d >= since
    ]
    assert sum(after) / len(after) > 1.5 * sum(before) / len(before)
    assert "/static/service.js" in page and "/static/vendor/chart.umd.min.js" in page


def test_team_totals_are_sums_and_ratios_of_sums(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    page = client_for(server, "admin").get("/service", params=WINDOW).text
    row = re.search(rf'<tr data-shop="{SHOP_A}">(.*?)</tr>', page, re.S)
    assert row
    cells = dict(re.findall(r'class="num t-([a-z_]+)">(.*?)</td>', row.group(1)))
    people = [a["person"] for a in data.truth["agents"] if a["shop"] == SHOP_A]
    wants = [expected_agent(data.truth, SHOP_A, p, SERVICE_START, DEMO_END) for p in people]
    settled = sum(sum_settled_inquiries(data, p) for p in people)
    sales = sum((w["sales"] for w in wants), Decimal(0))
    assert cells["agents"] == str(len(people))
    assert cells["inquiries"] == f"{sum(w['inquiries'] for w in wants):,}"
    assert cells["inquiry_conversion"] == pct(sum(w["inquiry_buyers"] for w in wants) / settled)
    assert cells["sales"] == yuan(sales)
    manifest = json.loads((server.demo.exports / "manifest.json").read_text(encoding="utf-8"))
    gmv = sum(Decimal(v["gmv"]) for v in manifest["shops"][SHOP_A]["days"].values())
    assert cells["gmv"] == yuan(gmv)
    assert cells["sales_share"] == pct(float(sales) / float(gmv))


def embedded(page: str, element: str) -> Any:
    found = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', page, re.S)
    assert found, element
    return json.loads(found.group(1))


def test_the_team_trend_against_the_shop(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    page = client_for(server, "admin").get("/service", params=WINDOW | {"shop": SHOP_A}).text
    trend = embedded(page, "team-trend")
    lines = {line["label"]: line["values"] for line in trend["lines"]}
    assert sorted(lines) == sorted(
        f"{SHOP_A} {label}" for label in ("询单转化率（客服）", "支付转化率（店铺）", "客服销售额占比")
    )
    shop_days = json.loads((server.demo.exports / "manifest.json").read_text(encoding="utf-8"))["shops"]
    delayed = set(data.truth["delayed"]["final"])
    for index, day in enumerate(trend["dates"]):
        team = [f[day] for f in data.truth["days"][SHOP_A].values() if day in f]
        truth = shop_days[SHOP_A]["days"][day]
        paid = sum(f["inquiry_paid"] for f in team) / sum(f["inquiries"] for f in team)
        sales = sum(Decimal(f["sales"]) for f in team)
        assert lines[f"{SHOP_A} 询单转化率（客服）"][index] == (None if day in delayed else round(paid, 4))
        assert lines[f"{SHOP_A} 支付转化率（店铺）"][index] == round(truth["buyers"] / truth["visitors"], 4)
        assert lines[f"{SHOP_A} 客服销售额占比"][index] == round(float(sales) / float(truth["gmv"]), 4)
    assert len(trend["dates"]) == 21 and trend["dates"][0] == str(SERVICE_START)


def test_the_coaching_card_shows_the_weakest_figures(service_server: tuple[LiveServer, ServiceData]) -> None:
    from shopops.domains.service.coaching import coach

    server, data = service_server
    slipping = data.truth["slipping"]
    agent = f"{slipping['shop']}|{slipping['person']}"
    page = client_for(server, "admin").get("/service", params=WINDOW | {"agent": agent}).text
    assert f'<h2 id="coach-heading">辅导卡 · {slipping["person"]} · 2026-11</h2>' in page
    cursor = server.demo.workspace.connection.cursor()
    try:
        card = coach(cursor, slipping["person"], "2026-11", [slipping["shop"]])
    finally:
        cursor.close()
    table = page.split('id="coach-weakest">')[1].split("</table>")[0]
    cells = r'<tr>\s*<td><b>(.*?)</b>.*?<td class="num">(.*?)</td><td class="num">(.*?)</td><td class="num bad">(.*?)</td>'
    rows = re.findall(cells, table, re.S)
    assert [r[0] for r in rows] == [f.label for f in card.weakest] and len(rows) == 3
    for (_, value, median, shortfall), figure in zip(rows, card.weakest, strict=True):
        assert shortfall == f"{figure.shortfall:.0%}"
        if figure.unit == "ratio":
            assert (value, median) == (pct(figure.value), pct(figure.team_median))
        elif figure.unit == "seconds":
            assert (value, median) == (f"{figure.value:,.1f}", f"{figure.team_median:,.1f}")
        for day in figure.worst_days:
            assert f"{day.date}：" in table
    shown = page.split('id="coach-card">')[1].split("</section>")[0]
    assert card.notes and all(f"<li>{escape(line)}</li>" in shown for line in card.notes)
    assert all(f.shortfall and f.shortfall > 0 for f in card.weakest)


def test_a_user_of_shop_a_never_sees_shop_b(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, data = service_server
    client = client_for(server, "alice")
    page = client.get("/service", params=WINDOW).text
    b_people = [a["person"] for a in data.truth["agents"] if a["shop"] == SHOP_B]
    assert SHOP_B not in page and all(p not in page for p in b_people)
    assert 'data-agent="云朵旗舰店|小美"' in page
    for query in (
        {"shop": SHOP_B},
        {"agent": f"{SHOP_B}|{b_people[0]}"},
        {"agent": f"{SHOP_B}|{b_people[0]}", "shop": SHOP_A},
    ):
        response = client.get("/service", params=WINDOW | query)
        assert response.status_code == 403, query
        assert SHOP_B not in response.text and b_people[0] not in response.text
    hostile = client.get("/service", params={"from": str(HOSTILE_DAYS[0]), "to": str(HOSTILE_DAYS[1])}).text
    assert "alert(1)" not in hostile and "这段时间没有客服数据" in hostile


def test_agent_names_with_markup_stay_text(service_server: tuple[LiveServer, ServiceData]) -> None:
    server, _ = service_server
    client = client_for(server, "admin")
    window = {"from": str(HOSTILE_DAYS[0]), "to": str(HOSTILE_DAYS[1]), "shop": SHOP_B}
    for agent in ("", *(f"{SHOP_B}|{name}" for name in HOSTILE_AGENTS)):
        page = client.get("/service", params=window | ({"agent": agent} if agent else {})).text
        for name in HOSTILE_AGENTS:
            assert name not in page
            assert str(escape(name)) in page
        assert "<img" not in page and "<script>alert" not in page
        for script in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
            attributes, text = script
            if "src=" in attributes:
                assert text == ""
                continue
            assert 'type="application/json"' in attributes and not re.search(r"[<>&]", text)
            parsed = json.loads(text)
            if 'id="agent-trend"' in attributes and agent:
                assert parsed["label"] == agent.split("|", 1)[1]  # the name itself, not mangled
    row = agent_cells(client.get("/service", params=window).text, SHOP_B, str(escape(HOSTILE_AGENTS[1])))
    assert row["inquiry_conversion"] == f"{9 * 2 / (21 * 2):.2%}" and row["sales"] == "¥2,003.00"


def test_an_empty_workspace_says_what_to_import(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as workspace:
        accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
        client = TestClient(create_app(workspace))
        client.post("/login", data={"name": "admin", "password": PASSWORD})
        response = client.get("/service")
        assert response.status_code == 200
        empty = response.text.split('id="service-empty">')[1].split("</section>")[0]
        assert "还没有客服数据。" in empty and "chitu_service" in empty and "service_roster" in empty
        assert "shopops import --shop 店铺名" in empty and 'href="/imports"' in empty
        assert 'id="agents"' not in response.text and "service.js" not in response.text
        nav = re.findall(r'<a href="(/[a-z]*)" class="[^"]*">([^<]+)</a>', response.text)
        assert ("/service", "客服") in nav and nav.index(("/service", "客服")) > nav.index(
            ("/findings", "异常")
        )
    cache.wait_idle()
