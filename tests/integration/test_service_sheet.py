"""The 客服 sheet of the 日报/周报, read back with openpyxl: each agent's cells against the demo
manifest (ratios from the sums, "—" where unknown, 暂定 where unsettled), number formats, the notes
under the table, the team block with 客服销售额占比, a frozen header; no sheet without 客服 data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shopops.domains.service.sheet import service_sheet
from shopops.reports.workbook import build_report
from shopops.workspace import Workspace
from tests.conftest import DEMO_END, DemoWorkspace, build_demo_workspace
from tests.web.conftest import SHOP_A, SHOP_B
from tests.web.service_data import ServiceData, add_service_data, agent_days, expected_agent

HEADERS = [
    "客服", "店铺", "分组", "天数", "接待人数", "询单人数", "询单->最终付款人数", "询单转化率", "客服销售额",
    "销售订单数", "客单价", "平均响应(秒)", "首次响应(秒)", "回复率", "慢响应人数", "满意率", "完成退款金额", "暂定",
]  # fmt: skip
TEAM_HEADERS = [
    "店铺", "客服人数", "接待人数", "询单人数", "询单->最终付款人数", "询单转化率", "客服销售额", "支付金额",
    "客服销售额占比", "平均响应(秒)", "暂定",
]  # fmt: skip
SETTLED_DAY = DEMO_END - dt.timedelta(days=5)
WEEK = (dt.date(2026, 11, 16), dt.date(2026, 11, 22))


@pytest.fixture(scope="module")
def service_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoWorkspace, ServiceData]:
    base = tmp_path_factory.mktemp("service_sheet")
    demo = build_demo_workspace(base)
    result = demo.cli("import", *demo.files)
    assert result.exit_code == 0, result.output
    with Workspace.open(demo.root) as workspace:
        data = add_service_data(workspace, demo.exports, base / "service")
    return demo, data


def report(demo: DemoWorkspace, path: Path, kind: str, day: dt.date, shops: list[str] | None = None) -> Any:
    with Workspace.open(demo.root) as workspace:
        build_report(workspace, kind, day, shops=shops, target=path)
    return openpyxl.load_workbook(path)


def table(sheet: Any, header_row: int) -> list[list[Any]]:
    """The rows under a header row, to the first without a second cell (a note, or the end)."""
    rows = []
    for row in sheet.iter_rows(min_row=header_row + 1):
        if row[1].value in (None, ""):
            break
        rows.append(row)
    return rows


def test_the_daily_sheet_is_the_manifest_day(
    service_demo: tuple[DemoWorkspace, ServiceData], tmp_path: Path
) -> None:
    demo, data = service_demo
    sheet = report(demo, tmp_path / "日报.xlsx", "daily", SETTLED_DAY)["客服"]
    assert str(sheet["A1"].value).startswith("日报 · 客服 · ") and str(SETTLED_DAY) in str(sheet["A2"].value)
    assert sheet["A4"].value == "客服明细" and sheet.freeze_panes == "B6"
    assert [c.value for c in sheet[5]][: len(HEADERS)] == HEADERS
    rows = {(r[1].value, r[0].value): r for r in table(sheet, 5)}
    working = {
        (a["shop"], a["person"])
        for a in data.truth["agents"]
        if agent_days(data.truth, a["shop"], a["person"], SETTLED_DAY, SETTLED_DAY)
    }
    assert set(rows) == working and len(working) >= 6
    for (shop, person), row in rows.items():
        want = expected_agent(data.truth, shop, person, SETTLED_DAY, SETTLED_DAY)
        cells = dict(zip(HEADERS, row, strict=False))
        assert cells["天数"].value == 1 and cells["接待人数"].value == want["receptions"]
        assert cells["询单人数"].value == want["inquiries"]
        assert cells["询单->最终付款人数"].value == want["inquiry_buyers"]
        assert cells["询单转化率"].value == pytest.approx(want["inquiry_conversion"], abs=1e-12)
        assert cells["询单转化率"].number_format == "0.00%" and cells["回复率"].number_format == "0.00%"
        assert Decimal(str(cells["客服销售额"].value)) == want["sales"]
        assert cells["客服销售额"].number_format == "#,##0.00"
        assert cells["平均响应(秒)"].value == pytest.approx(want["avg_response_seconds"], abs=0.051)
        assert cells["完成退款金额"].value == pytest.approx(float(want["refund_amount"]), abs=0.001)
        if want["aov"] is None:
            assert cells["客单价"].value == "—"
        if shop == SHOP_B:  # no 满意度 export for shop B: unknown, never 0
            assert cells["满意率"].value == "—"
        else:
            assert cells["满意率"].value == pytest.approx(want["satisfaction_rate"], abs=1e-12)
        assert cells["暂定"].value in (None, "")
    notes = [r[0].value for r in sheet.iter_rows(min_row=6 + len(rows), max_row=12 + len(rows))]
    assert notes[0] == "询单转化率 = 询单->最终付款人数 ÷ 询单人数（已结算的日期）"
    assert f"{SHOP_A}：客服销售额按 下单优先判定" in notes
    assert sheet.column_dimensions["A"].width >= 12 and sheet.column_dimensions["H"].width >= 10


def test_the_team_block(service_demo: tuple[DemoWorkspace, ServiceData], tmp_path: Path) -> None:
    demo, data = service_demo
    sheet = report(demo, tmp_path / "日报.xlsx", "daily", SETTLED_DAY)["客服"]
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == "团队合计") + 1
    assert [c.value for c in sheet[header]][: len(TEAM_HEADERS)] == TEAM_HEADERS
    rows = {r[0].value: [c.value for c in r] for r in table(sheet, header)}
    assert set(rows) == {SHOP_A, SHOP_B}
    manifest = demo.manifest["shops"]
    for shop, row in rows.items():
        people = [a["person"] for a in data.truth["agents"] if a["shop"] == shop]
        wants = [expected_agent(data.truth, shop, p, SETTLED_DAY, SETTLED_DAY) for p in people]
        wants = [w for w in wants if w["days"]]
        sales = sum((w["sales"] for w in wants), Decimal(0))
        gmv = Decimal(manifest[shop]["days"][SETTLED_DAY.isoformat()]["gmv"])
        assert row[1] == len(wants) and row[2] == sum(w["receptions"] for w in wants)
        assert row[3] == sum(w["inquiries"] for w in wants)
        assert row[4] == sum(w["inquiry_buyers"] for w in wants)
        assert row[5] == pytest.approx(row[4] / row[3], abs=1e-12)  # from the sums
        assert Decimal(str(row[6])) == sales and Decimal(str(row[7])) == gmv
        assert row[8] == pytest.approx(float(sales) / float(gmv), abs=1e-12)
    assert str(sheet.cell(header + 3, 1).value).startswith("团队合计：")


def test_an_unsettled_day_is_provisional_with_an_unknown_conversion(
    service_demo: tuple[DemoWorkspace, ServiceData], tmp_path: Path
) -> None:
    demo, data = service_demo
    assert DEMO_END.isoformat() in data.truth["delayed"]["final"]
    sheet = report(demo, tmp_path / "日报.xlsx", "daily", DEMO_END)["客服"]
    rows = table(sheet, 5)
    assert rows and all(r[7].value == "—" and r[6].value == "—" for r in rows)  # 延迟统计: unknown, not 0
    assert all(r[17].value == "暂定" for r in rows)
    assert all(isinstance(r[5].value, int) for r in rows)  # 询单人数 is known
    notes = [r[0].value for r in sheet.iter_rows(min_row=6 + len(rows), max_row=12 + len(rows))]
    assert any(str(n).startswith("暂定：") for n in notes)


def test_the_weekly_sheet_says_which_attribution(
    service_demo: tuple[DemoWorkspace, ServiceData], tmp_path: Path
) -> None:
    demo, data = service_demo
    sheet = report(demo, tmp_path / "周报.xlsx", "weekly", WEEK[1])["客服"]
    rows = table(sheet, 5)
    star = next(r for r in rows if r[0].value == "小美")
    want = expected_agent(data.truth, SHOP_A, "小美", *WEEK)
    assert star[3].value == want["days"] and star[5].value == want["inquiries"]
    assert Decimal(str(star[8].value)) == want["sales"]
    notes = [str(r[0].value) for r in sheet.iter_rows(min_row=6 + len(rows), max_row=14 + len(rows))]
    assert any("付款优先判定" in n and "未合并" in n for n in notes), notes
    assert "日累加：人数为每天人数之和，同一买家跨天会重复计数" in notes


def test_a_report_for_one_shop_names_only_its_agents(
    service_demo: tuple[DemoWorkspace, ServiceData], tmp_path: Path
) -> None:
    demo, _ = service_demo
    sheet = report(demo, tmp_path / "B.xlsx", "daily", SETTLED_DAY, shops=[SHOP_B])["客服"]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert SHOP_A not in text and "小美" not in text and SHOP_B in text


def test_no_sheet_without_service_data(
    service_demo: tuple[DemoWorkspace, ServiceData], imported_demo: DemoWorkspace, tmp_path: Path
) -> None:
    demo, _ = service_demo
    with Workspace.open(demo.root) as workspace:
        assert service_sheet(workspace.connection, dt.date(2026, 9, 1), dt.date(2026, 9, 1)) is None
        assert service_sheet(workspace.connection, SETTLED_DAY, SETTLED_DAY) is not None
    book = report(imported_demo, tmp_path / "日报.xlsx", "daily", SETTLED_DAY)
    assert "客服" not in book.sheetnames and "总表" in book.sheetnames
