"""The 商品 page over a real HTTP server on 127.0.0.1, on the stock demo's apparel shop (山岚服饰) added
to the web demo: the status rows and the class cards against the manifest, each filter, the item's
stock and sales by day (the manifest's snapshots and units sold), the alerts panel and the clearance
list as the analyses give them; shop scoping (another shop's items are never shown, even by URL);
codes and names with markup shown as text, JSON embedded inert; an empty workspace says what to import."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from shopops.domains.stock.alerts import stock_alerts
from shopops.domains.stock.clearance import clearance_list
from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.conftest import DEMO_END
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, LiveServer, build_web_demo, serving
from tests.web.stock_data import (
    CLASSES,
    FORMULA_NAME,
    HOSTILE_SKUS,
    HOSTILE_STYLE,
    PLAIN_SKU,
    STOCK_SHOP,
    StockData,
    add_stock_data,
    class_totals,
    expected_class,
    sold,
    stock_value,
)


@pytest.fixture(scope="module")
def stock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, StockData]]:
    base = tmp_path_factory.mktemp("stock_web")
    demo = build_web_demo(base)
    data = add_stock_data(demo.workspace, base, DEMO_END, SHOP_B)
    with serving(demo) as server:
        yield server, data
    cache.wait_idle()
    demo.workspace.close()


def client_for(server: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def rows_of(page: str, table: str = "stock-table") -> dict[str, dict[str, str]]:
    """The table's rows by their item key (shop|code): column class → text, plus the row's markup."""
    body = page.split(f'id="{table}">')[1].split("</table>", maxsplit=1)[0]
    found = {}
    for key, row in re.findall(r'<tr data-item="([^"]*)"[^>]*>(.*?)</tr>', body, re.S):
        cells = dict(re.findall(r'class="(?:num )?c-([a-z_0-9]+)"[^>]*>(.*?)</td>', row, re.S))
        found[key] = cells | {"row": row}
    return found


def embedded(page: str, element: str) -> Any:
    found = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', page, re.S)
    assert found, element
    return json.loads(found.group(1))


def yuan(value: Decimal | float | None) -> str:
    return "—" if value is None else f"¥{Decimal(str(value)):,.2f}"


def test_the_status_rows_are_the_manifests(stock_server: tuple[LiveServer, StockData]) -> None:
    server, data = stock_server
    page = client_for(server, "admin").get("/stock", params={"shop": STOCK_SHOP}).text
    assert f"<h1>商品与库存 · {STOCK_SHOP} <small>库存日 {DEMO_END}</small></h1>" in page
    rows = rows_of(page)
    snapshot = data.truth["snapshots"][DEMO_END.isoformat()]
    # the largest stock values first (ties by code), the first 300 of them shown
    largest = sorted(snapshot, key=lambda sku: (-stock_value(data.truth, sku), sku))[:300]
    assert [key.split("|", 1)[1] for key in rows] == largest and len(snapshot) > 300
    assert f"按库存金额前 300 / {len(snapshot)}" in page
    for sku in largest:
        figures, got, last = snapshot[sku], rows[f"{STOCK_SHOP}|{sku}"], data.truth["last_day"][sku]
        assert got["on_hand"] == f"{figures['on_hand']:,}" and got["available"] == f"{last['available']:,}", (
            sku
        )
        assert got["in_transit"] == f"{figures['in_transit']:,}", sku
        assert (got["sales_7d"], got["sales_30d"]) == (str(last["sales_7d"]), str(last["sales_30d"])), sku
        assert got["stock_value"] == yuan(stock_value(data.truth, sku)), sku
        if last["sales_30d"]:
            cover = Decimal(last["available"] * last["window_days"]) / Decimal(last["sales_30d"])
            assert got["days_of_cover"] == f"{cover.quantize(Decimal('0.1'), ROUND_HALF_UP):,}", sku
        else:
            assert got["days_of_cover"] == "—", sku  # nothing sold in 30 days: unknown, not 0
        status = expected_class(data.truth, sku)
        assert (f">{status}</span>" in got["status"]) if status else got["status"].strip() == "—", sku
        assert (
            got["style"] == data.truth["skus"][sku]["style"]
            and got["season"] == data.truth["skus"][sku]["season"]
        )
    notes = page.split('id="stock-notes">')[1].split("</ul>")[0]
    assert (
        "<li>可售天数 = 可用库存 ÷ (近30天销量 ÷ 30)，上新不足30天的按在售天数（库龄 + 1）算日均；组合商品按 BOM 拆到子商品</li>"
        in notes
    )
    assert f"<li>{STOCK_SHOP}：旺店通 {DEMO_END} 的快照；同日另有 聚水潭 的快照，未相加</li>" in notes


def test_the_class_cards_count_the_manifests_classes(stock_server: tuple[LiveServer, StockData]) -> None:
    server, data = stock_server
    page = client_for(server, "admin").get("/stock", params={"shop": STOCK_SHOP}).text
    cards = page.split('id="stock-classes">')[1].split("</div>\n")[0]
    found = dict(
        re.findall(r'<span class="label">(.*?)</span>\s*<span class="value">([0-9,]+) <small>', cards)
    )
    totals = class_totals(data.truth)
    for name in CLASSES:
        assert found[name] == f"{totals.get(name, (0, 0, 0))[0]:,}", name
    snapshot = data.truth["snapshots"][DEMO_END.isoformat()]
    assert found["合计"] == str(len(snapshot))
    total_units = sum(f["on_hand"] for f in snapshot.values())
    total_value = sum((stock_value(data.truth, s) for s in snapshot), Decimal(0))
    assert f'库存 {total_units:,} 件</span>\n  <span class="detail">{yuan(total_value)}</span>' in cards


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ({"status": "零动销"}, lambda truth, sku: expected_class(truth, sku) == "零动销"),
        ({"category": "T恤"}, lambda truth, sku: truth["skus"][sku]["category"] == "T恤"),
        ({"season": "夏"}, lambda truth, sku: truth["skus"][sku]["season"] == "夏"),
        ({"q": "sl26t003"}, lambda truth, sku: truth["skus"][sku]["style"] == "SL26T003"),
        ({"status": "高周转", "season": "四季"},
         lambda truth, sku: expected_class(truth, sku) == "高周转" and truth["skus"][sku]["season"] == "四季"),
    ],
)  # fmt: skip
def test_each_filter_keeps_exactly_its_rows(
    stock_server: tuple[LiveServer, StockData], query: dict[str, str], keep: Any
) -> None:
    server, data = stock_server
    page = client_for(server, "admin").get("/stock", params={"shop": STOCK_SHOP} | query).text
    want = {sku for sku in data.truth["snapshots"][DEMO_END.isoformat()] if keep(data.truth, sku)}
    assert want and {key.split("|", 1)[1] for key in rows_of(page)} == want
    for name, value in query.items():
        if name != "q":
            assert f'<option value="{value}" selected>' in page


def test_by_style_sums_the_skus(stock_server: tuple[LiveServer, StockData]) -> None:
    server, data = stock_server
    page = client_for(server, "admin").get("/stock", params={"shop": STOCK_SHOP, "by": "style"}).text
    style = data.truth["planted"]["oversold"]["style"]
    row = rows_of(page)[f"{STOCK_SHOP}|{style}"]
    skus = [s for s, f in data.truth["skus"].items() if f["style"] == style]
    snapshot = data.truth["snapshots"][DEMO_END.isoformat()]
    assert row["on_hand"] == f"{sum(snapshot[s]['on_hand'] for s in skus):,}"
    assert row["sales_30d"] == f"{sum(data.truth['last_day'][s]['sales_30d'] for s in skus):,}"
    assert f'<td class="num" data-sort="{len(skus)}">{len(skus)}</td>' in row["row"]


def test_the_item_chart_is_the_manifests_days(stock_server: tuple[LiveServer, StockData]) -> None:
    server, data = stock_server
    sku = data.truth["planted"]["oversold"]["skus"][0]
    client = client_for(server, "admin")
    page = client.get("/stock", params={"shop": STOCK_SHOP, "item": f"{STOCK_SHOP}|{sku}"}).text
    assert f'<span id="item-heading">{sku}</span>' in page
    assert f'<tr data-item="{STOCK_SHOP}|{sku}" class="chosen">' in page
    history = embedded(page, "item-history")
    start = dt.date.fromisoformat(data.truth["start"])
    assert history["label"] == sku and history["dates"][0] == str(
        max(start, DEMO_END - dt.timedelta(days=89))
    )
    assert history["dates"][-1] == str(DEMO_END)
    for index, day in enumerate(history["dates"]):
        snapshot = data.truth["snapshots"].get(day)
        if snapshot is None:  # no snapshot that day: a gap in the line, not 0
            assert (history["on_hand"][index], history["available"][index]) == (None, None), day
        else:
            figures = snapshot.get(sku, {"on_hand": 0, "available": 0})
            assert (history["on_hand"][index], history["available"][index]) == (
                figures["on_hand"], figures["available"],
            ), day  # fmt: skip
        assert history["sold"][index] == sold(data.truth, sku, day), day
    oversold = data.truth["planted"]["oversold"]["date"]
    assert history["available"][history["dates"].index(oversold)] < 0  # the 超卖 day shows
    assert "/static/stock.js" in page and "/static/vendor/chart.umd.min.js" in page
    style = data.truth["skus"][sku]["style"]
    by_style = embedded(
        client.get(
            "/stock", params={"shop": STOCK_SHOP, "by": "style", "item": f"{STOCK_SHOP}|{style}"}
        ).text,
        "item-history",
    )
    skus = [s for s, f in data.truth["skus"].items() if f["style"] == style]
    last = data.truth["snapshots"][DEMO_END.isoformat()]
    assert by_style["on_hand"][-1] == sum(last[s]["on_hand"] for s in skus)
    assert by_style["sold"][-1] == sum(sold(data.truth, s, str(DEMO_END)) for s in skus)


def test_the_alerts_and_the_clearance_list(stock_server: tuple[LiveServer, StockData]) -> None:
    server, data = stock_server
    page = client_for(server, "admin").get("/stock", params={"shop": STOCK_SHOP}).text
    cursor = server.demo.workspace.connection.cursor()
    try:
        alerts = stock_alerts(cursor, DEMO_END, [STOCK_SHOP]).frame
        clearance = clearance_list(cursor, DEMO_END, "夏", [STOCK_SHOP]).frame
    finally:
        cursor.close()
    kinds = page.split('id="alert-kinds">')[1].split("</div>")[0]
    for kind in ("超卖", "断货风险", "积压"):
        part = alerts.filter(alerts["kind"] == kind)
        amount = yuan(round(Decimal(str(part["amount_at_stake"].sum())), 2)) if part.height else "¥0.00"
        assert f"<b>{kind}</b> {part.height:,} · {amount}</span>" in kinds, kind
    shown = page.split('id="stock-alerts">')[1].split("</table>")[0]
    keys = re.findall(r'<tr data-item="([^"]*)">', shown)
    assert keys == [f"{STOCK_SHOP}|{s}" for s in alerts["sku"].head(10).to_list()]
    # 换季清仓: the season before the day's own (秋 → 夏) by default, the styles by score
    assert "换季清仓 · 夏" in page and '<option value="夏" selected>夏</option>' in page
    styles = list(rows_of(page, "clearance-table"))
    assert styles == [f"{STOCK_SHOP}|{s}" for s in clearance["style"].head(30).to_list()]
    bad = data.truth["planted"]["clearance_bad"]
    row = rows_of(page, "clearance-table")[f"{STOCK_SHOP}|{bad['style']}"]
    assert row["on_hand"] == f"{bad['on_hand_at_end']:,}" and row["season"] == "夏"
    assert data.truth["planted"]["clearance_good"]["style"] not in " ".join(styles)  # sold out
    spring = client_for(server, "admin").get("/stock", params={"shop": STOCK_SHOP, "clearance": "春"}).text
    assert "换季清仓 · 春" in spring and bad["style"] not in spring.split('id="clearance')[1]


def test_a_user_of_shop_a_never_sees_another_shops_stock(stock_server: tuple[LiveServer, StockData]) -> None:
    server, _ = stock_server
    client = client_for(server, "alice")
    page = client.get("/stock").text
    assert SHOP_B not in page and STOCK_SHOP not in page and "SL26" not in page
    assert 'id="stock-table"' not in page and "还没有库存数据。" in page  # none in shop A: what to import
    for query in (
        {"shop": SHOP_B},
        {"shop": STOCK_SHOP},
        {"item": f"{SHOP_B}|{PLAIN_SKU}"},
        {"item": f"{STOCK_SHOP}|SL26T003-黑色-M", "shop": SHOP_A},
    ):
        response = client.get("/stock", params=query)
        assert response.status_code == 403, query
        assert (
            SHOP_B not in response.text and STOCK_SHOP not in response.text and PLAIN_SKU not in response.text
        )


def test_codes_and_names_with_markup_stay_text(stock_server: tuple[LiveServer, StockData]) -> None:
    server, _ = stock_server
    client = client_for(server, "admin")
    for by, code in [("sku", sku) for sku in HOSTILE_SKUS] + [("style", HOSTILE_STYLE)]:
        page = client.get("/stock", params={"shop": SHOP_B, "by": by, "item": f"{SHOP_B}|{code}"}).text
        for text in (*HOSTILE_SKUS, HOSTILE_STYLE, "<i>外套</i>"):
            assert text not in page
        assert str(escape(code)) in page.split('id="item-heading">')[1].split("</span>")[0]
        assert "<img" not in page and "<script>alert" not in page and "<b onmouseover" not in page
        for attributes, text in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
            if "src=" in attributes:
                assert text == ""
                continue
            assert 'type="application/json"' in attributes and not re.search(r"[<>&]", text)
            if 'id="item-history"' in attributes:
                assert json.loads(text)["label"] == code  # the code itself, not mangled
    page = client.get("/stock", params={"shop": SHOP_B}).text
    assert str(escape(FORMULA_NAME)) in page and "&lt;i&gt;外套&lt;/i&gt;" in page
    assert f'<option value="{escape("<i>外套</i>")}"' in page


def test_the_page_speaks_english_from_the_domains_words(stock_server: tuple[LiveServer, StockData]) -> None:
    server, _ = stock_server
    client = client_for(server, "admin")
    client.get("/lang/en")
    page = client.get("/stock", params={"shop": STOCK_SHOP}).text
    for english in ("Products and stock", "Days of cover", "Stock value", "Season clearance", "Stock alerts"):
        assert english in page
    assert "可售天数" not in page.split("<table")[1].split("</thead>")[0]
    client.get("/lang/zh")


def test_an_empty_workspace_says_what_to_import(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as workspace:
        accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
        client = TestClient(create_app(workspace))
        client.post("/login", data={"name": "admin", "password": PASSWORD})
        response = client.get("/stock")
        assert response.status_code == 200
        empty = response.text.split('id="stock-empty">')[1].split("</section>")[0]
        assert "还没有库存数据。" in empty and "jst_stock" in empty and "wdt_stock" in empty
        assert (
            "product_master" in empty
            and "shopops import --shop 店铺名" in empty
            and 'href="/imports"' in empty
        )
        assert 'id="stock-table"' not in response.text and "stock.js" not in response.text
        nav = re.findall(r'<a href="(/[a-z]*)" class="[^"]*">([^<]+)</a>', response.text)
        assert ("/stock", "商品") in nav and nav.index(("/stock", "商品")) > nav.index(("/findings", "异常"))
    cache.wait_idle()
