"""Hostile names and titles added to a web demo: a shop whose name closes a <script> element, an item
export whose 宝贝标题 do too (one of them sells nothing on the last day, so a finding quotes it on 趋势
and 异常), and rival items and shops with such titles and names. Pages must show them as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from shopops.demo.rivals import rival_snapshots, write_snapshots
from shopops.domains.rivals.analysis import add_rival_item
from shopops.workspace import Workspace
from tests.conftest import DEMO_END

HOSTILE_SHOP = "</script><img src=x onerror=alert(1)>"
HOSTILE_TITLE = "</script><img src=x onerror=alert(document.domain)>"
HOSTILE_TITLES = (
    HOSTILE_TITLE,
    "</SCRIPT><script>alert(2)</script>&amp;",
    "围巾 <!-- \u2028 \u2029 ' \" & <svg onload=alert(3)>",
)
HOSTILE_RIVAL_SHOP = "</script><svg onload=alert(4)>"
HOSTILE_RIVAL_TITLE = "</script><img src=x onerror=alert('rival')>"
HOSTILE_GROUP = "</script><b>组</b>"
HOSTILE_ITEM = "900000000001"  # the bestseller that sells nothing on DEMO_END
RIVAL_ITEM = "R600000"
DAYS = 91  # 13 weeks: enough ordinary Tuesdays before DEMO_END outside 双11 and 国庆


def _shop_export(path: Path) -> Path:
    lines = ["统计日期,访客数,支付金额,支付买家数"]
    for offset in range(DAYS):
        day = DEMO_END - dt.timedelta(days=DAYS - 1 - offset)
        lines.append(f"{day},{1000 + offset},{5000 + offset * 10},{50 + offset % 7}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _item_export(path: Path) -> Path:
    """Three items with hostile 宝贝标题: a bestseller at 0 on DEMO_END, a steady one, a tiny one."""
    lines = ["统计日期,商品ID,宝贝标题,支付金额"]
    for offset in range(DAYS):
        day = DEMO_END - dt.timedelta(days=DAYS - 1 - offset)
        lift = 1.2 if day.weekday() >= 5 else 1.0
        best = 0 if day == DEMO_END else round(3000 * lift + offset * 3, 2)
        for number, (title, amount) in enumerate(
            zip(HOSTILE_TITLES, (best, round(800 * lift, 2), 15 if offset % 2 else 90), strict=True)
        ):
            quoted = '"' + title.replace('"', '""') + '"'
            lines.append(f"{day},{900000000001 + number},{quoted},{amount}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rival_snapshots(path: Path) -> Path:
    frame, _ = rival_snapshots(items=3, days=14, start=DEMO_END - dt.timedelta(days=13), shops=1)
    frame = frame.with_columns(
        pl.lit(HOSTILE_RIVAL_SHOP).alias("rival_shop"),
        pl.when(pl.col("item_id") == RIVAL_ITEM)
        .then(pl.lit(HOSTILE_RIVAL_TITLE))
        .otherwise(pl.col("title"))
        .alias("title"),
    )
    return write_snapshots(frame, path)


def add_hostile_data(workspace: Workspace, base: Path) -> None:
    """Add the hostile shop (tmall) with its shop and item exports, and the hostile rivals."""
    base.mkdir(parents=True, exist_ok=True)
    workspace.add_shop(HOSTILE_SHOP, "tmall")
    for path in (_shop_export(base / "店铺整体.csv"), _item_export(base / "商品效果.csv")):
        assert workspace.import_file(path, shop=HOSTILE_SHOP).rows > 0
    assert workspace.import_file(_rival_snapshots(base / "竞品快照.csv")).rows > 0
    add_rival_item(
        workspace.connection,
        HOSTILE_RIVAL_SHOP,
        RIVAL_ITEM,
        title=HOSTILE_RIVAL_TITLE,
        our_shop=HOSTILE_SHOP,
        our_item_id=HOSTILE_ITEM,
        group=HOSTILE_GROUP,
    )
