"""Live 场控 latency (issue 18): a snapshot landing (a file in ``inbox/live/`` or a POST) → the live
page (each SSE viewer) and → the pushed alert (a group robot's webhook), with and without a
full-year order import running in the same server.

What it builds, in a temporary folder (only 127.0.0.1 is contacted):

* a workspace with the two demo Taobao shops (a full year of the demo's 千牛 order export imported)
  and ``--rooms`` Douyin shops, each with its own live room; a user, a session per viewer and an API
  token for the capture tool; a WeCom-style push channel whose webhook is a small HTTP server of
  this script on 127.0.0.1 that notes when each message arrives; ``live:`` settings small enough
  that a 点击-成交率 drop trips an alert once a minute per room (window 30 s against the 30 s
  before, re-armed after 30 s, at most one message per room per 3 s) — checked offline against the
  live rules before anything runs;
* the real dashboard — ``create_app`` under uvicorn on 127.0.0.1, as ``shopops serve`` runs it (its
  lifespan starts the live service) — in its own process (``spawn``), so the measuring side does not
  share its interpreter;
* every room already ``--history-minutes`` on air (a reading every 10 s: the capture tool's file,
  or one POST of the readings so far), so each update recomputes a real session, not a short one;
* ``--viewers`` SSE viewers (``GET /live/{shop}/events``, each a read-only user of the room's shop
  logged in as a browser is), spread over the rooms, noting when each picture arrives and its
  ``end`` (the newest reading's time); a stream that ends is opened again after 3 s (the page's
  EventSource does) and counted;
* the feed: one reading per room every ``--interval`` seconds (staggered), ``captured_at`` = now on
  the boards' clock (Asia/Shanghai); the even rooms append a line to their file in
  ``inbox/live/<shop>/`` (the capture tool's way), the odd ones POST it to
  ``/api/live/<shop>/snapshots`` with the token; every sixth reading of a room is a 点击-成交率 drop
  (8× the product clicks for the same orders), the rooms 20 s apart.

Then, in one server session, two measured runs of ``--minutes`` each: **baseline** (nothing else
running) and **under load** (``shopops import`` of the full-year order export handed to the server
— ``/api/local/import`` with the serve file's secret, as the CLI does — over and over, so an import
holds the server's import lock and a core for the whole run; each import is a fresh copy, since
the same bytes again would be "already imported" and do nothing). Per run: landing → page (for every
viewer: the first picture whose ``end`` is at or after the reading; a coalesced picture counts for
the readings it covers), landing → pushed alert (the designed drop readings), p50/p95/max; and from
inside the server, where each update's time went (lock wait, reading the file, parsing, storing,
recomputing the room, the picture's JSON, publishing), plus how late the event loop and a plain
thread wake up (GIL contention). Exit 1 when a picture or an alert never came, a stream ended,
or a request or an import failed.

    python benchmarks/live_benchmark.py            # full size: 3 rooms, 20 viewers, 2 × 3 min (~8 min)
    python benchmarks/live_benchmark.py --smoke    # CI: one run under load, 40 s, 6 viewers (~1.5 min)

See docs/benchmarks.md ("Live 场控 latency") for the measured figures (goal: p95 < 2 s under load).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import io
import json
import multiprocessing as mp
import os
import platform
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from shopops.demo.live_feed import HEADER
from shopops.demo.profiles import PROFILES
from shopops.demo.run import configure, generate
from shopops.domains import domains, resolve
from shopops.domains.live.room import china_now
from shopops.web import accounts
from shopops.web.client import forward_import
from shopops.web.security import load_serve_file
from shopops.workspace import Workspace

PASSWORD = "bench-password-1"
SHOPS = ("山野好物抖音店", "云朵抖音旗舰店", "小野家居抖音店", "青禾抖音小店", "木子抖音店", "南山抖音店")
ANCHORS = ("小雅", "阿杰", "晓晓")
ORDER_SHOP = PROFILES[0].name  # the Taobao shop whose 千牛 order export is imported under load
GOAL_SECONDS = 2.0
CYCLE = 6  # every sixth reading of a room is a 点击-成交率 drop (an alert about once a minute at 10 s)
WEBHOOK_KEY = "live-bench"
LIVE_SETTINGS = """
live:
  stale_minutes: 2
  throttle_minutes: 0.05
  rearm_minutes: 0.5
  window_minutes: 0.5
  baseline_minutes: 0.5
  drops: {entry_rate: 0.95, product_click_rate: 0.95, click_to_order_rate: 0.3, view_to_order_rate: 0.95}
