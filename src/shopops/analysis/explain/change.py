"""Why GMV moved between two days: the exact 访客 × 转化率 × 客单价 split and its drill-downs.

Without visitors or buyers the change is split into 订单数 × 笔单价 (or 件数 × 件单价), and the
record and the sentence say which split was used (see :mod:`decompose`).

For one shop or a group of shops (their summed figures; visitors and buyers then are sums of
shop counts, 日累加): which ad channel's spend and clicks moved with the traffic, which items
carried the change, and for a group which shop did; then one sentence an operator would write:
"GMV −18.2%：访客 −12.5%（直通车花费 −40%）贡献 −70%，客单价 −6.1% 贡献 −30%".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from shopops.analysis.explain import text
from shopops.analysis.explain.decompose import VOLUME_FACTORS, Decomposition, Figures, decompose
from shopops.analysis.explain.drilldown import (
    ChannelChange,
    ItemChange,
    ad_clicks,
    affiliate_clicks,
    channel_changes,
    item_changes,
)
from shopops.channels import ad_channels
from shopops.errors import UserError
from shopops.metrics.master import master_table

Row = Mapping[str, Any]
MIN_DRIVER_CHANGE = 0.25  # a channel is named as the traffic driver when its spend moved ≥ 25% …
MIN_TRAFFIC_CHANGE = 0.05  # … and the traffic by ≥ 5% the same way
MIN_SHARE = 0.1  # factors carrying less than 10% of the change are left out of the sentence


@dataclass(frozen=True)
class ShopChange:
    shop: str
    before: Decimal | None
    after: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class Explanation:
    shops: tuple[str, ...]
    date: dt.date
    vs: dt.date
    decomposition: Decomposition
    channels: tuple[ChannelChange, ...]
    items: tuple[ItemChange, ...]
    shop_changes: tuple[ShopChange, ...]
    affiliate_clicks: tuple[int | None, int | None]
    traffic_driver: str | None  # an ad channel key, "affiliate", or None
    text: str

    @property
    def driver(self) -> str | None:
        """The deepest named cause: the traffic driver's spend, else the largest factor."""
        parts = sorted(self.decomposition.parts, key=lambda p: -abs(p.contribution))
        if not parts or not self.decomposition.change:
            return None
        top = parts[0].factor
        if top in VOLUME_FACTORS and self.traffic_driver:
            return (
                "affiliate_commission"
                if self.traffic_driver == "affiliate"
                else f"ad_spend_{self.traffic_driver}"
            )
        return top

    def to_record(self) -> dict[str, Any]:
        d = self.decomposition
        change = d.change
        return {
            "metric": "gmv",
            "shop": ",".join(self.shops),
            "shops": list(self.shops),
            "date": self.date.isoformat(),
            "vs": self.vs.isoformat(),
            "value": float(d.after),
            "base": float(d.before),
            "change": float(change),
            "change_pct": d.relative_change,
            "method": d.method,
            "split": d.split,
            "split_label": d.split_label,
            "parts": [
                {
                    "factor": p.factor,
                    "label": text.FACTOR_LABELS[p.factor],
                    "before": p.before,
                    "after": p.after,
                    "change_pct": p.relative_change,
                    "contribution": float(p.contribution),
                    "share": float(p.contribution / abs(change)) if change else None,
                }
                for p in d.parts
            ],
            "driver": self.driver,
            "traffic_driver": self.traffic_driver,
            "channels": [
                {
                    "channel": c.channel,
                    "label": c.label,
                    "spend_before": _num(c.spend_before),
                    "spend_after": _num(c.spend_after),
                    "spend_change_pct": c.spend_relative,
                    "clicks_before": c.clicks_before,
                    "clicks_after": c.clicks_after,
                }
                for c in self.channels
            ],
            "affiliate_clicks": {"before": self.affiliate_clicks[0], "after": self.affiliate_clicks[1]},
            "items": [
                {
                    "item": i.item,
                    "title": i.title,
                    "sales_before": float(i.sales_before),
                    "sales_after": float(i.sales_after),
                    "change": float(i.change),
                }
                for i in self.items
            ],
            "shop_parts": [
                {
                    "shop": s.shop,
                    "before": _num(s.before),
                    "after": _num(s.after),
                    "change": _num(s.change),
                    "share": float(s.change / abs(change)) if change and s.change is not None else None,
                }
                for s in self.shop_changes
            ],
            "text": self.text,
        }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _all_known(rows: Sequence[Row], key: str) -> Any:
    values = [row.get(key) for row in rows]
    if not values or any(v is None for v in values):
        return None
    return sum(values)


