"""Target periods: a year, a quarter or a month, read from how operators write them.

``2026`` · ``2026年`` · ``2026-Q4`` · ``2026Q4`` · ``2026年第4季度`` · ``2026-11`` · ``2026/11`` ·
``2026年11月`` · ``202611``; a date on the first of a month (``2026-11-01``, what Excel makes of
"2026-11") is that month. The canonical key is ``2026``, ``2026-Q4`` or ``2026-11``.

时间进度 counts whole days: through the as-of day *inclusive* (the as-of day is the last day with
data, so it counts as elapsed). 10 of 30 days elapsed = 33.3%.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("year", "quarter", "month")
KIND_LABELS = {"year": "年", "quarter": "季度", "month": "月"}
PERIOD_HINT = "write a year, quarter or month such as 2026, 2026-Q4 or 2026-11"

_YEAR = r"(?P<year>20\d\d)\s*年?"
_PATTERNS = (
    re.compile(rf"^{_YEAR}$"),
    re.compile(rf"^{_YEAR}\s*[-_/.]?\s*(第\s*)?[Qq]?(?P<quarter>[1-4])\s*(季度?|[Qq])$"),
    re.compile(rf"^{_YEAR}\s*[-_/.]?\s*[Qq](?P<quarter>[1-4])$"),
    re.compile(rf"^{_YEAR}\s*[-_/.]?\s*(?P<month>0?[1-9]|1[0-2])\s*月?$"),
    re.compile(r"^(?P<year>20\d\d)(?P<month>0[1-9]|1[0-2])$"),
    re.compile(r"^(?P<year>20\d\d)[-/.](?P<month>0?[1-9]|1[0-2])[-/.]0?1( 00:00(:00)?)?$"),
)


@dataclass(frozen=True, order=True)
class TargetPeriod:
    """A calendar year, quarter or month."""

    start: dt.date
    end: dt.date
    kind: str

    @classmethod
    def year(cls, year: int) -> TargetPeriod:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> TargetPeriod:
        first = dt.date(year, 3 * quarter - 2, 1)
        return cls(first, _month_end(year, 3 * quarter), "quarter")

    @classmethod
    def month(cls, year: int, month: int) -> TargetPeriod:
        return cls(dt.date(year, month, 1), _month_end(year, month), "month")

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> TargetPeriod:
        if kind == "year":
            return cls.year(day.year)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.month(day.year, day.month)

    @property
    def key(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "quarter":
            return f"{self.start.year}年Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def elapsed_days(self, as_of: dt.date) -> int:
        """Days of the period up to and including ``as_of`` (0 before it starts, all after it ends)."""
        if as_of < self.start:
            return 0
        return (min(as_of, self.end) - self.start).days + 1

    def time_progress(self, as_of: dt.date) -> float:
        """时间进度: elapsed days / days in the period, the as-of day counted as elapsed."""
        return self.elapsed_days(as_of) / self.days

    def months(self) -> list[TargetPeriod]:
        """The calendar months of the period, in order."""
        found = []
        day = self.start
        while day <= self.end:
            found.append(TargetPeriod.month(day.year, day.month))
            day = found[-1].end + dt.timedelta(days=1)
        return found

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def shifted_years(self, years: int) -> TargetPeriod:
        """The same calendar period ``years`` later (negative: earlier)."""
        year = self.start.year + years
        if self.kind == "year":
            return TargetPeriod.year(year)
        if self.kind == "quarter":
            return TargetPeriod.quarter(year, (self.start.month - 1) // 3 + 1)
        return TargetPeriod.month(year, self.start.month)

    def __str__(self) -> str:
        return self.key


def parse_period(text: str) -> TargetPeriod | None:
    """The period written in ``text``, or None when it is not one."""
    cleaned = text.strip().replace("－", "-").replace("／", "/").replace("　", " ")
    for pattern in _PATTERNS:
        match = pattern.match(cleaned)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["year"])
        if parts.get("quarter"):
            return TargetPeriod.quarter(year, int(parts["quarter"]))
        if parts.get("month"):
            return TargetPeriod.month(year, int(parts["month"]))
        return TargetPeriod.year(year)
    return None


def same_day_last_year(day: dt.date) -> dt.date:
    """The same calendar day a year earlier (29 February → 28 February)."""
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)
