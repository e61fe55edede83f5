"""Alert settings: the ``alerts:`` and ``promo_calendar:`` keys of shopops.yaml, with defaults.

::

    alerts:
      baseline: {weeks: 8, min_weeks: 4, z: 4.0, z_critical: 8.0}
      provisional_days: 7              # refunds / ad attribution still move for this many days
      budget: 10                       # findings a day shown by the summary, push, dashboard, 日报
      disabled_metrics: [pageviews]    # catalog keys the baseline does not watch (default:
                                       # shipping_cost, platform_fee — your own rates × 订单量/销售额,
                                       # they move only with sales, which are watched)
      rules:                           # every rule: enabled (true), respect_expected (see below)
        gmv_change: {threshold: 0.30, min_base: 3000}     # 支付金额环比 |Δ| > 30%, previous day ≥ ¥3000
        refund_rate: {threshold: 0.15, min_base: 3000}    # 退款率 > 15% on a day with 支付金额 ≥ ¥3000
        refund_jump: {ratio: 3.0, min_orders: 6, min_reason_share: 0.5}  # 退款单量 > 3× the last 28
                                                          # days' mean, ≥ 6; under 2 × min_orders, one
                                                          # reason must be ≥ half of them (else noise)
        conversion_drop: {threshold: 0.02, min_visitors: 500}   # 转化率 ≥ 2pp below the usual level
        roi: {threshold: 1.0, min_spend: 300, channel_min_spend: 1000}  # ROI < 1 (shop day; channel 7 days)
        affiliate_jump: {ratio: 3.0, min_increase: 100}   # 淘客佣金 ≥ 3× the last 7 days' median
        zero_sales: {}                                    # 支付金额 0 where sales are usual
        dsr_drop: {threshold: 0.02}                       # a DSR score falls ≥ 0.02 from the day before
        item: {min_gmv: 500, drop: 0.3, surge: 4.0}       # an item (usual day ≥ ¥500) at 0, < 30% or > 4×

``respect_expected: true`` (the default of gmv_change, refund_rate and conversion_drop) makes a rule fire only
where the value is also outside the expected range of the baseline, so an ordinary weekday swing is
not an alert. On promotion and holiday days every rule respects the (widened) expected range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shopops.analysis.calendar import PromoCalendar, load_calendar
from shopops.errors import WorkspaceError

RULE_DEFAULTS: dict[str, dict[str, float]] = {
    "gmv_change": {"threshold": 0.30, "min_base": 3000.0, "respect_expected": 1.0},
    "refund_rate": {"threshold": 0.15, "min_base": 3000.0, "respect_expected": 1.0},
    "refund_jump": {"ratio": 3.0, "min_orders": 6.0, "min_reason_share": 0.5, "respect_expected": 0.0},
    "conversion_drop": {"threshold": 0.02, "min_visitors": 500.0, "respect_expected": 1.0},
    "roi": {"threshold": 1.0, "min_spend": 300.0, "channel_min_spend": 1000.0, "respect_expected": 0.0},
    "affiliate_jump": {"ratio": 3.0, "min_increase": 100.0, "respect_expected": 0.0},
    "zero_sales": {"respect_expected": 0.0},
    "dsr_drop": {"threshold": 0.02, "respect_expected": 0.0},
    "item": {"min_gmv": 500.0, "drop": 0.3, "surge": 4.0, "respect_expected": 0.0},
}
# Figures computed from the user's own settings × volume: they move only with sales.
DERIVED_METRICS = frozenset({"shipping_cost", "platform_fee"})
BASELINE_DEFAULTS = {"weeks": 8.0, "min_weeks": 4.0, "z": 4.0, "z_critical": 8.0}


@dataclass(frozen=True)
class AlertSettings:
    weeks: int = 8
    min_weeks: int = 4
    z: float = 4.0
    z_critical: float = 8.0
    provisional_days: int = 7
    budget: int = 10
    disabled_metrics: frozenset[str] = DERIVED_METRICS
    rules: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {k: dict(v) for k, v in RULE_DEFAULTS.items()}
    )
    calendar: PromoCalendar = field(default_factory=load_calendar)
    raw: Mapping[str, Any] = field(default_factory=dict)  # all of shopops.yaml, for extensions' sections

    def rule(self, key: str) -> Mapping[str, float] | None:
        """The parameters of an enabled rule, None when it is switched off."""
        return self.rules.get(key)


def _number(value: Any, where: str, problems: list[str]) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        problems.append(f"{where} is {value!r}; write a number")
        return None


def alert_settings(config: Mapping[str, Any] | None) -> AlertSettings:
    """Read ``alerts:`` and ``promo_calendar:`` from the parsed shopops.yaml (a missing key = defaults)."""
    config = config or {}
    raw = config.get("alerts") or {}
    where = "shopops.yaml: alerts"
    if not isinstance(raw, dict):
        raise WorkspaceError(f"{where} must be a mapping (baseline:, rules:, provisional_days: …)")
    problems: list[str] = []
    known = {"baseline", "rules", "provisional_days", "disabled_metrics", "budget"}
    problems += [
        f"{where}.{key} is not a setting (use {', '.join(sorted(known))})" for key in raw if key not in known
    ]
    baseline = dict(BASELINE_DEFAULTS)
    for key, value in (raw.get("baseline") or {}).items():
        if key not in baseline:
            problems.append(f"{where}.baseline.{key} is not a setting (use {', '.join(baseline)})")
        elif (number := _number(value, f"{where}.baseline.{key}", problems)) is not None:
            baseline[key] = number
    if baseline["min_weeks"] < 2 or baseline["min_weeks"] > baseline["weeks"]:
        problems.append(f"{where}.baseline.min_weeks must be between 2 and weeks ({baseline['weeks']:.0f})")
    rules = {key: dict(values) for key, values in RULE_DEFAULTS.items()}
    for key, values in (raw.get("rules") or {}).items():
        if key not in rules:
            problems.append(f"{where}.rules.{key} is not a rule (rules: {', '.join(RULE_DEFAULTS)})")
            continue
        if values is False or (isinstance(values, dict) and values.get("enabled") is False):
            rules.pop(key)
            continue
        for name, value in (values or {}).items() if isinstance(values, dict) else ():
            if name == "enabled":
                continue
            if name not in rules[key]:
                problems.append(
                    f"{where}.rules.{key}.{name} is not a setting (use {', '.join(rules[key])}, enabled)"
                )
            elif (number := _number(value, f"{where}.rules.{key}.{name}", problems)) is not None:
                rules[key][name] = number
    days = _number(raw.get("provisional_days", 7), f"{where}.provisional_days", problems)
    budget = _number(raw.get("budget", 10), f"{where}.budget", problems)
    if budget is not None and budget < 1:
        problems.append(f"{where}.budget is {budget:g}; write how many findings a day to show (1 or more)")
    disabled = raw.get("disabled_metrics", sorted(DERIVED_METRICS)) or []
    if not isinstance(disabled, list):
        problems.append(f"{where}.disabled_metrics must be a list of metric keys such as [pageviews]")
        disabled = []
    if problems:
        raise WorkspaceError("; ".join(problems))
    return AlertSettings(
        weeks=int(baseline["weeks"]),
        min_weeks=int(baseline["min_weeks"]),
        z=baseline["z"],
        z_critical=baseline["z_critical"],
        provisional_days=int(days or 0),
        budget=int(budget or 10),
        disabled_metrics=frozenset(str(k) for k in disabled),
        rules=rules,
        calendar=load_calendar(
            config.get("promo_calendar"), holidays=config.get("holidays"), workdays=config.get("workdays")
        ),
        raw=config,
    )
