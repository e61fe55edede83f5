"""绩效 scores against numbers worked out by hand (issue 17: "exact scores … against hand-computed numbers;
a pro-rating test").

A tiny workspace built through the CLI: one 天猫 shop, a 赤兔 售前明细 (付款优先判定) with a few day rows per
客服, the staff list and the manual inputs (销售目标, 客单价目标, 出勤率). Every person is on the preset
客服售前 card (presets.yaml):

    指标完成率 30 %  客服销售额 ÷ 销售目标       ≥100 % → 100, ≥90 % → 85, ≥80 % → 70, ≥70 % → 55, ≥60 % → 40, ≥40 % → 20
    询单转化率 20 %  询单->最终付款人数 ÷ 询单人数  ≥45 % → 100, ≥40 % → 80, ≥35 % → 60
    客单价     20 %  (客服销售额 ÷ 销售人数) ÷ 客单价目标  ≥100 % → 100, ≥95 % → 85, ≥90 % → 70, ≥80 % → 50
    回复率     20 %  (接待 − 未回复) ÷ 接待       ≥98 % → 100, ≥95 % → 80, ≥92 % → 60
    响应时间    5 %  Σ(平均响应 × 接待) ÷ Σ 接待  ≤35 s → 100, ≤45 → 80, ≤55 → 60
    出勤率      5 %  手工录入                    ≥100 % → 100, ≥95 % → 80, ≥90 % → 60
    tiers: 金牌 ≥90, 银牌 ≥80, 铜牌 ≥70, 待改进 ≥0

The days are in July–September 2026: a day counts as settled when its file was imported 4 or more days
after it (询单->最终付款 settles in about 4 days), and every file here is imported today — except the
one 阿杰 "exported on 09-30", whose import row is dated so (the warehouse's own imports table, the
same row an import on 09-30 would have written).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from click.testing import Result

from shopops.analysis.targets.periods import TargetPeriod
from shopops.domains.staff.scoring import LineScore, PersonScore, Scoreboard, score_period
from shopops.workspace import Workspace
from tests.conftest import run_cli

SHOP = "云朵旗舰店"
SEPTEMBER = TargetPeriod.month(2026, 9)  # 30 days
Q3 = TargetPeriod.quarter(2026, 3)
SOURCE = "赤兔/千牛/飞鸽/咚咚·客服绩效（按人按日）"
HEADER = "日期,旺旺,接待人数,询单人数,询单->最终付款人数,销售额,销售人数,未回复人数,平均响应(秒)"
MAIN = "赤兔_售前明细_付款优先判定_2026-09-01至2026-09-21.csv"
SUMMER = "赤兔_售前明细_付款优先判定_2026-07-01至2026-08-31.csv"
EARLY = "赤兔_售前明细_付款优先判定_2026-09-29.csv"
# The shop's data runs to the month's end (a temp on 09-30, on no card): September is over, so no one's
# target is cut to the days with data and no score is 暂定 for an unfinished month.
LAST = "赤兔_售前明细_付款优先判定_2026-09-30.csv"
FILES = {
    MAIN: [
        "2026-09-01,小美,40,30,12,3600.00,18,1,30",
        "2026-09-02,小美,50,40,17,4900.00,24,2,36",
        "2026-09-03,小美,30,30,12,3800.00,18,1,48",
        "2026-09-05,阿宁,20,10,5,1000.00,5,0,20",  # before she joined on 09-10: not counted
        "2026-09-10,阿宁,40,40,16,3800.00,20,0,30",
        "2026-09-11,阿宁,40,40,16,3800.00,20,2,30",
        "2026-09-03,小雨,30,20,9,2000.00,10,0,40",
        "2026-09-20,阿杰,50,40,20,5000.00,25,0,30",
        "2026-09-21,阿杰,50,40,16,4000.00,20,1,30",
    ],
    SUMMER: [
        "2026-07-15,小美,25,20,10,2100.00,10,0,20",
        "2026-08-15,小美,25,20,10,1900.00,10,0,40",
    ],
    EARLY: ["2026-09-29,阿杰,50,40,2,1000.00,5,0,30"],  # exported the next day: 询单->最终付款 not settled
    LAST: ["2026-09-30,临时工,10,5,1,100.00,1,0,30"],
}
STAFF = """姓名,岗位,负责店铺,登录账号,入职日期,离职日期,状态
小美,客服售前,云朵旗舰店,xiaomei,2025-03-01,,在职
阿宁,客服售前,云朵旗舰店,aning,2026-09-10,,在职
小雨,客服售前,云朵旗舰店,,2025-06-01,,在职
阿杰,客服售前,云朵旗舰店,,2025-01-01,,在职
"""
INPUTS = """期间,姓名,项目,数值,录入人,录入日期,备注
2026-09,小美,销售目标,15000,张主管,2026-09-01,
2026-09,小美,客单价目标,200,张主管,2026-09-01,
2026-09,小美,出勤率,96%,张主管,2026-10-02,
2026-07,小美,销售目标,5000,张主管,2026-07-01,
2026-07,小美,出勤率,100%,张主管,2026-08-02,
2026-08,小美,销售目标,5000,张主管,2026-08-01,
2026-08,小美,出勤率,90%,张主管,2026-09-02,
2026-Q3,小美,客单价目标,200,张主管,2026-07-01,季度目标
2026-09,阿宁,销售目标,15000,张主管,2026-09-10,
2026-09,阿宁,客单价目标,200,张主管,2026-09-10,
2026-09,阿宁,出勤率,100%,张主管,2026-10-02,
2026-07,小雨,客单价目标,200,张主管,2026-07-01,
2026-08,小雨,客单价目标,200,张主管,2026-08-01,
2026-09,小雨,销售目标,10000,张主管,2026-09-01,
2026-09,小雨,客单价目标,200,张主管,2026-09-01,
2026-09,阿杰,销售目标,10000,张主管,2026-09-01,
2026-09,阿杰,客单价目标,200,张主管,2026-09-01,
2026-09,阿杰,出勤率,100%,张主管,2026-10-02,
"""


def cli(root: Path, *args: str | Path) -> Result:
    return run_cli("--workspace", root, *args)


def ok(root: Path, *args: str | Path) -> str:
    result = cli(root, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("staff_scores")
    root = base / "ws"
    assert run_cli("init", root).exit_code == 0
    ok(root, "shop", "add", SHOP, "--platform", "tmall")
    for name, rows in FILES.items():
        (base / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        ok(root, "import", base / name, "--shop", SHOP)
    (base / "员工名单.csv").write_text(STAFF, encoding="utf-8")
    (base / "绩效录入.csv").write_text(INPUTS, encoding="utf-8")
    ok(root, "import", base / "员工名单.csv", base / "绩效录入.csv")
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:  # 阿杰's 09-29 was exported on 09-30: less than 4 days after it
        con.execute(
            "UPDATE imports SET imported_at = TIMESTAMP '2026-09-30 10:00:00' WHERE file_name = ?", [EARLY]
        )
    finally:
        con.close()
    return root


@pytest.fixture
def workspace(root: Path) -> Iterator[Workspace]:
    with Workspace(root) as workspace:
        yield workspace


def board(workspace: Workspace, period: TargetPeriod = SEPTEMBER) -> Scoreboard:
    return score_period(workspace.connection, period)


def person(scores: Scoreboard, name: str) -> PersonScore:
    return next(p for p in scores.people if p.member.person == name)


def line(score: PersonScore, name: str) -> LineScore:
    return next(x for x in score.lines if x.line.name == name)


def D(text: str) -> Decimal:
    return Decimal(text)


def explain(root: Path, name: str, period: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", "400")  # one working per line
    return ok(root, "staff", "score", "-p", period, "--explain", name).splitlines()


# -- 小美, September, by hand ----------------------------------------------------------------
# Her three days: 接待 40 + 50 + 30 = 120, 询单 30 + 40 + 30 = 100, 付款 12 + 17 + 12 = 41,
# 销售额 3,600 + 4,900 + 3,800 = 12,300.00, 销售人数 18 + 24 + 18 = 60, 未回复 1 + 2 + 1 = 4,
# Σ(平均响应 × 接待) = 30×40 + 36×50 + 48×30 = 1,200 + 1,800 + 1,440 = 4,440.
#   指标完成率 = 12,300 / 15,000 = 82 %          → ≥80 % → 70 × 30 % = 21.00
#   询单转化率 = 41 / 100 = 41 %                 → ≥40 % → 80 × 20 % = 16.00
#   客单价     = 12,300 / 60 = 205.00; ÷ 200 = 102.5 % → ≥100 % → 100 × 20 % = 20.00
#   回复率     = (120 − 4) / 120 = 96.67 %       → ≥95 % → 80 × 20 % = 16.00
#   响应时间   = 4,440 / 120 = 37.0 s            → ≤45 → 80 × 5 % = 4.00
#   出勤率     = 96 %                            → ≥95 % → 80 × 5 % = 4.00
#   total 21 + 16 + 20 + 16 + 4 + 4 = 81.00 → 银牌 (≥80)
XIAOMEI = {
    "指标完成率": (0.82, D("70.00"), D("21.00")),
    "询单转化率": (0.41, D("80.00"), D("16.00")),
    "客单价": (1.025, D("100.00"), D("20.00")),
    "回复率": (116 / 120, D("80.00"), D("16.00")),
    "响应时间": (37.0, D("80.00"), D("4.00")),
    "出勤率": (0.96, D("80.00"), D("4.00")),
}


def test_hand_computed_line_scores(workspace: Workspace) -> None:
    scores = board(workspace)
    xiaomei = person(scores, "小美")
    assert [x.line.name for x in xiaomei.lines] == list(XIAOMEI)
    for name, (value, score, weighted) in XIAOMEI.items():
        found = line(xiaomei, name)
        assert found.value == pytest.approx(value), name
        assert (found.score, found.weighted, found.provisional, found.missing) == (
            score,
            weighted,
            False,
            "",
        ), name
    assert xiaomei.total == D("81.00")
    assert xiaomei.tier is not None and xiaomei.tier.label == "银牌"
    assert (xiaomei.proration, xiaomei.notes, xiaomei.provisional) == (Fraction(1), (), False)
    # 阿杰 95.50, 小美 81.00, 阿宁 below (see the pro-rating tests); 小雨 has no total
    assert (xiaomei.rank, xiaomei.peers) == (2, 3)
    assert line(xiaomei, "指标完成率").target == 15000
    assert line(xiaomei, "客单价").target == 200
    assert line(xiaomei, "出勤率").entered_by == "张主管"
    assert scores.through == dt.date(2026, 9, 30)


def test_explain_prints_the_working(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evidence = f"依据：{MAIN}（#1，9 行，09-01~09-21）"
    assert (
        explain(root, "小美", "2026-09", monkeypatch)
        == [
            "小美 客服售前 2026年9月",
            "评分表：评分表 客服售前（2026-01 起，预设），版本 预设 2026.1",
            f"· 指标完成率 82% = 12,300.00 ÷ 销售目标 15,000.00（录入人 张主管）（{SOURCE}） → ≥80% 档 70.00 分 × 30% = 21.00",
            f"  {evidence}；销售目标 15,000.00（录入人 张主管）",
            f"· 询单转化率 41% = 41 / 100（询单->最终付款人数 ÷ 询单人数）（{SOURCE}） → ≥40% 档 80.00 分 × 20% = 16.00",
            f"  {evidence}",
            "  口径：付款口径（询单->最终付款人数 ÷ 询单人数），已结算的日期",  # the preset line's 口径版本
            "· 客单价 102.5% = 205.00 = 12,300.00 / 60（客服销售额 ÷ 客服销售人数） ÷ 客单价目标 200.00（录入人 张主管）"
            f"（{SOURCE}） → ≥100% 档 100.00 分 × 20% = 20.00",
            f"  {evidence}；客单价目标 200.00（录入人 张主管）",
            f"· 回复率 96.7% = 116 / 120（回复过的人数 ÷ 接待人数）（{SOURCE}） → ≥95% 档 80.00 分 × 20% = 16.00",
            f"  {evidence}",
            "· 响应时间 37 = 4,440 / 120（Σ(平均响应×接待人数) ÷ 有平均响应的接待人数）"
            f"（{SOURCE}） → ≤45 档 80.00 分 × 5% = 4.00",
            f"  {evidence}",
            "· 出勤率 96%（手工录入「出勤率」，录入人 张主管） → ≥95% 档 80.00 分 × 5% = 4.00",
            "  依据：绩效录入.csv 第 4 行（#6） 2026-09，张主管 10-02 录入",  # import #6: after 4 exports and the list
            "总分 81.00（银牌，岗位内第 2/3 名）",
        ]
    )


# -- 阿宁 joined on 09-10: 21 of September's 30 days -----------------------------------------
# Her 09-05 row (before she joined) is left out: 09-10 and 09-11 only.
#   销售目标 15,000 × 21/30 = 10,500; 客服销售额 3,800 + 3,800 = 7,600 → 7,600 / 10,500 = 72.38 %
#                                                        → ≥70 % → 55 × 30 % = 16.50
#   询单转化率 = (16 + 16) / (40 + 40) = 40 %     → ≥40 % → 80 × 20 % = 16.00
#   客单价 = 7,600 / 40 = 190.00; ÷ 200 (a 客单价 target is per buyer: not pro-rated) = 95 %
#                                                        → ≥95 % → 85 × 20 % = 17.00
#   回复率 = (80 − 2) / 80 = 97.5 %               → ≥95 % → 80 × 20 % = 16.00
#   响应时间 = (30×40 + 30×40) / 80 = 30.0 s      → ≤35 → 100 × 5 % = 5.00
#   出勤率 = 100 %                                → ≥100 % → 100 × 5 % = 5.00
#   total 16.50 + 16 + 17 + 16 + 5 + 5 = 75.50 → 铜牌


def test_joined_mid_month_is_prorated(workspace: Workspace) -> None:
    aning = person(board(workspace), "阿宁")
    assert aning.proration == Fraction(21, 30)
    assert aning.notes == ("09-10 入职，按 21/30 天折算目标与奖金",)
    done = line(aning, "指标完成率")
    assert done.target == pytest.approx(10500)
    assert done.value == pytest.approx(7600 / 10500)
    assert (done.score, done.weighted) == (D("55.00"), D("16.50"))
    conversion = line(aning, "询单转化率")  # the row of 09-05 is not hers to count
    assert conversion.figure is not None and conversion.figure.parts[1][1] == 80
    assert (conversion.value, conversion.score, conversion.weighted) == (0.4, D("80.00"), D("16.00"))
    assert [
        (x.line.name, x.score) for x in aning.lines if x.line.name in ("回复率", "响应时间", "出勤率")
    ] == [
        ("回复率", D("80.00")),
        ("响应时间", D("100.00")),
        ("出勤率", D("100.00")),
    ]


def test_the_prorated_target_says_21_of_30(workspace: Workspace) -> None:
    """The working names the days (it said × 7/10, the reduced fraction, before)."""
    done = line(person(board(workspace), "阿宁"), "指标完成率")
    assert done.working == (
        "指标完成率 72.4% = 7,600.00 ÷ 销售目标 15,000.00 × 21/30 天 = 10,500.00（在岗天数）（录入人 张主管）"
        f"（{SOURCE}） → ≥70% 档 55.00 分 × 30% = 16.50"
    )


def test_a_per_buyer_target_is_not_prorated(workspace: Workspace) -> None:
    """A 客单价目标 is money per buyer: it was pro-rated like a 销售目标 before (200 × 7/10 = 140 → 135.7 %)."""
    aning = person(board(workspace), "阿宁")
    aov = line(aning, "客单价")
    assert aov.working == (
        "客单价 95% = 190.00 = 7,600.00 / 40（客服销售额 ÷ 客服销售人数） ÷ 客单价目标 200.00（录入人 张主管）"
        f"（{SOURCE}） → ≥95% 档 85.00 分 × 20% = 17.00"
    )
    assert aov.target == 200
    assert (aov.value, aov.score, aov.weighted) == (pytest.approx(0.95), D("85.00"), D("17.00"))
    assert aning.total == D("75.50")
    assert aning.tier is not None and aning.tier.label == "铜牌"


# -- 小雨 has no 出勤率 for September ----------------------------------------------------------


def test_a_missing_input_makes_the_total_unknown(workspace: Workspace, root: Path) -> None:
    xiaoyu = person(board(workspace), "小雨")
    attendance = line(xiaoyu, "出勤率")
    assert (attendance.value, attendance.score, attendance.weighted) == (None, None, None)
    assert attendance.missing == "没有录入「出勤率」（2026-09）— shopops template staff-inputs"
    assert attendance.working == "出勤率：没有录入「出勤率」（2026-09）— shopops template staff-inputs"
    # the other lines are scored all the same: 询单转化率 9 / 20 = 45 % → 100
    assert line(xiaoyu, "询单转化率").score == D("100.00")
    assert (xiaoyu.total, xiaoyu.tier, xiaoyu.rank) == (None, None, None)
    assert xiaoyu.notes == ("缺 出勤率，总分未知",)
    rows = ok(root, "staff", "score", "-p", "2026-09", "--format", "csv").splitlines()
    assert rows[0].split(",")[:5] == ["person", "role", "shops", "total", "tier"]
    assert [row.split(",")[:5] for row in rows[1:]] == [
        ["阿杰", "客服售前", SHOP, "95.5", "金牌"],
        ["小美", "客服售前", SHOP, "81.0", "银牌"],
        ["阿宁", "客服售前", SHOP, rows[3].split(",")[3], "铜牌"],  # see the pro-rating tests
        ["小雨", "客服售前", SHOP, "", ""],  # unknown: empty in CSV
    ]


def test_a_missing_input_shows_as_a_dash(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = explain(root, "小雨", "2026-09", monkeypatch)
    assert "· 出勤率：没有录入「出勤率」（2026-09）— shopops template staff-inputs" in lines
    assert lines[-2:] == ["总分 —（缺项，见上）", "注：缺 出勤率，总分未知"]
    monkeypatch.setenv("COLUMNS", "200")
    table = ok(root, "staff", "score", "-p", "2026-09").splitlines()
    row = next(x for x in table if x.startswith("小雨"))
    assert row.split()[:4] == ["小雨", "客服售前", "—", "—"]


# -- 阿杰's 09-29 was exported on 09-30 ------------------------------------------------------
# Settled: 09-20 and 09-21. 询单 80, 付款 36 → 45 % → 100 × 20 % = 20.00; 销售额 9,000 / 10,000 = 90 %
# → 85 × 30 % = 25.50; 客单价 9,000 / 45 = 200 → 100 % → 20.00; 回复率 99 / 100 → 100 × 20 % = 20.00;
# 响应 30 s → 5.00; 出勤率 100 % → 5.00. Total 95.50 → 金牌, 暂定 (09-29 left out until it settles).


def test_a_day_exported_too_early_makes_the_score_provisional(workspace: Workspace) -> None:
    ajie = person(board(workspace), "阿杰")
    note = "暂定：09-29 未结算（共 1 天，约 4 天后稳定），按已结算的 2 天计"
    assert ajie.notes == (note,)
    assert ajie.provisional is True
    assert ajie.total == D("95.50")
    assert ajie.tier is not None and ajie.tier.label == "金牌"
    assert [(x.line.name, x.score, x.provisional) for x in ajie.lines] == [
        ("指标完成率", D("85.00"), True),
        ("询单转化率", D("100.00"), True),
        ("客单价", D("100.00"), True),
        ("回复率", D("100.00"), True),
        ("响应时间", D("100.00"), True),
        ("出勤率", D("100.00"), False),
    ]
    conversion = line(ajie, "询单转化率")
    assert conversion.figure is not None and conversion.figure.parts == (
        ("询单->最终付款人数", 36),
        ("询单人数", 80),
    )


def test_provisional_in_the_explain(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = explain(root, "阿杰", "2026-09", monkeypatch)
    assert lines[-2:] == [
        "总分 95.50（金牌，岗位内第 1/3 名），暂定",
        "注：暂定：09-29 未结算（共 1 天，约 4 天后稳定），按已结算的 2 天计",
    ]


# -- 2026-Q3 for 小美: the quarter's sums, not the months' mean --------------------------------
# July 07-15: 接待 25, 询单 20, 付款 10, 销售额 2,100.00, 销售人数 10, 未回复 0, 响应 20 s
# August 08-15: 接待 25, 询单 20, 付款 10, 销售额 1,900.00, 销售人数 10, 未回复 0, 响应 40 s
# September as above: 接待 120, 询单 100, 付款 41, 销售额 12,300.00, 销售人数 60, 未回复 4, Σ响应 4,440
#   询单转化率 = 61 / 140 = 43.57 % → ≥40 % → 80 × 20 % = 16.00
#               (the months' mean, (50 % + 50 % + 41 %) / 3 = 47 %, would score 100)
#   指标完成率 = 16,300 / (5,000 + 5,000 + 15,000, 月合计) = 65.2 % → ≥60 % → 40 × 30 % = 12.00
#   客单价 = 16,300 / 80 = 203.75; ÷ 200 (the 2026-Q3 entry) = 101.9 % → 100 × 20 % = 20.00
#   回复率 = (170 − 4) / 170 = 97.65 % → ≥95 % → 80 × 20 % = 16.00
#   响应时间 = (20×25 + 40×25 + 4,440) / 170 = 5,940 / 170 = 34.9 s → ≤35 → 100 × 5 % = 5.00
#   出勤率 = (100 % + 90 % + 96 %) / 3 = 95.33 % (月均) → ≥95 % → 80 × 5 % = 4.00
#   total 12 + 16 + 20 + 16 + 5 + 4 = 73.00 → 铜牌
Q3_XIAOMEI = {
    "指标完成率": (0.652, D("40.00"), D("12.00")),
    "询单转化率": (61 / 140, D("80.00"), D("16.00")),
    "客单价": (1.01875, D("100.00"), D("20.00")),
    "回复率": (166 / 170, D("80.00"), D("16.00")),
    "响应时间": (5940 / 170, D("100.00"), D("5.00")),
    "出勤率": ((1.0 + 0.9 + 0.96) / 3, D("80.00"), D("4.00")),
}


def test_a_quarter_uses_the_quarters_sums(workspace: Workspace) -> None:
    xiaomei = person(board(workspace, Q3), "小美")
    for name, (value, score, weighted) in Q3_XIAOMEI.items():
        found = line(xiaomei, name)
        assert found.value == pytest.approx(value), name
        assert (found.score, found.weighted) == (score, weighted), name
    assert line(xiaomei, "指标完成率").target == 25000  # the months' 销售目标 added up
    assert line(xiaomei, "客单价").target == 200  # the quarter's own entry
    conversion = line(xiaomei, "询单转化率")
    assert conversion.figure is not None and conversion.figure.parts == (
        ("询单->最终付款人数", 61),
        ("询单人数", 140),
    )
    assert xiaomei.total == D("73.00")
    assert xiaomei.tier is not None and xiaomei.tier.label == "铜牌"
    assert (xiaomei.proration, xiaomei.notes) == (Fraction(1), ())


def test_a_quarters_ratio_input_is_the_months_mean(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = explain(root, "小美", "2026-Q3", monkeypatch)
    assert (
        "· 出勤率 95.3%（手工录入「出勤率」（月均），录入人 张主管） → ≥95% 档 80.00 分 × 5% = 4.00" in lines
    )
    assert (
        lines[-1] == "总分 73.00（铜牌，岗位内第 2/2 名）"
    )  # 阿宁 has one too (75.50, see below); not 小雨, 阿杰


def test_a_quarter_of_someone_who_joined_in_it(workspace: Workspace) -> None:
    # 阿宁's quarter is her 21 days of September: the same figures, targets and scores as September's.
    aning = person(board(workspace, Q3), "阿宁")
    assert aning.notes == ("09-10 入职，按 21/92 天折算目标与奖金",)
    done = line(aning, "指标完成率")
    assert done.target == pytest.approx(10500)
    assert (done.score, done.weighted) == (D("55.00"), D("16.50"))
    assert aning.total == D("75.50")


def test_a_quarters_per_buyer_target_is_the_months_mean(workspace: Workspace) -> None:
    """The months' 客单价目标 were added up for a quarter before (200 × 3 = 600 → 客单价 33 % → 0 分)."""
    aov = line(person(board(workspace, Q3), "小雨"), "客单价")
    # 小雨's quarter: September's 2,000.00 / 10 buyers = 200.00; 客单价目标 200 in each month
    assert aov.target == 200
    assert (aov.value, aov.score) == (1.0, D("100.00"))


