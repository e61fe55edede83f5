"""The 场控 screen in a terminal: a room's picture (:func:`room.room_view`) as Rich renderables that
fit 80 columns — the headline figures with the plan's pace, the latest alerts, the newest intervals."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

DASH = "—"
STATUS = {"live": ("直播中", "green"), "stale": ("数据断了", "red"), "ended": ("已结束", "dim")}
LEVEL_STYLE = {"critical": "bold red", "warning": "yellow", "data": "magenta"}


def money(value: Any) -> str:
    return DASH if value is None else f"{float(value):,.0f}"


def ratio(value: Any) -> str:
    return DASH if value is None else f"{float(value):.1%}"


def number(value: Any, digits: int = 2) -> str:
    return DASH if value is None else f"{float(value):,.{digits}f}"


def pace_text(value: Any, fast: str, slow: str) -> Text:
    if value is None:
        return Text(DASH)
    if abs(value) < 0.005:
        return Text("持平", style="green")
    label = fast if value > 0 else slow
    style = "red" if abs(value) > 0.3 else "green" if abs(value) <= 0.1 else "yellow"
    return Text(f"{label} {value:+.0%}".replace("-", "−"), style=style)


def screen(view: dict[str, Any] | None, *, rows: int = 12, note: str = "") -> RenderableType:
    if view is None:
        return Text(
            note or "等待直播数据……（把采集工具的文件放进 inbox/live/，或发到 /api/live/<直播间>/snapshots）"
        )
    label, style = STATUS.get(view["status"], (view["status"], ""))
    silent = view.get("silent_seconds")
    if view["status"] == "stale" and silent is not None:
        label = f"{label} {silent / 60:.0f} 分钟"
    head = Text.assemble(
        (f"{view['name']}", "bold"),
        f"  {view['start'][:16]} 起 · 最后一次 {view['end'][11:19]} · ",
        (label, style),
    )
    if view.get("anchor"):
        head.append(f" · 主播 {view['anchor']}")
    totals, pace = view["totals"], view["pace"]
    tiles = Table.grid(padding=(0, 2))
    for _ in range(4):
        tiles.add_column()
    tiles.add_row(
        f"成交 {money(totals['gmv'])}",
        f"订单 {number(totals['orders'], 0)}",
        f"消耗 {money(totals['spend'])}",
        f"ROI {number(totals['roi'])}",
    )
    last = view["intervals"][-1] if view["intervals"] else {}
    tiles.add_row(
        f"在线 {number(last.get('online_viewers'), 0)}",
        f"GPM {number(totals['gpm'], 0)}",
        Text.assemble("成交进度 ", pace_text(pace["gmv_pace"], "超前", "落后")),
        Text.assemble("消耗 ", pace_text(pace["spend_pace"], "过快", "过慢")),
    )
    parts: list[RenderableType] = [head, tiles]
    alerts = list(reversed(view["alerts"]))[:4]
    for alert in alerts:
        parts.append(
            Text.assemble(
                (f"{alert['at'][11:16]} {alert['title']}", LEVEL_STYLE.get(alert["severity"], "")),
                f" {alert['detail']}",
                overflow="ellipsis",
                no_wrap=True,
            )
        )
    parts.append(_intervals(view["intervals"][-rows:]))
    if note:
        parts.append(Text(note, style="dim"))
    return Group(*parts)


def _intervals(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for header in ("时段", "主播", "Δ成交", "Δ订单", "在线", "点击成交", "Δ消耗", "ROI"):
        table.add_column(header, justify="left" if header in ("时段", "主播") else "right", no_wrap=True)
    for row in reversed(rows):
        mark = "*" if row["reset"] or row["gap"] or row["stale"] else ""
        table.add_row(
            f"{row['start'][11:16]}–{row['end'][11:16]}{mark}",
            escape(str(row.get("anchor") or DASH))[:6],
            money(row["gmv_delta"]),
            number(row["orders_delta"], 0),
            number(row["online_viewers"], 0),
            ratio(row["click_to_order_rate"]),
            money(row["spend_delta"]),
            number(row["roi"]),
        )
    return table
