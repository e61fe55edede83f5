"""The live service on a real workspace: a capture tool's file growing in inbox/live/ becomes the room's
picture and its alerts reach a group bot on 127.0.0.1 — one message per bad stretch, a broken feed
said once, a restart not saying old news again, a replay never pushed to the real group."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from shopops.domains.live.room import china_now
from shopops.domains.live.runtime import LiveService
from shopops.workspace import Workspace

SHOP = "山野好物抖音店"
HEADER = "采集时间,主播,整体成交金额(元),整体成交订单数,整体消耗(元),直播间整体曝光次数,直播间整体观看人数,直播间商品曝光次数,直播间商品点击次数,实时在线人数\n"


class GroupBot:
    """A WeCom-style group bot on 127.0.0.1 that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                bot.messages.append(
                    body["markdown"]["content"] if "markdown" in body else body["text"]["content"]
                )
                reply = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=k"

    def wait(self, count: int, timeout: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


@pytest.fixture
def bot() -> Iterator[GroupBot]:
    found = GroupBot()
    yield found
    found.server.shutdown()


@pytest.fixture
def workspace(tmp_path: Path, bot: GroupBot) -> Iterator[Workspace]:
    root = tmp_path / "ws"
    Workspace.init(root).close()
    config = root / "shopops.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "  channels: {}\n", f'  channels:\n    运营群: {{kind: wecom, webhook: "{bot.url}"}}\n'
    )
    config.write_text(text + "live:\n  throttle_minutes: 10\n", encoding="utf-8")
    with Workspace(root) as ws:
        ws.add_shop(SHOP, "douyin", Decimal("0.05"))
        yield ws


def minutes(
    start: dt.datetime, count: int, *, low_from: int | None = None, online: dict[int, int] | None = None
) -> list[str]:
    """A reading per minute: 100 clicks and 8 orders a minute (from ``low_from`` on: 2)."""
    lines, totals = [], [0, 0, 0, 0, 0, 0, 0]
    for minute in range(count):
        orders = 2 if low_from is not None and minute >= low_from else 8
        totals = [t + d for t, d in zip(totals, (orders * 100, orders, 20, 1000, 100, 400, 100), strict=True)]
        when = start + dt.timedelta(minutes=minute)
        gauge = (online or {}).get(minute, 400)
        lines.append(f"{when:%Y-%m-%d %H:%M:%S},小雅,{','.join(map(str, totals))},{gauge}\n")
    return lines


def test_a_growing_file_in_inbox_live_becomes_the_picture_and_its_alerts_one_message_per_stretch(
    workspace: Workspace, bot: GroupBot
) -> None:
    start = dt.datetime(2026, 11, 28, 20, 0)
    lines = minutes(start, 30, low_from=20, online={28: 150})
    folder = workspace.root / "inbox" / "live" / SHOP
    folder.mkdir(parents=True)
    feed = folder / f"{start:%Y-%m-%d}_直播大屏累计数据.csv"
    clock = [start + dt.timedelta(minutes=19, seconds=20)]  # the boards' clock: just after the 20th reading
    service = LiveService(workspace, watch=False, clock=lambda: clock[0])
    service.start()
    try:
        feed.write_text(HEADER + "".join(lines[:20]), encoding="utf-8")
        (first,) = service.scan_inbox()
        assert (first.lines, first.added, first.origin) == (20, 20, f"inbox/live/{SHOP}/{feed.name}")
        picture = json.loads(service.hub.latest(SHOP, "") or "{}")
        assert (picture["status"], len(picture["intervals"]), picture["totals"]["gmv"]) == (
            "live",
            19,
            16000.0,
        )
        assert picture["alerts"] == []
        assert service.scan_inbox() == []  # unchanged: not read again
        # The tool appends ten more minutes, the last line only half written yet: that line waits.
        clock[0] = start + dt.timedelta(minutes=29, seconds=20)
        feed.write_text(HEADER + "".join(lines) + lines[-1][:10], encoding="utf-8")
        (grown,) = service.scan_inbox()
        assert (grown.lines, grown.added, grown.repeated) == (30, 10, 20)
        picture = json.loads(service.hub.latest(SHOP, "") or "{}")
        assert [(a["at"][11:16], a["kind"]) for a in picture["alerts"]] == [
            ("20:22", "drop:click_to_order_rate"),
            ("20:22", "drop:view_to_order_rate"),
            ("20:28", "viewers_cliff"),
        ]
        # Three alerts within ten minutes: the first is sent at once, the others held …
        messages = bot.wait(1)
        assert messages == [
            f"### 【直播提醒】{SHOP} 点击-成交率掉了\n\n"
            f"{SHOP} 20:22 点击-成交率掉了：近 5 分钟 4.4%，之前 15 分钟 8.0%（−45%）；主播 小雅"
        ]
        # … and sent as one message when the room's ten minutes are over. By then (20:39:30) the
        # feed has been silent for ten minutes: that is said at once, never held.
        clock[0] = start + dt.timedelta(minutes=39, seconds=30)
        service.refresh(SHOP, "")
        messages = bot.wait(3)
        assert len(messages) == 3
        assert messages[1].startswith(
            f"### 【直播数据】{SHOP} 数据断了\n\n{SHOP} 20:34 数据断了：5 分钟没有新的大屏数据"
        )
        assert messages[2].startswith(f"### 【直播提醒】{SHOP}：过去 2 条提醒\n\n- 20:22 观看-成交率掉了")
        assert "- 20:28 在线人数断崖：在线人数 400 → 150（−62%）" in messages[2]
    finally:
        service.stop()


