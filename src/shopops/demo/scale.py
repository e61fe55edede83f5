"""A workspace at scale for query benchmarks: hundreds of Taobao/Tmall shops over years of days.

:func:`build_scale_workspace` registers shops 规模店001 … (each a deterministic variation of one of
the demo's profiles, :mod:`shopops.demo.profiles`: its SKUs at other prices, its ad channels at
another size, its conversion ±25 %, shop sizes spread log-normally around ``lines_per_shop_day``)
and writes their rows straight into the warehouse's canonical tables — ``orders``, ``order_lines``,
``refunds``, ``sycm_shop_day``, ``ad_plan_day``, ``affiliate_day``, ``product_master`` (with a cost
change in the middle of the range, like the demo's cost sheet) — plus one ``imports`` row per table
and shop, as an import of that shop's export over the whole range would leave it. It bypasses the
file import path on purpose: this is for measuring queries, not imports.

The rows have the demo simulation's patterns (weekdays, trend, 618/双11, refunds completing days
after payment, ad channels with their ROI, a stock-out, a 淘客 spike), but are drawn with numpy a shop
at a time (:mod:`shopops.demo.scale_rows`): ``simulate`` itself makes about 44,000 order lines a
second, minutes too slow for 10^7. Rows are inserted through Arrow in chunks of about a million,
so memory stays bounded whatever the size.

The returned :class:`ScaleManifest` (also written to ``scale_manifest.json`` in the workspace)
holds true totals counted from the drawn arrays, not read back from the warehouse, so a test or a
benchmark can check the master table against them to the cent. :func:`replicate` multiplies the
data inside DuckDB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from shopops.demo.profiles import PROFILES
from shopops.demo.scale_rows import LINES_PER_ORDER, MONEY, ORDERS_PER_BUYER, day_factors, shop_rows
from shopops.demo.simulation import ShopProfile, Sku
from shopops.workspace import Workspace

MANIFEST_NAME = "scale_manifest.json"
NAME_PREFIX = "规模店"
MAX_SHOPS = 999  # order ids hold the shop's number in three digits, as the demo's do
FLUSH_ROWS = 1_000_000  # rows kept in memory before they are inserted
# The tables filled, with the source an import of each would have come from and its file name.
SOURCES = {
    "orders": ("qianniu_orders", "ExportOrderList_{shop}_{span}.csv"),
    "order_lines": ("qianniu_order_lines", "ExportOrderDetailList_{shop}_{span}.csv"),
    "refunds": ("qianniu_refunds", "退款管理_{shop}.csv"),
    "sycm_shop_day": ("sycm_shop_daily", "【生意参谋平台】店铺整体_{shop}_{span}.csv"),
    "ad_plan_day": ("wxt_report", "万相台无界_报表_{shop}_{span}.zip"),
    "affiliate_day": ("taobao_union", "淘宝联盟_{shop}.csv"),
    "product_master": ("product_master", "商品资料_{shop}.xlsx"),
}
TABLES = tuple(SOURCES)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ScaleManifest:
    """What a scale workspace holds, and its true totals (paid orders, by payment date)."""

    shops: int
    days: int
    start: dt.date
    end: dt.date
    seed: int
    orders: int
    order_lines: int
    refunds: int
    gmv: Decimal  # 支付金额: the paid orders' 总金额
    paid_orders: int
    units: int
    shop_gmv: tuple[tuple[str, Decimal], ...] = field(default=())  # a few shops' GMV over the range
    names: tuple[str, ...] = field(default=(), repr=False)  # every shop
    replicas: int = 1  # the generated rows are in the warehouse this many times (see replicate)

    def gmv_of(self, shop: str) -> Decimal:
        return dict(self.shop_gmv)[shop]

    def to_json(self) -> str:
        data = asdict(self)
        data |= {"start": self.start.isoformat(), "end": self.end.isoformat(), "gmv": str(self.gmv)}
        data["shop_gmv"] = [[shop, str(gmv)] for shop, gmv in self.shop_gmv]
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> ScaleManifest:
        data = json.loads(text)
        return cls(
            **data
            | {
                "start": dt.date.fromisoformat(data["start"]),
                "end": dt.date.fromisoformat(data["end"]),
                "gmv": Decimal(data["gmv"]),
                "shop_gmv": tuple((shop, Decimal(gmv)) for shop, gmv in data["shop_gmv"]),
                "names": tuple(data["names"]),
            }
        )


def read_manifest(root: Path) -> ScaleManifest:
    return ScaleManifest.from_json((root / MANIFEST_NAME).read_text(encoding="utf-8"))


def shop_names(shops: int) -> list[str]:
    width = max(3, len(str(shops)))
    return [f"{NAME_PREFIX}{index:0{width}d}" for index in range(1, shops + 1)]


def _cents(value: Decimal, factor: float) -> Decimal:
    return (value * Decimal(str(round(factor, 4)))).quantize(Decimal("0.01"))


def _price(value: Decimal, factor: float) -> Decimal:
    """A shop's own price for the demo's SKU: whole yuan less ten cents (79.00 × 1.1 → 86.90)."""
    return max(Decimal("1.90"), Decimal(round(float(value) * factor)) - Decimal("0.10"))


def scale_profiles(
    shops: int, start: dt.date, days: int, seed: int, lines_per_shop_day: float
) -> list[ShopProfile]:
    """The shops' profiles: demo profiles varied per shop, sized so a shop-day has ``lines_per_shop_day``
    order lines on average (each shop its share of a log-normal spread)."""
    rng = np.random.default_rng([seed, 0])
    expected, promo = day_factors(start, days)
    lift = float(np.mean(expected * np.where(promo > 1.4, 1.15, 1.0)))
    weights = rng.lognormal(0.0, 0.5, shops)
    weights /= weights.mean()
    profiles = []
    for index, (name, weight) in enumerate(zip(shop_names(shops), weights, strict=True), start=1):
        base = PROFILES[int(rng.integers(0, len(PROFILES)))]
        conversion = base.conversion * float(rng.uniform(0.8, 1.25))
        factor = float(rng.uniform(0.85, 1.3))
        buyers = lines_per_shop_day * float(weight) / (lift * ORDERS_PER_BUYER * LINES_PER_ORDER)
        size = buyers / (base.visitors * base.conversion)  # against the demo shop it varies
        skus = tuple(
            Sku(
                code=f"{sku.code}-{index:03d}",
                item_id=str(int(sku.item_id) + index * 1000),
                title=sku.title,
                price=_price(sku.price, factor),
                cost=None if sku.cost is None else _cents(sku.cost, factor),
                new_cost=None if sku.new_cost is None else _cents(sku.new_cost, factor),
            )
            for sku in base.skus
        )
        channels = {
            channel: (plans, per_plan * size, roi * float(rng.uniform(0.85, 1.15)))
            for channel, (plans, per_plan, roi) in base.channels.items()
        }
        profiles.append(
            replace(
                base,
                name=name,
                visitors=max(1, round(buyers / conversion)),
                conversion=conversion,
                skus=skus,
                channels=channels,
                affiliate=base.affiliate * size,
            )
        )
    return profiles


class _Writer:
    """Inserts frames per table through Arrow, about FLUSH_ROWS at a time, on a thread of its own.

    DuckDB's insert of a chunk runs mostly on one core (its CPU time is about twice the drawing's):
    the next shops are drawn meanwhile on the other (numpy and polars release the GIL). At most two
    chunks wait, so memory stays bounded.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.cursor = con.cursor()
        self.cursor.execute("SET enable_progress_bar = false")
        self.pending: dict[str, list[pl.DataFrame]] = {}
        self.rows = 0
        self.error: BaseException | None = None
        self.chunks: queue.Queue[dict[str, list[pl.DataFrame]] | None] = queue.Queue(maxsize=1)
        self.thread = threading.Thread(target=self._run, name="scale-writer", daemon=True)
        self.thread.start()

    def add(self, table: str, frame: pl.DataFrame) -> None:
        self.pending.setdefault(table, []).append(frame)
        self.rows += len(frame)
        if self.rows >= FLUSH_ROWS:
            self._hand_over()

    def _hand_over(self) -> None:
        if self.pending:
            self.chunks.put(self.pending)
        self.pending, self.rows = {}, 0

    def close(self) -> None:
        """Insert what is left and wait for the thread; its error, if any, is raised here."""
        self._hand_over()
        self.chunks.put(None)
        self.thread.join()
        self.cursor.close()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """Stop the thread without inserting what is still waiting (the build failed)."""
        self.pending = {}
        self.chunks.put(None)
        self.thread.join()
        self.cursor.close()

    def _run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is None:  # after a failure keep taking chunks, so that add() never blocks
                try:
                    for table, frames in chunk.items():
                        self._insert(table, pl.concat(frames, how="vertical"))
                except BaseException as error:
                    self.error = error

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        # large_string, not polars' string_view: DuckDB inserts it about a quarter faster
        chunk = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
        money = MONEY.get(table, ())
        columns = chunk.column_names
        values = [f"CAST({c} AS DECIMAL(18, 0)) * 0.01" if c in money else c for c in columns]
        self.cursor.register("_scale_chunk", chunk)
        try:
            self.cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM _scale_chunk"
            )
        finally:
            self.cursor.unregister("_scale_chunk")


