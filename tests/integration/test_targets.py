"""Targets end to end on the demo: set/import/list/split/pace through the CLI, figures checked
against the demo's true values, the template through `shopops import`, and the 目标达成 sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from shopops.demo.run import configure, generate
from shopops.workspace import Workspace
from tests.conftest import DEMO_END, DemoWorkspace

DAYS = 60  # 2026-09-26 … 2026-11-24: October and November are complete from their first day
CLOUD, FIELD = "云朵旗舰店", "小野家居"
DASH = "—"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    base = tmp_path_factory.mktemp("targets")
    generated = generate(base / "exports", days=DAYS, end=DEMO_END, seed=7)
    with Workspace.init(base / "ws") as workspace:
        configure(workspace)
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    demo = DemoWorkspace(base / "ws", base / "exports", generated.files, manifest)
    result = demo.cli("import", *demo.files)
    assert result.exit_code == 0, result.output
    return demo


def truth(demo: DemoWorkspace, shop: str, key: str, first: dt.date, last: dt.date) -> Decimal:
    days = demo.manifest["shops"][shop]["days"]
    total = Decimal(0)
    day = first
    while day <= last:
        total += Decimal(str(days[day.isoformat()][key]))
        day += dt.timedelta(days=1)
    return total


def ok(demo: DemoWorkspace, *args: str | Path) -> str:
    result = demo.cli(*args)
    assert result.exit_code == 0, result.output
    return result.output


def pace_json(demo: DemoWorkspace, *args: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    rows = json.loads(ok(demo, "targets", "pace", "--format", "json", *args))
    return {(r["period"], r["scope"], r["metric"]): r for r in rows}


def test_pacing_figures_equal_the_demo_truth(demo: DemoWorkspace) -> None:
    ok(demo, "targets", "set", "--period", "2026-11", "--metric", "gmv", "--value", "600000", "--shop", CLOUD)
    ok(demo, "targets", "set", "-p", "2026-11", "-m", "推广花费", "-v", "2.5万", "-s", CLOUD)
    ok(demo, "targets", "set", "-p", "2026-11", "-m", "ad_roi", "-v", "2.5", "-s", CLOUD)
    ok(demo, "targets", "set", "-p", "2026-Q4", "-m", "gmv", "-v", "1500000")
    ok(demo, "targets", "set", "-p", "2026", "-m", "gmv", "-v", "5000000")
    ok(demo, "targets", "set", "-p", "2026-11", "-m", "conversion_rate", "-v", "3%", "-s", FIELD)
    rows = pace_json(demo)
    first, end = dt.date(2026, 11, 1), DEMO_END
    gmv = rows[("2026-11", CLOUD, "gmv")]
    achieved = truth(demo, CLOUD, "gmv", first, end)
    assert Decimal(str(gmv["achieved"])) == achieved
    assert (gmv["days"], gmv["days_elapsed"]) == (30, 24)
    assert gmv["time_progress"] == pytest.approx(0.8)  # 24 of 30 days, 24 Nov counted
    assert gmv["completion"] == pytest.approx(float(achieved / 600000), abs=1e-6)
    assert Decimal(str(gmv["gap"])) == Decimal(600000) - achieved
    needed = ((Decimal(600000) - achieved) / 6).quantize(Decimal("0.01"))
    assert Decimal(str(gmv["needed_per_day"])) == max(needed, Decimal(0))
    assert gmv["forecast"] is not None and gmv["forecast"] > float(achieved)
    assert gmv["status"] == ("超前" if gmv["completion"] >= 0.8 else "落后")
    spend = rows[("2026-11", CLOUD, "ad_spend")]
    assert spend["kind"] == "cap"
    assert Decimal(str(spend["achieved"])) == truth(demo, CLOUD, "ad_spend", first, end)
    roi = rows[("2026-11", CLOUD, "ad_roi")]
    ad_gmv, ad_spend = (truth(demo, CLOUD, k, first, end) for k in ("ad_gmv", "ad_report_spend"))
    assert roi["achieved"] == pytest.approx(float(ad_gmv / ad_spend), abs=1e-6)  # recomputed, not averaged
    assert roi["needed_per_day"] is None  # a ratio is not paced by days …
    assert roi["forecast"] is not None and roi["forecast_note"].startswith("比率 = 分子合计 / 分母合计")
    quarter = rows[("2026-Q4", "全部店铺", "gmv")]
    both = sum((truth(demo, s, "gmv", dt.date(2026, 10, 1), end) for s in (CLOUD, FIELD)), Decimal(0))
    assert Decimal(str(quarter["achieved"])) == both
    assert (quarter["days"], quarter["days_elapsed"]) == (92, 55)
    year = rows[("2026", "全部店铺", "gmv")]
    assert year["achieved"] is None and year["completion"] is None  # the data start in September
    assert year["status"] == "数据不全"
    rate = rows[("2026-11", FIELD, "conversion_rate")]
    assert rate["achieved"] is None  # 小野家居's 生意参谋 file lacks the last day: visitors unknown


def test_pace_table_and_csv_show_unknown_as_dash_and_empty(
    demo: DemoWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    ok(demo, "targets", "set", "-p", "2026", "-m", "gmv", "-v", "5000000")
    table = ok(demo, "--workspace", demo.root, "targets", "pace", "--period", "2026")
    assert "数据不全" in table and DASH in table and "时间进度" in table
    text = ok(demo, "targets", "pace", "--format", "csv", "--period", "2026")
    records = list(csv.DictReader(io.StringIO(text)))
    assert records and records[0]["achieved"] == "" and records[0]["time_progress"] != ""
    assert "0" not in (records[0]["achieved"], records[0]["completion"])


def test_pace_for_one_shop_and_a_past_day(demo: DemoWorkspace) -> None:
    ok(demo, "targets", "set", "-p", "2026-10", "-m", "gmv", "-v", "300000", "-s", FIELD)
    rows = pace_json(demo, "--shop", FIELD, "--date", "2026-10-10")
    assert {key[1] for key in rows} == {FIELD}
    october = rows[("2026-10", FIELD, "gmv")]
    assert october["days_elapsed"] == 10
    assert Decimal(str(october["achieved"])) == truth(
        demo, FIELD, "gmv", dt.date(2026, 10, 1), dt.date(2026, 10, 10)
    )
    over = pace_json(demo, "--shop", FIELD, "--date", "2026-11-24", "--period", "2026-10")[
        ("2026-10", FIELD, "gmv")
    ]
    assert over["days_elapsed"] == 31 and over["status"] in ("已达成", "未达成")
    assert over["forecast"] == over["achieved"]  # the month is over: nothing left to forecast


def test_split_saves_months_that_sum_exactly(demo: DemoWorkspace) -> None:
    ok(
        demo,
        "targets",
        "split",
        "-p",
        "2027-Q1",
        "-m",
        "gmv",
        "-v",
        "1000000.01",
        "--by",
        "even",
        "-s",
        CLOUD,
    )
    text = ok(demo, "targets", "list", "--format", "csv")
    months = [
        r
        for r in csv.DictReader(io.StringIO(text))
        if r["period"].startswith("2027-0") and r["scope"] == CLOUD
    ]
    assert [r["period"] for r in months] == ["2027-01", "2027-02", "2027-03"]
    assert sum(Decimal(r["target"]) for r in months) == Decimal("1000000.01")
    result = demo.cli("targets", "split", "-p", "2026", "-m", "gmv", "-v", "100", "--by", "last-year")
    assert result.exit_code == 1
    assert result.output == (
        "错误 无法按去年拆分：全部店铺的支付金额在 2025年1月、2025年2月、2025年3月、2025年4月 … 未知"
        "（12/12 个月；一个月需要每天的数据）— 导入那段历史，或用 --by even\n"
    )


def test_user_mistakes_get_one_line(demo: DemoWorkspace) -> None:
    for args, expected in (
        (
            ("-p", "2026-11", "-m", "visitors", "-v", "1"),
            "--metric 'visitors' 不能设目标；请用 gmv, net_sales, gross_profit, net_profit, paid_orders, units,"
            " ad_spend, affiliate_commission, refund_amount, aov, ad_roi, conversion_rate, refund_rate,"
            " ad_spend_ratio 之一",
        ),
        (
            ("-p", "2026-11", "-m", "gmv", "-v", "1", "-s", "无此店"),
            f"店铺 '无此店' 未登记（已有：{CLOUD}, {FIELD}）— 见 `shopops shop list`",
        ),
        (
            ("-p", "2026-11", "-m", "gmv", "-v", "1", "-g", "无此组"),
            "店铺组 '无此组' 未定义 — 用 `shopops targets group 无此组 --shops A,B` 定义",
        ),
        (("-p", "2026-11", "-m", "gmv", "-v", "abc"), "--value 'abc' 不是数字；请写 1200000、120万 或 3.5%"),
    ):
        result = demo.cli("targets", "set", *args)
        assert result.exit_code == 1, result.output
        assert result.output == f"错误 {expected}\n"
    assert demo.cli("targets", "set", "-p", "2026-13", "-m", "gmv", "-v", "1").exit_code == 2


def fill_template(demo: DemoWorkspace, folder: Path, rows: list[dict[str, str]], name: str) -> Path:
    template = folder / "targets-template.xlsx"
    ok(demo, "template", "targets", "-o", template)
    header = [str(c) for c in CalamineWorkbook.from_path(str(template)).get_sheet_by_index(0).to_python()[0]]
    assert header[:3] == ["期间", "店铺", "店铺组"] and "支付金额" in header and "推广ROI" in header
    target = folder / name
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet()
    for column, label in enumerate(header):
        sheet.write_string(0, column, label)
    for row, values in enumerate(rows, start=1):
        for label, value in values.items():
            sheet.write_string(row, header.index(label), value)
    workbook.close()
    return target


def test_the_template_imports_through_shopops_import(demo: DemoWorkspace, tmp_path: Path) -> None:
    ok(demo, "targets", "group", "全店", "--shops", f"{CLOUD},{FIELD}")
    sheet = fill_template(
        demo,
        tmp_path,
        [
            {"期间": "2026-12", "店铺": CLOUD, "支付金额": "700000", "推广预算": "30000", "推广ROI": "2.8"},
            {"期间": "2026年12月", "店铺组": "全店", "支付金额": "1,000,000", "退款率上限": "6%"},
            {"期间": "2026-Q4", "支付金额": "2000000"},
            {"期间": "合计", "支付金额": "3700000"},
        ],
        "2026目标表.xlsx",
    )
    output = ok(demo, "import", sheet)
    assert output.startswith("✓ 2026目标表.xlsx — 目标表（ShopOps 模板）（targets）：3 行，"), output
    assert output.endswith("（跳过 1 行：合计/汇总行 1）\n"), output  # the 合计 row
    listed = json.loads(ok(demo, "targets", "list", "--format", "json"))
    found = {(r["period"], r["scope"], r["metric"]): r for r in listed}
    assert found[("2026-12", CLOUD, "gmv")]["target"] == 700000
    assert found[("2026-12", CLOUD, "ad_spend")]["kind"] == "cap"
    assert found[("2026-12", CLOUD, "ad_roi")]["target"] == pytest.approx(2.8)
    assert found[("2026-12", "店铺组·全店", "refund_rate")]["target"] == pytest.approx(0.06)
    assert found[("2026-12", "店铺组·全店", "gmv")]["source"] == "2026目标表.xlsx row 3"
    assert found[("2026-Q4", "全部店铺", "gmv")]["target"] == 2000000
    assert (
        ok(demo, "import", sheet)
        == "= 2026目标表.xlsx — 目标表（ShopOps 模板）（targets）：已导入过，没有改动\n"
    )
    # a later `targets set` wins over the sheet, and a later sheet wins over it again
    ok(demo, "targets", "set", "-p", "2026-12", "-m", "gmv", "-v", "720000", "-s", CLOUD)
    listed = json.loads(ok(demo, "targets", "list", "--format", "json"))
    assert {
        r["target"] for r in listed if (r["period"], r["scope"], r["metric"]) == ("2026-12", CLOUD, "gmv")
    } == {720000}
    # the data dates ignore target sheets: they cover periods, not days of sales
    with Workspace(demo.root) as workspace:
        assert workspace.data_dates()[1] == DEMO_END


def test_a_bad_target_sheet_is_rejected_with_row_and_column(demo: DemoWorkspace, tmp_path: Path) -> None:
    bad = fill_template(
        demo,
        tmp_path,
        [{"期间": "2026-11", "支付金额": "1"}, {"期间": "2026-13", "支付金额": "2"}],
        "目标_bad.xlsx",
    )
    before = ok(demo, "targets", "list", "--format", "json")
    result = demo.cli("targets", "import", bad)
    assert result.exit_code == 1
    assert result.output == (
        "错误 目标_bad.xlsx 第 3 行「期间」列：值 “2026-13” 不是一个期间 — 写年、季度或月份，如 2026、2026-Q4 或 2026-11\n"
    )
    assert ok(demo, "targets", "list", "--format", "json") == before  # nothing changed
    money = fill_template(demo, tmp_path, [{"期间": "2026-11", "支付金额": "12x"}], "目标_money.xlsx")
    result = demo.cli("targets", "import", money)
    assert result.exit_code == 1
    assert result.output == (
        "错误 目标_money.xlsx 第 2 行「支付金额」列：值 “12x” 不是金额"
        " — 写普通数字，如 1234.56（可以带 ¥ 和千位分隔符）\n"
    )
    group = fill_template(
        demo, tmp_path, [{"期间": "2026-11", "店铺组": "没有的组", "支付金额": "1"}], "目标_group.xlsx"
    )
    result = demo.cli("targets", "import", group)
    assert result.exit_code == 1 and result.output == (
        "错误 目标_group.xlsx 第 2 行「店铺组」列：值 “没有的组” 不是已定义的店铺组"
        " — 请先定义：shopops targets group 没有的组 --shops A,B\n"
    )


def sheet_rows(path: Path, name: str) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)
    )
    return rows


def test_daily_report_has_the_targets_sheet(demo: DemoWorkspace, tmp_path: Path) -> None:
    ok(demo, "targets", "set", "--period", "2026-11", "--metric", "gmv", "--value", "600000", "--shop", CLOUD)
    path = tmp_path / "日报.xlsx"
    ok(demo, "report", "daily", "--date", "2026-11-20", "-o", path)
    assert "目标达成" in CalamineWorkbook.from_path(str(path)).sheet_names
    rows = sheet_rows(path, "目标达成")
    header = rows[3]
    assert header[:7] == ["期间", "范围", "指标", "目标", "已完成", "时间进度", "完成进度"]
    line = next(r for r in rows[4:] if r[0] == "2026-11" and r[1] == CLOUD and r[2] == "支付金额")
    achieved = truth(demo, CLOUD, "gmv", dt.date(2026, 11, 1), dt.date(2026, 11, 20))
    assert line[3] == 600000
    assert Decimal(str(round(line[4], 2))) == achieved
    assert line[5] == pytest.approx(20 / 30)
    assert line[6] == pytest.approx(float(achieved) / 600000)
    assert line[7] == pytest.approx((float(achieved) / 600000 - 20 / 30) * 100)  # pp
    assert Decimal(str(round(line[9], 2))) == ((600000 - achieved) / 10).quantize(Decimal("0.01"))
    assert line[13] in ("超前", "落后")
    year = next(r for r in rows[4:] if r[0] == "2026" and r[2] == "支付金额")
    assert year[4] == DASH and year[13] == "数据不全"
    notes = [str(c) for r in rows for c in r if c]
    assert any("截至日（有数据的最后一天）计入已过天数" in n for n in notes)
    assert any("目标达成" in str(c) for r in sheet_rows(path, "口径说明") for c in r)


def test_monthly_report_reviews_plan_against_actual(demo: DemoWorkspace, tmp_path: Path) -> None:
    ok(demo, "targets", "set", "-p", "2026-10", "-m", "gmv", "-v", "300000", "-s", FIELD)
    path = tmp_path / "月报.xlsx"
    ok(demo, "report", "monthly", "--date", "2026-10-15", "-o", path)
    rows = sheet_rows(path, "目标达成")
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("复盘"))
    october = next(r for r in rows[start:] if r[0] == FIELD and r[2] == "2026年10月")
    actual = truth(demo, FIELD, "gmv", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert october[3] == 300000
    assert Decimal(str(round(october[4], 2))) == actual
    assert october[5] == pytest.approx(float(actual) / 300000)
    assert october[13] == ("已达成" if actual >= 300000 else "未达成")
