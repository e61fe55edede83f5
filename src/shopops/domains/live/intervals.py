"""Snapshots → sessions → intervals: a board's cumulative counters turned into what happened between
two readings (pure functions; the warehouse is read in :mod:`shopops.domains.live.store`).

The rules, each with its reason:

- **Order.** Snapshots are taken in ``captured_at`` order, whatever order they arrived in.
- **Sessions.** A silence longer than ``session_gap`` (60 min) ends a session; a session keeps going
  across midnight and belongs to the day it started.
- **Unchanged snapshots.** A snapshot whose every counter and gauge equals the one before is the
  page not refreshing (research §6.2), not a quiet minute — a live room's 曝光 always moves. It is
  folded into the next interval (``stale`` counts it) instead of making an interval of zeros.
- **Gaps.** Missing readings make one longer interval; its deltas are exact over its span, and a
  per-minute figure divides by its real length. ``gap`` marks an interval over twice the usual step.
- **Resets.** A counter that only grows (成交金额, 曝光 …) and falls means the board restarted
  counting (a new board day, a reloaded page). Every counter of that interval is then taken as
  counted from zero — the reading itself — and the interval says ``reset``: what happened between
  the reading before and the restart is not on the board. 净成交 may fall (refunds): never a reset.
- **Unknown.** A counter unknown at either end ("--") has an unknown delta, never 0; a ratio whose
  denominator is unknown or 0 is unknown ("—").
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shopops.domains.live.fields import COUNTERS, FIELDS, GAUGES, MONOTONIC, RATIOS, IntervalMetric

SESSION_GAP = dt.timedelta(minutes=60)
Number = Decimal | int | float


@dataclass(frozen=True)
class Snapshot:
    captured_at: dt.datetime
    values: Mapping[str, Any]  # FIELDS → Decimal (money) | int | float | None
    anchor: str | None = None
    received_at: dt.datetime | None = None

    def same_figures(self, other: Snapshot) -> bool:
        return all(self.values.get(name) == other.values.get(name) for name in FIELDS)


@dataclass
class Interval:
    start: dt.datetime
    end: dt.datetime
    deltas: dict[str, Number | None]
    gauges: dict[str, Number | None]
    anchor: str | None = None
    product: str | None = None  # the plan's run order at the interval's middle
    reset: bool = False
    stale: int = 0  # unchanged snapshots folded into this interval
    gap: bool = False
    # The board's 主播 at both ends when they differ (the anchor changed within the interval): the
    # 排班表 at the middle decides, else the one who was on air when it began.
    handover: tuple[str | None, str | None] | None = None
    # A reset interval: the readings before the restart, what the board had counted until then.
    before_reset: Mapping[str, Any] | None = None
    reading: Mapping[str, Any] = field(default_factory=dict)  # the board at the interval's end

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    @property
    def middle(self) -> dt.datetime:
        return self.start + (self.end - self.start) / 2

    def ratio(self, key: str) -> float | None:
        return window_ratio([self], key)

    def per_minute(self, name: str) -> float | None:
        value = self.deltas.get(name)
        return None if value is None or self.minutes <= 0 else float(value) / self.minutes


@dataclass
class Session:
    shop: str
    room: str
    opening: Snapshot  # the first reading: what the board had counted before ShopOps saw it
    intervals: list[Interval] = field(default_factory=list)
    last: Snapshot | None = None  # the last reading with new figures
    last_seen: dt.datetime | None = None  # the last reading at all (an unchanged one too)
    snapshots: int = 1
    stale: int = 0  # unchanged snapshots in the session (the page did not refresh)
    pending_stale: int = 0  # … since the last fresh one: folded into the next interval

    @property
    def start(self) -> dt.datetime:
        return self.opening.captured_at

    @property
    def end(self) -> dt.datetime:
        return (self.last or self.opening).captured_at

    @property
    def date(self) -> dt.date:
        return self.start.date()

    def total(self, name: str) -> Number | None:
        """The session so far: the board's last reading (its counters count from the session's
        start), plus what it had counted before each restart. A counter shown as "--" early on (1小时内
        退款 before the first refund) does not make the total unknown; one unknown at the end does."""
        return total_through(self, name, len(self.intervals))

    def total_ratio(self, key: str) -> float | None:
        metric = ratio_metric(key)
        return divide(self.total(metric.numerator), self.total(metric.denominator), metric.scale)

    def step_seconds(self) -> float | None:
        """The usual time between readings (the median), what a gap and a stale feed are judged by."""
        steps = [(i.end - i.start).total_seconds() / (i.stale + 1) for i in self.intervals]
        return statistics.median(steps) if steps else None


def total_through(session: Session, name: str, count: int) -> Number | None:
    """The session's counter at the end of its first ``count`` intervals (0: the opening reading)."""
    if count == 0:
        return session.opening.values.get(name)
    value: Number | None = session.intervals[count - 1].reading.get(name)
    for interval in session.intervals[:count]:
        if interval.before_reset is not None:
            carried = interval.before_reset.get(name)
            if value is None or carried is None:
                return None
            value = value + carried
    return value


