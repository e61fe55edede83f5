"""A finding's figures (value and expected range) written one way wherever they are shown — the
dashboard's 异常 tables and `shopops findings`: money "¥1,234.56", a share "25.75%", a multiple "2.43",
counts whole ("1,235"), seconds "36.0 秒", days of cover "6.7 天", unknown "—". ``compact`` (the CLI at
80 columns) writes money from ¥100 up in whole 元 ("¥12,346"), as the findings' sentences do.

A finding names a catalog metric (its unit says how to write it) or a figure of a domain's own rules
outside the catalog; those take their unit from :data:`FIGURE_UNITS` (else from the key's ending:
``…_rate``/``…_share`` a share, ``…_seconds`` seconds, ``…_days`` days), else a plain number with at
most two decimals — never a float's full repr (``84.14999999999999``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shopops.metrics.catalog import Metric

DASH = "—"
MINUS = "−"

# Figures of the domains' findings that are not catalog metrics: key → unit.
FIGURE_UNITS = {
    "returns_rate": "percent",  # 退货率突增: the item's return rate
    "returns_class_rate": "percent",  # 品质/尺码/主观退货偏高: the class's return rate
    "returns_reason": "percent",  # 新主因: the reason's share of the returns
    "service_unreplied": "count",  # 客服未回复: buyers left without a reply
    "avg_response_seconds": "seconds",  # 客服响应变慢
    "stock_out_risk": "days",  # 断货风险: days of cover
    "stock_overstock": "days",  # 积压: days of cover
    "stock_oversold": "count",  # 超卖: units sold beyond stock
    "returns_warehouse": "percent",  # 仓配退货突增: the shop's 仓配 return rate
}
SECONDS = {"zh": " 秒", "en": " s"}
DAYS = {"zh": " 天", "en": " days"}
SUFFIX_UNITS = (("_rate", "percent"), ("_share", "percent"), ("_seconds", "seconds"), ("_days", "days"))


def money(value: float | Decimal, compact: bool = False) -> str:
    """¥ with thousands separators and 2 decimals, half up: "¥84.15", "−¥1,234.50" (``compact``:
    whole 元 from ¥100 up, "¥1,235")."""
    places = Decimal("1") if compact and abs(Decimal(str(value))) >= 100 else Decimal("0.01")
    amount = Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)
    return f"{MINUS}¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def count(value: float | Decimal) -> str:
    return f"{float(value):,.0f}"


def percent(value: float | Decimal) -> str:
    return f"{float(value):.2%}"


def plain(value: float | Decimal) -> str:
    """At most two decimals, trailing zeros dropped: "84.15", "1,365", "0.5"."""
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def metric_value(metric: Metric, value: float | Decimal | None, compact: bool = False) -> str:
    """A catalog metric's value as the operator reads it."""
    if value is None:
        return DASH
    if metric.unit == "money":
        return money(value, compact)
    if metric.unit == "count":
        return count(value)
    if metric.unit == "ratio":
        return f"{float(value):.2f}" if metric.is_multiple else percent(value)
    return f"{float(value):.3f}"  # scores (DSR 4.812), seconds (平均停留)


def unit_of(key: str) -> str:
    """How a figure outside the catalog is written: percent, count, seconds, days or plain."""
    if key in FIGURE_UNITS:
        return FIGURE_UNITS[key]
    return next((unit for suffix, unit in SUFFIX_UNITS if key.endswith(suffix)), "plain")


def figure(
    metric: Metric | None, key: str, value: float | Decimal | None, lang: str = "zh", compact: bool = False
) -> str:
    """A finding's value or bound: by the catalog metric when there is one, else by ``key``."""
    if value is None:
        return DASH
    if metric is not None:
        return metric_value(metric, value, compact)
    unit = unit_of(key)
    if unit == "percent":
        return percent(value)
    if unit == "count":
        return count(value)
    if unit == "seconds":
        return f"{float(value):,.1f}{SECONDS[lang]}"
    if unit == "days":
        return f"{float(value):,.1f}{DAYS[lang]}"
    return plain(value)


def expected_range(
    metric: Metric | None,
    key: str,
    low: float | None,
    high: float | None,
    lang: str = "zh",
    compact: bool = False,
) -> str:
    """ "¥41.08 ~ ¥280.24"; "≤ 1.00%" / "≥ 3" when one side is open; "—" when neither is known."""
    if low is None and high is None:
        return DASH
    if low is None:
        return f"≤ {figure(metric, key, high, lang, compact)}"
    if high is None:
        return f"≥ {figure(metric, key, low, lang, compact)}"
    return f"{figure(metric, key, low, lang, compact)} ~ {figure(metric, key, high, lang, compact)}"
