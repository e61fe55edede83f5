"""Missing snapshot days: a counter difference is spread over every day of the gap (估算) and every
window — one day, 7 and 14 days (the CLI's default span, 排名 periods, the 销量异动 baseline), the
whole range — adds up to the counter differences exactly, in units and in revenue."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import statistics
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from shopops.domains.rivals.analysis import add_manual, add_rival_item, daily_sales, group_share, rank_changes
from shopops.domains.rivals.findings import rival_findings
from shopops.domains.rivals.page import build_page
from shopops.web.accounts import User
from shopops.web.data import ScopedData
from shopops.workspace import Workspace
from tests.conftest import run_cli

D = dt.date(2026, 11, 1)
DAYS = 35
GROUP = "面霜"


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


Daily = Callable[[int], int]  # a figure of day n
# item → (shop, first day, days without a snapshot, daily units on day n, price on day n)
ITEMS: dict[str, tuple[str, int, set[int], Daily, Daily]] = {
    "steady": ("甲店", 0, {7, 15, 16, 17, 30}, lambda n: (n * 7) % 13 + 3, lambda n: 50),
    "odd": ("甲店", 0, {10, 22}, lambda n: 5 + n % 4, lambda n: 30 if n < 11 else 25),
    "blank": ("乙店", 0, {27}, lambda n: 2 + n % 3, lambda n: 99 if n == 20 else 90),
    "manual": ("乙店", 0, {5}, lambda n: 4, lambda n: 80),
    "spike": ("乙店", 0, {24}, lambda n: 200 if n == 25 else 10, lambda n: 60),
    "late": ("乙店", 3, {4}, lambda n: n % 5, lambda n: 40),
}
BLANK_DAY = 20  # "blank" has a snapshot that day with its price (99) but no counter
MANUAL_DAY, MANUAL_PRICE = 5, 77  # a price seen by hand on "manual"'s skipped day


def _totals() -> dict[str, dict[int, int]]:
    """Each item's counter on the days it was read (the truth the warehouse must add up to)."""
    found: dict[str, dict[int, int]] = {}
    for item, (_, first, missing, units, _) in ITEMS.items():
        total, read = 1000, {}
        for n in range(first, DAYS):
            total += units(n) if n > first else 0
            if n not in missing and not (item == "blank" and n == BLANK_DAY):
                read[n] = total
        found[item] = read
    return found


TOTALS = _totals()


def _build(root: Path) -> None:
    with Workspace.init(root) as workspace:
        con = workspace.connection
        for item, (shop, first, missing, _, price) in ITEMS.items():
            add_rival_item(con, shop, item, group=GROUP)
            for n in range(first, DAYS):
                if n in missing:
                    continue
                con.execute(
                    "INSERT INTO rival_snapshots (date, rival_shop, item_id, price, sales_total) VALUES (?, ?, ?, ?, ?)",
                    [day(n), shop, item, price(n), TOTALS[item].get(n)],
                )
        add_manual(con, day(MANUAL_DAY), "乙店", "manual", price=str(MANUAL_PRICE))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gaps") / "ws"
    _build(path)
    return path


@pytest.fixture(scope="module")
def workspace(root: Path) -> Iterator[Workspace]:
    with Workspace.open(root) as opened:
        yield opened


def _counter_sum(item: str, first: int, last: int) -> int | None:
    """The counter difference over days first…last, when both edges are reading days (else None)."""
    read = TOTALS[item]
    start = max(first - 1, min(read))  # the first reading only starts the counter
    return read[last] - read[start] if start in read and last in read and last >= start else None


def _units(frame: pl.DataFrame) -> dict[str, float]:
    sums = frame.group_by("item_id").agg(pl.col("units").sum())
    return dict(zip(sums["item_id"], sums["units"], strict=True))


def _price(item: str, n: int) -> int:
    """The price revenue uses on day n: the snapshot's or the hand-entered one, else the next reading's."""
    _, _, missing, _, price = ITEMS[item]
    if item == "manual" and n == MANUAL_DAY:
        return MANUAL_PRICE
    return price(n if n not in missing else min(m for m in TOTALS[item] if m > n))


