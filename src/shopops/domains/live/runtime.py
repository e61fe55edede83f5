"""The live rooms while ``shopops serve`` (or ``shopops live monitor``) runs: readings in, pictures and
alerts out, within a second of a reading landing.

- **In**: files a capture tool writes into ``inbox/live/`` (looked at every second; a file is read
  again when it grows — the same readings change nothing), the API (``page``), a replay.
- **Each room** is recomputed when its readings change (:mod:`room`), its picture published to the
  pages that follow it (:mod:`hub`), each new interval judged once (:mod:`alerts`), and what is new
  pushed to the group through :mod:`throttle` (one message per bad stretch).
- **A clock tick** (every 5 s) says "数据断了" for a room that went silent while on air (the room is
  recomputed then only when its status changes, or a held digest is due).

Its work is on its own cursors, never under the import lock: a big import does not hold up a live.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shopops.delivery.message import Message
from shopops.delivery.sender import send_all
from shopops.domains.live.alerts import SEVERITY_LABELS, Judge, judge_session
from shopops.domains.live.benchmarks import anchor_benchmarks
from shopops.domains.live.feed import SOURCE_KEY, parse_feed
from shopops.domains.live.feed_store import BatchResult, store_batch
from shopops.domains.live.hub import LiveHub
from shopops.domains.live.live_settings import LiveSettings, live_settings
from shopops.domains.live.room import RoomSession, china_now, room_sessions, room_view, status_of
from shopops.domains.live.runtime_rooms import (
    FEED_SUFFIXES,
    NOTES_SUFFIX,
    REASON_SUFFIX,
    NotYourShop,
    RoomError,
    read_feed_file,
    resolve_room,
)
from shopops.domains.live.store import REPLAY_SUFFIX, recorded_room, replay_room
from shopops.domains.live.throttle import Outgoing, Throttle
from shopops.workspace import Workspace

logger = logging.getLogger("shopops.live")
RoomKey = tuple[str, str]
WATCH_SECONDS = 0.25  # a look at inbox/live/ is a few stat calls; a reading waits at most this long
TICK_SECONDS = 5.0


@dataclass
class _Room:
    start: dt.datetime
    judge: Judge
    benchmarks: dict[str, dict[str, float]]
    said: set[tuple[str, str, str, dt.datetime]] = field(default_factory=set)
    status: str = ""  # of the last picture published


@dataclass
class _Clock:
    """A replay's virtual time: the last reading's time, running ``speed`` times as fast since."""

    reading: dt.datetime
    wall: float
    speed: float

    def now(self) -> dt.datetime:
        return self.reading + dt.timedelta(seconds=(time.monotonic() - self.wall) * self.speed)


class LiveService:
    def __init__(
        self,
        workspace: Workspace,
        *,
        hub: LiveHub | None = None,
        watch: bool = True,
        push: bool | None = None,
        on_message: Callable[[Outgoing, Message], None] | None = None,
        clock: Callable[[], dt.datetime] = china_now,
    ) -> None:
        self.workspace = workspace
        self.settings: LiveSettings = live_settings(workspace.settings.raw)
        self.hub = hub or LiveHub()
        self.hub.listen(self.refresh)
        self.watch = watch
        self.push = self.settings.push if push is None else push
        self.on_message = on_message
        self.now = clock  # the boards' clock (tests set one)
        self.throttle = Throttle(self.settings.throttle_minutes)
        self._lock = threading.RLock()
        self._cursor = workspace.connection.cursor()
        self._rooms: dict[RoomKey, _Room] = {}
        self._clocks: dict[RoomKey, _Clock] = {}
        self._seen_files: dict[Path, tuple[int, int]] = {}
        self._outbox: queue.Queue[tuple[Outgoing, Message] | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- running -----------------------------------------------------------------------------

    def start(self) -> None:
        self._warm()
        loops = [self._pusher, self._ticker] + ([self._watcher] if self.watch else [])
        for loop in loops:
            thread = threading.Thread(target=loop, name=f"live-{loop.__name__.strip('_')}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._outbox.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _warm(self) -> None:
        """Know the rooms already on record, their alerts said (a restart does not push them again)."""
        rows = self._cursor.execute(
            "SELECT DISTINCT shop, room FROM live_snapshot WHERE captured_at >= ?",
            [self.now() - dt.timedelta(days=2)],
        ).fetchall()
        for shop, room in rows:
            self.refresh(shop, room, quiet=True)

    def _watcher(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            try:
                self.scan_inbox()
            except Exception:  # a bad file is said in its reason file; anything else must not stop the loop
                logger.exception("live: the inbox watcher failed")

    def _ticker(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                for shop, room in list(self._rooms):
                    self.tick(shop, room)
            except Exception:
                logger.exception("live: the clock tick failed")

    def tick(self, shop: str, room: str) -> None:
        """The clock alone moved: recompute the room only if that changes something — its status
        (live → 数据断了 → ended, which says the stale-feed alert) or a held digest now due."""
        key = (shop, room)
        state = self._rooms.get(key)
        if state is None:
            return
        now = self.clock(key)
        status, _ = status_of(state.judge.session, now, self.settings)
        held = self.throttle.held.get(key)
        due = (
            held
            and (last := self.throttle.last_sent.get(key)) is not None
            and now - last >= self.throttle.window
        )
        if status != state.status or due:
            self.refresh(shop, room)

    def _pusher(self) -> None:
        while (item := self._outbox.get()) is not None:
            outgoing, message = item
            try:
                if self.on_message is not None:
                    self.on_message(outgoing, message)
                # A replay plays into the page and the monitor, never into the real groups.
                replay = outgoing.room[1].endswith(REPLAY_SUFFIX)
                if self.push and not replay and self.workspace.settings.push.channels:
                    send_all(
                        self.workspace.settings.push,
                        message,
                        log_path=self.workspace.root / "logs" / "push.log",
                    )
            except Exception:
                logger.exception("live: a push failed")

    # -- readings in -------------------------------------------------------------------------

    def ingest(
        self,
        text: str,
        name: str,
        *,
        origin: str,
        room: str | None = None,
        shop: str | None = None,
        allowed_shops: list[str] | None = None,
        replay_speed: float | None = None,
        begin_replay: bool = False,
    ) -> BatchResult:
        """Read a feed text and store its readings for one room, then refresh that room. A replay
        (``replay_speed``) goes to the room's replay twin (``…·回放``), emptied when it begins."""
        with self._lock:
            spec = self.workspace.registry.get(SOURCE_KEY)
            feed = parse_feed(spec, text, name)
            try:
                shop, room = resolve_room(
                    self._cursor,
                    self.settings,
                    name,
                    room=room,
                    shop=shop,
                    in_file=feed.rooms,
                )
            except RoomError:
                if allowed_shops is not None:  # nothing tells a limited account which rooms exist
                    raise NotYourShop(shop or "") from None
                raise
            if allowed_shops is not None and shop not in allowed_shops:
                raise NotYourShop(shop)
            if replay_speed is not None:
                room = replay_room(shop, room)
                if begin_replay:
                    self.begin_replay(shop, room)
            result = store_batch(
                self._cursor, feed, shop=shop, room=room, origin=origin, replay=replay_speed is not None
            )
            if replay_speed is not None and result.latest is not None:
                self._clocks[(shop, room)] = _Clock(result.latest, time.monotonic(), replay_speed)
        if result.added:
            self.refresh(shop, room)
        return result

    def begin_replay(self, shop: str, room: str) -> None:
        """A replay starts from an empty screen: its room's earlier readings go (only a replay's)."""
        with self._lock:
            self._cursor.execute(
                "DELETE FROM live_snapshot WHERE shop = ? AND room = ? AND replay", [shop, room]
            )
            self._rooms.pop((shop, room), None)
            self.throttle.last_sent.pop((shop, room), None)
            self.throttle.held.pop((shop, room), None)

    def scan_inbox(self) -> list[BatchResult]:
        """Read every file of ``inbox/live/`` that changed since the last look."""
        folder = self.workspace.root / "inbox" / "live"
        results: list[BatchResult] = []
        if not folder.is_dir():
            return results
        for path in sorted(folder.rglob("*")):
            if (
                not path.is_file()
                or path.suffix.lower() not in FEED_SUFFIXES
                or path.name.startswith((".", "~$"))
            ):
                continue
            stat = path.stat()
            mark = (stat.st_size, stat.st_mtime_ns)
            if self._seen_files.get(path) == mark:
                continue
            self._seen_files[path] = mark
            reason = path.with_name(path.name + REASON_SUFFIX)
            try:
                text = read_feed_file(path)
                subfolder = path.parent.name if path.parent != folder else None
                relative = path.relative_to(self.workspace.root).as_posix()
                result = self.ingest(text, path.name, origin=relative, room=subfolder)
                results.append(result)
                reason.unlink(missing_ok=True)
                _say_what_was_not_used(path, result)
            except Exception as error:  # said next to the file, as the inbox does
                reason.write_text(f"{error}\n", encoding="utf-8")
        return results

    # -- each room ---------------------------------------------------------------------------

    def clock(self, key: RoomKey) -> dt.datetime:
        virtual = self._clocks.get(key)
        return virtual.now() if virtual is not None else self.now()

    def refresh(self, shop: str, room: str, *, quiet: bool = False) -> None:
        """Recompute the room, publish its picture, send what is new (``quiet``: only take note)."""
        key = (shop, room)
        with self._lock:
            found = room_sessions(self._cursor, shop, room, self.settings, benchmarks=False)
            if not found:
                return
            current = found[0]
            state = self._room_for(key, current, quiet=quiet)
            now = self.clock(key)
            alerts = judge_session(state.judge, now=now)
            new = [a for a in alerts if a.key not in state.said]
            state.said.update(a.key for a in new)
            current.benchmarks = state.benchmarks
            picture = room_view(current, alerts, now=now, settings=self.settings)
            state.status = picture["status"]
            text = json.dumps(picture, ensure_ascii=False)
        self.hub.publish(shop, room, text)
        if quiet:
            return
        recent = now - dt.timedelta(minutes=2 * self.settings.stale_minutes)
        for alert in new:
            if alert.at >= recent:  # an old stretch (readings that came late) is on the page, not pushed
                self._send(self.throttle.offer(key, alert, now))
        self._send(self.throttle.due(key, now))

    def _room_for(self, key: RoomKey, current: RoomSession, *, quiet: bool) -> _Room:
        state = self._rooms.get(key)
        session = current.session
        same = state is not None and state.start == session.start
        if state is not None and same and _extends(state.judge, current):
            state.judge.session = session
            return state
        benchmarks = (
            state.benchmarks
            if state is not None and same
            else anchor_benchmarks(self._cursor, key[0], recorded_room(*key), session.start, self.settings)
        )
        judge = Judge(session, current.plan, benchmarks, self.settings)
        said = state.said if state is not None and same else set()
        if state is None and quiet:
            said = {a.key for a in judge_session(judge)}  # on record before we started: not news
            judge = Judge(session, current.plan, benchmarks, self.settings)
        fresh = _Room(session.start, judge, benchmarks, said)
        self._rooms[key] = fresh
        return fresh

    def _send(self, outgoing: Outgoing | None) -> None:
        if outgoing is not None:
            self._outbox.put((outgoing, message_for(outgoing)))


