"""Which room and shop a feed is for, and reading a feed file as the capture tool leaves it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from shopops.domains.live.live_settings import LiveSettings
from shopops.errors import UserError

FEED_SUFFIXES = (".csv", ".jsonl", ".json")
REASON_SUFFIX = ".error.txt"  # why a file was not read, written beside it (as inbox/ does)
NOTES_SUFFIX = ".notes.txt"  # what a file's lines left out (skipped, kept out, columns not read)


class RoomError(UserError):
    """A feed whose room or shop cannot be told: said with how to say it."""


class NotYourShop(UserError):
    def __init__(self, shop: str) -> None:
        super().__init__(f"这个账号不能写店铺「{shop}」的直播数据 (this account may not write shop {shop!r})")


def read_feed_file(path: Path) -> str:
    """The file's text up to its last complete line (the tool may be writing the next one now);
    UTF-8 (with or without a BOM), else GB18030 as Chinese Excel saves CSV."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def resolve_room(
    cursor: duckdb.DuckDBPyConnection,
    settings: LiveSettings,
    name: str,
    *,
    room: str | None,
    shop: str | None,
    in_file: Sequence[str] = (),
) -> tuple[str, str]:
    """(shop, room) of a feed: room '' is the shop's own room. The room comes from the caller (the
    URL, ``--room``, the inbox subfolder) or the file's 直播间 column — or, named nowhere, it is the
    own room of the workspace's only Douyin shop; its shop from the caller, shopops.yaml
    ``live.rooms``, the room's earlier readings, or the room being named as a shop."""
    # On the caller's cursor, not Workspace.shops() on the shared connection: that one may be busy
    # with a long import, and a live reading must not wait for it.
    registered = dict(cursor.execute("SELECT name, platform FROM shops").fetchall())
    shops = set(registered)
    if len(in_file) > 1:
        raise RoomError(
            f"{name}: 一个文件只能是一个直播间的数据，这个文件有 {'、'.join(in_file)} — 按直播间分开保存"
        )
    if room and in_file and in_file[0] != room:
        raise RoomError(
            f"{name}: 文件里的直播间是「{in_file[0]}」，不是「{room}」— 放进 inbox/live/{in_file[0]}/"
        )
    room = room or (in_file[0] if in_file else None)
    if shop is not None:
        if shop not in shops:
            raise RoomError(f"{name}: 没有店铺「{shop}」— 先 shopops shop add，或写已有的店铺名")
        return shop, "" if room in (None, shop) else str(room)
    douyin = [shop_name for shop_name, platform in registered.items() if platform == "douyin"]
    if room is None and len(douyin) == 1:
        return douyin[0], ""  # the workspace's only Douyin shop: its own room
    if room is None:
        raise RoomError(
            f"{name}: 不知道是哪个直播间的 — 放进 inbox/live/<直播间或店铺名>/，或用 --room 直播间"
        )
    if room in settings.rooms:
        owner = settings.rooms[room]
        if owner not in shops:
            raise RoomError(
                f"shopops.yaml live.rooms: 直播间「{room}」的店铺「{owner}」不存在 — 改成已有的店铺名"
            )
        return owner, room
    if room in shops:
        return room, ""
    known = [
        row[0]
        for row in cursor.execute("SELECT DISTINCT shop FROM live_snapshot WHERE room = ?", [room]).fetchall()
    ]
    if len(known) == 1:
        return known[0], room
    raise RoomError(
        f"{name}: 直播间「{room}」不知道是哪个店铺的 — 在 shopops.yaml 的 live.rooms 下写「{room}: 店铺名」，"
        "或第一次发送时带上店铺（--shop / ?shop=）"
    )
