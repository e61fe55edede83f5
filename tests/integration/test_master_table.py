"""The master table from a full set of generated exports equals the simulation's true values."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from shopops.metrics.catalog import load_catalog
from tests.conftest import DemoWorkspace

DESIGN_KEYS = [
    "gmv",
    "visitors",
    "pageviews",
    "buyers",
    "paid_orders",
    "units",
    "conversion_rate",
    "aov",
    "uv_value",
    "ad_spend",
    "ad_gmv",
    "ad_roi",
    "affiliate_commission",
    "refund_amount",
    "refund_orders",
    "refund_rate",
    "net_sales",
    "cogs",
    "shipping_cost",
    "gross_profit",
    "net_profit",
    "dsr_description",
    "dsr_service",
    "dsr_logistics",
]


def master_csv(demo: DemoWorkspace, *extra: str) -> list[dict[str, str]]:
    manifest = demo.manifest
    result = demo.cli("table", "master", "--from", manifest["start"], "--to", manifest["end"], *extra)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def assert_equal(key: str, unit: str, got: str, want: Any, where: str) -> None:
    if want is None:
        assert got == "", f"{where} {key}: expected unknown (empty), got {got!r}"
        return
    assert got != "", f"{where} {key}: expected {want}, got unknown"
    if unit == "money":
        assert Decimal(got) == Decimal(str(want)), f"{where} {key}: {got} != {want}"
    elif unit == "count":
        assert int(got) == int(want), f"{where} {key}: {got} != {want}"
    else:
        assert float(got) == pytest.approx(float(want), abs=1e-6), f"{where} {key}: {got} != {want}"


def test_every_metric_of_every_shop_day_equals_the_manifest(imported_demo: DemoWorkspace) -> None:
    catalog = load_catalog()
    rows = master_csv(imported_demo)
    shops = imported_demo.manifest["shops"]
    assert len(rows) == sum(len(s["days"]) for s in shops.values())
    checked = 0
    for row in rows:
        truth = shops[row["shop"]]["days"][row["date"]]
        assert row["platform"] == shops[row["shop"]]["platform"]
        for key, metric in catalog.metrics.items():
            assert_equal(key, metric.unit, row[key], truth[key], f"{row['shop']} {row['date']}")
            checked += 1
    assert checked == len(rows) * len(catalog.metrics)


def test_columns_follow_the_stable_interface(imported_demo: DemoWorkspace) -> None:
    header = next(iter(master_csv(imported_demo))).keys()
    columns = list(header)
    assert columns[:3] == ["date", "shop", "platform"]
    for key in DESIGN_KEYS:
        assert key in columns
    for channel in ("keyword", "display", "smart", "fullsite", "brand"):
        assert f"ad_spend_{channel}" in columns


def test_weekly_grain_sums_amounts_and_recomputes_ratios(imported_demo: DemoWorkspace) -> None:
    rows = master_csv(imported_demo, "--grain", "week")
    shop = "云朵旗舰店"
    days = imported_demo.manifest["shops"][shop]["days"]
    by_week: dict[str, list[dict[str, Any]]] = defaultdict(list)
    import datetime as dt

    for date, values in days.items():
        day = dt.date.fromisoformat(date)
        by_week[(day - dt.timedelta(days=day.weekday())).isoformat()].append(values)
    full_weeks = {w: v for w, v in by_week.items() if len(v) == 7}
    assert full_weeks, "the demo range must hold at least one whole week"
    for row in rows:
        if row["shop"] != shop or row["date"] not in full_weeks:
            continue
        week = full_weeks[row["date"]]
        gmv = sum(Decimal(v["gmv"]) for v in week)
        visitors = sum(v["visitors"] for v in week)
        buyers = sum(v["buyers"] for v in week)
        assert Decimal(row["gmv"]) == gmv
        assert int(row["visitors"]) == visitors
        assert float(row["conversion_rate"]) == pytest.approx(buyers / visitors, abs=1e-6)
        assert Decimal(row["aov"]) == (gmv / buyers).quantize(Decimal("0.01"))
        assert float(row["dsr_service"]) == pytest.approx(week[-1]["dsr_service"] or week[-2]["dsr_service"])


def test_a_week_with_an_unknown_day_is_unknown_not_a_partial_sum(imported_demo: DemoWorkspace) -> None:
    rows = master_csv(imported_demo, "--grain", "week")
    last_week = [r for r in rows if r["shop"] == "小野家居"][-1]
    # The shop's 生意参谋 file lacks the last day, so its visitors that week are unknown.
    assert last_week["visitors"] == ""
    assert last_week["gmv"] != ""


def test_provenance_names_the_export_each_value_came_from(imported_demo: DemoWorkspace) -> None:
    rows = master_csv(imported_demo, "--provenance")
    end = imported_demo.manifest["end"]
    sources = {(r["shop"], r["date"]): r for r in rows}
    assert sources[("小野家居", end)]["gmv__source"] == "orders"
    assert sources[("云朵旗舰店", end)]["gmv__source"] == "sycm_shop"
    assert sources[("云朵旗舰店", end)]["ad_spend_keyword__source"] == "ad_reports"
    assert sources[("云朵旗舰店", end)]["cogs__source"] == "cost_lines"


def test_unknown_cost_makes_profit_unknown_and_coverage_says_how_much(imported_demo: DemoWorkspace) -> None:
    rows = [r for r in master_csv(imported_demo) if r["shop"] == "小野家居"]
    partial = [r for r in rows if r["cost_coverage"] and float(r["cost_coverage"]) < 1]
    assert partial, "the towel SKU has no cost, so some days must be partly covered"
    for row in partial:
        assert row["cogs"] == "" and row["gross_profit"] == "" and row["net_profit"] == ""


def test_compare_adds_change_columns_in_points_for_ratios(imported_demo: DemoWorkspace) -> None:
    rows = master_csv(imported_demo, "--compare")
    shop = "云朵旗舰店"
    days = imported_demo.manifest["shops"][shop]["days"]
    last = [r for r in rows if r["shop"] == shop][-1]
    dates = sorted(days)
    today, yesterday, week_ago = days[dates[-1]], days[dates[-2]], days[dates[-8]]
    assert float(last["gmv_prev_change"]) == pytest.approx(
        float(Decimal(today["gmv"]) / Decimal(yesterday["gmv"]) - 1), abs=1e-6
    )
    assert float(last["conversion_rate_wow_change"]) == pytest.approx(
        today["conversion_rate"] - week_ago["conversion_rate"], abs=1e-6
    )
    first = next(r for r in rows if r["shop"] == shop)
    assert first["gmv_prev_change"] == ""  # no data the day before the range


def test_json_and_xlsx_formats(imported_demo: DemoWorkspace, tmp_path: Any) -> None:
    manifest = imported_demo.manifest
    result = imported_demo.cli(
        "table",
        "master",
        "--from",
        manifest["end"],
        "--to",
        manifest["end"],
        "--shop",
        "小野家居",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert len(records) == 1
    assert records[0]["visitors"] is None
    assert records[0]["gmv"] == float(manifest["shops"]["小野家居"]["days"][manifest["end"]]["gmv"])
    target = tmp_path / "总表.xlsx"
    result = imported_demo.cli("table", "master", "--to", manifest["end"], "--format", "xlsx", "-o", target)
    assert result.exit_code == 0, result.output
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("总表").to_python()
    assert sheet[0][:4] == ["日期", "店铺", "平台", "支付金额"]
    complete = sheet[0].index("数据完整")  # after the metrics (DESIGN §5: metrics follow the platform)
    assert {row[complete] for row in sheet[1:]} == {True}  # the demo's exports cover whole days
    assert len(sheet) == 1 + 2 * 30  # header + 2 shops × 30 days (the default range), data or not
