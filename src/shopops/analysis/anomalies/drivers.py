"""What moved a figure, in one short Chinese sentence, and the key of that driver.

GMV findings get the full change explanation (:mod:`shopops.analysis.explain`); the others name
their usual suspects: traffic → the ad channel whose spend moved with it, 淘客佣金 → the day and
size of the jump, refunds → the main refund reason, DSR → the fall from the day before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.anomalies.series import ShopSeries
from shopops.analysis.explain import text
from shopops.analysis.explain.drilldown import channel_short_label
from shopops.channels import ad_channels
from shopops.metrics.breakdowns import refund_reasons
from shopops.metrics.catalog import Catalog, Metric

MIN_CHANNEL_MOVE = 0.25


def show(metric: Metric, value: float | None) -> str:
    if value is None:
        return "—"
    if metric.unit == "money":
        return text.money(value)
    if metric.unit == "count":
        return text.count(value)
    if metric.unit == "ratio":
        return f"{value:.2f}" if metric.is_multiple else text.ratio_text(value)
    return f"{value:.3f}"


def moved(metric: Metric, value: float, usual: float) -> str:
    if metric.unit == "ratio" and not metric.is_multiple:
        return text.points(value - usual)
    if metric.unit == "score" or not usual:
        return text.signed(f"{abs(value - usual):.2f}", value < usual)
    return text.percent(value / usual - 1)


def label(catalog: Catalog, key: str, channel: str = "") -> str:
    if key.startswith("ad_spend_") and key.removeprefix("ad_spend_") in {c.key for c in ad_channels()}:
        return f"{channel_short_label(key.removeprefix('ad_spend_'))}花费"
    base = catalog.label(key)
    return f"{channel_short_label(channel)}近7天{base}" if channel else base


def _usual_phrase(catalog: Catalog, series: ShopSeries, key: str, index: int) -> str:
    metric = catalog.metrics[key]
    value, usual = series.value(key, index), series.typical(key, index)
    if value is None:
        return f"{label(catalog, key)}未知"
    if usual is None:
        return f"{label(catalog, key)} {show(metric, value)}"
    return f"{label(catalog, key)} {show(metric, value)}，平时约 {show(metric, usual)}（{moved(metric, value, usual)}）"


def moving_channel(series: ShopSeries, index: int, direction: str) -> tuple[str, float, float] | None:
    """The channel whose spend moved most (in money) in ``direction`` against its usual level."""
    best: tuple[float, str, float, float] | None = None
    for channel in ad_channels():
        key = f"ad_spend_{channel.key}"
        value, usual = series.value(key, index), series.typical(key, index)
        if value is None or not usual:
            continue
        change = value / usual - 1
        if abs(change) < MIN_CHANNEL_MOVE or (change < 0) != (direction == "down"):
            continue
        if best is None or abs(value - usual) > best[0]:
            best = (abs(value - usual), channel.key, value, usual)
    return None if best is None else (best[1], best[2], best[3])


def _channel_phrase(found: tuple[str, float, float]) -> str:
    channel, value, usual = found
    return (
        f"{channel_short_label(channel)}花费 {text.money(value)}，平时约 {text.money(usual)}"
        f"（{text.percent(value / usual - 1)}）"
    )


def describe(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, series: ShopSeries, finding: Finding, index: int
) -> tuple[str, str]:
    """(driver key, sentence) for a non-GMV finding."""
    key, day = finding.metric, finding.date
    metric = catalog.metrics.get(key)
    if finding.rule == "channel_roi" or metric is None:
        name = label(catalog, key, finding.channel)
        return (
            key,
            f"{name} {finding.value:.2f}，低于 {finding.expected_low:.2f}；检查该渠道的出价、人群和主推商品",
        )
    usual_text = _usual_phrase(catalog, series, key, index)
    if key in ("visitors", "pageviews", "ad_spend"):
        found = moving_channel(series, index, finding.direction)
        if found is not None:
            return f"ad_spend_{found[0]}", f"{usual_text}；{_channel_phrase(found)}"
        tail = "；各推广渠道花费正常，看自然搜索与活动流量" if key != "ad_spend" else ""
        return key, usual_text + tail
    if key.startswith("ad_spend_"):
        return key, f"{usual_text}；检查该渠道的预算、出价和计划是否暂停"
    if key == "conversion_rate":
        parts = [_usual_phrase(catalog, series, k, index) for k in ("visitors", "buyers")]
        return key, f"{usual_text}；{'，'.join(parts)}"
    if key == "affiliate_commission":
        value, usual = finding.value or 0.0, series.typical(key, index)
        size = f"，为平时（{text.money(usual)}）的 {text.times(value / usual)}" if usual else ""
        return key, (
            f"{day:%m-%d} 淘客佣金 {text.money(value)}{size}；检查淘客计划的佣金率、推广位和大额订单"
        )
    if key in ("refund_amount", "refund_orders", "refund_rate"):
        return "refund_amount", usual_text + _refund_reason(con, series.shop, day)
    if key.startswith("dsr_"):
        return key, _dsr_text(catalog, series, key, index)
    if key == "gmv" and "zero_sales" in finding.rule:
        usual = series.usual("gmv", index)
        return "gmv", (
            f"支付金额为 0（{'平时' if series.typical('gmv', index) else '近7天'}约 {text.money(usual or 0)}）：确认当天的订单/生意参谋导出已导入，"
            "或检查店铺、主推商品是否下架、断货"
        )
    if key == "ad_roi":
        spend, gmv = series.value("ad_report_spend", index), series.value("ad_gmv", index)
        detail = (
            f"（推广成交 {text.money(gmv)} / 花费 {text.money(spend)}）" if spend and gmv is not None else ""
        )
        return key, f"{usual_text}{detail}"
    return key, usual_text


def _refund_reason(con: duckdb.DuckDBPyConnection, shop: str, day: dt.date) -> str:
    reasons = refund_reasons(con, day, day, [shop], limit=1).filter(shop=shop).to_dicts()
    if not reasons:
        return ""
    top = reasons[0]
    return f"；{day:%m-%d} 成功退款中「{top['reason']}」{top['refunds']} 笔、{text.money(top['amount'])}"


def _dsr_text(catalog: Catalog, series: ShopSeries, key: str, index: int) -> str:
    value = series.value(key, index)
    previous = next(
        (v for j in range(index - 1, max(-1, index - 4), -1) if (v := series.value(key, j)) is not None), None
    )
    if value is None or previous is None:
        return _usual_phrase(catalog, series, key, index)
    return f"{catalog.label(key)} {previous:.3f} → {value:.3f}（{text.signed(f'{abs(value - previous):.3f}', value < previous)}）"


def related_labels(catalog: Catalog, keys: Sequence[str]) -> str:
    return "、".join(catalog.label(k) for k in keys)
