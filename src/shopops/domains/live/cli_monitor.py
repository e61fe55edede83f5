"""`shopops live monitor` and `shopops live replay`: the 场控 screen in a terminal, and a recorded
feed played back into it (and into the live page) so anyone can see it working without a live room.

While `shopops serve` runs on the workspace it holds the warehouse and the live service: the
monitor follows the server's stream and a replay sends its readings to the server (its local
endpoints, with the serve file's secret). Otherwise the command runs the live service itself —
watching ``inbox/live/``, judging and pushing alerts — for as long as it runs.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import httpx
from rich.live import Live

from shopops.cli.context import err, open_workspace, out, running_server, user_errors
from shopops.domains.live.cli_screen import screen
from shopops.domains.live.feed import SOURCE_KEY, parse_feed, read_text
from shopops.domains.live.room import pick_room
from shopops.domains.live.runtime import LiveService
from shopops.domains.live.runtime_rooms import read_feed_file
from shopops.errors import UserError
from shopops.ingest.sources import load_builtin_specs
from shopops.warehouse.audit import os_user
from shopops.web.security import LOCAL_HEADER, ServeInfo
from shopops.workspace import find_workspace

REFRESH_SECONDS = 0.5


def _root(ctx: click.Context) -> Path:
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    return find_workspace(Path(explicit) if explicit else None)


@click.command("monitor")
@click.option("--room", "-r", help="直播间（或店铺名：它自己的直播间）；默认最近有数据的那个。")
@click.option("--shop", "-s", help="店铺（两个店铺有同名直播间时）。")
@click.option("--rows", default=12, show_default=True, help="显示最近多少个间隔。")
@click.pass_context
@user_errors
def monitor_command(ctx: click.Context, room: str | None, shop: str | None, rows: int) -> None:
    """直播中的场控屏：成交、消耗与计划进度、提醒、每个间隔的数，随新数据自动刷新（Ctrl-C 退出）。"""
    info = running_server(_root(ctx))
    if info is not None:
        chosen = _local_json(info, "GET", "/api/local/live/room", params={"name": room, "shop": shop})
        out.print(f"跟随 shopops serve（端口 {info.port}）上的 {chosen['name']}：Ctrl-C 退出")
        _show(lambda: _follow_server(info, chosen["shop"], chosen["room"]), rows)
        return
    workspace = open_workspace(ctx)
    service = LiveService(workspace)
    service.start()
    try:
        chosen_room = pick_room(workspace.connection, room, shop)
        out.print(f"正在监视 {workspace.root / 'inbox' / 'live'}（{chosen_room.name}；Ctrl-C 退出）")
        _show(_poll(service, chosen_room.shop, chosen_room.room), rows)
    finally:
        service.stop()


def _poll(service: LiveService, shop: str, room: str) -> Callable[[], Iterator[dict[str, Any] | None]]:
    def pictures() -> Iterator[dict[str, Any] | None]:
        last = None
        while True:
            text = service.hub.latest(shop, room)
            if text is None:
                service.refresh(shop, room, quiet=True)
                text = service.hub.latest(shop, room)
            if text != last:
                last = text
                yield None if text is None else json.loads(text)
            time.sleep(REFRESH_SECONDS)

    return pictures


def _show(pictures: Callable[[], Iterator[dict[str, Any] | None]], rows: int) -> None:
    try:
        with Live(screen(None), console=out, refresh_per_second=4, transient=False) as live:
            for view in pictures():
                live.update(screen(view, rows=rows))
    except KeyboardInterrupt:
        out.print("已退出")


def _follow_server(info: ServeInfo, shop: str, room: str) -> Iterator[dict[str, Any] | None]:
    headers = {LOCAL_HEADER: info.secret}
    params = {"shop": shop, "room": room}
    with httpx.Client(timeout=httpx.Timeout(5.0, read=None)) as client:
        while True:
            try:
                with client.stream(
                    "GET", info.local_url + "/api/local/live/events", headers=headers, params=params
                ) as response:
                    for line in response.iter_lines():
                        if line.startswith("data: "):
                            yield json.loads(line[6:])
            except httpx.TransportError:
                time.sleep(1)  # the server restarted or went away: try again


def _local_json(info: ServeInfo, method: str, path: str, **kwargs: Any) -> Any:
    try:
        response = httpx.request(
            method, info.local_url + path, headers={LOCAL_HEADER: info.secret}, timeout=30.0, **kwargs
        )
    except httpx.TransportError as error:
        raise UserError(f"`shopops serve` (pid {info.pid}) 没有回应：{error} — 停掉它再试") from None
    if response.status_code != 200:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise UserError(str(detail))
    return response.json()


# -- replay -------------------------------------------------------------------------------------


def replay_lines(text: str, name: str, spec: Any) -> list[tuple[float, str]]:
    """The feed's readings as one-reading CSV texts in time order, each with its seconds after the first."""
    header, lines = read_text(text, name)
    feed = parse_feed(spec, text, name)
    raw = dict(lines)
    timed = sorted((row["captured_at"], row["source_row"]) for row in feed.rows)
    if not timed:
        raise UserError(f"{name}: 没有可以回放的采集（{len(feed.skipped)} 行都不是采集）")
    first = timed[0][0]
    played = []
    for captured, number in timed:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerow(raw[number])
        played.append(((captured - first).total_seconds(), buffer.getvalue()))
    return played


