"""The ≤ 800-character daily summary, checked character for character on the demo workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from shopops.errors import UserError
from shopops.reports.summary import LIMIT, FindingLine, PacingLine, compose_summary
from shopops.reports.summary_inputs import finding_lines
from shopops.workspace import Workspace
from tests.conftest import DEMO_END, DemoWorkspace
from tests.unit.generated_findings import day_of_findings

HEADLINES = """\
店铺日报 2026-11-24（周二）
【合计】支付金额 ¥13,343.50，环比 −21.0%，周同比 +1.3%
  访客数 2,347⁽¹⁄₂⁾，支付转化率 3.45%⁽¹⁄₂⁾，推广花费 ¥968.27，净利 ¥4,735.77⁽¹⁄₂⁾
  合计只含部分店铺：访客数、支付转化率、净利 缺 小野家居
【云朵旗舰店】支付金额 ¥10,732.00，环比 −26.9%，周同比 +3.9%
  访客数 2,347（环比 −12.1%），支付转化率 3.45%（环比 −0.18pp）
  推广花费 ¥657.94，推广ROI 2.16，净利 ¥4,735.77，退款率 4.52%
【小野家居】支付金额 ¥2,611.50，环比 +17.5%，周同比 −8.2%
  访客数 —，支付转化率 —
  推广花费 ¥310.33，推广ROI 3.01，净利 —，退款率 10.53%"""

PACING = [
    PacingLine("云朵旗舰店 11月支付金额", 24 / 30, 0.7231, "落后"),
    PacingLine("小野家居 11月净利", 24 / 30, None, "成本未知"),
]
EXPLANATION = "云朵旗舰店 支付金额 −26.9%：访客 −12.1%（直通车花费 −40%）贡献 −70%，客单价 −6.1%"


@pytest.fixture
def workspace(imported_demo: DemoWorkspace) -> Iterator[Workspace]:
    with Workspace.open(imported_demo.root) as opened:
        yield opened


def test_headline_numbers_of_the_demo_day(workspace: Workspace) -> None:
    summary = compose_summary(workspace, DEMO_END)
    assert summary.text == HEADLINES
    assert summary.title == "店铺日报 2026-11-24（周二）" and summary.omitted == 0
    assert compose_summary(workspace).text == HEADLINES  # the latest day with data is the default


def test_pacing_and_findings_follow_in_the_order_given(workspace: Workspace) -> None:
    """The caller ranks the findings (by money at stake): the summary keeps its order."""
    findings = [
        FindingLine("high", EXPLANATION),
        FindingLine("medium", "小野家居 淘客佣金 ¥86.20，周同比 +140%"),
        FindingLine("low", "小野家居 退款率 10.53%，高于 8% 阈值"),
    ]
    summary = compose_summary(workspace, DEMO_END, pacing=PACING, findings=findings)
    assert summary.text == HEADLINES + (
        "\n目标进度（时间进度 / 完成进度）"
        "\n  云朵旗舰店 11月支付金额：时间进度 80.0%，完成进度 72.3%，落后"
        "\n  小野家居 11月净利：时间进度 80.0%，完成进度 —，成本未知"
        "\n重点发现"
        f"\n  1. [高] {EXPLANATION}"
        "\n  2. [中] 小野家居 淘客佣金 ¥86.20，周同比 +140%"
        "\n  3. [低] 小野家居 退款率 10.53%，高于 8% 阈值"
    )
    markdown = summary.markdown.split("\n\n")
    assert markdown[0] == "#### 店铺日报 2026-11-24（周二）"
    assert markdown[2:4] == [
        "- 访客数 2,347⁽¹⁄₂⁾，支付转化率 3.45%⁽¹⁄₂⁾，推广花费 ¥968.27，净利 ¥4,735.77⁽¹⁄₂⁾",
        "- 合计只含部分店铺：访客数、支付转化率、净利 缺 小野家居",
    ]
    assert markdown[4] == "**【云朵旗舰店】**支付金额 ¥10,732.00，环比 −26.9%，周同比 +3.9%"
    assert markdown[-4:] == [
        "**重点发现**",
        f"- 1. [高] {EXPLANATION}",
        "- 2. [中] 小野家居 淘客佣金 ¥86.20，周同比 +140%",
        "- 3. [低] 小野家居 退款率 10.53%，高于 8% 阈值",
    ]


def test_the_limit_cuts_the_least_important_lines_and_says_how_many(workspace: Workspace) -> None:
    findings = [FindingLine("high", f"{EXPLANATION}（{n}）") for n in range(1, 11)]
    findings += [FindingLine("low", f"小野家居 退款率偏高（{n}）") for n in range(1, 4)]
    summary = compose_summary(workspace, DEMO_END, pacing=PACING, findings=findings)
    assert len(summary.text) <= LIMIT
    lines = summary.text.splitlines()
    assert lines[-1] == f"…另有 {summary.omitted} 条"
    # cut in this order: low findings, the shops' detail lines, pacing, then high findings from the end
    # (the 合计's figures and coverage come right after its headline, before the findings)
    for gone in ("退款率偏高", "  推广花费 ¥657", "  访客数 2,347（", "目标进度", "时间进度", f"（{10}）"):
        assert not any(gone in line for line in lines), gone
    headlines = [
        line for line in HEADLINES.splitlines() if not line.startswith("  ") or "合计" in line or "⁽" in line
    ]
    assert lines[: len(headlines)] == headlines
    kept = [line for line in lines if "[高]" in line]
    assert kept == [f"  {n}. [高] {EXPLANATION}（{n}）" for n in range(1, len(kept) + 1)]
    assert summary.omitted == 3 + 4 + 2 + (10 - len(kept))
    tight = compose_summary(workspace, DEMO_END, findings=findings, limit=200)
    # at 200 characters the 合计's figures go too, before any shop's headline
    shop_heads = [line for line in HEADLINES.splitlines() if not line.startswith("  ")]
    assert len(tight.text) <= 200 and tight.text.splitlines()[:4] == shop_heads
    assert "重点发现" not in tight.text  # a heading whose lines were all cut goes too


def test_money_in_wan_and_one_shop_without_a_total(workspace: Workspace) -> None:
    workspace.settings.money_unit = "万元"
    summary = compose_summary(workspace, DEMO_END, shops=["云朵旗舰店"])
    assert summary.text.splitlines()[1:] == [
        "【云朵旗舰店】支付金额 1.07万，环比 −26.9%，周同比 +3.9%",
        "  访客数 2,347（环比 −12.1%），支付转化率 3.45%（环比 −0.18pp）",
        "  推广花费 0.07万，推广ROI 2.16，净利 0.47万，退款率 4.52%",
    ]


def test_a_day_without_data_and_an_unknown_shop_are_user_errors(workspace: Workspace) -> None:
    with pytest.raises(UserError, match=r"no data for 2020-01-01: .* from 2026-11-04 to 2026-11-24"):
        compose_summary(workspace, dt.date(2020, 1, 1))
    with pytest.raises(UserError, match="shop '无此店' is not registered"):
        compose_summary(workspace, DEMO_END, shops=["无此店"])


def test_a_budget_of_two_keeps_the_two_largest_by_money_at_stake(workspace: Workspace) -> None:
    """Generated findings of one day: the summary lists the 2 with the most money at stake, a group
    as one line with its count, then how many more there are."""
    lines = finding_lines(day_of_findings(), budget=2)
    assert lines == [
        FindingLine(
            "critical",
            "云朵旗舰店 支付金额：支付金额 ¥342，前一天 ¥12,505（−97.3%）（历史不足 4 周，按规则判断）",
        ),
        FindingLine("medium", "自然堂 竞品降价·双11·4 件：双11 降价 4 件，中位降幅 −32%"),
        FindingLine("", "另有 3 条（shopops findings --all 查看全部）", more=True, count=3),
    ]
    assert sum(line.count for line in lines) == 5  # every finding of the day, for "发现 5 条异常"
    summary = compose_summary(workspace, DEMO_END, findings=lines)
    assert summary.text == HEADLINES + (
        "\n重点发现"
        "\n  1. [严重] 云朵旗舰店 支付金额：支付金额 ¥342，前一天 ¥12,505（−97.3%）（历史不足 4 周，按规则判断）"
        "\n  2. [中] 自然堂 竞品降价·双11·4 件：双11 降价 4 件，中位降幅 −32%"
        "\n  另有 3 条（shopops findings --all 查看全部）"
    )
    assert summary.markdown.split("\n\n")[-1] == "- 另有 3 条（shopops findings --all 查看全部）"
    assert not [line for line in finding_lines(day_of_findings(), budget=10) if line.more]


def test_the_more_line_stays_when_the_limit_cuts_findings(workspace: Workspace) -> None:
    lines = [FindingLine("low", f"小野家居 退款率偏高（{n}）") for n in range(1, 40)]
    lines.append(FindingLine("", "另有 7 条（shopops findings --all 查看全部）", more=True))
    summary = compose_summary(workspace, DEMO_END, findings=lines)
    text = summary.text.splitlines()
    assert len(summary.text) <= LIMIT
    assert text[-2:] == ["  另有 7 条（shopops findings --all 查看全部）", f"…另有 {summary.omitted} 条"]
