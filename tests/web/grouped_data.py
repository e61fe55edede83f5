"""A rival shop that halves three prices on the demo's last day: one grouped finding ("竞品降价·3 件")
with three children, next to the planted findings of our own shops; and a smaller findings budget.

The snapshots come from the project's generator (src/shopops/demo/rivals.py) and go through the real
import; one cut item carries a title with markup, which every output must show as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from shopops.demo.rivals import rival_snapshots, write_snapshots
from shopops.domains.rivals.analysis import add_rival_shop
from shopops.workspace import Workspace
from tests.conftest import DEMO_DAYS, DEMO_END

CUT_DAY = DEMO_END
RIVAL = "竞店01"
CUT_ITEMS = ("R600002", "R600003", "R600004")
MARKUP_ITEM = "R600003"
MARKUP_TITLE = '面霜 <script>alert("x")</script>'


def add_price_cuts(workspace: Workspace, base: Path) -> Path:
    """Import one rival shop's daily snapshots with three items at half price from CUT_DAY on, and
    register the shop as every own shop's rival (so each shop's findings include it)."""
    base.mkdir(parents=True, exist_ok=True)
    start = DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
    snapshots, _ = rival_snapshots(items=6, days=DEMO_DAYS, start=start, shops=1)
    cut = (pl.col("date") >= CUT_DAY) & pl.col("item_id").is_in(CUT_ITEMS)
    snapshots = snapshots.with_columns(
        pl.when(cut).then((pl.col("price") * 0.5).round(2)).otherwise(pl.col("price")).alias("price"),
        pl.when(pl.col("item_id") == MARKUP_ITEM)
        .then(pl.lit(MARKUP_TITLE))
        .otherwise(pl.col("title"))
        .alias("title"),
    )
    path = write_snapshots(snapshots, base / "竞品快照.csv")
    workspace.import_file(path)
    add_rival_shop(workspace.connection, RIVAL)
    return path


def set_budget(root: Path, budget: int) -> None:
    """alerts.budget in shopops.yaml (an open workspace reads it again with reload_settings())."""
    config = root / "shopops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"\nalerts:\n  budget: {budget}\n", encoding="utf-8"
    )
