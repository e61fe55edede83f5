"""The ``live:`` section of shopops.yaml: which shop a room belongs to, and the alert thresholds.

Every key is optional; the defaults follow the practice in next-batch-research §6.2 (the capture
tool's drop thresholds, the budget pacer's ±30 %) with the noise guards ShopOps adds (a window of
minutes rather than one snapshot, a least denominator before a ratio is judged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from shopops.errors import UserError

# Drop of a ratio against the minutes before that is worth a message (research §6.2: 进入率 25 %,
# 商品点击率 25 %, 商品转化率 40 %, 观看成交转化率 30 %).
DROPS = {
    "entry_rate": 0.25,
    "product_click_rate": 0.25,
    "click_to_order_rate": 0.40,
    "view_to_order_rate": 0.30,
}
# The least denominator of a window before its ratio is judged: 3 orders out of 40 clicks is noise.
MIN_DENOMINATORS = {"exposures": 300, "product_exposures": 200, "product_clicks": 60, "viewers": 100}


class LiveSettingsError(UserError):
    """A ``live:`` section that cannot be used, said in one line."""


@dataclass(frozen=True)
class LiveSettings:
    rooms: dict[str, str] = field(default_factory=dict)  # room → shop
    stale_minutes: float = 5.0  # no new figures for this long while live: the feed is broken
    throttle_minutes: float = 10.0  # one message per room per this many minutes
    session_gap_minutes: float = 60.0  # a longer silence ends a session
    window_minutes: float = 5.0  # the minutes judged …
    baseline_minutes: float = 15.0  # … against the minutes before them
    rearm_minutes: float = 20.0  # an alert of one kind comes again only after this long
    min_expected: float = 20.0  # a ratio is judged on a window that should hold this many (orders …)
    benchmark_drop: float = 0.25  # two windows this far under the anchor's own past sessions
    benchmark_days: int = 30
    spend_pace: float = 0.30  # 千川 spend ahead of/behind the plan by more than this
    viewers_cliff: float = 0.40  # 在线人数 down by this much within the window × 2
    refund_spike: float = 0.10  # 1小时内退款率 of the window at least this and 3× the session's
    push: bool = True  # push alerts to shopops.yaml's push channels
    drops: dict[str, float] = field(default_factory=lambda: dict(DROPS))
    min_denominators: dict[str, int] = field(default_factory=lambda: dict(MIN_DENOMINATORS))


_NUMBERS = {f.name for f in fields(LiveSettings)} - {"rooms", "push", "drops", "min_denominators"}


def live_settings(raw: Mapping[str, Any]) -> LiveSettings:
    """``raw``: the parsed shopops.yaml (``Settings.raw``)."""
    section = raw.get("live") or {}
    where = "shopops.yaml live:"
    if not isinstance(section, Mapping):
        raise LiveSettingsError(f"{where} 应是一组设置（rooms:, stale_minutes: …），不是 {section!r}")
    unknown = sorted(set(section) - _NUMBERS - {"rooms", "push", "drops", "min_denominators"})
    if unknown:
        known = "、".join(sorted({*_NUMBERS, "rooms", "push", "drops", "min_denominators"}))
        raise LiveSettingsError(f"{where} 不认识的设置 {'、'.join(map(str, unknown))} — 可用的有：{known}")
    settings = LiveSettings()
    changes: dict[str, Any] = {}
    for key in _NUMBERS & set(section):
        value = section[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise LiveSettingsError(f"{where} {key}: {value!r} 应是大于 0 的数")
        changes[key] = type(getattr(settings, key))(value)
    rooms = section.get("rooms") or {}
    if not isinstance(rooms, Mapping) or not all(isinstance(v, str) and v for v in rooms.values()):
        raise LiveSettingsError(
            f"{where} rooms: 每行写「直播间名: 店铺名」，例如 山野好物直播间: 山野好物抖音店"
        )
    changes["rooms"] = {str(room): shop for room, shop in rooms.items()}
    if "push" in section:
        changes["push"] = bool(section["push"])
    for key, defaults in (("drops", DROPS), ("min_denominators", MIN_DENOMINATORS)):
        given = section.get(key) or {}
        if not isinstance(given, Mapping) or set(given) - set(defaults):
            raise LiveSettingsError(f"{where} {key}: 只能写 {'、'.join(defaults)}")
        changes[key] = {**defaults, **{k: float(v) if key == "drops" else int(v) for k, v in given.items()}}
    return replace(settings, **changes)


def check_settings(con: object, settings: Mapping[str, Any]) -> None:
    """The settings hook: a bad ``live:`` section is refused when the workspace opens, by every command
    (not at the first reading of a live, when nobody is looking at a terminal)."""
    del con
    live_settings(settings)
