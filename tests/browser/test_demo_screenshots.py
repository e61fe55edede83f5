"""The README's screenshots, taken from `shopops demo`'s workspace (tests/web/demo_site.py: the demo's
generator, shops and imports) in a real Chromium at 1360×860 — docs/images/demo-*.png. Each page is
checked for what a reader should see in it before the picture is taken: figures, not "—"."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, WebDemo, serving

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CHROMIUM = os.environ.get("SHOPOPS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_the_readme_screenshots_come_from_the_demo(demo_site: WebDemo) -> None:
    from playwright.sync_api import expect, sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with serving(demo_site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + "/")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")

        # 总览: the cards carry figures, the day's findings are listed.
        expect(page.locator("section.cards .card").first).to_be_visible()
        gmv = page.locator("section.cards .card .value").first
        expect(gmv).to_contain_text("¥")
        expect(page.locator("table.findings tbody tr").first).to_be_visible()
        page.screenshot(path=str(IMAGES / "demo-overview.png"))

        # 趋势: GMV of every shop over the last 60 days, one straight line each.
        page.goto(server.url + "/trends")
        page.wait_for_function("() => window.Chart && Chart.getChart('trend')")
        tension = page.evaluate("() => Chart.getChart('trend').data.datasets.map(d => d.tension ?? null)")
        assert set(tension) <= {0, None}
        page.screenshot(path=str(IMAGES / "demo-trends.png"))

        # 异常: the week's findings, figures written as the CLI writes them.
        page.goto(server.url + "/findings")
        expect(page.locator("table.findings tbody tr").first).to_be_visible()
        page.screenshot(path=str(IMAGES / "demo-findings.png"))

        # 客服: the agents of every shop, the trend and coaching card of the first (the whole page).
        page.goto(server.url + "/service")
        expect(page.locator("h1")).to_contain_text("客服")
        page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
        page.screenshot(path=str(IMAGES / "demo-service.png"), full_page=True)
        browser.close()
    assert errors == []
