"""Competitor findings on 大促 days: widened rules, money at stake, one finding per rival shop and kind.

Hand-made snapshots in a real warehouse: each item sells a steady 10 a day at ¥100 for two weeks,
then moves on the day under test — an ordinary day (2026-09-15) or 双11 (2026-11-11: the calendar's
peak lift is rate low 0.7, volume high 8, so a cut must reach 1 − 0.85 × 0.7 = 40.5 % and a jump
3 × 8 = 24 × usual).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import load_calendar
from shopops.domains.rivals.findings import ALL_RIVALS, rival_findings
from shopops.warehouse import Warehouse

ORDINARY = dt.date(2026, 9, 15)
DOUBLE_11 = dt.date(2026, 11, 11)
HISTORY = 14  # steady days before the day under test


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    house = Warehouse(tmp_path / "w.duckdb")
    yield house
    house.close()


def item(house: Warehouse, shop: str, item_id: str, day: dt.date, price: float, units: int) -> None:
    """Two weeks at ¥100 selling 10 a day, then ``price`` and ``units`` on ``day``."""
    total = 1_000
    for n in range(HISTORY, -1, -1):
        when = day - dt.timedelta(days=n)
        total += units if n == 0 else 10
        house.connection.execute(
            "INSERT INTO rival_snapshots (date, rival_shop, item_id, title, price, sales_total)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [when, shop, item_id, f"标题{item_id}", price if n == 0 else 100, total],
        )


def findings(house: Warehouse, day: dt.date) -> list[Finding]:
    return rival_findings(house.connection, day, day, calendar=load_calendar())


def test_the_calendar_knows_the_days_under_test() -> None:
    calendar = load_calendar()
    assert not calendar.day(ORDINARY).special
    peak = calendar.day(DOUBLE_11)
    assert (peak.label, peak.range_for("rate")[0], peak.range_for("volume")[1]) == ("双11", 0.7, 8.0)


def test_a_20_percent_cut_is_a_finding_on_an_ordinary_day_but_not_on_double_11(warehouse: Warehouse) -> None:
    item(warehouse, "甲店", "ordinary", ORDINARY, 80, 25)
    item(warehouse, "甲店", "cut20", DOUBLE_11, 80, 10)
    item(warehouse, "甲店", "cut50", DOUBLE_11, 50, 40)
    [ordinary] = findings(warehouse, ORDINARY)
    assert (ordinary.metric, ordinary.item, ordinary.value, ordinary.context) == (
        "rival_price",
        "ordinary",
        80,
        "",
    )
    assert (ordinary.expected_low, ordinary.expected_high) == pytest.approx((85.0, 100.0))
    assert ordinary.impact == 25 * 80  # the day's units at the new price
    assert "大促" not in ordinary.explanation and ordinary.children == ()
    [deep] = findings(warehouse, DOUBLE_11)  # the 20 % cut is a 双11 price, not news
    assert (deep.metric, deep.item, deep.context, deep.impact) == ("rival_price", "cut50", "双11", 40 * 50)
    assert deep.expected_low == pytest.approx(100 * 0.85 * 0.7)
    assert deep.explanation == (
        "竞店 甲店 商品 cut50 标题cut50 价格 100.00 → 50.00（比近14天中位价 100.00 低 50%）"
        "（双11：按大促放宽，比中位价低 40.5% 以上才算）"
    )


def test_a_cut_without_the_days_units_is_priced_at_the_usual_units(warehouse: Warehouse) -> None:
    item(warehouse, "甲店", "blank", ORDINARY, 50, 10)
    warehouse.connection.execute("UPDATE rival_snapshots SET sales_total = NULL WHERE date = ?", [ORDINARY])
    [cut] = findings(warehouse, ORDINARY)
    assert cut.impact == 10 * 50  # the median of the 14 days before × the new price


def test_a_sales_jump_is_widened_by_the_volume_lift(warehouse: Warehouse) -> None:
    item(warehouse, "甲店", "five_times", ORDINARY, 100, 50)
    item(warehouse, "甲店", "five_times_11", DOUBLE_11, 100, 50)
    item(warehouse, "甲店", "thirty_times_11", DOUBLE_11, 100, 300)
    [ordinary] = findings(warehouse, ORDINARY)
    assert (ordinary.item, ordinary.value, ordinary.expected_high, ordinary.impact) == (
        "five_times",
        50,
        10,
        4_000,
    )
    [peak] = findings(warehouse, DOUBLE_11)
    assert (peak.item, peak.context, peak.impact) == ("thirty_times_11", "双11", (300 - 10) * 100)
    assert peak.explanation.endswith("（双11：按大促放宽，平时的 24 倍以上才算）")


def test_one_rivals_cuts_of_a_day_are_one_finding_with_children(warehouse: Warehouse) -> None:
    for item_id, price, units in (("a", 50, 10), ("b", 40, 20), ("c", 30, 30)):
        item(warehouse, "乙店", item_id, DOUBLE_11, price, units)
    item(warehouse, "丙店", "single", DOUBLE_11, 50, 10)
    single, group = findings(warehouse, DOUBLE_11)  # in shop order: 丙店, 乙店
    assert (group.shop, group.metric, group.metric_label, group.context) == (
        "乙店",
        "rival_price",
        "竞品降价",
        "双11",
    )
    assert [c.item for c in group.children] == ["c", "b", "a"]  # by money at stake
    assert group.count == 3 and group.impact == 30 * 30 + 20 * 40 + 10 * 50
    assert (group.item, group.value, group.severity) == ("", None, "warning")
    assert group.explanation == (
        "竞店 乙店 双11 降价 3 件（对比近14天中位价），中位降幅 −60%，最大 −70%（标题c ¥100→¥30）；"
        "涉及金额最多：标题c ¥900、标题b ¥800、标题a ¥500"
    )
    assert (single.shop, single.item, single.children) == ("丙店", "single", ())  # one stays as it is
    record = group.to_record()
    assert [child["item"] for child in record["children"]] == ["c", "b", "a"]
    assert all(set(child) == set(record) and child["children"] == [] for child in record["children"])
    assert (record["value"], record["impact"], record["context"]) == (None, 2_200.0, "双11")


def test_a_surge_across_most_rivals_on_a_promo_day_is_one_finding(warehouse: Warehouse) -> None:
    for shop, units in (("丁店", 300), ("戊店", 400), ("己店", 500)):
        item(warehouse, shop, f"{shop}爆款", DOUBLE_11, 100, units)
        item(warehouse, shop, f"{shop}平款", DOUBLE_11, 100, 10)
        item(warehouse, shop, f"{shop}日常", ORDINARY, 100, units)
    [market] = findings(warehouse, DOUBLE_11)
    assert (market.shop, market.metric, market.count) == (ALL_RIVALS, "rival_sales", 3)
    assert [c.shop for c in market.children] == ["己店", "戊店", "丁店"]
    assert market.impact == (290 + 390 + 490) * 100
    assert market.explanation == (
        "双11 3/3 家竞店普遍放量：3 件商品日销达到平时的 24 倍以上（按大促放宽），日销中位为平时的 ×40，"
        "最大 ×50（标题己店爆款 500 件，平时 10 件）；涉及金额最多的竞店：己店 ¥49,000（1 件）、"
        "戊店 ¥39,000（1 件）、丁店 ¥29,000（1 件）"
    )
    ordinary = findings(warehouse, ORDINARY)  # the same jumps on an ordinary day: each rival's own
    assert sorted(f.shop for f in ordinary) == ["丁店", "己店", "戊店"] and all(
        not f.children for f in ordinary
    )
