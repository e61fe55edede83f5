"""商品与库存 (stock) benchmark: N SKUs × 3 warehouses × D daily snapshots, and `stock status` on the last day.

Generates (vectorised numpy, fixed seed) a seasonal apparel shop of N SKUs (5 sizes a style, every
100th style a 套装 whose 款式编码 holds ``+``), its stock in 3 warehouses every day and a year of sales:

* 聚水潭 商品库存 CSVs, one a day, named ``聚水潭_商品库存_YYYYMMDD.csv`` (the day comes from the name),
  with the demo writer's 20 headers (``shopops.demo.stock_exports.JST_STOCK_HEADER``: 数量, 订单占有,
  采购在途数, 调拨在途数, 可用数, the custom warehouse 样衣仓 as a column …) plus ``仓储方``: one row per
  SKU × 仓储方 (杭州主仓, 广州分仓, 天津分仓) — 3 N rows a day. ``+`` is written ``_x002B_`` as 聚水潭 does.
* a year of 千牛 宝贝报表 lines (子订单 rows, 商家编码 = 商品编码; a 组合商品 under its own code; ~3 % of the
  lines unpaid, without 付款时间), 聚水潭 商品资料 (成本价, 创建时间, 季节) and a 组合商品 BOM.

Then, in a fresh ``spawn`` subprocess:

* bulk-loads the first D − F days straight into ``stock_snapshot`` (numpy → Arrow → ``INSERT``, the
  same rows an import would write, with an ``imports`` row a day; not a product figure): importing
  365 files one by one would only repeat the per-file figure below 365 times;
* imports 商品资料, the BOM and the year of order lines through ``Workspace.import_file``;
* imports the last F snapshot files one by one through ``Workspace.import_file(path, shop=…)`` into
  the warehouse that already holds the earlier days (what a user does every morning), each after its
  baseline: DuckDB's own ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` into a fresh DuckDB file,
  in the same process;
* checks the bulk-loaded rows of a day equal what the import writes for that day's file.

Then, each in its own fresh subprocess (``Workspace.open``, as ``shopops stock status`` runs; the
open is not timed): ``stock_status(con, last day, [shop])`` by SKU and by style, and the floor — one
hand-written DuckDB query of the same answer (latest snapshot per SKU summed over warehouses, 7/30-day
sales with combos exploded, cover, class, 库龄, 库存金额) — once with and once without the 库龄 (the
first stock over the whole history).

It prints wall and CPU seconds (CPU: all threads of the process) and peak RSS per step, the ratios
to the baselines, and exits 1 when a figure is wrong: the rows per file and in the table, the totals
of status and of the floor against the generator's (Σ on hand, Σ available, Σ 7/30-day sales, SKUs
per class, Σ 库龄, Σ 库存金额), and the class of every SKU, status against the floor (see ``checks``).
A step whose RSS passes ``--max-rss-mb`` is stopped (its subprocess ends) and reported.

    python benchmarks/stock_benchmark.py                            # full size: 20,000 SKUs × 365 days
    python benchmarks/stock_benchmark.py --skus 500 --days 30       # development (seconds)
    python benchmarks/stock_benchmark.py --skus 100 --days 40 --files 2  # smoke run (CI)

See docs/benchmarks.md for the measured figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from memory_watch import MB, Watcher  # the script's folder is on sys.path
from shopops.demo.stock_exports import BOM_HEADER, JST_PRODUCT_HEADER, JST_STOCK_HEADER, LINES_HEADER

END = dt.date(2026, 11, 30)
SHOP = "山岚服饰旗舰店"
ERP = "聚水潭"
BRAND = "山岚"
SEED = 20261130
WAREHOUSES = ("杭州主仓", "广州分仓", "天津分仓")
SHARES = np.array([0.6, 0.3, 0.1])  # of a SKU's stock, by warehouse
SIZES = ("S", "M", "L", "XL", "XXL")
COLOURS = ("白色", "黑色", "藏青", "卡其", "米色", "灰色")
CATEGORIES = ("T恤", "衬衫", "外套", "裤装", "连衣裙")
SEASONS = ("春", "夏", "秋", "冬", "四季")
CLASSES = ("零动销", "滞销", "低周转", "正常", "高周转")
HEADER = [*JST_STOCK_HEADER[:5], "仓储方", *JST_STOCK_HEADER[5:]]


def start_day(days: int) -> dt.date:
    return END - dt.timedelta(days=days - 1)


# -- the shop -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """Per SKU: codes, demand (units a day), the stock it is kept at, launch day; the 组合商品."""

    days: int
    sku: list[str]  # 商品编码 as ShopOps stores it (``+``)
    style: list[str]
    colour: list[str]
    size: list[str]
    name: list[str]
    demand: np.ndarray  # units a day (0: never sells)
    target: np.ndarray  # the stock the SKU is kept at, all warehouses
    launch: np.ndarray  # day index of the first stock (0: before the history)
    phase: np.ndarray
    cost: np.ndarray  # 成本价 in cents, -1 for none
    combos: list[str]
    bom: list[tuple[int, int, int]]  # (combo, SKU, quantity)

    @property
    def n(self) -> int:
        return len(self.sku)


def catalog(skus: int, days: int, seed: int = SEED) -> Catalog:
    rng = np.random.default_rng([seed, 0])
    style_index = np.arange(skus) // len(SIZES)
    styles = int(style_index[-1]) + 1
    style_codes = [
        f"SL{s:05d}+K{s:05d}" if s % 100 == 7 else f"SL{s:05d}" for s in range(styles)
    ]  # every 100th style a 套装 (top + trousers), its code with "+"
    style_colour = rng.integers(0, len(COLOURS), styles)
    sku_style = [style_codes[s] for s in style_index]
    colour = [COLOURS[style_colour[s]] for s in style_index]
    size = [SIZES[i % len(SIZES)] for i in range(skus)]
    category = [CATEGORIES[s % len(CATEGORIES)] for s in style_index]
    sku = [f"{st}-{c}-{z}" for st, c, z in zip(sku_style, colour, size, strict=True)]
    name = [f"山岚{cat}{s:05d}" for cat, s in zip(category, style_index, strict=True)]
    selling = rng.random(skus) >= 0.1  # 10 % never sell
    demand = np.where(selling, rng.lognormal(np.log(0.06), 1.0, skus), 0.0)
    cover = rng.lognormal(np.log(60), 0.8, skus)  # days of demand kept, plus a few pieces
    idle = rng.uniform(0, 40, skus) * (rng.random(skus) >= 0.3)  # a dead SKU's stock (30 %: none)
    target = np.where(selling, demand * cover + rng.uniform(0, 6, skus), idle)
    late = rng.random(skus) < 0.08
    launch = np.where(late, rng.integers(min(30, days - 1), max(days - 10, min(30, days - 1) + 1), skus), 0)
    phase = rng.random(skus)
    style_cost = rng.integers(2000, 15000, styles)
    cost = np.where(rng.random(skus) < 0.02, -1, style_cost[style_index])
    n_combos = max(2, skus // 100)
    combos = [f"ZH{c:04d}" for c in range(n_combos)]
    bom: list[tuple[int, int, int]] = []
    for c in range(n_combos):
        first, second = (int(v) for v in rng.choice(skus, 2, replace=False))
        bom += [(c, first, 2)] if c % 5 == 4 else [(c, first, 1), (c, second, 1)]  # 两件装 / 套装
    return Catalog(days, sku, sku_style, colour, size, name, demand, target, launch, phase, cost, combos, bom)


def snapshot(cat: Catalog, d: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Day ``d``'s stock, SKU-major × warehouse (3 N rows): the figures of the file and of the table."""
    rng = np.random.default_rng([seed, 1, d])
    live = (d >= cat.launch).astype(float)
    level = 1 + 0.35 * np.sin(2 * np.pi * (d / 365 + cat.phase))
    mean = (cat.target * level * live)[:, None] * SHARES[None, :]
    on_hand = rng.poisson(mean)
    locked = rng.binomial(on_hand, 0.04)
    main = np.arange(len(WAREHOUSES))[None, :] == 0
    ordered = (rng.random(mean.shape) < 0.03) & main
    purchase = np.where(ordered, rng.poisson(mean * 0.8 + 5), 0)
    transfer = np.where(main, 0, rng.binomial(3, 0.02, mean.shape))
    return {
        "on_hand": on_hand.reshape(-1),
        "order_locked": locked.reshape(-1),
        "in_transit_purchase": purchase.reshape(-1),
        "in_transit_transfer": transfer.reshape(-1),
        "available": (on_hand - locked).reshape(-1),
    }


