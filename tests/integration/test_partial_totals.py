"""Partial totals: a 合计 where some shops do not know a figure is the sum over the shops that do,
marked with its coverage — in the master table, its CSV and the push summary (DESIGN §8, totals.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import polars as pl
import pytest

from shopops.metrics.catalog import load_catalog
from shopops.metrics.totals import TOTAL_SHOP, Coverage, covered_keys, total_coverage
from shopops.reports.summary import compose_summary
from shopops.workspace import Workspace
from tests.conftest import DEMO_END, DemoWorkspace

START = DEMO_END - dt.timedelta(days=13)


@pytest.fixture(scope="module")
def frames(imported_demo: DemoWorkspace) -> tuple[pl.DataFrame, pl.DataFrame]:
    with Workspace.open(imported_demo.root) as workspace:
        shops = workspace.master_table(START, DEMO_END)
        total = workspace.master_table(START, DEMO_END, total=True, compare=True)
    return shops, total


def _shop_rows(frame: pl.DataFrame, day: dt.date) -> list[dict[str, object]]:
    return [r for r in frame.iter_rows(named=True) if r["date"] == day and r["shop"] != TOTAL_SHOP]


def _total_row(frame: pl.DataFrame, day: dt.date) -> dict[str, object]:
    return next(r for r in frame.iter_rows(named=True) if r["date"] == day and r["shop"] == TOTAL_SHOP)


def test_a_shop_without_visitors_leaves_a_partial_total_not_a_dash(
    frames: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    # The demo leaves 小野家居's 生意参谋 out on its last day: no 访客数 there, its orders still known.
    shops, total = frames
    row = _total_row(total, DEMO_END)
    yunduo, xiaoye = _shop_rows(shops, DEMO_END)
    assert (yunduo["shop"], xiaoye["shop"], xiaoye["visitors"]) == ("云朵旗舰店", "小野家居", None)
    assert row["visitors"] == yunduo["visitors"] and row["visitors"] is not None
    # 支付转化率 over the shops that know both parts: 云朵旗舰店's buyers over its visitors only.
    assert row["conversion_rate"] == pytest.approx(yunduo["buyers"] / yunduo["visitors"])  # type: ignore[operator]
    # 支付金额 is known by both shops: the whole sum, no mark.
    assert row["gmv"] == Decimal(str(yunduo["gmv"])) + Decimal(str(xiaoye["gmv"]))
    cover = total_coverage(total)
    assert cover[(DEMO_END, "visitors")] == Coverage(1, 2, ("小野家居",))
    assert cover[(DEMO_END, "visitors")].mark == "⁽¹⁄₂⁾"
    assert not cover[(DEMO_END, "gmv")].partial and cover[(DEMO_END, "gmv")].mark == ""
    assert "访客数 1/2（缺 小野家居）" in str(row["total_coverage"])
    # The day before, both shops know 访客数; 小野家居 has no 商品资料 costs, 云朵旗舰店 no 售后 split.
    assert _total_row(total, DEMO_END - dt.timedelta(days=1))["total_coverage"] == (
        "商品成本 1/2（缺 小野家居）；毛利 1/2（缺 小野家居）；净利 1/2（缺 小野家居）；"
        "仅退款金额 1/2（缺 云朵旗舰店）；退货退款金额 1/2（缺 云朵旗舰店）；发货后退款金额 1/2（缺 云朵旗舰店）；"
        "发货后退款率 1/2（缺 云朵旗舰店）"
    )


def test_every_total_is_the_sum_over_the_shops_that_know_it(
    frames: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    shops, total = frames
    catalog = load_catalog()
    additive = [k for k in covered_keys(catalog) if catalog.metrics[k].unit in ("money", "count")]
    additive = [k for k in additive if "/" not in catalog.metrics[k].formula]
    checked = 0
    for day in sorted(set(total["date"].to_list())):
        row = _total_row(total, day)
        for key in additive:
            values = [r[key] for r in _shop_rows(shops, day) if r[key] is not None]
            expected = sum(Decimal(str(v)) for v in values) if values else None
            got = None if row[key] is None else Decimal(str(row[key]))
            assert got == expected, (day, key)
            checked += expected is not None
    assert checked > 300


def test_a_change_of_a_total_compares_only_totals_over_the_same_shops(
    frames: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    # 访客数 of the last day rests on one shop, the day before on two: no 环比 for that 合计.
    _, total = frames
    last, before = _total_row(total, DEMO_END), _total_row(total, DEMO_END - dt.timedelta(days=1))
    assert before["visitors_prev_change"] is not None
    assert last["visitors"] is not None and last["visitors_prev_change"] is None
    assert last["gmv_prev_change"] == pytest.approx(float(last["gmv"]) / float(before["gmv"]) - 1)  # type: ignore[arg-type]


def test_the_master_table_csv_names_the_coverage(imported_demo: DemoWorkspace) -> None:
    result = imported_demo.cli(
        "table", "master", "--from", str(DEMO_END), "--to", str(DEMO_END), "--total", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    total = next(r for r in rows if r["shop"] == TOTAL_SHOP)
    assert total["total_coverage"].startswith("访客数 1/2（缺 小野家居）；")
    assert all(r["total_coverage"] == "" for r in rows if r["shop"] != TOTAL_SHOP)
    assert total["visitors"] != ""


def test_the_summary_marks_partial_totals_and_names_the_missing_shop(imported_demo: DemoWorkspace) -> None:
    with Workspace.open(imported_demo.root) as workspace:
        summary = compose_summary(workspace, DEMO_END)
        total = _total_row(workspace.master_table(DEMO_END, DEMO_END, total=True), DEMO_END)
    lines = summary.text.splitlines()
    head = lines.index(next(line for line in lines if line.startswith("【合计】")))
    cover = Coverage(1, 2, ("小野家居",))
    assert lines[head + 1].startswith(f"  访客数 {total['visitors']:,}{cover.mark}，支付转化率 ")
    assert lines[head + 2] == "  合计只含部分店铺：访客数、支付转化率、净利 缺 小野家居"