def build_scale_workspace(
    root: Path,
    *,
    shops: int,
    days: int,
    end: dt.date,
    seed: int = 7,
    lines_per_shop_day: float = 68.0,
    progress: Progress | None = None,
) -> ScaleManifest:
    """A new workspace at ``root`` with ``shops`` shops × ``days`` days up to ``end`` (see the module)."""
    if not 1 <= shops <= MAX_SHOPS:
        raise ValueError(f"shops must be between 1 and {MAX_SHOPS}, not {shops}")
    if days < 1 or lines_per_shop_day <= 0:
        raise ValueError("days and lines_per_shop_day must be positive")
    start = end - dt.timedelta(days=days - 1)
    profiles = scale_profiles(shops, start, days, seed, lines_per_shop_day)
    with Workspace.init(root) as workspace:
        con = workspace.connection
        if workspace.shops():
            raise ValueError(f"{root} already has shops: a scale workspace needs an empty one")
        for profile in profiles:
            workspace.add_shop(profile.name, profile.platform, profile.fee_rate)
        totals, gmv_by_shop = _fill(con, profiles, start, days, seed, progress)
        con.execute("CHECKPOINT")
    names = [p.name for p in profiles]
    sample = sorted({names[0], names[len(names) // 2], names[-1]})
    manifest = ScaleManifest(
        shops=shops,
        days=days,
        start=start,
        end=end,
        seed=seed,
        orders=int(totals[0]),
        order_lines=int(totals[1]),
        refunds=int(totals[2]),
        gmv=_yuan(int(totals[3])),
        paid_orders=int(totals[4]),
        units=int(totals[5]),
        shop_gmv=tuple((name, _yuan(gmv_by_shop[name])) for name in sample),
        names=tuple(names),
    )
    (root / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _fill(
    con: duckdb.DuckDBPyConnection,
    profiles: Sequence[ShopProfile],
    start: dt.date,
    days: int,
    seed: int,
    progress: Progress | None,
) -> tuple[np.ndarray, dict[str, int]]:
    """Draw and insert every shop's rows and their imports; the totals (see ShopTruth) and GMV per shop."""
    ids = iter(_import_ids(con, len(profiles) * len(TABLES)))
    writer = _Writer(con)
    imports: list[dict[str, object]] = []
    totals = np.zeros(6, np.int64)
    gmv_by_shop: dict[str, int] = {}
    try:
        for index, profile in enumerate(profiles, start=1):
            rows = shop_rows(profile, index, start, days, seed)
            for table, frame in rows.tables.items():
                import_id = next(ids)
                writer.add(
                    table,
                    frame.with_columns(
                        shop=pl.lit(profile.name),
                        import_id=pl.lit(import_id, dtype=pl.Int64),
                        source_row=pl.int_range(2, len(frame) + 2, dtype=pl.Int32),
                    ),
                )
                imports.append(
                    _import_row(import_id, table, profile.name, len(frame), rows.dates[table], seed)
                )
            truth = rows.truth
            totals += [
                truth.orders,
                truth.order_lines,
                truth.refunds,
                truth.gmv_cents,
                truth.paid_orders,
                truth.units,
            ]
            gmv_by_shop[profile.name] = truth.gmv_cents
            if progress is not None:
                progress("shops", index, len(profiles))
    except BaseException:
        writer.abandon()
        raise
    writer.add("imports", pl.DataFrame(imports))
    writer.close()
    return totals, gmv_by_shop


def _yuan(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _import_ids(con: duckdb.DuckDBPyConnection, count: int) -> list[int]:
    """``count`` ids from the warehouse's import sequence, so later real imports don't collide."""
    return [
        row[0] for row in con.execute("SELECT nextval('import_id_seq') FROM range(?)", [count]).fetchall()
    ]


def _import_row(
    import_id: int, table: str, shop: str, rows: int, dates: Sequence[dt.date | None], seed: int
) -> dict[str, object]:
    source, file_name = SOURCES[table]
    first, last = dates
    span = f"{first:%Y%m%d}-{last:%Y%m%d}" if first and last else ""
    name = file_name.format(shop=shop, span=span)
    return {
        "import_id": import_id,
        "file_name": name,
        "file_hash": hashlib.sha256(f"scale:{seed}:{name}".encode()).hexdigest(),
        "source_key": source,
        "target_table": table,
        "shops": shop,
        "rows_imported": rows,
        "rows_replaced": 0,
        "date_min": first,
        "date_max": last,
        # the morning after the range: every day of it was over when its exports were pulled
        "imported_at": dt.datetime.combine((last or dt.date(2000, 1, 1)) + dt.timedelta(days=1), dt.time(8)),
        "imported_by": "scale",
    }


def replicate(root: Path, factor: int, *, progress: Progress | None = None) -> ScaleManifest:
    """Multiply a scale workspace's data by ``factor`` inside DuckDB, the cheap way to 10^8 order lines.

    Every shop gets ``factor - 1`` copies (规模店001#2 …) holding the same rows — copied with
    ``INSERT … SELECT``, not drawn again — under imports of their own. The copies are registered
    directly in ``shops`` (no audit entry); the import id sequence is moved past the copies' ids.
    Query work grows ×factor as with real shops, but the data is repetitive (compression and join
    skew are kinder than on as many real shops).
    """
    manifest = read_manifest(root)
    if manifest.replicas != 1:
        raise ValueError(f"{root} is already replicated ×{manifest.replicas}")
    if factor < 2:
        raise ValueError("factor must be at least 2")
    with Workspace(root) as workspace:
        con = workspace.connection
        span = con.execute("SELECT max(import_id) FROM imports").fetchone()
        assert span is not None
        offset = int(span[0])
        originals = list(manifest.names)
        for copy in range(2, factor + 1):
            shift = (copy - 1) * offset
            with workspace.warehouse.transaction():
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _scale_copy AS SELECT name AS original,"
                    " name || ? AS copy FROM shops WHERE list_contains(?, name)",
                    [f"#{copy}", originals],
                )
                con.execute(
                    "INSERT INTO shops (name, platform, fee_rate) SELECT c.copy, s.platform, s.fee_rate"
                    " FROM shops s JOIN _scale_copy c ON c.original = s.name"
                )
                con.execute(
                    f"INSERT INTO imports SELECT i.* REPLACE (i.import_id + {shift} AS import_id, c.copy AS shops,"
                    " 'replicate' AS imported_by) FROM imports i JOIN _scale_copy c ON i.shops = c.original"
                )
                for table in TABLES:
                    con.execute(
                        f"INSERT INTO {table} SELECT t.* REPLACE (c.copy AS shop, t.import_id + {shift} AS import_id)"
                        f" FROM {table} t JOIN _scale_copy c ON t.shop = c.original"
                    )
            if progress is not None:
                progress("replicate", copy - 1, factor - 1)
        con.execute("DROP TABLE IF EXISTS _scale_copy")
        con.execute("SELECT max(nextval('import_id_seq')) FROM range(?)", [(factor - 1) * offset])
        con.execute("CHECKPOINT")
    copies = [f"{name}#{copy}" for copy in range(2, factor + 1) for name in originals]
    first = manifest.shop_gmv[0]
    result = replace(
        manifest,
        shops=manifest.shops * factor,
        orders=manifest.orders * factor,
        order_lines=manifest.order_lines * factor,
        refunds=manifest.refunds * factor,
        gmv=manifest.gmv * factor,
        paid_orders=manifest.paid_orders * factor,
        units=manifest.units * factor,
        shop_gmv=(*manifest.shop_gmv, (f"{first[0]}#{factor}", first[1])),
        names=(*manifest.names, *copies),
        replicas=factor,
    )
    (root / MANIFEST_NAME).write_text(result.to_json(), encoding="utf-8")
    return result