def _any_known(rows: Sequence[Row], key: str) -> Decimal | None:
    values = [row[key] for row in rows if row.get(key) is not None]
    return sum(values, Decimal(0)) if values else None


def explain_change(
    con: duckdb.DuckDBPyConnection, day: dt.date, vs: dt.date, shops: Sequence[str]
) -> Explanation:
    """Explain the GMV change of ``shops`` (one shop or a group) from ``vs`` to ``day``."""
    before = master_table(con, vs, vs, shops=shops).to_dicts()
    after = master_table(con, day, day, shops=shops).to_dicts()
    return explain_rows(con, day, vs, before, after)


def explain_rows(
    con: duckdb.DuckDBPyConnection, day: dt.date, vs: dt.date, before: Sequence[Row], after: Sequence[Row]
) -> Explanation:
    """As :func:`explain_change`, from master-table rows of the two days (one row per shop)."""
    shops = tuple(sorted({str(row["shop"]) for row in (*before, *after)}))
    gmv_before, gmv_after = _all_known(before, "gmv"), _all_known(after, "gmv")
    for when, value in ((vs, gmv_before), (day, gmv_after)):
        if value is None:
            raise UserError(
                f"支付金额 of {', '.join(shops)} on {when} is unknown — import that day's 生意参谋店铺整体 or"
                " 千牛订单 export, or pick another --date/--vs"
            )
    decomposition = decompose(_figures(before, gmv_before), _figures(after, gmv_after))
    keys = [c.key for c in ad_channels()]
    clicks = ad_clicks(con, shops, [vs, day])
    channels = channel_changes(
        {k: _any_known(before, f"ad_spend_{k}") for k in keys},
        {k: _any_known(after, f"ad_spend_{k}") for k in keys},
        clicks,
        vs,
        day,
    )
    union = affiliate_clicks(con, shops, [vs, day])
    affiliate = (union.get(vs), union.get(day))
    items = item_changes(con, shops, vs, day)
    by_shop = {str(r["shop"]): r.get("gmv") for r in before}
    shop_changes = tuple(
        sorted(
            (ShopChange(str(r["shop"]), by_shop.get(str(r["shop"])), r.get("gmv")) for r in after),
            key=lambda s: -abs(s.change or Decimal(0)),
        )
    )
    driver = _traffic_driver(decomposition, channels, affiliate)
    explanation = Explanation(
        shops, day, vs, decomposition, tuple(channels), tuple(items), shop_changes, affiliate, driver, ""
    )
    return Explanation(
        shops,
        day,
        vs,
        decomposition,
        tuple(channels),
        tuple(items),
        shop_changes,
        affiliate,
        driver,
        sentence(explanation),
    )


def _figures(rows: Sequence[Row], gmv: Decimal) -> Figures:
    """The day's figures a split can use: each count only when every shop of the group has it."""
    visitors, buyers, orders, units = (
        None if value is None else int(value)
        for value in (_all_known(rows, key) for key in ("visitors", "buyers", "paid_orders", "units"))
    )
    return Figures(gmv, visitors, buyers, orders, units)


