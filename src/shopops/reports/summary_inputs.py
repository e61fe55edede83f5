"""The summary's 目标进度 and 重点发现 lines, from target pacing and the day's findings.

重点发现 are the day's top ``alerts.budget`` findings by money at stake (涉及金额), a group (a
rival's price cuts, items that stopped selling) as one line with its count, then "另有 N 条…".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from shopops.analysis.anomalies import Finding, alert_settings, detect
from shopops.analysis.anomalies.ranking import DEFAULT_BUDGET, budgeted
from shopops.analysis.targets import pace
from shopops.analysis.targets.pacing import Pace, PaceSource
from shopops.metrics.master import ShippingRates
from shopops.reports import finding_text
from shopops.reports.summary import FindingLine, PacingLine

# Finding severities → the summary's ranks (it cuts low ones first when the text is too long).
_SUMMARY_SEVERITY = {"critical": "critical", "warning": "medium", "info": "low"}


class SummarySource(PaceSource, Protocol):
    """A workspace: pacing needs its data, findings its shipping rules."""

    def shipping_rates(self) -> ShippingRates: ...


def pacing_lines(paces: Sequence[Pace]) -> list[PacingLine]:
    """One line per target whose period contains the day: "云朵旗舰店 2026-11 支付金额", 时间进度, 完成进度."""
    return [
        PacingLine(
            label=f"{row.target.scope.label} {row.period.label} {row.metric.label}",
            time_progress=row.time_progress,
            done_progress=row.completion,
            status=row.status,
        )
        for row in paces
    ]


def finding_lines(findings: Sequence[Finding], budget: int = DEFAULT_BUDGET) -> list[FindingLine]:
    """The top ``budget`` findings by money at stake as "店铺 指标：explanation" (a group: "店铺
    竞品降价·87 件：…"), then a more line "另有 N 条（shopops findings --all 查看全部）"."""
    chosen = budgeted(findings, budget)
    lines = [
        FindingLine(_SUMMARY_SEVERITY.get(finding.severity, "low"), _text(finding))
        for finding in chosen.shown
    ]
    more = finding_text.more_line(chosen, finding_text.SEE_ALL)
    return [*lines, FindingLine("", more, more=True, count=chosen.hidden)] if more else lines


def _text(finding: Finding) -> str:
    text = finding_text.explanation(finding)
    if finding.children:  # one line for the group, with its count
        return f"{finding.shop} {finding_text.label(finding)}：{text.removeprefix(finding.shop).lstrip()}"
    if finding.item and not text.startswith(finding.shop):  # the sentence names the item itself
        return f"{finding.shop}：{text}"
    return text if text.startswith(finding.shop) else f"{finding.shop} {finding.metric_label}：{text}"


def day_findings(source: SummarySource, day: dt.date, raw_settings: object) -> list[Finding]:
    """The findings of ``day`` (baselines come from the weeks before it)."""
    settings = alert_settings(raw_settings if isinstance(raw_settings, dict) else None)
    return detect(source.connection, day, day, settings=settings, shipping=source.shipping_rates()).findings


def summary_inputs(
    source: SummarySource, day: dt.date, raw_settings: object
) -> tuple[list[PacingLine], list[FindingLine]]:
    """Both sections for ``day``: the pacing of the targets running on it and its top findings."""
    settings = alert_settings(raw_settings if isinstance(raw_settings, dict) else None)
    findings = finding_lines(day_findings(source, day, raw_settings), settings.budget)
    return pacing_lines(pace(source, day)), findings
