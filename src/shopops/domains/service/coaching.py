"""`shopops service coach`: one agent's coaching card for a month — no chat transcripts, only figures.

- **Weakest 3.** Every figure of the month (:data:`FIGURES`) is set against the median of the agent's
  team: the people of the same shop **and group** (售前 with 售前, 售后 with 售后) who worked that month,
  the agent included. The shortfall is relative, in the bad direction: (median − value) ÷ median for
  a figure where higher is better, (value − median) ÷ median where lower is better; a median of 0 or
  unknown compares nothing. The 3 largest shortfalls are the weakest, one per family (平均响应 and
  首次响应 are one family, 未回复 and 回复率 another), so that one habit is not counted three times.
- Each weak figure comes with the agent's **own last 3 months** and the **evidence**: the month's
  worst days for that figure (the day's value, and the team's median that day).
- **What changed since last month:** figures whose change against the previous month passes
  :attr:`FigureSpec.change` (percentage points for ratios, relative for the others).

Months are their day rows added up (日累加); ratios are recomputed from the sums
(:func:`agents.summarize`), 询单转化率 over the settled days only.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import duckdb
import polars as pl

from shopops.domains.service.agents import summarize
from shopops.domains.service.coach_agent import find_agent
from shopops.domains.service.daily import day_rows, service_span
from shopops.errors import UserError

Unit = Literal["ratio", "seconds", "money", "per100"]
HISTORY_MONTHS = 3  # the agent's own months before the card's month
WORST_DAYS = 3  # evidence: the month's worst days of a weak figure
DAY_MIN = 5  # a day's figure counts as evidence from this many receptions (询单 for 询单转化率)


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str
    better: Literal["up", "down"]
    unit: Unit
    family: str
    change: float  # a change since last month beyond this is shown: pp for ratios, relative otherwise


FIGURES = (
    FigureSpec("inquiry_conversion", "询单转化率", "up", "ratio", "conversion", 0.03),
    FigureSpec("avg_response_seconds", "平均响应(秒)", "down", "seconds", "response", 0.15),
    FigureSpec("first_response_seconds", "首次响应(秒)", "down", "seconds", "response", 0.15),
    FigureSpec("unreplied_per_100", "未回复人数/百接待", "down", "per100", "reply", 0.5),
    FigureSpec("reply_rate", "回复率", "up", "ratio", "reply", 0.01),
    FigureSpec("slow_share", "慢响应占比", "down", "ratio", "slow", 0.03),
    FigureSpec("satisfaction_rate", "满意率", "up", "ratio", "satisfaction", 0.03),
    FigureSpec("aov", "客单价", "up", "money", "aov", 0.10),
)
SPECS = {spec.key: spec for spec in FIGURES}
RELATIVE_UNITS = ("seconds", "money")  # changes of these are relative; ratios and per-100 absolute


@dataclass(frozen=True)
class WorstDay:
    date: dt.date
    value: float
    team_median: float | None


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: Unit
    better: str
    value: float | None
    team_median: float | None
    shortfall: float | None  # relative, > 0 = worse than the team's median
    history: tuple[tuple[str, float | None], ...] = ()  # (YYYY-MM, value), oldest first, this month last
    worst_days: tuple[WorstDay, ...] = ()


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    unit: Unit
    before: float
    after: float
    change: float  # pp (ratios), per 100 (未回复), or relative (seconds, money)
    better: bool  # the change goes the good way


@dataclass(frozen=True)
class CoachCard:
    shop: str
    person: str
    accounts: str
    group: str | None
    month: str  # YYYY-MM
    start: dt.date
    end: dt.date
    days: int
    team_size: int  # people of the same shop and group that month (the agent included)
    figures: tuple[Figure, ...]  # every figure, in FIGURES order
    weakest: tuple[Figure, ...]  # up to 3, weakest first, with history and worst days
    changes: tuple[Change, ...]  # since last month, largest first
    previous_month: str
    notes: list[str] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {
            "agent": self.person,
            "shop": self.shop,
            "group": self.group,
            "accounts": self.accounts,
            "month": self.month,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "team_size": self.team_size,
            "figures": [_figure_record(f) for f in self.figures],
            "weakest": [_figure_record(f) for f in self.weakest],
            "previous_month": self.previous_month,
            "changes": [
                {
                    "metric": c.key,
                    "label": c.label,
                    "before": c.before,
                    "after": c.after,
                    "change": c.change,
                    "better": c.better,
                }
                for c in self.changes
            ],
            "notes": self.notes,
        }


def coach(
    con: duckdb.DuckDBPyConnection, agent: str, month: str, shops: Sequence[str] | None = None
) -> CoachCard:
    """The coaching card of ``agent`` (a person of the 客服名单 or an account/旺旺) for ``month``
    (YYYY-MM); ``shops`` limits where the agent is looked for (None: every shop)."""
    first, last = month_span(month)
    ref = find_agent(con, agent, shops)
    span_start = _add_months(first, -HISTORY_MONTHS)
    rows = day_rows(con, span_start, last, [ref.shop])
    rows = rows.with_columns(month=pl.col("date").dt.strftime("%Y-%m"))
    mine = rows.filter(pl.col("person") == ref.person)
    in_month = mine.filter(pl.col("month") == month)
    if in_month.is_empty():
        first_day, last_day = service_span(con, [ref.shop])
        known = f" (its 客服 data: {first_day} ~ {last_day})" if first_day else ""
        raise UserError(
            f"{ref.person} ({ref.shop}) has no 客服 day rows in {month}{known} — pick another --month"
        )
    groups = in_month["agent_group"].drop_nulls().to_list()
    group = str(groups[-1]) if groups else None
    team_rows = rows.filter(pl.col("month") == month)
    if group is not None:
        team_rows = team_rows.filter(pl.col("agent_group") == group)
    monthly = figure_frame(mine, ("month",))
    people = figure_frame(team_rows, ("person",))
    previous = _add_months(first, -1).strftime("%Y-%m")
    by_month = {str(r["month"]): r for r in monthly.iter_rows(named=True)}
    figures = drop_redundant([_figure(spec, by_month[month].get(spec.key), people) for spec in FIGURES])
    history_months = [_add_months(first, -n).strftime("%Y-%m") for n in range(HISTORY_MONTHS, -1, -1)]
    weakest = [
        replace(
            figure,
            history=tuple(
                (m, by_month[m].get(figure.key) if m in by_month else None) for m in history_months
            ),
            worst_days=worst_days(ref.person, team_rows, SPECS[figure.key]),
        )
        for figure in weakest_figures(figures)
    ]
    changes = changes_since(figures, by_month.get(previous))
    notes = [
        f"团队 = {ref.shop} {group or '全部'} {people.height} 人（含本人）当月的中位数；月为日累加，比率由合计重算",
        "询单转化率 = 询单->最终付款人数 ÷ 询单人数（已结算的日期）",
    ]
    if people.height < 2:
        notes.append("同组只有本人，无法与团队比较")
    if bool(in_month["provisional"].any()):
        notes.append("暂定：本月部分日期的询单->最终付款尚未结算（约 4 天后稳定）")
    return CoachCard(
        shop=ref.shop,
        person=ref.person,
        accounts="、".join(
            sorted(set("、".join(mine["accounts"].drop_nulls().to_list()).split("、")) - {""})
        ),
        group=group,
        month=month,
        start=in_month["date"].min(),  # type: ignore[arg-type]
        end=in_month["date"].max(),  # type: ignore[arg-type]
        days=in_month["date"].n_unique(),
        team_size=people.height,
        figures=tuple(figures),
        weakest=tuple(weakest),
        changes=tuple(changes),
        previous_month=previous,
        notes=notes,
    )


def _figure(spec: FigureSpec, value: float | None, people: pl.DataFrame) -> Figure:
    """One figure of the agent against the median of the team's people (2 or more with a value)."""
    values = [v for v in people[spec.key].to_list() if v is not None]
    median = float(statistics.median(values)) if len(values) >= 2 else None
    return Figure(spec.key, spec.label, spec.unit, spec.better, value, median, shortfall(spec, value, median))


