"""The 直播 page and the live feed's API (tests/web/live_data.py: two Douyin shops on air):

- the page embeds the room's picture (status, totals, pace against the 直播计划, alerts, intervals)
  with every column's 口径 in its header, and follows ``/live/{shop}/events``;
- a room of another shop answers exactly as a room that does not exist (404), on the page, its
  stream and the API; a viewer cannot send readings, an operator only for their shops;
- a POSTed reading (CSV or JSON) is in ``/api/live/{shop}/intervals`` at once, and on the stream of
  a real server (uvicorn on 127.0.0.1) within 2 s — for each of 20 pages following the room;
- a room or anchor name with markup is escaped text in the page and in its JSON.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from shopops.domains.live.alerts import SEVERITY_LABELS
from shopops.domains.live.fields import RATIO_BY_KEY
from shopops.domains.live.live_settings import DROPS
from shopops.domains.live.page import NOT_FOUND
from shopops.domains.live.page_words import COLUMNS, TILES, WORDS
from shopops.domains.live.runtime import LiveService
from shopops.web import accounts, cache
from shopops.web.i18n import translate
from tests.web.conftest import WebDemo, logged_in, serving
from tests.web.live_data import HEADER as BOARD_HEADER
from tests.web.live_data import (
    HOSTILE_ANCHOR,
    HOSTILE_ROOM,
    LIVE_A,
    LIVE_B,
    OPERATOR,
    ROOM_A,
    ROOM_B,
    SEEDED,
    SEEDED_INTERVALS,
    SEEDED_SNAPSHOTS,
    STEP,
    VIEWER,
    board_csv,
    build_live_web,
    figures,
    reading,
    today_line,
)

ROOM_A_PAGE = f"/live/{quote(LIVE_A)}?room={quote(ROOM_A)}"
ROOM_B_PAGE = f"/live/{quote(LIVE_B)}?room={quote(ROOM_B)}"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[WebDemo, Any]]:
    demo, start = build_live_web(tmp_path)
    yield demo, start
    demo.app.state.shopops.stop_services()  # started by the first request (no lifespan in a TestClient)
    cache.wait_idle()
    demo.workspace.close()


def picture_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="live-picture" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no picture on the page"
    picture: dict[str, Any] = json.loads(found.group(1))
    return picture


def config_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="live-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no config on the page"
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def token_client(demo: WebDemo, name: str) -> TestClient:
    return TestClient(demo.app, headers={"Authorization": f"Bearer {demo.tokens[name]}"})


def snapshots_url(room: str, shop: str | None = None) -> str:
    return f"/api/live/{quote(room)}/snapshots" + (f"?shop={quote(shop)}" if shop else "")


def stored(demo: WebDemo, shop: str, room: str) -> int:
    cursor = demo.workspace.connection.cursor()
    try:
        row = cursor.execute(
            "SELECT count(*) FROM live_snapshot WHERE shop = ? AND room = ?", [shop, room]
        ).fetchone()
    finally:
        cursor.close()
    assert row is not None
    return int(row[0])


def test_the_page_shows_the_latest_room_and_follows_it(live: tuple[WebDemo, Any]) -> None:
    demo, start = live
    client, _ = logged_in(demo.app, "admin")
    response = client.get("/live")
    assert response.status_code == 200
    html = response.text
    picture = picture_of(html)
    # The most recent room of the user's shops: 云朵官方直播间, on air (its last reading is recent).
    assert (picture["shop"], picture["room"], picture["status"]) == (LIVE_A, ROOM_A, "live")
    assert picture["snapshots"] == SEEDED_SNAPSHOTS and len(picture["intervals"]) == SEEDED_INTERVALS
    # The missed readings make one long interval (断档), the frozen one joins the next (未刷新 1).
    assert (picture["gaps"], picture["stale_snapshots"], picture["resets"]) == (1, 1, 0)
    marked = [
        (row["start"][11:16], row["end"][11:16], row["gap"], row["stale"]) for row in picture["intervals"]
    ]
    minute = [(start + i * STEP).strftime("%H:%M") for i in range(SEEDED)]
    assert (minute[4], minute[7], True, 0) in marked and (minute[8], minute[10], False, 1) in marked
    last = figures(SEEDED - 1)
    assert Decimal(str(picture["totals"]["gmv"])) == last["gmv"]
    assert picture["totals"]["orders"] == last["orders"]
    assert picture["anchor"] == "阿杰" and set(picture["benchmark"]) == set(DROPS)  # 阿杰's own, of yesterday
    # 千川 spend against the 直播计划: 240 a minute against 178.33 planned, plus the 150 at the start.
    pace = picture["pace"]
    minutes = SEEDED - 1
    planned = Decimal("10700") * minutes / 60
    assert Decimal(str(pace["planned_spend"])) == planned.quantize(Decimal("0.01"))
    assert pace["spend_pace"] == pytest.approx(
        float(last["spend"]) / float(planned.quantize(Decimal("0.01"))) - 1
    )
    assert pace["spend_pace"] > 0.3
    kinds = [a["kind"] for a in picture["alerts"]]
    assert "spend_fast" in kinds and "drop:click_to_order_rate" in kinds
    # The page around it: the room picker (both shops' rooms), each column's 口径, the stream to follow.
    assert f'<option value="{ROOM_A_PAGE}" selected>{ROOM_A} · {LIVE_A}</option>' in html
    assert f'<option value="{ROOM_B_PAGE}">{ROOM_B} · {LIVE_B}</option>' in html
    for key in ("entry_rate", "product_click_rate", "click_to_order_rate", "gpm", "roi"):
        assert f'data-key="{key}" title="{RATIO_BY_KEY[key].formula}"' in html
    assert config_of(html)["events"] == f"/live/{quote(LIVE_A)}/events?room={quote(ROOM_A)}"
    assert '<script src="/static/live.js"></script>' in html
    assert '<script src="/static/vendor/chart.umd.min.js"></script>' in html
    assert "<script>" not in html.replace('<script src="', "")  # nothing inline: CSP script-src 'self'
    assert client.get("/static/live.js").status_code == 200
    assert client.get("/static/live.css").status_code == 200
    # The nav has the page; English mode translates the page's own words.
    assert '<a href="/live" class="on">直播</a>' in html
    client.get("/lang/en")
    english = client.get(ROOM_A_PAGE).text
    assert "Live room control" in english and config_of(english)["words"]["直播中"] == "Live"
    assert f'title="{RATIO_BY_KEY["gpm"].formula}"' not in english  # the 口径 in English too


def test_every_word_of_the_page_has_its_english() -> None:
    """The template's t('…'), the columns' and tiles' labels and 口径, the script's words."""
    template = resources.files("shopops.domains.live") / "templates" / "live.html"
    words = re.findall(r"t\('([^']*)'\)", template.read_text("utf-8"))
    words += [text for column in (*COLUMNS, *TILES) for text in (column[1], column[3])]
    words += [*WORDS, *SEVERITY_LABELS.values()]
    words += [text for key in DROPS for text in (RATIO_BY_KEY[key].label, RATIO_BY_KEY[key].formula)]
    assert [word for word in words if translate(word, "en") == word and word not in ("GPM", "ROI")] == []


def test_no_rooms_yet_says_how_to_feed_one(live: tuple[WebDemo, Any], tmp_path: Path) -> None:
    demo, _ = live
    demo.workspace.connection.execute("DELETE FROM live_snapshot")
    client, _ = logged_in(demo.app, "admin")
    html = client.get("/live").text
    assert 'id="live-empty"' in html and "inbox/live/" in html and "live-picture" not in html


def test_another_shops_room_answers_like_a_missing_room(live: tuple[WebDemo, Any]) -> None:
    demo, _ = live
    client, _ = logged_in(demo.app, OPERATOR)
    page = client.get("/live")
    assert page.status_code == 200 and LIVE_B not in page.text and ROOM_B not in page.text
    assert picture_of(page.text)["room"] == ROOM_A
    # Shop B's room against a room B does not have (the same path: the page names the path it was asked).
    nowhere = quote("没有的直播间")
    pairs = [
        (ROOM_B_PAGE, f"/live/{quote(LIVE_B)}?room={nowhere}"),
        (
            f"/live/{quote(LIVE_B)}/events?room={quote(ROOM_B)}",
            f"/live/{quote(LIVE_B)}/events?room={nowhere}",
        ),
        (
            f"/api/live/{quote(LIVE_B)}/intervals?room={quote(ROOM_B)}",
            f"/api/live/{quote(LIVE_B)}/intervals?room={nowhere}",
        ),
    ]
    for theirs, nowhere in pairs:
        answer, expected = client.get(theirs), client.get(nowhere)
        assert answer.status_code == expected.status_code == 404, theirs
        assert answer.content == expected.content, theirs
        assert ROOM_B.encode() not in answer.content
    assert client.get(pairs[2][0]).json() == {"detail": NOT_FOUND}
    assert NOT_FOUND in client.get(ROOM_B_PAGE).text
    rooms = client.get("/api/live/rooms").json()
    assert [(r["shop"], r["room"]) for r in rooms] == [(LIVE_A, ROOM_A)]
    # An API token of the same user: the same answers.
    api = token_client(demo, OPERATOR)
    assert api.get(pairs[2][0]).status_code == 404
    assert api.get(f"/api/live/{quote(LIVE_A)}/intervals?room={quote(ROOM_A)}").status_code == 200


def test_a_viewer_cannot_post_readings(live: tuple[WebDemo, Any]) -> None:
    demo, start = live
    before = stored(demo, LIVE_A, ROOM_A)
    body = board_csv([today_line(start, SEEDED)])
    response = token_client(demo, VIEWER).post(snapshots_url(ROOM_A), content=body.encode())
    assert response.status_code == 403
    assert response.json() == {"detail": "只读用户不能写直播数据 (viewers cannot send live readings)"}
    viewer, csrf = logged_in(demo.app, VIEWER)
    response = viewer.post(snapshots_url(ROOM_A), content=body.encode(), headers={"X-CSRF-Token": csrf})
    assert response.status_code == 403
    assert stored(demo, LIVE_A, ROOM_A) == before


def test_an_operator_posts_only_for_their_shops(live: tuple[WebDemo, Any]) -> None:
    demo, start = live
    api = token_client(demo, OPERATOR)
    body = board_csv([reading(start + SEEDED * STEP, SEEDED, "小野")])
    before_b = stored(demo, LIVE_B, ROOM_B)
    refused = "这个账号不能写这个直播间的数据 (this account may not send this room's readings)"
    # Shop B's room (known from its readings), and a new room said to be shop B's: refused, unnamed.
    for url in (snapshots_url(ROOM_B), snapshots_url("新直播间", LIVE_B)):
        response = api.post(url, content=body.encode())
        assert response.status_code == 403, url
        assert response.json() == {"detail": refused}
    assert stored(demo, LIVE_B, ROOM_B) == before_b
    assert stored(demo, LIVE_B, "新直播间") == 0
    # Their own room: taken. A browser session needs its CSRF token.
    own = board_csv([today_line(start, SEEDED)])
    response = api.post(snapshots_url(ROOM_A), content=own.encode())
    assert response.status_code == 200, response.text
    assert (response.json()["shop"], response.json()["room"], response.json()["added"]) == (LIVE_A, ROOM_A, 1)
    session, csrf = logged_in(demo.app, OPERATOR)
    again = board_csv([today_line(start, SEEDED + 1)])
    assert session.post(snapshots_url(ROOM_A), content=again.encode()).status_code == 403
    response = session.post(snapshots_url(ROOM_A), content=again.encode(), headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and response.json()["added"] == 1
    assert stored(demo, LIVE_A, ROOM_A) == SEEDED_SNAPSHOTS + 2 + 40  # today's and yesterday's 40


def test_a_posted_reading_shows_up_in_the_intervals(live: tuple[WebDemo, Any]) -> None:
    demo, start = live
    api = token_client(demo, OPERATOR)
    intervals = f"/api/live/{quote(LIVE_A)}/intervals?room={quote(ROOM_A)}"
    assert len(api.get(intervals).json()) == SEEDED_INTERVALS
    # CSV as the capture tool writes it (a BOM, the board's headers) …
    line = today_line(start, SEEDED)
    response = api.post(snapshots_url(ROOM_A), content=("\ufeff" + board_csv([line])).encode())
    assert response.json()["added"] == 1
    rows = api.get(intervals).json()
    assert len(rows) == SEEDED_INTERVALS + 1 and rows[-1]["end"] == line[0]
    before, after = figures(SEEDED - 1), figures(SEEDED)
    assert Decimal(str(rows[-1]["gmv_delta"])) == after["gmv"] - before["gmv"]
    assert rows[-1]["spend_delta"] == 240.0 and rows[-1]["online_viewers"] == after["online_viewers"]
    assert rows[-1]["product_click_rate"] == pytest.approx(
        (after["product_clicks"] - before["product_clicks"])
        / (after["product_exposures"] - before["product_exposures"])
    )
    # … and a JSON object with the same headers; an unknown figure ("--") stays unknown.
    at = start + (SEEDED + 1) * STEP
    values = dict(zip(BOARD_HEADER, reading(at, SEEDED + 1, "阿杰"), strict=True))
    values["直播间商品曝光次数"] = "--"
    response = api.post(snapshots_url(ROOM_A), json=values)
    assert response.status_code == 200 and response.json()["added"] == 1
    rows = api.get(intervals).json()
    assert rows[-1]["end"] == values["采集时间"]
    assert rows[-1]["product_exposures_delta"] is None and rows[-1]["product_click_rate"] is None
    assert rows[-1]["orders_delta"] == figures(SEEDED + 1)["orders"] - after["orders"]


def test_a_room_named_with_markup_is_text(live: tuple[WebDemo, Any]) -> None:
    demo, start = live
    service = LiveService(demo.workspace, watch=False, push=False)
    lines = [reading(start + i * STEP, i, HOSTILE_ANCHOR) for i in range(SEEDED + 2)]  # the most recent room
    service.ingest(board_csv(lines), "x.csv", origin="test", room=HOSTILE_ROOM, shop=LIVE_A)
    client, _ = logged_in(demo.app, "admin")
    html = client.get("/live").text
    picture = picture_of(html)
    assert (picture["room"], picture["anchor"]) == (HOSTILE_ROOM, HOSTILE_ANCHOR)  # the JSON reads back
    assert HOSTILE_ROOM not in html and HOSTILE_ANCHOR not in html
    assert "<img" not in html and "alert(1)</" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the heading and the picker: escaped text
    # The JSON: escaped for a script element.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    page = f"/live/{quote(LIVE_A)}?room={quote(HOSTILE_ROOM)}"
    assert client.get(page).status_code == 200
    rows = client.get(f"/api/live/{quote(LIVE_A)}/intervals?room={quote(HOSTILE_ROOM)}").json()
    assert rows[-1]["anchor"] == HOSTILE_ANCHOR


# -- the stream, on a real server -------------------------------------------------------------------


def follow(
    url: str, token: str, until: str, found: queue.Queue[tuple[float, dict[str, Any]]], ready: threading.Event
) -> None:
    """Read the room's stream until a picture whose last reading is ``until`` (or 15 s pass)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    deadline = time.monotonic() + 15
    with httpx.Client(timeout=10) as client, client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "room":
                picture = json.loads(line[6:])
                ready.set()
                found.put((time.monotonic(), picture))
                if picture["end"] == until:
                    return
            if time.monotonic() > deadline:
                return


