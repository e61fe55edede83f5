"""The 日报 workbook, read back cell by cell: 总表 equals the demo's true values (and the master table),
every metric shown has its 口径, user text stays text, weekly/monthly work, LibreOffice opens it."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from shopops.metrics.catalog import Metric, load_catalog
from shopops.reports.workbook import build_report, write_workbook
from shopops.workspace import Workspace
from tests.conftest import DEMO_END, DemoWorkspace

SUMMARY_HEADER = 3  # section row; metric labels on the next row, then 当日/环比/周同比; data below
DASH = "—"
# Catalog metrics a 合计 recomputes from summed parts (written here independently of the compiler).
RATIOS = {
    "conversion_rate": ("buyers", "visitors"),
    "aov": ("gmv", "buyers"),
    "uv_value": ("gmv", "visitors"),
    "ad_roi": ("ad_gmv", "ad_report_spend"),
    "ad_spend_ratio": ("ad_spend", "gmv"),
    "refund_rate": ("refund_amount", "gmv"),
    "cost_coverage": ("cost_known_units", "cost_units"),
    "after_sale_refund_rate": ("after_sale_refund_amount", "gmv"),
    "after_shipment_refund_rate": ("after_shipment_refund_amount", "gmv"),
    "product_refund_rate": ("product_refund_amount", "gmv"),
}


def rows_of(path: Path, sheet: str) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    )
    return rows


def base_label(text: str) -> str:
    """支付金额（万元）→ 支付金额; 减：成功退款金额 → 成功退款金额."""
    text = re.sub(r"^(减：|= )", "", str(text))
    return re.sub(r"（(万元|元|日累加)）", "", text)


def summary_table(path: Path) -> tuple[dict[str, int], dict[str, list[Any]], list[str]]:
    """(metric key → first column, shop → row cells, the 当日/环比/… labels) from the 总表 sheet."""
    rows = rows_of(path, "总表")
    by_label = {m.label: key for key, m in load_catalog().metrics.items()}
    columns = {by_label[base_label(cell)]: i for i, cell in enumerate(rows[SUMMARY_HEADER + 1]) if cell}
    data = {}
    for row in rows[SUMMARY_HEADER + 3 :]:
        if not row[0]:
            break
        data[row[0]] = row
    return columns, data, list(rows[SUMMARY_HEADER + 2][2:5])


def daily_report(demo: DemoWorkspace, folder: Path, day: dt.date, *extra: str) -> Path:
    target = folder / f"日报_{day}.xlsx"
    result = demo.cli("report", "daily", "--date", day.isoformat(), "-o", target, *extra)
    assert result.exit_code == 0, result.output
    assert str(target) in result.output.replace("\n", "")
    return target


def assert_cell(metric: Metric, cell: Any, want: Any, where: str, scale: float = 1.0) -> None:
    if want is None:
        assert cell == DASH, f"{where}: expected “—”, got {cell!r}"
        return
    assert isinstance(cell, float), f"{where}: expected {want}, got {cell!r}"
    if metric.unit == "money":
        assert Decimal(str(round(cell * scale, 2))) == Decimal(str(want)), f"{where}: {cell} != {want}"
    elif metric.unit == "count":
        assert int(cell) == int(want), f"{where}: {cell} != {want}"
    else:
        assert cell == pytest.approx(float(want), rel=1e-9, abs=1e-12), f"{where}: {cell} != {want}"


def expected_change(metric: Metric, now: Any, before: Any) -> float | None:
    if now is None or before is None:
        return None
    if metric.unit in ("ratio", "score"):
        change = float(now) - float(before)
        return change * 100 if metric.unit == "ratio" and metric.display != "multiple" else change
    return None if float(before) == 0 else float(now) / float(before) - 1


def expected_total(days: list[dict[str, Any]]) -> dict[str, Any]:
    """The 合计 of the shops' true values: sums of additive parts, ratios from summed parts."""
    catalog = load_catalog()

    def summed(key: str) -> Any:
        values = [day[key] for day in days]
        return None if any(v is None for v in values) else sum(Decimal(str(v)) for v in values)

    total: dict[str, Any] = {}
    for key, metric in catalog.metrics.items():
        if key in RATIOS:
            top, bottom = (summed(part) for part in RATIOS[key])
            value = None if top is None or not bottom else float(top) / float(bottom)
            total[key] = (
                round(Decimal(str(value)), 2) if value is not None and metric.unit == "money" else value
            )
        elif metric.unit == "score":
            total[key] = None  # DSR has no meaning across shops
        else:
            total[key] = summed(key)
    return total


