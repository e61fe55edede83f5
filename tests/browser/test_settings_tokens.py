"""设置 → API 令牌 in the system Chromium: an admin creates a token (shown once), a script uses it, the
admin revokes it and the script is refused with the reason."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.test_dashboard import CHROMIUM
from tests.web.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)


def test_admin_creates_and_revokes_a_token(live_server: LiveServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda answer: errors.append(answer.url) if answer.status == 404 else None)
        page.goto(live_server.url + "/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(live_server.url + "/settings")
        form = page.locator("form[action='/settings/tokens']")
        form.locator("select[name=user]").select_option("alice")
        form.locator("input[name=label]").fill("<b>夜间报表</b>")
        form.locator("input[name=expires_days]").fill("7")
        form.locator("button[type=submit]").click()
        shown = page.locator("code#new-token")
        expect(shown).to_be_visible()
        token = shown.inner_text()
        assert token.startswith("sho_")
        row = page.locator("table.api-tokens tr", has_text="<b>夜间报表</b>")  # the label as text, not markup
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(6)).to_have_text("有效")

        api = httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"})
        assert api.get("/api/shops").status_code == 200
        page.reload()
        expect(page.locator("code#new-token")).to_have_count(0)  # shown once only
        row = page.locator("table.api-tokens tr", has_text="<b>夜间报表</b>")
        expect(row.locator("td").nth(5)).not_to_have_text("—")  # last used: just now
        row.locator("button[type=submit]").click()
        row = page.locator("table.api-tokens tr", has_text="<b>夜间报表</b>")
        expect(row.locator("td").nth(6)).to_have_text("已吊销")
        expect(row.locator("button")).to_have_count(0)
        refused = api.get("/api/shops")
        assert refused.status_code == 401 and "吊销" in refused.json()["detail"]
        browser.close()
    assert errors == []