@click.command("replay")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--speed", default=60.0, show_default=True, help="快进倍数：60 = 一小时的直播一分钟放完；0 = 不等待。"
)
@click.option("--room", "-r", help="文件属于哪个直播间（文件没有直播间列时；或店铺名）。")
@click.option("--shop", "-s", help="店铺（第一次见到这个直播间时）。")
@click.option("--no-monitor", is_flag=True, help="只回放，不在终端显示场控屏。")
@click.pass_context
@user_errors
def replay_command(
    ctx: click.Context, file: Path, speed: float, room: str | None, shop: str | None, no_monitor: bool
) -> None:
    """把录下的直播大屏数据按时间回放到场控屏和直播页（写进「直播间·回放」，不推送到群）。"""
    if speed < 0:
        raise click.BadParameter("不能是负数", param_hint="--speed")
    text = read_feed_file(file)
    info = running_server(_root(ctx))
    if info is not None:
        _replay_to_server(info, file, text, speed, room, shop)
        return
    workspace = open_workspace(ctx)
    service = LiveService(workspace, watch=False)
    service.start()
    try:
        played = replay_lines(text, file.name, workspace.registry.get(SOURCE_KEY))
        state: dict[str, Any] = {}

        def send(index: int, reading: str) -> None:
            result = service.ingest(
                reading,
                file.name,
                origin=f"replay:{file.name}",
                room=room,
                shop=shop,
                replay_speed=speed or 1.0,
                begin_replay=index == 0,
            )
            state["key"] = (result.shop, result.room)

        if no_monitor:
            _play(played, speed, send)
        else:
            worker = threading.Thread(target=_play, args=(played, speed, send), daemon=True)
            worker.start()
            _show(_replay_pictures(service, state, worker), 12)
        _summary(service, state, len(played))
    finally:
        service.stop()


def _play(played: list[tuple[float, str]], speed: float, send: Callable[[int, str], None]) -> None:
    began = time.monotonic()
    for index, (offset, reading) in enumerate(played):
        if speed > 0:
            wait = began + offset / speed - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        send(index, reading)


def _replay_pictures(
    service: LiveService, state: dict[str, Any], worker: threading.Thread
) -> Callable[[], Iterator[dict[str, Any] | None]]:
    def pictures() -> Iterator[dict[str, Any] | None]:
        last = None
        while True:
            key = state.get("key")
            text = service.hub.latest(*key) if key else None
            if text != last and text is not None:
                last = text
                yield json.loads(text)
            if not worker.is_alive():
                return
            time.sleep(REFRESH_SECONDS / 2)

    return pictures


def _summary(service: LiveService, state: dict[str, Any], count: int) -> None:
    key = state.get("key")
    text = service.hub.latest(*key) if key else None
    if text is None:
        return
    view = json.loads(text)
    readings = view["snapshots"]  # the file's lines less the ones read twice
    lines = f"（文件 {count} 行）" if count != readings else ""
    out.print(
        f"回放了 {readings} 次采集{lines}到「{view['name']}」："
        f"{len(view['intervals'])} 个间隔，{len(view['alerts'])} 条提醒"
    )
    out.print(
        f"  看数据：shopops live intervals --room '{view['name']}'  |  shopops live alerts --room '{view['name']}'"
    )


def _replay_to_server(
    info: ServeInfo, file: Path, text: str, speed: float, room: str | None, shop: str | None
) -> None:
    spec = next(s for s in load_builtin_specs() if s.key == SOURCE_KEY)
    played = replay_lines(text, file.name, spec)
    user = os_user()
    answers: list[dict[str, Any]] = []

    def send(index: int, reading: str) -> None:
        body = {
            "text": reading,
            "name": file.name,
            "room": room,
            "shop": shop,
            "replay_speed": speed or 1.0,
            "begin_replay": index == 0,
            "user": user,
        }
        answers.append(_local_json(info, "POST", "/api/local/live/readings", json=body))
        if index == 0:
            err.print(
                f"回放到 shopops serve（端口 {info.port}）：打开 {info.local_url}/live 看「{answers[0]['room']}」"
            )

    _play(played, speed, send)
    if answers:
        last = answers[-1]
        out.print(f"回放了 {len(played)} 次采集到「{last['room'] or last['shop']}」")
