"""Pacing: 时间进度 vs 完成进度, the gap, the run-rate needed, and the period-end forecast.

For every target whose period is under way on the as-of day (or the periods asked for):

- 时间进度 = days elapsed / days in the period; the as-of day (the last day with data) counts;
- 已完成 (achieved) = the period to date as the master table computes it: a sum for additive
  metrics (unknown if any day is unknown), the recomputed ratio for ratios (ROI, 转化率 …);
- 完成进度 = achieved / target; 进度差 = 完成进度 − 时间进度; 差额 = target − achieved;
- 日均需 = 差额 / remaining days (for a budget: what may still be spent per day);
- 预测 = achieved + the forecast of the remaining days (see ``forecast``), with its backtest range
  and a note: which method and why, no range and why, a level shift that widened the range.

Ratio targets are compared as ratios (达标/未达标), never summed or paced by days; their forecast is
the ratio recomputed from the forecast sums of numerator and denominator (see ``ratio_forecast``).
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from shopops.analysis.targets.forecast import Forecast, Series, forecast_with_range
from shopops.analysis.targets.periods import TargetPeriod
from shopops.analysis.targets.ratio_forecast import forecast_ratio
from shopops.analysis.targets.store import TARGET_METRICS, Scope, Target, load_targets, shops_of, target_kind
from shopops.errors import UserError
from shopops.metrics.catalog import Catalog, Metric, load_catalog
from shopops.metrics.source import WarehouseReader
from shopops.metrics.totals import TOTAL_SHOP

HISTORY_DAYS = 800  # daily history read for forecasts: two years and the backtest margin
SPAN_GRAINS = {"year": "year", "quarter": "quarter", "month": "month"}
STATUS_NOTES = {
    "未开始": "期间尚未开始",
    "数据不全": "期间内有日期缺少该指标的数据，已完成值未知",
    "已达成": "已完成 ≥ 目标",
    "超前": "完成进度 ≥ 时间进度",
    "落后": "完成进度 < 时间进度",
    "未达成": "期间已结束，未达到目标",
    "已超支": "已花费 > 预算（上限类指标：已超出上限）",
    "偏快": "花费进度 > 时间进度，按此速度会超支",
    "正常": "花费进度 ≤ 时间进度",
    "预算内": "期间已结束，未超出预算/上限",
    "达标": "比率达到目标（越低越好的指标：不高于上限）",
    "未达标": "比率未达到目标",
}


# What pacing needs from a workspace: its connection, data dates and master table.
PaceSource = WarehouseReader


@dataclass(frozen=True)
class Pace:
    target: Target
    metric: Metric
    kind: str  # goal | cap | ratio
    as_of: dt.date
    days: int
    elapsed: int
    achieved: Decimal | None
    time_progress: float
    completion: float | None
    progress_gap: float | None
    gap: Decimal | None
    run_rate: Decimal | None
    needed_per_day: Decimal | None
    forecast: Decimal | None
    forecast_low: Decimal | None
    forecast_high: Decimal | None
    method: str | None
    status: str
    forecast_note: str | None = None  # why this method / why no range / a level shift widened it

    @property
    def period(self) -> TargetPeriod:
        return self.target.period

    def record(self) -> dict[str, object]:
        """A flat record for CSV/JSON: keys in English, unknown as None."""
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period.key,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "scope": self.target.scope.label,
            "metric": self.metric.key,
            "metric_label": self.metric.label,
            "kind": self.kind,
            "target": self.target.value,
            "achieved": self.achieved,
            "days": self.days,
            "days_elapsed": self.elapsed,
            "time_progress": round(self.time_progress, 6),
            "completion": None if self.completion is None else round(self.completion, 6),
            "progress_gap": None if self.progress_gap is None else round(self.progress_gap, 6),
            "gap": self.gap,
            "run_rate": self.run_rate,
            "needed_per_day": self.needed_per_day,
            "forecast": self.forecast,
            "forecast_low": self.forecast_low,
            "forecast_high": self.forecast_high,
            "forecast_method": self.method,
            "forecast_note": self.forecast_note,
            "status": self.status,
            "source": self.target.source,
        }


def quantize(value: float | Decimal | None, metric: Metric) -> Decimal | None:
    """Money to the cent, counts to 0.1 (a per-day need), ratios to 6 places."""
    if value is None:
        return None
    step = {"money": Decimal("0.01"), "count": Decimal("0.1")}.get(metric.unit, Decimal("0.000001"))
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def pace_target(
    target: Target,
    metric: Metric,
    as_of: dt.date,
    achieved: Decimal | None,
    series: Series | None = None,
    parts: tuple[Series, Series] | None = None,
) -> Pace:
    """The pacing of one target, from its achieved value to date and (for forecasts) its daily series
    — for a ratio, the daily series of its numerator and denominator."""
    period = target.period
    kind = target_kind(metric)
    elapsed = period.elapsed_days(as_of)
    time_progress = period.time_progress(as_of)
    remaining = period.days - elapsed
    if elapsed == 0:
        achieved = None
    if kind == "ratio":
        achieved = quantize(achieved, metric)
    completion = None if achieved is None else float(achieved / target.value)
    gap = None if achieved is None else target.value - achieved
    if kind == "ratio":
        ratio = None
        if parts is not None and achieved is not None:
            ratio = forecast_ratio(parts[0], parts[1], period.start, as_of, period.end)
        low, high = (
            (None, None) if ratio is None else (quantize(ratio.low, metric), quantize(ratio.high, metric))
        )
        return Pace(
            target, metric, kind, as_of, period.days, elapsed, achieved, time_progress, completion,
            None, gap, None, None, None if ratio is None else quantize(ratio.value, metric), low, high,
            None if ratio is None else ratio.method, _ratio_status(metric, elapsed, achieved, target.value),
            None if ratio is None else ratio.note,
        )  # fmt: skip
    progress_gap = None if completion is None else completion - time_progress
    run_rate = None if achieved is None else quantize(achieved / elapsed, metric)
    needed = None
    if gap is not None and remaining > 0:
        needed = quantize((max(gap, Decimal(0)) if kind == "goal" else gap) / remaining, metric)
    made = _forecast(series, as_of, period, achieved)
    low = high = total = None
    if made is not None and achieved is not None:
        total = quantize(float(achieved) + made.remaining, metric)
        if made.low is not None and made.high is not None:
            low = quantize(float(achieved) + made.low, metric)
            high = quantize(float(achieved) + made.high, metric)
    status = _status(kind, elapsed, remaining, achieved, target.value, completion, time_progress)
    return Pace(
        target, metric, kind, as_of, period.days, elapsed, achieved, time_progress, completion,
        progress_gap, gap, run_rate, needed, total, low, high, made.method if made else None, status,
        (made.note or None) if made else None,
    )  # fmt: skip


def _forecast(
    series: Series | None, as_of: dt.date, period: TargetPeriod, achieved: Decimal | None
) -> Forecast | None:
    if achieved is None:
        return None
    if as_of >= period.end:
        return Forecast(0.0, "已结束", 0.0, 0.0)
    if series is None:
        return None
    return forecast_with_range(series, as_of, period.end)


def _status(
    kind: str,
    elapsed: int,
    remaining: int,
    achieved: Decimal | None,
    target: Decimal,
    completion: float | None,
    time_progress: float,
) -> str:
    if elapsed == 0:
        return "未开始"
    if achieved is None or completion is None:
        return "数据不全"
    if kind == "goal":
        if achieved >= target:
            return "已达成"
        if remaining == 0:
            return "未达成"
        return "超前" if completion >= time_progress else "落后"
    if achieved > target:
        return "已超支"
    if remaining == 0:
        return "预算内"
    return "偏快" if completion > time_progress else "正常"


def _ratio_status(metric: Metric, elapsed: int, achieved: Decimal | None, target: Decimal) -> str:
    if elapsed == 0:
        return "未开始"
    if achieved is None:
        return "数据不全"
    good = achieved <= target if metric.direction == "down" else achieved >= target
    return "达标" if good else "未达标"


def relevant(
    scope: Scope, selected: Sequence[str] | None, members: Sequence[str], all_shops: Sequence[str]
) -> bool:
    """Whether a scope belongs in a view of the ``selected`` shops (None: every shop)."""
    if selected is None:
        return True
    chosen = set(selected)
    if scope.kind == "shop":
        return scope.name in chosen
    if scope.kind == "group":
        return bool(members) and set(members) <= chosen
    return chosen >= set(all_shops)


def pace(
    source: PaceSource,
    as_of: dt.date | None = None,
    *,
    shops: Sequence[str] | None = None,
    periods: Sequence[TargetPeriod] | None = None,
    forecasts: bool = True,
) -> list[Pace]:
    """Pacing of every target whose period contains ``as_of`` (default: the latest day with data),
    or of the targets of ``periods``, for the scopes within ``shops`` (default: every shop)."""
    con = source.connection
    catalog = load_catalog()
    first, last = source.data_dates()
    if as_of is None:
        if last is None:
            raise UserError("the warehouse has no data yet — import exports first: shopops import FILE…")
        as_of = last
    targets, _ = load_targets(con)
    if periods is not None:
        chosen = [t for t in targets if t.period in set(periods)]
    else:
        chosen = [t for t in targets if t.period.contains(as_of)]
    all_shops = shops_of(con, Scope("all"))
    by_scope: dict[Scope, list[Target]] = {}
    for target in chosen:
        members = shops_of(con, target.scope)
        if members and relevant(target.scope, shops, members, all_shops):
            by_scope.setdefault(target.scope, []).append(target)
    result = []
    frames = ScopeFrames(source)
    for scope, scoped in by_scope.items():
        members = shops_of(con, scope)
        achieved = _achieved(frames, catalog, scope, members, {t.period for t in scoped}, as_of)
        daily = _daily(frames, scope, members, as_of, first) if forecasts else None
        for target in scoped:
            metric = catalog.metrics[target.metric]
            series = parts = None
            if daily is not None and target.period.contains(as_of):
                if target_kind(metric) == "ratio":
                    parts = ratio_parts(daily, metric)
                else:
                    series = _series(daily, target.metric)
            value = achieved.get((target.period, target.metric))
            result.append(pace_target(target, metric, as_of, value, series, parts))
    order = {"year": 0, "quarter": 1, "month": 2}
    return sorted(
        result,
        key=lambda p: (
            order[p.period.kind],
            p.period.start,
            p.target.scope,
        ),
    )


def scope_frame(
    source: PaceSource, scope: Scope, members: Sequence[str], start: dt.date, end: dt.date, grain: str
) -> pl.DataFrame:
    """The master table of a scope: the shop's rows, or the 合计 rows of a group / all shops — of the
    metrics a target can name (and their parts), not the whole catalog."""
    if scope.kind == "shop":
        return source.master_table(start, end, shops=members, grain=grain, metrics=TARGET_METRICS)
    frame = source.master_table(start, end, shops=members, grain=grain, total=True, metrics=TARGET_METRICS)
    return frame.filter(pl.col("shop") == TOTAL_SHOP)


class ScopeFrames:
    """``scope_frame`` remembered for one computation: a group of every shop and 全部店铺 share a query."""

    def __init__(self, source: PaceSource) -> None:
        self.source = source
        self._frames: dict[tuple[bool, tuple[str, ...], dt.date, dt.date, str], pl.DataFrame] = {}

    def get(
        self, scope: Scope, members: Sequence[str], start: dt.date, end: dt.date, grain: str
    ) -> pl.DataFrame:
        key = (scope.kind == "shop", tuple(sorted(members)), start, end, grain)
        if key not in self._frames:
            self._frames[key] = scope_frame(self.source, scope, members, start, end, grain)
        return self._frames[key]


def _achieved(
    frames: ScopeFrames,
    catalog: Catalog,
    scope: Scope,
    members: Sequence[str],
    periods: set[TargetPeriod],
    as_of: dt.date,
) -> dict[tuple[TargetPeriod, str], Decimal | None]:
    values: dict[tuple[TargetPeriod, str], Decimal | None] = {}
    for period in periods:
        if as_of < period.start:
            continue
        frame = frames.get(scope, members, period.start, min(as_of, period.end), SPAN_GRAINS[period.kind])
        row = frame.row(0, named=True) if frame.height else {}
        for key in catalog.metrics:
            value = row.get(key)
            values[(period, key)] = None if value is None else Decimal(str(value))
    return values


def _daily(
    frames: ScopeFrames, scope: Scope, members: Sequence[str], as_of: dt.date, first: dt.date | None
) -> pl.DataFrame | None:
    start = max(first or as_of, as_of - dt.timedelta(days=HISTORY_DAYS))
    return frames.get(scope, members, start, as_of, "day")


def _series(frame: pl.DataFrame, key: str) -> Series:
    return {
        day: None if value is None else float(value)
        for day, value in zip(frame["date"].to_list(), frame[key].to_list(), strict=True)
    }


def ratio_parts(frame: pl.DataFrame, metric: Metric) -> tuple[Series, Series] | None:
    """The daily numerator and denominator of a ratio metric whose formula is ``a / b``; a part that
    is not a master-table column (ROI's ad-report spend) is derived from the other and the daily
    ratio. None for another formula or when neither part is a column."""
    tree = ast.parse(metric.formula, mode="eval").body
    if not (
        isinstance(tree, ast.BinOp)
        and isinstance(tree.op, ast.Div)
        and isinstance(tree.left, ast.Name)
        and isinstance(tree.right, ast.Name)
    ):
        return None
    top, bottom = tree.left.id, tree.right.id
    if top in frame.columns and bottom in frame.columns:
        return _series(frame, top), _series(frame, bottom)
    if metric.key not in frame.columns or (top not in frame.columns and bottom not in frame.columns):
        return None
    ratio = _series(frame, metric.key)
    if top in frame.columns:
        known = _series(frame, top)
        return known, {day: _divide(value, ratio.get(day)) for day, value in known.items()}
    known = _series(frame, bottom)
    return {
        day: None if value is None or (rate := ratio.get(day)) is None else value * rate
        for day, value in known.items()
    }, known


def _divide(value: float | None, ratio: float | None) -> float | None:
    if value is None or ratio is None:
        return None
    return None if ratio == 0 else value / ratio  # a ratio of 0 says nothing of its denominator