@pytest.mark.parametrize("viewers", [1, 20])
def test_the_stream_brings_a_posted_reading_within_two_seconds(
    live: tuple[WebDemo, Any], viewers: int
) -> None:
    demo, start = live
    line = today_line(start, SEEDED)
    with serving(demo) as server:
        url = f"{server.url}/live/{quote(LIVE_A)}/events?room={quote(ROOM_A)}"
        pictures: list[queue.Queue[tuple[float, dict[str, Any]]]] = [queue.Queue() for _ in range(viewers)]
        ready = [threading.Event() for _ in range(viewers)]
        readers = [
            threading.Thread(target=follow, args=(url, demo.tokens[OPERATOR], line[0], pictures[i], ready[i]))
            for i in range(viewers)
        ]
        for reader in readers:
            reader.start()
        for event in ready:  # each has the current picture: the page's own, again
            assert event.wait(10)
        for found in pictures:
            first = found.get_nowait()[1]
            assert (first["room"], len(first["intervals"])) == (ROOM_A, SEEDED_INTERVALS)
        with httpx.Client(base_url=server.url, timeout=10) as api:
            posted = time.monotonic()
            headers = {"Authorization": f"Bearer {demo.tokens[OPERATOR]}"}
            response = api.post(snapshots_url(ROOM_A), content=board_csv([line]).encode(), headers=headers)
            assert response.status_code == 200 and response.json()["added"] == 1
        delays = []
        for found in pictures:
            while True:
                arrived, picture = found.get(timeout=5)
                if picture["end"] == line[0]:
                    break
            delays.append(arrived - posted)
            assert len(picture["intervals"]) == SEEDED_INTERVALS + 1
            assert Decimal(str(picture["totals"]["gmv"])) == figures(SEEDED)["gmv"]
        for reader in readers:
            reader.join(timeout=10)
        assert max(delays) < 2.0, delays