def _traffic_driver(
    d: Decomposition, channels: Sequence[ChannelChange], affiliate: tuple[int | None, int | None]
) -> str | None:
    """The ad channel (or 淘客) whose spend (clicks, without spend) moved most in the traffic's direction."""
    traffic = d.parts[0] if d.parts and d.parts[0].factor in VOLUME_FACTORS else None
    change = traffic.relative_change if traffic else None
    if change is None or abs(change) < MIN_TRAFFIC_CHANGE:
        return None
    candidates: list[tuple[float, str]] = []
    for c in channels:
        if c.spend_relative is not None:
            relative, size = c.spend_relative, abs(float(c.spend_change or 0))
        elif c.clicks_relative is not None:
            relative, size = c.clicks_relative, float(abs((c.clicks_after or 0) - (c.clicks_before or 0)))
        else:
            continue
        if abs(relative) >= MIN_DRIVER_CHANGE and (relative < 0) == (change < 0):
            candidates.append((size, c.channel))
    before, after = affiliate
    if not candidates and before and after is not None:
        relative = after / before - 1
        if abs(relative) >= MIN_DRIVER_CHANGE and (relative < 0) == (change < 0):
            candidates.append((abs(after - before), "affiliate"))
    return max(candidates)[1] if candidates else None


def _driver_phrase(explanation: Explanation) -> str:
    key = explanation.traffic_driver
    if key is None:
        return ""
    if key == "affiliate":
        before, after = explanation.affiliate_clicks
        assert before and after is not None
        return f"（淘客点击 {text.percent(after / before - 1)}）"
    channel = next(c for c in explanation.channels if c.channel == key)
    if channel.spend_relative is not None:
        return f"（{channel.label}花费 {text.percent(channel.spend_relative)}）"
    assert channel.clicks_relative is not None
    return f"（{channel.label}点击 {text.percent(channel.clicks_relative)}）"


def sentence(explanation: Explanation) -> str:
    """GMV −18.2%：访客 −12.5%（直通车花费 −40%）贡献 −70%，客单价 −6.1% 贡献 −30%；商品… ；店铺…"""
    d = explanation.decomposition
    change = d.change
    if d.before:
        head = f"GMV {text.percent(float(change / d.before))}（{text.money(d.before)}→{text.money(d.after)}）"
    else:
        head = f"GMV 从 0 到 {text.money(d.after)}"
    if not change:
        return f"{head}：没有变化"
    phrases = []
    parts = sorted(d.parts, key=lambda p: -abs(p.contribution))
    for position, part in enumerate(parts):
        weight = float(part.contribution / abs(change))
        if position > 0 and abs(weight) < MIN_SHARE:
            continue
        if part.factor == "conversion_rate":
            moved = text.points((part.after or 0) - (part.before or 0))
        elif part.relative_change is not None:
            moved = text.percent(part.relative_change)
        elif part.factor in VOLUME_FACTORS and part.before is not None and part.after is not None:
            moved = f"{text.count(part.before)}→{text.count(part.after)}"  # from 0: 订单数 0→332
        else:
            moved = "—"
        driver = _driver_phrase(explanation) if part.factor in VOLUME_FACTORS else ""
        joint = driver or " "
        phrases.append(f"{text.FACTOR_LABELS[part.factor]} {moved}{joint}贡献 {text.share(weight)}")
    if d.split == "none":
        phrases.append(d.split_label)
    result = f"{head}：" + "，".join(phrases)
    if d.split not in ("traffic", "none"):
        result += f"；{d.split_label}"
    top_item = explanation.items[0] if explanation.items else None
    if (
        top_item is not None
        and (top_item.change < 0) == (change < 0)
        and abs(top_item.change) >= abs(change) * Decimal("0.3")
    ):
        result += f"；主要商品 {top_item.title} {text.signed_money(top_item.change)}"
    if len(explanation.shops) > 1 and explanation.shop_changes:
        top_shop = explanation.shop_changes[0]
        if top_shop.change is not None:
            result += f"；主要店铺 {top_shop.shop} 贡献 {text.share(float(top_shop.change / abs(change)))}"
    return result
