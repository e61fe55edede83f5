"""The 日报 workbook, read back cell by cell: 总表 equals the demo's true values (and the master table),
every metric shown has its 口径, user text stays text, weekly/monthly work, LibreOffice opens it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
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

SUMMARY_HEADER = 3  # 指标 and the column groups (合计, shops); 当日/环比/周同比 below; sections, metrics
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


def summary_table(path: Path) -> tuple[dict[str, int], dict[str, dict[str, list[Any]]], list[str]]:
    """(metric key → row, group (合计 or shop) → metric key → [value, change, change], the
    当日/环比/… labels) from the 总表 sheet: metrics as rows, column groups of three per shop."""
    rows = rows_of(path, "总表")
    assert rows[SUMMARY_HEADER][0] == "指标"
    by_label = {m.label: key for key, m in load_catalog().metrics.items()}
    groups = {
        str(title).split("\n")[0]: column
        for column, title in enumerate(rows[SUMMARY_HEADER])
        if column and title
    }
    keys: dict[str, int] = {}
    for index, row in enumerate(rows[SUMMARY_HEADER + 2 :], start=SUMMARY_HEADER + 2):
        if not row[0]:
            break
        key = by_label.get(base_label(row[0]))
        if key is not None:
            keys[key] = index
    data = {
        group: {key: list(rows[index][column : column + 3]) for key, index in keys.items()}
        for group, column in groups.items()
    }
    return keys, data, list(rows[SUMMARY_HEADER + 1][1:4])


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
    """The 合计 of the shops' true values: sums over the shops that know a figure, ratios from
    parts summed over the shops that know the ratio; None when no shop knows it. Keys this test
    cannot recompute from the manifest (other ratios) are left out."""
    catalog = load_catalog()

    def summed(key: str, over: list[dict[str, Any]]) -> Any:
        values = [day[key] for day in over if day[key] is not None]
        return sum(Decimal(str(v)) for v in values) if values else None

    total: dict[str, Any] = {}
    for key, metric in catalog.metrics.items():
        if key in RATIOS:
            knowing = [day for day in days if day[key] is not None]
            top, bottom = (summed(part, knowing) for part in RATIOS[key])
            value = None if top is None or not bottom else float(top) / float(bottom)
            total[key] = (
                round(Decimal(str(value)), 2) if value is not None and metric.unit == "money" else value
            )
        elif metric.unit == "score":
            total[key] = None  # DSR has no meaning across shops
        elif metric.unit in ("money", "count") and "/" not in metric.formula:
            total[key] = summed(key, days)
    return total


def coverage_mark(known: int, shops: int) -> str:
    """ "⁽³⁄₄⁾" for a 合计 over 3 of 4 shops; "" when all (or none) know it."""
    if not 0 < known < shops:
        return ""
    up, down = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"), str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    return f"⁽{str(known).translate(up)}⁄{str(shops).translate(down)}⁾"


@pytest.mark.parametrize("offset", [0, 1])
def test_summary_sheet_equals_the_manifest_and_the_master_table(
    imported_demo: DemoWorkspace, tmp_path: Path, offset: int
) -> None:
    day = DEMO_END - dt.timedelta(days=offset)
    path = daily_report(imported_demo, tmp_path, day)
    keys, groups, labels = summary_table(path)
    assert labels == ["当日", "环比", "周同比"]
    catalog = load_catalog()
    shops = imported_demo.manifest["shops"]
    assert list(groups) == ["合计", *sorted(shops, key=list(groups).index)] and set(groups) == {
        *shops,
        "合计",
    }
    truths = {shop: truth["days"][str(day)] for shop, truth in shops.items()}
    # Exactly the metrics some shop knows are rows (the per-channel ones are on 推广).
    known = {
        k
        for k, m in catalog.metrics.items()
        if not m.channel and any(t[k] is not None for t in truths.values())
    }
    assert set(keys) == known and len(keys) >= 25
    for shop, truth in shops.items():
        days = truth["days"]
        for key in keys:
            metric = catalog.metrics[key]
            where = f"总表 {shop} {day} {metric.label}"
            cells = groups[shop][key]
            assert_cell(metric, cells[0], days[str(day)][key], where)
            for shift, back in ((1, 1), (2, 7)):
                before = days.get(str(day - dt.timedelta(days=back)), {}).get(key)
                want = expected_change(metric, days[str(day)][key], before)
                if want is None:
                    assert cells[shift] == DASH, f"{where} change {shift}: {cells[shift]!r}"
                else:
                    assert cells[shift] == pytest.approx(want, rel=1e-6, abs=1e-9), f"{where} change {shift}"
    total = expected_total(list(truths.values()))
    for key in keys:
        if key in total:
            assert_cell(catalog.metrics[key], groups["合计"][key][0], total[key], f"总表 合计 {day} {key}")
    with Workspace(imported_demo.root) as workspace:
        master = workspace.master_table(day, day, total=True)
    total_row = master.filter(master["shop"] == "合计").row(0, named=True)
    assert total_row["platform"] is None
    for key in keys:
        got, cell = total_row[key], groups["合计"][key][0]
        assert (got is None) == (cell == DASH), f"master 合计 {key}: {got} vs {cell!r}"
        if key in total:
            want = total[key]
            assert (got is None) == (want is None), f"master 合计 {key}: {got} vs {want}"
            if want is not None:
                assert float(got) == pytest.approx(float(want), rel=1e-9), f"master 合计 {key}"
    assert_partial_marks(path, keys, truths)


def assert_partial_marks(path: Path, keys: dict[str, int], truths: dict[str, dict[str, Any]]) -> None:
    """A 合计 over some shops shows "⁽ᵏ⁄ₙ⁾" through its number format (the cell stays a number) and a
    note under the table names the missing shops; a 合计 over every shop has no mark."""
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(path)["总表"]
    rows = rows_of(path, "总表")
    notes = [str(row[0]) for row in rows if "合计只含" in str(row[0])]
    catalog = load_catalog()
    partial = 0
    for key, index in keys.items():
        missing = [shop for shop, truth in truths.items() if truth[key] is None]
        cell = sheet.cell(row=index + 1, column=2)
        mark = coverage_mark(len(truths) - len(missing), len(truths))
        if cell.data_type != "n" or catalog.metrics[key].unit == "score":
            continue
        assert (mark in cell.number_format) if mark else ("⁽" not in cell.number_format), (
            key,
            cell.number_format,
        )
        if mark:
            partial += 1
            label = catalog.metrics[key].label
            fraction = f"{len(truths) - len(missing)}/{len(truths)}"
            assert any(
                label in line and f"合计只含 {fraction} 个店铺（缺 {'、'.join(missing)}）" in line
                for line in notes
            ), f"no note for {label}: {notes}"
    assert partial > 0  # the demo has shops without 访客数 (Douyin)


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
    shown |= {catalog.metrics[key].label for key in summary_table(path)[0]}
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
    assert f"{evil_shop}\n淘宝" in cells["总表"] and evil_shop in cells["退款"]  # 总表: name over platform
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
    listed = [file for file in imported_demo.files if any(file.name in c for c in cells)]
    others = len(imported_demo.files) - len(listed)  # the files only the trend/comparison use: counted
    assert f"另有 {others} 个文件只用于比较期与趋势，未列出（`shopops imports` 列出全部导入）。" in cells
    rows = rows_of(path, "数据来源")
    missing = [row for row in rows if row[0] == "小野家居" and str(DEMO_END) in str(row[3])]
    assert missing and "店铺整体" in missing[0][1]


def test_money_in_wan_yuan_when_the_settings_ask(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    with Workspace(imported_demo.root) as workspace:
        report = build_report(workspace, "daily", DEMO_END, target=tmp_path / "元.xlsx")
        report.data.money_unit = "万元"
        write_workbook(report.data, tmp_path / "万元.xlsx")
    _, groups, _ = summary_table(tmp_path / "万元.xlsx")
    labels = {base_label(row[0]): row[0] for row in rows_of(tmp_path / "万元.xlsx", "总表") if row[0]}
    assert labels["支付金额"] == "支付金额（万元）" and labels["客单价"] == "客单价（元）"
    truth = imported_demo.manifest["shops"]["云朵旗舰店"]["days"][str(DEMO_END)]
    assert groups["云朵旗舰店"]["gmv"][0] * 10000 == pytest.approx(float(truth["gmv"]))
    assert groups["云朵旗舰店"]["aov"][0] == pytest.approx(float(truth["aov"]))


def test_weekly_and_monthly_reports(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    result = imported_demo.cli("report", "weekly", "-o", tmp_path / "w.xlsx")
    assert result.exit_code == 0, result.output
    assert "2026-11-16 ~ 2026-11-22" in result.output
    _, groups, labels = summary_table(tmp_path / "w.xlsx")
    assert labels == ["本周", "环比", "同比"]
    assert "访客数（日累加）" in [row[0] for row in rows_of(tmp_path / "w.xlsx", "总表")]

    def week_gmv(days: dict[str, Any], monday: dt.date) -> Decimal:
        return sum((Decimal(days[str(monday + dt.timedelta(days=i))]["gmv"]) for i in range(7)), Decimal(0))

    for shop, truth in imported_demo.manifest["shops"].items():
        this_week, last_week = (week_gmv(truth["days"], dt.date(2026, 11, d)) for d in (16, 9))
        cells = groups[shop]["gmv"]
        assert Decimal(str(round(cells[0], 2))) == this_week
        assert cells[1] == pytest.approx(float(this_week) / float(last_week) - 1)
        assert cells[2] == DASH  # no history a year back
    result = imported_demo.cli("report", "monthly", "-o", tmp_path / "m.xlsx", "--shops", "云朵旗舰店")
    assert result.exit_code == 0, result.output
    assert "2026 年 11 月" in result.output
    _, groups, labels = summary_table(tmp_path / "m.xlsx")
    assert labels == ["本月", "环比", "同比"] and set(groups) == {"云朵旗舰店"}  # one shop: no 合计


def test_a_day_without_data_is_one_clear_line(imported_demo: DemoWorkspace) -> None:
    result = imported_demo.cli("report", "daily", "--date", "2027-01-01")
    assert result.exit_code == 1
    assert result.output == (
        "错误 2027-01-01 没有数据：没有已导入的导出覆盖这一天 — 仓库中的数据从 2026-11-04 到 2026-11-24；"
        "请在这个范围内选 --date\n"
    )
    unknown = imported_demo.cli("report", "daily", "--shops", "某店")
    assert unknown.exit_code == 1 and unknown.output == (
        "错误 店铺 '某店' 未登记（已有：云朵旗舰店, 小野家居）— 见 `shopops shop list`\n"
    )


# The workbook printed through LibreOffice (page counts, what prints): test_report_pages.py.