@pytest.mark.parametrize("offset", [0, 1])
def test_summary_sheet_equals_the_manifest_and_the_master_table(
    imported_demo: DemoWorkspace, tmp_path: Path, offset: int
) -> None:
    day = DEMO_END - dt.timedelta(days=offset)
    path = daily_report(imported_demo, tmp_path, day)
    columns, rows, labels = summary_table(path)
    assert labels == ["当日", "环比", "周同比"]
    catalog = load_catalog()
    shops = imported_demo.manifest["shops"]
    assert set(rows) == {*shops, "合计"}
    assert len(columns) >= 25 and not any(catalog.metrics[k].channel for k in columns)
    for shop, truth in shops.items():
        days = truth["days"]
        for key, column in columns.items():
            metric = catalog.metrics[key]
            where = f"总表 {shop} {day} {metric.label}"
            assert_cell(metric, rows[shop][column], days[str(day)][key], where)
            for shift, back in ((1, 1), (2, 7)):
                before = days.get(str(day - dt.timedelta(days=back)), {}).get(key)
                want = expected_change(metric, days[str(day)][key], before)
                cell = rows[shop][column + shift]
                if want is None:
                    assert cell == DASH, f"{where} change {shift}: {cell!r}"
                else:
                    assert cell == pytest.approx(want, rel=1e-6, abs=1e-9), f"{where} change {shift}"
    total = expected_total([truth["days"][str(day)] for truth in shops.values()])
    for key, column in columns.items():
        assert_cell(catalog.metrics[key], rows["合计"][column], total[key], f"总表 合计 {day} {key}")
    with Workspace(imported_demo.root) as workspace:
        master = workspace.master_table(day, day, total=True)
    total_row = master.filter(master["shop"] == "合计").row(0, named=True)
    assert total_row["platform"] is None
    for key in columns:
        want = total[key]
        got = total_row[key]
        assert (got is None) == (want is None), f"master 合计 {key}: {got} vs {want}"
        if want is not None:
            assert float(got) == pytest.approx(float(want), rel=1e-9), f"master 合计 {key}"


def test_every_metric_in_the_workbook_has_a_definition_row(
    imported_demo: DemoWorkspace, tmp_path: Path
) -> None:
    path = daily_report(imported_demo, tmp_path, DEMO_END)
    catalog = load_catalog()
    notes = rows_of(path, "口径说明")
    defined = {row[1]: row for row in notes[4:] if row[1] and row[2] in catalog.metrics}
    assert set(defined) == {m.label for m in catalog.metrics.values()}
    for metric in catalog.metrics.values():
        assert defined[metric.label][3] == metric.definition
    shown: set[str] = set()
    shown |= {base_label(c) for c in rows_of(path, "总表")[SUMMARY_HEADER + 1] if c}
    shown |= {base_label(c) for c in rows_of(path, "趋势")[36] if c and c != "日期"}
    shown |= {base_label(c) for c in rows_of(path, "推广")[3][2:] if c}
    shown |= {
        f"推广花费·{row[1]}" for row in rows_of(path, "推广")[4:] if row[1] and row[1] not in ("小计", "合计")
    }
    shown |= {base_label(row[0]) for row in rows_of(path, "利润")[5:16] if row[0]}
    shown |= {base_label(c) for c in rows_of(path, "退款")[3] if c and c != "店铺"}
    assert len(shown) >= 30 and any(label.startswith("推广花费·") for label in shown)
    assert shown <= set(defined), f"shown without a 口径 row: {shown - set(defined)}"
    for label in shown:
        assert defined[label][8] != DASH, f"{label}: 口径说明 does not say where it is shown"


def test_text_that_looks_like_a_formula_stays_text(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(imported_demo.root, root)
    evil_title, evil_reason, evil_shop = '=HYPERLINK("x")', "+SUM(1,2)", "-1+1"
    with Workspace(root) as workspace:
        workspace.connection.execute(
            "UPDATE refunds SET title = ?, reason = ? WHERE shop = '云朵旗舰店' AND status = '退款成功'"
            " AND CAST(completed_at AS DATE) = ?",
            [evil_title, evil_reason, DEMO_END],
        )
        workspace.add_shop(evil_shop, "taobao")
        path = build_report(workspace, "daily", DEMO_END, target=tmp_path / "evil.xlsx").path
    cells = {
        sheet: [c for row in rows_of(path, sheet) for c in row] for sheet in ("总表", "退款", "数据来源")
    }
    assert evil_title in cells["退款"] and evil_reason in cells["退款"]
    assert evil_shop in cells["总表"] and evil_shop in cells["退款"]
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in archive.read(n).decode() for n in sheets)
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path)
    found = [c for row in book["退款"].iter_rows() for c in row if c.value == evil_title]
    assert found and all(c.data_type == "s" for c in found)


