"""The true totals behind the demo exports, computed from the simulation (not from the files).

Tests import the exports through the normal path and compare the master table with this,
shop by shop and day by day, to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shopops.channels import ad_channels
from shopops.demo.profiles import SHIPPING_BY_PROVINCE
from shopops.demo.simulation import CENT, Refund, ShopHistory, ShopProfile

Value = Decimal | int | float | None


def _div(numerator: Value, denominator: Value) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def _cents(value: float | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _minus(*values: Decimal | None) -> Decimal | None:
    if any(v is None for v in values):
        return None
    first, *rest = values
    assert first is not None
    return first - sum((v for v in rest if v is not None), Decimal(0))


def shop_truth(
    history: ShopHistory, *, sycm_missing_last_day: bool, cost_change: dt.date
) -> dict[str, dict[str, Value]]:
    profile = history.profile
    last = history.days[-1].date
    paid = history.paid_by_day()
    refunds: dict[dt.date, list[Refund]] = defaultdict(list)
    completions = [r.completed_at.date() for r in history.refunds if r.completed_at is not None]
    for refund in history.refunds:
        if refund.status == "退款成功" and refund.completed_at is not None:
            refunds[refund.completed_at.date()].append(refund)
    spend: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    ad_gmv: dict[dt.date, Decimal] = defaultdict(Decimal)
    for ad in history.ads:
        spend[(ad.date, ad.channel)] += ad.spend
        ad_gmv[ad.date] += ad.gmv
    truth: dict[str, dict[str, Value]] = {}
    for day in history.days:
        date = day.date
        orders = paid.get(date, [])
        no_sycm = sycm_missing_last_day and date == last
        gmv = sum((o.total for o in orders), Decimal(0))
        buyers = len({o.buyer for o in orders})
        units = sum(line.quantity for o in orders for line in o.lines)
        row: dict[str, Value] = {
            "gmv": gmv,
            "visitors": None if no_sycm else day.visitors,
            "pageviews": None if no_sycm else day.pageviews,
            "buyers": buyers,
            "paid_orders": len(orders),
            "units": units,
        }
        for channel in ad_channels():
            row[f"ad_spend_{channel.key}"] = (
                spend[(date, channel.key)] if channel.key in profile.channels else None
            )
        row["ad_report_spend"] = sum((spend[(date, c)] for c in profile.channels), Decimal(0))
        row["ad_gmv"] = ad_gmv[date]
        row["affiliate_commission"] = day.affiliate
        row["refund_amount"] = sum((r.amount for r in refunds.get(date, [])), Decimal(0))
        # The order export's 退款金额: what each order paid that day had refunded by the export.
        row["refund_amount_by_payment"] = sum((o.refunded for o in orders), Decimal(0))
        covered = bool(completions) and min(completions) <= date <= max(completions)
        row["refund_orders"] = len(refunds.get(date, [])) if covered else None
        costs = [
            (
                line.quantity,
                (
                    line.sku.new_cost
                    if line.sku.new_cost is not None and date >= cost_change
                    else line.sku.cost
                ),
            )
            for o in orders
            for line in o.lines
        ]
        known = [q * c for q, c in costs if c is not None]
        row["cost_units"] = units
        row["cost_known_units"] = sum(q for q, c in costs if c is not None)
        row["cogs"] = sum(known, Decimal(0)) if len(known) == len(costs) else None
        row["shipping_cost"] = sum(
            (
                next(
                    (cost for name, cost in SHIPPING_BY_PROVINCE.items() if o.province.startswith(name)),
                    profile.shipping_per_order,
                )
                for o in orders
            ),
            Decimal(0),
        )
        row["fee_rate"] = profile.fee_rate
        dsr = None if no_sycm else day.dsr
        row["dsr_description"], row["dsr_service"], row["dsr_logistics"] = dsr if dsr else (None, None, None)
        row.update(dict.fromkeys(LIVE_MEASURES))  # no live room or short videos on Taobao
        truth[date.isoformat()] = derive(row)
    return truth


def shop_json(profile: ShopProfile, truth: dict[str, dict[str, Value]]) -> dict[str, Any]:
    """A shop's ``manifest["shops"]`` entry: its platform, fee rate, shipping and days (JSON values)."""
    return {
        "platform": profile.platform,
        "fee_rate": str(profile.fee_rate),
        "shipping_per_order": str(profile.shipping_per_order),
        "days": {date: {k: to_json(v) for k, v in values.items()} for date, values in truth.items()},
    }


LIVE_MEASURES = (
    "live_gmv",
    "live_viewers",
    "live_buyers",
    "live_watch_seconds",
    "live_product_clickers",
    "video_plays",
    "video_product_clicks",
    "video_orders",
    "video_gmv",
)


SERVICE_MEASURES = (
    "service_inquiries", "service_inquiry_paid", "service_sales", "service_sales_buyers", "service_receptions",
    "service_replied", "service_response_total", "service_response_receptions", "service_pleased", "service_rated",
)  # fmt: skip


