"""Counters → interval deltas: order, unchanged readings, gaps, resets, net counters, midnight, unknowns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shopops.domains.live.intervals import (
    Slot,
    Snapshot,
    attribute,
    interval_record,
    split_sessions,
    window_ratio,
)

T0 = dt.datetime(2026, 11, 28, 20, 0)


def reading(minute: float, gmv: str | None, orders: int | None, **values: object) -> Snapshot:
    base: dict[str, object] = {
        "gmv": None if gmv is None else Decimal(gmv),
        "orders": orders,
        "exposures": values.pop("exposures", int(minute * 1000)),
        "viewers": values.pop("viewers", int(minute * 100)),
        "product_clicks": values.pop("product_clicks", int(minute * 50)),
        "product_exposures": values.pop("product_exposures", int(minute * 400)),
        "spend": values.pop("spend", Decimal(int(minute * 20))),
    }
    base.update(values)
    return Snapshot(T0 + dt.timedelta(minutes=minute), base, anchor=None)


def deltas(snapshots: list[Snapshot], name: str) -> list[object]:
    (session,) = split_sessions(snapshots, "店", "")
    return [i.deltas[name] for i in session.intervals]


def test_deltas_are_differences_of_readings_in_time_order_whatever_the_arrival() -> None:
    readings = [reading(1, "100.00", 1), reading(3, "450.50", 4), reading(2, "300.00", 3)]  # out of order
    (session,) = split_sessions(readings, "店", "")
    assert [(i.start.minute, i.end.minute) for i in session.intervals] == [(1, 2), (2, 3)]
    assert [i.deltas["gmv"] for i in session.intervals] == [Decimal("200.00"), Decimal("150.50")]
    assert [i.deltas["orders"] for i in session.intervals] == [2, 1]
    # The opening reading is what the board had counted before: part of the total, not an interval.
    assert session.total("gmv") == Decimal("450.50")
    assert session.opening.captured_at == T0 + dt.timedelta(minutes=1)


def test_an_unchanged_reading_is_the_page_not_refreshing_and_folds_into_the_next_interval() -> None:
    first = reading(1, "100.00", 1)
    frozen = [Snapshot(T0 + dt.timedelta(minutes=m), first.values) for m in (2, 3, 4)]
    later = reading(5, "400.00", 4)
    (session,) = split_sessions([first, *frozen, later], "店", "")
    (interval,) = session.intervals
    assert (interval.start, interval.end, interval.stale) == (first.captured_at, later.captured_at, 3)
    assert interval.deltas["gmv"] == Decimal("300.00")
    assert interval.per_minute("gmv") == 75.0  # over the 4 real minutes, not 1
    assert session.stale == 3 and session.snapshots == 5
    assert not interval.gap  # a known stretch of unchanged readings, not missing ones


def test_a_gap_is_one_longer_interval_marked_against_the_usual_step() -> None:
    readings = [reading(m, f"{m * 100}.00", m) for m in (1, 2, 3, 4, 12, 13)]
    (session,) = split_sessions(readings, "店", "")
    assert [i.gap for i in session.intervals] == [False, False, False, True, False]
    gap = session.intervals[3]
    assert gap.minutes == 8 and gap.deltas["gmv"] == Decimal("800.00")
    assert interval_record(gap)["gmv_per_minute"] == 100.0


def test_a_monotonic_counter_falling_is_a_board_restart_counted_from_zero() -> None:
    readings = [reading(1, "1000.00", 10), reading(2, "1500.00", 15), reading(3, "120.00", 1, exposures=900)]
    (session,) = split_sessions(readings, "店", "")
    restart = session.intervals[1]
    assert restart.reset
    assert restart.deltas["gmv"] == Decimal("120.00")  # the reading itself: counted since the restart
    assert restart.deltas["orders"] == 1 and restart.deltas["exposures"] == 900
    assert session.total("gmv") == Decimal("1620.00")  # 1,500 before the restart + 120 after


def test_net_gmv_may_fall_with_refunds_and_that_is_not_a_reset() -> None:
    readings = [
        reading(1, "1000.00", 10, net_gmv=Decimal("1000.00")),
        reading(2, "1200.00", 12, net_gmv=Decimal("900.00")),
    ]
    (session,) = split_sessions(readings, "店", "")
    (interval,) = session.intervals
    assert not interval.reset
    assert interval.deltas["net_gmv"] == Decimal("-100.00")
    assert interval.deltas["gmv"] == Decimal("200.00")


def test_a_session_crosses_midnight_and_belongs_to_the_day_it_started() -> None:
    late = dt.datetime(2026, 11, 28, 23, 58)
    readings = [
        Snapshot(late + dt.timedelta(minutes=m), {"gmv": Decimal(100 * m), "orders": m}) for m in range(5)
    ]
    sessions = split_sessions(readings, "店", "")
    assert len(sessions) == 1
    (session,) = sessions
    assert session.date == dt.date(2026, 11, 28)
    assert session.end == dt.datetime(2026, 11, 29, 0, 2)
    assert [i.deltas["gmv"] for i in session.intervals] == [Decimal(100)] * 4


def test_a_silence_over_the_session_gap_starts_a_new_session() -> None:
    first = [reading(m, f"{m}00.00", m) for m in (1, 2, 3)]
    evening = [reading(m, f"{m - 100}00.00", m - 100) for m in (125, 126)]  # 2 h later, counters anew
    sessions = split_sessions([*first, *evening], "店", "")
    assert [len(s.intervals) for s in sessions] == [2, 1]
    assert not sessions[1].intervals[0].reset  # a new session, not a restart inside one


def test_unknown_at_either_end_is_an_unknown_delta_never_zero() -> None:
    readings = [reading(1, None, 1), reading(2, "200.00", 2), reading(3, "300.00", None)]
    assert deltas(readings, "gmv") == [None, Decimal("100.00")]
    assert deltas(readings, "orders") == [1, None]
    (session,) = split_sessions(readings, "店", "")
    # The board's counters count from the session's start: its last reading is the total so far,
    # whatever it showed before; unknown at the last reading is an unknown total.
    assert (session.total("gmv"), session.total("orders")) == (Decimal("300.00"), None)
    assert session.intervals[1].ratio("click_to_order_rate") is None  # orders unknown


def test_ratios_are_recomputed_from_summed_deltas_never_averaged() -> None:
    readings = [
        reading(0, "0.00", 0, product_clicks=0),
        reading(1, "100.00", 1, product_clicks=10),  # 1 / 10 = 10 %
        reading(2, "1000.00", 10, product_clicks=110),  # 9 / 100 = 9 %
    ]
    (session,) = split_sessions(readings, "店", "")
    assert [i.ratio("click_to_order_rate") for i in session.intervals] == [0.1, 0.09]
    assert window_ratio(session.intervals, "click_to_order_rate") == 10 / 110  # not (10 % + 9 %) / 2
    assert session.intervals[1].ratio("roi") == 900 / 20
    assert session.intervals[1].ratio("gpm") == 900 / 100 * 1000


def test_anchor_by_the_board_else_the_schedule_at_the_middle_and_products_by_the_plan() -> None:
    readings = [reading(m, f"{m}00.00", m) for m in range(0, 61, 10)]
    readings[3] = Snapshot(readings[3].captured_at, readings[3].values, anchor="小雅")
    (session,) = split_sessions(readings, "店", "")
    half = T0 + dt.timedelta(minutes=35)
    shifts = [Slot(T0, half, "阿青"), Slot(half, T0 + dt.timedelta(hours=1), "小雅")]
    products = [Slot(T0, T0 + dt.timedelta(minutes=30), "羽绒服")]
    attribute(session, shifts, products)
    # 20–30: the board names 小雅 (the schedule says 阿青): the board wins. 30–40 straddles the change
    # at 35: its middle (35:00) is 小雅's.
    assert [i.anchor for i in session.intervals] == ["阿青", "阿青", "小雅", "小雅", "小雅", "小雅"]
    assert [i.product for i in session.intervals] == ["羽绒服", "羽绒服", "羽绒服", None, None, None]
