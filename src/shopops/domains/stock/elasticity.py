"""An item's own price elasticity from its order lines, and the markdown band that sells it out in time.

- **Price levels**: the days the item sold, each at its day's 成交均价 (实付 ÷ 件数), in date order; a
  day within ±:data:`TOLERANCE` of the running level's first price stays in that level, another price
  starts a new level. A level lasts from its first sale to the day before the next level's first sale
  (the last one: to the analysis day), so days without a sale count as days at that price with 0 sold.
  Its price is its 实付 ÷ 件数, its velocity its units ÷ its days.
- **Elasticity** (log-log arc): between the latest level of at least N (``price_level_days``) days and
  the latest earlier level of at least N days at another price, over the N days either side of the
  change (the last N days of the one, the first N of the other): ε = ln(q₂ ÷ q₁) ÷ ln(p₂ ÷ p₁), q the
  units per day in each window, p the levels' prices. **季节校正**: the season moves demand too (a
  summer style marked down in October sells less despite the cut), so when the shop's other styles
  of the same 季节 without any price change sold in both windows, their change is taken out:
  ε = ln((q₂ ÷ q₁) ÷ (c₂ ÷ c₁)) ÷ ln(p₂ ÷ p₁), c their units in the same windows. None when there is
  no such pair of levels ("无价格历史").
- **Markdown band**: to sell the 可用库存 by the target date the daily rate must be
  r* = 可用 ÷ 剩余天数; at the current rate r₀ (近14天) and price p₀ (the latest level's), constant
  elasticity gives p* = p₀ × (r* ÷ r₀)^(1/ε). The band is p* as 折 of the 基本售价 (吊牌价), between
  whole 折: 0.74 → "7–8折", 0.70 → "7折" ("·低于成本" when p* is under the 成本价). No band: ε ≥ 0
  ("降价不增销": under constant elasticity a lower price sells no more), r₀ = 0 ("近14天无销售"), r* ≤ r₀ ("无需降价": the
  current price sells out in time), p* under 1折 ("需低于1折").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TOLERANCE = 0.02  # a day's price within ±2 % of its level's first price is the same price
NO_HISTORY = "无价格历史"


@dataclass(frozen=True)
class Level:
    start: dt.date  # the first day it sold at this price
    end: dt.date  # the day before the next level's first sale (or the analysis day)
    price: float  # 实付 ÷ 件数 over the level
    units: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def velocity(self) -> float:
        return self.units / self.days


@dataclass(frozen=True)
class Elasticity:
    value: float  # ε = ln((q2/q1) ÷ control) / ln(p2/p1)
    before: Level
    after: Level
    window: int  # days on each side of the change
    units_before: int  # the item's units in the window before the change
    units_after: int  # … and from it
    control: float | None  # c2/c1 of the same-season styles without a price change (None: not used)


def price_levels(days: Iterable[tuple[dt.date, int, float]], end: dt.date) -> list[Level]:
    """``days``: (day, units, 实付) of the days the item sold, any order; ``end``: the analysis day."""
    runs: list[tuple[dt.date, float, int, float]] = []  # start, first price, units, revenue
    for day, units, revenue in sorted(d for d in days if d[1] > 0 and d[0] <= end):
        price = revenue / units
        if runs and abs(price / runs[-1][1] - 1) <= TOLERANCE:
            start, first, total, paid = runs[-1]
            runs[-1] = (start, first, total + units, paid + revenue)
        else:
            runs.append((day, price, units, revenue))
    levels = []
    for index, (start, _, units, revenue) in enumerate(runs):
        last = runs[index + 1][0] - dt.timedelta(days=1) if index + 1 < len(runs) else end
        levels.append(Level(start, last, revenue / units, units))
    return levels


def pair(levels: list[Level], min_days: float) -> tuple[Level, Level] | None:
    """The latest level of ≥ ``min_days`` days and the latest earlier one of ≥ ``min_days`` at another price."""
    long = [level for level in levels if level.days >= min_days]
    if not long:
        return None
    after = long[-1]
    for before in reversed(long[:-1]):
        if abs(before.price / after.price - 1) > TOLERANCE:
            return before, after
    return None


def windows(
    before: Level, after: Level, days: int
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The last ``days`` days of ``before`` and the first ``days`` of ``after`` (inclusive ranges)."""
    span = dt.timedelta(days=days - 1)
    return (before.end - span, before.end), (after.start, after.start + span)


def elasticity(
    levels: list[Level],
    min_days: float,
    units: Mapping[dt.date, int],
    control: Mapping[dt.date, int] | None = None,
) -> Elasticity | None:
    """ε of the item (see the module): ``units`` its units per day (the days the levels come from),
    ``control`` the units per day of the shop's same-season styles without a price change."""
    found = pair(levels, min_days)
    if found is None:
        return None
    before, after = found
    days = max(int(min_days), 1)
    first, second = windows(before, after, days)
    q1, q2 = _total(units, first), _total(units, second)
    if q1 <= 0 or q2 <= 0:  # no sale in a window: the two levels whole
        first, second = (before.start, before.end), (after.start, after.end)
        q1, q2 = before.units, after.units
    c1, c2 = (_total(control, first), _total(control, second)) if control else (0, 0)
    seasonal = c2 / c1 if c1 > 0 and c2 > 0 else None
    length = ((first[1] - first[0]).days + 1) / ((second[1] - second[0]).days + 1)
    change = q2 / q1 * length / (seasonal * length if seasonal is not None else 1.0)
    value = math.log(change) / math.log(after.price / before.price)
    return Elasticity(value, before, after, (second[1] - second[0]).days + 1, q1, q2, seasonal)


def _total(series: Mapping[dt.date, int], span: tuple[dt.date, dt.date]) -> int:
    return sum(n for d, n in series.items() if span[0] <= d <= span[1])


@dataclass(frozen=True)
class Band:
    text: str  # "7–8折", "无需降价", "无价格历史" …
    price: float | None = None  # p*, the price that sells out in time (None: no band)
    share: float | None = None  # p* ÷ 基本售价


def markdown_band(
    *,
    stock: int | None,
    days_left: float,
    rate_now: float,
    price_now: float | None,
    list_price: float | None,
    epsilon: float | None,
    cost: float | None = None,
) -> Band:
    """The band of 折 (of ``list_price``) that sells ``stock`` in ``days_left`` days (see the module)."""
    if epsilon is None or price_now is None:
        return Band(NO_HISTORY)
    if not stock or stock <= 0:
        return Band("无可用库存")
    if epsilon >= 0:
        return Band("降价不增销")  # ε ≥ 0: under constant elasticity a lower price sells no more
    if rate_now <= 0:
        return Band("近14天无销售")
    needed = stock / days_left
    if needed <= rate_now:
        return Band("无需降价", price_now, None if not list_price else price_now / list_price)
    target = price_now * (needed / rate_now) ** (1 / epsilon)
    base = list_price or price_now
    share = target / base
    tenths = share * 10
    if tenths < 1:
        return Band("需低于1折", target, share)
    if tenths > 9:
        text = "9折以上"
    else:
        low, high = math.floor(tenths + 1e-9), math.ceil(tenths - 1e-9)
        text = f"{low}折" if low >= high else f"{low}–{high}折"
    if cost is not None and target < cost:
        text += "·低于成本"
    return Band(text, target, share)
