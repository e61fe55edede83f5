"""`shopops staff bonus` on a hand-computed team (tests/integration/staff_bonus_fixture.py): the pool
split exact to the 分 in the table, JSON, CSV and the workbook to sign; base × tier coefficient;
--save writing the rows and an audit record, a second save replacing them; --save refused while a
score is 暂定; the change from last period's saved bonus; the usage lines.

The pool amounts are worked by hand from the totals (September: 100, 98, 89.5, 86 × 20/30, 79;
Σ weights = 423.8333… = 2543/6): pool × weight ÷ Σ in 分, cut down, the leftover 分 to the largest
remainders — 小美 235941.80, HOSTILE 231222.96, 阿宁 211167.91, 阿飞 135273.30, LONG 186394.02 分:
floors sum to 9,999.97, the 3 分 go to HOSTILE (.96), 阿宁 (.91) and 小美 (.80).
August (pool 9,000; 100, 98, 89.5, 79; Σ 366.5): 2455.66|.17, 2406.54|.84, 2197.81|.72, 1939.97|.27,
floors 8,999.98: the 2 分 go to HOSTILE and 阿宁.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from shopops.analysis.targets.periods import TargetPeriod
from shopops.domains.staff.bonus_runs import previous_period
from tests.integration.staff_bonus_fixture import (
    HOSTILE,
    LONG,
    SHOP,
    StaffTeam,
    build_team,
    copy_team,
    write_csv,
)

SEPTEMBER_POOL = {
    "小美": Decimal("2359.42"),
    HOSTILE: Decimal("2312.23"),
    "阿宁": Decimal("2111.68"),
    "阿飞": Decimal("1352.73"),
    LONG: Decimal("1863.94"),
}
AUGUST_POOL = {
    "小美": Decimal("2455.66"),
    HOSTILE: Decimal("2406.55"),
    "阿宁": Decimal("2197.82"),
    LONG: Decimal("1939.97"),
}
SEPTEMBER_BASE = {
    "小美": Decimal("3600.00"),  # 3,000 × 1.2 (金牌)
    HOSTILE: Decimal("3600.00"),
    "阿宁": Decimal("3000.00"),  # × 1.0 (银牌)
    "阿飞": Decimal("2000.00"),  # × 1.0 × 20/30
    LONG: Decimal("2400.00"),  # × 0.8 (铜牌)
}
NOT_SIGNED = "上期奖金未定稿（shopops staff bonus --period 2026-08 … --save）"
USAGE = "写 --pool 金额（奖金池按 总分 × 在岗天数占比 分）或 --base 金额（基数 × 等级系数），二选一"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> StaffTeam:
    return build_team(tmp_path_factory.mktemp("staff_bonus"))


@pytest.fixture
def fresh(team: StaffTeam, tmp_path: Path) -> StaffTeam:
    return copy_team(team, tmp_path)


def bonus_json(team: StaffTeam, *args: str) -> tuple[list[dict[str, Any]], str]:
    result = team.cli("staff", "bonus", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def amounts(rows: list[dict[str, Any]], key: str = "bonus") -> dict[str, Decimal | None]:
    return {r["person"]: None if r[key] is None else Decimal(str(r[key])) for r in rows}


def saved_rows(team: StaffTeam, period: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(team.root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT person, role, score, tier, amount, method, basis FROM staff_bonus WHERE period = ?"
            " ORDER BY amount DESC",
            [period],
        ).fetchall()


def audit_records(team: StaffTeam) -> list[dict[str, Any]]:
    result = team.cli("audit", "--format", "json")
    assert result.exit_code == 0, result.output
    found = [r for r in json.loads(result.stdout) if r["action"] == "staff.bonus"]
    return sorted(found, key=lambda r: -int(r["id"]))  # newest first


def test_the_pool_is_split_exactly_to_the_fen_in_json_csv_and_the_table(team: StaffTeam) -> None:
    rows, notes = bonus_json(team, "--period", "2026-09", "--pool", "10000")
    assert amounts(rows) == SEPTEMBER_POOL
    assert sum(SEPTEMBER_POOL.values()) == Decimal("10000.00")
    assert [(r["person"], r["total"], r["tier"], r["rank"]) for r in rows] == [
        ("小美", 100.0, "金牌", 1),
        (HOSTILE, 98.0, "金牌", 2),
        ("阿宁", 89.5, "银牌", 3),
        ("阿飞", 86.0, "银牌", 4),
        (LONG, 79.0, "铜牌", 5),
    ]
    afei = rows[3]
    assert (afei["proration"], afei["active_days"]) == (pytest.approx(2 / 3), 20)
    assert afei["working"] == "10,000.00 × (86 × 2/3) ÷ ≈423.83 = 1,352.73（按在岗折算 2/3）"
    assert rows[0]["working"] == "10,000.00 × 100 ÷ ≈423.83 = 2,359.42（含分尾差 0.01）"
    assert "奖金池 10,000.00 元按 总分 × 在岗天数占比 分给 5 人（一个奖金池，不分岗位）" in notes
    result = team.cli("staff", "bonus", "--period", "2026-09", "--pool", "10000", "--format", "csv")
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["person"]: Decimal(r["bonus"]) for r in records} == {
        ("'" + HOSTILE if name == HOSTILE else name): amount for name, amount in SEPTEMBER_POOL.items()
    }  # CSV neutralises the formula-looking name
    table = team.cli("staff", "bonus", "--period", "2026-09", "--pool", "10000")
    assert table.exit_code == 0, table.output
    total_line = next(line for line in table.stdout.splitlines() if line.startswith("合计"))
    assert total_line.split() == ["合计", "10,000.00", "—", "—"]  # 奖金, 上期奖金, 变化
    for name, amount in SEPTEMBER_POOL.items():
        assert f"{amount:,.2f}" in table.stdout, name
    assert NOT_SIGNED in table.stdout


def test_base_times_tier_coefficient_pro_rated(team: StaffTeam) -> None:
    rows, notes = bonus_json(team, "--period", "2026-09", "--base", "3000")
    assert amounts(rows) == SEPTEMBER_BASE
    assert rows[3]["working"] == "3,000.00 × 1（银牌）× 2/3 = 2,000.00"
    assert "每人 基数 3,000.00 元 × 等级系数 × 在岗天数占比（5 人）" in notes


def test_min_score_floor_and_cap_still_pay_out_the_whole_pool(team: StaffTeam) -> None:
    rows, notes = bonus_json(team, "--period", "2026-09", "--pool", "10000", "--min-score", "80")
    paid = amounts(rows)
    assert paid[LONG] == Decimal("0.00")
    assert sum(v for v in paid.values() if v is not None) == Decimal("10000.00")
    assert f"1 人低于 80 分，不参与分配：{LONG}" in notes
    rows, _ = bonus_json(team, "--period", "2026-09", "--pool", "10000", "--cap", "2200")
    # 阿宁 too would get more than 2,200 once the two above are capped; the rest, 3,400.00, goes by
    # 86 × 2/3 : 79 = 172 : 237 → 1429.828… and 1970.171…, the leftover 分 to 阿飞 (.88 > .17)
    assert amounts(rows) == {
        "小美": Decimal("2200.00"),
        HOSTILE: Decimal("2200.00"),
        "阿宁": Decimal("2200.00"),
        "阿飞": Decimal("1429.83"),
        LONG: Decimal("1970.17"),
    }
    assert [r["person"] for r in rows if r["capped"]] == ["小美", HOSTILE, "阿宁"]


def test_the_sheet_to_sign(team: StaffTeam, tmp_path: Path) -> None:
    path = tmp_path / "绩效与奖金.xlsx"
    result = team.cli(
        "staff", "bonus", "--period", "2026-09", "--pool", "10000", "--format", "xlsx", "-o", path
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["绩效与奖金", "绩效汇总"]
    assert len(book.sheetnames) == 2 + 5  # one 明细 sheet per person
    sheet = book["绩效与奖金"]
    assert sheet["A1"].value == "云朵旗舰店 · 全部岗位 · 绩效与奖金 · 2026年9月"
    assert str(sheet["A2"].value).startswith("奖金池 10,000.00 元按 总分 × 在岗天数占比 分给 5 人")
    header = [c.value for c in sheet[5]]
    assert header == [
        "姓名", "岗位", "总分", "等级", "岗位内排名", "在岗天数（共 30 天）", "奖金", "上期奖金（2026-08）", "变化", "签字",
    ]  # fmt: skip
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=10)]
    assert [r[:8] for r in rows] == [
        ["小美", "客服售前", 100, "金牌", 1, 30, 2359.42, "—"],
        [HOSTILE, "客服售前", 98, "金牌", 2, 30, 2312.23, "—"],
        ["阿宁", "客服售前", 89.5, "银牌", 3, 30, 2111.68, "—"],
        ["阿飞", "客服售前", 86, "银牌", 4, 20, 1352.73, "—"],
        [LONG, "客服售前", 79, "铜牌", 5, 30, 1863.94, "—"],
    ]
    assert all(r[9] in (None, "") for r in rows)  # 签字: left for the pen
    assert sheet["A6"].data_type == "s" and sheet["A7"].data_type == "s"
    assert sheet["A11"].value == "合计"
    assert Decimal(str(sheet["G11"].value)) == Decimal("10000.00")
    assert sum(Decimal(str(r[6])) for r in rows) == Decimal("10000.00")
    assert sheet["G6"].number_format == "#,##0.00"
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "阿飞：10,000.00 × (86 × 2/3) ÷ ≈423.83 = 1,352.73（按在岗折算 2/3）" in texts
    assert f"注：{NOT_SIGNED}" in texts
    assert [t for t in texts if t.endswith("人：") or t == "日期："] == [
        "制表人：",
        "审核人：",
        "批准人：",
        "日期：",
    ]
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_save_writes_the_rows_and_an_audit_record_and_a_second_save_replaces(fresh: StaffTeam) -> None:
    result = fresh.cli("staff", "bonus", "--period", "2026-09", "--pool", "10000", "--save")
    assert result.exit_code == 0, result.output
    assert "已定稿 2026-09 奖金：5 人，合计 10,000.00 元；已记入操作日志" in result.stdout
    rows = saved_rows(fresh, "2026-09")
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("小美", "客服售前", Decimal("100.00"), "金牌", Decimal("2359.42"), "pool", Decimal("10000.00")),
        (HOSTILE, "客服售前", Decimal("98.00"), "金牌", Decimal("2312.23"), "pool", Decimal("10000.00")),
        ("阿宁", "客服售前", Decimal("89.50"), "银牌", Decimal("2111.68"), "pool", Decimal("10000.00")),
        (LONG, "客服售前", Decimal("79.00"), "铜牌", Decimal("1863.94"), "pool", Decimal("10000.00")),
        ("阿飞", "客服售前", Decimal("86.00"), "银牌", Decimal("1352.73"), "pool", Decimal("10000.00")),
    ]
    (first,) = audit_records(fresh)
    assert first["target"] == "2026-09 全部岗位 奖金池 10,000.00 元 · 5 人"
    assert first["detail"] == {
        "period": "2026-09", "role": "*", "method": "pool", "basis": "10000.00", "total": "10000.00",
        "rows": 5, "rows_replaced": 0, "shops": ["云朵旗舰店"],
    }  # fmt: skip
    again = fresh.cli("staff", "bonus", "--period", "2026-09", "--base", "3000", "--save")
    assert again.exit_code == 0, again.output
    assert (
        "已定稿 2026-09 奖金：5 人，合计 14,600.00 元，替换了之前定稿的 5 行；已记入操作日志" in again.stdout
    )
    rows = saved_rows(fresh, "2026-09")
    assert {r[0]: r[4] for r in rows} == SEPTEMBER_BASE
    assert {(r[5], r[6]) for r in rows} == {("base", Decimal("3000.00"))}
    records = audit_records(fresh)
    assert [r["target"] for r in records] == [
        "2026-09 全部岗位 基数 3,000.00 元 · 5 人",
        "2026-09 全部岗位 奖金池 10,000.00 元 · 5 人",
    ]  # newest first
    assert records[0]["detail"]["rows_replaced"] == 5


def test_a_role_save_replaces_only_that_roles_rows(fresh: StaffTeam) -> None:
    assert fresh.cli("staff", "bonus", "-p", "2026-09", "--pool", "10000", "--save").exit_code == 0
    result = fresh.cli("staff", "bonus", "-p", "2026-09", "--pool", "5000", "--role", "客服售前", "--save")
    assert result.exit_code == 0, result.output
    rows = saved_rows(fresh, "2026-09")
    assert len(rows) == 5
    assert sum(r[4] for r in rows) == Decimal("5000.00")
    assert audit_records(fresh)[0]["target"] == "2026-09 客服售前 奖金池 5,000.00 元 · 5 人"


def test_save_is_refused_while_a_score_is_provisional_but_the_preview_runs(fresh: StaffTeam) -> None:
    result = fresh.cli("staff", "bonus", "--period", "2026-10", "--pool", "10000", "--save")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "错误 不能定稿 2026-10 的奖金：小美 的得分是暂定（小美 10-30、10-31 未结算） — 等数据结算（约 4 天）"
        "后重新导入这几天的导出，再 --save；不带 --save 可先预览"
    ]
    assert result.stdout == ""
    assert saved_rows(fresh, "2026-10") == []
    assert audit_records(fresh) == []
    rows, _ = bonus_json(fresh, "--period", "2026-10", "--pool", "10000")
    assert {r["person"]: r["provisional"] for r in rows}["小美"] is True
    assert sum(v for v in amounts(rows).values() if v is not None) == Decimal("10000.00")


def test_changes_from_last_periods_saved_bonus(fresh: StaffTeam) -> None:
    rows, notes = bonus_json(fresh, "--period", "2026-09", "--pool", "10000")
    assert NOT_SIGNED in notes
    assert all(r["previous_bonus"] is None and r["change"] is None for r in rows)
    last = {r["person"]: (r["previous_total"], r["previous_tier"], r["previous_rank"]) for r in rows}
    assert last == {
        "小美": (100.0, "金牌", 1),
        HOSTILE: (98.0, "金牌", 2),
        "阿宁": (89.5, "银牌", 3),
        "阿飞": (None, None, None),  # joined in September
        LONG: (79.0, "铜牌", 4),
    }
    saved = fresh.cli("staff", "bonus", "--period", "2026-08", "--pool", "9000", "--save", "--format", "json")
    assert saved.exit_code == 0, saved.output
    assert amounts(json.loads(saved.stdout)) == AUGUST_POOL
    rows, notes = bonus_json(fresh, "--period", "2026-09", "--pool", "10000")
    assert NOT_SIGNED not in notes
    assert amounts(rows, "previous_bonus") == {**AUGUST_POOL, "阿飞": None}
    assert amounts(rows, "change") == {
        "小美": Decimal("-96.24"),
        HOSTILE: Decimal("-94.32"),
        "阿宁": Decimal("-86.14"),
        "阿飞": None,
        LONG: Decimal("-76.03"),
    }
    table = fresh.cli("staff", "bonus", "--period", "2026-09", "--pool", "10000")
    total_line = next(line for line in table.stdout.splitlines() if line.startswith("合计"))
    assert total_line.split() == ["合计", "10,000.00", "9,000.00", "1,000.00"]


def test_pool_and_base_together_or_neither_is_one_usage_line(team: StaffTeam) -> None:
    for args, first in (
        (("--pool", "1000", "--base", "300"), "--pool 和 --base 只能用一个："),
        ((), "缺少金额："),
    ):
        result = team.cli("staff", "bonus", "--period", "2026-09", *args)
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines()[-1] == f"Error: {first}{USAGE}"
    result = team.cli("staff", "bonus", "-p", "2026-09", "--base", "3000", "--min-score", "60")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: --min-score 只用于 --pool（--base 按等级系数发，系数 0 的等级不发）"
    )
    result = team.cli("staff", "bonus", "-p", "2026-09", "--pool", "五万")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--pool': '五万' 不是金额 — 写 50000、5万 或 12345.67"
    )
    rows, _ = bonus_json(team, "-p", "2026-09", "--pool", "1万")
    assert sum(v for v in amounts(rows).values() if v is not None) == Decimal("10000.00")


def test_a_period_without_data_is_one_line(team: StaffTeam) -> None:
    result = team.cli("staff", "bonus", "--period", "2026-11", "--pool", "10000")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "错误 2026-11 还没有数据（数据只到 2026-10-31） — 先 shopops import 这段时间的导出"
    )


def test_last_period_is_the_one_before_of_the_same_kind() -> None:
    assert previous_period(TargetPeriod.month(2026, 11)).key == "2026-10"
    assert previous_period(TargetPeriod.month(2026, 1)).key == "2025-12"
    assert previous_period(TargetPeriod.quarter(2026, 4)).key == "2026-Q3"
    assert previous_period(TargetPeriod.quarter(2026, 1)).key == "2025-Q4"
    assert previous_period(TargetPeriod.year(2026)) == TargetPeriod.year(2025)
    assert previous_period(TargetPeriod.containing(dt.date(2026, 3, 31), "month")).key == "2026-02"


def test_an_unknown_total_gets_nothing_is_named_and_blocks_the_save(fresh: StaffTeam) -> None:
    newcomer = write_csv(
        fresh.files.parent / "员工名单_新人.csv",
        ["姓名", "岗位", "负责店铺", "登录账号", "入职日期", "离职日期", "状态"],
        [["新人", "客服售前", SHOP, "", "2025-01-01", "", "在职"]],  # no 赤兔 rows, no inputs
    )
    assert fresh.cli("import", newcomer).exit_code == 0
    rows, notes = bonus_json(fresh, "--period", "2026-09", "--pool", "10000")
    assert amounts(rows) == {**SEPTEMBER_POOL, "新人": None}
    assert rows[-1]["working"] == "得分未知（缺数据），未参与分配"
    assert (
        "注意：1 人得分未知，未参与分配：新人 — 奖金池 10,000.00 元全部分给其余 5 人；补齐数据后重新计算"
        in notes
    )
    result = fresh.cli("staff", "bonus", "--period", "2026-09", "--pool", "10000", "--save")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("错误 不能定稿 2026-09 的奖金：新人 的得分未知（新人：缺 ")
    assert line.endswith("— 补齐后再 --save，或用 --role 只定稿其他岗位；不带 --save 可先预览")
    assert saved_rows(fresh, "2026-09") == []
