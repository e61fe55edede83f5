"""Planted anomalies: known events written into the simulated days, to test what detection finds.

A plant names a day, a shop and a kind; the simulation applies it and the manifest records it.
Without plants the simulation is exactly the default demo.

kinds (size = the default when not given):
- ``affiliate_spike``  淘客佣金 × size (6)
- ``conversion_drop``  支付转化率 × (1 − size) (0.5)
- ``traffic_loss``     one ad channel's spend × (1 − size) (0.7) and the visitors it brought:
                       访客数 × (1 − size / 2); ``channel`` defaults to the shop's largest channel
- ``refund_surge``     size (4) × the usual daily refunds complete that day (质量问题), at least 6
- ``zero_sales``       no paid orders that day (visitors as usual: a broken link, an empty shelf)
- ``dsr_drop``         every DSR score falls by size (0.05) that day and stays there
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

KINDS = ("affiliate_spike", "conversion_drop", "traffic_loss", "refund_surge", "zero_sales", "dsr_drop")
DEFAULT_SIZES = {
    "affiliate_spike": 6.0,
    "conversion_drop": 0.5,
    "traffic_loss": 0.7,
    "refund_surge": 4.0,
    "zero_sales": 1.0,
    "dsr_drop": 0.05,
}
SIZE_RANGES = {
    "affiliate_spike": (3.0, 8.0),
    "conversion_drop": (0.35, 0.6),
    "traffic_loss": (0.6, 0.9),
    "refund_surge": (3.0, 6.0),
    "zero_sales": (1.0, 1.0),
    "dsr_drop": (0.03, 0.08),
}


@dataclass(frozen=True)
class Plant:
    date: dt.date
    shop: str
    kind: str
    size: float | None = None
    channel: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"planted anomaly kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def amount(self) -> float:
        return DEFAULT_SIZES[self.kind] if self.size is None else self.size

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "shop": self.shop,
            "kind": self.kind,
            "size": self.amount,
            "channel": self.channel or None,
        }


@dataclass(frozen=True)
class DayPlants:
    """The multipliers the simulation applies on one day of one shop (all 1 on an ordinary day)."""

    affiliate: float = 1.0
    conversion: float = 1.0
    visitors: float = 1.0
    spend: tuple[tuple[str, float], ...] = ()
    zero_sales: bool = False
    dsr_drop: float = 0.0
    refund_surge: float = 0.0

    def spend_factor(self, channel: str) -> float:
        return next((factor for key, factor in self.spend if key == channel), 1.0)


def day_plants(plants: Sequence[Plant], biggest_channel: str) -> dict[dt.date, DayPlants]:
    """One shop's plants as per-day multipliers."""
    days: dict[dt.date, DayPlants] = {}
    for plant in plants:
        current = days.get(plant.date, DayPlants())
        size = plant.amount
        if plant.kind == "affiliate_spike":
            current = _with(current, affiliate=current.affiliate * size)
        elif plant.kind == "conversion_drop":
            current = _with(current, conversion=current.conversion * (1 - size))
        elif plant.kind == "traffic_loss":
            channel = plant.channel or biggest_channel
            current = _with(
                current,
                visitors=current.visitors * (1 - size / 2),
                spend=(*current.spend, (channel, 1 - size)),
            )
        elif plant.kind == "zero_sales":
            current = _with(current, zero_sales=True)
        elif plant.kind == "dsr_drop":
            current = _with(current, dsr_drop=current.dsr_drop + size)
        else:
            current = _with(current, refund_surge=current.refund_surge + size)
        days[plant.date] = current
    return days


def _with(plants: DayPlants, **changes: object) -> DayPlants:
    return replace(plants, **changes)  # type: ignore[arg-type]


def random_plants(
    shops: Sequence[str],
    start: dt.date,
    end: dt.date,
    count: int,
    seed: int,
    *,
    allowed: Callable[[dt.date], bool] = lambda _: True,
    spacing: int = 4,
    kinds: Sequence[str] = KINDS,
) -> list[Plant]:
    """``count`` plants on allowed days in [start, end], at least ``spacing`` days apart per shop,
    of random kinds and sizes (within ``SIZE_RANGES``)."""
    rng = random.Random(seed)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    slots = [(shop, day) for shop in shops for day in days if allowed(day)]
    rng.shuffle(slots)
    taken: dict[str, list[dt.date]] = {shop: [] for shop in shops}
    plants: list[Plant] = []
    for shop, day in slots:
        if len(plants) == count:
            break
        if any(abs((day - other).days) < spacing for other in taken[shop]):
            continue
        kind = rng.choice(list(kinds))
        low, high = SIZE_RANGES[kind]
        taken[shop].append(day)
        plants.append(Plant(day, shop, kind, round(rng.uniform(low, high), 3)))
    if len(plants) < count:
        raise ValueError(f"cannot place {count} plants {spacing} days apart in {start}…{end}")
    return sorted(plants, key=lambda p: (p.date, p.shop))
