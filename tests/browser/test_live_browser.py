"""The 直播 page in the real browser (system Chromium) against a real server: readings POSTed one by
one (as the capture tool sends them) appear in the interval table, the tiles, the chart and the
alerts without a reload; the stream's indicator says "重连中…" while the connection is cut (a relay
between the browser and the server drops it) and "实时" again once EventSource has reconnected by
itself; the room picker opens a room whose name and anchor carry markup: text, no dialog; no error,
no CSP violation; at a phone's width the page's own parts fit. Screenshot: docs/images/web-live.png."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
import pytest

from shopops.domains.live.fields import RATIO_BY_KEY
from shopops.domains.live.runtime import LiveService
from shopops.web import cache
from tests.browser.test_dashboard import CHROMIUM, IMAGES
from tests.browser.test_staff_page import fits_a_phone, log_in
from tests.web.conftest import serving
from tests.web.live_data import (
    HOSTILE_ANCHOR,
    HOSTILE_ROOM,
    LIVE_A,
    OPERATOR,
    ROOM_A,
    SEEDED,
    SEEDED_INTERVALS,
    SEEDED_SNAPSHOTS,
    STEP,
    TOTAL,
    board_csv,
    build_live_web,
    figures,
    reading,
    today_line,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium, or set SHOPOPS_CHROMIUM)"
)
ROWS = "#live-intervals tbody tr"


class Relay:
    """A TCP relay between the browser and the server: ``drop()`` cuts every connection through it
    and refuses new ones (the network is down) until ``resume()``."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.refusing = threading.Event()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _cut([source, sink])

    def drop(self) -> None:
        self.refusing.set()
        with self.lock:
            cut, self.sockets = list(self.sockets), set()
        _cut(cut)

    def resume(self) -> None:
        self.refusing.clear()

    def close(self) -> None:
        self.listener.close()
        self.drop()


def _cut(sockets: list[socket.socket]) -> None:
    for each in sockets:
        with contextlib.suppress(OSError):
            each.shutdown(socket.SHUT_RDWR)
        each.close()


def yuan(value: Decimal | int) -> str:
    return f"¥{value:,.2f}"