def _say_what_was_not_used(path: Path, result: BatchResult) -> None:
    """Beside a feed file, what its last reading left out (lines skipped, readings kept out, columns
    not read) and why, in ``<name>.notes.txt``; nothing (and no such file) when it used everything."""
    notes = path.with_name(path.name + NOTES_SUFFIX)
    if not (result.skipped or result.conflicting or result.unused_columns):
        notes.unlink(missing_ok=True)
        return
    notes.write_text("\n".join([result.summary(), *result.notes]) + "\n", encoding="utf-8")


def _extends(judge: Judge, current: RoomSession) -> bool:
    """Whether the new session only adds intervals to what the judge has judged (the usual case;
    a late reading in the middle, or a new plan, means judging the session again)."""
    old, new = judge.session.intervals, current.session.intervals
    if judge.plan != current.plan or len(new) < judge.judged:
        return False
    return all((a.start, a.end) == (b.start, b.end) for a, b in zip(old[: judge.judged], new, strict=False))


def message_for(outgoing: Outgoing) -> Message:
    first = outgoing.alerts[0]
    where = first.room or first.shop
    if outgoing.digest:
        title = f"【直播提醒】{where}：过去 {len(outgoing.alerts)} 条提醒"
        lines = [f"· {a.at:%H:%M} {a.title}：{a.detail}" for a in outgoing.alerts]
    else:
        title = f"【直播{SEVERITY_LABELS.get(first.severity, '提醒')}】{where} {first.title}"
        lines = [first.text()]
    text = "\n".join([title, *lines])
    markdown = "\n\n".join([f"### {title}", *(line.replace("·", "-", 1) for line in lines)])
    return Message(title=title, text=text, markdown=markdown)