def weakest_figures(figures: Sequence[Figure], count: int = 3) -> list[Figure]:
    """The ``count`` largest positive shortfalls, one per family."""
    chosen: list[Figure] = []
    families: set[str] = set()
    for figure in sorted(figures, key=lambda f: -(f.shortfall or 0.0)):
        family = SPECS[figure.key].family
        if figure.shortfall is None or figure.shortfall <= 0 or family in families:
            continue
        families.add(family)
        chosen.append(figure)
    return chosen[:count]


def figure_frame(rows: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """The coaching figures per ``keys`` from day rows (summed, ratios from the sums)."""
    out = summarize(rows, "paid", keys=keys)
    receptions = pl.col("receptions").cast(pl.Float64)
    return out.with_columns(
        slow_share=pl.when(receptions > 0).then(pl.col("slow_responses") / receptions),
        unreplied_per_100=pl.when(receptions > 0).then(pl.col("unreplied") / receptions * 100),
    )


def worst_days(person: str, team: pl.DataFrame, spec: FigureSpec) -> tuple[WorstDay, ...]:
    """``person``'s worst days of the month for ``spec`` (enough receptions / settled 询单 that day),
    with the team's median that day."""
    volume = "inquiries" if spec.key == "inquiry_conversion" else "receptions"
    eligible = pl.col(volume).fill_null(0) >= DAY_MIN
    if spec.key == "inquiry_conversion":
        eligible = eligible & pl.col("settled")
    days = figure_frame(team.filter(eligible), ("person", "date")).filter(pl.col(spec.key).is_not_null())
    medians = days.group_by("date").agg(pl.col(spec.key).median().alias("median"))
    own = days.filter(pl.col("person") == person).join(medians, on="date")
    own = own.sort(spec.key, "date", descending=[spec.better == "down", False]).head(WORST_DAYS)
    return tuple(WorstDay(r["date"], r[spec.key], r["median"]) for r in own.iter_rows(named=True))


def month_span(month: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise UserError(f"--month {month!r} is not a month like 2026-11") from None
    return first, _add_months(first, 1) - dt.timedelta(days=1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def shortfall(spec: FigureSpec, value: float | None, median: float | None) -> float | None:
    """How much worse than ``median`` the value is, relative (> 0 worse); None without a median > 0."""
    if value is None or median is None or median <= 0:
        return None
    return (median - value) / median if spec.better == "up" else (value - median) / median


def drop_redundant(figures: list[Figure]) -> list[Figure]:
    """回复率 says the same as 未回复人数/百接待 when that is known: keep it only when it is not."""
    known = {f.key for f in figures if f.value is not None}
    return [f for f in figures if not (f.key == "reply_rate" and "unreplied_per_100" in known)]


def changes_since(figures: Sequence[Figure], before: Mapping[str, Any] | None) -> list[Change]:
    """The figures whose change from ``before`` (last month's values) passes their threshold,
    the largest (in thresholds) first."""
    if before is None:
        return []
    found = []
    for figure in figures:
        spec, old, new = SPECS[figure.key], before.get(figure.key), figure.value
        if old is None or new is None:
            continue
        relative = spec.unit in RELATIVE_UNITS
        if relative and old <= 0:
            continue
        moved = (new - old) / old if relative else new - old
        if abs(moved) < spec.change:
            continue
        found.append(
            Change(spec.key, spec.label, spec.unit, old, new, moved, (moved > 0) == (spec.better == "up"))
        )
    return sorted(found, key=lambda c: -abs(c.change) / SPECS[c.key].change)


def _figure_record(figure: Figure) -> dict[str, Any]:
    return {
        "metric": figure.key,
        "label": figure.label,
        "value": figure.value,
        "team_median": figure.team_median,
        "shortfall": figure.shortfall,
        "better": figure.better,
        "history": [{"month": m, "value": v} for m, v in figure.history],
        "worst_days": [
            {"date": d.date.isoformat(), "value": d.value, "team_median": d.team_median}
            for d in figure.worst_days
        ],
    }
