"""How findings read at an 80-column terminal and in CSV: the day's top ``budget`` by 涉及金额, a group
as one row with its count and its first 3 children, "另有 N 条"; everything with --all and in CSV."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from shopops.analysis.anomalies.ranking import budgeted
from shopops.cli.findings import CSV_COLUMNS
from shopops.cli.findings_output import csv_text, print_table
from shopops.metrics.catalog import load_catalog
from shopops.reports import finding_text
from tests.unit.generated_findings import day_of_findings, price_cuts

TOP_TWO = """\
2026-11-11（周三） 6 条（含 10 项），按涉及金额排序
                        数值
级别 店铺 · 指标        预期范围      涉及金额 说明
────────────────────────────────────────────────────────────────────────────────
严重 云朵旗舰店         ¥342           ¥12,163 支付金额 ¥342，前一天
     支付金额           ¥8,000 ~               ¥12,505（−97.3%）（历史不足 4
                        ¥14,000                周，按规则判断）

警告 自然堂             —               ¥6,500 自然堂 双11 降价 4 件，中位降幅
     竞品降价·双11·4 件                        −32%
     └ R000001          59              ¥3,000 商品 R000001 价格 89.00 →
                        76 ~ 89                59.00（−34%）
     └ R000002          59              ¥2,000 商品 R000002 价格 89.00 →
                        76 ~ 89                59.00（−34%）
     └ R000003          59              ¥1,000 商品 R000003 价格 89.00 →
                        76 ~ 89                59.00（−34%）
     └ 另有 1 件
另有 4 条（含 5 项，--all 显示全部）"""


def table(budget: int | None, extra: bool = False) -> list[str]:
    console = Console(width=80, file=io.StringIO(), highlight=False, soft_wrap=True, record=True)
    findings = day_of_findings() + ([price_cuts("相宜本草", [100.0, 50.0])] if extra else [])
    print_table(console, findings, load_catalog(), budget)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_a_budget_of_two_shows_the_two_largest_and_counts_the_rest() -> None:
    lines = table(2, extra=True)
    assert "\n".join(lines) == TOP_TWO
    assert max(len(line) for line in lines) <= 80


def test_all_shows_every_finding_and_child_with_since_and_basis() -> None:
    lines = table(None)
    assert lines[0] == "2026-11-11（周三） 5 条（含 8 项），按涉及金额排序"
    assert [line.split()[1] for line in lines if line.startswith("     └ ")] == [
        "R000001",
        "R000002",
        "R000003",
        "R000004",
    ]
    assert [line.split()[:2] for line in lines if line[:2] in ("严重", "警告", "提示")] == [
        ["严重", "云朵旗舰店"],
        ["警告", "自然堂"],
        ["警告", "云朵旗舰店"],
        ["警告", "小野家居"],
        ["提示", "小野家居"],
    ]
    assert "     11-02 起" in lines  # the stock-out's first day, under its label
    assert "待定 成功退款金额       ¥100 ~ ¥400" in lines
    assert lines[-2].split()[:4] == ["提示", "小野家居", "4.710", "—"]  # DSR: no money measure
    assert not [line for line in lines if line.startswith("另有")]


def test_csv_has_a_row_per_finding_and_per_child() -> None:
    findings = day_of_findings()
    rows = list(csv.DictReader(io.StringIO(csv_text(findings, CSV_COLUMNS))))
    assert [(r["id"], r["parent"], r["shop"], r["children_count"]) for r in rows] == [
        ("1", "", "小野家居", "0"),
        ("2", "", "小野家居", "0"),
        ("3", "", "自然堂", "4"),
        ("4", "3", "自然堂", "0"),
        ("5", "3", "自然堂", "0"),
        ("6", "3", "自然堂", "0"),
        ("7", "3", "自然堂", "0"),
        ("8", "", "云朵旗舰店", "0"),
        ("9", "", "云朵旗舰店", "0"),
    ]
    assert [r["impact"] for r in rows[2:4]] == ["6500.0", "3000.0"]
    assert (rows[7]["basis"], rows[8]["since"], rows[0]["impact"]) == (
        "历史不足 4 周，按规则判断",
        "2026-11-02",
        "",
    )
    assert list(rows[0])[: len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert csv_text([], CSV_COLUMNS) == ",".join([*CSV_COLUMNS, "id", "parent"]) + "\n"


def test_the_more_line_and_the_labels() -> None:
    findings = day_of_findings()
    assert finding_text.more_line(budgeted(findings, 1)) == "另有 4 条（含 7 项，--all 显示全部）"
    assert finding_text.more_line(budgeted(findings, 3)) == "另有 2 条（--all 显示全部）"
    assert finding_text.more_line(budgeted(findings, 5)) == ""
    assert finding_text.more_line(budgeted(findings, 4), finding_text.SEE_ALL) == (
        "另有 1 条（shopops findings --all 查看全部）"
    )
    group = findings[2]
    assert finding_text.label(group) == "竞品降价·双11·4 件"
    assert [finding_text.child_label(group, c) for c in group.children][:2] == ["R000001", "R000002"]
    assert finding_text.money_at_stake(group) == "¥6,500" and finding_text.money_at_stake(findings[0]) == "—"
    assert finding_text.since_text(findings[4]) == "11-02 起" and finding_text.since_text(group) == ""
