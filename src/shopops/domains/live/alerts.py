"""Alerts while live: each reading is judged as it comes, the same way afterwards (``session_alerts``).

At every fresh reading *t* of a session (the end of an interval) the rules look at the last
``window`` minutes against the ``baseline`` minutes before them — sums of deltas, then ratios, so
that a 10-second feed and a 5-minute feed are judged alike and a window too small to mean anything
(fewer than ``min_denominators``, or than ``min_expected`` orders/clicks at the usual rate, after
widening the window to 3×) is not judged at all, and a drop must also be beyond chance (more than two
standard deviations of a Poisson count under what was expected):

- **drops** of 进入率 / 商品点击率 / 点击-成交率 / 观看-成交率 by ``drops`` (research §6.2);
- **under the anchor's own benchmark** (their past sessions, pooled) by ``benchmark_drop`` in two
  windows running — not said while the same ratio's drop is already said;
- **千川 spend pacing** off the 直播计划 by more than ``spend_pace`` (±30 %);
- **在线人数 cliff**: down by ``viewers_cliff`` from the highest of the two windows before;
- **1小时内退款率 spike**: the window's at least ``refund_spike`` and 3× the session's before it;
- **feed stale** (data health): no new figures for ``stale_minutes`` — a gap in the readings, or
  (live) the clock passing the last one while the session should still be on air.

A kind of alert is said once when its condition starts, again only after it cleared and
``rearm_minutes`` passed: a bad stretch is one alert, not one per reading.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shopops.domains.live.fields import RATIO_BY_KEY
from shopops.domains.live.intervals import Interval, Number, Session, divide, summed, window_ratio
from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.pacing import Pace, pace_from
from shopops.domains.live.store import PlanSlot

Benchmarks = Mapping[str, Mapping[str, float]]  # anchor → ratio key → their pooled ratio
SEVERITY_LABELS = {"critical": "严重", "warning": "提醒", "data": "数据"}


@dataclass(frozen=True)
class Alert:
    shop: str
    room: str
    kind: str  # drop:click_to_order_rate | benchmark:entry_rate | spend_fast | spend_slow | viewers_cliff | refund_spike | feed_stale
    at: dt.datetime  # the reading that shows it (for feed_stale: when the silence reached N minutes)
    severity: str  # critical | warning | data
    title: str
    detail: str
    metric: str | None = None
    value: float | None = None
    expected: float | None = None
    anchor: str | None = None
    product: str | None = None

    @property
    def key(self) -> tuple[str, str, str, dt.datetime]:
        return (self.shop, self.room, self.kind, self.at)

    def text(self) -> str:
        where = self.room or self.shop
        return f"{where} {self.at:%H:%M} {self.title}：{self.detail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "shop": self.shop,
            "room": self.room,
            "kind": self.kind,
            "at": self.at.isoformat(sep=" "),
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
            "metric": self.metric,
            "value": self.value,
            "expected": self.expected,
            "anchor": self.anchor,
            "product": self.product,
        }


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _span(minutes: float) -> str:
    """A window's length as said: 5 分钟, or 40 秒 for one under a minute (a fast feed's settings)."""
    return f"{minutes:.0f} 分钟" if minutes >= 1 else f"{minutes * 60:.0f} 秒"


def _signed(value: float) -> str:
    return f"{value:+.0%}".replace("-", "−")


_RUNNING = ("gmv", "spend", "refund_1h_amount")


class Judge:
    """The rules over one session, reading by reading, with what each kind last said."""

    def __init__(
        self, session: Session, plan: Sequence[PlanSlot], benchmarks: Benchmarks, settings: LiveSettings
    ) -> None:
        self.session = session
        self.plan = plan
        self.benchmarks = benchmarks
        self.settings = settings
        self.window = dt.timedelta(minutes=settings.window_minutes)
        self.baseline = dt.timedelta(minutes=settings.baseline_minutes)
        self.active: set[str] = set()
        self.said: dict[str, dt.datetime] = {}
        self.alerts: list[Alert] = []
        self.ends: list[dt.datetime] = []  # of the intervals judged so far: windows by bisection
        # Running totals (the opening reading + deltas), None once a part is unknown.
        self.totals: dict[str, list[Number | None]] = {name: [] for name in _RUNNING}
        self.carried: dict[str, Number | None] = dict.fromkeys(_RUNNING, Decimal(0))  # before restarts
        self.judged = 0

    def judge_next(self) -> None:
        """Judge the next interval of the session (each once, in order: a feed's life, reading by reading)."""
        index = self.judged
        now = self.session.intervals[index]
        self.ends.append(now.end)
        if now.before_reset is not None:
            for name in _RUNNING:
                carried, before = self.carried[name], now.before_reset.get(name)
                self.carried[name] = None if carried is None or before is None else carried + before
        for name, running in self.totals.items():
            value, carried = now.reading.get(name), self.carried[name]
            running.append(None if value is None or carried is None else value + carried)
        self.judged += 1
        conditions: dict[str, Alert | None] = {}
        window = self._ending_in(now.end - self.window, now.end) or [now]
        start = window[0].start
        earlier = self._ending_in(start - self.window, start)
        for key, drop in self.settings.drops.items():
            conditions[f"drop:{key}"] = self._drop(key, drop, now)
        for key in self.settings.drops:
            if f"drop:{key}" in self.active or conditions.get(f"drop:{key}") is not None:
                conditions[f"benchmark:{key}"] = None
            else:
                conditions[f"benchmark:{key}"] = self._benchmark(key, window, earlier, now)
        conditions.update(self._pacing(now))
        conditions["viewers_cliff"] = self._cliff(now)
        conditions["refund_spike"] = self._refunds(window, now)
        for kind, alert in conditions.items():
            self._settle(kind, alert, now.end)

    def _ending_in(self, after: dt.datetime, until: dt.datetime) -> list[Interval]:
        low, high = bisect.bisect_right(self.ends, after), bisect.bisect_right(self.ends, until)
        return self.session.intervals[low:high]

    def _total_before(self, name: str, moment: dt.datetime) -> Number | None:
        """The running total at the last reading at or before ``moment``."""
        index = bisect.bisect_right(self.ends, moment)
        return self.totals[name][index - 1] if index else self.session.opening.values.get(name)

    def _settle(self, kind: str, alert: Alert | None, at: dt.datetime) -> None:
        if alert is None:
            self.active.discard(kind)
            return
        last = self.said.get(kind)
        rearmed = last is None or at - last >= dt.timedelta(minutes=self.settings.rearm_minutes)
        if kind not in self.active and rearmed:
            self.alerts.append(alert)
            self.said[kind] = at
        self.active.add(kind)

    def _alert(self, kind: str, now: Interval, severity: str, title: str, detail: str, **extra: Any) -> Alert:
        who = "；".join(
            part
            for part in (
                f"商品 {now.product}" if now.product else "",
                f"主播 {now.anchor}" if now.anchor else "",
            )
            if part
        )
        return Alert(
            self.session.shop,
            self.session.room,
            kind,
            now.end,
            severity,
            title,
            detail + (f"；{who}" if who else ""),
            anchor=now.anchor,
            product=now.product,
            **extra,
        )

    def _judged(self, key: str, intervals: Sequence[Interval]) -> float | None:
        metric = RATIO_BY_KEY[key]
        least = self.settings.min_denominators.get(metric.denominator, 0)
        denominator = summed(intervals, metric.denominator)
        if not intervals or denominator is None or float(denominator) < least:
            return None
        return window_ratio(intervals, key)

    def _expected_enough(self, key: str, ratio: float, intervals: Sequence[Interval]) -> bool:
        """Whether the window, at ``ratio``, should have held ``min_expected`` of the numerator: 4
        orders instead of 9 is noise, 12 instead of 30 is not."""
        return self._expected(key, ratio, intervals) >= self.settings.min_expected

    def _expected(self, key: str, ratio: float, intervals: Sequence[Interval]) -> float:
        denominator = summed(intervals, RATIO_BY_KEY[key].denominator)
        return ratio * float(denominator or 0) / RATIO_BY_KEY[key].scale

    def _beyond_chance(self, key: str, ratio: float, intervals: Sequence[Interval]) -> bool:
        """Whether the window's count is more than two standard deviations under what ``ratio`` would
        give (counts of orders, clicks, viewers vary like Poisson counts): a 30 % drop of 27 expected
        orders is 1.5 of them — it happens by chance every hour or two; 60 % is 3."""
        expected = self._expected(key, ratio, intervals)
        observed = float(summed(intervals, RATIO_BY_KEY[key].numerator) or 0)
        return observed < expected - 2 * math.sqrt(expected)

    def _drop(self, key: str, drop: float, now: Interval) -> Alert | None:
        """The last ``window`` minutes against the ``baseline`` before them — the window widened (to
        3×) until it should hold enough to judge, the baseline at least as long as the window."""
        for widen in (1, 2, 3):
            window = self._ending_in(now.end - widen * self.window, now.end) or [now]
            start = window[0].start
            baseline = self._ending_in(start - self.baseline, start)
            if not baseline or baseline[-1].end - baseline[0].start < self.window:
                return None  # too early in the session to have minutes to compare with
            current, before = self._judged(key, window), self._judged(key, baseline)
            if current is None or before is None or before <= 0:
                return None
            if self._expected_enough(key, before, window):
                break
        else:
            return None
        if current >= before * (1 - drop) or not self._beyond_chance(key, before, window):
            return None
        label = RATIO_BY_KEY[key].label
        minutes = (window[-1].end - window[0].start).total_seconds() / 60
        base_minutes = (baseline[-1].end - baseline[0].start).total_seconds() / 60
        detail = (
            f"近 {_span(minutes)} {_pct(current)}，之前 {_span(base_minutes)} {_pct(before)}"
            f"（{_signed(current / before - 1)}）"
        )
        return self._alert(
            f"drop:{key}", now, "warning", f"{label}掉了", detail, metric=key, value=current, expected=before
        )

    def _benchmark(
        self, key: str, window: Sequence[Interval], earlier: Sequence[Interval], now: Interval
    ) -> Alert | None:
        anchor = now.anchor
        benchmark = self.benchmarks.get(anchor or "", {}).get(key) if anchor else None
        if benchmark is None or benchmark <= 0:
            return None
        floor = benchmark * (1 - self.settings.benchmark_drop)
        current, before = self._judged(key, window), self._judged(key, earlier)
        if current is None or before is None or current >= floor or before >= floor:
            return None
        if not all(
            self._expected_enough(key, benchmark, part) and self._beyond_chance(key, benchmark, part)
            for part in (window, earlier)
        ):
            return None
        label = RATIO_BY_KEY[key].label
        detail = f"连续两段低于{anchor}的常态 {_pct(benchmark)}：{_pct(before)} → {_pct(current)}"
        return self._alert(
            f"benchmark:{key}",
            now,
            "warning",
            f"{label}低于主播常态",
            detail,
            metric=key,
            value=current,
            expected=benchmark,
        )

    def _pacing(self, now: Interval) -> dict[str, Alert | None]:
        found: dict[str, Alert | None] = {"spend_fast": None, "spend_slow": None}
        pace: Pace = pace_from(self.plan, now.end, self.totals["gmv"][-1], self.totals["spend"][-1])
        deviation = pace.spend_pace
        if deviation is None or pace.budget is None or pace.planned_spend is None:
            return found
        if pace.planned_spend < pace.budget * Decimal("0.05"):
            return found  # too early to say: a few yuan ahead of a few yuan is not a pace
        limit = self.settings.spend_pace
        detail = f"已消耗 {float(pace.actual_spend or 0):,.2f}，按计划此时应 {pace.planned_spend:,.2f}（{_signed(deviation)}）"
        if deviation > limit:
            found["spend_fast"] = self._alert(
                "spend_fast",
                now,
                "critical",
                f"消耗过快 {_signed(deviation)}",
                detail + "，考虑降低出价",
                metric="spend",
                value=deviation,
            )
        elif deviation < -limit and now.end - self.session.start >= dt.timedelta(minutes=30):
            found["spend_slow"] = self._alert(
                "spend_slow",
                now,
                "warning",
                f"消耗过慢 {_signed(deviation)}",
                detail + "，考虑提高出价",
                metric="spend",
                value=deviation,
            )
        return found

    def _cliff(self, now: Interval) -> Alert | None:
        online = now.gauges.get("online_viewers")
        before = [
            i.gauges.get("online_viewers") for i in self._ending_in(now.end - 2 * self.window, now.end)[:-1]
        ]
        known = [int(v) for v in before if v is not None]
        if online is None or not known:
            return None
        peak = max(known)
        if peak < 50 or online > peak * (1 - self.settings.viewers_cliff):
            return None
        detail = f"在线人数 {peak:,} → {int(online):,}（{_signed(int(online) / peak - 1)}）"
        return self._alert(
            "viewers_cliff",
            now,
            "critical",
            "在线人数断崖",
            detail,
            metric="online_viewers",
            value=float(online),
            expected=float(peak),
        )

    def _refunds(self, window: Sequence[Interval], now: Interval) -> Alert | None:
        refunds, gmv = summed(window, "refund_1h_amount"), summed(window, "gmv")
        rate = divide(refunds, gmv)
        if rate is None or refunds is None or float(refunds) < 100:
            return None
        orders = summed(window, "refund_1h_orders")
        if orders is not None and orders < 3:
            return None  # one or two refunds in a thin window are no spike
        start = window[0].start
        before = divide(self._total_before("refund_1h_amount", start), self._total_before("gmv", start))
        floor = max(self.settings.refund_spike, 3 * before if before is not None else 0.0)
        if rate < floor:
            return None
        since = "" if before is None else f"，本场此前 {_pct(before)}"
        minutes = (window[-1].end - window[0].start).total_seconds() / 60
        detail = f"近 {_span(minutes)} 1小时内退款率 {_pct(rate)}（退款 {float(refunds):,.2f}）{since}"
        return self._alert(
            "refund_spike",
            now,
            "critical",
            "1小时内退款率飙升",
            detail,
            metric="refund_1h_rate",
            value=rate,
            expected=before,
        )


def session_alerts(
    session: Session,
    *,
    plan: Sequence[PlanSlot] = (),
    benchmarks: Benchmarks | None = None,
    settings: LiveSettings,
    now: dt.datetime | None = None,
) -> list[Alert]:
    """Every alert of the session, in time order, as they were (or would have been) said live.
    ``now``: the clock of a session still on air (the stale-feed check after the last reading)."""
    judge = Judge(session, plan, benchmarks or {}, settings)
    return judge_session(judge, now=now)


def judge_session(judge: Judge, *, now: dt.datetime | None = None) -> list[Alert]:
    """Judge the session's intervals not judged yet; every alert so far, in time order. A live room
    keeps its judge and calls this at each reading (each interval is judged once); ``now`` adds the
    stale-feed check after the last reading."""
    session, settings = judge.session, judge.settings
    stale = dt.timedelta(minutes=settings.stale_minutes)
    while judge.judged < len(session.intervals):
        interval = session.intervals[judge.judged]
        if interval.end - interval.start > stale:  # a silence inside the session
            judge.alerts.append(_stale(session, interval.start, interval.start + stale))
        judge.judge_next()
    found = list(judge.alerts)
    last = session.end
    if now is not None and now - last >= stale and _on_air(session, judge.plan, now, settings):
        found.append(_stale(session, last, last + stale))
    return sorted(found, key=lambda a: a.at)


def _on_air(session: Session, plan: Sequence[PlanSlot], now: dt.datetime, settings: LiveSettings) -> bool:
    """Whether the room should still be sending: before the plan's end, or (no plan) not silent for
    a whole session gap (then the live is over)."""
    if plan:
        return now < max(slot.ends_at for slot in plan)
    return now - session.end < dt.timedelta(minutes=settings.session_gap_minutes)


def _stale(session: Session, last: dt.datetime, at: dt.datetime) -> Alert:
    minutes = (at - last).total_seconds() / 60
    return Alert(
        session.shop,
        session.room,
        "feed_stale",
        at,
        "data",
        "数据断了",
        f"{minutes:.0f} 分钟没有新的大屏数据（最后一次 {last:%H:%M:%S}）：看看采集工具和大屏页面是否还在刷新",
    )
