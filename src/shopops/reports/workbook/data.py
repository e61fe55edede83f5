"""Everything a 日报/周报/月报 shows, gathered from the workspace before a cell is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import polars as pl

from shopops.analysis.targets import Pace, ReviewRow, ReviewSection, pace, review, review_sections
from shopops.errors import UserError
from shopops.ingest.sources import SourceSpec
from shopops.metrics.breakdowns import channel_table, refund_reasons, refunded_items
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.completeness import PartialDay, partial_days
from shopops.metrics.coverage import coverage, files_used, has_data
from shopops.metrics.master import COMPARISON_LABELS, COMPARISONS
from shopops.metrics.source import WarehouseReader
from shopops.metrics.totals import TOTAL_SHOP
from shopops.reports.missing_exports import BlankMetric, blank_metric_exports
from shopops.settings import Settings

KINDS = {"daily": "day", "weekly": "week", "monthly": "month"}
NAMES = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
CURRENT_LABELS = {"day": "当日", "week": "本周", "month": "本月"}
WEEKDAYS = "一二三四五六日"
# How far back the 趋势 sheet reaches, in periods of the report's grain.
TREND_PERIODS = {"day": 30, "week": 26, "month": 13}


class ReportSource(WarehouseReader, Protocol):
    """What a report needs from a workspace (the Workspace class has all of it)."""

    root: Path
    settings: Settings

    def shops(self) -> list[tuple[str, str, Decimal]]: ...

    def sources(self) -> list[SourceSpec]: ...


@dataclass(frozen=True)
class Period:
    kind: str  # daily | weekly | monthly
    start: dt.date
    end: dt.date  # the last day reported (before full_end when the data stops earlier)
    full_end: dt.date

    @property
    def grain(self) -> str:
        return KINDS[self.kind]

    @property
    def name(self) -> str:
        return NAMES[self.kind]

    @property
    def complete(self) -> bool:
        return self.end == self.full_end

    @property
    def label(self) -> str:
        if self.kind == "daily":
            return f"{self.start}（周{WEEKDAYS[self.start.weekday()]}）"
        if self.kind == "weekly":
            week = self.start.isocalendar()
            text = f"{self.start} ~ {self.full_end}（{week.year} 年第 {week.week} 周）"
        else:
            text = f"{self.start.year} 年 {self.start.month} 月"
        return text if self.complete else f"{text}，数据截至 {self.end}"

    @property
    def file_stem(self) -> str:
        if self.kind == "weekly":
            week = self.start.isocalendar()
            return f"{self.name}_{week.year}-W{week.week:02d}"
        if self.kind == "monthly":
            return f"{self.name}_{self.start:%Y-%m}"
        return f"{self.name}_{self.start}"

    @property
    def comparisons(self) -> list[tuple[str, str]]:
        """(column suffix, 中文) of the change columns: 环比 and 周同比 (day) or 同比 (week, month)."""
        return [(name, COMPARISON_LABELS[name]) for name, _ in COMPARISONS[self.grain]]

    @property
    def current_label(self) -> str:
        return CURRENT_LABELS[self.grain]

    def trend_start(self) -> dt.date:
        back = TREND_PERIODS[self.grain] - 1
        if self.grain == "day":
            return self.start - dt.timedelta(days=back)
        if self.grain == "week":
            return self.start - dt.timedelta(weeks=back)
        months = self.start.year * 12 + self.start.month - 1 - back
        return dt.date(months // 12, months % 12 + 1, 1)


def resolve_period(kind: str, day: dt.date | None, last: dt.date) -> Period:
    """The period containing ``day``; without a day, the latest complete one in the data."""
    if kind not in KINDS:
        raise UserError(f"report kind {kind!r} is not one of {', '.join(KINDS)}")
    if kind == "daily":
        chosen = day or last
        return Period(kind, chosen, chosen, chosen)
    if kind == "weekly":
        anchor = day or (last if last.weekday() == 6 else last - dt.timedelta(days=last.weekday() + 1))
        start = anchor - dt.timedelta(days=anchor.weekday())
        full_end = start + dt.timedelta(days=6)
    else:
        anchor = day or (
            last if (last + dt.timedelta(days=1)).day == 1 else last.replace(day=1) - dt.timedelta(days=1)
        )
        start = anchor.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        full_end = following - dt.timedelta(days=1)
    end = full_end if last >= full_end else max(last, start)
    return Period(kind, start, end, full_end)


@dataclass
class ReportData:
    period: Period
    catalog: Catalog
    money_unit: str
    shops: list[tuple[str, str]]  # (name, platform) of the selected shops
    summary: pl.DataFrame  # the period: one row per shop and a 合计 row, with change columns
    trend: pl.DataFrame  # the trend window: one row per shop per period
    channels: pl.DataFrame
    reasons: pl.DataFrame
    items: pl.DataFrame
    coverage: pl.DataFrame
    files: pl.DataFrame
    source_labels: dict[str, str]
    table_labels: dict[str, str]
    data_range: tuple[dt.date, dt.date]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    specs: list[SourceSpec] = field(default_factory=list)  # the workspace's exports (what would fill a blank)
    blank: list[BlankMetric] = field(default_factory=list)  # per shop, the metrics that are "—" and why
    pacing: list[Pace] = field(default_factory=list)  # targets under way on the last day (目标达成)
    plan_review: list[ReviewRow] = field(default_factory=list)  # 周报/月报: the year's plan vs actual
    review_sections: list[ReviewSection] = field(default_factory=list)  # the domains' (绩效 …) under it
    target_problem: str | None = None  # a target sheet row that cannot be used
    incomplete: list[PartialDay] = field(default_factory=list)  # days of the period not covered whole
    skipped: list[PartialDay] = field(default_factory=list)  # incomplete days after it a default passed over

    def shop_rows(self) -> list[dict[str, object]]:
        return [r for r in self.summary.iter_rows(named=True) if r["shop"] != TOTAL_SHOP]

    def total_row(self) -> dict[str, object] | None:
        rows = [r for r in self.summary.iter_rows(named=True) if r["shop"] == TOTAL_SHOP]
        return rows[0] if rows else None


def gather(source: ReportSource, kind: str, day: dt.date | None, shops: Sequence[str] | None) -> ReportData:
    first, last = source.data_dates()
    if first is None or last is None:
        raise UserError("the warehouse has no data yet — import exports first: shopops import FILE…")
    registered = {name: platform for name, platform, _ in source.shops()}
    for shop in shops or []:
        if shop not in registered:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(registered) or 'none'}) — see `shopops shop list`"
            )
    selected = list(shops) if shops else list(registered)
    period = resolve_period(kind, day, last)
    con = source.connection
    if day is None and not has_data(con, period.start, period.end, selected):
        period = resolve_period(kind, last, last)  # no complete period has data yet: the current one
    if not has_data(con, period.start, period.end, selected):
        what = period.start if kind == "daily" else f"{period.start} ~ {period.full_end}"
        raise UserError(
            f"no data for {what}: no imported export covers it — the warehouse has data from {first} to {last};"
            " pick a --date in that range"
        )
    grain = period.grain
    summary = source.master_table(
        period.start, period.end, shops=selected, grain=grain, compare=True, total=True
    ).filter(pl.col("date") == period.start)
    trend = source.master_table(period.trend_start(), period.end, shops=selected, grain=grain)
    specs = source.sources()
    table_labels: dict[str, list[str]] = {}
    for spec in specs:
        table_labels.setdefault(spec.table, [])
        if spec.label not in table_labels[spec.table]:
            table_labels[spec.table].append(spec.label)
    files_from = min(period.trend_start(), period.start - dt.timedelta(days=366 if grain != "day" else 7))
    pacing, plan_review, target_problem = _targets(source, kind, period, shops)
    sections = [] if kind == "daily" else review_sections(con, period.end.year, period.end, shops)
    return ReportData(
        period=period,
        catalog=load_catalog(),
        money_unit=source.settings.money_unit,
        shops=[(name, registered[name]) for name in selected],
        summary=summary,
        trend=trend,
        channels=channel_table(con, summary, period.start, period.end),
        reasons=refund_reasons(con, period.start, period.end, selected),
        items=refunded_items(con, period.start, period.end, selected),
        coverage=coverage(con, period.start, period.end, selected),
        files=files_used(con, files_from, period.end),
        source_labels={spec.key: spec.label for spec in specs},
        specs=specs,
        blank=blank_metric_exports(con, summary, specs, end=period.end),
        table_labels={table: "、".join(labels) for table, labels in table_labels.items()},
        data_range=(first, last),
        pacing=pacing,
        plan_review=plan_review,
        review_sections=sections,
        target_problem=target_problem,
        incomplete=[p for p in partial_days(con, selected) if period.start <= p.date <= period.end],
        skipped=source.incomplete_days() if day is None else [],
    )


def _targets(
    source: ReportSource, kind: str, period: Period, shops: Sequence[str] | None
) -> tuple[list[Pace], list[ReviewRow], str | None]:
    """Pacing as of the report's last day and, for 周报/月报, the year's 复盘; a bad target row is
    reported on the sheet instead of stopping the report."""
    try:
        pacing = pace(source, period.end, shops=shops or None)
        plan = [] if kind == "daily" else review(source, period.end.year, period.end, shops=shops or None)
    except UserError as error:
        return [], [], str(error)
    return pacing, plan, None