"""


# -- the rooms' boards ------------------------------------------------------------------------------


@dataclass
class Board:
    """One room's cumulative 直播大屏 counters, a reading every ``interval`` seconds."""

    shop: str
    transport: str  # "file" | "api"
    seed: int
    readings: int = 0
    counts: dict[str, Any] = field(default_factory=dict)
    history: str = ""  # the readings before the measured feed (CSV with the header)
    phase: int = 0  # the rooms' drops are staggered: one room or another trips every 20 s

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.counts = dict.fromkeys(
            (
                "exposures",
                "viewers",
                "product_exposures",
                "product_clicks",
                "orders",
                "new_fans",
                "comments",
                "shares",
            ),
            0,
        )
        self.counts |= {"gmv": Decimal(0), "spend": Decimal(0)}

    @property
    def folder_name(self) -> str:
        return self.shop

    def reading(self, at: dt.datetime, *, drop: bool) -> list[str]:
        """The next reading's cells (the capture tool's header). A ``drop``: 8× the product clicks
        for the same orders — only 点击-成交率 falls (the other drops are set not to trip)."""
        jitter = self.random.uniform
        c = self.counts
        orders = round(30 * jitter(0.9, 1.1))
        c["exposures"] += round(6000 * jitter(0.95, 1.05))
        c["viewers"] += round(600 * jitter(0.95, 1.05))
        c["product_exposures"] += round(3000 * jitter(0.95, 1.05))
        c["product_clicks"] += round(300 * jitter(0.95, 1.05)) * (8 if drop else 1)
        c["orders"] += orders
        c["gmv"] += Decimal("89.90") * orders
        c["spend"] += Decimal("60.00")
        c["new_fans"] += self.random.randint(2, 8)
        c["comments"] += self.random.randint(20, 40)
        c["shares"] += self.random.randint(1, 5)
        self.readings += 1
        online = round(2000 * jitter(0.97, 1.03))
        gmv, spend = c["gmv"], c["spend"]
        cells = dict.fromkeys(HEADER, "--")
        cells |= {
            "采集时间": f"{at:%Y-%m-%d %H:%M:%S}",
            "主播": ANCHORS[(self.readings // 360) % len(ANCHORS)],  # a new anchor every hour
            "净成交订单数": f"{c['orders']:,}",
            "用户实际支付净成交金额(元)": f"{gmv:,.2f}",
            "整体成交订单数": f"{c['orders']:,}",
            "GPM(元)": f"{gmv * 1000 / max(c['viewers'], 1):,.2f}",
            "观看成交转化率": f"{c['orders'] * 100 / max(c['viewers'], 1):.2f}%",
            "用户实际支付金额(元)": f"{gmv:,.2f}",
            "实时在线人数": f"{online:,}",
            "直播间整体曝光次数": f"{c['exposures']:,}",
            "直播间整体观看人数": f"{c['viewers']:,}",
            "直播间平均停留时长(整场)": f"{self.random.randint(1, 2)}分{self.random.randint(0, 59)}秒",
            "直播间整体新增粉丝数": f"{c['new_fans']:,}",
            "直播间评论次数": f"{c['comments']:,}",
            "直播间商品曝光次数": f"{c['product_exposures']:,}",
            "直播间商品点击次数": f"{c['product_clicks']:,}",
            "分享次数": f"{c['shares']:,}",
            "整体消耗(元)": f"{spend:,.2f}",
            "整体支付ROI": f"{gmv / spend:.2f}" if spend else "--",
            "整体成交金额(元)": f"{gmv:,.2f}",
            "净成交金额(元)": f"{gmv:,.2f}",
        }
        return [cells[name] for name in HEADER]


def csv_lines(rows: list[list[str]], *, header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def board_clock() -> dt.datetime:
    """Now on the boards' clock, to the second (what a capture tool writes in 采集时间)."""
    now: dt.datetime = china_now()
    return now.replace(microsecond=0)


# -- the group robot: a webhook on 127.0.0.1 that notes when each message arrives ---------------------


class Webhook:
    """A WeCom-style robot: answers ``{"errcode": 0}`` and keeps (arrival, text) of every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, str]] = []
        received = self.messages

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(body)
                    kind = payload.get("msgtype", "text")
                    text = str(payload.get(kind, {}).get("content", ""))
                except ValueError:
                    text = body.decode("utf-8", "replace")
                received.append((arrived, text))
                answer = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key={WEBHOOK_KEY}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the workspace -------------------------------------------------------------------------------------


@dataclass
class Setup:
    root: Path
    boards: list[Board]
    token: str
    exports: list[Path]  # the order exports imported in turn under load (empty: no run under load)
    first_import: float  # seconds of the first full-year import (before the server starts)
    history_end: dt.datetime


def order_exports(base: Path, days: int, end: dt.date) -> list[Path]:
    """Two different full-year 千牛 order exports of the demo (seeds apart), so each import replaces rows."""
    found = []
    for seed in (20261130, 20261201):
        written = generate(base / f"orders-{seed}", days=days, end=end, seed=seed)
        found.append(next(p for p in written.files if p.name.startswith("ExportOrderList")))
    return found


def build(base: Path, args: argparse.Namespace, webhook: Webhook, *, load: bool) -> Setup:
    root = base / "ws"
    today = china_now().date()
    exports = order_exports(base, args.export_days, today - dt.timedelta(days=1)) if load else []
    with Workspace.init(root) as workspace:
        configure(workspace)  # the demo's Taobao shops and their shipping rule
        for shop in SHOPS[: args.rooms]:
            workspace.add_shop(shop, "douyin", Decimal("0.05"))
        config = workspace.root / "shopops.yaml"
        text = config.read_text(encoding="utf-8")
        channel = f"  channels:\n    场控群: {{kind: wecom, webhook: '{webhook.url}', format: text}}\n"
        if "  channels: {}\n" not in text:
            raise SystemExit("shopops.yaml has no `  channels: {}` line to replace — the template changed")
        config.write_text(text.replace("  channels: {}\n", channel, 1) + LIVE_SETTINGS, encoding="utf-8")
        con = workspace.connection
        accounts.add_user(con, "bench", PASSWORD, "admin", None)
        token = accounts.create_token(con, "bench", "采集工具")
        for index in range(args.viewers):  # each viewer a person of the room's shop, read-only
            accounts.add_user(con, viewer_name(index), PASSWORD, "viewer", [SHOPS[index % args.rooms]])
        first_import = 0.0
        if exports:
            began = time.perf_counter()
            workspace.import_file(exports[0], shop=ORDER_SHOP)
            first_import = time.perf_counter() - began
    boards = [
        Board(shop, "file" if i % 2 == 0 else "api", seed=i, phase=2 * i)
        for i, shop in enumerate(SHOPS[: args.rooms])
    ]
    # Every room on air for --history-minutes already: the file rooms' capture files hold it now
    # (read at the watcher's first look), the API rooms get it in one POST once the server runs.
    history_end = board_clock() - dt.timedelta(seconds=args.interval)
    steps = round(args.history_minutes * 60 / args.interval)
    for board in boards:
        rows = [
            board.reading(history_end - dt.timedelta(seconds=args.interval * (steps - k)), drop=False)
            for k in range(1, steps + 1)
        ]
        board.history = csv_lines(rows, header=True)
        if board.transport == "file":
            folder = root / "inbox" / "live" / board.folder_name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / feed_file_name(history_end)).write_text("\ufeff" + board.history, encoding="utf-8")
    return Setup(root, boards, token, exports[1:] + exports[:1], first_import, history_end)


def viewer_name(index: int) -> str:
    return f"viewer{index + 1:02d}"


def feed_file_name(day: dt.datetime) -> str:
    return f"{day:%Y-%m-%d}_直播大屏累计数据.csv"


def check_design(base: Path) -> str | None:
    """Whether the designed drops trip the live rules as they stand — one 点击-成交率 alert at each
    drop reading and no other alert — judged offline on 15 minutes of readings; else what is off
    (the run would measure the wrong thing)."""
    import yaml

    from shopops.domains.live.alerts import session_alerts
    from shopops.domains.live.feed import SOURCE_KEY, parse_feed
    from shopops.domains.live.feed_store import store_batch
    from shopops.domains.live.live_settings import live_settings
    from shopops.domains.live.room import room_sessions

    board, start = Board(SHOPS[0], "file", seed=99), dt.datetime(2026, 11, 28, 20, 0)
    rows, drops = [], []
    for k in range(90):
        at = start + dt.timedelta(seconds=10 * k)
        drop = k >= 30 and (board.readings + board.phase) % CYCLE == CYCLE - 1
        rows.append(board.reading(at, drop=drop))
        drops += [at] if drop else []
    settings = live_settings(yaml.safe_load(LIVE_SETTINGS))
    with Workspace.init(base / "design-check") as workspace:
        workspace.add_shop(SHOPS[0], "douyin", Decimal("0.05"))
        cursor = workspace.connection.cursor()
        feed = parse_feed(workspace.registry.get(SOURCE_KEY), csv_lines(rows, header=True), "check.csv")
        store_batch(cursor, feed, shop=SHOPS[0], room="", origin="design check")
        session = room_sessions(cursor, SHOPS[0], "", settings, benchmarks=False)[0].session
        alerts = session_alerts(session, settings=settings)
    tripped = [a.at for a in alerts if a.kind == "drop:click_to_order_rate"]
    if tripped == drops and len(alerts) == len(drops):
        return None
    others = sorted({a.kind for a in alerts} - {"drop:click_to_order_rate"})
    return (
        f"the live rules as they stand say {len(tripped)} of the {len(drops)} designed 点击-成交率 drops"
        f"{' and also ' + ', '.join(others) if others else ''} — adjust Board.reading or LIVE_SETTINGS"
    )


# -- the server, in its own process, with its live service's steps timed from outside -------------------

Records = list[tuple[str, float, float, str]]  # (step, began — time.monotonic(), seconds, thread)


def _timed(records: Records, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            records.append((name, began, time.monotonic() - began, threading.current_thread().name))

    return wrapper


class _TimedLock:
    """The service's lock, noting how long each caller waited for it (held elsewhere: queued work)."""

    def __init__(self, inner: Any, records: Records) -> None:
        self.inner, self.records = inner, records

    def __enter__(self) -> _TimedLock:
        began = time.monotonic()
        self.inner.acquire()
        self.records.append(("lock wait", began, time.monotonic() - began, threading.current_thread().name))
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.release()


def instrument(records: Records) -> None:
    """Time the live service's steps (in the server process only; src/ is not changed): the module's
    own names are rebound to timed wrappers, its lock wrapped."""
    from types import SimpleNamespace

    from shopops.domains.live import hub, room

    live = next(domain for domain in domains() if domain.name == "live")
    cls = resolve(live, live.services[0])  # the LiveService, wherever its module is
    service = sys.modules[cls.__module__]
    for name in ("read_feed_file", "parse_feed", "resolve_room", "store_batch", "room_sessions",
                 "judge_session", "room_view", "send_all"):  # fmt: skip
        setattr(service, name, _timed(records, name, getattr(service, name)))
    for name in ("load_snapshots", "split_sessions", "attribute", "plan_slots", "shifts"):
        setattr(room, name, _timed(records, f"room_sessions › {name}", getattr(room, name)))
    setattr(service, "json", SimpleNamespace(dumps=_timed(records, "picture JSON", json.dumps)))  # noqa: B010
    for name in ("scan_inbox", "ingest", "refresh"):
        setattr(cls, name, _timed(records, name, getattr(cls, name)))
    setattr(hub.LiveHub, "publish", _timed(records, "publish", hub.LiveHub.publish))  # noqa: B010
    original_init = cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._lock = _TimedLock(self._lock, records)

    cls.__init__ = init


def _wake_lag(records: Records, stop: threading.Event) -> None:
    """How late a plain thread wakes from a 20 ms sleep: waiting for the GIL."""
    while not stop.is_set():
        began = time.monotonic()
        time.sleep(0.02)
        records.append(("thread wake lag", began, time.monotonic() - began - 0.02, "probe"))


async def _loop_lag(records: Records) -> None:
    """How late the server's event loop runs a 20 ms timer: what every SSE write waits behind."""
    while True:
        began = time.monotonic()
        await asyncio.sleep(0.02)
        records.append(("event loop lag", began, time.monotonic() - began - 0.02, "loop"))


def serve(root: str, port: int, stats: str, shutdown: Any) -> None:
    """The dashboard as ``shopops serve`` runs it (serve file, local CLI hand-over, lifespan) until
    ``shutdown`` is set (not SIGTERM: uvicorn raises a caught signal again once it has stopped)."""
    import uvicorn

    from shopops.cli.serve import attach_local_cli
    from shopops.web.app import create_app
    from shopops.web.security import remove_serve_file, write_serve_file

    records: Records = []
    instrument(records)
    workspace = Workspace.open(Path(root))
    info = write_serve_file(workspace.root, "127.0.0.1", port)
    app = create_app(workspace, local_secret=info.secret)
    attach_local_cli(app, workspace)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, proxy_headers=False,
        timeout_graceful_shutdown=5,
    )  # fmt: skip
    server = uvicorn.Server(config)
    stop = threading.Event()
    threading.Thread(target=_wake_lag, args=(records, stop), daemon=True).start()

    def stop_when_told() -> None:
        shutdown.wait()
        server.should_exit = True

    threading.Thread(target=stop_when_told, daemon=True).start()

    async def run() -> None:
        probe = asyncio.create_task(_loop_lag(records))
        try:
            await server.serve()
        finally:
            probe.cancel()

    try:
        asyncio.run(run())
    finally:
        stop.set()
        remove_serve_file(workspace.root, info)
        Path(stats).write_text(json.dumps(list(records)), encoding="utf-8")
        workspace.close()


# -- the feed: one thread per room, as each room's capture tool is its own -----------------------------


@dataclass(frozen=True)
class Landing:
    shop: str
    captured: str  # 采集时间 as written (what the picture's ``end`` says)
    at: float  # time.monotonic() when the reading was on disk / sent
    transport: str
    drop: bool


@dataclass
class Feed:
    setup: Setup
    url: str
    interval: float
    stop: threading.Event
    landings: list[Landing] = field(default_factory=list)
    posts: list[tuple[float, float]] = field(default_factory=list)  # (landed, seconds to answer)
    errors: list[str] = field(default_factory=list)

    def start(self, began: float) -> list[threading.Thread]:
        threads = []
        for index, board in enumerate(self.setup.boards):
            offset = index * self.interval / len(self.setup.boards)
            thread = threading.Thread(target=self._room, args=(board, began + offset), daemon=True)
            thread.start()
            threads.append(thread)
        return threads

    def _room(self, board: Board, first: float) -> None:
        headers = {"Authorization": f"Bearer {self.setup.token}", "Content-Type": "text/csv; charset=utf-8"}
        path = self.setup.root / "inbox" / "live" / board.folder_name / feed_file_name(self.setup.history_end)
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as client:
            if board.transport == "api":
                self._post(client, board, board.history)
            self.stop.wait(max(0.0, first - time.monotonic()))
            due, captured, jitter = first, board_clock(), random.Random(board.seed)
            # The board is read every `interval` seconds exactly (采集时间 on that grid, as the rules
            # expect), the line lands up to 1 s later: the capture tool's clock is not the watcher's,
            # so a file room's wait for the watcher's next look is sampled over its whole range.
            while not self.stop.wait(max(0.0, due + jitter.uniform(0, 1) - time.monotonic())):
                drop = (board.readings + board.phase) % CYCLE == CYCLE - 1
                row = board.reading(captured, drop=drop)
                if board.transport == "file":
                    with path.open("a", encoding="utf-8", newline="") as handle:
                        handle.write(csv_lines([row], header=False))
                    self.landings.append(Landing(board.shop, row[0], time.monotonic(), "file", drop))
                else:
                    landed = time.monotonic()
                    self.landings.append(Landing(board.shop, row[0], landed, "api", drop))
                    self._post(client, board, csv_lines([row], header=True))
                    self.posts.append((landed, time.monotonic() - landed))
                due += self.interval
                captured += dt.timedelta(seconds=self.interval)

    def _post(self, client: httpx.Client, board: Board, text: str) -> None:
        try:
            answer = client.post(
                f"/api/live/{board.shop}/snapshots", params={"shop": board.shop}, content=text.encode()
            )
            if answer.status_code != 200 or answer.json().get("added", 0) < 1:
                self.errors.append(f"POST {board.shop}: {answer.status_code} {answer.text[:200]}")
        except httpx.HTTPError as error:
            self.errors.append(f"POST {board.shop}: {error!r}")


# -- the page's viewers: SSE streams on one event loop -----------------------------------------------


@dataclass
class Viewers:
    url: str
    shops: list[str]  # viewer i follows shops[i]
    arrivals: list[list[tuple[str, float]]] = field(default_factory=list)  # per viewer: (end, when)
    sizes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dropped: list[tuple[float, str]] = field(default_factory=list)  # streams that ended under a viewer
    connected: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.arrivals = [[] for _ in self.shops]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.task = asyncio.run_coroutine_threadsafe(self._all(), self.loop)

    async def _all(self) -> None:
        opened = [0]
        one_at_a_time = asyncio.Lock()  # people log in one by one, not 20 in the same millisecond
        await asyncio.gather(
            *(self._one(i, shop, opened, one_at_a_time) for i, shop in enumerate(self.shops))
        )

    async def _one(self, index: int, shop: str, opened: list[int], one_at_a_time: asyncio.Lock) -> None:
        """Log in, follow the room; a stream that ends is opened again after the ``retry`` the
        server asked for (3 s), as the page's EventSource does — and counted."""
        timeout = httpx.Timeout(60, read=None)
        async with httpx.AsyncClient(base_url=self.url, timeout=timeout) as client:
            async with one_at_a_time:
                login = await client.post("/login", data={"name": viewer_name(index), "password": PASSWORD})
            if login.status_code not in (200, 303):
                self.errors.append(f"viewer {index}: login {login.status_code}")
                return
            first = True
            while True:
                try:
                    async with client.stream("GET", f"/live/{shop}/events", params={"room": ""}) as response:
                        if response.status_code != 200:
                            self.errors.append(f"viewer {index}: events {response.status_code}")
                            return
                        if first:
                            first, opened[0] = False, opened[0] + 1
                            if opened[0] == len(self.shops):
                                self.connected.set()
                        await self._read(index, response)
                    self.dropped.append((time.monotonic(), f"viewer {index}: the stream ended"))
                except httpx.HTTPError as error:
                    self.dropped.append((time.monotonic(), f"viewer {index}: {error!r}"))
                await asyncio.sleep(3.0)

    async def _read(self, index: int, response: httpx.Response) -> None:
        event, last = "", ""
        arrivals = self.arrivals[index]
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "room":
                when = time.monotonic()
                at = line.find('"end": "')  # the picture's own end (the first "end" key: top level)
                end = line[at + 8 : at + 27] if at >= 0 else ""
                if end != last:
                    arrivals.append((end, when))
                    last = end
                    self.sizes.append(len(line))
            elif not line:
                event = ""

    def close(self) -> None:
        """Hang up every stream (its socket closed, as a closed tab's is), then stop the loop."""

        async def hang_up() -> None:
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(hang_up(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


# -- the import running meanwhile ---------------------------------------------------------------------


def import_loop(
    root: Path, files: list[Path], stop: threading.Event, done: list[tuple[float, float, str]]
) -> None:
    """``shopops import`` as the CLI hands it to the running server, the exports in turn, back to back."""
    info = load_serve_file(root)
    if info is None:
        done.append((time.monotonic(), time.monotonic(), "no serve file"))
        return
    index = 0
    contents = [path.read_bytes() for path in files]
    while not stop.is_set():
        # The same bytes again would be "already imported" (nothing done): each import gets its own
        # copy, one blank line longer, so every one really reads, checks and replaces a year of orders.
        copy = root.parent / "imports" / str(index) / files[index % len(files)].name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(contents[index % len(files)] + b"\n" * (index + 1))
        began = time.monotonic()
        try:
            records = forward_import(info, [copy], ORDER_SHOP, None)
            problem = "; ".join(
                str(r["message"]) for r in records if not r["ok"] or r.get("already_imported")
            )
        except Exception as error:  # said in the report
            problem = str(error)
        done.append((began, time.monotonic(), problem))
        shutil.rmtree(copy.parent, ignore_errors=True)
        index += 1


# -- figures ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass
class Run:
    name: str
    began: float
    ended: float
    page: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # transport → s
    push: list[float] = field(default_factory=list)
    missing_pictures: int = 0
    drops: int = 0
    drops_pushed: int = 0
    other_messages: list[str] = field(default_factory=list)
    imports: list[tuple[float, float, str]] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    posts: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average at the start and end
    dropped: list[str] = field(default_factory=list)  # viewers' streams that ended (then reopened)

    def holds(self, moment: float) -> bool:
        return self.began <= moment < self.ended


def page_latencies(run: Run, landings: list[Landing], viewers: Viewers) -> None:
    """For each viewer and each reading of its room in the run: the first picture that shows it."""
    for shop, arrivals in zip(viewers.shops, viewers.arrivals, strict=True):
        for landing in landings:
            if landing.shop != shop or not run.holds(landing.at):
                continue
            shown = next(
                (when for end, when in arrivals if end >= landing.captured and when >= landing.at), None
            )
            if shown is None:
                run.missing_pictures += 1
            else:
                run.page[landing.transport].append(shown - landing.at)


def push_latencies(
    run: Run, landings: list[Landing], messages: list[tuple[float, str]], shops: list[str]
) -> None:
    """Each message is the alert of the room's last reading before it arrived (alerts are judged at a
    reading); its 采集时间's minute must be in the text."""
    pushed: set[Landing] = set()
    for arrived, text in messages:
        shop = next((s for s in shops if s in text.split("\n", 1)[0]), None)
        before = [x for x in landings if x.shop == shop and x.at <= arrived]
        if shop is None or not before:
            if run.holds(arrived):
                run.other_messages.append(text.split("\n", 1)[0])
            continue
        landing = max(before, key=lambda x: x.at)
        if not run.holds(landing.at):
            continue
        if landing.drop and landing.captured[11:16] in text and "点击-成交率" in text:
            run.push.append(arrived - landing.at)
            pushed.add(landing)
        else:
            run.other_messages.append(text.split("\n", 1)[0])
    run.drops = sum(1 for x in landings if x.drop and run.holds(x.at))
    run.drops_pushed = len(pushed)


def server_steps(run: Run, records: list[list[Any]]) -> None:
    for step, began, seconds, thread in records:
        if run.holds(began):
            who = "watcher" if "watcher" in thread else "ticker" if "ticker" in thread else "API"
            run.steps[f"lock wait ({who})" if step == "lock wait" else step].append(seconds)


STEP_ORDER = (
    "lock wait (watcher)", "lock wait (API)", "lock wait (ticker)", "scan_inbox", "read_feed_file", "parse_feed",
    "resolve_room", "store_batch", "ingest", "refresh", "room_sessions", "room_sessions › load_snapshots",
    "room_sessions › split_sessions", "room_sessions › attribute", "room_sessions › plan_slots",
    "room_sessions › shifts", "judge_session", "room_view", "picture JSON", "publish", "send_all",
    "event loop lag", "thread wake lag",
)  # fmt: skip


def ms(value: float) -> str:
    return f"{value * 1000:,.0f}"


def line(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:<34} {0:>7} {'—':>8} {'—':>8} {'—':>8}"
    return (
        f"{label:<34} {len(values):>7,} {ms(percentile(values, 0.5)):>8} {ms(percentile(values, 0.95)):>8}"
        f" {ms(max(values)):>8}"
    )


def report(runs: list[Run], viewers: Viewers, args: argparse.Namespace, setup: Setup) -> dict[str, Any]:
    size = statistics.median(viewers.sizes) if viewers.sizes else 0
    print(
        f"\n{args.rooms} rooms × 1 reading / {args.interval:g} s (each {args.history_minutes:g} min on air"
        f" before; a picture is {size / 1024:,.0f} KB), {len(viewers.shops)} viewers, {args.minutes * 60:.0f} s per run;"
        f" machine: {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    if setup.exports:
        print(f"the {args.export_days}-day order export ({setup.exports[0].stat().st_size / 1e6:,.1f} MB) took"
              f" {setup.first_import:.1f} s to import in-process before the server started")  # fmt: skip
    figures: dict[str, Any] = {}
    for run in runs:
        every = [v for values in run.page.values() for v in values]
        print(f"\n{run.name} (machine load {run.load[0]:.1f} → {run.load[1]:.1f})")
        print(f"{'':<34} {'samples':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for transport, label in (
            ("file", "landing → page (file, inbox/live)"),
            ("api", "landing → page (POST)"),
        ):
            print(line(label, run.page.get(transport, [])))
        print(line("landing → page (all)", every))
        print(line("landing → pushed alert", run.push))
        print(line("POST answered", run.posts))
        print(f"  streams dropped under a viewer: {len(run.dropped)}; pictures never shown: {run.missing_pictures}; drops {run.drops}, pushed {run.drops_pushed};"
              f" other messages {len(run.other_messages)}{' e.g. ' + run.other_messages[0] if run.other_messages else ''}")  # fmt: skip
        if run.imports:
            seconds = [end - began for began, end, _ in run.imports]
            busy = sum(min(end, run.ended) - max(began, run.began) for began, end, _ in run.imports)
            print(f"  imports meanwhile: {len(seconds)} (median {statistics.median(seconds):.1f} s each),"
                  f" the import lock held {busy / (run.ended - run.began):.0%} of the run")  # fmt: skip
        print(f"  inside the server  {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name in STEP_ORDER:
            if run.steps.get(name):
                print("  " + line(name, run.steps[name]))
        figures[run.name] = {
            "page": {"p50": percentile(every, 0.5), "p95": percentile(every, 0.95), "max": max(every)}
            if every
            else None,
            "push": {
                "p50": percentile(run.push, 0.5),
                "p95": percentile(run.push, 0.95),
                "max": max(run.push),
            }
            if run.push
            else None,
            "page_samples": len(every),
            "push_samples": len(run.push),
            "imports": len(run.imports),
            "steps": {
                k: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95), "max": max(v), "count": len(v)}
                for k, v in run.steps.items()
            },
        }
    last = figures[runs[-1].name]
    verdicts = [
        f"{what} p95 {last[what]['p95']:.2f} s {'<' if last[what]['p95'] < GOAL_SECONDS else '≥'} {GOAL_SECONDS:g} s"
        for what in ("page", "push")
        if last[what]
    ]
    print(f"\ngoal ({runs[-1].name}): " + "; ".join(verdicts))
    return figures


# -- the session -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def dashboard(root: Path, stats: Path) -> Iterator[str]:
    port = free_port()
    context = mp.get_context("spawn")
    shutdown = context.Event()
    process = context.Process(target=serve, args=(str(root), port, str(stats), shutdown), daemon=True)
    process.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or not process.is_alive():
                raise SystemExit("the dashboard did not start")
            time.sleep(0.2)
        yield url
    finally:
        shutdown.set()  # uvicorn shuts down, the lifespan stops the live service
        process.join(timeout=60)
        if process.is_alive():
            process.kill()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def rooms_on_air(url: str, setup: Setup) -> bool:
    """Whether the server has every room's history (a viewer of an unknown room gets 404)."""
    headers = {"Authorization": f"Bearer {setup.token}"}
    try:
        listed = httpx.get(url + "/api/live/rooms", headers=headers, timeout=10).json()
    except (httpx.HTTPError, ValueError):
        return False
    latest = {row["shop"]: row["latest"] for row in listed if isinstance(row, dict)}
    history = f"{setup.history_end:%Y-%m-%d %H:%M:%S}"
    return all(latest.get(board.shop, "") >= history for board in setup.boards)


@dataclass
class Session:
    """What one server session saw: the runs' windows, the readings, the pictures, the imports."""

    runs: list[Run]
    feed: Feed
    viewers: Viewers
    imports: list[tuple[float, float, str]]
    records: list[list[Any]]


def run_session(args: argparse.Namespace, base: Path, setup: Setup, names: list[str]) -> Session:
    stats = base / "server-steps.json"
    runs: list[Run] = []
    imports: list[tuple[float, float, str]] = []
    with dashboard(setup.root, stats) as url:
        stop, halt = threading.Event(), threading.Event()
        feed = Feed(setup, url, args.interval, stop)
        feeders = feed.start(time.monotonic() + 1)
        wait_for(lambda: rooms_on_air(url, setup), 120, "the rooms' history to be read")
        viewers = Viewers(url, [setup.boards[i % len(setup.boards)].shop for i in range(args.viewers)])
        wait_for(lambda: viewers.connected.is_set() or bool(viewers.errors), 120, "the viewers to connect")
        if viewers.errors:
            raise SystemExit(f"the viewers could not follow the rooms: {viewers.errors[:3]}")
        time.sleep(args.warmup)  # every room has had readings since the viewers came
        importer = threading.Thread(target=import_loop, args=(setup.root, setup.exports, halt, imports))
        for name in names:
            if name == "under load":
                importer.start()
                time.sleep(1.0)  # the first import is under way
            began, load = time.monotonic(), os.getloadavg()[0]
            print(f"{name}: {args.minutes:g} min …", flush=True)
            time.sleep(args.minutes * 60)
            runs.append(Run(name, began, time.monotonic(), load=(load, os.getloadavg()[0])))
        halt.set()
        if importer.is_alive():
            importer.join()
        time.sleep(args.interval + 3)  # the last readings' pictures and alerts come in
        stop.set()
        for thread in feeders:
            thread.join(timeout=120)
        viewers.close()
    records = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else []
    return Session(runs, feed, viewers, imports, records)


def measure(args: argparse.Namespace, base: Path) -> int:
    names = ["under load"] if args.smoke else ["baseline", "under load"]
    off = check_design(base)
    if off is not None:
        print(f"PROBLEM {off}")
        return 1
    webhook = Webhook()
    try:
        setup = build(base, args, webhook, load="under load" in names)
        session = run_session(args, base, setup, names)
    finally:
        webhook.close()
    shops = [board.shop for board in setup.boards]
    for run in session.runs:
        page_latencies(run, session.feed.landings, session.viewers)
        push_latencies(run, session.feed.landings, webhook.messages, shops)
        server_steps(run, session.records)
        run.imports = [i for i in session.imports if i[1] > run.began and i[0] < run.ended]
        run.posts = [seconds for landed, seconds in session.feed.posts if run.holds(landed)]
        run.dropped = [text for moment, text in session.viewers.dropped if run.holds(moment)]
    figures = report(session.runs, session.viewers, args, setup)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    problems = [*session.feed.errors, *session.viewers.errors]
    problems += [f"import: {problem}" for _, _, problem in session.imports if problem]
    for run in session.runs:
        if run.dropped:
            problems.append(f"{run.name}: {len(run.dropped)} viewers' streams ended, e.g. {run.dropped[0]}")
        if run.missing_pictures:
            problems.append(f"{run.name}: {run.missing_pictures} readings never shown")
        if not run.push:
            problems.append(f"{run.name}: no pushed alert")
        if not any(run.page.values()):
            problems.append(f"{run.name}: no picture")
    if not session.records:
        problems.append("the server's step timings were not written")
    for problem in problems[:10]:
        print(f"PROBLEM {problem}")
    if len(problems) > 10:
        print(f"… {len(problems) - 10} more problems")
    return 1 if problems else 0


def profile_update(base: Path, history_minutes: float, interval: float, top: int) -> int:
    """cProfile of one reading of a file room ``history_minutes`` into its live, on one thread with
    nothing else running: the whole file read as the watcher reads it (its history + the new line),
    stored, the room recomputed, its picture made — ``LiveService.ingest``, as ``scan_inbox`` calls it."""
    import cProfile
    import pstats

    board = Board(SHOPS[0], "file", seed=7)
    end = board_clock()
    steps = round(history_minutes * 60 / interval)
    rows = [
        board.reading(end - dt.timedelta(seconds=interval * (steps - k)), drop=False)
        for k in range(steps + 1)
    ]
    with Workspace.init(base / "profile") as workspace:
        workspace.add_shop(SHOPS[0], "douyin", Decimal("0.05"))
        live = next(domain for domain in domains() if domain.name == "live")
        service = resolve(live, live.services[0])(workspace, watch=False, push=False)
        name = feed_file_name(end)
        service.ingest(csv_lines(rows[:-1], header=True), name, origin="profile", room=SHOPS[0])
        text = csv_lines(rows, header=True)
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        result = service.ingest(text, name, origin="profile", room=SHOPS[0])
        profiler.disable()
        seconds = time.perf_counter() - began
        picture = service.hub.latest(SHOPS[0], "") or ""
    print(
        f"one reading of a file room {history_minutes:g} min on air ({steps + 1:,} lines, added {result.added}):"
        f" {seconds * 1000:,.0f} ms; the picture {len(picture.encode()) / 1024:,.0f} KB"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rooms", type=int, default=3, choices=range(1, len(SHOPS) + 1))
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--interval", type=float, default=10.0, help="Seconds between a room's readings.")
    parser.add_argument("--minutes", type=float, default=3.0, help="Minutes of feed per measured run.")
    parser.add_argument(
        "--history-minutes", type=float, default=120.0, help="How long each room has been on air."
    )
    parser.add_argument(
        "--export-days", type=int, default=365, help="Days of the order export imported under load."
    )
    parser.add_argument("--warmup", type=float, default=15.0, help="Seconds of feed before the first run.")
    parser.add_argument("--smoke", action="store_true", help="CI size: one run under load, 40 s, 6 viewers.")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="Only profile one reading of a file room --history-minutes into its live (cProfile, top N).",
    )
    parser.add_argument("--json", help="Also write the figures to this file.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary workspace.")
    args = parser.parse_args()
    if args.smoke:
        args.viewers, args.minutes, args.history_minutes = min(args.viewers, 6), 40 / 60, 15.0
        args.export_days, args.warmup = 90, 8.0
    base = Path(tempfile.mkdtemp(prefix="shopops-live-bench-"))
    try:
        if args.profile:
            return profile_update(base, args.history_minutes, args.interval, args.profile)
        return measure(args, base)
    finally:
        if args.keep:
            print(f"workspace kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
