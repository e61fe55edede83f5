"""Each live alert on a hand-built session, the pacing rule, re-arming, and the per-room throttle.

Every session here starts at 20:00 with a reading each minute; ``minutes`` lists each minute's
increments (what happened in it), so each figure below can be worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shopops.domains.live.alerts import Alert, session_alerts
from shopops.domains.live.intervals import Session, Snapshot, split_sessions
from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.pacing import pace_at, planned_to
from shopops.domains.live.store import PlanSlot
from shopops.domains.live.throttle import Throttle

T0 = dt.datetime(2026, 11, 28, 20, 0)
NORMAL = {
    "gmv": 800,
    "orders": 8,
    "viewers": 100,
    "exposures": 1000,
    "product_clicks": 100,
    "product_exposures": 400,
}
ONLY_CLICKS = LiveSettings(drops={"click_to_order_rate": 0.40})


def at(minute: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minute)


def session(minutes: list[dict[str, Any]], online: list[int] | None = None) -> Session:
    totals: dict[str, Any] = dict.fromkeys({*NORMAL, "spend", "refund_1h_amount"}, 0)
    readings = [Snapshot(T0, {**_typed(totals), "online_viewers": online[0] if online else None})]
    for minute, increments in enumerate(minutes, start=1):
        for name, value in increments.items():
            totals[name] += value
        gauge = online[minute] if online else None
        readings.append(Snapshot(at(minute), {**_typed(totals), "online_viewers": gauge}))
    (found,) = split_sessions(readings, "店", "")
    return found


def _typed(totals: dict[str, Any]) -> dict[str, Any]:
    money = ("gmv", "spend", "refund_1h_amount")
    return {name: Decimal(value) if name in money else value for name, value in totals.items()}


def kinds(alerts: list[Alert]) -> list[tuple[str, dt.datetime]]:
    return [(a.kind, a.at) for a in alerts]


def test_a_click_to_order_drop_is_said_once_when_the_window_falls_40_percent_under_the_minutes_before() -> (
    None
):
    low = {**NORMAL, "orders": 2, "gmv": 200}
    found = session_alerts(session([NORMAL] * 20 + [low] * 10), settings=ONLY_CLICKS)
    # Minute 22: the last 5 minutes have 8+8+8+2+2 = 28 orders on 500 clicks = 5.6 %, the 15 before
    # 8 % → −30 %, not yet 40 %. Minute 23: 22 / 500 = 4.4 % → −45 %: said. It stays bad to minute 30
    # and is not said again.
    assert kinds(found) == [("drop:click_to_order_rate", at(23))]
    (alert,) = found
    assert alert.title == "点击-成交率掉了"
    assert alert.detail == "近 5 分钟 4.4%，之前 15 分钟 8.0%（−45%）"
    assert (alert.value, alert.expected) == (0.044, 0.08)


def test_a_window_under_the_least_denominator_is_not_judged() -> None:
    thin = {**NORMAL, "product_clicks": 10, "orders": 1}  # 50 clicks in 5 minutes < 60
    dead = {**thin, "orders": 0}
    assert session_alerts(session([thin] * 20 + [dead] * 10), settings=ONLY_CLICKS) == []


def test_under_the_anchors_own_benchmark_in_two_windows_running() -> None:
    steady = {**NORMAL, "orders": 7, "gmv": 700}  # 7 % all along: no drop against the minutes before
    anchored = session([steady] * 12)
    for interval in anchored.intervals:
        interval.anchor = "小雅"
    found = session_alerts(anchored, benchmarks={"小雅": {"click_to_order_rate": 0.10}}, settings=ONLY_CLICKS)
    # Her benchmark 10 % × (1 − 25 %) = 7.5 %: both windows at 7 % are under it from minute 6 on. Then
    # each must be beyond chance: n clicks at her 10 % should give 0.1 n orders, and 0.07 n must be
    # under 0.1 n − 2√(0.1 n) — true from n ≥ 445, i.e. when the window before holds 5 minutes
    # (500 clicks: 35 < 50 − 14.1). Minute 10: windows 6–10 and 1–5: said, once.
    assert kinds(found) == [("benchmark:click_to_order_rate", at(10))]
    assert found[0].detail == "连续两段低于小雅的常态 10.0%：7.0% → 7.0%；主播 小雅"


def test_spend_pacing_against_the_plan_by_its_slots_budgets() -> None:
    plan = [
        PlanSlot(at(0), at(60), None, Decimal(600), None),
        PlanSlot(at(60), at(120), None, Decimal(1200), None),
    ]
    assert planned_to(plan, "budget", at(30)) == Decimal("300.00")  # half of the first slot
    assert planned_to(plan, "budget", at(90)) == Decimal("1200.00")  # 600 + half of 1,200
    fast = session([{**NORMAL, "spend": 15}] * 12)
    assert pace_at(fast, plan, at(10)).spend_pace == 150 / 100 - 1
    found = session_alerts(fast, plan=plan, settings=ONLY_CLICKS)
    # 5 % of the 1,800 budget is 90, planned by minute 9: spent 135 there (+50 %) → 消耗过快.
    assert kinds(found) == [("spend_fast", at(9))]
    assert found[0].title == "消耗过快 +50%"
    assert found[0].detail == "已消耗 135.00，按计划此时应 90.00（+50%），考虑降低出价"
    slow = session([{**NORMAL, "spend": 5}] * 35)
    # −50 % from minute 9 on, but "too slow" waits for the first 30 minutes (the room warms up).
    assert kinds(session_alerts(slow, plan=plan, settings=ONLY_CLICKS)) == [("spend_slow", at(30))]


def test_online_viewers_falling_off_a_cliff() -> None:
    online = [400] * 15 + [200] + [380] * 5
    found = session_alerts(session([NORMAL] * 20, online), settings=ONLY_CLICKS)
    # 200 against the highest of the 10 minutes before (400): −50 % ≥ 40 %.
    assert kinds(found) == [("viewers_cliff", at(15))]
    assert found[0].detail == "在线人数 400 → 200（−50%）"


def test_a_one_hour_refund_spike() -> None:
    calm = {**NORMAL, "gmv": 1000, "refund_1h_amount": 10}
    spike = {**calm, "refund_1h_amount": 300}
    found = session_alerts(session([calm] * 19 + [spike] * 6), settings=ONLY_CLICKS)
    # Minute 20: (4 × 10 + 300) / 5,000 = 6.8 % < 10 %. Minute 21: 620 / 5,000 = 12.4 % ≥ max(10 %, 3 × 1 %).
    assert kinds(found) == [("refund_spike", at(21))]


def test_no_new_figures_for_five_minutes_is_a_data_alert_inside_a_session_and_after_it_while_on_air() -> None:
    # Readings every minute 20:00–20:10 and 20:20–20:30; the nine between never came.
    gap = split_sessions(
        [Snapshot(at(m), {"gmv": Decimal(m), "orders": m}) for m in [*range(0, 11), *range(20, 31)]], "店", ""
    )[0]
    found = session_alerts(gap, settings=ONLY_CLICKS)
    assert kinds(found) == [("feed_stale", at(15))]
    assert found[0].severity == "data"
    assert found[0].detail.startswith("5 分钟没有新的大屏数据（最后一次 20:10:00）")
    # Live, after the last reading (20:30): said at 20:35 once the clock passes it, while on air …
    assert kinds(session_alerts(gap, settings=ONLY_CLICKS, now=at(36)))[-1] == ("feed_stale", at(35))
    assert kinds(session_alerts(gap, settings=ONLY_CLICKS, now=at(34))) == [("feed_stale", at(15))]
    # … but not once the plan is over (the live ended, it did not break).
    over = [PlanSlot(at(0), at(30), Decimal(1000), None, None)]
    assert kinds(session_alerts(gap, plan=over, settings=ONLY_CLICKS, now=at(36))) == [("feed_stale", at(15))]


def test_an_alert_comes_again_only_after_clearing_and_the_rearm_time() -> None:
    online = [400] * 11 + [200] + [400] * 10 + [200] + [400] * 20 + [200]
    found = session_alerts(session([NORMAL] * 43, online), settings=ONLY_CLICKS)
    # 20:11 said; 20:22 is back within 20 minutes: not said; 20:43 (32 minutes after): said.
    assert kinds(found) == [("viewers_cliff", at(11)), ("viewers_cliff", at(43))]


def test_the_throttle_sends_the_first_holds_the_rest_and_sends_them_as_one_when_the_window_closes() -> None:
    throttle = Throttle(minutes=10)
    room = ("店", "")

    def alert(kind: str, minute: int, severity: str = "warning") -> Alert:
        return Alert("店", "", kind, at(minute), severity, kind, "")

    first = throttle.offer(room, alert("drop:entry_rate", 1), at(1))
    assert first is not None and [a.kind for a in first.alerts] == ["drop:entry_rate"]
    assert throttle.offer(room, alert("spend_fast", 3), at(3)) is None
    assert throttle.offer(room, alert("viewers_cliff", 6), at(6)) is None
    stale = throttle.offer(room, alert("feed_stale", 7, "data"), at(7))  # data health is never held
    assert stale is not None and not stale.digest
    assert throttle.due(room, at(10)) is None  # the window is open until 20:11
    digest = throttle.due(room, at(11))
    assert digest is not None and digest.digest
    assert [a.kind for a in digest.alerts] == ["spend_fast", "viewers_cliff"]
    assert throttle.due(room, at(30)) is None  # nothing held any more
    other = throttle.offer(("店", "B"), alert("spend_fast", 12), at(12))
    assert other is not None  # the throttle is per room