def test_a_feed_that_stops_while_on_air_is_said_once_and_a_restart_does_not_say_it_again(
    workspace: Workspace, bot: GroupBot
) -> None:
    start = (china_now() - dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    text = HEADER + "".join(minutes(start, 12))  # the last reading 9 minutes ago
    service = LiveService(workspace, watch=False)
    service.start()
    try:
        service.ingest(text, "feed.csv", origin="test", room=SHOP)
        messages = bot.wait(1)
        assert len(messages) == 1 and "数据断了" in messages[0] and "5 分钟没有新的大屏数据" in messages[0]
        service.refresh(SHOP, "")
        time.sleep(0.3)
        assert len(bot.messages) == 1  # said once per outage
    finally:
        service.stop()
    again = LiveService(workspace, watch=False)
    again.start()  # a restart: what is on record is not news
    try:
        again.refresh(SHOP, "")
        time.sleep(0.3)
        assert len(bot.messages) == 1
    finally:
        again.stop()


def test_a_replay_plays_into_its_twin_room_and_never_into_the_real_group(
    workspace: Workspace, bot: GroupBot
) -> None:
    start = (china_now() - dt.timedelta(minutes=40)).replace(second=0, microsecond=0)
    lines = minutes(start, 40, low_from=20)
    said: list[Any] = []
    service = LiveService(
        workspace, watch=False, on_message=lambda outgoing, message: said.append(message.title)
    )
    service.start()
    try:
        for index, line in enumerate(lines):
            service.ingest(
                HEADER + line,
                "replay.csv",
                origin="replay",
                room=SHOP,
                replay_speed=60.0,
                begin_replay=index == 0,
            )
        twin = json.loads(service.hub.latest(SHOP, f"{SHOP}·回放") or "{}")
        assert twin["name"] == f"{SHOP}·回放" and len(twin["intervals"]) == 39
        time.sleep(0.3)
        assert (
            said and said[0] == f"【直播提醒】{SHOP}·回放 点击-成交率掉了"
        )  # the page and monitor hear it …
        assert bot.messages == []  # … the group does not
        assert workspace.connection.execute(
            "SELECT count(*) FROM live_snapshot WHERE room = ''"
        ).fetchall() == [(0,)]
        # Played again: it starts from an empty screen, not on top of the first run.
        service.ingest(
            HEADER + lines[0], "replay.csv", origin="replay", room=SHOP, replay_speed=60.0, begin_replay=True
        )
        count = workspace.connection.execute("SELECT count(*) FROM live_snapshot WHERE replay").fetchall()
        assert count == [(1,)]
    finally:
        service.stop()


def test_a_file_the_service_cannot_place_gets_its_reason_beside_it(workspace: Workspace) -> None:
    workspace.add_shop("第二家抖音店", "douyin", Decimal("0.05"))  # two Douyin shops: which one?
    folder = workspace.root / "inbox" / "live"
    folder.mkdir(parents=True)
    (folder / "board.csv").write_text(HEADER + "".join(minutes(china_now(), 2)), encoding="utf-8")
    service = LiveService(workspace, watch=False)
    assert service.scan_inbox() == []
    reason = (folder / "board.csv.error.txt").read_text(encoding="utf-8")
    assert (
        reason == "board.csv: 不知道是哪个直播间的 — 放进 inbox/live/<直播间或店铺名>/，或用 --room 直播间\n"
    )
    (folder / "board.csv").touch()  # looked at again: the reason file beside it is no feed
    assert service.scan_inbox() == []
    assert sorted(p.name for p in folder.iterdir()) == ["board.csv", "board.csv.error.txt"]


def test_what_a_feed_file_left_out_is_written_beside_it_and_goes_when_it_uses_everything(
    workspace: Workspace,
) -> None:
    folder = workspace.root / "inbox" / "live" / SHOP
    folder.mkdir(parents=True)
    feed = folder / "board.csv"
    good = minutes(dt.datetime(2026, 11, 28, 20, 0), 2)
    feed.write_text(
        HEADER.rstrip("\n")
        + ",打赏次数\n"
        + good[0].rstrip("\n")
        + ",3\n"
        + "2026-11-28 20:01:00,小雅,x,1,1,1,1,1,1,1,1\n",
        encoding="utf-8",
    )
    service = LiveService(workspace, watch=False)
    (result,) = service.scan_inbox()
    assert (result.lines, result.added, result.skipped) == (2, 1, 1)
    assert (folder / "board.csv.notes.txt").read_text(encoding="utf-8") == (
        f"{SHOP}：2 行，新增 1 次采集，跳过 1 行，未使用的列：打赏次数\n"
        "第 3 行「整体成交金额(元)」的值 'x' is not an amount of money"
        "（write a plain number such as 1234.56 (¥ and thousands separators are fine)）\n"
    )
    feed.write_text(HEADER + "".join(good), encoding="utf-8")  # corrected: every line and column used
    service.scan_inbox()
    assert sorted(p.name for p in folder.iterdir()) == ["board.csv"]
