"""Pacing against the 直播计划: GMV and 千川 spend so far against what the plan had by now.

The budget pacer's rule (next-batch-research §6.2): ideal spend to now = budget × Σ weights up to
now ÷ Σ all weights. Here each slot of the plan carries its own budget (its weight) and the slot
under way counts by the share of it that has passed — a straight line inside the slot, not a step
at its start. "消耗过快 +34 %" is (actual ÷ ideal − 1). GMV is paced the same way by the slots' targets.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopops.domains.live.intervals import Number, Session, total_through
from shopops.domains.live.store import PlanSlot

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Pace:
    at: dt.datetime
    planned_gmv: Decimal | None  # what the plan had by ``at``
    actual_gmv: Number | None
    target_gmv: Decimal | None  # the whole session's
    planned_spend: Decimal | None
    actual_spend: Number | None
    budget: Decimal | None

    @property
    def gmv_pace(self) -> float | None:
        return _pace(self.actual_gmv, self.planned_gmv)

    @property
    def spend_pace(self) -> float | None:
        return _pace(self.actual_spend, self.planned_spend)


def _pace(actual: Number | None, planned: Decimal | None) -> float | None:
    if actual is None or planned is None or planned <= 0:
        return None
    return float(actual) / float(planned) - 1


def planned_to(slots: Sequence[PlanSlot], field: str, moment: dt.datetime) -> Decimal | None:
    """The plan's ``target_gmv`` or ``budget`` up to ``moment`` (None: the plan has none)."""
    total: Decimal | None = None
    for slot in slots:
        value: Decimal | None = getattr(slot, field)
        if value is None:
            continue
        length = (slot.ends_at - slot.starts_at).total_seconds()
        passed = min(max((moment - slot.starts_at).total_seconds(), 0.0), length)
        share = Decimal(str(passed / length)) if length > 0 else Decimal(moment >= slot.ends_at)
        total = (total or Decimal(0)) + value * share
    return None if total is None else total.quantize(_CENT)


def whole(slots: Sequence[PlanSlot], field: str) -> Decimal | None:
    values = [getattr(slot, field) for slot in slots if getattr(slot, field) is not None]
    return sum(values, Decimal(0)) if values else None


def actual_to(session: Session, name: str, moment: dt.datetime) -> Number | None:
    """The session's counter as of the last reading at or before ``moment``."""
    count = bisect.bisect_right([i.end for i in session.intervals], moment)
    return total_through(session, name, count)


def pace_at(session: Session, slots: Sequence[PlanSlot], moment: dt.datetime) -> Pace:
    return pace_from(slots, moment, actual_to(session, "gmv", moment), actual_to(session, "spend", moment))


def pace_from(
    slots: Sequence[PlanSlot], moment: dt.datetime, actual_gmv: Number | None, actual_spend: Number | None
) -> Pace:
    return Pace(
        at=moment,
        planned_gmv=planned_to(slots, "target_gmv", moment),
        actual_gmv=actual_gmv,
        target_gmv=whole(slots, "target_gmv"),
        planned_spend=planned_to(slots, "budget", moment),
        actual_spend=actual_spend,
        budget=whole(slots, "budget"),
    )
