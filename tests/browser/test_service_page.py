"""The 客服 page in the real browser (system Chromium): the agent table, the slipping agent's daily
charts, the team's trend and the coaching card are drawn under the Content-Security-Policy without an
error; agent names with markup open no dialog. Screenshot: docs/images/service.png."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

from tests.browser.test_dashboard import CHROMIUM, IMAGES
from tests.web.conftest import PASSWORD, SHOP_B, LiveServer
from tests.web.service_data import HOSTILE_AGENTS, HOSTILE_DAYS, SERVICE_START, add_service_data

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_the_service_page_draws_its_charts(live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, expect, sync_playwright

    demo = live_server.demo
    data = add_service_data(demo.workspace, demo.exports, tmp_path / "service")
    slipping = data.truth["slipping"]
    dialogs: list[str] = []
    problems: list[str] = []

    def dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    def console(message: ConsoleMessage) -> None:
        # Failed loads are checked by their responses below (the browser's own /favicon.ico is not ours).
        if "Failed to load resource" in message.text:
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("dialog", dialog)
        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(live_server.url + "/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav a[href='/service']")
        expect(page.locator("h1")).to_contain_text("客服")
        expect(page.locator("#agents tbody tr")).to_have_count(8)
        query = {"from": str(SERVICE_START), "agent": f"{slipping['shop']}|{slipping['person']}"}
        page.goto(f"{live_server.url}/service?{urlencode(query)}")
        for chart in ("agent-quality", "agent-sales", "team-chart"):
            page.wait_for_function(f"() => window.Chart && Chart.getChart('{chart}')")
        lines = page.evaluate("() => Chart.getChart('team-chart').data.datasets.map(d => d.label)")
        assert any("支付转化率" in line for line in lines) and any("客服销售额占比" in line for line in lines)
        expect(page.locator("#agent-heading")).to_contain_text(slipping["person"])
        expect(page.locator("#coach-weakest tbody tr")).to_have_count(3)
        page.screenshot(path=str(IMAGES / "service.png"), full_page=True)
        page.locator("details.agent-days summary").click()
        expect(page.locator("#agent-days")).to_be_visible()
        # A click on 询单转化率 sorts the table by it (app.js, the rows' data-sort values).
        page.locator("#agents th", has_text="询单转化率").click()
        shown = page.locator("#agents td.c-inquiry_conversion").all_inner_texts()
        numbers = [float(text.rstrip("%")) for text in shown if text != "—"]
        assert len(numbers) == 8 and numbers == sorted(numbers)
        names_stay_text(page, live_server.url)
        browser.close()
    assert dialogs == []
    assert problems == []


def names_stay_text(page: Page, url: str) -> None:
    """Shop B's agents named with markup (an imported file): shown as text in the table, the
    heading and the chart's data; nothing they could have made exists on the page."""
    from playwright.sync_api import expect

    window = {"from": str(HOSTILE_DAYS[0]), "to": str(HOSTILE_DAYS[1]), "shop": SHOP_B}
    for name in HOSTILE_AGENTS:
        page.goto(f"{url}/service?{urlencode(window | {'agent': f'{SHOP_B}|{name}'})}")
        page.wait_for_function("() => window.Chart && Chart.getChart('agent-quality')")
        expect(page.locator("#agent-heading")).to_contain_text(name)
        assert name in page.locator("#agents tbody td:first-child a").all_inner_texts()
        assert page.locator("#agents img, #agents script, main img").count() == 0
        label = page.evaluate("() => JSON.parse(document.getElementById('agent-trend').textContent).label")
        assert label == name
