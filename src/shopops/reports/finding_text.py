"""How a finding reads wherever it is shown (CLI, summary, dashboard, 日报): one wording for each part.

- 涉及金额 (``impact``, the ranking key): "¥12,346", "—" when the finding has no money measure;
- a grouped finding's label carries its count ("竞品降价·87 件"), its children are listed under it
  (the top :data:`CHILDREN_SHOWN` where space is short);
- a run of days says where it started ("11-02 起"), a rule finding without a baseline its basis
  ("（历史不足 4 周，按规则判断）");
- what a budget leaves out is counted: "另有 N 条（--all 显示全部）".
"""

from __future__ import annotations

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.anomalies.ranking import Budgeted

DASH = "—"
MINUS = "−"
CHILDREN_SHOWN = 3  # children listed under a grouped finding where space is short
SEE_ALL_CLI = "--all 显示全部"
SEE_ALL = "shopops findings --all 查看全部"


def money_at_stake(finding: Finding) -> str:
    """涉及金额 in whole 元 ("¥12,346"), "—" without a money measure."""
    if finding.impact is None:
        return DASH
    amount = f"¥{abs(finding.impact):,.0f}"
    return MINUS + amount if finding.impact < 0 else amount


def count_text(finding: Finding) -> str:
    """ "87 件" for a group of items, "5 条" for other groups, "" for a single finding."""
    if not finding.children:
        return ""
    unit = "件" if all(child.item for child in finding.children) else "条"
    return f"{len(finding.children)} {unit}"


def label(finding: Finding) -> str:
    """The metric label with the calendar day and, for a group, its count: "竞品降价·双11·87 件"."""
    count = count_text(finding)
    # a group whose label already counts its items ("单品销售骤降·2 件") does not count them twice
    parts = [finding.metric_label, finding.context, "" if finding.metric_label.endswith(count) else count]
    return "·".join(part for part in parts if part)


def child_label(parent: Finding, child: Finding) -> str:
    """A child's label under its group: its own when it says more (an item's title), else its item ID
    ("R600002" rather than "竞品降价" again)."""
    if child.item and child.metric_label == parent.metric_label:
        return child.item
    return label(child)


def since_text(finding: Finding) -> str:
    """ "11-02 起" for a run of days still going on the finding's date, else ""."""
    since = finding.since
    if since is None or since >= finding.date:
        return ""
    return f"{since:%m-%d} 起" if since.year == finding.date.year else f"{since} 起"


def basis_text(finding: Finding) -> str:
    return f"（{finding.basis}）" if finding.basis else ""


def explanation(finding: Finding) -> str:
    """The finding's sentence and, when no baseline could judge it, how it was judged."""
    return (finding.explanation or f"{finding.metric_label}异常") + basis_text(finding)


def hidden_children(finding: Finding, shown: int) -> str:
    """ "另有 84 件" under a group whose first ``shown`` children are listed, or ""."""
    rest = len(finding.children) - shown
    if rest <= 0:
        return ""
    return f"另有 {rest} {count_text(finding).split(' ')[1]}"


def more_line(budget: Budgeted, how: str = SEE_ALL_CLI) -> str:
    """ "另有 N 条（--all 显示全部）" (with "含 M 项" when groups are among them), or ""."""
    return budget.more_text(how)
