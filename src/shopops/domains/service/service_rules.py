"""The thresholds of the 客服 findings (``service:`` in shopops.yaml), their labels, and how two windows
of day rows — the recent days and the baseline before them — are put side by side.

A check day D compares the recent window [D − recent_days + 1, D] with the baseline
[D − recent_days − baseline_days + 1, D − recent_days] (by default the 7 days up to D against the
28 days before them). 询单转化率 of a window counts only settled days (both counts of the same days);
平均响应 is weighted by receptions; 客单价 is 销售额 ÷ 销售人数 of the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist

import polars as pl

from shopops.analysis.anomalies.finding import Finding
from shopops.errors import WorkspaceError

LABELS = {
    "service_response": "客服响应变慢",
    "service_conversion": "客服询单转化下降",
    "service_unreplied": "客服未回复",
    "service_team_conversion": "团队询单转化下降（流量平稳）",
}
METRICS = {  # the finding's metric: the catalog key where there is one (shown as the catalog writes it)
    "service_response": "avg_response_seconds",
    "service_conversion": "inquiry_conversion",
    "service_unreplied": "service_unreplied",
    "service_team_conversion": "inquiry_conversion",
}
RUN_DAYS = 14  # how far back before --from a run of flagged days is followed (its ``since``)


@dataclass(frozen=True)
class ServiceRules:
    recent_days: int = 7  # the recent window, ending on the check day
    baseline_days: int = 28  # the baseline: the days before the recent window
    min_recent_days: int = 3  # days with data needed in the recent window (settled, for conversion)
    min_baseline_days: int = 10  # … and in the baseline
    response_rise: float = 0.3  # 平均响应 ≥ baseline × 1.3 …
    response_min_seconds: float = 5.0  # … and at least 5 s slower
    conversion_drop: float = 0.15  # an agent's 询单转化率 ≤ baseline × 0.85 …
    min_inquiries: int = 30  # … over at least 30 settled 询单 in each window …
    z: float = 2.0  # … and at least 2 standard errors below the baseline
    unreplied_min: int = 3  # a shop-day with this many 未回复人数 (all agents) …
    unreplied_ratio: float = 2.0  # … and at least twice the shop's usual share of them is a finding
    team_drop: float = 0.10  # the team's 询单转化率 ≤ baseline × 0.9 (and z) …
    traffic_band: float = 0.10  # … while 日均访客 stays within ±10 % of the baseline's

    @classmethod
    def from_settings(cls, raw: object) -> ServiceRules:
        section = raw.get("service", {}) if isinstance(raw, dict) else {}
        section = section if isinstance(section, dict) else {}
        kinds = {f.name: f.type for f in fields(cls)}
        unknown = sorted(str(k) for k in section if k not in kinds)
        if unknown:  # a misspelt threshold would otherwise be ignored without a word
            raise WorkspaceError(
                f"shopops.yaml: service.{unknown[0]} is not a 客服 setting (use {', '.join(kinds)})"
            )
        known: dict[str, int | float] = {}
        for key, value in section.items():
            try:
                known[key] = int(value) if kinds[key] == "int" else float(value)
            except (TypeError, ValueError):
                raise WorkspaceError(
                    f"shopops.yaml: service.{key} is {value!r}, not a number — write e.g. {key}: {getattr(cls, key)}"
                ) from None
        return cls(**known)  # type: ignore[arg-type]


def windows(
    rows: pl.DataFrame, checks: pl.DataFrame, keys: Sequence[str], rules: ServiceRules
) -> pl.DataFrame:
    """Per ``keys`` and check day (``checks``: ``keys`` + ``check``), the recent (``now_*``) and
    baseline (``base_*``) figures of ``rows`` (day rows with ``date``)."""
    # Each day row is spread over the check days whose windows hold it (recent + baseline days
    # after it), then joined: linear in rows. A plain join on the keys paired every day with every
    # check day of its agent — days², 53 GB for a year of 1,000 agents (docs/benchmarks.md).
    span = rules.recent_days + rules.baseline_days
    needed = [*keys, "date", "settled", "avg_response_seconds", "receptions", "inquiries", "inquiry_paid"]
    needed += ["sales", "sales_buyers"]
    spread = (
        rows.select(list(dict.fromkeys(needed)))
        .with_columns(offset=pl.int_ranges(0, span, dtype=pl.Int64))
        .explode("offset")
        .with_columns(check=pl.col("date") + pl.duration(days=pl.col("offset")))
    )
    joined = spread.join(checks.select(*keys, "check").unique(), on=[*keys, "check"])
    recent = pl.col("offset").is_between(0, rules.recent_days - 1)
    base = pl.col("offset").is_between(rules.recent_days, rules.recent_days + rules.baseline_days - 1)
    joined = joined.with_columns(part=pl.when(recent).then(pl.lit("now")).when(base).then(pl.lit("base")))
    joined = joined.filter(pl.col("part").is_not_null())
    answered = pl.col("avg_response_seconds").is_not_null() & pl.col("receptions").is_not_null()
    sold = pl.col("sales").is_not_null() & pl.col("sales_buyers").is_not_null()
    parts = joined.group_by(*keys, "check", "part").agg(
        pl.col("date").n_unique().alias("days"),
        pl.col("date").filter(answered).n_unique().alias("response_days"),
        (pl.col("avg_response_seconds") * pl.col("receptions")).filter(answered).sum().alias("_seconds"),
        pl.col("receptions").filter(answered).sum().alias("_answered"),
        pl.col("date").filter("settled").n_unique().alias("settled_days"),
        pl.col("inquiries").filter("settled").sum().alias("inquiries"),
        pl.col("inquiry_paid").filter("settled").sum().alias("paid"),
        pl.col("sales").filter(sold).cast(pl.Float64).sum().alias("_sales"),
        pl.col("sales_buyers").filter(sold).sum().alias("_buyers"),
    )
    parts = parts.with_columns(
        response=pl.when(pl.col("_answered") > 0).then(pl.col("_seconds") / pl.col("_answered")),
        conversion=pl.when(pl.col("inquiries") > 0).then(pl.col("paid") / pl.col("inquiries")),
        aov=pl.when(pl.col("_buyers") > 0).then(pl.col("_sales") / pl.col("_buyers")),
    ).drop("_seconds", "_answered", "_sales", "_buyers")
    now = parts.filter(pl.col("part") == "now").drop("part")
    base_frame = parts.filter(pl.col("part") == "base").drop("part")
    values = [c for c in now.columns if c not in (*keys, "check")]
    return (
        checks.join(now.rename({c: f"now_{c}" for c in values}), on=[*keys, "check"], how="left")
        .join(base_frame.rename({c: f"base_{c}" for c in values}), on=[*keys, "check"], how="left")
        .sort(*keys, "check")
    )


def family_z(tests: int, chance: float = 0.05) -> float:
    """The z a drop needs when ``tests`` agents are judged at once: one-sided, ``chance`` of any false
    alarm for the whole team (Bonferroni). 1 agent: 1.64; 6: 2.39; 800: 3.84."""
    return NormalDist().inv_cdf(1 - chance / max(tests, 1))


def drop_z(base: float, now: float, n: float) -> float:
    """How many standard errors ``now`` (a share of ``n``) sits below ``base``."""
    spread = (base * (1 - base) / n) ** 0.5 if n > 0 else 0.0
    return (base - now) / spread if spread > 0 else 0.0


def latest_runs(flagged: pl.DataFrame, keys: Sequence[str], start: dt.date) -> pl.DataFrame:
    """Per ``keys``: the latest check day that is flagged (on or after ``start``) with ``since``, the
    first day of the run of flagged check days it ends (check days without a flag break a run)."""
    found = []
    for _, group in flagged.sort(*keys, "check").group_by(list(keys), maintain_order=True):
        days = group.to_dicts()
        last = max((i for i, d in enumerate(days) if d["flag"] and d["check"] >= start), default=None)
        if last is None:
            continue
        first = last
        while first > 0 and days[first - 1]["flag"]:
            first -= 1
        found.append({**days[last], "since": days[first]["check"]})
    return pl.DataFrame(found) if found else flagged.head(0).with_columns(since=pl.lit(None, pl.Date))


def service_finding(
    rule: str,
    day: dt.date,
    shop: str,
    value: float | None,
    *,
    explanation: str,
    low: float | None,
    high: float | None,
    impact: float | None,
    severity: str = "warning",
    direction: str = "down",
    item: str = "",
    since: dt.date | None = None,
    score: float | None = None,
    context: str = "",
) -> Finding:
    return Finding(
        date=day,
        shop=shop,
        metric=METRICS[rule],
        metric_label=LABELS[rule],
        value=value,
        expected_low=low,
        expected_high=high,
        severity=severity,
        provisional=False,  # conversion findings come from settled days only; the others do not move
        rule=rule,
        direction=direction,
        score=score,
        item=item,
        explanation=explanation,
        context=context,
        impact=None if impact is None else round(max(impact, 0.0), 2),
        since=since if since is not None and since < day else None,
    )
