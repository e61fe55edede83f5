"""The 绩效 page over a real HTTP server on 127.0.0.1, on the demo's 客服 exports, a staff list and
the manual inputs imported by the test (tests/web/staff_data.py): the scores against numbers worked
out by hand from the exports' truths, the drill-down's working and evidence; who sees whom — an
operator only their own card (anyone else's is a 404 exactly like a name that does not exist, for
every period and role asked), a 主管 the people of their shops, an admin everyone; names and roles
with markup shown as text; an empty workspace says what to import."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, LiveServer, build_web_demo, serving
from tests.web.staff_data import (
    HOSTILE_DESIGNER,
    HOSTILE_PERSON,
    PEOPLE_A,
    PEOPLE_B,
    PERIOD,
    SALES_TARGET,
    STAFF,
    Expected,
    StaffData,
    add_staff_data,
    expected_scores,
)

PERIODS = ("", PERIOD, "2026-Q4", "2026", "2026年11月", "2026-10")
EVERYONE = tuple(row[0] for row in STAFF)
UNLINKED = "你的账号没有关联员工名单里的人"
NOT_FOUND = "没有这个人的绩效 — 从绩效页的名单点进来"


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, StaffData]]:
    base = tmp_path_factory.mktemp("staff_web")
    demo = build_web_demo(base)
    data = add_staff_data(demo, base / "staff")
    with serving(demo) as server:
        yield server, data
    cache.wait_idle()
    demo.workspace.close()


def client_for(server: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=120)
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def board_rows(page: str) -> dict[str, dict[str, object]]:
    """The scoreboard's rows by person (as the page writes the name): total, tier, rank, the line
    scores, the 暂定 badge and the notes."""
    rows: dict[str, dict[str, object]] = {}
    for person, row in re.findall(r'<tr data-person="([^"]*)">(.*?)</tr>', page, re.S):
        cells = dict(re.findall(r'<td class="num c-(total|rank)" data-sort="[^"]*">(.*?)</td>', row))
        tier = re.search(
            r'<td class="c-tier"[^>]*>(?:<span class="tier [a-z0-9]+">)?(.*?)(?:</span>)?</td>', row
        )
        assert tier, person
        rows[person] = cells | {
            "tier": tier.group(1),
            "lines": re.findall(r'<td class="num c-line[^"]*" data-sort="[^"]*">(.*?)</td>', row),
            "provisional": "暂定</span>" in row,
            "notes": re.findall(r"<div>(.*?)</div>", row.split('class="c-notes"')[1]),
        }
    return rows


def shown_people(page: str) -> list[str]:
    return re.findall(r'data-person="([^"]*)"', page)


def test_the_scoreboard_shows_the_scores_worked_out_by_hand(
    staff_server: tuple[LiveServer, StaffData],
) -> None:
    server, data = staff_server
    page = client_for(server, "admin").get("/staff", params={"period": PERIOD}).text
    assert "<h1>绩效 · 2026年11月 <small>数据截至 2026-11-24</small></h1>" in page
    rows = board_rows(page)
    expected = expected_scores(data.service.truth)
    assert set(expected) == {"小美", "阿宁", "大壮", "小雨", "豆豆", "乐乐"}
    for person, want in expected.items():
        row = rows[person]
        lines = [f"{score}" for score in want.scores.values()]
        if person == "小雨":  # her 客单价目标 is pro-rated (the test below): the other lines hold
            assert row["lines"][:2] + row["lines"][3:] == lines[:2] + lines[3:]  # type: ignore[operator]
            continue
        assert row["lines"] == lines, person
        assert (row["total"], row["tier"]) == (f"{want.total}", want.tier), person
        assert row["provisional"], person  # 赤兔's last 4 days are 延迟统计
    assert [(p, rows[p]["total"], rows[p]["tier"]) for p in ("小美", "阿宁", "大壮", "豆豆", "乐乐")] == [
        ("小美", "100.00", "金牌"),
        ("阿宁", "80.50", "银牌"),
        ("大壮", "54.00", "待改进"),
        ("豆豆", "87.00", "银牌"),
        ("乐乐", "82.00", "银牌"),
    ]
    assert (rows["小美"]["rank"], rows["阿宁"]["rank"], rows["大壮"]["rank"]) == ("1/5", "4/5", "5/5")
    assert rows["乐乐"]["rank"] == "1/1"
    # 小溪's shop has no 满意度 export: that line and the total are unknown, never 0.
    xi = rows["小溪"]
    assert (xi["total"], xi["tier"], xi["rank"]) == ("—", "—", "—")
    assert xi["lines"][0] == "—" and "缺 满意率，总分未知" in xi["notes"]
    # Pro-rating says so; a role without a card is listed as not scored.
    assert "11-10 入职，按 21/30 天折算目标与奖金" in rows["小雨"]["notes"]
    unscored = page.split('id="staff-unscored">')[1].split("</ul>")[0]
    assert (
        f"{escape(HOSTILE_PERSON)}（{escape(HOSTILE_PERSON)}）：岗位「{escape(HOSTILE_PERSON)}」没有评分表"
        in unscored
    )
    # The tables are per role, best first, with a score column per line of the role's card.
    assert re.findall(r'<section class="staff-role" data-role="([^"]*)">', page) == [
        "客服售前", "客服售后", "美工", "运营",
    ]  # fmt: skip
    order = [p for p in shown_people(page) if p in ("小美", "小雨", "豆豆", "阿宁", "大壮")]
    assert order[0] == "小美" and order[-2:] == ["阿宁", "大壮"]
    head = page.split('data-role="客服售前"')[1].split("</thead>")[0]
    assert "指标完成率 <small>30%</small>" in head and "出勤率 <small>5%</small>" in head


def test_a_pro_rated_person_keeps_their_average_targets(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, data = staff_server
    want = expected_scores(data.service.truth)["小雨"]
    row = board_rows(client_for(server, "admin").get("/staff", params={"period": PERIOD}).text)["小雨"]
    assert (row["total"], row["tier"], row["rank"]) == (f"{want.total}", want.tier, "3/5")


def test_the_drill_down_shows_the_working_and_the_evidence(
    staff_server: tuple[LiveServer, StaffData],
) -> None:
    server, data = staff_server
    want: Expected = expected_scores(data.service.truth)["小美"]
    figures = want.figures
    client = client_for(server, "admin")
    board = client.get("/staff", params={"period": PERIOD}).text
    href = f"/staff/person/{quote('小美')}?period={PERIOD}"
    assert f'<a href="{href}">小美</a>' in board
    page = client.get(href).text
    assert (
        '<h1 id="person-heading">小美 <small>客服售前 · 2026年11月 · 数据截至 2026-11-24</small></h1>' in page
    )
    assert '<div class="value" id="person-card-total">100.00</div>' in page
    assert '<span class="tier t0">金牌</span>' in page and '<div class="value">1/5</div>' in page
    assert "评分表 客服售前（2026-01 起，预设） · 版本 预设 2026.1" in page
    workings = re.findall(r'<div class="working-text">(.*?)</div>', page)
    sales = f"{figures['sales']:,.2f}"
    # November's data ends on 11-24 and its last days are not settled: the 销售目标 is cut to the days
    # that count (24 − the unsettled ones).
    counted = 24 - len(figures["pending"])
    target = Decimal(SALES_TARGET["小美"]) * counted / 30
    completion = figures["sales"] / target
    paid, asked = figures["inquiry_paid"], figures["inquiries"]
    assert workings[0] == (
        f"指标完成率 {f'{completion * 100:.1f}'.removesuffix('.0')}% = {sales} ÷ 销售目标 52,000.00"
        f" × {counted}/30 天 = {target:,.2f}"
        "（在岗、已结算、已有数据的天数）（录入人 张主管）（赤兔/千牛/飞鸽/咚咚·客服绩效（按人按日））"
        " → ≥100% 档 100.00 分 × 30% = 30.00"
    )
    assert workings[1].startswith(
        f"询单转化率 {paid / asked * 100:.1f}% = {paid} / {asked}（询单-&gt;最终付款人数 ÷ 询单人数）"
    )
    assert workings[1].endswith("→ ≥45% 档 100.00 分 × 20% = 20.00")
    assert workings[5] == "出勤率 100%（手工录入「出勤率」，录入人 张主管） → ≥100% 档 100.00 分 × 5% = 5.00"
    evidence = re.findall(r'<div class="evidence">依据：(.*?)</div>', page)
    assert len(evidence) == 6
    assert evidence[0].startswith("赤兔_售前明细_下单优先判定_2026-11-04至2026-11-24.xlsx（#")
    assert evidence[0].endswith(
        f"；销售目标 52,000.00 × {counted}/30 天 = {target:,.2f}（在岗、已结算、已有数据的天数）（录入人 张主管）"
    )
    assert re.fullmatch(r"绩效录入_2026-11\.csv 第 \d+ 行（#\d+） 2026-11，张主管 12-01 录入", evidence[5])
    weighted = re.findall(r'<td class="num c-weighted"[^>]*>(.*?)</td>', page)
    assert weighted == ["30.00", "20.00", "20.00", "20.00", "5.00", "5.00"]
    assert '<td class="num c-total">100.00</td>' in page
    days = "、".join(day[5:] for day in figures["pending"])
    assert (
        f"暂定：{days} 未结算（共 {len(figures['pending'])} 天，约 4 天后稳定），按已结算的 {figures['days']} 天计"
        in page
    )
    # 小雨 joined on 11-10: the card says the share of the month she held the role.
    rain = client.get(f"/staff/person/{quote('小雨')}", params={"period": PERIOD}).text
    assert '<div class="value small">21/30 天（70%）</div>' in rain
    # her target is cut to the days that count: 11-10 … 11-24 less the unsettled ones
    rain_counted = 15 - len(expected_scores(data.service.truth)["小雨"].figures["pending"])
    assert f"销售目标 30,000.00 × {rain_counted}/30 天 = " in rain


def test_an_operator_sees_only_their_own_card(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, _ = staff_server
    mei = client_for(server, "mei")
    for period in PERIODS:
        page = mei.get("/staff", params={"period": period} if period else {}).text
        assert shown_people(page) == ["小美"], period
        assert all(name not in page for name in EVERYONE if name != "小美"), period
        assert 'name="role"' not in page and SHOP_B not in page
    page = mei.get("/staff", params={"period": PERIOD, "role": "客服售后"}).text
    assert shown_people(page) == ["小美"] and "乐乐" not in page
    own = mei.get(f"/staff/person/{quote('小美')}", params={"period": PERIOD})
    assert own.status_code == 200 and '<div class="value" id="person-card-total">100.00</div>' in own.text
    assert_hidden(mei, [name for name in EVERYONE if name != "小美"])


def assert_hidden(client: httpx.Client, names: list[str]) -> None:
    """Every card of ``names`` answers exactly as a name that does not exist, for every period form,
    with or without a role."""
    roles = {row[0]: row[1] for row in STAFF}
    for period in PERIODS:
        for role in ("", "客服售前", "客服售后"):
            params = {"period": period, "role": role}
            nobody = client.get("/staff/person/" + quote("没有这个人"), params=params)
            assert nobody.status_code == 404 and NOT_FOUND in nobody.text
            for name in names:
                for asked in {role, roles[name]}:
                    response = client.get(
                        "/staff/person/" + quote(name, safe=""), params=params | {"role": asked}
                    )
                    assert response.status_code == 404, (name, period, asked)
                    assert unlinked(response.text) == unlinked(nobody.text), (name, period, asked)


def unlinked(page: str) -> str:
    """The page without the language switch's link back to the path asked for."""
    return re.sub(r'\?next=[^"]*"', "", page)


