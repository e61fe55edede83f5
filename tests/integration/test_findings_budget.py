"""alerts.budget on real generated data: `shopops findings`, the summary (push / run daily) and the
日报's 异常发现 sheet show a day's 2 largest findings by 涉及金额 and "另有 N 条"; a rival's three price
cuts are one finding with its children; JSON and CSV hold everything; checks that could not run are
said in one line each (stderr in JSON/CSV mode)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result
from rich.cells import cell_len

from shopops.analysis.anomalies.finding import SEVERITY_LABELS
from shopops.workspace import Workspace
from tests.conftest import run_cli
from tests.web.conftest import build_demo_with_findings
from tests.web.grouped_data import CUT_DAY, CUT_ITEMS, RIVAL, add_price_cuts, set_budget

DAY = CUT_DAY.isoformat()
BUDGET = 2
ROW = re.compile(r"^(严重|警告|提示)\s+(\S+)")


@dataclass
class Grouped:
    root: Path
    records: list[dict[str, Any]]  # the day's findings, largest 涉及金额 first
    skipped: list[str]  # the "未能检查：…" lines

    def cli(self, *args: str | Path) -> Result:
        result = run_cli("--workspace", self.root, *args)
        assert result.exit_code == 0, result.output
        return result


def money(impact: float | None) -> str:
    return "—" if impact is None else f"¥{impact:,.0f}"


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Grouped:
    base = tmp_path_factory.mktemp("grouped")
    demo = build_demo_with_findings(base)
    result = demo.cli("import", *demo.files)
    assert result.exit_code == 0, result.output
    with Workspace.open(demo.root) as workspace:
        add_price_cuts(workspace, base / "cuts")
    set_budget(demo.root, BUDGET)
    found = run_cli("--workspace", demo.root, "findings", "--from", DAY, "--to", DAY, "--format", "json")
    assert found.exit_code == 0, found.output
    records = json.loads(found.stdout)
    records.sort(key=lambda r: (r["impact"] is None, -(r["impact"] or 0.0)))
    return Grouped(demo.root, records, found.stderr.splitlines())


def test_the_day_has_a_group_among_more_findings_than_the_budget(grouped: Grouped) -> None:
    assert len(grouped.records) == 3
    group = grouped.records[1]
    assert (group["shop"], group["metric"], group["value"]) == (RIVAL, "rival_price", None)
    assert sorted(c["item"] for c in group["children"]) == list(CUT_ITEMS)
    assert group["impact"] == pytest.approx(sum(c["impact"] for c in group["children"]), abs=0.02)
    assert all(c["children"] == [] for c in group["children"])
    assert grouped.skipped and all(line.startswith("未能检查：") for line in grouped.skipped)


def test_the_table_shows_the_two_largest_and_says_how_many_more(
    grouped: Grouped, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    records = grouped.records
    lines = grouped.cli("findings", "--from", DAY, "--to", DAY).stdout.splitlines()
    table = lines[: -len(grouped.skipped)]  # each "未能检查" is one line, wrapped by the terminal
    assert all(cell_len(line) <= 80 for line in table), [line for line in table if cell_len(line) > 80]
    assert lines[0] == f"{DAY}（周二） 3 条（含 5 项），按涉及金额排序"
    rows = [match.groups() for line in lines if (match := ROW.match(line))]
    assert rows == [(SEVERITY_LABELS[r["severity"]], r["shop"]) for r in records[:BUDGET]]
    assert records[2]["metric_label"] not in "\n".join(lines)  # the third is left out…
    children = [line.split() for line in lines if "└ " in line]
    assert [(c[1], c[3]) for c in children] == [
        (c["item"], money(c["impact"])) for c in records[1]["children"]
    ]
    group_line = next(i for i, line in enumerate(lines) if ROW.match(line) and RIVAL in line)
    assert money(records[1]["impact"]) in lines[group_line] and "·3 件" in lines[group_line + 1]
    assert lines[-1 - len(grouped.skipped) :] == ["另有 1 条（--all 显示全部）", *grouped.skipped]
    everything = grouped.cli("findings", "--from", DAY, "--to", DAY, "--all").stdout.splitlines()
    rows = [match.groups() for line in everything if (match := ROW.match(line))]
    assert rows == [(SEVERITY_LABELS[r["severity"]], r["shop"]) for r in records]
    assert not [line for line in everything if line.startswith("另有")]


def test_json_and_csv_hold_every_finding_and_child(grouped: Grouped) -> None:
    result = grouped.cli("findings", "--from", DAY, "--to", DAY, "--format", "csv")
    assert result.stderr.splitlines() == grouped.skipped  # the data stays parseable on stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 + 3
    (group,) = [r for r in rows if r["children_count"] == "3"]
    children = [r for r in rows if r["parent"]]
    assert {r["parent"] for r in children} == {group["id"]}
    assert [r["item"] for r in children] == [c["item"] for c in grouped.records[1]["children"]]
    assert all(r["children_count"] == "0" and r["shop"] == RIVAL for r in children)
    assert float(group["impact"]) == pytest.approx(grouped.records[1]["impact"])
    assert {"impact", "basis", "since", "children_count", "parent", "explanation"} <= set(rows[0])


def test_the_summary_lists_the_two_largest_then_how_many_more(grouped: Grouped) -> None:
    lines = grouped.cli("push", "--dry-run", "--date", DAY).stdout.splitlines()
    first, group, _ = grouped.records
    assert first["basis"] == "历史不足 4 周，按规则判断"  # 21 days of history: said with the finding
    sentence = f"{first['explanation']}（{first['basis']}）"
    label = "·".join(p for p in (group["metric_label"], group["context"], "3 件") if p)
    explanation = group["explanation"].removeprefix(RIVAL).lstrip()
    start = lines.index("重点发现")
    assert lines[start + 1 : start + 4] == [
        f"  1. [中] {first['shop']} {first['metric_label']}：{sentence}",
        f"  2. [中] {RIVAL} {label}：{' '.join(explanation.split())}",
        "  另有 1 条（shopops findings --all 查看全部）",
    ]


def test_the_daily_report_has_the_findings_sheet(grouped: Grouped, tmp_path: Path) -> None:
    target = tmp_path / "日报.xlsx"
    grouped.cli("report", "daily", "--date", DAY, "-o", target)
    sheet = openpyxl.load_workbook(target)["异常发现"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    rows = [row for row in rows if any(cell is not None for cell in row)]
    assert rows[0][0] == f"日报 · 异常发现 · {DAY}（周二）"
    notes = [row[0] for row in rows[2 : 2 + len(grouped.skipped)]]
    assert notes == grouped.skipped
    header = rows[2 + len(grouped.skipped)]
    assert header == ["级别", "店铺", "指标", "数值", "预期下限", "预期上限", "涉及金额（元）", "说明"]
    table = rows[3 + len(grouped.skipped) :]
    first, group, _ = grouped.records
    assert [row[1] for row in table[:-1]] == [first["shop"], *[RIVAL] * 4]
    assert table[0][6] == pytest.approx(first["impact"])
    assert table[0][7] == f"{first['explanation']}（{first['basis']}）"
    assert (
        table[1][2].endswith("·3 件") and table[1][3] == "—" and table[1][6] == pytest.approx(group["impact"])
    )
    assert [row[2].startswith("    └ ") for row in table[2:5]] == [True, True, True]
    assert [row[6] for row in table[2:5]] == [pytest.approx(c["impact"]) for c in group["children"]]
    assert table[-1] == ["另有 1 条（shopops findings --all 查看全部）", *[None] * 7]
