"""Import benchmark: ShopOps against DuckDB's own CSV reader (the floor) and a pandas baseline.

Generates a 千牛 order-level CSV export and a 生意参谋 商品效果 workbook (deterministic seed),
then measures, each contender in a fresh ``spawn`` subprocess so memory peaks don't mix:

* ShopOps — ``Workspace.init`` + ``add_shop`` + ``import_file`` of the CSV; ``import_file`` of the
  workbook; ``master_table`` over the whole range;
* floor — ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` of the same CSV into a fresh DuckDB file;
* pandas — ``read_csv`` + daily paid orders / GMV by payment date; ``read_excel(engine="openpyxl")``
  + daily 支付金额.

It prints wall seconds, rows/s and peak RSS per contender, the goal ratios, a breakdown of where
the ShopOps CSV/xlsx import spends its time (by timing pipeline steps from outside, src/ untouched),
and checks that ShopOps' daily GMV and paid orders equal pandas' (exit status 1 on a mismatch).

    python benchmarks/import_benchmark.py                                   # full size (minutes)
    python benchmarks/import_benchmark.py --orders 20000 --items 4000       # CI smoke run (seconds)

See docs/benchmarks.md for the measured figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import multiprocessing as mp
import os
import platform
import queue
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import psutil  # type: ignore[import-untyped,unused-ignore]

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

SEED = 20241111
START = dt.date(2024, 9, 1)
DAYS = 90
SHOP = "基准旗舰店"
ITEM_TITLE_ROWS = 2  # title lines above the 生意参谋 header, as in real exports
MB = 1024 * 1024

# Goals (reported at every size, judged only at full size).
GOAL_CSV_VS_FLOOR = 2.0  # ShopOps CSV import time / DuckDB read_csv CTAS time: at most
GOAL_XLSX_VS_PANDAS = 10.0  # pandas openpyxl time / ShopOps xlsx import time: at least
GOAL_PEAK_MB = 1536.0  # ShopOps peak RSS: below
FULL_ORDERS = 1_000_000
FULL_ITEMS = 200_000

# Per day: (GMV in cents, count of paid orders / item rows).
Daily = dict[str, tuple[int, int]]
Result = dict[str, Any]

P = ParamSpec("P")
R = TypeVar("R")

# ---------------------------------------------------------------------------------------------
# Data generation
# ---------------------------------------------------------------------------------------------


def _words(text: str, separator: str = " ") -> tuple[str, ...]:
    return tuple(text.split(separator))


PROVINCES = _words(
    "浙江省 江苏省 广东省 上海 北京 山东省 四川省 湖北省 河南省 福建省 湖南省 安徽省 河北省 陕西省 辽宁省"
    " 重庆 天津 江西省 云南省 广西壮族自治区 山西省 黑龙江省 吉林省 贵州省 内蒙古自治区 新疆维吾尔自治区"
    " 甘肃省 海南省 宁夏回族自治区 青海省 西藏自治区"
)
CITIES = _words("杭州市 南京市 广州市 深圳市 成都市 武汉市 郑州市 厦门市 长沙市 合肥市")
DISTRICTS = _words("西湖区 滨江区 余杭区 天河区 南山区 高新区 江北区 经开区")
STREETS = _words("文一西路 人民路 解放路 中山路 建设路 学院路 长江路 新华街")
BUYER_PREFIXES = _words("tb t_15 小鱼儿 阿花 jimmy_ 快乐的猫 宝宝 sunny 海风 木子李")
ORDER_STATUSES = (
    "交易成功",
    "卖家已发货，等待买家确认",
    "买家已付款，等待卖家发货",
    "交易关闭",
    "等待买家付款",
)
BRANDS = ("【官方旗舰店】", "【顺丰包邮】", "【双11预售】", "", "【新品】")
PRODUCTS = _words(
    "保温杯 316不锈钢/纯棉T恤 男女同款/无线蓝牙耳机/护手霜 礼盒装/不粘锅 炒锅/羽绒服 轻薄款/儿童积木 益智"
    "/猫粮 全价成猫粮/瑜伽垫 加厚/洗衣凝珠 持久留香/机械键盘 青轴/电热水壶",
    "/",
)
SPECS = ("500ml", "大容量, 送礼", "2024新款", "XL码", "3件套", "家用, 办公两用", "官方正品")
ITEM_HEADER = _words(
    "统计日期 商品ID 商品名称 货号 商品访客数 商品浏览量 支付买家数 支付件数 支付金额"
    " 商品支付转化率 成功退款金额"
)


@dataclass
class Generated:
    path: Path
    rows: int
    seconds: float
    size_mb: float
    truth: Daily  # the generator's own daily totals, for a sanity check of the baselines

    def describe(self, unit: str) -> str:
        return f"{self.path.name}: {self.rows:,} {unit}, {self.size_mb:.1f} MB in {self.seconds:.1f} s"


def _title_pool() -> list[str]:
    return [f"{b}{p} {s}".strip() for p in PRODUCTS for s in SPECS for b in BRANDS]


def _pick(pool: tuple[str, ...] | list[str], index: np.ndarray) -> pl.Series:
    import polars as pl

    return pl.Series(list(pool), dtype=pl.String).gather(index)


def _money(column: str) -> pl.Expr:
    """Integer cents as the text a 千牛 export shows ("123.40")."""
    import polars as pl

    cents = pl.col(column)
    return (cents // 100).cast(pl.String) + "." + (cents % 100).cast(pl.String).str.zfill(2)


def generate_orders(path: Path, n: int, id_style: str = "raw", seed: int = SEED) -> Generated:
    """A 千牛 订单报表 CSV; ``id_style`` raw writes 订单编号 as the bare cell ``="2200…"`` (as 千牛 does),
    quoted writes the same value as a CSV-quoted field (inner quotes doubled)."""
    import numpy as np
    import polars as pl

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    titles = _title_pool()
    prices = rng.integers(990, 39_900, len(titles)) // 10 * 10  # cents, ending in 0
    # Oldest first for ids and times; written newest first like the real export.
    created = np.sort(rng.integers(0, DAYS * 86_400, n))
    delay = np.minimum(rng.exponential(900.0, n), 2 * 86_400).astype(np.int64)
    unpaid = rng.random(n) < 0.12
    title = rng.integers(0, len(titles), n)
    quantity = np.minimum(1 + rng.poisson(0.35, n), 9)
    postage = np.where(rng.random(n) < 0.85, 0, rng.choice(np.array([600, 800, 1000, 1200]), n))
    total = prices[title] * quantity + postage
    roll = rng.random(n)
    partial = (total * rng.uniform(0.1, 0.6, n)).astype(np.int64)
    refund = np.where(unpaid, 0, np.where(roll < 0.03, total, np.where(roll < 0.08, partial, 0)))
    status = np.where(
        unpaid,
        np.where(rng.random(n) < 0.7, 4, 3),
        np.where(refund == total, 3, rng.choice(np.array([0, 1, 2]), n, p=[0.75, 0.15, 0.10])),
    )
    stride = 1_000_003
    ids = 2_200_000_000_000_000_000 + np.arange(n, dtype=np.int64) * stride + rng.integers(0, stride, n)
    buyer_count = max(1, int(n * 0.7))
    buyer = rng.integers(0, buyer_count, n)
    frame = pl.DataFrame(
        {
            "id": ids,
            "created": created,
            "paid": np.where(unpaid, -1, created + delay),
            "total": total,
            "paid_amount": total - refund,
            "postage": postage,
            "refund": refund,
            "quantity": quantity,
            "buyer_no": 10_000_000 + buyer * 7,
        }
    ).with_columns(
        paid_amount=pl.when(pl.Series(unpaid)).then(0).otherwise(pl.col("paid_amount")),
        status=_pick(ORDER_STATUSES, status),
        prefix=_pick(BUYER_PREFIXES, buyer % len(BUYER_PREFIXES)),
        province=_pick(PROVINCES, rng.integers(0, len(PROVINCES), n)),
        city=_pick(CITIES, rng.integers(0, len(CITIES), n)),
        district=_pick(DISTRICTS, rng.integers(0, len(DISTRICTS), n)),
        street=_pick(STREETS, rng.integers(0, len(STREETS), n)),
        house=pl.Series(rng.integers(1, 999, n)),
        title=_pick(titles, title),
    )
    epoch = dt.datetime.combine(START, dt.time())
    stamp = "%Y-%m-%d %H:%M:%S"
    # quote_style="never" writes cells as they are: 订单编号 as ="…" (Excel keeps the digits),
    # 宝贝标题 quoted by hand because titles hold commas. No other cell has a comma or quote.
    id_open, id_close = ('="', '"') if id_style == "raw" else ('"=""', '"""')
    out = frame.reverse().select(
        (pl.lit(id_open) + pl.col("id").cast(pl.String) + id_close).alias("订单编号"),
        (pl.col("prefix") + pl.col("buyer_no").cast(pl.String)).alias("买家会员名"),
        pl.col("status").alias("订单状态"),
        _money("total").alias("总金额"),
        _money("paid_amount").alias("买家实际支付金额"),
        _money("postage").alias("买家应付邮费"),
        _money("refund").alias("退款金额"),
        (pl.lit(epoch) + pl.duration(seconds=pl.col("created"))).dt.strftime(stamp).alias("订单创建时间"),
        pl.when(pl.col("paid") >= 0)
        .then((pl.lit(epoch) + pl.duration(seconds=pl.col("paid"))).dt.strftime(stamp))
        .alias("订单付款时间"),
        pl.col("quantity").cast(pl.String).alias("宝贝总数量"),
        pl.concat_str(
            [
                pl.col("province"),
                pl.col("city"),
                pl.col("district"),
                pl.col("street") + pl.col("house").cast(pl.String) + "号",
                pl.lit("(000000)"),
            ],
            separator=" ",
        ).alias("收货地址"),
        ('"' + pl.col("title").str.replace_all('"', '""') + '"').alias("宝贝标题"),
    )
    out.write_csv(path, quote_style="never", null_value="")
    truth = _daily(
        frame.filter(pl.col("paid") >= 0).select(
            (pl.lit(START) + pl.duration(days=pl.col("paid") // 86_400)).cast(pl.Date).alias("day"),
            pl.col("total"),
        )
    )
    return Generated(path, n, time.perf_counter() - started, path.stat().st_size / MB, truth)


def _daily(frame: pl.DataFrame) -> Daily:
    """``day`` (date) and ``total`` (cents) → per day (sum, count)."""
    import polars as pl

    grouped = frame.group_by("day").agg(pl.col("total").sum(), pl.len()).sort("day")
    return {str(day): (int(total), int(count)) for day, total, count in grouped.iter_rows()}


def generate_items(path: Path, m: int, seed: int = SEED) -> Generated:
    import numpy as np
    import polars as pl
    import xlsxwriter

    started = time.perf_counter()
    rng = np.random.default_rng(seed + 1)
    days = max(1, min(DAYS, m))
    per_day = math.ceil(m / days)
    titles = _title_pool()
    item_price = rng.integers(990, 59_900, per_day) // 10 * 10
    item_pop = rng.lognormal(3.0, 1.2, per_day)
    item_conv = rng.uniform(0.005, 0.08, per_day)
    day = np.repeat(np.arange(days), per_day)[:m]
    item = np.tile(np.arange(per_day), days)[:m]
    weekday_factor = 1.0 + 0.3 * np.sin(day / 7 * 2 * np.pi)
    visitors = rng.poisson(item_pop[item] * weekday_factor)
    buyers = rng.binomial(visitors, item_conv[item])
    units = buyers + rng.poisson(buyers * 0.2)
    gmv = units * item_price[item]
    refund = np.where(rng.random(m) < 0.1, (gmv * rng.uniform(0.0, 0.5, m)).astype(np.int64), 0)
    basis_points = np.where(visitors > 0, np.round(buyers * 10_000 / np.maximum(visitors, 1)), 0).astype(
        np.int64
    )
    item_ids = (
        600_000_000_000 + np.arange(per_day, dtype=np.int64) * 37_813 + rng.integers(0, 37_813, per_day)
    )
    frame = pl.DataFrame(
        {
            "day": day,
            "item_id": item_ids[item],
            "title": _pick(titles, item % len(titles)),
            "code": item,
            "visitors": visitors,
            "pageviews": visitors + rng.poisson(visitors * 1.4),
            "buyers": buyers,
            "units": units,
            "gmv": gmv,
            "bp": basis_points,
            "refund": refund,
        }
    )
    rows = frame.select(
        (pl.lit(START) + pl.duration(days=pl.col("day"))).cast(pl.Date).cast(pl.String).alias("date"),
        pl.col("item_id").cast(pl.String),
        pl.col("title"),
        ("HH-" + pl.col("code").cast(pl.String).str.zfill(5)).alias("code"),
        pl.col("visitors"),
        pl.col("pageviews"),
        pl.col("buyers"),
        pl.col("units"),
        pl.col("gmv") / 100,
        (
            (pl.col("bp") // 100).cast(pl.String)
            + "."
            + (pl.col("bp") % 100).cast(pl.String).str.zfill(2)
            + "%"
        ).alias("conversion"),
        pl.col("refund") / 100,
    )
    last_day = START + dt.timedelta(days=days - 1)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("商品效果")
    sheet.write_string(0, 0, f"生意参谋 · 品类 · 商品效果  统计时间 {START} ~ {last_day}")
    sheet.write_string(1, 0, f"店铺：{SHOP}  终端：所有终端")
    sheet.write_row(ITEM_TITLE_ROWS, 0, ITEM_HEADER)
    write_row = sheet.write_row
    for index, row in enumerate(rows.iter_rows(), start=ITEM_TITLE_ROWS + 1):
        write_row(index, 0, row)
    workbook.close()
    truth = _daily(
        frame.select(
            (pl.lit(START) + pl.duration(days=pl.col("day"))).cast(pl.Date).alias("day"),
            pl.col("gmv").alias("total"),
        )
    )
    return Generated(path, m, time.perf_counter() - started, path.stat().st_size / MB, truth)


# ---------------------------------------------------------------------------------------------
# Contenders — each runs in its own spawned process
# ---------------------------------------------------------------------------------------------


def _timed(name: str, timings: dict[str, float], function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - began

    return wrapper


def _instrument_pipeline() -> dict[str, float]:
    """Time the steps of ``Importer.import_file`` from outside (patched in this child process only)."""
    import fastexcel

    from shopops.ingest import pipeline
    from shopops.ingest.readers import text
    from shopops.ingest.readers.table import RawExport
    from shopops.ingest.sources import SourceRegistry

    timings: dict[str, float] = {}
    pipeline.file_hash = _timed("file_hash (sha256, beside raw.load)", timings, pipeline.file_hash)
    pipeline.read_export = _timed("read_export", timings, pipeline.read_export)  # type: ignore[attr-defined]
    text.detect_encoding = _timed("  detect_encoding (read_export)", timings, text.detect_encoding)
    fastexcel.ExcelReader.load_sheet = _timed(  # type: ignore[method-assign]
        "  fastexcel sheet parse (read_export)", timings, fastexcel.ExcelReader.load_sheet
    )
    fastexcel.ExcelSheet.to_arrow = _timed(  # type: ignore[method-assign]
        "  fastexcel to_arrow (read_export)", timings, fastexcel.ExcelSheet.to_arrow
    )
    SourceRegistry.detect = _timed("detect source", timings, SourceRegistry.detect)  # type: ignore[method-assign]
    Importer = pipeline.Importer
    RawExport.load = _timed("raw.load (file → DuckDB text table)", timings, RawExport.load)  # type: ignore[method-assign]
    Importer._stage = _timed("_stage (parse, flags, row filter)", timings, Importer._stage)  # type: ignore[method-assign]
    Importer._validate = _timed("_validate", timings, Importer._validate)  # type: ignore[method-assign]
    Importer._load = _timed("_load (replace + insert)", timings, Importer._load)  # type: ignore[method-assign]
    return timings


def run_shopops_csv(workspace: str, csv_path: str) -> Result:
    from shopops import Workspace

    timings = _instrument_pipeline()
    began = time.perf_counter()
    ws = Workspace.init(Path(workspace))
    ws.add_shop(SHOP, "tmall")
    init_seconds = time.perf_counter() - began
    began = time.perf_counter()
    result = ws.import_file(Path(csv_path), shop=SHOP)
    seconds = time.perf_counter() - began
    ws.close()
    return {"seconds": seconds, "rows": result.rows, "init_seconds": init_seconds, "phases": timings}


def run_shopops_xlsx(workspace: str, xlsx_path: str) -> Result:
    from shopops import Workspace

    timings = _instrument_pipeline()
    ws = Workspace.open(Path(workspace))
    began = time.perf_counter()
    result = ws.import_file(Path(xlsx_path), shop=SHOP)
    seconds = time.perf_counter() - began
    ws.close()
    return {"seconds": seconds, "rows": result.rows, "phases": timings}


def run_shopops_master(workspace: str, start: str, end: str) -> Result:
    from decimal import Decimal

    from shopops import Workspace

    ws = Workspace.open(Path(workspace))
    began = time.perf_counter()
    frame = ws.master_table(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    seconds = time.perf_counter() - began
    orders: Daily = {}
    for day, gmv, paid_orders in frame.select("date", "gmv", "paid_orders").iter_rows():
        cents = int(Decimal(str(gmv)) * 100) if gmv is not None else 0
        if cents or paid_orders:
            orders[str(day)] = (cents, int(paid_orders or 0))
    items: Daily = {
        str(day): (int(cents), int(count))
        for day, cents, count in ws.connection.execute(
            "SELECT date, CAST(sum(gmv) * 100 AS BIGINT), count(*) FROM sycm_item_day"
            " WHERE shop = ? GROUP BY date",
            [SHOP],
        ).fetchall()
    }
    ws.close()
    return {"seconds": seconds, "rows": frame.height, "orders": orders, "items": items}


def run_floor(database: str, csv_path: str) -> Result:
    import duckdb

    began = time.perf_counter()
    con = duckdb.connect(database)
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [csv_path])
    row = con.execute("SELECT count(*) FROM t").fetchone()
    con.close()
    return {"seconds": time.perf_counter() - began, "rows": int(row[0]) if row else 0}


def run_pandas_csv(csv_path: str) -> Result:
    import pandas as pd

    began = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype={"订单编号": str, "买家会员名": str})
    read_seconds = time.perf_counter() - began
    paid = frame[frame["订单付款时间"].notna()]
    day = pd.to_datetime(paid["订单付款时间"], format="%Y-%m-%d %H:%M:%S").dt.date
    cents = (paid["总金额"] * 100).round().astype("int64")
    daily = cents.groupby(day).agg(["sum", "count"])
    seconds = time.perf_counter() - began
    orders: Daily = {
        str(d): (int(s), int(c)) for d, s, c in zip(daily.index, daily["sum"], daily["count"], strict=True)
    }
    return {"seconds": seconds, "rows": len(frame), "read_seconds": read_seconds, "orders": orders}


def run_pandas_xlsx(xlsx_path: str) -> Result:
    import pandas as pd

    began = time.perf_counter()
    frame = pd.read_excel(
        xlsx_path, engine="openpyxl", header=ITEM_TITLE_ROWS, dtype={"商品ID": str, "统计日期": str}
    )
    read_seconds = time.perf_counter() - began
    cents = (frame["支付金额"] * 100).round().astype("int64")
    daily = cents.groupby(frame["统计日期"]).agg(["sum", "count"])
    seconds = time.perf_counter() - began
    items: Daily = {
        str(d): (int(s), int(c)) for d, s, c in zip(daily.index, daily["sum"], daily["count"], strict=True)
    }
    return {"seconds": seconds, "rows": len(frame), "read_seconds": read_seconds, "items": items}


CONTENDERS: dict[str, Callable[..., Result]] = {
    "shopops_csv": run_shopops_csv,
    "shopops_xlsx": run_shopops_xlsx,
    "shopops_master": run_shopops_master,
    "floor": run_floor,
    "pandas_csv": run_pandas_csv,
    "pandas_xlsx": run_pandas_xlsx,
}


def _peak_rss_self() -> int | None:
    """This process's RSS high-water mark in bytes (VmHWM: of this address space only, not the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _child(name: str, kwargs: dict[str, str], results: Queue[Result]) -> None:
    try:
        result = CONTENDERS[name](**kwargs)
        result["peak_rss"] = _peak_rss_self()
    except BaseException:
        result = {"error": traceback.format_exc(), "peak_rss": _peak_rss_self()}
    results.put(result)


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    contender: str
    file: str
    rows: int
    seconds: float
    peak_mb: float
    detail: Result = field(default_factory=dict)
    error: str | None = None  # the traceback, when the contender failed

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("nan")

    @property
    def failure(self) -> str:
        """The last line of the traceback (the exception), or "" when it ran."""
        return self.error.strip().splitlines()[-1] if self.error else ""


def _poll_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    try:
        process = psutil.Process(pid)
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            stop.wait(0.02)
    except psutil.Error:
        pass


def measure(contender: str, label: str, file: str, **kwargs: str) -> Measurement:
    """Run one contender in a fresh spawned process; its peak RSS is its own high-water mark."""
    context = mp.get_context("spawn")
    results: Queue[Result] = context.Queue()
    process = context.Process(target=_child, args=(contender, kwargs, results), name=contender)
    process.start()
    assert process.pid is not None
    stop, polled = threading.Event(), [0]
    poller = threading.Thread(target=_poll_rss, args=(process.pid, stop, polled), daemon=True)
    poller.start()
    while True:
        try:
            result = results.get(timeout=0.5)
            break
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"{label}: subprocess died with exit code {process.exitcode}") from None
    process.join()
    stop.set()
    poller.join()
    peak = result.pop("peak_rss") or polled[0]
    if "error" in result:
        failed = Measurement(label, file, 0, float("nan"), peak / MB, error=str(result["error"]))
        print(f"  {label:<24} FAILED: {failed.failure}", flush=True)
        return failed
    measurement = Measurement(
        label, file, int(result.pop("rows")), float(result.pop("seconds")), peak / MB, result
    )
    print(
        f"  {label:<24} {measurement.seconds:9.2f} s  {measurement.rows_per_second:>12,.0f} rows/s"
        f"  {measurement.peak_mb:8.0f} MB peak",
        flush=True,
    )
    return measurement


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def compare(name: str, got: Mapping[str, tuple[int, int]], want: Mapping[str, tuple[int, int]]) -> bool:
    days = sorted(set(got) | set(want))
    bad = [d for d in days if got.get(d, (0, 0)) != want.get(d, (0, 0))]
    total_got = tuple(sum(v[i] for v in got.values()) for i in (0, 1))
    total_want = tuple(sum(v[i] for v in want.values()) for i in (0, 1))
    status = "OK" if not bad else "MISMATCH"
    print(
        f"  {name}: {status} — {len(days)} days, GMV {total_got[0] / 100:,.2f} vs {total_want[0] / 100:,.2f},"
        f" count {total_got[1]:,} vs {total_want[1]:,}"
    )
    for day in bad[:5]:
        print(f"    {day}: ShopOps {got.get(day)} ≠ reference {want.get(day)}")
    return not bad


def goal_line(name: str, value: float, shown: str, goal: str, met: bool, judged: bool) -> None:
    if math.isnan(value):
        print(f"  {name:<30} n/a  (goal {goal})  not measured: a contender failed or was skipped")
        return
    if judged:
        outcome = "MET" if met else "MISSED"
    else:
        outcome = ("met" if met else "missed") + " (not judged below full size)"
    print(f"  {name:<30} {shown}  (goal {goal})  {outcome}")


def print_table(measurements: list[Measurement]) -> None:
    print()
    print(f"{'contender':<24} {'file':<12} {'rows':>10} {'seconds':>9} {'rows/s':>12} {'peak MB':>8}")
    print("-" * 80)
    for m in measurements:
        if m.error:
            print(f"{m.contender:<24} {m.file:<12} {'FAILED':>10} {'—':>9} {'—':>12} {m.peak_mb:>8.0f}")
            continue
        print(
            f"{m.contender:<24} {m.file:<12} {m.rows:>10,} {m.seconds:>9.2f} {m.rows_per_second:>12,.0f}"
            f" {m.peak_mb:>8.0f}"
        )


def print_phases(title: str, total: float, phases: Mapping[str, float]) -> None:
    print(f"\n{title} — where the {total:.2f} s go (steps of Importer.import_file, timed from outside):")
    for name, seconds in phases.items():
        print(f"  {name:<38} {seconds:8.2f} s  {100 * seconds / total:5.1f} %")


def machine() -> dict[str, str]:
    from importlib.metadata import version

    import duckdb
    import polars

    return {
        "cpus": str(os.cpu_count()),
        "ram_gb": f"{psutil.virtual_memory().total / 1024**3:.1f}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars.__version__,
        "fastexcel": version("fastexcel"),
        "python-calamine": version("python-calamine"),
        "pandas": version("pandas"),
        "openpyxl": version("openpyxl"),
        "platform": platform.platform(),
        "shopops": _source_revision(),
    }


def _source_revision() -> str:
    """The commit of the measured ShopOps source, marked dirty when src/ has uncommitted changes."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' + uncommitted src changes' if dirty else ''}"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--orders", type=int, default=FULL_ORDERS, help="千牛 orders in the CSV (default 1,000,000)"
    )
    parser.add_argument(
        "--items", type=int, default=FULL_ITEMS, help="生意参谋 rows in the xlsx (default 200,000)"
    )
    parser.add_argument("--workdir", type=Path, help="where the files go (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and warehouses")
    parser.add_argument(
        "--skip-pandas-xlsx", action="store_true", help="skip pandas.read_excel (openpyxl is slow)"
    )
    parser.add_argument(
        "--id-style",
        choices=("raw", "quoted"),
        default="raw",
        help='订单编号 as the bare cell ="2200…" like 千牛 writes it (default), or CSV-quoted "=""2200…"""',
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.items < 1:
        parser.error("--orders and --items must be at least 1")
    return args


@dataclass
class Measured:
    shop_csv: Measurement
    shop_xlsx: Measurement
    shop_master: Measurement
    floor: Measurement
    pandas_csv: Measurement
    pandas_xlsx: Measurement | None

    @property
    def all(self) -> list[Measurement]:
        found = [
            self.shop_csv,
            self.shop_xlsx,
            self.shop_master,
            self.floor,
            self.pandas_csv,
            self.pandas_xlsx,
        ]
        return [m for m in found if m is not None]


def measure_all(
    workdir: Path, csv_path: Path, xlsx_path: Path, days: tuple[str, str], pandas_xlsx: bool
) -> Measured:
    workspace, floor_db = workdir / "workspace", workdir / "floor.duckdb"
    for stale in (workspace, floor_db):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    print("\nmeasuring (each in a fresh subprocess):")
    csv, xlsx, ws = str(csv_path), str(xlsx_path), str(workspace)
    return Measured(
        shop_csv=measure("shopops_csv", "ShopOps import CSV", "csv", workspace=ws, csv_path=csv),
        shop_xlsx=measure("shopops_xlsx", "ShopOps import xlsx", "xlsx", workspace=ws, xlsx_path=xlsx),
        shop_master=measure(
            "shopops_master", "ShopOps master_table", "warehouse", workspace=ws, start=days[0], end=days[1]
        ),
        floor=measure("floor", "DuckDB read_csv (floor)", "csv", database=str(floor_db), csv_path=csv),
        pandas_csv=measure("pandas_csv", "pandas read_csv+groupby", "csv", csv_path=csv),
        pandas_xlsx=(
            measure("pandas_xlsx", "pandas read_excel+groupby", "xlsx", xlsx_path=xlsx)
            if pandas_xlsx
            else None
        ),
    )


def report_goals(measured: Measured, full: bool) -> dict[str, float]:
    shop_csv, shop_xlsx, pandas_xlsx = measured.shop_csv, measured.shop_xlsx, measured.pandas_xlsx
    csv_ratio = shop_csv.seconds / measured.floor.seconds
    xlsx_ratio = pandas_xlsx.seconds / shop_xlsx.seconds if pandas_xlsx is not None else float("nan")
    peak = max(shop_csv.peak_mb, shop_xlsx.peak_mb, measured.shop_master.peak_mb)
    print("\ngoals:")
    goal_line(
        "ShopOps CSV / DuckDB floor",
        csv_ratio,
        f"{csv_ratio:7.2f}×",
        f"≤ {GOAL_CSV_VS_FLOOR:g}×",
        csv_ratio <= GOAL_CSV_VS_FLOOR,
        full,
    )
    goal_line(
        "pandas xlsx / ShopOps xlsx",
        xlsx_ratio,
        f"{xlsx_ratio:7.2f}×",
        f"≥ {GOAL_XLSX_VS_PANDAS:g}×",
        xlsx_ratio >= GOAL_XLSX_VS_PANDAS,
        full,
    )
    goal_line(
        "ShopOps peak RSS", peak, f"{peak:5.0f} MB", f"< {GOAL_PEAK_MB:g} MB", peak < GOAL_PEAK_MB, full
    )
    if "init_seconds" in shop_csv.detail:
        print(
            f"  (info) pandas CSV / ShopOps CSV {measured.pandas_csv.seconds / shop_csv.seconds:.2f}×;"
            f" ShopOps init+add_shop {shop_csv.detail['init_seconds']:.2f} s (not in the CSV time)"
        )
    return {"csv_vs_floor": csv_ratio, "pandas_xlsx_vs_shopops": xlsx_ratio, "shopops_peak_mb": peak}


def check(measured: Measured, orders: Generated, items: Generated) -> bool:
    print("\ncorrectness (daily GMV in cents and counts, ShopOps vs reference):")
    failed = [m for m in measured.all if m.error]
    for m in failed:
        print(f"  {m.contender}: FAILED — {m.failure}")
    ok = measured.shop_csv.rows == orders.rows and measured.shop_xlsx.rows == items.rows
    print(
        f"  row counts: {'OK' if ok else 'MISMATCH'} — imported {measured.shop_csv.rows:,} of {orders.rows:,}"
        f" orders, {measured.shop_xlsx.rows:,} of {items.rows:,} item rows"
    )
    shop = measured.shop_master.detail
    pandas_csv, pandas_xlsx = measured.pandas_csv.detail, measured.pandas_xlsx
    if "orders" in shop and "orders" in pandas_csv:
        ok &= compare("orders: master_table gmv/paid_orders vs pandas", shop["orders"], pandas_csv["orders"])
    if "orders" in pandas_csv:
        ok &= compare("orders: pandas vs generator", pandas_csv["orders"], orders.truth)
    if "items" in shop and pandas_xlsx is not None and "items" in pandas_xlsx.detail:
        ok &= compare("items: sycm_item_day gmv/rows vs pandas", shop["items"], pandas_xlsx.detail["items"])
    elif "items" in shop:
        ok &= compare("items: sycm_item_day gmv/rows vs generator", shop["items"], items.truth)
    return ok and not failed


def run(args: argparse.Namespace, workdir: Path) -> int:
    csv_path, xlsx_path = workdir / "qianniu_orders.csv", workdir / "sycm_item_daily.xlsx"
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"workdir: {workdir}")
    orders = generate_orders(csv_path, args.orders, args.id_style)
    print(f"generated {orders.describe('orders')}")
    items = generate_items(xlsx_path, args.items)
    print(f"generated {items.describe('rows')}")
    days = (min(orders.truth | items.truth), max(orders.truth | items.truth))
    measured = measure_all(workdir, csv_path, xlsx_path, days, not args.skip_pandas_xlsx)
    print_table(measured.all)
    ratios = report_goals(measured, full=args.orders >= FULL_ORDERS and args.items >= FULL_ITEMS)
    for title, m in (("ShopOps CSV import", measured.shop_csv), ("ShopOps xlsx import", measured.shop_xlsx)):
        if not m.error:
            print_phases(title, m.seconds, m.detail["phases"])
    ok = check(measured, orders, items)
    if args.json is not None:
        report = {
            "machine": info,
            "orders": args.orders,
            "items": args.items,
            "measurements": [
                {**asdict(m), "rows_per_second": m.rows_per_second, "detail": _summary(m.detail)}
                for m in measured.all
            ],
            "ratios": ratios,
            "correct": ok,
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\nresult: " + ("OK" if ok else "FAILED" if any(m.error for m in measured.all) else "MISMATCH"))
    return 0 if ok else 1


def _summary(detail: Result) -> Result:
    return {k: v for k, v in detail.items() if k not in ("orders", "items")}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    created = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="shopops-bench-")) if created else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            print(f"kept files in {workdir}")
        elif created:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            for name in ("qianniu_orders.csv", "sycm_item_daily.xlsx", "workspace", "floor.duckdb"):
                target = workdir / name
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
