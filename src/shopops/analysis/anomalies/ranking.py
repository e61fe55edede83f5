"""Which findings come first, and how many a page, a push or a 日报 shows (the budget).

Per day, findings are ranked by money at stake (``impact``, 元) — not by how unusual they are: a
−0.4 pp conversion on a ¥200k day matters more than a strange ¥80 refund. Findings without a money
measure (DSR, data problems) follow by severity. What does not fit the budget is counted
("另有 N 条"), never dropped: the CLI shows everything with ``--all``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from shopops.analysis.anomalies.finding import Finding

DEFAULT_BUDGET = 10  # findings shown per day where space is short (summary, push, dashboard, 日报)


def priority(finding: Finding) -> tuple[bool, float, int, str, str]:
    """The sort key within a day: money at stake, largest first; then those without, by severity."""
    return (finding.impact is None, -(finding.impact or 0.0), finding.rank, finding.shop, finding.metric)


def ranked(findings: Sequence[Finding]) -> list[Finding]:
    """Newest day first; within a day, by money at stake."""
    return sorted(findings, key=lambda f: (-f.date.toordinal(), *priority(f)))


@dataclass(frozen=True)
class Budgeted:
    shown: list[Finding]
    hidden: int  # top-level findings left out
    hidden_total: int  # … and the findings they stand for (children counted)

    def more_text(self, how: str = "") -> str:
        """ "另有 N 条（含 M 项，how）" — M when groups are among them, ``how`` the way to see them — or ""."""
        if not self.hidden:
            return ""
        notes = [f"含 {self.hidden_total} 项"] if self.hidden_total > self.hidden else []
        notes += [how] if how else []
        return f"另有 {self.hidden} 条" + (f"（{'，'.join(notes)}）" if notes else "")


def budgeted(findings: Sequence[Finding], limit: int | None = DEFAULT_BUDGET) -> Budgeted:
    """The top ``limit`` findings of each day (``None``: all), ranked; the rest counted."""
    by_day: dict[object, list[Finding]] = defaultdict(list)
    for finding in ranked(findings):
        by_day[finding.date].append(finding)
    shown: list[Finding] = []
    hidden = hidden_total = 0
    for day_findings in by_day.values():
        keep = day_findings if limit is None else day_findings[:limit]
        shown += keep
        rest = day_findings[len(keep) :]
        hidden += len(rest)
        hidden_total += sum(f.count for f in rest)
    return Budgeted(shown, hidden, hidden_total)
