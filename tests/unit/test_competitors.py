"""Competitor facts on a tiny hand-made warehouse: counters, prices, manual entries, overtakes, traffic, 指数还原."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from shopops.domains.rivals.analysis import (
    add_manual,
    add_rival_item,
    daily_sales,
    fit_index,
    new_items,
    price_changes,
)
from shopops.domains.rivals.findings import RivalRules, rival_findings
from shopops.domains.rivals.traffic import traffic_mix
from shopops.errors import UserError
from shopops.warehouse import Warehouse

D = dt.date(2026, 11, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    house = Warehouse(tmp_path / "w.duckdb")
    yield house
    house.close()


def snap(
    house: Warehouse, rows: Sequence[tuple[int, str, float | None, int | None]], shop: str = "甲店"
) -> None:
    for n, item, price, total in rows:
        house.connection.execute(
            "INSERT INTO rival_snapshots (date, rival_shop, item_id, price, sales_total) VALUES (?, ?, ?, ?, ?)",
            [day(n), shop, item, price, total],
        )


def test_counter_status_and_units(warehouse: Warehouse) -> None:
    snap(
        warehouse,
        [
            (0, "a", 10, 100),
            (1, "a", 10, 110),  # ok: 10
            (3, "a", 10, 130),  # gap: 20 over 2 days = 10 a day, day 2 (no snapshot) included
            (4, "a", 10, 125),  # decrease: a data problem, unknown
            (5, "a", 10, 5),  # reset: ≤ 20% of 125
            (6, "a", 10, 12),  # counts on from the new value: 7
            (7, "a", 10, None),  # blank
        ],
    )
    frame = daily_sales(warehouse.connection, day(0), day(7))
    assert frame["date"].to_list() == [day(n) for n in range(8)]
    statuses = ["first", "ok", "gap", "gap", "decrease", "reset", "ok", "blank"]
    assert frame["counter_status"].to_list() == statuses
    assert frame["estimated"].to_list() == [False, False, True, True, False, False, False, False]
    assert frame["units"].to_list() == [None, 10.0, 10.0, 10.0, None, None, 7.0, None]
    assert [None if r is None else float(r) for r in frame["revenue"]] == [
        None,
        100.0,
        100.0,
        100.0,
        None,
        None,
        70.0,
        None,
    ]


def test_price_changes_promotions_and_manual_prices(warehouse: Warehouse) -> None:
    snap(warehouse, [(n, "b", 100, 1000 + n) for n in range(6)] + [(6, "b", 80, 1010), (7, "b", 95, 1020)])
    add_manual(warehouse.connection, day(3), "甲店", "b", price="90")  # seen by hand: overrides 100
    changes = price_changes(warehouse.connection, day(0), day(7), promo_drop=0.15)
    got = [
        (c["date"], float(c["old_price"]), float(c["new_price"]), c["promotion"])
        for c in changes.iter_rows(named=True)
    ]
    assert got == [
        (day(3), 100.0, 90.0, False),
        (day(4), 90.0, 100.0, False),
        (day(6), 100.0, 80.0, True),  # 80 ≤ 0.85 × median(100 …) = 85
        (day(7), 80.0, 95.0, False),
    ]
    assert changes.filter(pl.col("date") == day(3))["manual"].to_list() == [True]
    with pytest.raises(UserError, match="amount of money"):
        add_manual(warehouse.connection, day(3), "甲店", "b", price="九十")
    with pytest.raises(UserError, match="--price or a --note"):
        add_manual(warehouse.connection, day(3), "甲店", "b")


def test_new_items_are_not_the_first_snapshot(warehouse: Warehouse) -> None:
    snap(warehouse, [(0, "old", 10, 1), (1, "old", 10, 2), (1, "fresh", 20, 0)])
    assert new_items(warehouse.connection, day(0), day(1))["item_id"].to_list() == ["fresh"]


def test_we_are_overtaken_when_a_paired_rival_passes_our_item(warehouse: Warehouse) -> None:
    con = warehouse.connection
    con.execute("INSERT INTO shops (name, platform, fee_rate) VALUES ('我店', 'tmall', 0)")
    snap(warehouse, [(0, "r", 50, 0), (1, "r", 50, 10), (2, "r", 50, 40), (3, "r", 50, 100)])
    add_rival_item(con, "甲店", "r", our_shop="我店", our_item_id="mine")
    for n, units in [(1, 20), (2, 25), (3, 25)]:
        con.execute(
            "INSERT INTO sycm_item_day (shop, date, item_id, units, gmv, import_id, source_row)"
            " VALUES ('我店', ?, 'mine', ?, 100, 0, 1)",
            [day(n), units],
        )
    found = rival_findings(con, day(1), day(3), rules=RivalRules(jump_min_units=1000))
    overtakes = [f for f in found if f.metric == "rival_overtake"]
    assert [(f.date, f.shop, f.value, f.expected_high) for f in overtakes] == [(day(2), "我店", 30.0, 25.0)]
    assert rival_findings(con, day(1), day(3), shops=["别的店"]) == []


def test_traffic_mix_is_an_index_share_for_rivals_and_a_visitor_share_for_us(warehouse: Warehouse) -> None:
    con = warehouse.connection
    rows = [
        ("甲店", "r", "手淘搜索", 300.0, None, None),
        ("甲店", "r", "直通车", 100.0, None, None),
        ("", "mine", "手淘搜索", None, 600, 30),
        ("", "mine", "直通车", None, 400, 8),
    ]
    for rival, item, source, index, visitors, buyers in rows:
        con.execute(
            "INSERT INTO rival_traffic_day (shop, date, rival_shop, item_id, traffic_source, traffic_index,"
            " our_visitors, our_buyers) VALUES ('我店', ?, ?, ?, ?, ?, ?, ?)",
            [day(0), rival, item, source, index, visitors, buyers],
        )
    mix = {
        (r["item_id"], r["traffic_source"]): r for r in traffic_mix(con, day(0), day(0)).iter_rows(named=True)
    }
    assert mix[("r", "手淘搜索")]["index_share"] == 0.75 and mix[("r", "手淘搜索")]["visitor_share"] is None
    assert (
        mix[("mine", "直通车")]["visitor_share"] == 0.4 and mix[("mine", "直通车")]["conversion_rate"] == 0.02
    )


def test_index_fit_recovers_a_power_law_and_states_its_error() -> None:
    rng = np.random.default_rng(3)
    money = rng.uniform(5_000, 200_000, 60)
    index = 12 * money**0.8 * rng.lognormal(0, 0.02, 60)
    fit = fit_index(pl.DataFrame({"trade_index": index, "gmv": money}))
    assert fit.exponent == pytest.approx(1 / 0.8, rel=0.03)
    estimates = np.array([fit.estimate(i) for i in index])
    assert np.median(np.abs(money / estimates - 1)) == pytest.approx(fit.median_abs_pct_error, abs=1e-9)
    low, middle, high = fit.estimate_range(float(index[0]))
    assert low <= middle <= high and fit.low_factor < 1 < fit.high_factor
    assert fit.estimate(2 * float(index[0])) > middle  # monotone


def test_index_fit_refuses_too_few_or_falling_pairs() -> None:
    with pytest.raises(UserError, match="at least 7 days"):
        fit_index(pl.DataFrame({"trade_index": [1.0, 2.0], "gmv": [1.0, 2.0]}))
    falling = pl.DataFrame(
        {"trade_index": [float(i) for i in range(1, 11)], "gmv": [float(20 - i) for i in range(10)]}
    )
    with pytest.raises(UserError, match="does not rise"):
        fit_index(falling)
