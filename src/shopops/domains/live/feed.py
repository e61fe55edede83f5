"""Reading a snapshot feed: the text a board-capture tool appends (CSV, JSON lines) or a request body
(a JSON object or list) → typed snapshot rows, and the lines that are not snapshots, each with why.

Headers are the ``live_board`` source's (its aliases, compared as the importer compares them), and
cells are read by the importer's rules (:mod:`feed_values`, checked against the importer's parsers
by a test), so a file reads the same through the live feed and through ``shopops import``. Reading is kept apart from
storing (:mod:`shopops.domains.live.store`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shopops.domains.live.feed_values import Bad, read_cell
from shopops.errors import UserError
from shopops.ingest.sources.spec import SourceSpec, normalize_header

SOURCE_KEY = "live_board"
_NOT_FIGURES = ("captured_at", "anchor")
_SUMMARY = ("合计", "汇总", "总计", "均值", "平均")
# The capture tool writes its own ratios too (商品点击率, 整体支付ROI …): recomputed from deltas, not read.
KNOWN_UNREAD = (
    "商品点击率",
    "商品转化率",
    "整体支付roi",
    "净成交roi",
    "净成交金额结算率",
    "净成交订单结算率",
    "1小时内退款率",
    "直播间退款率",
    "曝光观看率(次数)",
    "分享率",
    "点赞率",
    "净成交订单成本(元)",
    "整体成交订单成本(元)",
    "数据类型",
    "时段",
)


class _Skip(Exception):
    pass


class FeedError(UserError):
    """A feed that cannot be read at all (no 采集时间 column, not CSV/JSON): said in one line."""


@dataclass
class FeedRows:
    """What a feed holds: typed rows (``row`` is the line in the file, the header being line 1)."""

    name: str
    lines: int = 0  # data lines (not the header, not blank lines)
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    unused_columns: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()  # the 直播间 column's values, when the feed has one
    types: dict[str, str] = field(default_factory=dict)  # every column of a snapshot → its value type


def read_text(text: str, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A feed's header and lines: CSV (a BOM, ``\\t`` too) or JSON lines / a JSON list of objects."""
    body = text.lstrip("\ufeff")
    stripped = body.lstrip()
    if stripped.startswith(("{", "[")):
        return _json_lines(stripped, name)
    dialect = "excel-tab" if "\t" in body.split("\n", 1)[0] else "excel"
    reader = csv.reader(io.StringIO(body), dialect=dialect)
    lines = [(number, row) for number, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    if not lines:
        raise FeedError(f"{name}: 文件是空的 (the file is empty) — 采集工具还没写入数据时不用导入")
    (_, header), rest = lines[0], lines[1:]
    return header, rest


def _json_lines(body: str, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    objects: list[tuple[int, Any]] = []
    if body.startswith("["):
        try:
            items = json.loads(body)
        except json.JSONDecodeError as error:
            raise FeedError(f"{name}: 不是有效的 JSON（第 {error.lineno} 行：{error.msg}）") from None
        objects = [(index, item) for index, item in enumerate(items, start=1)]
    else:
        for number, line in enumerate(body.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                objects.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                raise FeedError(
                    f"{name}: 第 {number} 行不是有效的 JSON（{error.msg}）— 每行一个 JSON 对象"
                ) from None
    header: list[str] = []
    for number, item in objects:
        if not isinstance(item, dict):
            raise FeedError(
                f'{name}: 第 {number} 行不是 JSON 对象 — 每行（或列表的每项）写一个 {{"采集时间": …}}'
            )
        header += [str(key) for key in item if str(key) not in header]
    lines = [
        (number, ["" if item.get(key) is None else str(item.get(key)) for key in header])
        for number, item in objects
    ]
    return header, lines


def parse_feed(spec: SourceSpec, text: str, name: str) -> FeedRows:
    """The feed's lines as typed rows; a line that is not a snapshot is skipped and said why."""
    header, lines = read_text(text, name)
    mapping = _map_header(spec, header)
    if "captured_at" not in mapping:
        raise FeedError(
            f"{name}: 没有「采集时间」列 (no 采集时间 column) — 直播大屏累计数据的第一列应是采集时间；"
            f"找到的列：{'、'.join(h for h in header if h)[:120]}"
        )
    used = set(mapping.values())
    unused = tuple(
        h for i, h in enumerate(header) if i not in used and h and normalize_header(h) not in KNOWN_UNREAD
    )
    types = {c.name: c.type for c in spec.columns if c.name != "room"}
    feed = FeedRows(name=name, lines=len(lines), unused_columns=unused, types=types)
    figures = [name for name in types if name not in _NOT_FIGURES]
    if not lines:
        return feed
    columns = [c for c in spec.columns if c.name in mapping]
    rooms: list[str] = []
    for number, raw_row in lines:
        first = raw_row[0].strip() if raw_row else ""
        if first.startswith(_SUMMARY):
            feed.skipped.append((number, f"第 {number} 行是{first[:4]}行，不是一次采集"))
            continue
        row: dict[str, Any] = {}
        try:
            for column in columns:
                cell = _cell(raw_row, mapping[column.name])
                try:
                    row[column.name] = read_cell(column.type, cell)
                except Bad as bad:
                    raise _Skip(
                        f"第 {number} 行「{header[mapping[column.name]]}」的值 {cell!r} {bad}"
                    ) from None
        except _Skip as skip:
            feed.skipped.append((number, str(skip)))
            continue
        if row.get("captured_at") is None:
            feed.skipped.append((number, f"第 {number} 行没有采集时间"))
            continue
        if all(row.get(name) is None for name in figures):
            feed.skipped.append((number, f"第 {number} 行只有时间，没有任何数（大屏没读到）"))
            continue
        row["source_row"] = number
        room = row.pop("room", None)
        if room:
            rooms.append(str(room))
        feed.rows.append(row)
    feed.rooms = tuple(dict.fromkeys(rooms))
    return feed


def _map_header(spec: SourceSpec, header: Sequence[str]) -> dict[str, int]:
    """Canonical column → its index in the header (the first alias found, in the spec's order)."""
    index = {normalize_header(h): i for i, h in reversed(list(enumerate(header)))}
    mapping: dict[str, int] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            found = index.get(normalize_header(alias))
            if found is not None and found not in mapping.values():
                mapping[column.name] = found
                break
    return mapping


def _cell(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""
