"""The scale generator (shopops.demo.scale): warehouse rows, their true totals, replicate — at small sizes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from shopops.demo.profiles import CLOUD
from shopops.demo.scale import (
    TABLES,
    ScaleManifest,
    build_scale_workspace,
    read_manifest,
    replicate,
    scale_profiles,
)
from shopops.demo.scale_rows import shop_rows
from shopops.demo.simulation import simulate
from shopops.metrics.master import master_table
from shopops.workspace import Workspace

END = dt.date(2026, 11, 30)
SHOPS, DAYS = 3, 20


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScaleManifest]:
    root = tmp_path_factory.mktemp("scale")
    seen: list[tuple[str, int, int]] = []
    manifest = build_scale_workspace(
        root, shops=SHOPS, days=DAYS, end=END, progress=lambda *step: seen.append(step)
    )
    assert seen == [("shops", i, SHOPS) for i in range(1, SHOPS + 1)]
    return root, manifest


def _sums(frame: pl.DataFrame) -> tuple[Decimal, int, int]:
    row = frame.select(pl.col("gmv").sum(), pl.col("paid_orders").sum(), pl.col("units").sum()).row(0)
    return Decimal(row[0]), row[1], row[2]


def _truth(manifest: ScaleManifest) -> tuple[Decimal, int, int]:
    return manifest.gmv, manifest.paid_orders, manifest.units


def test_manifest_counts_match_the_warehouse(built: tuple[Path, ScaleManifest]) -> None:
    root, manifest = built
    assert (manifest.shops, manifest.days, manifest.start, manifest.end) == (
        SHOPS,
        DAYS,
        dt.date(2026, 11, 11),
        END,
    )
    assert read_manifest(root) == manifest
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert count("SELECT count(*) FROM order_lines") == manifest.order_lines
    assert count("SELECT count(*) FROM orders") == manifest.orders
    assert count("SELECT count(*) FROM refunds") == manifest.refunds
    assert count("SELECT count(*) FROM orders WHERE paid_at IS NOT NULL") == manifest.paid_orders
    assert count("SELECT sum(total_amount) FROM orders WHERE paid_at IS NOT NULL") == manifest.gmv
    # about 68 lines per shop-day, the shops' sizes spread around it
    assert 50 * SHOPS * DAYS < manifest.order_lines < 90 * SHOPS * DAYS
    assert [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()] == [
        "规模店001",
        "规模店002",
        "规模店003",
    ]
    assert {row[0] for row in con.execute("SELECT DISTINCT platform FROM shops").fetchall()} <= {
        "tmall",
        "taobao",
    }
    con.close()


def test_one_import_per_table_and_shop_with_its_rows(built: tuple[Path, ScaleManifest]) -> None:
    root, manifest = built
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    imports = con.execute(
        "SELECT import_id, target_table, shops, rows_imported, date_min, date_max FROM imports ORDER BY import_id"
    ).fetchall()
    assert len(imports) == len(TABLES) * SHOPS
    assert len({row[0] for row in imports}) == len(imports)
    for import_id, table, shop, rows, first, last in imports:
        counted = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE shop = ?) FROM {table} WHERE import_id = ?",
            [shop, import_id],
        ).fetchone()
        assert counted == (rows, rows), (table, shop)
        if table in ("orders", "order_lines", "sycm_shop_day", "ad_plan_day", "affiliate_day"):
            assert (first, last) == (manifest.start, manifest.end)
        if table == "product_master":
            assert (first, last) == (None, None)
    assert con.execute(
        "SELECT count(*) FROM product_master WHERE cost_from > DATE '2000-01-01'"
    ).fetchone() == (
        sum(1 for p in scale_profiles(SHOPS, manifest.start, DAYS, 7, 68.0) for s in p.skus if s.new_cost),
    )
    con.close()


def test_master_table_equals_the_true_totals(built: tuple[Path, ScaleManifest]) -> None:
    root, manifest = built
    with Workspace(root) as workspace:
        frame = master_table(workspace.connection, manifest.start, manifest.end, grain="day", total=True)
    shops = frame.filter(pl.col("platform").is_not_null())
    assert shops.height == SHOPS * DAYS
    assert _sums(shops) == _truth(manifest)
    assert _sums(frame.filter(pl.col("platform").is_null())) == _truth(manifest)
    for shop, gmv in manifest.shop_gmv:
        assert shops.filter(pl.col("shop") == shop)["gmv"].sum() == gmv
    # the other sources are filled too: traffic, ads, affiliate, refunds, costs
    assert shops.select(pl.col(c).null_count() for c in ("visitors", "ad_spend", "affiliate_commission")).row(
        0
    ) == (
        0,
        0,
        0,
    )
    assert shops["refund_amount"].sum() > 0
    assert shops["cost_coverage"].min() > 0


def test_rows_are_deterministic_per_seed() -> None:
    profile = scale_profiles(2, dt.date(2026, 1, 1), 30, 7, 68.0)[1]
    first = shop_rows(profile, 2, dt.date(2026, 1, 1), 30, 7)
    again = shop_rows(profile, 2, dt.date(2026, 1, 1), 30, 7)
    other = shop_rows(profile, 2, dt.date(2026, 1, 1), 30, 8)
    assert all(first.tables[t].equals(again.tables[t]) for t in first.tables)
    assert first.truth == again.truth
    assert first.truth != other.truth


def test_rows_keep_the_demo_simulations_shapes() -> None:
    """Same profile, days and rules as ``simulate``: the shares the demo draws agree within a few %."""
    start, days = dt.date(2026, 5, 1), 120
    demo = simulate(CLOUD, start, days, 7, 1)
    rows = shop_rows(CLOUD, 1, start, days, 7)
    paid = [o for o in demo.orders if o.paid_at is not None]
    demo_shares = {
        "orders": len(demo.orders),
        "paid share": len(paid) / len(demo.orders),
        "lines per order": sum(len(o.lines) for o in demo.orders) / len(demo.orders),
        "units per paid order": sum(line.quantity for o in paid for line in o.lines) / len(paid),
        "gmv per paid order": float(sum(o.total for o in paid)) / len(paid),
        "refund share": len(demo.refunds) / len(paid),
        "ad rows": len(demo.ads),
    }
    truth = rows.truth
    shares = {
        "orders": truth.orders,
        "paid share": truth.paid_orders / truth.orders,
        "lines per order": truth.order_lines / truth.orders,
        "units per paid order": truth.units / truth.paid_orders,
        "gmv per paid order": truth.gmv_cents / 100 / truth.paid_orders,
        "refund share": truth.refunds / truth.paid_orders,
        "ad rows": len(rows.tables["ad_plan_day"]),
    }
    for key, value in demo_shares.items():
        assert shares[key] == pytest.approx(value, rel=0.06), key
    days_frame = rows.tables["sycm_shop_day"]
    # 618 and the weekday pattern: the peak day is 6-18
    assert days_frame.sort("gmv")["date"][-1] == dt.date(2026, 6, 18)


def test_replicate_copies_the_rows_under_new_shops(tmp_path: Path) -> None:
    manifest = build_scale_workspace(tmp_path, shops=2, days=10, end=END, lines_per_shop_day=20)
    tripled = replicate(tmp_path, 3)
    assert (tripled.shops, tripled.order_lines, tripled.gmv, tripled.units, tripled.replicas) == (
        6,
        manifest.order_lines * 3,
        manifest.gmv * 3,
        manifest.units * 3,
        3,
    )
    assert read_manifest(tmp_path) == tripled
    with Workspace(tmp_path) as workspace:
        con = workspace.connection
        assert [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()] == [
            "规模店001",
            "规模店001#2",
            "规模店001#3",
            "规模店002",
            "规模店002#2",
            "规模店002#3",
        ]
        assert con.execute("SELECT count(*) FROM order_lines").fetchone() == (tripled.order_lines,)
        assert con.execute("SELECT count(*), count(DISTINCT import_id) FROM imports").fetchone() == (42, 42)
        # every row's import is an import of its own shop and table
        for table in TABLES:
            orphans = con.execute(
                f"SELECT count(*) FROM {table} t ANTI JOIN imports i ON i.import_id = t.import_id"
                " AND i.shops = t.shop AND i.target_table = ?",
                [table],
            ).fetchone()
            assert orphans == (0,), table
        # a later real import gets a fresh id
        assert con.execute(
            "SELECT nextval('import_id_seq') > (SELECT max(import_id) FROM imports)"
        ).fetchone() == (True,)
        frame = master_table(con, manifest.start, manifest.end, grain="day", total=True)
    assert _sums(frame.filter(pl.col("platform").is_not_null())) == _truth(tripled)
    assert tripled.gmv_of("规模店001#3") == tripled.gmv_of("规模店001")
    with pytest.raises(ValueError, match="already replicated"):
        replicate(tmp_path, 2)


def test_refuses_a_workspace_with_shops(built: tuple[Path, ScaleManifest]) -> None:
    root, _ = built
    with pytest.raises(ValueError, match="already has shops"):
        build_scale_workspace(root, shops=1, days=1, end=END)
