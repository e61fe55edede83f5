"""The real cosmetic.csv snapshots imported as a new user would: a saved mapping, then `shopops rival …`.

Expected values were computed by hand from the raw file (grep the item id in cosmetic.csv).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import load_calendar
from shopops.demo.rivals import shop_daily_export
from shopops.domains.rivals.analysis import daily_sales
from shopops.domains.rivals.findings import ALL_RIVALS, rival_findings
from shopops.workspace import Workspace
from tests.conftest import DATASETS, run_cli

COSMETIC = DATASETS / "cosmetic.csv"
CUMULATIVE = "update_time=date,id=item_id,title=title,price=price,sale_count=sales_total,comment_count=review_count,店名=rival_shop"
ROLLING = CUMULATIVE.replace("sale_count=sales_total", "sale_count=sales_30d")
NIVEA, SKII = "A18054717031", "A527344199647"
DOUBLE_11 = dt.date(2016, 11, 11)

pytestmark = pytest.mark.skipif(
    not COSMETIC.is_file(), reason=f"{COSMETIC} is absent (see shared/datasets/SOURCES.md)"
)


def _workspace(tmp_path: Path, mapping: str, name: str = "美妆竞品") -> tuple[Path, str]:
    root = tmp_path / "ws"
    assert run_cli("init", root).exit_code == 0
    result = run_cli("--workspace", root, "import", COSMETIC, "--map", mapping, "--save-source", name)
    assert result.exit_code == 0, result.output
    return root, result.output


def _json(root: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("--workspace", root, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    records: list[dict[str, object]] = json.loads(result.stdout)  # checks that could not run: stderr
    return records


def test_import_reports_duplicates_and_blanks_and_saves_the_mapping(tmp_path: Path) -> None:
    root, output = _workspace(tmp_path, CUMULATIVE)
    # all 86 duplicates are exact; 累计销量: 2,354 blank cells, 4 in duplicates
    assert output.splitlines() == [
        "✓ cosmetic.csv — 美妆竞品（基于 竞品快照（通用））（美妆竞品）：27512 行，2016-11-05…2016-11-14，店铺 全部店铺"
        "（86 行重复只保留一次（内容完全相同）; 2350 行缺累计销量（记为未知）; 2350 行缺评价数（记为未知））",
        "已保存自定义来源 美妆竞品 到 shopops.yaml；下次同样表头的文件会自动识别。",
    ]
    assert "sales_total" in (root / "shopops.yaml").read_text(encoding="utf-8")  # the choice is recorded
    # The next file with the same headers is recognised without --map, by the saved source.
    again = run_cli("--workspace", root, "import", COSMETIC)
    assert (again.exit_code, again.output) == (
        0,
        "= cosmetic.csv — 美妆竞品（基于 竞品快照（通用））（美妆竞品）：已导入过，没有改动\n",
    )


def test_rival_changes_lists_every_price_change_by_hand(tmp_path: Path) -> None:
    root, _ = _workspace(tmp_path, CUMULATIVE)
    changes = _json(root, "rival", "changes", "--from", "2016-11-05", "--to", "2016-11-14")
    nivea = [(c["date"], c["old_price"], c["new_price"]) for c in changes if c["item_id"] == NIVEA]
    assert nivea == [
        ("2016-11-10", 42.0, 44.5),
        ("2016-11-11", 44.5, 37.0),
        ("2016-11-12", 37.0, 39.0),
        ("2016-11-14", 39.0, 42.0),
    ]
    skii = [(c["shop"], c["date"], c["old_price"], c["new_price"]) for c in changes if c["item_id"] == SKII]
    assert skii == [
        ("SKII", "2016-11-08", 590.0, 1180.0),
        ("SKII", "2016-11-09", 1180.0, 590.0),
        ("SKII", "2016-11-10", 590.0, 1180.0),
    ]
    assert {"shop", "item_id", "date", "old_price", "new_price"} <= set(changes[0])
    one_day = _json(root, "rival", "changes", "--from", "2016-11-11", "--to", "2016-11-11")
    assert all(c["date"] == "2016-11-11" for c in one_day) and any(c["item_id"] == NIVEA for c in one_day)


def test_daily_sales_follow_a_cumulative_mapping(tmp_path: Path) -> None:
    root, _ = _workspace(tmp_path, CUMULATIVE)
    sales = _json(root, "rival", "sales", "--from", "2016-11-05", "--to", "2016-11-14")
    nivea = {s["date"]: s for s in sales if s["item_id"] == NIVEA}
    assert nivea["2016-11-05"]["counter_status"] == "first" and nivea["2016-11-05"]["units"] is None
    assert nivea["2016-11-06"]["units"] == 9  # 23028 - 23019
    # 11-07 missing: 29 units over 2 days, whole units, the later reading's day gets the odd one;
    # the skipped day is priced at the later reading's ¥42
    gap = [(nivea[d]["counter_status"], nivea[d]["estimated"]) for d in ("2016-11-07", "2016-11-08")]
    assert gap == [("gap", True), ("gap", True)] and nivea["2016-11-06"]["estimated"] is False
    assert (nivea["2016-11-07"]["units"], nivea["2016-11-07"]["revenue"]) == (14, 588.0)
    assert (nivea["2016-11-08"]["units"], nivea["2016-11-08"]["revenue"]) == (15, 630.0)
    assert nivea["2016-11-11"]["units"] == 801 and nivea["2016-11-11"]["revenue"] == 29637.0  # 801 × 37
    assert nivea["2016-11-14"]["units"] == 37 and nivea["2016-11-14"]["revenue"] == 1554.0  # 37 × 42
    skii = [s for s in sales if s["item_id"] == SKII]
    assert {s["counter_status"] for s in skii} == {"blank"} and all(s["units"] is None for s in skii)
    reviews = _json(root, "rival", "reviews", "--from", "2016-11-05", "--to", "2016-11-14")
    assert next(r for r in reviews if r["item_id"] == NIVEA)["review_growth"] == 31  # 5751 - 5720


def test_daily_sales_follow_a_rolling_30_day_mapping(tmp_path: Path) -> None:
    root, _ = _workspace(tmp_path, ROLLING, "美妆月销量")
    sales = _json(root, "rival", "sales", "--from", "2016-11-14", "--to", "2016-11-14")
    nivea = next(s for s in sales if s["item_id"] == NIVEA)
    assert nivea["counter_status"] == "rolling" and nivea["sales_total"] is None
    assert nivea["units"] == pytest.approx(24320 / 30, abs=1e-4)
    # A rolling count that goes down is normal: no counter problems in the findings.
    findings = _json(root, "findings", "--from", "2016-11-06", "--to", "2016-11-14")
    assert not [f for f in findings if "累计销量" in str(f["explanation"])]


def test_cumulative_counters_that_go_down_are_said_to_be_data_problems(tmp_path: Path) -> None:
    root, _ = _workspace(tmp_path, CUMULATIVE)
    findings = _json(root, "findings", "--from", "2016-11-06", "--to", "2016-11-14")
    problems = [f for f in findings if f["metric"] == "rival_sales" and "数据问题" in str(f["explanation"])]
    assert problems and all(f["value"] is None for f in problems)


def test_every_window_adds_up_to_the_counter_differences(tmp_path: Path) -> None:
    """Items skip snapshot days (476 item-days over 313 gaps): no window may lose a gap's sales."""
    root, _ = _workspace(tmp_path, CUMULATIVE)
    raw = pl.read_csv(COSMETIC, encoding="utf8-lossy", infer_schema_length=0).select(
        pl.col("店名").alias("shop"),
        pl.col("id").alias("item"),
        pl.col("update_time").str.to_date("%Y/%m/%d").alias("date"),
        pl.col("sale_count").cast(pl.Int64).alias("total"),
    )
    readings = raw.drop_nulls("total").group_by("shop", "item", "date").agg(pl.col("total").max())
    steps = readings.sort("date").with_columns(pl.col("total").diff().over("shop", "item").alias("step"))
    counted = steps.filter(pl.col("step") >= 0)  # a counter that falls gives no sales figure
    truth = counted.group_by("item").agg(pl.col("step").sum())
    assert int(truth["step"].sum()) == 4_255_713  # before spreading gaps: 4,156,535 (99,178 lost)
    first, last = dt.date(2016, 11, 5), dt.date(2016, 11, 14)
    with Workspace.open(root) as workspace:
        con = workspace.connection
        whole = daily_sales(con, first, last)
        by_item = whole.group_by("item_id").agg(pl.col("units").sum())
        got = dict(zip(by_item["item_id"], by_item["units"], strict=True))
        assert all(got[i] == s for i, s in zip(truth["item"], truth["step"], strict=True))
        assert whole["units"].sum() == 4_255_713
        for offset in range(4):  # the 7-day windows (the CLI's default span)
            start = first + dt.timedelta(days=offset)
            stop = start + dt.timedelta(days=6)
            inside = whole.filter(pl.col("date").is_between(start, stop))["units"].sum()
            assert daily_sales(con, start, stop)["units"].sum() == inside
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        assert sum(daily_sales(con, d, d)["units"].sum() for d in days) == 4_255_713


