"""The 绩效 page in the real browser (system Chromium): the scoreboard per role, the drill-down a
click away, the score bars drawn under the Content-Security-Policy without an error, names with
markup opening no dialog, an operator's own card; at a phone's width (390 px) the page's own parts
fit and the tables scroll inside their boxes. Screenshots: docs/images/web-staff.png and
web-staff-person.png."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.test_dashboard import CHROMIUM, IMAGES
from tests.web.conftest import PASSWORD, LiveServer
from tests.web.staff_data import HOSTILE_DESIGNER, HOSTILE_PERSON, PERIOD, add_staff_data

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_the_staff_page_and_its_drill_down(live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, expect, sync_playwright

    add_staff_data(live_server.demo, tmp_path / "staff")
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
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        page.on("dialog", dialog)
        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        log_in(page, live_server.url, "admin")
        scoreboard(page)
        fits_a_phone(page, tmp_path / "staff-narrow.png")
        page.locator("section.staff-role[data-role='客服售前'] a", has_text="小美").click()
        expect(page.locator("#person-heading")).to_contain_text("小美")
        expect(page.locator(".working-text")).to_have_count(6)
        expect(page.locator("#person-card-total")).to_have_text("100.00")
        widths = page.evaluate(
            "() => Array.from(document.querySelectorAll('.bar.score .fill')).map(e => e.style.width)"
        )
        assert widths[:3] == ["100%", "100%", "100%"]  # drawn by app.js from data-width
        page.screenshot(path=str(IMAGES / "web-staff-person.png"), full_page=True)
        fits_a_phone(page, tmp_path / "staff-person-narrow.png")
        page.click(".staff-back a")
        expect(page.locator("section.staff-role")).to_have_count(4)
        own_card(browser, live_server.url, tmp_path)
        browser.close()
    assert dialogs == []
    assert problems == []


def scoreboard(page: Page) -> None:
    """The 绩效 page from the top bar, November picked: a table per role, best first, sortable."""
    from playwright.sync_api import expect

    page.click("nav a[href='/staff']")
    expect(page.locator("h1")).to_contain_text("绩效")
    page.select_option("#staff-filters select[name=period]", PERIOD)
    page.click("#staff-filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text("2026年11月")
    expect(page.locator("section.staff-role")).to_have_count(4)
    pre_sales = page.locator("section.staff-role[data-role='客服售前'] tbody tr")
    expect(pre_sales).to_have_count(5)
    expect(pre_sales.first.locator("td.c-total")).to_have_text("100.00")
    expect(pre_sales.first.locator(".tier")).to_have_text("金牌")
    # Names with markup (an imported staff list) are text: in the table, the role picker, the list.
    expect(page.locator(f"tr[data-person='{HOSTILE_DESIGNER}'] td a")).to_have_text(HOSTILE_DESIGNER)
    expect(page.locator("#staff-unscored")).to_contain_text(HOSTILE_PERSON)
    assert page.locator("main img, main script").count() == 0
    page.screenshot(path=str(IMAGES / "web-staff.png"), full_page=True)
    # A click on 总分 sorts the role's table (app.js, the rows' data-sort values).
    page.locator("section.staff-role[data-role='客服售前'] th", has_text="总分").click()
    totals = pre_sales.locator("td.c-total").all_inner_texts()
    assert totals == sorted(totals, key=float)


def log_in(page: Page, url: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header.top")).to_be_visible()


def own_card(browser: Browser, url: str, folder: Path) -> None:
    """An operator linked to 小美 gets her card on /staff, and only hers."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    log_in(page, url, "mei")
    page.goto(f"{url}/staff?period={PERIOD}")
    expect(page.locator("section.staff-card")).to_have_count(1)
    expect(page.locator("section.staff-card")).to_have_attribute("data-person", "小美")
    expect(page.locator("section.staff-role")).to_have_count(0)
    fits_a_phone(page, folder / "staff-own-narrow.png")
    page.close()


def fits_a_phone(page: Page, shot: Path) -> None:
    """At 390 px the page's own parts fit (the tables scroll inside their boxes; the top bar is the
    shell's), and no part of the page is wider than the window."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    page.screenshot(path=str(shot), full_page=True)
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('main *')).filter(e => !e.closest('.scroll'))"
        ".map(e => [e.id || e.className || e.tagName, Math.round(e.getBoundingClientRect().right)])"
        ".filter(([, right]) => right > 391)"
    )
    assert wide == [], wide
    main = page.evaluate("() => document.querySelector('main').scrollWidth")
    assert main <= 390, main
    assert size is not None
    page.set_viewport_size(size)