def test_data_sources_sheet_lists_files_and_missing_days(
    imported_demo: DemoWorkspace, tmp_path: Path
) -> None:
    path = daily_report(imported_demo, tmp_path, DEMO_END)
    cells = [str(c) for row in rows_of(path, "数据来源") for c in row]
    for file in imported_demo.files:
        assert any(file.name in c for c in cells), file.name
    rows = rows_of(path, "数据来源")
    missing = [row for row in rows if row[0] == "小野家居" and str(DEMO_END) in str(row[3])]
    assert missing and "店铺整体" in missing[0][1]


def test_money_in_wan_yuan_when_the_settings_ask(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    with Workspace(imported_demo.root) as workspace:
        report = build_report(workspace, "daily", DEMO_END, target=tmp_path / "元.xlsx")
        report.data.money_unit = "万元"
        write_workbook(report.data, tmp_path / "万元.xlsx")
    rows = rows_of(tmp_path / "万元.xlsx", "总表")
    labels = rows[SUMMARY_HEADER + 1]
    gmv, aov = labels.index("支付金额（万元）"), labels.index("客单价（元）")
    truth = imported_demo.manifest["shops"]["云朵旗舰店"]["days"][str(DEMO_END)]
    shop_row = next(r for r in rows if r[0] == "云朵旗舰店")
    assert shop_row[gmv] * 10000 == pytest.approx(float(truth["gmv"]))
    assert shop_row[aov] == pytest.approx(float(truth["aov"]))


def test_weekly_and_monthly_reports(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    result = imported_demo.cli("report", "weekly", "-o", tmp_path / "w.xlsx")
    assert result.exit_code == 0, result.output
    assert "2026-11-16 ~ 2026-11-22" in result.output
    columns, rows, labels = summary_table(tmp_path / "w.xlsx")
    assert labels == ["本周", "环比", "同比"]
    header = rows_of(tmp_path / "w.xlsx", "总表")[SUMMARY_HEADER + 1]
    assert "访客数（日累加）" in header

    def week_gmv(days: dict[str, Any], monday: dt.date) -> Decimal:
        return sum((Decimal(days[str(monday + dt.timedelta(days=i))]["gmv"]) for i in range(7)), Decimal(0))

    for shop, truth in imported_demo.manifest["shops"].items():
        this_week, last_week = (week_gmv(truth["days"], dt.date(2026, 11, d)) for d in (16, 9))
        assert Decimal(str(round(rows[shop][columns["gmv"]], 2))) == this_week
        assert rows[shop][columns["gmv"] + 1] == pytest.approx(float(this_week) / float(last_week) - 1)
        assert rows[shop][columns["gmv"] + 2] == DASH  # no history a year back
    result = imported_demo.cli("report", "monthly", "-o", tmp_path / "m.xlsx", "--shops", "云朵旗舰店")
    assert result.exit_code == 0, result.output
    assert "2026 年 11 月" in result.output
    _, rows, labels = summary_table(tmp_path / "m.xlsx")
    assert labels == ["本月", "环比", "同比"] and set(rows) == {"云朵旗舰店", "合计"}


def test_a_day_without_data_is_one_clear_line(imported_demo: DemoWorkspace) -> None:
    result = imported_demo.cli("report", "daily", "--date", "2027-01-01")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "no data for 2027-01-01" in lines[0] and "2026-11-24" in lines[0]
    unknown = imported_demo.cli("report", "daily", "--shops", "某店")
    assert unknown.exit_code == 1 and "shop '某店' is not registered" in unknown.output


OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_libreoffice_converts_the_workbook_to_pdf(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    path = daily_report(imported_demo, tmp_path, DEMO_END)
    assert OFFICE is not None
    profile = (tmp_path / "lo-profile").as_uri()
    completed = subprocess.run(
        [
            OFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    pdf = path.with_suffix(".pdf")
    assert completed.returncode == 0, completed.stderr
    assert pdf.is_file() and pdf.stat().st_size > 10_000, completed.stdout + completed.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
