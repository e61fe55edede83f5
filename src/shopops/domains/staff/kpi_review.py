"""The team's KPI completion in the 复盘 of the year: per whole month and quarter, per role, how many
were scored, their mean total, and how many reached a paid tier (达标: a tier whose bonus coefficient
is above 0 — 铜牌 and up on the presets), beside the shops' plan vs actual in the same sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from shopops.analysis.targets.periods import TargetPeriod, parse_period
from shopops.analysis.targets.review import ReviewSection
from shopops.domains.staff.scoring import PersonScore, score_period

HEADERS = ("期间", "岗位", "在岗人数", "有总分人数", "平均分", "达标人数", "达标率", "等级分布")


def team_review(
    con: duckdb.DuckDBPyConnection, year: int, through: dt.date, shops: Sequence[str] | None = None
) -> ReviewSection | None:
    """None when there is no staff list or no whole month of the year has passed."""
    if not con.execute("SELECT count(*) FROM staff").fetchall()[0][0]:
        return None
    periods = [
        *(TargetPeriod.month(year, month) for month in range(1, 13)),
        *(TargetPeriod.quarter(year, quarter) for quarter in range(1, 5)),
    ]
    first = _first_month(con, through)
    rows: list[tuple[object, ...]] = []
    chosen = [p for p in periods if first <= p.start and p.end <= through]
    for period in sorted(chosen, key=lambda p: (p.end, p.kind != "month")):
        board = score_period(con, period, through=through)
        people = [p for p in board.people if shops is None or set(p.shops) & set(shops)]
        rows += _rows(period, people)
    if not rows:
        return None
    return ReviewSection(
        title=f"绩效达标：{year} 年逐月、逐季 团队 KPI 完成情况（截至 {through}）",
        headers=HEADERS,
        rows=tuple(rows),
        notes=(
            "达标 = 总分达到奖金系数大于 0 的等级（预设：铜牌 70 分及以上）；达标率 = 达标人数 ÷ 有总分人数。"
            "季度按季度的数据重新评分，不是三个月的平均。明细：shopops staff score --period 月份 --explain 姓名",
        ),
    )


def _first_month(con: duckdb.DuckDBPyConnection, through: dt.date) -> dt.date:
    """Where the team's 复盘 starts: the first month a manager entered inputs for (a team scored
    before that has only half its cards), else the three whole months before ``through``."""
    periods = [
        parse_period(str(row[0]))
        for row in con.execute("SELECT DISTINCT period FROM staff_inputs").fetchall()
    ]
    starts = [p.start for p in periods if p is not None]
    if starts:
        return min(starts)
    month = TargetPeriod.containing(through, "month").start
    return (month - dt.timedelta(days=80)).replace(day=1)


def _rows(period: TargetPeriod, people: Sequence[PersonScore]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for role in sorted({p.member.role for p in people}):
        mine = [p for p in people if p.member.role == role]
        scored = [p for p in mine if p.total is not None]
        passed = [p for p in scored if p.tier is not None and p.tier.coefficient > 0]
        mean = None
        if scored:
            total = sum((p.total for p in scored if p.total is not None), Decimal(0)) / len(scored)
            mean = float(total.quantize(Decimal("0.01"), ROUND_HALF_UP))
        tiers: dict[str, int] = {}
        for person in scored:
            if person.tier is not None:
                tiers[person.tier.label] = tiers.get(person.tier.label, 0) + 1
        order = [t.label for t in mine[0].card.tiers]
        spread = "、".join(f"{label} {tiers[label]}" for label in order if label in tiers) or "—"
        rows.append(
            (
                period.label,
                role,
                len(mine),
                len(scored),
                mean,
                len(passed),
                len(passed) / len(scored) if scored else None,
                spread,
            )
        )
    return rows