def test_the_live_page_updates_itself(tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, sync_playwright

    demo, start = build_live_web(tmp_path / "live")
    hostile = [reading(start + i * STEP, i, HOSTILE_ANCHOR) for i in range(10)]  # older than 云朵官方直播间
    LiveService(demo.workspace, watch=False, push=False).ingest(
        board_csv(hostile), "x.csv", origin="test", room=HOSTILE_ROOM, shop=LIVE_A
    )
    dialogs: list[str] = []
    problems: list[str] = []
    cut = threading.Event()  # the relay is down: the stream's failures are expected then

    def dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    def console(message: ConsoleMessage) -> None:
        if "Failed to load resource" in message.text or cut.is_set():
            return  # the responses are checked below; the cut is on purpose
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    IMAGES.mkdir(parents=True, exist_ok=True)
    try:
        with serving(demo) as server, sync_playwright() as playwright:
            relay = Relay(int(server.url.rsplit(":", 1)[1]))
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.on("dialog", dialog)
            page.on("console", console)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            log_in(page, relay.url, OPERATOR)
            page.click("nav a[href='/live']")
            first_view(page, start)
            loaded = page.evaluate("window.__liveLoaded")
            token = demo.tokens[OPERATOR]
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as api:
                readings_arrive(page, api, start, range(SEEDED, TOTAL - 1))
                reconnects(page, relay, cut)
                readings_arrive(page, api, start, [TOTAL - 1])  # the stream works again
            # Not reloaded: the same page (its marker, one navigation) drew every picture.
            assert page.evaluate("window.__liveLoaded") == loaded
            assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
            assert page.evaluate("window.__liveRenders") >= TOTAL - SEEDED + 1
            last_view(page, start)
            page.screenshot(path=str(IMAGES / "web-live.png"), full_page=True)
            fits_a_phone(page, tmp_path / "live-narrow.png")
            marked_up_names(page)
            browser.close()
            relay.close()
    finally:
        cache.wait_idle()
        demo.workspace.close()
    assert dialogs == []
    assert problems == []


def marked_up_names(page: Page) -> None:
    """The picker goes to another room; its name and its anchor's, with markup, are text."""
    from playwright.sync_api import expect

    page.select_option("#live-room", label=HOSTILE_ROOM)
    expect(page.locator("#live-name")).to_have_text(HOSTILE_ROOM)
    expect(page.locator("#live-anchor-name")).to_have_text(HOSTILE_ANCHOR)
    expect(page.locator(ROWS).first.locator("td[data-key=anchor]")).to_have_text(HOSTILE_ANCHOR)
    expect(page.locator("#live-connection")).to_have_attribute("data-state", "open")
    assert page.locator("main img, main script:not([type='application/json'])").count() == 0


def readings_arrive(page: Page, api: httpx.Client, start: dt.datetime, readings: Iterable[int]) -> None:
    """The capture tool's next readings, one a request: each is on the page a moment later."""
    from playwright.sync_api import expect

    for i in readings:
        line = today_line(start, i)
        response = api.post(f"/api/live/{quote(ROOM_A)}/snapshots", content=board_csv([line]).encode())
        assert response.status_code == 200 and response.json()["added"] == 1, response.text
        expect(page.locator(ROWS)).to_have_count(SEEDED_INTERVALS + i - SEEDED + 1)  # newest first
        expect(page.locator(ROWS).first.locator("td[data-key=span]")).to_have_text(
            f"{today_line(start, i - 1)[0][11:16]}–{line[0][11:16]}"
        )
        expect(page.locator(".live-tile[data-tile=gmv] .value")).to_have_text(yuan(figures(i)["gmv"]))


def last_view(page: Page, start: dt.datetime) -> None:
    """After every reading: the chart has them all, the tiles and the status line the last."""
    from playwright.sync_api import expect

    chart = "Chart.getChart(document.getElementById('live-chart'))"
    online = page.evaluate(f"{chart}.data.datasets[1].data.length")
    assert online == SEEDED_INTERVALS + TOTAL - SEEDED + 1  # 在线人数: the first reading, then each interval
    expect(page.locator(".live-tile[data-tile=online_viewers] .value")).to_have_text(
        f"{figures(TOTAL - 1)['online_viewers']:,}"
    )
    # Drawn a few rows at a time, the table is still every interval once, newest first, marks kept.
    spans = page.locator(f"{ROWS} td[data-key=span]").all_inner_texts()
    assert spans == sorted(set(spans), reverse=True) and len(spans) == SEEDED_INTERVALS + TOTAL - SEEDED
    assert page.locator(f"{ROWS} .mark").all_inner_texts() == ["未刷新 1", "断档"]
    snapshots = SEEDED_SNAPSHOTS + TOTAL - SEEDED
    expect(page.locator("#live-facts")).to_have_text(
        f"最后采集 {today_line(start, TOTAL - 1)[0][11:]} · 采集 {snapshots} 次 · 未变化 1 次 · 断档 1 段"
    )


def first_view(page: Page, start: dt.datetime) -> None:
    """The room as the page opens it: the picture embedded, the stream followed."""
    from playwright.sync_api import expect

    expect(page.locator("#live-connection")).to_have_attribute("data-state", "open")
    expect(page.locator("#live-connection")).to_have_text("● 实时")
    expect(page.locator("#live-name")).to_have_text(ROOM_A)
    expect(page.locator("#live-state")).to_have_text("● 直播中")
    expect(page.locator(ROWS)).to_have_count(SEEDED_INTERVALS)
    last = figures(SEEDED - 1)
    expect(page.locator(".live-tile[data-tile=gmv] .value")).to_have_text(yuan(last["gmv"]))
    expect(page.locator(".live-tile[data-tile=orders] .value")).to_have_text(str(last["orders"]))
    # The plan: 千川 spent faster than planned (red), GMV behind it.
    spend = page.locator(".live-tile[data-tile=spend] .live-pace")
    expect(spend).to_have_text("消耗过快 +39%")
    expect(spend).to_have_attribute("data-tone", "bad")
    expect(page.locator(".live-tile[data-tile=gmv] .live-pace")).to_have_text("成交进度 +45%")
    expect(page.locator("#live-no-plan")).to_be_hidden()
    # The anchor on air with their own usual figures; the alerts newest first.
    expect(page.locator("#live-anchor-name")).to_have_text("阿杰")
    expect(page.locator("#live-bench tbody tr")).to_have_count(4)
    alerts = page.locator("#live-alerts li")
    expect(alerts.first).to_have_attribute("data-kind", "drop:click_to_order_rate")
    expect(alerts.last).to_have_attribute("data-kind", "spend_fast")
    expect(alerts.last.locator(".badge")).to_have_text("严重")
    # Every column says its 口径; unknown is "—", ratios are percentages.
    head = page.locator("#live-intervals th[data-key=click_to_order_rate]")
    expect(head).to_have_attribute("title", RATIO_BY_KEY["click_to_order_rate"].formula)
    newest = page.locator(ROWS).first
    expect(newest.locator("td[data-key=click_to_order_rate]")).to_have_text("0.00%")
    expect(newest.locator("td[data-key=product]")).to_have_text("云朵羽绒服")
    assert "%" in newest.locator("td[data-key=entry_rate]").inner_text()
    # The long interval of the missed readings, and the one the frozen reading joined, are marked.
    minute = [today_line(start, i)[0][11:16] for i in range(SEEDED)]
    gap = page.locator(ROWS, has=page.locator("td[data-key=span]", has_text=f"{minute[4]}–{minute[7]}"))
    expect(gap.locator(".mark")).to_have_text(["断档"])
    frozen = page.locator(ROWS, has=page.locator("td[data-key=span]", has_text=f"{minute[8]}–{minute[10]}"))
    expect(frozen.locator(".mark")).to_have_text(["未刷新 1"])


def reconnects(page: Page, relay: Relay, cut: threading.Event) -> None:
    """The connection drops: "重连中…"; it comes back: EventSource reconnects by itself, "实时" again."""
    from playwright.sync_api import expect

    indicator = page.locator("#live-connection")
    cut.set()
    relay.drop()
    expect(indicator).to_have_attribute("data-state", "retry")
    expect(indicator).to_have_text("重连中…")
    page.wait_for_timeout(4000)  # a retry (every 3 s) refused: still reconnecting
    expect(indicator).to_have_text("重连中…")
    relay.resume()
    expect(indicator).to_have_attribute("data-state", "open", timeout=10000)
    expect(indicator).to_have_text("● 实时")
    cut.clear()
    assert page.evaluate("window.__liveRenders") > 0
