"""The thresholds of the competitor findings, and how a 大促 or holiday widens them.

On a special day of the promo calendar (双11, its warm-up and after-days, statutory holidays) a
rival's price cut and sales jump are judged against a widened rule, as our own figures are:

- 竞品降价: the new price must be at most the item's 14-day median × (1 − ``promo_drop``) × the
  day's ``rate`` low lift (on 双11 0.7: a cut of ≥ 40.5 % instead of ≥ 15 %);
- 竞品销量异动: daily units must reach the item's 14-day median × ``jump_factor`` × the day's
  ``volume`` high lift (on 双11 8: 24 × usual instead of 3 ×).

Every rival finding of a special day carries the day's label in ``context``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import PromoCalendar, load_calendar

LABELS = {
    "rival_price": "竞品降价",
    "rival_new_item": "竞品上新",
    "rival_sales": "竞品销量异动",
    "rival_overtake": "我方被超越",
}


@dataclass(frozen=True)
class RivalRules:
    promo_drop: float = 0.15  # a price ≥ 15% under the item's 14-day median is a 降价/活动价
    jump_factor: float = 3.0  # daily units ≥ 3 × the item's recent median is a 销量异动
    jump_min_units: float = 20.0  # … and at least this many units a day
    takeoff_units: float = 50.0  # a new item selling this many a day within its first week 起量
    # On a special day, when the sales jumps come from at least this share of the rival shops whose
    # sales could be judged that day (and from 3 shops or more), the surge is the promotion's, not
    # one rival's move: the day's jumps are one finding for all rivals (全部竞店) instead of one per shop.
    market_share: float = 0.5

    @classmethod
    def from_settings(cls, raw: object) -> RivalRules:
        section = raw.get("rivals", {}) if isinstance(raw, dict) else {}
        section = section if isinstance(section, dict) else {}
        known = {k: float(v) for k, v in section.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class DayRule:
    """The rules of one day: the largest price share of the 14-day median that counts as a cut,
    the multiple of usual units that counts as a jump, and the day's label when it is special."""

    date: dt.date
    context: str  # 双11, 双11预热, 国庆节 … ("" on an ordinary day)
    price_share: float  # new price ≤ median × price_share is a cut
    jump_factor: float  # units ≥ usual × jump_factor is a jump

    @property
    def special(self) -> bool:
        return bool(self.context)

    def price_note(self) -> str:
        """ "（双11：按大促放宽，比中位价低 40.5% 以上才算）" on a special day, else ""."""
        if not self.special:
            return ""
        cut = f"{(1 - self.price_share) * 100:.1f}".rstrip("0").rstrip(".")
        return f"（{self.context}：按大促放宽，比中位价低 {cut}% 以上才算）"

    def jump_note(self) -> str:
        if not self.special:
            return ""
        return f"（{self.context}：按大促放宽，平时的 {self.jump_factor:g} 倍以上才算）"


def day_rules(
    rules: RivalRules, start: dt.date, end: dt.date, calendar: PromoCalendar | None = None
) -> dict[dt.date, DayRule]:
    """Each day's rule from ``start`` to ``end`` (``calendar`` None: the built-in promo calendar)."""
    calendar = calendar or load_calendar()
    found: dict[dt.date, DayRule] = {}
    day = start
    while day <= end:
        context = calendar.day(day)
        rate_low = context.range_for("rate")[0] if context.special else 1.0
        volume_high = context.range_for("volume")[1] if context.special else 1.0
        found[day] = DayRule(
            date=day,
            context=context.label if context.special else "",
            price_share=(1 - rules.promo_drop) * rate_low,
            jump_factor=rules.jump_factor * volume_high,
        )
        day += dt.timedelta(days=1)
    return found


def rules_frame(days: dict[dt.date, DayRule]) -> pl.DataFrame:
    """The day rules as a frame (date, context, price_share, jump_factor) to join with facts."""
    return pl.DataFrame(
        {
            "date": list(days),
            "context": [d.context for d in days.values()],
            "price_share": [d.price_share for d in days.values()],
            "jump_factor": [d.jump_factor for d in days.values()],
        },
        schema={"date": pl.Date, "context": pl.String, "price_share": pl.Float64, "jump_factor": pl.Float64},
    )


def rival_finding(
    day: dt.date,
    shop: str,
    item: str,
    metric: str,
    value: float | None,
    *,
    explanation: str,
    context: str = "",
    impact: float | None = None,
    low: float | None = None,
    high: float | None = None,
    severity: str = "warning",
    direction: str = "down",
) -> Finding:
    return Finding(
        date=day,
        shop=shop,
        metric=metric,
        metric_label=LABELS[metric],
        value=value,
        expected_low=low,
        expected_high=high,
        severity=severity,
        provisional=False,
        rule=metric,
        direction=direction,
        item=item,
        explanation=explanation,
        context=context,
        impact=None if impact is None else round(impact, 2),
    )


@dataclass(frozen=True)
class Fact:
    """A rival finding with the figures its group's sentence needs."""

    finding: Finding
    kind: str  # price | sales | new | overtake | counter (a counter problem is its own kind)
    title: str = ""
    before: float | None = None  # the 14-day median price, or usual units
    after: float | None = None  # the new price, or the day's units
    ratio: float | None = None  # price: new / median − 1; sales: units / usual (None when usual is 0)


def units_text(value: float | None) -> str:
    """Units as "1,234"; below 10 with one decimal when not whole ("0.5", a median); "—" when unknown."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def short_title(title: object, item: str, size: int = 18) -> str:
    """An item's title cut to ``size`` characters (its id when it has none)."""
    text = str(title or "").strip() or item
    return text if len(text) <= size else text[: size - 1] + "…"
