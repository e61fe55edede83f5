"""Signed-off bonuses (`shopops staff bonus --save`): a period's allocation written to ``staff_bonus``
(migration 017) with its audit record, and read back as the next period's 上期奖金.

A save replaces what an earlier save wrote for the same period: for one role (``--role``) that role's
rows, otherwise every row of the period (the pool was one for everyone shown). The rows and the audit
record are written in one transaction: both or neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from shopops.analysis.targets.periods import TargetPeriod
from shopops.warehouse import audit

ACTION = "staff.bonus"
METHOD_LABELS = {"pool": "奖金池", "base": "基数"}


@dataclass(frozen=True)
class BonusRow:
    """One person's line of an allocation, as it is saved."""

    person: str
    role: str
    score: Decimal | None
    tier: str | None
    amount: Decimal | None  # None: not allocated (unknown score)


@dataclass(frozen=True)
class SavedBonus:
    period: str
    role: str
    person: str
    score: Decimal | None
    tier: str | None
    amount: Decimal | None
    method: str  # pool | base
    basis: Decimal  # the pool, or the base
    saved_by: str
    saved_at: dt.datetime


def save_bonus(
    con: duckdb.DuckDBPyConnection,
    period: TargetPeriod,
    role: str | None,
    rows: Sequence[BonusRow],
    *,
    method: str,
    basis: Decimal,
    shops: Sequence[str] | None,
) -> int:
    """Write ``rows`` for ``period`` (replacing the period's rows, or the role's when ``role`` is
    given) and the audit record; returns how many earlier rows were replaced. ``shops``: the shops
    the people answer for (None: every shop), which the audit record concerns."""
    actor = audit.current_actor()
    scope, values = ("AND role = ?", [period.key, role]) if role else ("", [period.key])
    total = sum((row.amount for row in rows if row.amount is not None), Decimal(0))
    target = f"{period.key} {role or '全部岗位'} {METHOD_LABELS[method]} {basis:,.2f} 元 · {len(rows)} 人"
    with audit.atomic(con):
        found = con.execute(f"SELECT count(*) FROM staff_bonus WHERE period = ? {scope}", values).fetchone()
        replaced = int(found[0]) if found else 0
        con.execute(f"DELETE FROM staff_bonus WHERE period = ? {scope}", values)
        con.executemany(
            "INSERT INTO staff_bonus (period, role, person, score, tier, amount, method, basis, saved_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [period.key, row.role, row.person, row.score, row.tier, row.amount, method, basis, actor.name]
                for row in rows
            ],
        )
        detail = {
            "period": period.key,
            "role": role or "*",
            "method": method,
            "basis": f"{basis:.2f}",
            "total": f"{total:.2f}",
            "rows": len(rows),
            "rows_replaced": replaced,
            "shops": "*" if shops is None else list(shops),
        }
        audit.record_as(con, actor, ACTION, target, detail)
    return replaced


def saved_bonus(con: duckdb.DuckDBPyConnection, period: TargetPeriod) -> list[SavedBonus]:
    """What was saved for ``period`` (every role), by role and person."""
    rows = con.execute(
        "SELECT period, role, person, score, tier, amount, method, basis, saved_by, saved_at"
        " FROM staff_bonus WHERE period = ? ORDER BY role, person",
        [period.key],
    ).fetchall()
    return [SavedBonus(*row) for row in rows]


def previous_period(period: TargetPeriod) -> TargetPeriod:
    """The period before, of the same kind: 2026-10 for 2026-11, 2026-Q3 for 2026-Q4, 2025 for 2026."""
    return TargetPeriod.containing(period.start - dt.timedelta(days=1), period.kind)
