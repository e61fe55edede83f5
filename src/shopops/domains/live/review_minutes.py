"""The minute-level 直播复盘: one 罗盘 session's GMV per anchor shift and per product segment, from the
room's 直播大屏 snapshot feed (``live_snapshot``).

The feed session that goes with a 罗盘 session is found by shop and time: of the shop's rooms (not a
``shopops live replay``), the one whose feed sessions overlap the 罗盘 session's 直播开始时间–结束时间
the longest. Its intervals (:mod:`shopops.domains.live.intervals`) whose middle falls inside the
罗盘 session are the session's; each is credited whole to the anchor and to the product at its
middle (``intervals.attribute``: the board's 主播 when it has one, else the 主播排班表; the 直播计划's
run order). Consecutive intervals credited to the same name make one segment (a row).

Every figure of a segment is a sum of deltas, and its ratios are recomputed from those sums
(``intervals.window_ratio``), never a mean of the intervals' ratios. A delta unknown in any interval
(the board showed "--") makes the segment's sum unknown, never 0.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import duckdb

from shopops.domains.live.intervals import (
    SESSION_GAP,
    Interval,
    Number,
    Session,
    Slot,
    attribute,
    divide,
    split_sessions,
    summed,
    window_ratio,
)
from shopops.domains.live.store import load_snapshots, plan_slots, rooms, shifts

# How far around the 罗盘 session the feed is read: a feed session that began earlier is read whole.
_MARGIN = dt.timedelta(hours=24)
Kind = Literal["anchor", "product"]
RATIO_KEYS = ("view_to_order_rate", "click_to_order_rate", "product_click_rate", "roi")


@dataclass(frozen=True)
class Segment:
    """Consecutive intervals credited to one anchor (a shift) or one product (a run of the plan)."""

    name: str | None  # None: no anchor on the 排班表 / no product in the plan at those minutes
    start: dt.datetime
    end: dt.datetime
    minutes: float
    intervals: int
    gmv: Number | None
    orders: Number | None
    spend: Number | None
    gmv_per_minute: float | None
    view_to_order_rate: float | None
    click_to_order_rate: float | None
    product_click_rate: float | None
    roi: float | None
    gmv_share: float | None  # of the session's GMV (the sum of its intervals' 成交金额)

    def to_json(self, kind: Kind) -> dict[str, Any]:
        return {
            kind: self.name,
            "start": self.start.isoformat(sep=" "),
            "end": self.end.isoformat(sep=" "),
            "minutes": round(self.minutes, 4),
            "intervals": self.intervals,
            "gmv": _plain(self.gmv),
            "orders": _plain(self.orders),
            "gmv_per_minute": self.gmv_per_minute,
            "view_to_order_rate": self.view_to_order_rate,
            "click_to_order_rate": self.click_to_order_rate,
            "product_click_rate": self.product_click_rate,
            "spend": _plain(self.spend),
            "roi": self.roi,
            "gmv_share": self.gmv_share,
        }


@dataclass
class MinuteReview:
    """The feed's side of one 罗盘 session: its coverage, totals, segments and what to know about it."""

    shop: str
    room: str
    start: dt.datetime  # the first counted interval's start …
    end: dt.datetime  # … and the last one's end
    snapshots: int
    total: Segment  # every counted interval as one segment (name None)
    by_anchor: list[Segment] = field(default_factory=list)  # empty: no 排班表 and no 主播 on the board
    by_product: list[Segment] = field(default_factory=list)  # empty: no 直播计划 with products
    resets: list[dt.datetime] = field(default_factory=list)  # the readings where the board restarted
    stale: int = 0  # unchanged readings folded into the next interval
    gaps: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # intervals over 2× the step
    breaks: list[tuple[dt.datetime, dt.datetime]] = field(
        default_factory=list
    )  # silences between feed sessions
    unknown_gmv: int = 0  # intervals whose 成交金额 is unknown ("--" at either end)
    opening_at: dt.datetime | None = None  # the feed's first reading …
    opening_gmv: Number | None = None  # … and the 成交金额 the board had counted by then (not credited)
    outside: int = 0  # intervals of the feed whose middle lies outside the 罗盘 session: not counted
    outside_gmv: Number | None = None
    has_shifts: bool = False
    has_plan: bool = False

    def notes(self) -> list[str]:
        """What a reader should know about the feed behind the tables, each a short clause."""
        notes = []
        if self.resets:
            notes.append(
                f"大屏重新计数 {len(self.resets)} 次（{_times(self.resets)}，重新计数前未读到的成交不在表里）"
            )
        if self.stale:
            notes.append(f"{self.stale} 次采集数字没变（页面未刷新），并入下一区间")
        if self.gaps:
            spans = "、".join(f"{_hm(a)}–{_hm(b)}" for a, b in self.gaps)
            notes.append(f"断档 {len(self.gaps)} 处（{spans}），整段按中点归属")
        if self.breaks:
            spans = "、".join(f"{_hm(a)}–{_hm(b)}" for a, b in self.breaks)
            notes.append(f"采集中断 {spans}（这段的成交不在表里）")
        if self.unknown_gmv:
            notes.append(f"{self.unknown_gmv} 个区间成交金额未知（大屏显示 --），含它的合计为 —")
        if self.opening_gmv and self.opening_at is not None:
            gmv = f"{float(self.opening_gmv):,.2f}"
            notes.append(f"首次采集（{_hm(self.opening_at)}）时大屏已累计成交 {gmv}，未分到主播/商品")
        if self.outside:
            gmv = "—" if self.outside_gmv is None else f"{float(self.outside_gmv):,.2f}"
            notes.append(f"本场时间之外的 {self.outside} 个区间未计入（成交 {gmv}）")
        return notes

    def to_json(self) -> dict[str, Any]:
        return {
            "room": self.room,
            "start": self.start.isoformat(sep=" "),
            "end": self.end.isoformat(sep=" "),
            "snapshots": self.snapshots,
            "intervals": self.total.intervals,
            "minutes": round(self.total.minutes, 4),
            "gmv": _plain(self.total.gmv),
            "orders": _plain(self.total.orders),
            "spend": _plain(self.total.spend),
            "resets": len(self.resets),
            "stale_snapshots": self.stale,
            "gaps": len(self.gaps),
            "breaks": len(self.breaks),
            "notes": self.notes(),
        }


