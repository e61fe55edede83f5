"""In a real browser: the overview shows the day's top findings by 涉及金额 and "另有 N 条 → 全部"; the link
opens the findings page, where a rival's grouped price cuts open (<details>) onto their children.
Screenshots: docs/images/web-overview-budget.png, docs/images/web-findings-groups.png."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, WebDemo, serving
from tests.web.grouped_data import CUT_DAY, MARKUP_TITLE, RIVAL, add_price_cuts, set_budget

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CHROMIUM = os.environ.get("SHOPOPS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
DAY = CUT_DAY.isoformat()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_the_overview_links_to_all_findings_and_a_group_opens(fresh_web: WebDemo, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_price_cuts(fresh_web.workspace, tmp_path / "cuts")
    set_budget(fresh_web.root, 2)
    fresh_web.workspace.reload_settings()
    IMAGES.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with serving(fresh_web) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        page.goto(server.url + "/")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(server.url + f"/?date={DAY}")
        expect(page.locator("table.findings > tbody > tr[class^=sev-]")).to_have_count(2)
        more = page.locator("p.more-findings")
        expect(more).to_contain_text("另有 1 条")
        page.screenshot(path=str(IMAGES / "web-overview-budget.png"), full_page=True)
        more.locator("a").click()
        expect(page.locator("h1")).to_contain_text(f"{DAY} ~ {DAY}")
        expect(page.locator("table.findings > tbody > tr[class^=sev-]")).to_have_count(3)
        group = page.locator("details.children")
        expect(group).to_have_count(1)
        children = group.locator("tr.child")
        expect(children.first).to_be_hidden()
        group.locator("summary").click()
        expect(children).to_have_count(3)
        expect(children.first).to_be_visible()
        expect(group).to_contain_text(MARKUP_TITLE[:12])  # markup in a title shows as text
        expect(page.locator("table.findings")).to_contain_text(RIVAL)
        page.screenshot(path=str(IMAGES / "web-findings-groups.png"), full_page=True)
        browser.close()
    assert errors == []
