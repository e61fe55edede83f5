"""What `shopops findings` prints: per day a table ranked by 涉及金额 (the top ``budget``, or all with
``--all``), grouped findings with their first children under them; or every finding as JSON / CSV.

JSON is the stable list of finding objects (a group carries its ``children``); CSV has one row per
finding and one per child, a child naming its group's ``id`` in ``parent``. Checks that could not
run are said after the table — on stderr in JSON/CSV mode, so the output stays parseable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

import polars as pl
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from shopops.analysis.anomalies.finding import SEVERITY_LABELS, Finding
from shopops.analysis.anomalies.ranking import budgeted
from shopops.analysis.anomalies.skipped import SkippedCheck
from shopops.metrics.catalog import Catalog
from shopops.reports import figures, finding_text
from shopops.reports.export import to_csv

WEEKDAYS = "一二三四五六日"
DASH = "—"
CHILD_MARK = "└ "
FLOATS = ("value", "expected_low", "expected_high", "score", "impact")


def json_text(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_record() for f in findings], ensure_ascii=False, indent=1)


def csv_text(findings: Sequence[Finding], columns: Sequence[str]) -> str:
    """One row per finding, then one per child (``parent`` = the group's ``id``); ``columns`` first."""
    rows: list[dict[str, Any]] = []
    for finding in findings:
        parent = len(rows) + 1
        rows.append(_csv_row(finding, parent, None, columns))
        rows += [
            _csv_row(child, len(rows) + 1 + n, parent, columns) for n, child in enumerate(finding.children)
        ]
    names = [*columns, "id", "parent"]
    if not rows:
        return ",".join(names) + "\n"
    frame = pl.DataFrame(
        rows,
        schema_overrides={k: pl.Float64 for k in FLOATS if k in names} | {"id": pl.Int64, "parent": pl.Int64},
        infer_schema_length=None,
    )
    return to_csv(frame.select(names))


def _csv_row(finding: Finding, number: int, parent: int | None, columns: Sequence[str]) -> dict[str, Any]:
    record = finding.to_record()
    record |= {"related": ",".join(record["related"]), "children_count": len(finding.children)}
    return {**{k: record[k] for k in columns}, "id": number, "parent": parent}


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]  # 级别, 店铺 · 指标, 数值 / 预期范围, 涉及金额, 说明 (plain text, no markup)
    child: bool = False
    last: bool = False  # the last row of a finding (and of its children)


HEADERS = ("级别", "店铺 · 指标", "数值\n预期范围", "涉及金额", "说明")
MAX_WIDTHS = (4, 18, 13, 14)  # the columns before 说明; 说明 takes the rest of the terminal


def print_table(
    console: Console,
    findings: Sequence[Finding],
    catalog: Catalog,
    budget: int | None,
) -> None:
    """Per day, oldest first (the latest day ends next to the prompt): the day's findings by 涉及金额,
    the top ``budget`` (``None``: all, every child too) and "另有 N 条" for the rest. The columns are
    as wide on every day (the header is printed once)."""
    days = []
    for day, of_day in groupby(sorted(findings, key=lambda f: f.date), key=lambda f: f.date):
        day_findings = list(of_day)
        chosen = budgeted(day_findings, budget)
        rows = [row for f in chosen.shown for row in _rows(f, catalog, every_child=budget is None)]
        days.append((day, day_findings, chosen, rows))
    widths = _widths([row for *_, rows in days for row in rows])
    for number, (day, day_findings, chosen, rows) in enumerate(days):
        total = sum(f.count for f in day_findings)
        count = f"{len(day_findings)} 条" + (f"（含 {total} 项）" if total > len(day_findings) else "")
        console.print(f"[bold]{day}（周{WEEKDAYS[day.weekday()]}）[/] {count}，按涉及金额排序")
        table = Table(box=box.SIMPLE_HEAD, padding=0, show_edge=False, expand=True, show_header=number == 0)
        for header, width in zip(HEADERS, widths, strict=False):
            table.add_column(
                header, width=width, overflow="fold", justify="right" if header == "涉及金额" else "left"
            )
        table.add_column(HEADERS[-1], ratio=1, min_width=24, overflow="fold")
        for row in rows:
            table.add_row(
                *(Text(cell) for cell in row.cells), style="dim" if row.child else None, end_section=row.last
            )
        console.print(table)
        more = finding_text.more_line(chosen)
        if more:
            console.print(more)


def _rows(finding: Finding, catalog: Catalog, *, every_child: bool) -> list[_Row]:
    level = SEVERITY_LABELS[finding.severity] + ("\n待定" if finding.provisional else "")
    since = finding_text.since_text(finding)
    what = f"{finding.shop}\n{finding_text.label(finding)}" + (f"\n{since}" if since else "")
    money = finding_text.money_at_stake(finding)
    rows = [_Row((level, what, _figures(finding, catalog), money, finding_text.explanation(finding)))]
    shown = len(finding.children) if every_child else finding_text.CHILDREN_SHOWN
    for child in finding.children[:shown]:
        label = CHILD_MARK + finding_text.child_label(finding, child)
        figures = _figures(child, catalog)
        money = finding_text.money_at_stake(child)
        rows.append(_Row(("", label, figures, money, finding_text.explanation(child)), child=True))
    rest = finding_text.hidden_children(finding, shown)
    if rest:
        rows.append(_Row(("", CHILD_MARK + rest, "", "", ""), child=True))
    return [*rows[:-1], replace(rows[-1], last=True)]


def _widths(rows: Sequence[_Row]) -> list[int]:
    """Each column before 说明 as wide as its widest line (and its header), at most MAX_WIDTHS."""
    widths = []
    for column, (header, most) in enumerate(zip(HEADERS, MAX_WIDTHS, strict=False)):
        lines = [line for row in rows for line in row.cells[column].split("\n")] + header.split("\n")
        widths.append(min(most, max(cell_len(line) for line in lines)))
    return widths


def _figures(finding: Finding, catalog: Catalog) -> str:
    """The value over its expected range, written as the dashboard writes them (reports/figures.py)."""
    metric = catalog.metrics.get(finding.metric)
    value = figures.figure(metric, finding.metric, finding.value, compact=True)
    if finding.expected_low is None and finding.expected_high is None:
        return value
    low, high = finding.expected_low, finding.expected_high
    return f"{value}\n{figures.expected_range(metric, finding.metric, low, high, compact=True)}"


def print_skipped(console: Console, skipped: Sequence[SkippedCheck]) -> None:
    for check in skipped:
        console.print(f"未能检查：{escape(check.text())}")


def empty_text(start: dt.date, end: dt.date) -> str:
    return f"{start} ~ {end} 没有发现异常"