def minute_review(
    con: duckdb.DuckDBPyConnection,
    shop: str,
    started: dt.datetime,
    ended: dt.datetime | None,
    *,
    gap: dt.timedelta = SESSION_GAP,
) -> MinuteReview | None:
    """The minute-level figures of the shop's 罗盘 session ``started``–``ended`` (None: no end known,
    the feed decides), or None when no room's feed covers it."""
    best: tuple[float, str, list[Session], list[Interval]] | None = None
    for room in rooms(con, [shop]):
        if room.replay:
            continue
        snapshots = load_snapshots(con, shop, room.room, started - _MARGIN, (ended or started) + _MARGIN)
        sessions = [
            s
            for s in split_sessions(snapshots, shop, room.room, gap=gap)
            if _overlaps(s, started, ended, gap)
        ]
        counted = [i for s in sessions for i in s.intervals if _inside(i.middle, started, ended)]
        seconds = sum((i.end - i.start).total_seconds() for i in counted)
        if counted and (best is None or seconds > best[0] or (seconds == best[0] and room.room == "")):
            best = (seconds, room.room, sessions, counted)
    if best is None:
        return None
    _, room_name, sessions, counted = best
    on_air = shifts(con, shop, sessions[0].start, sessions[-1].end)
    products: list[Slot] = []
    for session in sessions:
        plan = plan_slots(con, shop, room_name, session.date)
        products += [Slot(p.starts_at, p.ends_at, p.product) for p in plan if p.product]
    for session in sessions:
        attribute(session, on_air, products)
    all_intervals = [i for s in sessions for i in s.intervals]
    outside = [i for i in all_intervals if not _inside(i.middle, started, ended)]
    session_gmv = summed(counted, "gmv")
    first = sessions[0]
    review = MinuteReview(
        shop=shop,
        room=room_name,
        start=counted[0].start,
        end=counted[-1].end,
        snapshots=sum(s.snapshots for s in sessions),
        total=_segment(None, counted, session_gmv),
        resets=[i.end for i in counted if i.reset],
        stale=sum(i.stale for i in counted),
        gaps=[(i.start, i.end) for i in counted if i.gap],
        breaks=[(a.end, b.start) for a, b in itertools.pairwise(sessions)],
        unknown_gmv=sum(i.deltas.get("gmv") is None for i in counted),
        opening_at=first.start,
        opening_gmv=first.opening.values.get("gmv"),
        outside=len(outside),
        outside_gmv=summed(outside, "gmv"),
        has_shifts=bool(on_air) or any(i.anchor for i in counted),
        has_plan=bool(products),
    )
    if review.has_shifts:
        review.by_anchor = segments(counted, lambda i: i.anchor, session_gmv)
    if review.has_plan:
        review.by_product = segments(counted, lambda i: i.product, session_gmv)
    return review


def segments(
    intervals: Sequence[Interval], name_of: Callable[[Interval], str | None], session_gmv: Number | None
) -> list[Segment]:
    """Runs of consecutive intervals with the same name (``name_of(interval)``), in time order."""
    runs: list[tuple[str | None, list[Interval]]] = []
    for interval in intervals:
        name = name_of(interval)
        if runs and runs[-1][0] == name:
            runs[-1][1].append(interval)
        else:
            runs.append((name, [interval]))
    return [_segment(name, run, session_gmv) for name, run in runs]


def _segment(name: str | None, intervals: Sequence[Interval], session_gmv: Number | None) -> Segment:
    minutes = sum(i.minutes for i in intervals)
    gmv = summed(intervals, "gmv")
    ratios = {key: window_ratio(intervals, key) for key in RATIO_KEYS}
    return Segment(
        name=name,
        start=intervals[0].start,
        end=intervals[-1].end,
        minutes=minutes,
        intervals=len(intervals),
        gmv=gmv,
        orders=summed(intervals, "orders"),
        spend=summed(intervals, "spend"),
        gmv_per_minute=divide(gmv, minutes),
        view_to_order_rate=ratios["view_to_order_rate"],
        click_to_order_rate=ratios["click_to_order_rate"],
        product_click_rate=ratios["product_click_rate"],
        roi=ratios["roi"],
        gmv_share=divide(gmv, session_gmv),
    )


def _overlaps(session: Session, started: dt.datetime, ended: dt.datetime | None, gap: dt.timedelta) -> bool:
    """Whether the feed session overlaps the 罗盘 session; without an end, the feed session under way
    at its start or begun within ``gap`` of it (at most one: feed sessions are over ``gap`` apart)."""
    return session.end >= started and session.start <= (started + gap if ended is None else ended)


def _inside(moment: dt.datetime, started: dt.datetime, ended: dt.datetime | None) -> bool:
    return started <= moment and (ended is None or moment < ended)


def _hm(moment: dt.datetime) -> str:
    return f"{moment:%H:%M}"


def _times(moments: Sequence[dt.datetime]) -> str:
    return "、".join(_hm(m) for m in moments)


def _plain(value: Number | None) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value
