"""Who is scored (员工名单) and what a manager typed in for them (手工录入), for a period.

A person is scored for the days of the period they held their role: from 入职日期 (or the period's
start) to 离职日期 (or its end). Someone who joined or left mid-period is pro-rated — their targets
and their bonus by ``active_days ÷ period days`` — and every output says so.

A manual input is taken for the period it was entered for. For a quarter or a year without its own
entry, the months' entries are put together — a ratio or a score (出勤率, 质检分) as the mean of the
months entered, a count or an amount (任务数, 销售目标) as their sum — and it is unknown when a month
of the person's active months has none: a blank is not a zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import duckdb

from shopops.analysis.targets.periods import TargetPeriod, parse_period

ADDITIVE_UNITS = ("money", "count")


@dataclass(frozen=True)
class Member:
    person: str
    role: str
    shops: tuple[str, ...] | None  # None: every shop
    user_name: str | None
    start: dt.date | None
    end: dt.date | None
    status: str | None
    import_id: int | None = None
    source_row: int | None = None

    def active(self, period: TargetPeriod) -> tuple[dt.date, dt.date] | None:
        """The days of ``period`` they held the role (None: none)."""
        first = max(period.start, self.start or period.start)
        last = min(period.end, self.end or period.end)
        return (first, last) if first <= last else None

    def proration(self, period: TargetPeriod) -> Fraction:
        span = self.active(period)
        if span is None:
            return Fraction(0)
        return Fraction((span[1] - span[0]).days + 1, period.days)

    def proration_note(self, period: TargetPeriod) -> str:
        """'' for a whole period, else e.g. "11-10 入职，按 21/30 天折算目标与奖金"."""
        span = self.active(period)
        if span is None or self.proration(period) == 1:
            return ""
        events = []
        if self.start and self.start > period.start:
            events.append(f"{self.start:%m-%d} 入职")
        if self.end and self.end < period.end:
            events.append(f"{self.end:%m-%d} 离职")
        days = (span[1] - span[0]).days + 1
        return f"{'、'.join(events)}，按 {days}/{period.days} 天折算目标与奖金"

    def shop_list(self, every_shop: Sequence[str]) -> list[str]:
        return list(every_shop) if self.shops is None else [s for s in every_shop if s in self.shops]


def load_members(con: duckdb.DuckDBPyConnection) -> list[Member]:
    rows = con.execute(
        "SELECT person, role, shops, user_name, start_date, end_date, status, import_id, source_row"
        " FROM staff ORDER BY role, person"
    ).fetchall()
    return [
        Member(
            person=str(person),
            role=str(role),
            shops=split_shops(str(shops or "")),
            user_name=str(user) if user else None,
            start=start,
            end=end,
            status=str(status) if status else None,
            import_id=import_id,
            source_row=source_row,
        )
        for person, role, shops, user, start, end, status, import_id, source_row in rows
    ]


def split_shops(text: str) -> tuple[str, ...] | None:
    parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").replace(";", ",").split(",")]
    named = tuple(p for p in parts if p)
    return named or None


# (period key, value, entered_by, entered_on, import_id, source_row) of one manual entry
InputEntry = tuple[str, float, str, dt.date | None, int | None, int | None]


@dataclass(frozen=True)
class InputValue:
    value: float
    entries: tuple[InputEntry, ...]  # every entry used
    basis: str  # '' (the period's own entry), 月均 (mean of the months), 月合计 (sum of the months)

    @property
    def entered_by(self) -> str:
        return "、".join(dict.fromkeys(entry[2] for entry in self.entries))


class InputBook:
    """Every manual entry, read once for a scoring run: (person, item) → period key → the entry (a
    later import of the same period wins)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute(
            "SELECT period, person, item, value, entered_by, entered_on, import_id, source_row"
            " FROM staff_inputs WHERE value IS NOT NULL ORDER BY import_id"
        ).fetchall()
        periods = {text: parse_period(str(text)) for text in {row[0] for row in rows}}
        self._entries: dict[tuple[str, str], dict[str, InputEntry]] = {}
        for text, person, item, value, entered_by, entered_on, import_id, source_row in rows:
            period = periods[text]
            if period is not None:
                entry = (period.key, float(value), str(entered_by), entered_on, import_id, source_row)
                self._entries.setdefault((str(person), str(item)), {})[period.key] = entry

    def entries(self, person: str, item: str) -> dict[str, InputEntry]:
        return self._entries.get((person, item), {})

    def entry_keys(self) -> list[tuple[str, str, str]]:
        """(person, item, period key) of every entry, in order."""
        return sorted((p, i, key) for (p, i), found in self._entries.items() for key in found)


def input_value(
    book: InputBook,
    person: str,
    item: str,
    period: TargetPeriod,
    unit: str,
    months: Sequence[TargetPeriod] | None = None,
) -> InputValue | None:
    """The person's ``item`` for ``period`` (see the module), or None when it is not known."""
    entries = book.entries(person, item)
    own = entries.get(period.key)
    if own is not None:
        return InputValue(own[1], (own,), "")
    if period.kind == "month":
        return None
    wanted = list(months if months is not None else period.months())
    found = [entries.get(month.key) for month in wanted]
    known = [entry for entry in found if entry is not None]
    if not wanted or len(known) < len(wanted):
        return None
    total = sum(entry[1] for entry in known)
    if unit in ADDITIVE_UNITS:
        return InputValue(total, tuple(known), "月合计")
    return InputValue(total / len(known), tuple(known), "月均")
