"""The competitors of `shopops demo` (its 竞品 page): 30 days of rival item snapshots ending on the demo's
last day, the rival shops' 交易指数 (竞店分析) and 云朵旗舰店's own 交易指数, so the index fit has data.

The events planted by :func:`shopops.demo.rivals.rival_snapshots` (a half-price cut, a new item that
takes off, a sales counter reset) are the truths under ``manifest["rivals"]``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from shopops.demo.rivals import own_index_export, rival_index_export, rival_snapshots, write_snapshots

SHOP = "云朵旗舰店"  # the shop whose 生意参谋 竞店分析 and 本店交易指数 the demo writes
DAYS = 30
ITEMS = 12
RIVAL_SHOPS = 3


def write_rival_demo(folder: Path, manifest: dict[str, object], end: dt.date, seed: int) -> list[Path]:
    """Write the rival exports under ``folder/竞品/`` and their truths into ``manifest["rivals"]``."""
    shops = manifest["shops"]
    assert isinstance(shops, dict)
    days = shops[SHOP]["days"]
    span = min(DAYS, len(days))
    start = end - dt.timedelta(days=span - 1)
    target = folder / "竞品"
    target.mkdir(parents=True, exist_ok=True)
    snapshots, plants = rival_snapshots(
        items=ITEMS, days=span, start=start, seed=seed % 1000, shops=RIVAL_SHOPS
    )
    revenue = (
        snapshots.with_columns((pl.col("units") * pl.col("price")).alias("revenue"))
        .group_by("date", "rival_shop")
        .agg(pl.col("revenue").sum())
        .sort("date", "rival_shop")
    )
    own = pl.DataFrame(
        [
            (dt.date.fromisoformat(day), float(figures["gmv"]))
            for day, figures in days.items()
            if figures.get("gmv") is not None and dt.date.fromisoformat(day) >= start
        ],
        schema=["date", "gmv"],
        orient="row",
    ).sort("date")
    manifest["rivals"] = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "price_cut": {
            "item": plants.price_cut_item,
            "date": plants.price_cut_day.isoformat(),
            "old_price": plants.old_price,
            "new_price": plants.new_price,
        },
        "new_item": {"item": plants.new_item, "date": plants.new_item_day.isoformat()},
        "counter_reset": {"item": plants.reset_item, "date": plants.reset_day.isoformat()},
    }
    return [
        write_snapshots(snapshots, target / "竞品快照.csv"),
        rival_index_export(revenue, target / f"竞店分析_{SHOP}.csv"),
        own_index_export(own, target / f"本店交易指数_{SHOP}.csv"),
    ]
