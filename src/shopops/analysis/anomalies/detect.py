"""Findings: every unusual figure per shop and day, merged, folded and explained.

1. the master table from ``weeks`` + 8 weeks before ``start`` (the baselines need history);
2. per shop, each catalog metric against its same-weekday baseline (calendar-aware), and the rule
   presets; per ad channel, spend (catalog columns) and the 7-day ROI;
3. hits on the same shop, day and metric become one finding; figures that only moved because
   another flagged one did (利润 with 支付金额, 浏览量 with 访客数 …) are folded into it (``related``);
4. each finding gets its driver and a Chinese sentence; GMV findings the full change explanation
   against a typical recent same weekday (or the day before, for the 环比 rule alone).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import numpy as np
import polars as pl

from shopops.analysis.anomalies.baseline import SCALE_DAYS, SKIP_WEEKS, Array
from shopops.analysis.anomalies.cold_start import cold_start_hits
from shopops.analysis.anomalies.config import AlertSettings
from shopops.analysis.anomalies.drivers import describe, label
from shopops.analysis.anomalies.extensions import extra_findings
from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.anomalies.gaps import Gap, data_gaps
from shopops.analysis.anomalies.impact import money_at_stake
from shopops.analysis.anomalies.items import ItemRules, item_findings
from shopops.analysis.anomalies.rules import Hit, baseline_hits, channel_roi_hits, rule_hits
from shopops.analysis.anomalies.series import ShopSeries, moving_metrics
from shopops.analysis.anomalies.skipped import SkippedCheck, skipped_checks
from shopops.analysis.explain.change import explain_rows
from shopops.channels import ad_channels
from shopops.errors import UserError
from shopops.metrics.breakdowns import refund_reasons
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.engine import MetricEngine
from shopops.metrics.master import ShippingRates, master_table

_SPENDS = tuple(f"ad_spend_{c.key}" for c in ad_channels())
# A flagged figure is folded into the first of its parents flagged on the same shop-day.
SALES = ("gmv", "conversion_rate", "visitors")  # what paid orders, units, costs … move with
PARENTS: dict[str, tuple[str, ...]] = {
    "pageviews": ("visitors",),
    "buyers": SALES,
    "paid_orders": SALES,
    "units": SALES,
    "uv_value": SALES,
    "net_sales": (*SALES, "refund_amount"),
    "refund_amount_by_payment": ("gmv",),
    "refund_rate_by_payment": ("refund_amount_by_payment", *SALES),
    "cogs": SALES,
    "cost_coverage": (*SALES, "aov"),
    "shipping_cost": SALES,
    "platform_fee": (*SALES, "refund_amount"),
    "gross_profit": (*SALES, "refund_amount", "cogs"),
    "net_profit": (*SALES, "refund_amount", "affiliate_commission", "ad_spend", *_SPENDS, "gross_profit"),
    "ad_spend": _SPENDS,
    "ad_gmv": (*_SPENDS, "ad_spend"),
    "ad_roi": ("ad_gmv",),
    "ad_spend_ratio": (*SALES, "ad_spend", *_SPENDS),
    "refund_orders": ("refund_amount",),
    "refund_rate": ("refund_amount", *SALES),
    "refund_amount": ("gmv",),
}
DECIMALS = {"money": 2, "count": 2, "ratio": 6, "score": 4}


def history_start(start: dt.date, settings: AlertSettings) -> dt.date:
    return start - dt.timedelta(days=7 * (settings.weeks + SKIP_WEEKS) + SCALE_DAYS)


@dataclass(frozen=True)
class Detection:
    findings: list[Finding]
    skipped: list[SkippedCheck]


def detect_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    *,
    shops: Sequence[str] | None = None,
    settings: AlertSettings | None = None,
    shipping: ShippingRates | None = None,
    catalog: Catalog | None = None,
) -> list[Finding]:
    """The findings of ``shops`` (default: all) from ``start`` to ``end``, in date, shop, severity order."""
    return detect(
        con, start, end, shops=shops, settings=settings, shipping=shipping, catalog=catalog
    ).findings


def detect(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    *,
    shops: Sequence[str] | None = None,
    settings: AlertSettings | None = None,
    shipping: ShippingRates | None = None,
    catalog: Catalog | None = None,
    engine: MetricEngine | None = None,
) -> Detection:
    """The findings, and the checks that could not run (history too short, no such data …).

    ``engine``: where the master table is computed (default: DuckDB on ``con``, which the checks
    below the shop level always read)."""
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    settings = settings or AlertSettings()
    catalog = catalog or load_catalog()
    frame = master_table(
        con,
        history_start(start, settings),
        end,
        shops=shops,
        shipping=shipping,
        catalog=catalog,
        engine=engine,
    )
    by_shop: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in frame.to_dicts():
        by_shop[str(row["shop"])].append(row)
    moving = moving_metrics(catalog)
    findings: list[Finding] = []
    skipped: list[SkippedCheck] = []
    for shop, rows in by_shop.items():
        series = ShopSeries.build(shop, rows, settings, catalog)
        findings += _shop_findings(con, catalog, series, start, end, moving)
        skipped += skipped_checks(series, [i for i, d in enumerate(series.dates) if start <= d <= end])
    item_rule = settings.rule("item")
    if item_rule is not None:
        rules = ItemRules(
            settings.weeks, settings.min_weeks, item_rule["min_gmv"], item_rule["drop"], item_rule["surge"]
        )
        findings += item_findings(con, start, end, settings.calendar, shops=shops, rules=rules)
    findings += extra_findings(
        con, start, end, shops, calendar=settings.calendar, settings=settings.raw
    )  # competitor findings and other extensions
    order = {key: position for position, key in enumerate(catalog.metrics)}
    findings.sort(key=lambda f: (f.date, f.shop, f.rank, order.get(f.metric, 0), f.channel))
    return Detection(findings, skipped)


def _shop_findings(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    series: ShopSeries,
    start: dt.date,
    end: dt.date,
    moving: frozenset[str],
) -> list[Finding]:
    days = [i for i, d in enumerate(series.dates) if start <= d <= end]
    last = series.last_data_day()
    window = series.settings.provisional_days
    provisional = [last is not None and (last - d).days < window for d in series.dates]
    baseline = baseline_hits(series, catalog, days, provisional, moving)
    hits = baseline + rule_hits(series, days, baseline) + cold_start_hits(series, days, baseline)
    spend, ad_gmv = _channel_arrays(con, series)
    hits += channel_roi_hits(series, days, spend, ad_gmv)
    hits = [hit for hit in hits if not _scattered_refunds(con, series, hit)]
    findings = [_finding(catalog, series, hit, provisional[hit.index], moving) for hit in hits]
    gaps = data_gaps(con, series.shop, start, end)
    findings += [_gap_finding(catalog, series, gap) for gap in gaps]
    merged: dict[tuple[dt.date, str, str], Finding] = {}
    for finding in findings:
        key = (finding.date, finding.metric, finding.channel)
        merged[key] = merged[key].merged(finding) if key in merged else finding
    result = []
    for day in sorted({f.date for f in merged.values()}):
        result += _fold([f for f in merged.values() if f.date == day])
    texts = defaultdict(list)
    for gap in gaps:
        texts[gap.date].append(gap.text())
    return [_explain(con, catalog, series, finding, texts) for finding in result]


def _gap_finding(catalog: Catalog, series: ShopSeries, gap: Gap) -> Finding:
    """A day an export covers without a row: 无数据 (critical for orders: sales may be missing)."""
    index = series.index(gap.date)
    value = None if index is None else series.value("gmv", index)
    usual = None if index is None else series.usual("gmv", index)
    context = series.contexts[index] if index is not None else None
    return Finding(
        date=gap.date,
        shop=series.shop,
        metric="gmv",
        metric_label=catalog.label("gmv"),
        value=_rounded(catalog, "gmv", value),
        expected_low=None,
        expected_high=None,
        severity="critical" if gap.usual_rows is not None else "warning",
        provisional=False,
        rule="no_data",
        direction="down",
        context=context.label if context is not None and context.special else "",
        impact=usual,
    )


def _rounded(catalog: Catalog, key: str, value: float | None) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    unit = catalog.metrics[key].unit if key in catalog.metrics else "ratio"
    return round(float(value), DECIMALS[unit])


def _finding(
    catalog: Catalog, series: ShopSeries, hit: Hit, provisional: bool, moving: frozenset[str]
) -> Finding:
    context = series.contexts[hit.index]
    return Finding(
        date=series.dates[hit.index],
        shop=series.shop,
        metric=hit.metric,
        metric_label=label(catalog, hit.metric, hit.channel) if hit.channel else catalog.label(hit.metric),
        value=_rounded(catalog, hit.metric, hit.value),
        expected_low=_rounded(catalog, hit.metric, hit.low),
        expected_high=_rounded(catalog, hit.metric, hit.high),
        severity=hit.severity,
        provisional=provisional and (hit.metric in moving or hit.rule == "channel_roi"),
        rule=hit.rule,
        direction=hit.direction,
        score=hit.score,
        channel=hit.channel,
        context=context.label if context.special else "",
        impact=money_at_stake(catalog, series, hit),
        basis=hit.basis,
    )


def _fold(findings: Sequence[Finding]) -> list[Finding]:
    """Fold figures that moved with a flagged parent into it; the parent takes the worst severity.

    An alarm stays on its own next to a good move (a 提示): a 退款率 alarm is not news about a good
    sales day, and folding it there would hide it.
    """
    flagged = {f.metric: f for f in findings if not f.channel}

    def root(key: str, seen: frozenset[str]) -> str:
        for parent in PARENTS.get(key, ()):
            if parent in flagged and parent not in seen and not _hides(flagged[parent], flagged[key]):
                return root(parent, seen | {key})
        return key

    children: dict[str, list[Finding]] = defaultdict(list)
    for finding in flagged.values():
        top = root(finding.metric, frozenset())
        if top != finding.metric:
            children[top].append(finding)
    folded = {f.metric for group in children.values() for f in group}
    result = []
    for finding in findings:
        if not finding.channel and finding.metric in folded:
            continue
        group = children.get(finding.metric, []) if not finding.channel else []
        if not group:
            result.append(finding)
            continue
        worst = min([finding, *group], key=lambda f: f.rank)
        result.append(
            replace(
                finding,
                severity=worst.severity,
                provisional=finding.provisional or any(f.provisional for f in group),
                related=tuple(f.metric for f in group),
            )
        )
    return result


def _scattered_refunds(con: duckdb.DuckDBPyConnection, series: ShopSeries, hit: Hit) -> bool:
    """A small refund jump spread over many reasons is a small shop's noise (7 refunds for 7
    reasons); one reason behind most of them is an event (a bad batch, a wrong shipment)."""
    rule = series.settings.rule("refund_jump")
    if hit.rule != "refund_jump" or rule is None or hit.value is None or hit.value >= 2 * rule["min_orders"]:
        return False
    day = series.dates[hit.index]
    reasons = refund_reasons(con, day, day, [series.shop], limit=1).filter(pl.col("shop") == series.shop)
    if reasons.is_empty():
        return False  # reasons unknown: the count alone decides
    return float(reasons["refunds"][0]) / hit.value < rule["min_reason_share"]


def _hides(parent: Finding, child: Finding) -> bool:
    return parent.severity == "info" and child.rank < parent.rank


def _explain(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    series: ShopSeries,
    finding: Finding,
    gaps: Mapping[dt.date, Sequence[str]],
) -> Finding:
    index = series.index(finding.date)
    assert index is not None
    if "no_data" in finding.rule:
        return replace(finding, driver="no_data", explanation="；".join(gaps[finding.date]))
    if finding.metric == "gmv" and "zero_sales" not in finding.rule:
        reference = _reference(series, finding, index)
        if reference is not None and reference >= 0 and series.rows[reference].get("gmv") is not None:
            explanation = explain_rows(
                con, finding.date, series.dates[reference], [series.rows[reference]], [series.rows[index]]
            )
            return replace(finding, driver=explanation.driver or "gmv", explanation=explanation.text)
    driver, sentence = describe(con, catalog, series, finding, index)
    return replace(finding, driver=driver, explanation=sentence)


def _reference(series: ShopSeries, finding: Finding, index: int) -> int | None:
    """The day a GMV finding is explained against: the day before for the 环比 rule alone and a
    recovery; a typical
    recent same weekday where the baseline knows one; else (too little history) the recent day
    closest to the level the rule measured from."""
    rules = set(finding.rule.split("+"))
    if rules <= {"gmv_change", "gmv_recovery"}:  # against the day before (the last low one)
        return index - 1
    if series.typical("gmv", index) is not None or finding.expected_low is None:
        return series.reference_day("gmv", index)
    level = (finding.expected_low + (finding.expected_high or finding.expected_low)) / 2
    gmv = series.array("gmv")
    recent = [j for j in range(max(0, index - 14), index) if np.isfinite(gmv[j])]
    return min(reversed(recent), key=lambda j: abs(gmv[j] - level), default=None)


def _channel_arrays(
    con: duckdb.DuckDBPyConnection, series: ShopSeries
) -> tuple[dict[str, Array], dict[str, Array]]:
    """Daily spend and ad GMV per channel from the plan-level ad reports, aligned with the series."""
    if not series.dates:
        return {}, {}
    rows = con.execute(
        "SELECT date, channel, sum(spend), sum(ad_gmv) FROM ad_plan_day"
        " WHERE shop = ? AND date BETWEEN ? AND ? GROUP BY ALL",
        [series.shop, series.dates[0], series.dates[-1]],
    ).fetchall()
    spend: dict[str, Array] = {}
    gmv: dict[str, Array] = {}
    for day, channel, amount, ad_gmv in rows:
        index = series.index(day)
        if index is None:
            continue
        for target, value in ((spend, amount), (gmv, ad_gmv)):
            target.setdefault(channel, np.full(len(series.dates), np.nan))[index] = (
                np.nan if value is None else float(value)
            )
    return spend, gmv


def findings_records(findings: Sequence[Finding]) -> list[Mapping[str, Any]]:
    return [f.to_record() for f in findings]
