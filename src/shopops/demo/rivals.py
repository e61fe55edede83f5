"""Generated competitor data: item snapshots with planted events, and 生意参谋-style index exports.

Not part of the default demo. Tests and the benchmark use it; the planted events are returned so
a test can check that each one is found:
- a 20% price cut on the first item (for ``cut_days`` days),
- a new item that appears mid-way and takes off,
- a cumulative counter reset (the platform restarted the sales count of the second item).
Indices follow 交易指数 = INDEX_SCALE × 支付金额^INDEX_POWER, with a little noise, so a fit can be
checked against the known money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

INDEX_SCALE = 12.0
INDEX_POWER = 0.8
CUT = 0.5  # the planted price cut: new price = old × CUT
SNAPSHOT_HEADERS = {
    "date": "快照日期",
    "item_id": "竞品ID",
    "rival_shop": "竞店",
    "title": "竞品标题",
    "price": "竞品价格",
    "sales_total": "累计销量",
    "review_count": "评价数",
}


@dataclass(frozen=True)
class RivalPlants:
    price_cut_item: str
    price_cut_day: dt.date
    old_price: float
    new_price: float
    new_item: str
    new_item_day: dt.date
    reset_item: str
    reset_day: dt.date


def _dates(start: dt.date, days: int) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(start + dt.timedelta(days=days)))


def rival_snapshots(
    items: int = 40, days: int = 30, start: dt.date = dt.date(2026, 10, 1), seed: int = 11, shops: int = 5
) -> tuple[pl.DataFrame, RivalPlants]:
    """Daily snapshots of ``items`` rival items over ``days`` days (vectorised), and the planted events."""
    if items < 3 or days < 10:
        raise ValueError("need at least 3 items and 10 days to plant the events")
    rng = np.random.default_rng(seed)
    price = np.round(rng.lognormal(4.4, 0.5, items)) - 0.1  # 79.9, 128.9 …
    rate = rng.lognormal(2.0, 0.8, items)
    units = rng.poisson(rate[:, None], (items, days)).astype(np.int64)
    prices = np.repeat(price[:, None], days, axis=1)
    cut_day, new_day, reset_day = days // 2, days // 3, (2 * days) // 3
    cut_days = min(7, days - cut_day)
    # A half-price cut: still news on a 大促 day, where rival rules are widened (a 20 % cut is not).
    prices[0, cut_day : cut_day + cut_days] = np.round(price[0] * CUT, 2)
    new = items - 1
    units[new, new_day:] = rng.poisson(150, days - new_day)
    totals = rng.integers(1_000, 50_000, items)[:, None] + np.cumsum(units, axis=1)
    totals[1, reset_day:] = np.cumsum(units[1, reset_day:])  # the counter restarts from 0
    reviews = rng.integers(100, 5_000, items)[:, None] + np.cumsum(rng.binomial(units, 0.3), axis=1)
    present = np.ones((items, days), dtype=bool)
    present[new, :new_day] = False
    totals[new] = np.cumsum(units[new])
    ids = np.array([f"R{600000 + i}" for i in range(items)])
    shop_names = np.array([f"竞店{(i % shops) + 1:02d}" for i in range(items)])
    frame = (
        pl.DataFrame(
            {
                "date": np.tile(_dates(start, days), items),
                "item_id": np.repeat(ids, days),
                "rival_shop": np.repeat(shop_names, days),
                "title": np.repeat(np.char.add("竞品 ", ids), days),
                "price": prices.ravel(),
                "sales_total": totals.ravel(),
                "review_count": reviews.ravel(),
                "_present": present.ravel(),
                "units": units.ravel(),
            }
        )
        .filter(pl.col("_present"))
        .drop("_present")
    )
    plants = RivalPlants(
        price_cut_item=str(ids[0]),
        price_cut_day=start + dt.timedelta(days=cut_day),
        old_price=float(price[0]),
        new_price=float(np.round(price[0] * CUT, 2)),
        new_item=str(ids[new]),
        new_item_day=start + dt.timedelta(days=new_day),
        reset_item=str(ids[1]),
        reset_day=start + dt.timedelta(days=reset_day),
    )
    return frame, plants


def write_snapshots(frame: pl.DataFrame, path: Path) -> Path:
    """The snapshots as a CSV with Chinese headers that `shopops import` detects (竞品快照)."""
    frame.drop("units").rename(SNAPSHOT_HEADERS).write_csv(path)
    return path


def trade_index(money: np.ndarray, rng: np.random.Generator, noise: float = 0.03) -> np.ndarray:
    """交易指数 of amounts of money (monotone, with multiplicative noise)."""
    return np.round(INDEX_SCALE * money**INDEX_POWER * rng.lognormal(0.0, noise, money.shape), 0)


def own_index_export(gmv: pl.DataFrame, path: Path, seed: int = 5) -> Path:
    """Our shop's 交易指数 per day from our real 支付金额 (columns date, gmv) as a 生意参谋-style CSV."""
    rng = np.random.default_rng(seed)
    money = gmv["gmv"].cast(pl.Float64).to_numpy()
    pl.DataFrame({"统计日期": gmv["date"], "本店交易指数": trade_index(money, rng)}).write_csv(path)
    return path


def rival_index_export(revenue: pl.DataFrame, path: Path, seed: int = 6) -> Path:
    """Rival shops' 交易指数 per day (columns date, rival_shop, revenue) as a 竞店分析 CSV."""
    rng = np.random.default_rng(seed)
    money = revenue["revenue"].cast(pl.Float64).to_numpy()
    pl.DataFrame(
        {"统计日期": revenue["date"], "竞店名称": revenue["rival_shop"], "交易指数": trade_index(money, rng)}
    ).write_csv(path)
    return path


def shop_daily_export(shop_days: int, start: dt.date, path: Path, seed: int = 4) -> pl.DataFrame:
    """A minimal 生意参谋 店铺整体 CSV for our shop (日期, 访客数, 支付金额); returns (date, gmv)."""
    rng = np.random.default_rng(seed)
    gmv = np.round(rng.lognormal(10.0, 0.5, shop_days), 2)
    dates = _dates(start, shop_days)
    visitors = np.round(gmv / rng.uniform(3, 6, shop_days)).astype(np.int64)
    pl.DataFrame({"统计日期": dates, "访客数": visitors, "支付金额": gmv}).write_csv(path)
    return pl.DataFrame({"date": dates, "gmv": gmv})