def sales(cat: Catalog, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Units sold a day per SKU (days × N) and 组合商品 orders a day per combo (days × combos)."""
    rng = np.random.default_rng([seed, 2])
    offsets = np.arange(cat.days)
    weekday = (start_day(cat.days).weekday() + offsets) % 7
    weekly = np.array([0.95, 0.9, 0.9, 0.95, 1.05, 1.15, 1.1])[weekday]
    live = offsets[:, None] >= cat.launch[None, :]
    units = rng.poisson(cat.demand[None, :] * weekly[:, None] * live)
    combo_orders = rng.poisson(0.08 * weekly[:, None] * np.ones((1, len(cat.combos))))
    return units, combo_orders


def component_units(cat: Catalog, combo_orders: np.ndarray) -> np.ndarray:
    """The combos' orders as units of their component SKUs (days × N)."""
    out = np.zeros((combo_orders.shape[0], cat.n), dtype=np.int64)
    for combo, sku, quantity in cat.bom:
        out[:, sku] += combo_orders[:, combo] * quantity
    return out


# -- the files ----------------------------------------------------------------------------------


def jst(code: str) -> str:
    return code.replace("+", "_x002B_")


def write_snapshot(cat: Catalog, d: int, folder: Path) -> Path:
    """聚水潭 商品库存 of day ``d``: a row per SKU × 仓储方, day in the file name."""
    figures = snapshot(cat, d)
    repeat = len(WAREHOUSES)
    locked = figures["order_locked"]
    rows = cat.n * repeat
    rng = np.random.default_rng([SEED, 3, d])
    sample = (np.arange(rows) % (len(SIZES) * repeat) == 1).astype(np.int64)  # one M a style in 主仓
    columns: dict[str, Any] = {
        "款式编码": np.repeat([jst(s) for s in cat.style], repeat),
        "颜色": np.repeat(cat.colour, repeat),
        "规格": np.repeat(cat.size, repeat),
        "品牌": [BRAND] * rows,
        "商品编码": np.repeat([jst(s) for s in cat.sku], repeat),
        "仓储方": np.tile(WAREHOUSES, cat.n),
        "名称": np.repeat(cat.name, repeat),
        "数量": figures["on_hand"],
        "订单占有": locked,
        "仓库待发": locked // 2,
        "安全库存下限": np.full(rows, 5),
        "安全库存上限": np.full(rows, 60),
        "采购在途数": figures["in_transit_purchase"],
        "销退仓库存": rng.binomial(2, 0.05, rows),
        "进货仓库存": np.zeros(rows, dtype=np.int64),
        "次品库存": rng.binomial(1, 0.04, rows),
        "调拨在途数": figures["in_transit_transfer"],
        "库存锁定": np.zeros(rows, dtype=np.int64),
        "样衣仓": sample,
        "可用数": figures["available"],
        "公有可用数": figures["available"],
    }
    assert list(columns) == HEADER
    day = start_day(cat.days) + dt.timedelta(days=d)
    path = folder / f"聚水潭_商品库存_{day:%Y%m%d}.csv"
    pl.DataFrame(columns).write_csv(path)
    return path


def created_offsets(cat: Catalog) -> np.ndarray:
    """创建时间 as days from the first snapshot day: a late SKU a week before its launch, else before."""
    rng = np.random.default_rng([SEED, 4])
    return np.where(cat.launch > 0, cat.launch - 7, -rng.integers(30, 700, cat.n))


def write_products(cat: Catalog, folder: Path) -> Path:
    """聚水潭 商品资料: 成本价 (empty for 2 %), 创建时间 (a late SKU: a week before its first stock)."""
    first = start_day(cat.days)
    created = [first + dt.timedelta(days=int(offset)) for offset in created_offsets(cat)]
    style_index = np.arange(cat.n) // len(SIZES)
    frame = pl.DataFrame(
        {
            "图片": [""] * cat.n,
            "款式编码": [jst(s) for s in cat.style],
            "商品编码": [jst(s) for s in cat.sku],
            "颜色": cat.colour,
            "规格": cat.size,
            "基本售价": [f"{c * 2.5 / 100:.2f}" if c >= 0 else "" for c in cat.cost],
            "成本价": [f"{c / 100:.2f}" if c >= 0 else "" for c in cat.cost],
            "创建时间": [f"{c:%Y-%m-%d} 10:00:00" for c in created],
            "分类": [CATEGORIES[s % len(CATEGORIES)] for s in style_index],
            "年份": [2026] * cat.n,
            "季节": [SEASONS[s % len(SEASONS)] for s in style_index],
            "商品名称": cat.name,
            "供应商名称": ["杭州某某服饰厂"] * cat.n,
        }
    )
    assert frame.columns == JST_PRODUCT_HEADER
    path = folder / "聚水潭_商品资料.csv"
    frame.write_csv(path)
    return path


def write_bom(cat: Catalog, folder: Path) -> Path:
    path = folder / "组合商品.csv"
    pl.DataFrame(
        {
            BOM_HEADER[0]: [cat.combos[c] for c, _, _ in cat.bom],
            BOM_HEADER[1]: [cat.sku[s] for _, s, _ in cat.bom],
            BOM_HEADER[2]: [q for _, _, q in cat.bom],
        }
    ).write_csv(path)
    return path


def write_lines(cat: Catalog, units: np.ndarray, combo_orders: np.ndarray, folder: Path) -> tuple[Path, int]:
    """千牛 宝贝报表: a day's units of a SKU (or combo) as lines of 2 (one per three units) and 1, each its
    own order paid between 08:00 and midnight; ~3 % more lines unpaid (交易关闭, no 付款时间)."""
    rng = np.random.default_rng([SEED, 5])
    counts_matrix = np.hstack([units, combo_orders])
    codes = [*cat.sku, *cat.combos]
    titles = [*(f"{n} {c} {z}" for n, c, z in zip(cat.name, cat.colour, cat.size, strict=True)),
              *(f"组合装 {c}" for c in cat.combos)]  # fmt: skip
    day, item = np.nonzero(counts_matrix)
    counts = counts_matrix[day, item]
    pairs = counts // 3
    lines = counts - pairs
    day, item = np.repeat(day, lines), np.repeat(item, lines)
    rank = np.arange(len(day)) - np.repeat(np.cumsum(lines) - lines, lines)
    quantity = np.where(rank < np.repeat(pairs, lines), 2, 1)
    paid_lines = len(day)
    unpaid = int(paid_lines * 0.03)
    day = np.concatenate([day, rng.integers(0, cat.days, unpaid)])
    item = np.concatenate([item, rng.integers(0, cat.n, unpaid)])
    quantity = np.concatenate([quantity, np.ones(unpaid, dtype=np.int64)])
    paid = np.arange(len(day)) < paid_lines
    paid_seconds = rng.integers(8 * 3600, 86400, len(day))
    created_seconds = np.maximum(paid_seconds - rng.integers(20, 900, len(day)), 0)
    price_cents = np.where(item < cat.n, np.maximum(cat.cost[np.minimum(item, cat.n - 1)], 3000) * 2, 19900)
    first = dt.datetime.combine(start_day(cat.days), dt.time())
    frame = pl.DataFrame(
        {
            "number": np.arange(1, len(day) + 1),
            "item": item,
            "quantity": quantity,
            "paid": paid,
            "price": price_cents,
            "created": np.datetime64(first) + (day * 86400 + created_seconds).astype("timedelta64[s]"),
            "paid_at": np.datetime64(first) + (day * 86400 + paid_seconds).astype("timedelta64[s]"),
        }
    ).sort("created")
    code_series, title_series = pl.Series(codes), pl.Series(titles)
    money = pl.col("price") * pl.col("quantity")
    text = frame.select(
        (pl.col("number") + 4_100_000_000_000_000_000).cast(pl.String).alias("子订单编号"),
        (pl.col("number") + 4_000_000_000_000_000_000).cast(pl.String).alias("主订单编号"),
        pl.col("item").map_batches(title_series.gather, return_dtype=pl.String).alias("标题"),
        (pl.col("price") / 100).round(2).cast(pl.String).alias("价格"),
        pl.col("quantity").alias("购买数量"),
        pl.col("item").map_batches(code_series.gather, return_dtype=pl.String).alias("商家编码"),
        pl.when(pl.col("paid")).then(pl.lit("交易成功")).otherwise(pl.lit("交易关闭")).alias("订单状态"),
        pl.when(pl.col("paid")).then((money / 100).round(2).cast(pl.String)).otherwise(pl.lit("0.00"))
        .alias("买家实际支付金额"),
        pl.lit("").alias("退款状态"),
        pl.lit("").alias("退款金额"),
        pl.col("created").dt.strftime("%Y-%m-%d %H:%M:%S").alias("订单创建时间"),
        pl.when(pl.col("paid")).then(pl.col("paid_at").dt.strftime("%Y-%m-%d %H:%M:%S")).otherwise(pl.lit(""))
        .alias("订单付款时间"),
    )  # fmt: skip
    assert text.columns == LINES_HEADER
    path = folder / f"宝贝报表_{SHOP}_{start_day(cat.days):%Y%m%d}-{END:%Y%m%d}.csv"
    text.write_csv(path)
    return path, len(day)


# -- the truth ----------------------------------------------------------------------------------


def truth(cat: Catalog, units: np.ndarray, combo_orders: np.ndarray, files: int) -> dict[str, Any]:
    """What status must say on the last day, from the generator's arrays."""
    last = snapshot(cat, cat.days - 1)
    shape = (cat.n, len(WAREHOUSES))
    on_hand = last["on_hand"].reshape(shape).sum(axis=1)
    available = last["available"].reshape(shape).sum(axis=1)
    sold = units + component_units(cat, combo_orders)
    s30, s7 = sold[-30:].sum(axis=0), sold[-7:].sum(axis=0)
    costed = cat.cost >= 0
    # 库龄: days since the first stock when it came after the first snapshot, else since 创建时间.
    first_stock = np.full(cat.n, -1)
    for d in range(cat.days):
        stocked = snapshot(cat, d)["on_hand"].reshape(shape).sum(axis=1) > 0
        first_stock = np.where((first_stock < 0) & stocked, d, first_stock)
    age = np.where(first_stock > 0, cat.days - 1 - first_stock, cat.days - 1 - created_offsets(cat))
    # 可售天数 = available × w ÷ s30, w = the days on sale within 30 (库龄 + 1, at most 30), classed in
    # exact integers (a band holds its upper end: 90 is 低周转)
    w = np.minimum(30, np.maximum(1, age + 1))
    status = np.select(
        [(s30 == 0) & (on_hand <= 0), s30 == 0, available * w > 90 * s30, available * w > 60 * s30,
         available * w > 30 * s30, s30 > 0],
        ["", *CLASSES],
        default="",
    )  # fmt: skip
    return {
        "skus": cat.n,
        "styles": len(set(cat.style)),
        "rows": cat.n * len(WAREHOUSES) * cat.days,
        "file_rows": cat.n * len(WAREHOUSES),
        "bulk_days": cat.days - files,
        "on_hand": int(on_hand.sum()),
        "available": int(available.sum()),
        "sales_30d": int(s30.sum()),
        "sales_7d": int(s7.sum()),
        "classes": {c: int((status == c).sum()) for c in CLASSES},
        "unclassed": int((status == "").sum()),
        "stock_value_cents": int((on_hand * cat.cost)[costed].sum()),
        "unvalued": int((~costed).sum()),
        "age_days": int(age.sum()),
        "first_stock_later": int((first_stock > 0).sum()),
    }


# -- measuring (in a fresh spawn subprocess) ------------------------------------------------------


STOCK_COLUMNS = (
    "shop", "erp", "period_start", "period_end", "warehouse", "sku", "style", "name", "color", "size",
    "category", "on_hand", "order_locked", "in_transit_purchase", "in_transit_transfer", "available",
    "created_at", "import_id", "source_row",
)  # fmt: skip


def bulk_frame(
    cat: Catalog, days: range, first_import_id: int, fixed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The rows an import of each day's file writes (import ids from ``first_import_id``, one a day)."""
    fixed = fixed if fixed is not None else fixed_columns(cat)
    first = start_day(cat.days)
    parts = []
    for offset, d in enumerate(days):
        day = first + dt.timedelta(days=d)
        figures = pl.DataFrame({k: v.astype(np.int64) for k, v in snapshot(cat, d).items()})
        parts.append(
            pl.concat([fixed, figures], how="horizontal").with_columns(
                shop=pl.lit(SHOP),
                erp=pl.lit(ERP),
                period_start=pl.lit(day),
                period_end=pl.lit(day),
                category=pl.lit(None, dtype=pl.String),
                created_at=pl.lit(None, dtype=pl.Date),
                import_id=pl.lit(first_import_id + offset, dtype=pl.Int64),
            )
        )
    return pl.concat(parts).select(STOCK_COLUMNS)


def fixed_columns(cat: Catalog) -> pl.DataFrame:
    """The text columns of a day's rows (the same every day) and the file's row numbers."""
    repeat = len(WAREHOUSES)
    rows = cat.n * repeat
    return pl.DataFrame(
        {
            "warehouse": np.tile(WAREHOUSES, cat.n),
            "sku": np.repeat(cat.sku, repeat),
            "style": np.repeat(cat.style, repeat),
            "name": np.repeat(cat.name, repeat),
            "color": np.repeat(cat.colour, repeat),
            "size": np.repeat(cat.size, repeat),
            "source_row": np.arange(2, rows + 2, dtype=np.int32),
        }
    )


def bulk_load(con: Any, cat: Catalog, days: int, batch: int = 20) -> int:
    """Days ``0 … days-1`` into stock_snapshot, with an imports row a day, ``batch`` days an INSERT."""
    first = start_day(cat.days)
    fixed = fixed_columns(cat)
    loaded = 0
    for begin in range(0, days, batch):
        span = range(begin, min(days, begin + batch))
        ids = [int(con.execute("SELECT nextval('import_id_seq')").fetchone()[0]) for _ in span]
        assert ids == list(range(ids[0], ids[0] + len(ids)))
        frame = bulk_frame(cat, span, ids[0], fixed)
        con.execute("BEGIN")
        con.execute(f"INSERT INTO stock_snapshot ({', '.join(STOCK_COLUMNS)}) SELECT * FROM frame")
        rows = cat.n * len(WAREHOUSES)
        con.executemany(
            "INSERT INTO imports VALUES (?, ?, 'bulk-load', NULL, 'jst_stock', 'stock_snapshot', ?, ?, 0, ?, ?,"
            " current_localtimestamp(), 'stock_benchmark')",
            [
                (i, f"聚水潭_商品库存_{first + dt.timedelta(days=d):%Y%m%d}.csv", SHOP, rows,
                 first + dt.timedelta(days=d), first + dt.timedelta(days=d))
                for i, d in zip(ids, span, strict=True)
            ],
        )  # fmt: skip
        con.execute("COMMIT")
        loaded += frame.height
        del frame
    return loaded


FLOOR_SQL = """
WITH latest AS (
    SELECT max(period_start) AS day, min(period_start) AS history_start FROM stock_snapshot
    WHERE shop = $shop AND period_start <= $day
), stock AS (
    SELECT sku, sum(on_hand) AS on_hand, sum(available) AS available
    FROM stock_snapshot WHERE shop = $shop AND period_start = (SELECT day FROM latest) GROUP BY sku
), sold AS (
    SELECT coalesce(b.sku, l.sku_code) AS sku, CAST(l.paid_at AS DATE) AS day,
           l.quantity * coalesce(b.quantity, 1) AS units
    FROM order_lines l LEFT JOIN product_bom b ON b.shop = l.shop AND b.combo_sku = l.sku_code
    WHERE l.shop = $shop AND l.paid_at >= $day - INTERVAL 29 DAY AND l.paid_at < $day + INTERVAL 1 DAY
), sales AS (
    SELECT sku, sum(units) FILTER (WHERE day > $day - INTERVAL 7 DAY) AS s7, sum(units) AS s30
    FROM sold GROUP BY sku
), {age}
figures AS (
    SELECT s.sku, s.on_hand, s.available, coalesce(x.s7, 0) AS sales_7d, coalesce(x.s30, 0) AS sales_30d,
           {age_days} AS age_days, s.on_hand * m.cost_price AS stock_value
    FROM stock s LEFT JOIN sales x USING (sku) {age_join}
    LEFT JOIN product_master m ON m.shop = $shop AND m.sku = s.sku
), windowed AS (  -- the days on sale within 30 (库龄 + 1); 30 without a 库龄
    SELECT *, coalesce(least(30, greatest(1, age_days + 1)), 30) AS w,
           CASE WHEN sales_30d > 0 THEN available * w / sales_30d END AS cover
    FROM figures
)
SELECT *, CASE WHEN sales_30d = 0 AND on_hand <= 0 THEN NULL WHEN sales_30d = 0 THEN '零动销'
               WHEN available * w > 90 * sales_30d THEN '滞销' WHEN available * w > 60 * sales_30d THEN '低周转'
               WHEN available * w > 30 * sales_30d THEN '正常' ELSE '高周转' END AS status  -- exact bands
FROM windowed
"""
FLOOR_AGE = """first_stock AS (
    SELECT sku, min(period_start) FILTER (WHERE on_hand > 0) AS first_stock FROM stock_snapshot
    WHERE shop = $shop AND period_start <= $day GROUP BY sku
),"""
FLOOR_AGE_DAYS = """CASE WHEN f.first_stock > (SELECT history_start FROM latest)
                THEN date_diff('day', f.first_stock, $day)
                ELSE date_diff('day', coalesce(CAST(m.created_at AS DATE), (SELECT history_start FROM latest)), $day) END"""


def floor_sql(with_age: bool) -> str:
    if with_age:
        return FLOOR_SQL.format(
            age=FLOOR_AGE, age_days=FLOOR_AGE_DAYS, age_join="LEFT JOIN first_stock f USING (sku)"
        )
    return FLOOR_SQL.format(age="", age_days="NULL::INTEGER", age_join="")


def describe_status(frame: pl.DataFrame) -> dict[str, Any]:
    """The totals the checks compare (status's frame and the floor's have these columns)."""
    counts = dict(frame.group_by("status").len().iter_rows())
    value = frame["stock_value"].cast(pl.Float64)
    return {
        "rows": frame.height,
        "on_hand": int(frame["on_hand"].sum()),
        "available": int(frame["available"].sum()),
        "sales_30d": int(frame["sales_30d"].sum()),
        "sales_7d": int(frame["sales_7d"].sum()),
        "classes": {c: int(counts.get(c, 0)) for c in CLASSES},
        "unclassed": int(counts.get(None, 0)),
        "age_days": int(frame["age_days"].sum()) if frame["age_days"].null_count() < frame.height else None,
        "stock_value_cents": round(float(value.sum()) * 100),
        "unvalued": int(value.null_count()),
        "first_stock_later": int((frame["age_basis"] == "首次有库存").sum())
        if "age_basis" in frame.columns
        else None,
    }


def _timed(
    watcher: Watcher, name: str, call: Callable[[], Any], describe: Callable[[Any], dict[str, Any]]
) -> Any:
    """Run one step: wall and CPU seconds (all threads), the step's peak RSS and ``describe(value)``."""
    watcher.begin(name)
    began, cpu = time.perf_counter(), time.process_time()
    value = call()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = watcher.step_peak / MB
    watcher.send({"step": name, "seconds": seconds, "cpu": cpu, "peak_mb": peak, **describe(value)})
    return value


def _load(paths: dict[str, Any], skus: int, days: int, files: int, limit_mb: float, conn: Connection) -> None:
    """The first subprocess: a workspace, the bulk-loaded days, then the imports, each with its baseline."""
    import duckdb

    from shopops.workspace import Workspace

    watcher = Watcher(conn, limit_mb)
    cat = catalog(skus, days)

    def init() -> Any:
        workspace = Workspace.init(Path(paths["root"]))
        workspace.connection.execute("SET enable_progress_bar = false")
        workspace.add_shop(SHOP, "tmall")
        return workspace

    def imported(result: Any) -> dict[str, Any]:
        dates = [str(result.date_min), str(result.date_max)]
        return {
            "rows": result.rows,
            "source": result.source_key,
            "replaced": result.rows_replaced,
            "dates": dates,
        }

    def baseline(path: str) -> int:
        with duckdb.connect(paths["baseline"]) as base:
            base.execute("SET enable_progress_bar = false")
            base.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?)", [path])
            row = base.execute("SELECT count(*) FROM t").fetchone()
        return int(row[0]) if row else 0

    workspace = _timed(watcher, "init", init, lambda _: {})
    with workspace:
        con = workspace.connection
        _timed(watcher, "bulk", lambda: bulk_load(con, cat, days - files), lambda rows: {"rows": rows})
        for step in ("products", "bom", "lines"):
            _timed(
                watcher, step, lambda step=step: workspace.import_file(Path(paths[step]), shop=SHOP), imported
            )
        for index, path in enumerate(paths["snapshots"]):
            _timed(
                watcher, f"baseline_{index}", lambda path=path: baseline(path), lambda rows: {"rows": rows}
            )
            _timed(
                watcher,
                f"import_{index}",
                lambda path=path: workspace.import_file(Path(path), shop=SHOP),
                imported,
            )
        _timed(watcher, "same_rows", lambda: _same_rows(con, cat, days - 1), lambda n: {"differ": n})
        table = con.execute(
            "SELECT count(*), count(DISTINCT period_start), count(DISTINCT import_id) FROM stock_snapshot"
        ).fetchone()
        watcher.send({"table": list(table or ())})
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


QUERIES = ("status_sku", "status_style", "floor", "floor_no_age")


def _query(paths: dict[str, Any], step: str, limit_mb: float, conn: Connection) -> None:
    """A fresh subprocess per query (as ``shopops stock status`` runs): open the workspace, run it once."""
    from shopops.domains.stock.status import stock_status
    from shopops.workspace import Workspace

    watcher = Watcher(conn, limit_mb)
    with Workspace.open(Path(paths["root"])) as workspace:
        con = workspace.connection
        con.execute("SET enable_progress_bar = false")
        if step.startswith("status_"):
            by: Any = step.removeprefix("status_")
            call: Callable[[], pl.DataFrame] = lambda: stock_status(con, END, [SHOP], by=by).frame  # noqa: E731
        else:
            sql = floor_sql(step == "floor")
            call = lambda: con.sql(sql, params={"day": END, "shop": SHOP}).pl()  # noqa: E731
        frame = _timed(watcher, step, call, describe_status)
        if step in ("status_sku", "floor"):
            cover = "days_of_cover" if "days_of_cover" in frame.columns else "cover"
            columns = ["sku", "available", "sales_30d", cover, "status"]
            watcher.send({"classes": step, "rows": frame.select(columns).rows()})
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


def _same_rows(con: Any, cat: Catalog, d: int) -> int:
    """Rows that differ (both ways, import ids aside) between day ``d`` as imported and as bulk-loaded."""
    expected = bulk_frame(cat, range(d, d + 1), 0).drop("import_id")
    columns = ", ".join(expected.columns)
    day = start_day(cat.days) + dt.timedelta(days=d)
    actual = f"(SELECT {columns} FROM stock_snapshot WHERE period_start = $day)"
    row = con.execute(
        f"SELECT (SELECT count(*) FROM (FROM expected EXCEPT ALL FROM {actual}))"
        f" + (SELECT count(*) FROM (FROM {actual} EXCEPT ALL FROM expected))",
        {"day": day},
    ).fetchone()
    return int(row[0]) if row else -1


# -- the parent: generate, run, check -------------------------------------------------------------


def labels(files: int) -> dict[str, str]:
    found = {
        "init": "Workspace.init + add_shop",
        "bulk": "bulk-load the earlier days (not a figure)",
        "products": "import 商品资料",
        "bom": "import 组合商品 (BOM)",
        "lines": "import a year of 宝贝报表 lines",
    }
    for i in range(files):
        found[f"baseline_{i}"] = f"DuckDB read_csv → table, snapshot {i + 1} (baseline)"
        found[f"import_{i}"] = f"import snapshot {i + 1} (import_file)"
    found |= {
        "same_rows": "check: bulk rows = imported rows",
        "status_sku": "stock_status, by SKU",
        "status_style": "stock_status, by style",
        "floor": "floor: one DuckDB query (with 库龄)",
        "floor_no_age": "floor without 库龄",
    }
    return found


def checks(
    steps: dict[str, dict[str, Any]], table: list[int], want: dict[str, Any], files: int, lines: int
) -> dict[str, bool]:
    """Exact outcomes; a missing step (stopped, failed) fails its checks."""

    def got(step: str, key: str) -> Any:
        return steps.get(step, {}).get(key)

    found = {
        "bulk: N×3 rows a day": got("bulk", "rows") == want["file_rows"] * want["bulk_days"],
        "order lines: every line": got("lines", "rows") == lines,
        "商品资料: N rows": got("products", "rows") == want["skus"],
    }
    for i in range(files):
        found[f"snapshot {i + 1}: baseline rows = N×3"] = got(f"baseline_{i}", "rows") == want["file_rows"]
        found[f"snapshot {i + 1}: jst_stock, N×3 rows, its day"] = (
            got(f"import_{i}", "source") == "jst_stock"
            and got(f"import_{i}", "rows") == want["file_rows"]
            and got(f"import_{i}", "dates") == [str(END - dt.timedelta(days=files - 1 - i))] * 2
        )
    found["bulk-loaded rows = what the import writes (last day)"] = got("same_rows", "differ") == 0
    days = want["rows"] // want["file_rows"]
    found["stock_snapshot: N×3×D rows, D days, D imports"] = table == [want["rows"], days, days]
    for step in ("status_sku", "floor", "floor_no_age"):
        label = {"status_sku": "status", "floor": "floor", "floor_no_age": "floor without 库龄"}[step]
        found[f"{label}: N SKUs, Σ on hand, Σ available = generator's"] = (
            got(step, "rows") == want["skus"]
            and got(step, "on_hand") == want["on_hand"]
            and got(step, "available") == want["available"]
        )
        found[f"{label}: Σ 7/30-day sales = generator's"] = (
            got(step, "sales_30d") == want["sales_30d"] and got(step, "sales_7d") == want["sales_7d"]
        )
        if step != "floor_no_age":  # a launch's 可售天数 needs its 库龄 (its days on sale)
            found[f"{label}: SKUs per class = generator's"] = (
                got(step, "classes") == want["classes"] and got(step, "unclassed") == want["unclassed"]
            )
        if step != "floor_no_age":
            found[f"{label}: Σ 库存金额, SKUs without cost = generator's"] = (
                got(step, "stock_value_cents") == want["stock_value_cents"]
                and got(step, "unvalued") == want["unvalued"]
            )
    found["status = floor: the class of every SKU"] = got("class_differs", "count") == 0
    found["status, floor: Σ 库龄 (days) = generator's"] = (
        got("status_sku", "age_days") == want["age_days"] and got("floor", "age_days") == want["age_days"]
    )
    found["status: 库龄 from the first stock for the SKUs stocked later"] = (
        got("status_sku", "first_stock_later") == want["first_stock_later"]
    )
    same_totals = all(
        got("status_style", k) == got("status_sku", k)
        for k in ("on_hand", "available", "sales_30d", "sales_7d")
    )
    found["by style: one row a style, the same totals"] = (
        got("status_style", "rows") == want["styles"] and same_totals
    )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--files", type=int, default=5, help="snapshots imported as files (the last days)")
    parser.add_argument(
        "--max-rss-mb", type=float, default=10_000, help="stop the measuring process past this RSS (MB)"
    )
    args = parser.parse_args()
    if args.skus < 50 or args.days < 31 or not 1 <= args.files < args.days:
        parser.error("--skus at least 50, --days at least 31, 1 ≤ --files < --days")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="stock-bench-") as folder:
        began = time.perf_counter()
        cat = catalog(args.skus, args.days)
        units, combo_orders = sales(cat)
        here = Path(folder)
        snapshots = [write_snapshot(cat, d, here) for d in range(args.days - args.files, args.days)]
        lines, line_count = write_lines(cat, units, combo_orders, here)
        paths: dict[str, Any] = {
            "snapshots": [str(p) for p in snapshots],
            "products": str(write_products(cat, here)),
            "bom": str(write_bom(cat, here)),
            "lines": str(lines),
            "root": str(here / "ws"),
            "baseline": str(here / "baseline.duckdb"),
        }
        want = truth(cat, units, combo_orders, args.files)
        del units, combo_orders
        print(
            f"generated {args.skus:,} SKUs × {len(WAREHOUSES)} warehouses × {args.days} days = {want['rows']:,} stock rows"
            f" ({args.files} files of {want['file_rows']:,} rows, {snapshots[-1].stat().st_size / MB:,.1f} MB each,"
            f" e.g. {snapshots[-1].name}), {line_count:,} order lines ({lines.stat().st_size / MB:,.0f} MB),"
            f" {len(cat.combos)} 组合商品, in {time.perf_counter() - began:.1f} s"
        )
        steps, ending, extra = _measure(_load, paths, args.skus, args.days, args.files, args.max_rss_mb)
        endings = {"load": ending}
        for query in QUERIES if "done" in ending else ():
            found, endings[query], classes = _measure(_query, paths, query, args.max_rss_mb)
            steps |= found
            extra |= classes
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    _print_steps(steps, args.files)
    for process, end in endings.items():
        if "aborted" in end:
            name = labels(args.files).get(end["aborted"], end["aborted"])
            print(
                f"STOPPED in {name} after {end['after_s']:.1f} s:"
                f" RSS {end['rss_mb']:,.0f} MB passed --max-rss-mb {args.max_rss_mb:,.0f}"
            )
        elif "done" not in end:
            print(f"the {process} process ended with status {end['exitcode']} before its last step")
    peaks = ", ".join(
        f"{process} {end['peak_mb']:,.0f} MB" for process, end in endings.items() if "done" in end
    )
    print(f"peak RSS per process (loading, then each query in a fresh process): {peaks}")
    if "status_sku" in steps:
        s = steps["status_sku"]
        print(f"status by SKU: {s['classes']}, {s['unclassed']} without a class (no stock, no sales)")
    differ = class_differences(extra.get("status_sku"), extra.get("floor"))
    if differ:
        print(f"SKUs whose class differs between status and the floor: {len(differ)}")
        for sku, available, sold, cover, status, floor in differ[:5]:
            print(
                f"  {sku}: 可用 {available}, 近30天销量 {sold}, 可售天数 {cover!r}: status {status}, floor {floor}"
            )
    steps["class_differs"] = {"count": len(differ) if "status_sku" in extra and "floor" in extra else None}
    table = extra.get("table", [])
    results = checks(steps, table, want, args.files, line_count)
    for name, passed in results.items():
        print(f"{'OK      ' if passed else 'MISMATCH'} {name}")
    return 0 if all(results.values()) and all("done" in end for end in endings.values()) else 1


