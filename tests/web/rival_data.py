"""Generated competitor data added to a web demo: rival snapshots and indices (src/shopops/demo/rivals.py),
our own 交易指数, and 商品效果 of our two shops with the items the rivals are paired with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from shopops.demo.rivals import (
    RivalPlants,
    own_index_export,
    rival_index_export,
    rival_snapshots,
    write_snapshots,
)
from shopops.domains.rivals.analysis import add_rival_item
from tests.web.conftest import SHOP_A, SHOP_B, WebDemo

RIVALS_START = dt.date(2026, 11, 4)
RIVAL_DAYS = 21  # to 2026-11-24, the demo's last day
GROUP = "面霜"
SHARED_ITEM = "700001"  # sold by both our shops; paired with 竞店01 R600000 for every shop ('*')
B_ITEM = "800001"  # shop B's; paired with 竞店02 R600001 for shop B only
A_ITEM = "700002"  # shop A's; paired with 竞店03 R600002 for shop A


def our_units(shop: str, offset: int) -> int:
    """Our item's 支付件数 on day RIVALS_START + offset (A: 10 + offset, B: 5)."""
    return 10 + offset if shop == SHOP_A else 5


OUR_PRICE = {SHOP_A: 99, SHOP_B: 120}


@dataclass(frozen=True)
class RivalData:
    snapshots: pl.DataFrame  # with the generator's true daily units
    plants: RivalPlants


def _item_export(path: Path, shop: str, items: list[str]) -> Path:
    lines = ["统计日期,商品ID,商品名称,支付件数,支付金额"]
    for offset in range(RIVAL_DAYS):
        day = RIVALS_START + dt.timedelta(days=offset)
        for item in items:
            units = our_units(shop, offset)
            lines.append(f"{day},{item},我方 {item},{units},{units * OUR_PRICE[shop]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_rival_data(demo: WebDemo, base: Path) -> RivalData:
    base.mkdir(parents=True, exist_ok=True)
    workspace = demo.workspace
    con = workspace.connection
    gmv = pl.DataFrame(
        con.execute(
            "SELECT date, CAST(gmv AS DOUBLE) FROM sycm_shop_day WHERE shop = ? ORDER BY date", [SHOP_A]
        ).fetchall(),
        schema=["date", "gmv"],
        orient="row",
    )
    snapshots, plants = rival_snapshots(items=6, days=RIVAL_DAYS, start=RIVALS_START, shops=3)
    revenue = (
        snapshots.with_columns((pl.col("units") * pl.col("price")).alias("revenue"))
        .group_by("date", "rival_shop")
        .agg(pl.col("revenue").sum())
        .sort("date", "rival_shop")
    )
    files = [
        _item_export(base / f"商品效果_{SHOP_A}.csv", SHOP_A, [SHARED_ITEM, A_ITEM]),
        _item_export(base / f"商品效果_{SHOP_B}.csv", SHOP_B, [SHARED_ITEM, B_ITEM]),
        own_index_export(gmv, base / f"本店交易指数_{SHOP_A}.csv"),
        write_snapshots(snapshots, base / "竞品快照.csv"),
        rival_index_export(revenue, base / f"竞店分析_{SHOP_A}.csv"),
    ]
    for path in files:
        workspace.import_file(path)
    add_rival_item(con, "竞店01", "R600000", our_item_id=SHARED_ITEM, group=GROUP, title="竞品 R600000")
    add_rival_item(con, "竞店02", "R600001", our_shop=SHOP_B, our_item_id=B_ITEM, group=GROUP)
    add_rival_item(con, "竞店03", "R600002", our_shop=SHOP_A, our_item_id=A_ITEM, group=GROUP)
    return RivalData(snapshots, plants)
