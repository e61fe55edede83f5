"""What the pages and the JSON API show, built from the scoped data layer (no queries here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from shopops.analysis.anomalies import SEVERITY_LABELS
from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.anomalies.ranking import budgeted
from shopops.analysis.targets import STATUS_NOTES, Pace
from shopops.metrics.catalog import Catalog, Metric, load_catalog
from shopops.metrics.totals import TOTAL_SHOP, Coverage, total_coverage
from shopops.reports import figures, finding_text
from shopops.web.data import ScopedData

KPI_METRICS = (
    "gmv",
    "visitors",
    "conversion_rate",
    "aov",
    "ad_spend",
    "ad_roi",
    "net_profit",
    "refund_rate",
)
TREND_DEFAULT = "gmv"
UNIT_LABELS = {"money": "金额", "count": "数量", "ratio": "比率", "score": "分值"}  # the 口径 page's 单位
DASH = "—"


def catalog() -> Catalog:
    return load_catalog()


def fmt(metric: Metric | None, value: Any) -> str:
    """A value as the operator reads it; unknown is "—"."""
    if value is None:
        return DASH
    if metric is None:
        return str(value)
    if metric.unit == "money":
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"¥{amount:,}"
    if metric.unit == "count":
        return f"{float(value):,.0f}"
    if metric.unit == "ratio":
        return f"{float(value):.2f}" if metric.is_multiple else f"{float(value):.2%}"
    return f"{float(value):.3f}"


def delta(metric: Metric, now: Any, before: Any) -> dict[str, str]:
    """环比/周同比 text and a css class: pp for percentages, % for the rest, "—" when unknown."""
    if now is None or before is None:
        return {"text": DASH, "css": ""}
    current, previous = float(now), float(before)
    if metric.unit == "ratio" and not metric.is_multiple:
        change = (current - previous) * 100
        text = f"{change:+.2f}pp"
    elif previous == 0:
        return {"text": DASH, "css": ""}
    else:
        change = (current - previous) / abs(previous)
        text = f"{change:+.1%}"
    good = (change > 0) == (metric.direction == "up") if metric.direction in ("up", "down") else None
    css = "" if change == 0 or good is None else ("good" if good else "bad")
    return {"text": text, "css": css}


def _row_of(frame: pl.DataFrame, day: dt.date, several: bool) -> dict[str, Any] | None:
    rows = frame.filter(pl.col("date") == day)
    if several:
        rows = rows.filter(pl.col("shop") == TOTAL_SHOP)
    return rows.to_dicts()[0] if rows.height else None


def kpi_cards(data: ScopedData, day: dt.date, shops: list[str], lang: str = "zh") -> list[dict[str, Any]]:
    from shopops.web.master_view import coverage_note  # it builds on this module

    cat = catalog()
    several = len(shops) != 1
    frame = data.master_table(day - dt.timedelta(days=7), day, shops=shops, total=several)
    now, prev, week = (
        _row_of(frame, d, several) for d in (day, day - dt.timedelta(1), day - dt.timedelta(7))
    )
    coverage = total_coverage(frame) if several else {}
    cards = []
    for key in KPI_METRICS:
        metric = cat.metrics[key]
        value = now.get(key) if now else None
        cover = coverage.get((day, key))
        before = {
            then: _comparable(row, key, cover, coverage.get((then, key)))
            for then, row in ((day - dt.timedelta(1), prev), (day - dt.timedelta(7), week))
        }
        cards.append(
            {
                "key": key,
                "label": metric.label,
                "definition": metric.definition,
                "value": fmt(metric, value),
                "cover": cover.mark if cover and value is not None else "",
                "cover_note": (
                    coverage_note(cover, metric.label_en if lang == "en" else metric.label, lang)
                    if cover and cover.partial
                    else ""
                ),
                "dod": delta(metric, value, before[day - dt.timedelta(1)]),
                "wow": delta(metric, value, before[day - dt.timedelta(7)]),
            }
        )
    return cards


def _comparable(row: dict[str, Any] | None, key: str, cover: Coverage | None, other: Coverage | None) -> Any:
    """A comparison day's value, when its 合计 rests on the same shops as today's (else no change)."""
    same = cover is None or other is None or other.missing == cover.missing
    return row.get(key) if row and same else None


def pacing_rows(paces: list[Pace]) -> list[dict[str, Any]]:
    rows = []
    for p in paces:
        rows.append(
            {
                "period": p.period.key,
                "scope": p.target.scope.label,
                "metric": p.metric.label,
                "metric_key": p.metric.key,
                "kind": p.kind,
                "target": fmt(p.metric, p.target.value),
                "achieved": fmt(p.metric, p.achieved),
                "time_progress": f"{p.time_progress:.0%}",
                "time_pct": round(p.time_progress * 100, 1),
                "completion": DASH if p.completion is None else f"{p.completion:.0%}",
                "completion_pct": None if p.completion is None else round(min(p.completion, 1.5) * 100, 1),
                "needed_per_day": fmt(p.metric, p.needed_per_day),
                "forecast": fmt(p.metric, p.forecast),
                "forecast_range": (
                    f"{fmt(p.metric, p.forecast_low)} ~ {fmt(p.metric, p.forecast_high)}"
                    if p.forecast_low is not None and p.forecast_high is not None
                    else DASH
                ),
                "forecast_note": " · ".join(x for x in (p.method, p.forecast_note) if x),
                "status": p.status,
                "status_note": STATUS_NOTES.get(p.status, ""),
                "behind": p.progress_gap is not None and p.progress_gap < 0,
            }
        )
    return rows


def finding_rows(
    findings: list[Finding],
    notes: dict[tuple[str, str, str, str], list[dict[str, Any]]],
    own_shops: Collection[str] | None = None,
    lang: str = "zh",
) -> list[dict[str, Any]]:
    """The rows of a findings table; a group's ``children`` (same keys, no notes) are listed under it.
    ``lang`` is the language of the figures' units (秒/s, 天/days); the template translates the words."""
    cat = catalog()
    return [_finding_row(cat, f, notes, own_shops, lang) for f in findings]