def class_differences(
    status: list[tuple[Any, ...]] | None, floor: list[tuple[Any, ...]] | None
) -> list[tuple[Any, ...]]:
    """(sku, available, 30-day sales, status's cover, status's class, the floor's class) where they differ."""
    if status is None or floor is None:
        return []
    floor_class = {row[0]: row[4] for row in floor}
    return [(*row, floor_class.get(row[0])) for row in status if floor_class.get(row[0], "?") != row[4]]


def _measure(
    target: Callable[..., None], *args: Any
) -> tuple[dict[str, dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """Run ``target(*args, pipe)`` in a fresh spawn subprocess: its steps, its last message, the rest."""
    context = mp.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, sender))
    process.start()
    sender.close()
    steps: dict[str, dict[str, Any]] = {}
    ending: dict[str, Any] = {"exitcode": None}
    extra: dict[str, Any] = {}
    while True:
        try:
            message = receiver.recv()
        except EOFError:
            break
        if "step" in message:
            steps[message["step"]] = message
        elif "table" in message:
            extra["table"] = message["table"]
        elif "classes" in message:
            extra[message["classes"]] = message["rows"]
        else:
            ending = message
    process.join()
    ending.setdefault("exitcode", process.exitcode)
    return steps, ending, extra


def _print_steps(steps: dict[str, dict[str, Any]], files: int) -> None:
    print(f"| {'step':<48} | {'seconds':>8} | {'CPU s':>8} | {'× floor':>8} | {'peak MB':>8} |")
    print(f"|{'-' * 50}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    for step, label in labels(files).items():
        if step not in steps:
            print(f"| {label:<48} | {'—':>8} | {'':>8} | {'':>8} | {'':>8} |")
            continue
        s = steps[step]
        floor = None
        if step.startswith("import_"):
            floor = steps.get(step.replace("import_", "baseline_"), {}).get("seconds")
        elif step.startswith("status_"):
            floor = steps.get("floor", {}).get("seconds")
        ratio = f"{s['seconds'] / floor:.1f}×" if floor else ""
        print(
            f"| {label:<48} | {s['seconds']:>8.2f} | {s['cpu']:>8.2f} | {ratio:>8} | {s['peak_mb']:>8,.0f} |"
        )
    imports = [steps[f"import_{i}"]["seconds"] for i in range(files) if f"import_{i}" in steps]
    bases = [steps[f"baseline_{i}"]["seconds"] for i in range(files) if f"baseline_{i}" in steps]
    if imports and bases:
        mean_import, mean_base = sum(imports) / len(imports), sum(bases) / len(bases)
        cpu = sum(steps[f"import_{i}"]["cpu"] for i in range(files) if f"import_{i}" in steps) / len(imports)
        print(
            f"import per snapshot: mean {mean_import:.2f} s (min {min(imports):.2f}, max {max(imports):.2f};"
            f" CPU {cpu:.2f} s) = {mean_import / mean_base:.1f}× the baseline's mean {mean_base:.2f} s"
        )


if __name__ == "__main__":
    sys.exit(main())
