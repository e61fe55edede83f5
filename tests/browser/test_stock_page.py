"""The 商品 page in the real browser (system Chromium), on the stock demo's apparel shop: the page
renders under the Content-Security-Policy without an error, the 状态 filter keeps only its rows, a click
on a row draws that item's stock and sales, the clearance season selector works, and codes with
markup open no dialog. Screenshots: docs/images/web-stock.png (1280 wide), web-stock-narrow.png (390)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

from tests.browser.test_dashboard import CHROMIUM, IMAGES
from tests.conftest import DEMO_END
from tests.web.conftest import PASSWORD, SHOP_B, LiveServer
from tests.web.stock_data import HOSTILE_SKUS, HOSTILE_STYLE, STOCK_SHOP, add_stock_data, expected_class

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_the_stock_page_filters_and_draws_an_item(live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, expect, sync_playwright

    demo = live_server.demo
    data = add_stock_data(demo.workspace, tmp_path, DEMO_END, SHOP_B)
    dead = [
        s for s in data.truth["snapshots"][DEMO_END.isoformat()] if expected_class(data.truth, s) == "零动销"
    ]
    dialogs: list[str] = []
    problems: list[str] = []

    def dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    def console(message: ConsoleMessage) -> None:
        if "Failed to load resource" in message.text:  # checked by the responses below
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.on("dialog", dialog)
        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(live_server.url + "/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav a[href='/stock']")
        expect(page.locator("h1")).to_contain_text("商品与库存")
        page.goto(f"{live_server.url}/stock?{urlencode({'shop': STOCK_SHOP})}")
        expect(page.locator("#stock-classes .class-card")).to_have_count(7)  # 5 classes, 无库存无销售, 合计
        page.wait_for_function("() => window.Chart && Chart.getChart('item-chart')")  # the first row's
        # The 状态 filter: only 零动销 rows are left.
        page.select_option("#stock-filters select[name=status]", "零动销")
        page.click("#stock-filters button[type=submit]")
        expect(page.locator("#stock-table tbody tr")).to_have_count(len(dead))
        assert set(page.locator("#stock-table td.c-status").all_inner_texts()) == {"零动销"}
        a_click_opens_an_item(page, live_server.url, data.truth["planted"]["oversold"]["skus"][0])
        page.goto(f"{live_server.url}/stock?{urlencode({'shop': STOCK_SHOP})}")
        page.wait_for_function("() => window.Chart && Chart.getChart('item-chart')")
        screenshots(page)
        codes_stay_text(page, live_server.url)
        browser.close()
    assert dialogs == []
    assert problems == []


def codes_stay_text(page: Page, url: str) -> None:
    """Shop B's SKUs and style named with markup (an imported file): text in the table, the heading
    and the chart's data; nothing they could have made exists on the page."""
    from playwright.sync_api import expect

    for by, code in [("sku", sku) for sku in HOSTILE_SKUS] + [("style", HOSTILE_STYLE)]:
        page.goto(f"{url}/stock?{urlencode({'shop': SHOP_B, 'by': by, 'item': f'{SHOP_B}|{code}'})}")
        page.wait_for_function("() => window.Chart && Chart.getChart('item-chart')")
        expect(page.locator("#item-heading")).to_have_text(code)
        assert code in page.locator("#stock-table tbody td:first-child a").all_inner_texts()
        assert page.locator("main img, #stock-table script, #stock-table b").count() == 0
        label = page.evaluate("() => JSON.parse(document.getElementById('item-history').textContent).label")
        assert label == code


def a_click_opens_an_item(page: Page, url: str, sku: str) -> None:
    """A click on a row (not on its link) opens that item: its chart is drawn; the clearance season
    selector keeps the chosen item."""
    from playwright.sync_api import expect

    page.goto(f"{url}/stock?{urlencode({'shop': STOCK_SHOP, 'q': sku})}")
    page.locator("#stock-table tbody tr").first.locator("td.c-on_hand").click()
    expect(page.locator("#item-heading")).to_have_text(sku)
    page.wait_for_function("() => window.Chart && Chart.getChart('item-chart')")
    labels = page.evaluate("() => Chart.getChart('item-chart').data.datasets.map(d => d.label)")
    assert labels == ["实际库存", "可用库存", "销量（件）"]
    points = page.evaluate("() => Chart.getChart('item-chart').data.datasets.map(d => d.data.length)")
    assert len(set(points)) == 1 and points[0] == 90
    # The clearance list: another season from its selector.
    page.select_option("#clearance-form select[name=clearance]", "old")
    page.click("#clearance-form button[type=submit]")
    expect(page.locator("#clearance")).to_contain_text("往季")
    expect(page.locator("#item-heading")).to_have_text(sku)  # the chosen item is kept


def screenshots(page: Page) -> None:
    """docs/images/web-stock.png at 1280 wide (the whole page) and web-stock-narrow.png at 390 (the
    first screen); at 390 the page's own parts fit and the tables scroll inside their boxes."""
    page.screenshot(path=str(IMAGES / "web-stock.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the chart redraws at the new width
    page.screenshot(path=str(IMAGES / "web-stock-narrow.png"), full_page=False)
    # The page's own parts fit (the tables scroll inside their boxes); the top bar is the shell's.
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('main > *')).filter(e => !e.matches('.scroll'))"
        ".map(e => [e.id || e.className || e.tagName, Math.round(e.getBoundingClientRect().right)])"
        ".filter(([, right]) => right > 391)"
    )
    assert wide == [], wide
    page.set_viewport_size({"width": 1280, "height": 900})
