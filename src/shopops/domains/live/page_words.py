"""What the 直播 page says around a room's picture: the room picker's links, the interval table's
columns (each header with its 口径, from :data:`fields.RATIOS`), the headline tiles' 口径, and the
words its script writes, in the user's language (``i18n.yaml``: Chinese → English).

The picture itself (:func:`room.room_view`) is data; this is everything the page needs to show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from shopops.domains.live.alerts import SEVERITY_LABELS
from shopops.domains.live.fields import LABELS, RATIO_BY_KEY
from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.store import REPLAY_SUFFIX, Room
from shopops.web.i18n import translate

# The interval table, left to right: (key in the picture's interval rows, label, kind, 口径).
# kind says how a cell is written: time, text, money, count, ratio (%), number, marks.
_DELTA = "本段结束时的{label} − 开始时的（大屏累计数之差；计数重置的一段按从 0 计）"
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("span", "时段", "time", "两次有新数字的采集之间（数字没变的采集并入下一段）"),
    ("anchor", "主播", "text", "大屏的主播列；没有时按主播排班表（时段中点）"),
    ("product", "商品", "text", "直播计划的排品（时段中点）"),
    ("gmv_delta", "Δ成交金额", "money", _DELTA.format(label="整体成交金额")),
    ("orders_delta", "Δ订单", "count", _DELTA.format(label="整体成交订单数")),
    ("online_viewers", "在线人数", "count", "本段结束那次采集的实时在线人数"),
    ("entry_rate", "进入率", "ratio", RATIO_BY_KEY["entry_rate"].formula),
    ("product_click_rate", "商品点击率", "ratio", RATIO_BY_KEY["product_click_rate"].formula),
    ("click_to_order_rate", "点击-成交率", "ratio", RATIO_BY_KEY["click_to_order_rate"].formula),
    ("gpm", "GPM", "money", RATIO_BY_KEY["gpm"].formula),
    ("spend_delta", "Δ消耗", "money", _DELTA.format(label="整体消耗（千川）")),
    ("roi", "ROI", "number", RATIO_BY_KEY["roi"].formula),
    ("marks", "标记", "marks", "重置：大屏重新计数；未刷新 N：N 次采集数字没变；断档：比平常间隔长一倍以上"),
)

# The headline tiles: (key in the picture's totals, or online_viewers: the last reading's), label, kind, 口径.
_SO_FAR = "整场至今：开播后第一次采集的读数 + 各段增量（任何一段未知则为 —）"
TILES: tuple[tuple[str, str, str, str], ...] = (
    ("gmv", "成交金额", "money", f"{LABELS['gmv']}，{_SO_FAR}"),
    ("orders", "订单", "count", f"{LABELS['orders']}，{_SO_FAR}"),
    ("spend", "消耗", "money", f"千川{LABELS['spend']}，{_SO_FAR}"),
    ("roi", "ROI", "number", "整场成交金额 ÷ 整场消耗（整体支付ROI）"),
    ("online_viewers", "在线人数", "count", "最近一次采集的实时在线人数"),
    ("gpm", "GPM", "money", "整场成交金额 ÷ 整场观看人数 × 1000"),
)

# Everything the script writes itself (keys: the Chinese text, as t() in the templates).
WORDS = (
    "直播中",
    "数据断了 {n} 分钟",
    "已结束",
    "最后采集",
    "采集 {n} 次",
    "未变化 {n} 次",
    "断档 {n} 段",
    "计数重置 {n} 次",
    "实时",
    "连接中…",
    "重连中…",
    "成交进度",
    "消耗过快",
    "消耗过慢",
    "消耗进度",
    "计划此时",
    "全场目标",
    "全场预算",
    "暂无提醒",
    "还没有时段：第二次采集之后出现",
    "常态",
    "本场",
    "指标",
    "在播主播",
    "大屏没有主播列，也没有主播排班表",
    "还没有常态：需要这位主播过去的场次",
    "重置",
    "未刷新 {n}",
    "断档",
    "每分钟成交金额",
    "在线人数",
    "成交金额",
    *SEVERITY_LABELS.values(),
)


def room_href(room: Room) -> str:
    return f"/live/{quote(room.shop, safe='')}?room={quote(room.room, safe='')}"


def events_href(room: Room) -> str:
    return f"/live/{quote(room.shop, safe='')}/events?room={quote(room.room, safe='')}"


def page_context(
    lang: str, listed: Sequence[Room], chosen: Room | None, settings: LiveSettings
) -> dict[str, Any]:
    """The template's context beside ``rooms``, ``room`` and ``view`` (see :mod:`page`)."""

    def t(text: str) -> str:
        return translate(text, lang)

    several_shops = len({r.shop for r in listed}) > 1
    picker = [
        {
            "href": room_href(r),
            "label": r.name + (f" · {r.shop}" if several_shops and r.room else ""),
            "replay": r.replay and not r.name.endswith(REPLAY_SUFFIX),  # a replay twin says so itself
            "current": r == chosen,
        }
        for r in listed
    ]
    columns = [
        {"key": k, "label": t(label), "kind": kind, "title": t(title)} for k, label, kind, title in COLUMNS
    ]
    tiles = [
        {"key": k, "label": t(label), "kind": kind, "title": t(title)} for k, label, kind, title in TILES
    ]
    config = {
        "events": events_href(chosen) if chosen is not None else None,
        "columns": [{"key": c["key"], "kind": c["kind"]} for c in columns],
        "tiles": [{"key": c["key"], "kind": c["kind"]} for c in tiles],
        # An anchor's own ratios are pooled the way benchmarks.pooled pools them: sums, then divide.
        "benchmark_ratios": [
            {
                "key": key,
                "label": t(RATIO_BY_KEY[key].label),
                "numerator": RATIO_BY_KEY[key].numerator,
                "denominator": RATIO_BY_KEY[key].denominator,
                "scale": RATIO_BY_KEY[key].scale,
                "title": t(RATIO_BY_KEY[key].formula),
            }
            for key in settings.drops
        ],
        "spend_limit": settings.spend_pace,
        "benchmark_drop": settings.benchmark_drop,
        "severity": {key: t(label) for key, label in SEVERITY_LABELS.items()},
        "words": {word: t(word) for word in WORDS},
    }
    bench_title = t("这位主播过去 {n} 天在这个直播间的场次，各段合计后相除").replace(
        "{n}", str(settings.benchmark_days)
    )
    return {
        "picker": picker,
        "columns": columns,
        "tiles": tiles,
        "bench_title": bench_title,
        "live_config": config,
    }
