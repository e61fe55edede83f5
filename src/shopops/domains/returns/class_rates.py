"""A SKU's or style's return rate per reason class against the rest of its shop: how a lasting cause
(a size chart that runs small, a bad batch) shows when nothing jumped — its 尺码 (or 品质 …) returns are
several times what the shop's other products get.

Per shop, key (SKU or style) and reason class c, over the orders paid in a window:

- c 退货率 = the key's 退货子订单 of class c ÷ its 支付子订单, with its Wilson lower bound;
- 本店其他 = the shop's 退货子订单 of class c on every other key ÷ their 支付子订单 (the key itself left
  out, so a big style does not raise its own yardstick);
- a key stands out in class c when it has ≥ ``min_returns`` such returns and the lower bound is ≥
  ``factor`` × 本店其他 and ≥ 本店其他 + ``min_points`` (and above 0). Of several classes, the one with
  the largest ratio is named.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from shopops.domains.returns.cohorts import Cohorts
from shopops.domains.returns.items import By, keyed, returned_lines, wilson_expr

OUTLIER_COLUMNS = ("shop", "key", "out_class", "out_returns", "out_rate", "out_lower", "shop_rate")


def class_outliers(
    data: Cohorts,
    start: dt.date,
    end: dt.date,
    *,
    by: By,
    as_of: dt.date | None,
    confidence: float,
    factor: float,
    min_points: float,
    min_returns: int,
) -> pl.DataFrame:
    """One row per key that stands out in a class (:data:`OUTLIER_COLUMNS`)."""
    lines = keyed(data.lines.filter(pl.col("day").is_between(start, end)), data, by)
    per_key = lines.group_by("shop", "key").agg(pl.col("lines").sum())
    shop_lines = per_key.group_by("shop").agg(pl.col("lines").sum().alias("all_lines"))
    returned = keyed(returned_lines(data, start, end, as_of), data, by)
    counts = returned.group_by("shop", "key", "reason_class").agg(pl.len().alias("n"))
    totals = counts.group_by("shop", "reason_class").agg(pl.col("n").sum().alias("all_n"))
    frame = (
        counts.join(per_key, on=["shop", "key"])
        .join(shop_lines, on="shop")
        .join(totals, on=["shop", "reason_class"])
        .with_columns(
            out_rate=pl.col("n") / pl.col("lines"),
            out_lower=wilson_expr(pl.col("n"), pl.col("lines"), confidence),
            shop_rate=pl.when(pl.col("all_lines") > pl.col("lines")).then(
                (pl.col("all_n") - pl.col("n")) / (pl.col("all_lines") - pl.col("lines"))
            ),
        )
    )
    frame = frame.filter(
        (pl.col("n") >= min_returns)
        & (pl.col("out_lower") > 0)
        & (pl.col("out_lower") >= factor * pl.col("shop_rate"))
        & (pl.col("out_lower") >= pl.col("shop_rate") + min_points)
    )
    ratio = pl.col("out_lower") / pl.max_horizontal(pl.col("shop_rate"), pl.lit(1e-9))
    return (
        frame.with_columns(_ratio=ratio)
        .sort(["shop", "key", "_ratio", "reason_class"], descending=[False, False, True, False])
        .unique(["shop", "key"], keep="first", maintain_order=True)
        .select(
            "shop",
            "key",
            pl.col("reason_class").alias("out_class"),
            pl.col("n").cast(pl.Int64).alias("out_returns"),
            "out_rate",
            "out_lower",
            "shop_rate",
        )
    )