def ratio_metric(key: str) -> IntervalMetric:
    for metric in RATIOS:
        if metric.key == key:
            return metric
    raise KeyError(key)


def divide(numerator: Number | None, denominator: Number | None, scale: int = 1) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator) * scale


def window_ratio(intervals: Iterable[Interval], key: str) -> float | None:
    """The ratio over several intervals: the sums of the deltas, then the division (never a mean)."""
    metric = ratio_metric(key)
    return divide(summed(intervals, metric.numerator), summed(intervals, metric.denominator), metric.scale)


def summed(intervals: Iterable[Interval], name: str) -> Number | None:
    total: Number | None = None
    for interval in intervals:
        value = interval.deltas.get(name)
        if value is None:
            return None
        total = value if total is None else total + value  # type: ignore[operator]
    return total


def split_sessions(
    snapshots: Iterable[Snapshot], shop: str, room: str, *, gap: dt.timedelta = SESSION_GAP
) -> list[Session]:
    """The room's snapshots as sessions of intervals (see the module's rules)."""
    ordered = sorted(snapshots, key=lambda s: s.captured_at)
    sessions: list[Session] = []
    for snapshot in ordered:
        current = sessions[-1] if sessions else None
        if current is None or snapshot.captured_at - (current.last_seen or current.start) > gap:
            sessions.append(Session(shop, room, snapshot, last_seen=snapshot.captured_at))
            continue
        _add(current, snapshot)
    for session in sessions:
        _mark_gaps(session)
    return sessions


def _add(session: Session, snapshot: Snapshot) -> None:
    session.snapshots += 1
    session.last_seen = snapshot.captured_at
    previous = session.last or session.opening
    if snapshot.captured_at == previous.captured_at:
        return  # the same reading twice (the store keeps one; a caller may not)
    if snapshot.same_figures(previous):
        session.stale += 1
        session.pending_stale += 1
        return
    session.intervals.append(interval_between(previous, snapshot, stale=session.pending_stale))
    session.pending_stale = 0
    session.last = snapshot


def interval_between(before: Snapshot, after: Snapshot, *, stale: int = 0) -> Interval:
    reset = any(
        before.values.get(name) is not None
        and after.values.get(name) is not None
        and after.values[name] < before.values[name]
        for name in MONOTONIC
    )
    deltas: dict[str, Number | None] = {}
    for name in COUNTERS:
        now, then = after.values.get(name), before.values.get(name)
        if reset:
            deltas[name] = now
        else:
            deltas[name] = None if now is None or then is None else now - then
    # A change of 主播 only when both readings name one (a blank is no evidence of a change).
    changed = before.anchor and after.anchor and before.anchor != after.anchor
    handover = (before.anchor, after.anchor) if changed else None
    return Interval(
        start=before.captured_at,
        end=after.captured_at,
        deltas=deltas,
        gauges={name: after.values.get(name) for name in GAUGES},
        anchor=None if handover else after.anchor or before.anchor,
        reset=reset,
        stale=stale,
        handover=handover,
        before_reset=dict(before.values) if reset else None,
        reading=after.values,
    )


def _mark_gaps(session: Session) -> None:
    step = session.step_seconds()
    if step is None:
        return
    for interval in session.intervals:
        seconds = (interval.end - interval.start).total_seconds()
        interval.gap = interval.stale == 0 and seconds > 2 * step


# -- who was on air, which product ran ------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A time slot with a name: an anchor's shift (主播排班表) or a product's run (直播计划)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    name: str


def name_at(slots: Sequence[Slot], moment: dt.datetime) -> str | None:
    for slot in slots:
        if slot.starts_at <= moment < slot.ends_at:
            return slot.name
    return None


def attribute(session: Session, shifts: Sequence[Slot], products: Sequence[Slot]) -> None:
    """Name each interval's anchor — the board's 主播 when both its readings name the same one, else
    the 排班表 at the interval's middle, else (the board changed anchor in the interval, no 排班表)
    the one on air when it began, as the capture tool stamps each reading with who is on air at
    that moment — and its product (the plan's run order at the middle)."""
    for interval in session.intervals:
        if not interval.anchor:
            scheduled = name_at(shifts, interval.middle)
            interval.anchor = scheduled or (interval.handover[0] if interval.handover else None)
        interval.product = name_at(products, interval.middle)


def interval_record(interval: Interval) -> dict[str, Any]:
    """One interval as data (DESIGN §5: start end gmv_delta orders_delta spend_delta online_viewers roi …)."""
    record: dict[str, Any] = {
        "start": interval.start,
        "end": interval.end,
        "minutes": round(interval.minutes, 4),
        "anchor": interval.anchor,
        "product": interval.product,
    }
    for name in COUNTERS:
        record[f"{name}_delta"] = interval.deltas.get(name)
    for name in GAUGES:
        record[name] = interval.gauges.get(name)
    for metric in RATIOS:
        record[metric.key] = interval.ratio(metric.key)
    record["gmv_per_minute"] = interval.per_minute("gmv")
    record["reset"] = interval.reset
    record["stale"] = interval.stale
    record["gap"] = interval.gap
    return record