def _windows() -> list[tuple[int, int]]:
    lengths = (1, 7, 14)
    return [(s, s + n - 1) for n in lengths for s in range(DAYS - n + 1)] + [(0, DAYS - 1)]


def test_each_gap_day_has_a_whole_estimated_row_and_the_gap_adds_up(workspace: Workspace) -> None:
    frame = daily_sales(workspace.connection, day(0), day(DAYS - 1))
    for item, read in TOTALS.items():
        rows = frame.filter(pl.col("item_id") == item)
        by_day = {(r["date"] - D).days: r for r in rows.iter_rows(named=True)}
        days = sorted(read)
        for before, after in itertools.pairwise(days):
            delta, width = read[after] - read[before], after - before
            gap = [by_day[n] for n in range(before + 1, after + 1)]  # every day has its row
            assert sum(r["units"] for r in gap) == delta
            assert all(r["estimated"] is (width > 1) for r in gap)
            if width > 1:
                assert {r["units"] for r in gap} <= {delta // width, -(-delta // width)}
                assert gap[-1]["units"] == -(-delta // width)  # the reading's day gets the odd unit
                assert all(r["counter_status"] == "gap" and r["days"] == width for r in gap)


def test_every_window_sums_to_the_counter_difference(workspace: Workspace) -> None:
    con = workspace.connection
    whole = daily_sales(con, day(0), day(DAYS - 1))
    checked = 0
    for first, last in _windows():
        got = _units(daily_sales(con, day(first), day(last)))
        inside = whole.filter(pl.col("date").is_between(day(first), day(last)))
        assert got == _units(inside), (first, last)  # a day has the same units in every window
        for item in ITEMS:
            expected = _counter_sum(item, first, last)
            if expected is not None:
                assert got.get(item, 0) == expected, (item, first, last)
                checked += 1
    assert checked > 400
    assert _units(whole) == {i: float(max(r.values()) - min(r.values())) for i, r in TOTALS.items()}


def test_share_ranks_and_revenue_add_up_over_gaps(workspace: Workspace) -> None:
    con = workspace.connection
    whole = daily_sales(con, day(0), day(DAYS - 1))
    for first, last in [(s, s + 6) for s in range(DAYS - 6)] + [(0, DAYS - 1)]:
        inside = _units(whole.filter(pl.col("date").is_between(day(first), day(last))))
        share = group_share(con, day(first), day(last), by="item")
        assert dict(zip(share["item_id"], share["units"], strict=True)) == inside
        ranks = rank_changes(con, day(first), day(last))
        width = last - first + 1
        before = _units(whole.filter(pl.col("date").is_between(day(first - width), day(first - 1))))
        for row in ranks.iter_rows(named=True):
            # SQL sums nothing known to null, Polars to 0
            assert (row["units"] or 0) == inside.get(row["item_id"], 0)
            assert (row["units_before"] or 0) == before.get(row["item_id"], 0)
    revenue = group_share(con, day(0), day(DAYS - 1), by="item")
    got = dict(zip(revenue["item_id"], revenue["revenue"], strict=True))
    read = TOTALS["steady"]
    assert got["steady"] == Decimal(50 * (max(read.values()) - min(read.values())))  # one price throughout
    # A skipped day takes the later reading's price (odd: day 10 at 25, not 30); a day with a price of
    # its own keeps it (blank: a snapshot without a counter at 99, manual: 77 seen by hand).
    for item in ("odd", "blank", "manual"):
        rows = whole.filter((pl.col("item_id") == item) & pl.col("units").is_not_null())
        expected = sum(
            Decimal(int(r["units"])) * _price(item, (r["date"] - D).days) for r in rows.iter_rows(named=True)
        )
        assert got[item] == expected, item
    shops = group_share(con, day(0), day(DAYS - 1), by="shop")
    assert dict(zip(shops["shop"], shops["revenue"], strict=True))["甲店"] == got["steady"] + got["odd"]


def test_sales_move_baseline_counts_every_day_and_a_gap_is_judged_once(workspace: Workspace) -> None:
    con = workspace.connection
    found = [f for f in rival_findings(con, day(20), day(DAYS - 1)) if f.item == "spike"]
    assert [(f.date, f.value) for f in found] == [(day(25), 105.0)]  # 10 + 200 over days 24 and 25
    assert "估算" in found[0].explanation
    baseline = daily_sales(con, day(11), day(24)).filter(pl.col("item_id") == "spike")
    assert baseline.height == 14  # the skipped day 24 is in the baseline too
    assert found[0].expected_high == statistics.median(baseline["units"].to_list())


def test_the_page_and_the_cli_mark_estimated_days(
    workspace: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ScopedData(workspace, User("admin", "admin", None))
    try:
        page = build_page(data, day(0), day(DAYS - 1), "", "甲店|steady")
    finally:
        data.close()
    row = page.rows[0]
    assert row["estimated_days"] == 8  # days 7–8, 15–18, 30–31
    assert row["units"] == max(TOTALS["steady"].values()) - min(TOTALS["steady"].values())
    assert page.series["units"][0]["label"] == "甲店 steady（含估算 8 天）"
    window = ("--workspace", root, "rival", "sales", "--from", str(day(6)), "--to", str(day(8)))
    cli = run_cli(*window)  # not a terminal: plain TSV, English column names
    assert cli.exit_code == 0, cli.output
    lines = [line.split("\t") for line in cli.output.splitlines()]
    assert lines[0][-1] == "estimated"
    steady = {row[2]: row[-1] for row in lines[1:] if row[:2] == ["甲店", "steady"]}
    assert steady == {str(day(6)): "false", str(day(7)): "true", str(day(8)): "true"}
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: the table, with every column
    table = run_cli(*window)
    assert table.exit_code == 0, table.output
    assert "估算" in table.output and "是" in table.output and "未显示" not in table.output
    records = json.loads(
        run_cli(
            "--workspace",
            root,
            "rival",
            "sales",
            "--from",
            str(day(7)),
            "--to",
            str(day(7)),
            "--format",
            "json",
        ).output
    )
    assert {(r["item_id"], r["estimated"]) for r in records if r["item_id"] == "steady"} == {("steady", True)}


def test_long_gaps_and_falling_counters_are_not_spread(tmp_path: Path) -> None:
    """A gap longer than the look-back restarts the count in every window; a fall gives no figure."""
    with Workspace.init(tmp_path / "ws") as workspace:
        con = workspace.connection
        for n, item, total in [(0, "long", 100), (50, "long", 400), (0, "near", 0), (45, "near", 90)]:
            con.execute(
                "INSERT INTO rival_snapshots (date, rival_shop, item_id, price, sales_total) VALUES (?, '丙店', ?, 1, ?)",
                [day(n), item, total],
            )
        for n, total in [(10, 300), (12, 500), (14, 20), (15, 25)]:
            con.execute(
                "INSERT INTO rival_snapshots (date, rival_shop, item_id, price, sales_total) VALUES (?, '丙店', 'fall', 1, ?)",
                [day(n), total],
            )
        whole = daily_sales(con, day(0), day(50))
        long = whole.filter(pl.col("item_id") == "long")
        assert long["counter_status"].to_list() == ["first", "first"] and long["units"].null_count() == 2
        near = whole.filter(pl.col("item_id") == "near")
        assert near.height == 46 and near["units"].sum() == 90 and near["estimated"].sum() == 45
        assert _units(daily_sales(con, day(20), day(20))) == {"near": 2.0}  # the same day, alone
        fall = whole.filter(pl.col("item_id") == "fall")
        assert fall["counter_status"].to_list() == ["first", "gap", "gap", "reset", "ok"]
        assert fall["units"].to_list() == [None, 100.0, 100.0, None, 5.0]  # day 13 has no figure
