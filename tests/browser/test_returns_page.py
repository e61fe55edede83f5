"""The 退货 page in the real browser (system Chromium), on the demo's apparel shop (山岚服饰: its
54-column 退款管理, its review files, its order lines and product list): the page renders under the
Content-Security-Policy without an error, the reason Pareto is drawn from the page's JSON, the focus
list puts the planted size-chart style near the top with 尺码 its main class, the 中差评 table lists 待处理 first, and a reason with
markup opens no dialog. Screenshot: docs/images/web-returns.png (1280 wide)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

import pytest

from shopops.demo.stock import write_stock_shop
from tests.browser.test_dashboard import CHROMIUM, IMAGES
from tests.conftest import DEMO_END
from tests.web.conftest import PASSWORD, LiveServer
from tests.web.test_returns_page import HOSTILE_REASON, hostile_refunds

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)
SHOP = "山岚服饰"


def test_the_returns_page_draws_the_pareto_and_the_focus_list(
    live_server: LiveServer, tmp_path: Path
) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, expect, sync_playwright

    workspace = live_server.demo.workspace
    shop = write_stock_shop(tmp_path / "exports", DEMO_END, 90, 7)
    workspace.add_shop(SHOP, "taobao")
    for path in [*shop.files, *shop.returns_files]:
        workspace.import_file(path, shop=SHOP)
    workspace.import_file(hostile_refunds(tmp_path))  # 小野家居: a reason with markup
    planted = shop.returns["planted"]["size"]["style"]
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
    start = DEMO_END - dt.timedelta(days=59)
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
        page.click("nav a[href='/returns']")
        expect(page.locator("h1")).to_contain_text("退货与评价")
        query = {"shop": SHOP, "from": start.isoformat(), "to": DEMO_END.isoformat()}
        page.goto(f"{live_server.url}/returns?{urlencode(query)}")
        page.wait_for_function("() => window.Chart && Chart.getChart('pareto-chart')")
        labels = page.evaluate("() => Chart.getChart('pareto-chart').data.labels")
        assert labels == page.locator("#returns-pareto tbody tr td:first-child").all_inner_texts()
        assert set(labels) <= {"仓配", "尺码", "品质", "主观", "服务/其他"}
        # the focus list: the style whose size chart runs small is near the top (last season's styles,
        # whose 主观 returns rise in these weeks, compete with it), its main class 尺码
        rows = page.locator("#returns-items tbody tr")
        styles = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
        assert planted in styles, styles
        row = rows.nth(styles.index(planted))
        assert row.locator("td").nth(9).inner_text() == "尺码"
        first_review = page.locator("#returns-reviews tbody tr").first
        expect(first_review).to_contain_text("待处理")
        page.screenshot(path=str(IMAGES / "web-returns.png"), full_page=True)
        page.goto(f"{live_server.url}/returns?{urlencode({'shop': '小野家居', 'by': 'sku'})}")
        expect(page.locator("#returns-pareto")).to_contain_text(HOSTILE_REASON)  # shown as text
        browser.close()
    assert dialogs == []
    assert problems == []