def test_the_stream_outlives_quiet_minutes_and_ends_when_the_token_is_revoked(
    live: tuple[WebDemo, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep-alives (every 15 s; 0.2 s here) never close the stream: a reading after several of them
    still arrives. Each keep-alive checks the user again: a revoked token ends the stream."""
    from shopops.domains.live import page as live_page

    monkeypatch.setattr(live_page, "KEEPALIVE", 0.2)
    demo, start = live
    line = today_line(start, SEEDED + 1)
    issued = accounts.issue_token(demo.workspace.connection, OPERATOR, "stream-test")
    token = issued.token
    with serving(demo) as server:
        url = f"{server.url}/live/{quote(LIVE_A)}/events?room={quote(ROOM_A)}"
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=10) as client, client.stream("GET", url, headers=headers) as response:
            lines = response.iter_lines()
            pings = 0
            while pings < 4:  # the current picture, then quiet: keep-alives
                pings += next(lines).startswith(": ")
            api = httpx.post(
                server.url + snapshots_url(ROOM_A),
                content=board_csv([line]).encode(),
                headers={"Authorization": f"Bearer {demo.tokens[OPERATOR]}"},
                timeout=10,
            )
            assert api.status_code == 200
            picture = next(json.loads(text[6:]) for text in lines if text.startswith("data: "))
            assert picture["end"] == line[0]
            accounts.revoke_token(demo.workspace.connection, OPERATOR, issued.id)
            rest = list(lines)  # the server ends the stream at the next keep-alive
            assert all(not text.startswith("data: ") for text in rest)