def _finding_row(
    cat: Catalog,
    f: Finding,
    notes: dict[tuple[str, str, str, str], list[dict[str, Any]]],
    own_shops: Collection[str] | None,
    lang: str = "zh",
) -> dict[str, Any]:
    metric = cat.metrics.get(f.metric)
    history = notes.get((str(f.date), f.shop, f.metric, f.channel), [])

    return {
        "date": str(f.date),
        "shop": f.shop,
        "metric": f.metric,
        "channel": f.channel,
        "item": f.item,
        "label": finding_text.label(f),
        "since": finding_text.since_text(f),
        # written as `shopops findings` writes them (reports/figures.py)
        "value": figures.figure(metric, f.metric, f.value, lang),
        "range": figures.expected_range(metric, f.metric, f.expected_low, f.expected_high, lang),
        "impact": finding_text.money_at_stake(f),
        "severity": f.severity,
        "severity_label": SEVERITY_LABELS[f.severity] + ("（待定）" if f.provisional else ""),
        "explanation": f.explanation,
        "basis": f.basis,
        "acknowledged": any(n["acknowledged"] for n in history),
        "notes": history,
        # Notes are kept per own shop; a competitor finding names a rival shop.
        "ours": own_shops is None or f.shop in own_shops,
        "count": f.count,
        "count_text": finding_text.count_text(f),  # "87 件" for a group, "" for a single finding
        "children": [
            _finding_row(cat, child, {}, own_shops, lang) | {"label": finding_text.child_label(f, child)}
            for child in f.children
        ],
    }


def top_findings(findings: list[Finding], budget: int) -> tuple[list[Finding], str]:
    """The day's top ``budget`` findings by money at stake, and "另有 N 条" for the rest ("" if none)."""
    chosen = budgeted(findings, budget)
    return chosen.shown, chosen.more_text()


def basis_note_of(frame: pl.DataFrame) -> str | None:
    """The 口径 note of a master table's 合计 rows (None when its shops share one 口径)."""
    if "basis_note" not in frame.columns:
        return None
    notes = [note for note in frame.get_column("basis_note").unique().to_list() if note]
    return str(notes[0]) if notes else None


def trend_series(
    data: ScopedData, metric_key: str, shops: list[str], start: dt.date, end: dt.date
) -> dict[str, Any]:
    """One line per shop, the findings of that metric as markers, and the promo/holiday days."""
    cat = catalog()
    metric = cat.metrics[metric_key]
    frame = data.master_table(start, end, shops=shops)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    lines = []
    for shop in shops:
        rows = {r["date"]: r.get(metric_key) for r in frame.filter(pl.col("shop") == shop).to_dicts()}
        values = [None if (v := rows.get(d)) is None else float(v) for d in days]
        lines.append({"shop": shop, "values": values})
    markers = [
        {"date": str(f.date), "shop": f.shop, "value": f.value, "text": f.explanation, "severity": f.severity}
        for f in data.findings(start, end, shops)
        # the shop's own figure: not a channel's, an item's (单品支付金额 is "gmv" too) or a group's
        if f.metric == metric_key and not f.channel and not f.item and not f.children and f.value is not None
    ]
    calendar = data.alert_settings().calendar
    promos = []
    for d in days:
        context = calendar.day(d)
        if context.special:
            promos.append({"date": str(d), "label": context.label, "kind": context.kind})
    return {
        "metric": metric_key,
        "label": metric.label,
        "unit": metric.unit,
        "percent": metric.unit == "ratio" and not metric.is_multiple,
        "dates": [str(d) for d in days],
        "lines": lines,
        "markers": markers,
        "promos": promos,
    }


def metric_rows() -> list[dict[str, str]]:
    cat = catalog()
    return [
        {
            "key": m.key,
            "label": m.label,
            "section": m.section,
            "definition": m.definition,
            "formula": m.formula,
            "unit": m.unit,
            "unit_label": UNIT_LABELS.get(m.unit, m.unit),
            "direction": m.direction,
        }
        for m in cat.metrics.values()
    ]


def warm(data: ScopedData) -> None:
    """Compute what the first page views need (总览, 总表, 趋势, 异常 defaults) before anyone asks."""
    day = data.data_dates()[1]
    if day is None or not data.allowed:
        return
    shops = list(data.allowed)
    kpi_cards(data, day, shops)
    data.findings(day, day, shops)
    data.findings(day - dt.timedelta(days=6), day, shops)
    data.master_table(day - dt.timedelta(days=13), day, shops=shops, total=len(shops) > 1)
    trend_series(data, TREND_DEFAULT, shops, day - dt.timedelta(days=59), day)