def add_service_truth(days: dict[str, dict[str, Any]], totals: dict[str, dict[str, Any]]) -> None:
    """Put the 客服 team's daily sums (``demo.service.shop_day_totals``) into a shop's manifest days
    (JSON values) and derive the 客服 metrics again."""
    for date, day in days.items():
        team = totals.get(date)
        if team is None:
            continue
        day["service_inquiries"] = team["inquiries"]
        day["service_inquiry_paid"] = team["inquiry_paid"]
        day["service_sales"] = team["sales"]
        day["service_sales_buyers"] = team["sales_buyers"]
        day["service_receptions"] = team["receptions"]
        day["service_replied"] = team["replied"]
        day["service_response_total"] = team["response_total"]
        day["service_response_receptions"] = None if team["response_total"] is None else team["receptions"]
        day["service_pleased"] = team["pleased"]
        day["service_rated"] = team["rated"]
        day.update({k: to_json(v) for k, v in _service_metrics(day).items()})


def _service_metrics(m: dict[str, Any]) -> dict[str, Value]:
    sales = None if m.get("service_sales") is None else Decimal(m["service_sales"])
    gmv = None if m.get("gmv") is None else Decimal(m["gmv"])
    return {
        "service_inquiries": m.get("service_inquiries"),
        "service_inquiry_paid": m.get("service_inquiry_paid"),
        "service_sales": m.get("service_sales"),
        "inquiry_conversion": _div(m.get("service_inquiry_paid"), m.get("service_inquiries")),
        "service_sales_share": _div(sales, gmv),
        "service_aov": _cents(_div(sales, m.get("service_sales_buyers"))),
        "service_reply_rate": _div(m.get("service_replied"), m.get("service_receptions")),
        "service_response_seconds": _div(
            m.get("service_response_total"), m.get("service_response_receptions")
        ),
        "service_satisfaction": _div(m.get("service_pleased"), m.get("service_rated")),
    }


def blank_measures() -> dict[str, Value]:
    """Every base measure unknown: platform generators fill in what their exports carry."""
    keys = [
        "gmv", "visitors", "pageviews", "buyers", "paid_orders", "units", "ad_report_spend", "ad_gmv",
        "affiliate_commission", "refund_amount", "refund_amount_by_payment", "refund_orders", "cost_units",
        "cost_known_units", "cogs", "shipping_cost", "fee_rate", "dsr_description", "dsr_service",
        "dsr_logistics", *LIVE_MEASURES, *SERVICE_MEASURES,
    ]  # fmt: skip
    row: dict[str, Value] = dict.fromkeys(keys)
    row.update({f"ad_spend_{c.key}": None for c in ad_channels()})
    return row


def derive(m: dict[str, Value]) -> dict[str, Value]:
    """Every catalog metric from the base values, written independently of the SQL compiler."""
    out = dict(m)
    out["conversion_rate"] = _div(m["buyers"], m["visitors"])
    out["aov"] = _cents(_div(m["gmv"], m["buyers"]))
    out["uv_value"] = _cents(_div(m["gmv"], m["visitors"]))
    channel_spend = [m[f"ad_spend_{c.key}"] for c in ad_channels()]
    known = [v for v in channel_spend if v is not None]
    out["ad_spend"] = sum(known, Decimal(0)) if known else None
    out["ad_roi"] = _div(m["ad_gmv"], m["ad_report_spend"])
    out["ad_spend_ratio"] = _div(out["ad_spend"], m["gmv"])
    out["refund_rate"] = _div(m["refund_amount"], m["gmv"])
    out["refund_rate_by_payment"] = _div(m["refund_amount_by_payment"], m["gmv"])
    out["net_sales"] = _minus(m["gmv"], m["refund_amount"])  # type: ignore[arg-type]
    out["cost_coverage"] = _div(m["cost_known_units"], m["cost_units"])
    net = out["net_sales"]
    out["platform_fee"] = _cents(net * m["fee_rate"]) if net is not None else None  # type: ignore[operator]
    out["gross_profit"] = _minus(net, m["cogs"], m["shipping_cost"], out["platform_fee"])  # type: ignore[arg-type]
    out["net_profit"] = _minus(out["gross_profit"], out["ad_spend"], m["affiliate_commission"])  # type: ignore[arg-type]
    live_gmv, viewers = m["live_gmv"], m["live_viewers"]
    out["gpm"] = _cents(_div(live_gmv * 1000, viewers)) if live_gmv is not None else None
    out["live_uv_value"] = _cents(_div(live_gmv, viewers))
    out["live_view_to_buy_rate"] = _div(m["live_buyers"], viewers)
    out["live_click_to_buy_rate"] = _div(m["live_buyers"], m["live_product_clickers"])
    out["live_avg_watch_seconds"] = _div(m["live_watch_seconds"], viewers)
    out["video_click_to_order_rate"] = _div(m["video_orders"], m["video_product_clicks"])
    return out | _service_metrics(m)


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value