def test_a_viewer_sees_only_their_own_card_and_the_unlinked_nobody(
    staff_server: tuple[LiveServer, StaffData],
) -> None:
    server, _ = staff_server
    viewer = client_for(server, "viewer")
    page = viewer.get("/staff", params={"period": PERIOD}).text
    assert shown_people(page) == ["乐乐"] and '<div class="value" id="own-card-1-total">82.00</div>' in page
    assert all(name not in page for name in EVERYONE if name != "乐乐")
    assert_hidden(viewer, ["小美", "小溪", "老王"])
    alice = client_for(server, "alice")  # an operator of shop A whom no staff-list row names
    for period in ("", PERIOD):
        page = alice.get("/staff", params={"period": period}).text
        assert f'<p class="muted staff-message" id="staff-message">{UNLINKED}</p>' in page
        assert shown_people(page) == [] and all(name not in page for name in ("小美", "乐乐", "老王"))
        assert "staff-empty" not in page and "staff-unscored" not in page
    assert_hidden(alice, ["小美", "乐乐"])


def test_a_manager_sees_the_people_of_their_shops(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, _ = staff_server
    boss = client_for(server, "boss")  # 主管 of shop A
    page = boss.get("/staff", params={"period": PERIOD}).text
    assert sorted(shown_people(page)) == sorted(p for p in PEOPLE_A if p != HOSTILE_PERSON)
    assert str(escape(HOSTILE_PERSON)) in page.split('id="staff-unscored">')[1]  # not scored, but theirs
    assert SHOP_B not in page and all(name not in page for name in (*PEOPLE_B, "老王"))
    assert board_rows(page)["小美"]["rank"] == "1/5"  # ranks are within the whole role
    only = boss.get("/staff", params={"period": PERIOD, "role": "客服售前"}).text
    assert sorted(shown_people(only)) == ["大壮", "小美", "小雨", "阿宁"]
    person = boss.get(f"/staff/person/{quote('乐乐')}", params={"period": PERIOD})
    assert person.status_code == 200 and SHOP_B not in person.text
    assert_hidden(boss, ["豆豆", "小溪", "老王"])


def test_an_admin_sees_everyone(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, _ = staff_server
    admin = client_for(server, "admin")
    page = admin.get("/staff", params={"period": PERIOD}).text
    scored = [name for name in EVERYONE if name != HOSTILE_PERSON]
    assert sorted(shown_people(page)) == sorted(str(escape(name)) for name in scored)
    for name in scored:
        response = admin.get("/staff/person/" + quote(name, safe=""), params={"period": PERIOD})
        assert response.status_code == 200, name
    roles = re.findall(r'<option value="([^"]*)"', page.split('name="role"')[1].split("</select>")[0])
    assert roles == ["", str(escape(HOSTILE_PERSON)), "客服售前", "客服售后", "美工", "运营"]
    wang = admin.get(f"/staff/person/{quote('老王')}", params={"period": PERIOD}).text
    assert "负责店铺：全部店铺" in wang and '<div class="value" id="person-card-total">—</div>' in wang


def test_names_and_roles_with_markup_stay_text(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, _ = staff_server
    admin = client_for(server, "admin")
    pages = [
        admin.get("/staff", params={"period": PERIOD}).text,
        admin.get("/staff", params={"period": PERIOD, "role": HOSTILE_PERSON}).text,
        admin.get("/staff", params={"period": PERIOD, "role": "美工"}).text,
        admin.get("/staff/person/" + quote(HOSTILE_DESIGNER, safe=""), params={"period": PERIOD}).text,
    ]
    for page in pages:
        assert HOSTILE_PERSON not in page and HOSTILE_DESIGNER not in page
        assert "<img" not in page and "<script>alert" not in page
        assert str(escape(HOSTILE_PERSON)) in page or str(escape(HOSTILE_DESIGNER)) in page
        assert "<script>" not in page.replace('<script src="/static/app.js"></script>', "")
    assert f'<h1 id="person-heading">{escape(HOSTILE_DESIGNER)} <small>美工' in pages[3]
    assert "设计效果" in pages[3] and "设计效果 84（手工录入「设计评分」，录入人 张主管）" in pages[3]


def test_the_page_speaks_english_from_the_domains_words(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, _ = staff_server
    client = client_for(server, "admin")
    client.get("/lang/en")
    page = client.get("/staff", params={"period": PERIOD}).text
    for english in ("Staff KPI", "Total", "Tier", "Rank", "Not scored", "Months", "Quarters"):
        assert english in page, english
    assert "<th>总分</th>" not in page and "未评分" not in page
    person = client.get(f"/staff/person/{quote('小美')}", params={"period": PERIOD}).text
    assert "Weighted" in person and "Evidence" in person and "加权得分" not in person
    missing = client.get("/staff/person/" + quote("没有这个人"), params={"period": PERIOD}).text
    assert "No KPI card for this person" in missing
    client.get("/lang/zh")


def test_a_period_that_does_not_read_is_one_line(staff_server: tuple[LiveServer, StaffData]) -> None:
    server, _ = staff_server
    for path in ("/staff", "/staff/person/" + quote("小美")):
        response = client_for(server, "admin").get(path, params={"period": "next month"})
        assert response.status_code == 400
        assert (
            "期间 &#39;next month&#39; 读不出来 — 写 2026-11（月）、2026-Q4（季度）或 2026（年）"
            in response.text
        )
        assert "Traceback" not in response.text


def test_an_empty_workspace_says_what_to_import(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as workspace:
        accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
        accounts.add_user(workspace.connection, "op", PASSWORD, "operator", None)
        app = create_app(workspace)
        admin = TestClient(app)
        admin.post("/login", data={"name": "admin", "password": PASSWORD})
        response = admin.get("/staff")
        assert response.status_code == 200
        empty = response.text.split('id="staff-empty">')[1].split("</section>")[0]
        assert "还没有员工名单。" in empty and "shopops template staff-list" in empty
        assert "shopops template staff-inputs" in empty and 'href="/imports"' in empty
        nav = re.findall(r'<a href="(/[a-z]*)" class="[^"]*">([^<]+)</a>', response.text)
        assert ("/staff", "绩效") in nav
        assert admin.get("/staff/person/" + quote("小美")).status_code == 404
        operator = TestClient(app)
        operator.post("/login", data={"name": "op", "password": PASSWORD})
        page = operator.get("/staff").text
        assert UNLINKED in page and "staff-empty" not in page
    cache.wait_idle()


def test_money_and_scores_are_exact_decimals(staff_server: tuple[LiveServer, StaffData]) -> None:
    """The weighted scores add up to the total shown, to the cent, for everyone with a total."""
    server, _ = staff_server
    admin = client_for(server, "admin")
    for name in ("小美", "阿宁", "大壮", "豆豆", "乐乐"):
        page = admin.get(f"/staff/person/{quote(name)}", params={"period": PERIOD}).text
        weighted = [Decimal(v) for v in re.findall(r'<td class="num c-weighted"[^>]*>(.*?)</td>', page)]
        total = re.search(r'<td class="num c-total">(.*?)</td>', page)
        assert total and sum(weighted, Decimal(0)) == Decimal(total.group(1)), name
    assert SHOP_A in page
