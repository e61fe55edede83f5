"""The 总表 in the real browser, on the demo with its JD and Douyin shops: a section ticked off in the
column chooser disappears at once and stays gone after a reload (remembered on the server); the header
row and the 日期/店铺 columns stay in view while the table scrolls down and right. Screenshots go to
docs/images/web-table-*.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.test_dashboard import CHROMIUM, IMAGES
from tests.web.conftest import PASSWORD, LiveServer
from tests.web.test_table_page import platforms_web

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["platforms_web"]
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def test_chooser_and_sticky_header(platforms_web: LiveServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(platforms_web.url + "/login")
        page.fill("input[name=name]", "ann")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(platforms_web.url + "/table")
        expect(page.locator("#master th[data-key='gmv']")).to_be_visible()
        section_off_and_on(page)
        header_and_first_columns_stay(page)
        browser.close()
    assert errors == []


def section_off_and_on(page: Page) -> None:
    """推广 ticked off: its columns go at once and stay gone after a reload; ticked on: back."""
    from playwright.sync_api import expect

    promo = page.locator("#master th[data-section='推广']")
    expect(promo.first).to_be_visible()
    shown = promo.count()
    assert shown >= 5
    expect(page.locator(".chooser-save")).to_be_hidden()  # the script saves on each tick
    page.click("#chooser summary")
    with page.expect_response(lambda r: r.url.endswith("/table/columns") and r.status == 200):
        page.locator("#chooser input[value='推广']").uncheck()
    expect(promo.first).to_be_hidden()
    expect(page.locator("#master td[data-section='推广']:visible")).to_have_count(0)
    page.screenshot(path=str(IMAGES / "web-table-chooser.png"))
    page.reload()
    expect(page.locator("#master th[data-section='综合销售']").first).to_be_visible()
    expect(promo).to_have_count(0)  # not rendered at all: the server remembered
    expect(page.locator("#chooser input[value='推广']")).not_to_be_checked()
    page.click("#chooser summary")  # ticked on: the page reloads to render those columns
    with page.expect_navigation():
        page.locator("#chooser input[value='推广']").check()
    expect(promo).to_have_count(shown)


def header_and_first_columns_stay(page: Page) -> None:
    """Scrolled down and right, the header row stays at the top of the table's box, 日期 and 店铺 at
    its left — and they are what is seen there, not numbers scrolled under them."""
    scroller = page.locator("#master-scroll")
    frame = box(page, "#master-scroll")
    before = box(page, "#master thead th[data-key='gmv']")
    assert abs(before["y"] - frame["y"]) <= 1
    scroller.evaluate("el => { el.scrollTop = 600; el.scrollLeft = 900; }")
    assert scroller.evaluate("el => [el.scrollTop, el.scrollLeft]") == [600, 900]
    corner = box(page, "#master thead th.c-date")
    assert (round(corner["x"]), round(corner["y"])) == (round(frame["x"]), round(frame["y"]))
    header = box(page, "#master thead th[data-key='ad_gmv']")
    assert abs(header["y"] - frame["y"]) <= 1  # still at the top
    row = page.locator("#master tbody tr").nth(20)
    date_cell = row.locator("td.c-date").bounding_box()
    shop_cell = row.locator("td.c-shop").bounding_box()
    assert date_cell is not None and shop_cell is not None
    assert abs(date_cell["x"] - frame["x"]) <= 1
    assert abs(shop_cell["x"] - (date_cell["x"] + date_cell["width"])) <= 1
    at = "([x, y, tag]) => document.elementFromPoint(x, y).closest(tag)"
    assert page.evaluate(f"a => ({at})(a).dataset.key", [header["x"] + 5, header["y"] + 5, "th"]) == "ad_gmv"
    assert page.evaluate(
        f"a => ({at})(a).classList.contains('c-shop')", [shop_cell["x"] + 5, shop_cell["y"] + 5, "td"]
    )
    page.screenshot(path=str(IMAGES / "web-table-scrolled.png"))
