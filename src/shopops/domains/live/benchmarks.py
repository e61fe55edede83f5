"""An anchor's own benchmark: their ratios over the room's past sessions, pooled (sums, then divide).

The capture tool compares each anchor with a reference line of their own (research §6.2: 进入率,
商品点击率, 商品转化率, 观看成交转化率 per 主播). ShopOps makes that line from the feed itself: every
interval of the room's sessions in the ``days`` before this one, credited to the anchor on air at
its middle. A ratio whose pooled denominator is under ten windows' worth is not a benchmark yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import duckdb

from shopops.domains.live.fields import RATIO_BY_KEY
from shopops.domains.live.intervals import Interval, Session, attribute, split_sessions, window_ratio
from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.store import load_snapshots, shifts


def anchor_benchmarks(
    cursor: duckdb.DuckDBPyConnection,
    shop: str,
    room: str,
    before: dt.datetime,
    settings: LiveSettings,
) -> dict[str, dict[str, float]]:
    """anchor → ratio key → pooled ratio, from the room's readings before ``before`` (the session's start)."""
    start = before - dt.timedelta(days=settings.benchmark_days)
    gap = dt.timedelta(minutes=settings.session_gap_minutes)
    sessions = split_sessions(load_snapshots(cursor, shop, room, start, before), shop, room, gap=gap)
    if sessions:
        on_air = shifts(cursor, shop, sessions[0].start, sessions[-1].end)
        for session in sessions:
            attribute(session, on_air, ())
    return pooled(sessions, settings)


def pooled(sessions: Iterable[Session], settings: LiveSettings) -> dict[str, dict[str, float]]:
    by_anchor: dict[str, list[Interval]] = defaultdict(list)
    for session in sessions:
        for interval in session.intervals:
            if interval.anchor and not interval.reset:
                by_anchor[interval.anchor].append(interval)
    found: dict[str, dict[str, float]] = {}
    for anchor, intervals in by_anchor.items():
        ratios: dict[str, float] = {}
        for key in settings.drops:
            denominator = RATIO_BY_KEY[key].denominator
            least = settings.min_denominators.get(denominator, 0) * 10
            known = [i for i in intervals if i.deltas.get(denominator) is not None]
            total = sum(float(i.deltas[denominator] or 0) for i in known)
            value = window_ratio(known, key) if total >= least else None
            if value is not None:
                ratios[key] = value
        if ratios:
            found[anchor] = ratios
    return found
