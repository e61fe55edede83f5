"""The summary's 目标进度 and 重点发现 lines, from target pacing and the day's findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from shopops.analysis.anomalies import Finding, alert_settings, detect_findings
from shopops.analysis.targets import pace
from shopops.analysis.targets.pacing import Pace, PaceSource
from shopops.metrics.master import ShippingRates
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


def finding_lines(findings: Sequence[Finding]) -> list[FindingLine]:
    """Each finding as "店铺 指标：explanation", most severe first (the summary keeps that order)."""
    lines = []
    for finding in sorted(findings, key=lambda f: f.rank):
        text = finding.explanation or f"{finding.metric_label}异常"
        if not text.startswith(finding.shop):
            text = f"{finding.shop} {finding.metric_label}：{text}"
        lines.append(FindingLine(_SUMMARY_SEVERITY.get(finding.severity, "low"), text))
    return lines


def day_findings(source: SummarySource, day: dt.date, raw_settings: object) -> list[Finding]:
    """The findings of ``day`` (baselines come from the weeks before it)."""
    settings = alert_settings(raw_settings if isinstance(raw_settings, dict) else None)
    return detect_findings(source.connection, day, day, settings=settings, shipping=source.shipping_rates())


def summary_inputs(
    source: SummarySource, day: dt.date, raw_settings: object
) -> tuple[list[PacingLine], list[FindingLine]]:
    """Both sections for ``day``: the pacing of the targets running on it and its findings."""
    return pacing_lines(pace(source, day)), finding_lines(day_findings(source, day, raw_settings))
