"""Playwright drives the system Chromium (Debian's `chromium`, installed by .ci/run): log in, open every
page, upload a file and see it imported. Screenshots go to docs/images/web-*.png."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, SHOP_A, LiveServer
from tests.web.rival_data import add_rival_data

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CHROMIUM = os.environ.get("SHOPOPS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = [
    ("overview", "/", "总览"),
    ("table", "/table", "总表"),
    ("trends", "/trends?metric=affiliate_commission", "趋势"),
    ("findings", "/findings?from=2026-11-04&to=2026-11-24", "异常"),
    ("rivals", "/rivals", "竞品"),
    ("targets", "/targets", "目标"),
    ("metrics", "/metrics", "口径"),
    ("settings", "/settings", "设置"),
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_log_in_open_every_page_and_upload(live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_rival_data(live_server.demo, tmp_path / "rivals")  # the 竞品 page has something to show
    IMAGES.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url + "/")
        expect(page.locator("input[name=name]")).to_be_visible()
        page.screenshot(path=str(IMAGES / "web-login.png"))
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("section.cards .card").first).to_be_visible()
        for name, path, title in PAGES:
            page.goto(live_server.url + path)
            expect(page.locator("h1")).to_contain_text(title)
            if name == "trends":
                page.wait_for_function("() => window.Chart && Chart.getChart('trend')")
            if name == "rivals":
                page.wait_for_function("() => window.Chart && Chart.getChart('rival-units')")
            page.screenshot(path=str(IMAGES / f"web-{name}.png"), full_page=name != "table")
        page.goto(live_server.url + "/findings")
        # A note on one of our shops' findings (rival findings of the 竞品 data come first on the list).
        form = page.locator(f"form.note-form:has(input[name=shop][value='{SHOP_A}'])").first
        form.locator("input[name=acknowledged]").check()
        form.locator("input[name=comment]").fill("淘客大单，已核实")
        form.locator("button[type=submit]").click()
        expect(page.locator("table.findings")).to_contain_text("已确认")
        expect(page.locator("table.findings")).to_contain_text("淘客大单，已核实")
        page.screenshot(path=str(IMAGES / "web-findings.png"), full_page=True)
        page.goto(live_server.url + "/imports")
        held = live_server.demo.held_back
        page.set_input_files("#files", str(held))
        page.click("#upload-form button[type=submit]")
        expect(page.locator("table.results")).to_contain_text(held.name)
        expect(page.locator("table.results tr.ok")).to_have_count(1)
        page.screenshot(path=str(IMAGES / "web-imports.png"), full_page=True)
        page.goto(live_server.url + "/lang/en?next=/")
        expect(page.locator("h1")).to_contain_text("Overview")
        browser.close()
    assert errors == []