def test_the_json_has_each_persons_lines(root: Path) -> None:
    import json

    rows = json.loads(ok(root, "staff", "score", "-p", "2026-09", "--format", "json"))
    xiaomei = next(row for row in rows if row["person"] == "小美")
    assert (xiaomei["role"], xiaomei["total"], xiaomei["tier"]) == ("客服售前", 81.0, "银牌")
    assert [(x["metric"], x["weight"], x["score"]) for x in xiaomei["lines"]] == [
        ("service_sales", 30, 70),
        ("inquiry_conversion", 20, 80),
        ("service_aov", 20, 100),
        ("service_reply_rate", 20, 80),
        ("service_response_seconds", 5, 80),
        ("出勤率", 5, 80),
    ]


def test_manual_entries_no_card_reads_are_said(root: Path, tmp_path: Path) -> None:
    """An entry for someone not on the list, or under an item name no line has (a typo), is named
    under the scores — never silently left out."""
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    typos = tmp_path / "绩效录入_补.csv"
    typos.write_text(
        "期间,姓名,项目,数值,录入人,录入日期,备注\n"
        "2026-09,小美,出勤,100%,张主管,2026-10-02,\n"  # the card's item is 出勤率
        "2026-09,路人甲,出勤率,100%,张主管,2026-10-02,\n",  # not on the 员工名单
        encoding="utf-8",
    )
    ok(copy, "import", typos)
    result = cli(copy, "staff", "score", "--period", "2026-09")
    assert result.exit_code == 0, result.output
    assert (
        "绩效录入里没有用上的：小美·出勤、路人甲·出勤率（不在员工名单，或没有评分表用这个项目名 — 核对姓名和项目名）"
        in (result.output.replace("\n", ""))
    )
    with Workspace(copy) as workspace:
        assert board(workspace).unused_inputs == ["小美·出勤", "路人甲·出勤率"]
        assert score_period(workspace.connection, SEPTEMBER, role="客服售前").unused_inputs == []
