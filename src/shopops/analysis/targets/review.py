"""复盘: plan vs actual by month, quarter and year, for a year up to a day.

For each scope and metric with a target in the year: every month, quarter and the year up to
the day — the target where one is set, the actual (the master table's value for that span up to
the day), 完成率 and 差额 — so a 月报/周报 shows how the year and the quarter have gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from shopops.analysis.targets.pacing import PaceSource, ScopeFrames, relevant
from shopops.analysis.targets.periods import TargetPeriod
from shopops.analysis.targets.store import Scope, Target, load_targets, shops_of, target_kind
from shopops.domains import parts as domain_parts
from shopops.metrics.catalog import Metric, load_catalog


@dataclass(frozen=True)
class ReviewSection:
    """A domain's table under the 复盘 (``review_sections`` of :mod:`shopops.domains`)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]  # str, int, float (a ratio where its header ends with 率), None
    notes: tuple[str, ...] = ()


def review_sections(
    con: duckdb.DuckDBPyConnection, year: int, through: dt.date, shops: Sequence[str] | None = None
) -> list[ReviewSection]:
    """Every domain's section for the year up to ``through`` (those with something to show)."""
    found = [make(con, year, through, shops) for make in domain_parts("review_sections")]
    return [section for section in found if section is not None]


@dataclass(frozen=True)
class ReviewRow:
    scope: Scope
    metric: Metric
    period: TargetPeriod
    target: Decimal | None
    actual: Decimal | None
    through: dt.date  # the actual covers period.start … through
    kind: str  # goal | cap | ratio

    @property
    def complete(self) -> bool:
        return self.through >= self.period.end

    @property
    def completion(self) -> float | None:
        if self.target is None or self.actual is None:
            return None
        return float(self.actual / self.target)

    @property
    def gap(self) -> Decimal | None:
        if self.target is None or self.actual is None:
            return None
        return self.target - self.actual

    @property
    def time_progress(self) -> float:
        return self.period.time_progress(self.through)


def review(
    source: PaceSource, year: int, through: dt.date, *, shops: Sequence[str] | None = None
) -> list[ReviewRow]:
    """Rows per scope and metric, in order: the months, the quarters, then the year (up to ``through``)."""
    con = source.connection
    catalog = load_catalog()
    year_period = TargetPeriod.year(year)
    through = min(through, year_period.end)
    targets, _ = load_targets(con)
    in_year = [t for t in targets if year_period.start <= t.period.start <= through]
    all_shops = shops_of(con, Scope("all"))
    wanted: dict[Scope, dict[str, dict[TargetPeriod, Target]]] = {}
    for target in in_year:
        members = shops_of(con, target.scope)
        if members and relevant(target.scope, shops, members, all_shops):
            metrics = wanted.setdefault(target.scope, {})
            metrics.setdefault(target.metric, {})[target.period] = target
    rows = []
    frames = ScopeFrames(source)
    for scope, metrics in sorted(wanted.items()):
        members = shops_of(con, scope)
        actual = _actuals(frames, scope, members, year, through)
        for key, by_period in metrics.items():
            metric = catalog.metrics[key]
            spans = [p for p in _spans(year) if p.start <= through]
            for period in spans:
                chosen = by_period.get(period)
                rows.append(
                    ReviewRow(
                        scope,
                        metric,
                        period,
                        None if chosen is None else chosen.value,
                        actual.get((period, key)),
                        min(through, period.end),
                        target_kind(metric),
                    )
                )
    return rows


def _spans(year: int) -> list[TargetPeriod]:
    year_period = TargetPeriod.year(year)
    quarters = [TargetPeriod.quarter(year, q) for q in range(1, 5)]
    return [*year_period.months(), *quarters, year_period]


def _actuals(
    frames: ScopeFrames, scope: Scope, members: Sequence[str], year: int, through: dt.date
) -> dict[tuple[TargetPeriod, str], Decimal | None]:
    start = dt.date(year, 1, 1)
    values: dict[tuple[TargetPeriod, str], Decimal | None] = {}
    for grain in ("month", "quarter", "year"):
        frame = frames.get(scope, members, start, through, grain)
        for row in frame.iter_rows(named=True):
            period = TargetPeriod.containing(row["date"], grain)
            for key, value in row.items():
                if key not in ("date", "shop", "platform", "complete", "basis_note", "total_coverage"):
                    values[(period, key)] = None if value is None else Decimal(str(value))
    return values
