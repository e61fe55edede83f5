"""The 绩效 workbooks read back with openpyxl, on the hand-computed team of staff_bonus_fixture.py:
`shopops staff score --format xlsx` (绩效汇总 with exact totals and line scores, one 明细 sheet per
person with the card, the working and the files behind each line), names from files kept as text in
cells and made valid as sheet names, 暂定 marked; and the 绩效 sheet of the 月报 (none in a 周报)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shopops.domains.staff.sheet import staff_sheet
from shopops.domains.staff.sheet_book import sheet_names
from shopops.workspace import Workspace
from tests.integration.staff_bonus_fixture import HOSTILE, LONG, SEPTEMBER, StaffTeam, build_team

LONG_SHEET = (
    "组长小雨售前夜班值守超长名字一二三四五六七八九十甲乙丙丁戊己庚"  # refused characters out, 31 left
)
HOSTILE_SHEET = "=cmd|' C calc'!A0"  # the / is refused in a sheet name
SUMMARY_HEADER = [
    "姓名", "岗位", "负责店铺", "总分", "等级", "岗位内排名", "岗位人数", "在岗天数占比", "暂定", "指标完成率（30%）",
    "询单转化率（20%）", "客单价（20%）", "回复率（20%）", "响应时间（5%）", "出勤率（5%）", "评分表", "说明",
]  # fmt: skip
DETAIL_HEADER = [
    "考核项",
    "数据来源",
    "权重%",
    "实际值",
    "目标",
    "得分",
    "加权得分",
    "暂定",
    "计算过程",
    "依据（导入的文件）",
]
CHITU_FILE = "赤兔_售前明细_下单优先判定_2026-08-01至2026-10-31.csv"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> StaffTeam:
    return build_team(tmp_path_factory.mktemp("staff_workbook"))


@pytest.fixture(scope="module")
def september(team: StaffTeam, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("book") / "绩效.xlsx"
    result = team.cli("staff", "score", "--period", "2026-09", "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    assert f"已写出 {path}（5 人，每人一张明细表）" in result.stdout
    return openpyxl.load_workbook(path)


def values(sheet: Any, first: int, last: int) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=first, max_row=last)]


def test_the_summary_has_the_exact_totals_and_line_scores(september: Any) -> None:
    sheet = september["绩效汇总"]
    assert sheet["A1"].value == "绩效汇总 · 2026年9月"
    assert values(sheet, 4, 4) == [SUMMARY_HEADER]
    rows = values(sheet, 5, 9)
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("小美", 100, "金牌", 1, 5),
        (HOSTILE, 98, "金牌", 2, 5),
        ("阿宁", 89.5, "银牌", 3, 5),
        ("阿飞", 86, "银牌", 4, 5),
        (LONG, 79, "铜牌", 5, 5),
    ]
    assert {r[0]: r[3] for r in rows} == SEPTEMBER
    assert [r[9:15] for r in rows] == [
        [100, 100, 100, 100, 100, 100],
        [100, 100, 100, 100, 100, 60],
        [85, 80, 100, 100, 80, 80],
        [100, 60, 100, 80, 60, 100],
        [100, 0, 100, 100, 100, 80],
    ]
    afei = rows[3]
    assert afei[7] == pytest.approx(2 / 3)
    assert afei[16] == "09-11 入职，按 20/30 天折算目标与奖金"
    assert afei[15] == "客服售前 预设 2026.1（预设）"
    assert [r[8] for r in rows] == [""] * 5  # nothing 暂定 in September
    assert (sheet["D5"].number_format, sheet["H8"].number_format, sheet["F5"].number_format) == (
        "0.00",
        "0.00%",
        "#,##0",
    )
    assert sheet.freeze_panes == "B5"
    assert sheet["A8"].hyperlink.location == "'阿飞'!A1"


def test_one_detail_sheet_per_person_with_the_card_the_working_and_the_files(september: Any) -> None:
    assert september.sheetnames == ["绩效汇总", "小美", HOSTILE_SHEET, "阿宁", "阿飞", LONG_SHEET]
    sheet = september["阿宁"]
    assert sheet["A1"].value == "阿宁 · 客服售前 · 绩效明细 · 2026年9月"
    assert values(sheet, 4, 7) == [
        ["评分表", "评分表 客服售前（2026-01 起，预设）", *[None] * 8],
        ["版本", "预设 2026.1", *[None] * 8],
        ["来源", "预设", *[None] * 8],
        ["生效", "2026-01 起", *[None] * 8],
    ]
    assert values(sheet, 9, 9) == [DETAIL_HEADER]
    lines = values(sheet, 10, 16)
    assert [r[0] for r in lines] == [
        "指标完成率",
        "询单转化率",
        "客单价",
        "回复率",
        "响应时间",
        "出勤率",
        "合计",
    ]
    assert [r[2] for r in lines] == [30, 20, 20, 20, 5, 5, 100]
    assert [r[5] for r in lines[:6]] == [85, 80, 100, 100, 80, 80]
    assert [r[6] for r in lines] == [25.5, 16, 20, 20, 4, 4, 89.5]  # the 合计 is the total
    conversion = lines[1]
    assert conversion[1] == "询单转化率（本人）"
    assert (conversion[3], conversion[4]) == (0.4, 0.45)
    assert str(conversion[8]).startswith("询单转化率 40% = 240 / 600（询单->最终付款人数 ÷ 询单人数）")
    assert str(conversion[8]).endswith("80.00 分 × 20% = 16.00")
    assert str(conversion[9]).startswith(f"{CHITU_FILE}（#")
    sales = lines[0]
    assert (sales[3], sales[4]) == (0.9, 30000)  # 27,000 ÷ 30,000; the target in 元
    assert (sheet["D10"].number_format, sheet["E10"].number_format) == ("0.00%", "#,##0.00")
    attendance = lines[5]
    assert attendance[1] == "手工录入「出勤率」"
    assert "绩效录入.csv" in attendance[9] and "张主管" in attendance[9]  # the sheet and who entered it
    facts = {r[0]: r[1] for r in values(sheet, 18, 24)}
    assert facts["总分"] == 89.5
    assert (facts["等级"], facts["岗位内排名"], facts["暂定"]) == ("银牌", "3/5", "否")
    assert facts["在岗天数"] == "30/30 天（100.00%）"
    afei = {r[0]: r[1] for r in values(september["阿飞"], 18, 26)}
    assert afei["在岗天数"] == "20/30 天（66.67%）"
    assert afei["说明"] == "09-11 入职，按 20/30 天折算目标与奖金"
    assert september["阿飞"]["G16"].value == 86


def test_names_from_files_stay_text_in_cells_and_become_valid_sheet_names(september: Any) -> None:
    summary = september["绩效汇总"]
    assert (summary["A6"].value, summary["A6"].data_type) == (HOSTILE, "s")
    assert summary["A6"].hyperlink.location == "'=cmd|'' C calc''!A0'!A1"
    assert (summary["A9"].value, summary["A9"].data_type) == (LONG, "s")
    assert september[HOSTILE_SHEET]["A1"].value == f"{HOSTILE} · 客服售前 · 绩效明细 · 2026年9月"
    assert september[LONG_SHEET]["A1"].value == f"{LONG} · 客服售前 · 绩效明细 · 2026年9月"
    formulas = [
        c.coordinate
        for ws in september.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []


def test_sheet_names_are_cut_cleaned_and_unique() -> None:
    names = [
        "小美",
        "小美",
        "小美?",
        "History",
        "a" * 40,
        "'引号'",
        "[]",
        "绩效汇总",
        "ABC",
        "abc",
        "😀" * 20,
    ]
    assert sheet_names(names, taken=["绩效汇总"]) == [
        "小美", "小美(2)", "小美(3)", "History(2)", "a" * 31, "引号", "明细", "绩效汇总(2)", "ABC", "abc(2)",
        "😀" * 15,  # 31 UTF-16 units at most: an emoji takes two
    ]  # fmt: skip
    assert sheet_names(["b" * 31, "b" * 31]) == ["b" * 31, "b" * 28 + "(2)"]


def test_a_provisional_score_is_marked(team: StaffTeam, tmp_path: Path) -> None:
    path = tmp_path / "绩效_10月.xlsx"
    assert team.cli("staff", "score", "-p", "2026-10", "--format", "xlsx", "-o", path).exit_code == 0
    book = openpyxl.load_workbook(path)
    rows = {r[0]: r for r in values(book["绩效汇总"], 5, 9)}
    assert rows["小美"][8] == "暂定"
    assert rows["小美"][16] == "暂定：10-30、10-31 未结算（共 2 天，约 4 天后稳定），按已结算的 29 天计"
    assert [name for name, row in rows.items() if row[8] == "暂定"] == ["小美"]
    facts = {r[0]: r[1] for r in values(book["小美"], 18, 26)}
    assert facts["暂定"] == "是：结算后重新导入再看"
    assert {r[0]: r[7] for r in values(book["小美"], 10, 15)}["询单转化率"] == "暂定"


def test_the_monthly_report_has_a_staff_sheet_and_the_weekly_none(team: StaffTeam, tmp_path: Path) -> None:
    monthly, weekly = tmp_path / "月报.xlsx", tmp_path / "周报.xlsx"
    assert team.cli("report", "monthly", "--date", "2026-09-01", "-o", monthly).exit_code == 0
    assert team.cli("report", "weekly", "--date", "2026-09-07", "-o", weekly).exit_code == 0
    book = openpyxl.load_workbook(monthly)
    assert "绩效" in book.sheetnames
    assert book.sheetnames.index("绩效") < book.sheetnames.index("口径说明")
    sheet = book["绩效"]
    assert sheet["A1"].value == "月报 · 绩效 · 2026 年 9 月"
    assert values(sheet, 4, 4) == [SUMMARY_HEADER]
    assert {r[0]: r[3] for r in values(sheet, 5, 9)} == SEPTEMBER
    assert sheet["A5"].hyperlink is None
    assert "绩效" not in openpyxl.load_workbook(weekly).sheetnames
    with Workspace.open(team.root) as workspace:
        con = workspace.connection
        assert staff_sheet(con, dt.date(2026, 9, 1), dt.date(2026, 9, 30)) is not None
        assert staff_sheet(con, dt.date(2026, 9, 1), dt.date(2026, 9, 24)) is None  # a month not over
        assert staff_sheet(con, dt.date(2026, 9, 30), dt.date(2026, 9, 30)) is None  # a 日报
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM staff")
        assert staff_sheet(con, dt.date(2026, 9, 1), dt.date(2026, 9, 30)) is None  # no staff list
        con.execute("ROLLBACK")
