"""The 客服 findings, in the common :class:`Finding` shape, joining `shopops findings` and the 日报:

- **客服响应变慢 / 客服询单转化下降** — an agent's 平均响应 rises, or 询单转化率 falls, against the
  agent's own baseline (:mod:`service_rules`: the recent 7 days against the 28 before; enough days
  in both). 询单转化率 uses settled days only and is only judged on a settled day, so a day whose
  询单->最终付款 is still 延迟统计 never raises one. 涉及金额 = the sales lost: (baseline 询单转化率 −
  recent) × recent 询单人数 × the agent's baseline 客单价 (for a slower agent: the same estimate over
  the recent settled days, 0 when conversion held).
- **客服未回复** — a shop-day whose agents left ``unreplied_min`` or more buyers without a reply;
  涉及金额 = 未回复人数 × the team's baseline 询单转化率 × 客单价.
- **团队询单转化下降（流量平稳）** — the team's 询单转化率 falls while the shop's 日均访客 stays within
  ±10 % of its baseline: a service problem, not a traffic one; 涉及金额 as for an agent.

An agent's finding names the person in ``item`` (several on one shop-day are one grouped finding); a
run of flagged days is one finding dated on its latest day with ``since`` its first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import duckdb
import polars as pl

from shopops.analysis.anomalies.finding import Finding, grouped
from shopops.analysis.calendar import PromoCalendar, load_calendar
from shopops.domains.service.daily import day_rows, registered_shops
from shopops.domains.service.service_rules import (
    LABELS,
    RUN_DAYS,
    ServiceRules,
    drop_z,
    family_z,
    latest_runs,
    service_finding,
    windows,
)
from shopops.metrics.master import master_table

MAX_NAMED = 5  # agents named in one 未回复 finding (the rest counted)

__all__ = [
    "LABELS",
    "ServiceRules",
    "agent_findings",
    "service_findings",
    "team_findings",
    "unreplied_findings",
]


def service_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    rules: ServiceRules | None = None,
    *,
    calendar: PromoCalendar | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """The 客服 findings dated from ``start`` to ``end`` (``shops`` None or empty: all shops);
    ``settings`` the parsed shopops.yaml (its ``service:`` thresholds) when ``rules`` is not given."""
    rules = rules or ServiceRules.from_settings(settings)
    first = start - dt.timedelta(days=rules.recent_days + rules.baseline_days + RUN_DAYS)
    rows = day_rows(con, first, end, list(shops) if shops else None)
    if rows.is_empty():
        return []
    found = agent_findings(rows, start, end, rules) + unreplied_findings(rows, start, end, rules)
    found += team_findings(rows, _visitors(con, first, end, rows), start, end, rules)
    calendar = calendar or load_calendar()
    labelled = []
    for finding in found:
        context = calendar.day(finding.date)
        labelled.append(_with_context(finding, context.label if context.special else ""))
    return _grouped(labelled)


def agent_findings(rows: pl.DataFrame, start: dt.date, end: dt.date, rules: ServiceRules) -> list[Finding]:
    """客服响应变慢 and 客服询单转化下降 of each person (see the module)."""
    keys = ("shop", "person")
    checks = rows.filter(pl.col("date").is_between(start - dt.timedelta(days=RUN_DAYS), end)).select(
        *keys, pl.col("date").alias("check"), pl.col("settled").alias("check_settled")
    )
    if checks.is_empty():
        return []
    sides = windows(rows, checks.select(*keys, "check"), keys, rules).join(checks, on=[*keys, "check"])
    lost = (
        (pl.col("base_conversion") - pl.col("now_conversion")) * pl.col("now_inquiries") * pl.col("base_aov")
    )
    sides = sides.with_columns(lost=lost)
    slow = sides.with_columns(
        flag=(pl.col("now_response_days") >= rules.min_recent_days)
        & (pl.col("base_response_days") >= rules.min_baseline_days)
        & (pl.col("now_response") >= pl.col("base_response") * (1 + rules.response_rise))
        & (pl.col("now_response") - pl.col("base_response") >= rules.response_min_seconds)
    )
    found = []
    for row in latest_runs(slow.with_columns(pl.col("flag").fill_null(False)), keys, start).iter_rows(
        named=True
    ):
        before, now = row["base_response"], row["now_response"]
        conversion = _conversion_text(row)
        found.append(
            service_finding(
                "service_response",
                row["check"],
                row["shop"],
                now,
                low=before,
                high=before * (1 + rules.response_rise),
                impact=row["lost"],
                severity="critical" if now >= before * (1 + 2 * rules.response_rise) else "warning",
                direction="up",
                item=row["person"],
                since=row["since"],
                explanation=f"客服 {row['person']} 近{rules.recent_days}天平均响应 {now:.1f} 秒，是其前"
                f"{rules.baseline_days}天（{before:.1f} 秒）的 {now / before:.1f} 倍{conversion}",
            )
        )
    # 询单转化率: judged only on settled check days, from settled days in both windows.
    settled = sides.filter(pl.col("check_settled"))
    # Many agents tested at once: the z a drop needs grows with the team (a one-sided 5 % chance of a
    # false alarm for the whole shop, not per agent), so 800 agents do not give 20 noise findings.
    agents = settled.group_by("shop").agg(pl.col("person").n_unique().alias("_agents"))
    settled = settled.join(agents, on="shop").with_columns(
        z=_conversion_z(),
        z_needed=pl.col("_agents").map_elements(lambda n: max(rules.z, family_z(n)), return_dtype=pl.Float64),
    )
    settled = settled.with_columns(
        flag=(pl.col("now_settled_days") >= rules.min_recent_days)
        & (pl.col("base_settled_days") >= rules.min_baseline_days)
        & (pl.col("now_inquiries") >= rules.min_inquiries)
        & (pl.col("base_inquiries") >= rules.min_inquiries)
        & (pl.col("now_conversion") <= pl.col("base_conversion") * (1 - rules.conversion_drop))
        & (pl.col("z") >= pl.col("z_needed"))
    )
    for row in latest_runs(settled.with_columns(pl.col("flag").fill_null(False)), keys, start).iter_rows(
        named=True
    ):
        before, now = row["base_conversion"], row["now_conversion"]
        found.append(
            service_finding(
                "service_conversion",
                row["check"],
                row["shop"],
                now,
                low=before * (1 - rules.conversion_drop),
                high=before,
                impact=row["lost"],
                severity="critical" if now <= before * (1 - 2 * rules.conversion_drop) else "warning",
                item=row["person"],
                since=row["since"],
                score=-row["z"],
                explanation=f"客服 {row['person']} 近{rules.recent_days}天（已结算 {row['now_settled_days']} 天，"
                f"询单 {row['now_inquiries']:,} 人）询单转化率 {now:.1%}，前{rules.baseline_days}天 {before:.1%}"
                f"（{(now - before) * 100:+.1f}pp）{_money_text(row)}",
            )
        )
    return found


def unreplied_findings(
    rows: pl.DataFrame, start: dt.date, end: dt.date, rules: ServiceRules
) -> list[Finding]:
    """客服未回复: shop-days whose agents left ``unreplied_min`` or more buyers without a reply."""
    days = rows.filter(pl.col("date").is_between(start, end))
    agents = (
        days.filter(pl.col("unreplied") > 0)
        .sort("unreplied", "person", descending=[True, False])
        .group_by("shop", "date", maintain_order=True)
        .agg(pl.struct("person", "unreplied").alias("agents"))
    )
    # The shop's own usual share of unanswered buyers (the days before): a team of 300 leaves a few
    # buyers unanswered every day, which is not news; twice its usual share is.
    window = f"{rules.baseline_days}d"
    daily = (
        rows.group_by("shop", "date")
        .agg(pl.col("unreplied").sum(), pl.col("receptions").sum())
        .sort("shop", "date")
        .with_columns(
            base_unreplied=pl.col("unreplied").rolling_sum_by("date", window, closed="left").over("shop"),
            base_receptions=pl.col("receptions").rolling_sum_by("date", window, closed="left").over("shop"),
        )
    )
    usual = pl.col("base_unreplied") / pl.col("base_receptions")
    totals = daily.filter(pl.col("date").is_between(start, end)).join(agents, on=["shop", "date"])
    totals = totals.filter(
        (pl.col("unreplied") >= rules.unreplied_min)
        & (
            usual.is_null()
            | (pl.col("base_receptions") == 0)
            | (pl.col("unreplied") / pl.col("receptions") >= rules.unreplied_ratio * usual)
        )
    )
    if totals.is_empty():
        return []
    checks = totals.select("shop", pl.col("date").alias("check"))
    team = windows(rows, checks, ("shop",), rules)
    found = []
    for row in totals.join(team, left_on=["shop", "date"], right_on=["shop", "check"]).iter_rows(named=True):
        conversion, aov = row["base_conversion"], row["base_aov"]
        impact = row["unreplied"] * conversion * aov if conversion is not None and aov is not None else None
        who = "、".join(f"{a['person']} {a['unreplied']}" for a in row["agents"][:MAX_NAMED])
        if len(row["agents"]) > MAX_NAMED:
            who += f" 等 {len(row['agents'])} 人"
        basis = f"；按团队询单转化率 {conversion:.1%} × 客单价 ¥{aov:,.0f} 估计" if impact is not None else ""
        found.append(
            service_finding(
                "service_unreplied",
                row["date"],
                row["shop"],
                float(row["unreplied"]),
                low=0.0,
                high=float(rules.unreplied_min - 1),
                impact=impact,
                severity="warning" if row["unreplied"] >= 2 * rules.unreplied_min else "info",
                direction="up",
                explanation=f"{row['shop']} {row['date']:%m-%d} 有 {row['unreplied']} 位买家没有得到客服回复"
                f"（{who}；接待 {row['receptions']:,} 人）{basis}",
            )
        )
    return found


def team_findings(
    rows: pl.DataFrame, visitors: pl.DataFrame, start: dt.date, end: dt.date, rules: ServiceRules
) -> list[Finding]:
    """团队询单转化下降（流量平稳）: ``visitors`` has shop, date, visitors (the shop's 访客数)."""
    settled_days = rows.filter(pl.col("settled")).select("shop", "date").unique()
    checks = settled_days.filter(pl.col("date").is_between(start - dt.timedelta(days=RUN_DAYS), end))
    checks = checks.rename({"date": "check"})
    if checks.is_empty():
        return []
    sides = windows(rows, checks, ("shop",), rules)
    traffic = _traffic(visitors, checks, rules)
    sides = sides.join(traffic, on=["shop", "check"], how="left")
    sides = sides.with_columns(z=_conversion_z()).with_columns(
        flag=(pl.col("now_settled_days") >= rules.min_recent_days)
        & (pl.col("base_settled_days") >= rules.min_baseline_days)
        & (pl.col("now_inquiries") >= rules.min_inquiries)
        & (pl.col("now_conversion") <= pl.col("base_conversion") * (1 - rules.team_drop))
        & (pl.col("z") >= rules.z)
        & pl.col("steady")
    )
    found = []
    for row in latest_runs(sides.with_columns(pl.col("flag").fill_null(False)), ("shop",), start).iter_rows(
        named=True
    ):
        before, now = row["base_conversion"], row["now_conversion"]
        found.append(
            service_finding(
                "service_team_conversion",
                row["check"],
                row["shop"],
                now,
                low=before * (1 - rules.team_drop),
                high=before,
                impact=(before - now) * row["now_inquiries"] * row["base_aov"] if row["base_aov"] else None,
                since=row["since"],
                score=-row["z"],
                explanation=f"{row['shop']} 客服团队近{rules.recent_days}天询单转化率 {now:.1%}，前"
                f"{rules.baseline_days}天 {before:.1%}（{(now - before) * 100:+.1f}pp，询单 {row['now_inquiries']:,} 人）；"
                f"同期日均访客 {row['now_visitors']:,.0f}，前{rules.baseline_days}天 {row['base_visitors']:,.0f}"
                f"（{row['now_visitors'] / row['base_visitors'] - 1:+.0%}，流量平稳）：是客服的问题，不是流量的问题"
                + _money_text(row),
            )
        )
    return found


def _traffic(visitors: pl.DataFrame, checks: pl.DataFrame, rules: ServiceRules) -> pl.DataFrame:
    """Per shop and check day: 日均访客 of the recent window and of the baseline, and ``steady``."""
    known = visitors.filter(pl.col("visitors").is_not_null())
    joined = known.join(checks, on="shop").with_columns(
        offset=(pl.col("check") - pl.col("date")).dt.total_days()
    )
    recent = pl.col("offset").is_between(0, rules.recent_days - 1)
    base = pl.col("offset").is_between(rules.recent_days, rules.recent_days + rules.baseline_days - 1)
    out = joined.group_by("shop", "check").agg(
        pl.col("visitors").filter(recent).mean().alias("now_visitors"),
        recent.sum().alias("_now_days"),
        pl.col("visitors").filter(base).mean().alias("base_visitors"),
        base.sum().alias("_base_days"),
    )
    steady = (
        (pl.col("_now_days") >= rules.min_recent_days)
        & (pl.col("_base_days") >= rules.min_baseline_days)
        & (pl.col("base_visitors") > 0)
        & ((pl.col("now_visitors") / pl.col("base_visitors") - 1).abs() <= rules.traffic_band)
    )
    return out.with_columns(steady=steady.fill_null(False)).drop("_now_days", "_base_days")


def _visitors(
    con: duckdb.DuckDBPyConnection, first: dt.date, end: dt.date, rows: pl.DataFrame
) -> pl.DataFrame:
    """访客数 per shop and day from the master table, for the shops whose 询单 are known."""
    known = set(registered_shops(con))
    shops = sorted(s for s in rows.filter(pl.col("settled"))["shop"].unique().to_list() if s in known)
    if not shops:
        return pl.DataFrame(schema={"shop": pl.String, "date": pl.Date, "visitors": pl.Int64})
    return master_table(con, first, end, shops=shops, grain="day").select("shop", "date", "visitors")


def _conversion_text(row: Mapping[str, Any]) -> str:
    before, now = row["base_conversion"], row["now_conversion"]
    if before is None or now is None:
        return ""
    return f"；同期询单转化率 {now:.1%}（之前 {before:.1%}）" + _money_text(row)


def _money_text(row: Mapping[str, Any]) -> str:
    lost = row.get("lost")
    if lost is None and row.get("base_aov") and row.get("now_inquiries") is not None:
        lost = (row["base_conversion"] - row["now_conversion"]) * row["now_inquiries"] * row["base_aov"]
    if lost is None or lost <= 0:
        return ""
    return f"，按客单价 ¥{row['base_aov']:,.0f} 估计少卖 ¥{lost:,.0f}"


def _with_context(finding: Finding, context: str) -> Finding:
    return replace(finding, context=context) if context else finding


def _grouped(found: list[Finding]) -> list[Finding]:
    """Agents' findings of one rule on one shop-day are one finding with ``children``."""
    by_key: dict[tuple[dt.date, str, str], list[Finding]] = defaultdict(list)
    for finding in found:
        by_key[(finding.date, finding.shop, finding.rule)].append(finding)
    out = []
    for (_, _, rule), children in by_key.items():
        if len(children) == 1 or not all(c.item for c in children):
            out += children
            continue
        names = "、".join(c.item for c in sorted(children, key=lambda c: -(c.impact or 0.0)))
        out.append(
            grouped(
                children,
                metric_label=LABELS[rule],
                explanation=f"{len(children)} 位客服{LABELS[rule]}：{names}",
            )
        )
    return sorted(out, key=lambda f: (f.date, f.shop, f.rank, f.metric, f.item))


def _conversion_z() -> pl.Expr:
    """How many standard errors the recent 询单转化率 is below the baseline (unknown without both)."""
    return pl.struct("base_conversion", "now_conversion", "now_inquiries").map_elements(
        lambda r: (
            drop_z(r["base_conversion"], r["now_conversion"], r["now_inquiries"])
            if r["base_conversion"] is not None and r["now_conversion"] is not None
            else None
        ),
        return_dtype=pl.Float64,
    )