def test_double_11_is_one_page_of_rival_findings_and_none_is_lost(tmp_path: Path) -> None:
    """2,181 findings on 11-11 without grouping (every rival cuts prices on 双11); grouped per rival
    shop and kind with the 双11-widened rules: 28 top-level findings standing for 1,772."""
    root, _ = _workspace(tmp_path, CUMULATIVE)
    result = run_cli(
        "--workspace", root, "findings", "--from", "2016-11-05", "--to", "2016-11-14", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    findings = [f for f in json.loads(result.stdout) if f["date"] == DOUBLE_11.isoformat()]
    leaves = [child for f in findings for child in (f["children"] or [f])]
    assert len(findings) == 28 and len(leaves) == 1772
    assert Counter(_kind(f) for f in leaves) == {
        "rival_price": 236,  # of 525: a cut must reach 40.5 % on 双11 (15 % on other days)
        "rival_sales": 1475,  # of 1,595: 24 × usual units (3 ×)
        "rival_new_item": 57,
        "counter": 4,
    }
    assert all(f["context"] == "双11" for f in leaves)
    for parent in (f for f in findings if f["children"]):
        count = re.search(r"(降价|销量异动|上新|放量：) ?([\d,]+) 件", parent["explanation"])
        assert count and int(count.group(2).replace(",", "")) == len(parent["children"]), parent[
            "explanation"
        ]
        assert all(set(child) == set(parent) and child["children"] == [] for child in parent["children"])
        impacts = [c["impact"] for c in parent["children"] if c["impact"] is not None]
        assert parent["impact"] == (pytest.approx(sum(impacts), abs=0.05) if impacts else None)
    market = [f for f in findings if f["shop"] == ALL_RIVALS]
    assert [(f["metric"], len(f["children"])) for f in market] == [("rival_sales", 1475)]
    assert market[0]["explanation"].startswith(
        "双11 19/19 家竞店普遍放量：1475 件商品日销达到平时的 24 倍以上"
    )
    assert Counter((f["metric"], bool(f["children"])) for f in findings) == {
        ("rival_price", True): 10,
        ("rival_price", False): 1,
        ("rival_sales", True): 1,  # all rivals' jumps
        ("rival_sales", False): 4,  # counter problems, one per shop
        ("rival_new_item", True): 9,
        ("rival_new_item", False): 3,
    }
    # None lost: the findings of the same file without 双11 in the calendar (ungrouped: 2,181), with the
    # 双11 rule applied here, are exactly the children above.
    plain = load_calendar({"promotions": [{"key": "double11", "enabled": False}]})
    with Workspace.open(root) as workspace:
        ordinary = rival_findings(workspace.connection, DOUBLE_11, DOUBLE_11, calendar=plain)
    flat = [child for f in ordinary for child in (f.children or (f,))]
    assert len(flat) == 2181 and all(not f.context for f in flat)
    peak = load_calendar().day(DOUBLE_11)
    rate_low, volume_high = peak.range_for("rate")[0], peak.range_for("volume")[1]

    def widened(f: Finding) -> bool:
        if f.value is None or f.expected_high is None:  # new items, counter problems: not widened
            return True
        if f.metric == "rival_price":
            return f.value <= f.expected_high * 0.85 * rate_low
        return f.metric != "rival_sales" or f.value >= f.expected_high * 3 * volume_high

    expected = Counter((f.shop, f.metric, f.item, f.value) for f in flat if widened(f))
    assert Counter((f["shop"], f["metric"], f["item"] or "", f["value"]) for f in leaves) == expected


def _kind(finding: dict[str, object]) -> str:
    return (
        "counter"
        if finding["metric"] == "rival_sales" and finding["value"] is None
        else str(finding["metric"])
    )


def test_the_rivals_sheet_lists_groups_with_their_count_by_money_at_stake(tmp_path: Path) -> None:
    root, _ = _workspace(tmp_path, CUMULATIVE)
    assert run_cli("--workspace", root, "shop", "add", "我店", "--platform", "tmall").exit_code == 0
    own = shop_daily_export(14, dt.date(2016, 11, 1), tmp_path / "店铺整体_我店.csv")
    assert own.height == 14
    assert (
        run_cli("--workspace", root, "import", tmp_path / "店铺整体_我店.csv", "--shop", "我店").exit_code
        == 0
    )
    target = tmp_path / "日报.xlsx"
    result = run_cli("--workspace", root, "report", "daily", "--date", "2016-11-11", "-o", target)
    assert result.exit_code == 0, result.output
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("竞品").to_python()
    header = rows.index(["日期", "竞店", "商品ID", "发现", "件数", "涉及金额", "级别", "说明"])
    end = next(n for n, row in enumerate(rows) if str(row[0]).startswith("另有"))
    shown = rows[header + 1 : end]
    assert len(shown) == 30  # warnings of 11-05…11-11, newest day first, then by 涉及金额
    assert shown[0][:5] == ["2016-11-11", ALL_RIVALS, "", "竞品销量异动·双11", 1475]
    assert shown[1][:5] == ["2016-11-11", "佰草集", "", "竞品降价·双11", 106]
    assert str(shown[1][7]).startswith(
        "竞店 佰草集 双11 降价 106 件（对比近14天中位价），中位降幅 −50%，最大 −83%"
    )
    first_day = [row for row in shown if row[0] == "2016-11-11"]
    money = [row[5] for row in first_day if row[5] != "—"]
    assert len(first_day) == 16 and money == sorted(money, reverse=True)  # 11 cuts, 1 surge, 4 上新
    assert (
        rows[end][0]
        == "另有 22 条（含 98 项，shopops findings --from 2016-11-05 --to 2016-11-11 --all 查看全部）"
    )
