"""In the real browser: a shop named ``</script><img src=x onerror=alert(1)>``, 宝贝标题 and rival titles
of that kind, and an uploaded file named so, are shown as text on every page — no dialog ever opens —
and every page works under the Content-Security-Policy (no violation in the console, charts drawn)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.test_dashboard import CHROMIUM
from tests.web.conftest import PASSWORD, SHOP_A, LiveServer
from tests.web.hostile_data import (
    HOSTILE_RIVAL_SHOP,
    HOSTILE_RIVAL_TITLE,
    HOSTILE_SHOP,
    HOSTILE_TITLE,
    RIVAL_ITEM,
    add_hostile_data,
)
from tests.web.rival_data import add_rival_data
from tests.web.test_headers import hostile_urls

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)
UPLOAD_NAME = f"店铺整体_{SHOP_A}_<img src=x onerror=alert(5)>.csv"


def test_hostile_names_stay_text_on_every_page(live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, expect, sync_playwright

    add_rival_data(live_server.demo, tmp_path / "rivals")
    add_hostile_data(live_server.demo.workspace, tmp_path / "hostile")
    dialogs: list[str] = []
    violations: list[str] = []
    errors: list[str] = []

    def dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("dialog", dialog)
        page.on("console", console)
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.goto(live_server.url + "/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("section.cards .card").first).to_be_visible()
        opened = open_every_page(page, live_server, dialogs)
        shown_as_text(page, live_server.url)
        bars_placed_by_script(page, live_server.url)
        upload_with_a_markup_name(page, live_server.url, tmp_path)
        browser.close()
    assert len(opened) >= 20
    assert dialogs == []
    assert violations == []
    assert errors == []


def open_every_page(page: Page, server: LiveServer, dialogs: list[str]) -> list[str]:
    """Every page (text/html answers of every GET route, with and without the hostile shop): no
    dialog, no element the names could have made, the charts drawn."""
    opened = []
    for url in hostile_urls(server.demo):
        answer = page.request.get(server.url + url)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        page.goto(server.url + url)
        page.wait_for_load_state("load")
        opened.append(url)
        assert dialogs == [], url
        assert page.locator("img, svg, iframe, object, embed").count() == 0, url
        if page.locator("canvas#trend").count():
            page.wait_for_function("() => window.Chart && Chart.getChart('trend')")
        if page.locator("canvas#rival-units").count():
            page.wait_for_function("() => window.Chart && Chart.getChart('rival-units')")
    return opened


def shown_as_text(page: Page, url: str) -> None:
    """The shop in the shop pickers and the chart's legend, the 宝贝标题 in the finding, the rival's
    shop and title in the item picker, the shop in 设置 — each exactly as it was written."""
    from playwright.sync_api import expect

    page.goto(url + "/trends?metric=gmv&from=2026-11-01&to=2026-11-24")
    page.wait_for_function("() => window.Chart && Chart.getChart('trend')")
    expect(page.locator("select[name=shop] option", has_text=HOSTILE_SHOP)).to_have_count(1)
    legend = page.evaluate("() => Chart.getChart('trend').data.datasets.map(d => d.label)")
    assert HOSTILE_SHOP in legend
    page.goto(url + "/findings?from=2026-11-18&to=2026-11-24")
    expect(page.locator("table.findings")).to_contain_text(f"单品支付金额·{HOSTILE_TITLE}")
    expect(page.locator("table.findings")).to_contain_text(HOSTILE_SHOP)
    page.goto(url + "/rivals")
    option = page.locator("select[name=item] option", has_text=HOSTILE_RIVAL_TITLE)
    expect(option).to_have_text(f"{HOSTILE_RIVAL_SHOP} {RIVAL_ITEM} {HOSTILE_RIVAL_TITLE}")
    page.goto(url + "/settings")
    expect(page.locator("table").first).to_contain_text(HOSTILE_SHOP)


def bars_placed_by_script(page: Page, url: str) -> None:
    """The pace bars of 总览 get their widths from app.js (no inline style under the CSP)."""
    page.goto(url + "/")
    bars = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pace .bar')).map(bar => [
             bar.querySelector('.fill').dataset.width, bar.querySelector('.fill').style.width,
             bar.querySelector('.mark').dataset.left, bar.querySelector('.mark').style.left])"""
    )
    assert bars
    for width, shown, left, placed in bars:
        assert shown.endswith("%") and float(shown[:-1]) == float(width)
        assert placed.endswith("%") and float(placed[:-1]) == float(left)
    assert any(float(left) > 0 for _, _, left, _ in bars)


def upload_with_a_markup_name(page: Page, url: str, tmp_path: Path) -> None:
    """An upload whose file name is markup: the result names it as text."""
    from playwright.sync_api import expect

    upload = tmp_path / "upload" / UPLOAD_NAME
    upload.parent.mkdir()
    upload.write_text("统计日期,访客数,支付金额\n2026-11-24,1200,34567.80\n", encoding="utf-8")
    page.goto(url + "/imports")
    page.set_input_files("#files", str(upload))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("table.results")).to_contain_text(UPLOAD_NAME)
    expect(page.locator("table.results tr.ok")).to_have_count(1)
    assert page.locator("img, svg").count() == 0
