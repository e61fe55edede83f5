"""A period's bonus, ready to show, sign and save: the scores made into claims, split by :mod:`.bonus`
(one pool across everyone shown, or base × tier coefficient), beside last period's.

Last period is the one before of the same kind (2026-10 for 2026-11, 2026-Q3 for 2026-Q4): its scores
are computed again (the figures may have been re-imported since), its bonus is the one saved with
``--save`` — or unknown ("—") when it was not, which a note says with the command that saves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import duckdb
import polars as pl

from shopops.analysis.targets.periods import TargetPeriod
from shopops.domains.staff.bonus import Allocation, BonusResult, Claim, allocate_base, allocate_pool
from shopops.domains.staff.bonus_runs import BonusRow, SavedBonus, previous_period, saved_bonus
from shopops.domains.staff.scoring import PersonScore, Scoreboard, score_period

Method = Literal["pool", "base"]
BONUS_COLUMNS = (
    "person", "role", "total", "tier", "rank", "peers", "proration", "active_days", "bonus", "share",
    "previous_total", "previous_tier", "previous_rank", "previous_bonus", "change", "provisional", "capped",
    "floored", "working",
)  # fmt: skip
MONEY = pl.Decimal(18, 2)


@dataclass(frozen=True)
class BonusLine:
    score: PersonScore
    allocation: Allocation
    previous: PersonScore | None  # the same person's score last period (None: not scored then)
    previous_amount: Decimal | None  # their saved bonus last period

    @property
    def change(self) -> Decimal | None:
        amount, before = self.allocation.amount, self.previous_amount
        return None if amount is None or before is None else amount - before

    @property
    def active_days(self) -> int:
        span = self.score.member.active(self.score.period)
        return 0 if span is None else (span[1] - span[0]).days + 1


@dataclass(frozen=True)
class BonusPlan:
    board: Scoreboard
    role: str | None
    method: Method
    basis: Decimal  # the pool, or the base
    result: BonusResult
    lines: tuple[BonusLine, ...]
    previous: TargetPeriod
    previous_saved: tuple[SavedBonus, ...]  # what was saved last period (for the role, when given)
    rule: str  # how it was split, in one line
    notes: tuple[str, ...]

    @property
    def period(self) -> TargetPeriod:
        return self.board.period

    @property
    def previous_total(self) -> Decimal | None:
        amounts = [row.amount for row in self.previous_saved if row.amount is not None]
        return sum(amounts, Decimal(0)) if self.previous_saved else None

    @property
    def shops(self) -> tuple[str, ...] | None:
        """The shops of the people shown (None: someone answers for every shop)."""
        if any(line.score.member.shops is None for line in self.lines):
            return None
        return tuple(dict.fromkeys(shop for line in self.lines for shop in line.score.shops))

    def rows(self) -> list[BonusRow]:
        return [
            BonusRow(
                line.score.member.person,
                line.score.member.role,
                line.score.total,
                line.score.tier.label if line.score.tier else None,
                line.allocation.amount,
            )
            for line in self.lines
        ]


def plan_bonus(
    con: duckdb.DuckDBPyConnection,
    board: Scoreboard,
    *,
    method: Method,
    basis: Decimal,
    role: str | None = None,
    min_score: Decimal | None = None,
    floor: Decimal | None = None,
    cap: Decimal | None = None,
) -> BonusPlan:
    """Split ``basis`` among the people of ``board`` (in the order the score table shows them)."""
    people = sorted(board.people, key=_order)
    claims = [
        Claim(
            person.member.person,
            person.total,
            person.proration,
            person.tier.coefficient if person.tier else None,
            person.tier.label if person.tier else "",
        )
        for person in people
    ]
    if method == "pool":
        result = allocate_pool(claims, basis, min_score=min_score, floor=floor, cap=cap)
    else:
        result = allocate_base(claims, basis, floor=floor, cap=cap)
    before = previous_period(board.period)
    last = {p.member.person: p for p in score_period(con, before, role=role).people}
    saved = tuple(row for row in saved_bonus(con, before) if role is None or row.role == role)
    paid = {row.person: row.amount for row in saved}
    lines = tuple(
        BonusLine(person, allocation, last.get(person.member.person), paid.get(person.member.person))
        for person, allocation in zip(people, result.allocations, strict=True)
    )
    notes = list(result.notes)
    notes += [f"{m.person}（{m.role}）未评分，不参与分配：{why}" for m, why in board.unscored]
    if not saved:
        how = f"shopops staff bonus --period {before.key} …{f' --role {role}' if role else ''} --save"
        notes.append(f"上期奖金未定稿（{how}）")
    known = sum(1 for person in people if person.total is not None)
    rule = _rule(method, basis, known, role, min_score, floor, cap)
    return BonusPlan(board, role, method, basis, result, lines, before, saved, rule, tuple(notes))


def save_refusal(plan: BonusPlan) -> str | None:
    """Why the plan may not be saved (signed off) yet, in one line; None: it may."""
    period = plan.period
    preview = "不带 --save 可先预览"
    if plan.board.through < period.end:
        return (
            f"不能定稿 {period.key} 的奖金：数据只到 {plan.board.through}，期间到 {period.end} 才结束"
            f" — 导入到 {period.end} 的数据后再 --save；{preview}"
        )
    provisional = [line.score for line in plan.lines if line.score.provisional]
    if provisional:
        names = "、".join(p.member.person for p in provisional)
        first = provisional[0]
        note = next((n for n in first.notes if n.startswith("暂定")), "暂定：数据未结算")
        why = note.removeprefix("暂定：").split("（")[0]
        return (
            f"不能定稿 {period.key} 的奖金：{names} 的得分是暂定（{first.member.person} {why}）"
            f" — 等数据结算（约 4 天）后重新导入这几天的导出，再 --save；{preview}"
        )
    unknown = [line.score for line in plan.lines if line.score.total is None]
    if unknown:
        names = "、".join(p.member.person for p in unknown)
        why = next((n for n in unknown[0].notes if n.startswith("缺 ")), "缺数据")
        return (
            f"不能定稿 {period.key} 的奖金：{names} 的得分未知（{unknown[0].member.person}：{why}）"
            f" — 补齐后再 --save，或用 --role 只定稿其他岗位；{preview}"
        )
    return None


def bonus_frame(plan: BonusPlan) -> pl.DataFrame:
    """One row per person (the columns of BONUS_COLUMNS)."""
    rows = []
    for line in plan.lines:
        person, previous, allocation = line.score, line.previous, line.allocation
        rows.append(
            {
                "person": person.member.person,
                "role": person.member.role,
                "total": _float(person.total),
                "tier": person.tier.label if person.tier else None,
                "rank": person.rank,
                "peers": person.peers,
                "proration": float(person.proration),
                "active_days": line.active_days,
                "bonus": allocation.amount,
                "share": None if allocation.share is None else float(allocation.share),
                "previous_total": _float(previous.total) if previous else None,
                "previous_tier": previous.tier.label if previous and previous.tier else None,
                "previous_rank": previous.rank if previous else None,
                "previous_bonus": line.previous_amount,
                "change": line.change,
                "provisional": person.provisional,
                "capped": allocation.capped,
                "floored": allocation.floored,
                "working": allocation.working,
            }
        )
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


_TYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "total": pl.Float64, "rank": pl.Int64, "peers": pl.Int64, "proration": pl.Float64, "active_days": pl.Int64,
    "bonus": MONEY, "share": pl.Float64, "previous_total": pl.Float64, "previous_rank": pl.Int64,
    "previous_bonus": MONEY, "change": MONEY, "provisional": pl.Boolean, "capped": pl.Boolean,
    "floored": pl.Boolean,
}  # fmt: skip
_SCHEMA = {key: _TYPES.get(key, pl.String) for key in BONUS_COLUMNS}


def _rule(
    method: Method,
    basis: Decimal,
    count: int,
    role: str | None,
    min_score: Decimal | None,
    floor: Decimal | None,
    cap: Decimal | None,
) -> str:
    who = f"{role} {count} 人" if role else f"{count} 人"
    if method == "pool":
        one = "" if role else "（一个奖金池，不分岗位）"
        text = f"奖金池 {basis:,.2f} 元按 总分 × 在岗天数占比 分给 {who}{one}，分尾差按最大余数补齐"
    else:
        text = f"每人 基数 {basis:,.2f} 元 × 等级系数 × 在岗天数占比（{who}）"
    limits = [f"低于 {min_score.normalize():f} 分不参与"] if min_score is not None else []
    limits += [f"保底 {floor:,.2f} 元"] if floor is not None else []
    limits += [f"封顶 {cap:,.2f} 元"] if cap is not None else []
    limits += ["保底/封顶按在岗天数折算"] if floor is not None or cap is not None else []
    return text + ("；" + "，".join(limits) if limits else "")


def _order(person: PersonScore) -> tuple[str, int, str]:
    return (person.member.role, person.rank if person.rank is not None else 10**6, person.member.person)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
