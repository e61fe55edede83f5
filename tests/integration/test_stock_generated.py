"""`shopops stock status` on the demo generator's apparel shop: every SKU's figures against the manifest.

The generator (``shopops.demo.stock``) writes 14 聚水潭 商品库存 snapshots with `_x002B_` codes, a 旺店通
snapshot of the last day (serial dates, 任意时间), the 聚水潭 商品资料, the 组合商品 BOM and the shop's 千牛
宝贝报表 (packs sold under their 组合商品编码); the manifest holds the true stock and sales.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from shopops.demo.stock import write_stock_exports
from shopops.domains.stock.status import stock_status
from shopops.workspace import Workspace

END = dt.date(2026, 11, 29)
SHOP = "山岚服饰"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[Any]]:
    root = tmp_path_factory.mktemp("stock")
    files, truth = write_stock_exports(root / "exports", END, 90, 7)
    with Workspace.init(root / "ws") as ws:
        ws.add_shop(SHOP, "taobao")
    results = []
    with Workspace(root / "ws") as ws:
        for path in files:
            results.append(ws.import_file(path, shop=SHOP))
    return root, truth, results


def test_every_snapshot_is_stored_as_the_manifest_says(demo: tuple[Path, dict[str, Any], list[Any]]) -> None:
    root, truth, results = demo
    assert {r.source_key for r in results} == {
        "jst_stock", "wdt_stock", "product_master", "product_bom", "qianniu_order_lines",
    }  # fmt: skip
    with duckdb.connect(str(root / "ws" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT period_start, sku, on_hand, order_locked, coalesce(in_transit_purchase, 0)"
            " + coalesce(in_transit_transfer, 0), available FROM stock_snapshot WHERE erp = '聚水潭'"
        ).fetchall()
    stored = {(d.isoformat(), sku): (a, b, c, e) for d, sku, a, b, c, e in rows}
    expected = {
        (day, sku): (f["on_hand"], f["order_locked"], f["in_transit"], f["available"])
        for day, skus in truth["snapshots"].items()
        for sku, f in skus.items()
    }
    assert stored == expected  # `_x002B_` read back as + in every code
    assert any("+" in sku for _, sku in stored)


def test_status_of_the_last_day_is_the_manifests(demo: tuple[Path, dict[str, Any], list[Any]]) -> None:
    root, truth, _ = demo
    with duckdb.connect(str(root / "ws" / "warehouse.duckdb"), read_only=True) as con:
        status = stock_status(con, END)
    rows = {r["sku"]: r for r in status.frame.iter_rows(named=True)}
    assert set(rows) == set(truth["last_day"])
    for sku, want in truth["last_day"].items():
        row = rows[sku]
        assert (row["available"], row["sales_7d"], row["sales_30d"]) == (
            want["available"],
            want["sales_7d"],
            want["sales_30d"],
        ), sku
        if want["days_of_cover"] is None:
            assert row["days_of_cover"] is None
        else:
            cover = Decimal(str(row["days_of_cover"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert cover == Decimal(want["days_of_cover"]), sku
        cost = Decimal(truth["skus"][sku]["cost"])
        assert row["stock_value"] == truth["snapshots"][END.isoformat()][sku]["on_hand"] * cost
    # 旺店通 exported the same day with the same SKUs: one ERP is used, the other named
    assert any("同日另有" in note for note in status.notes)


def test_the_planted_cases_show(demo: tuple[Path, dict[str, Any], list[Any]]) -> None:
    root, truth, _ = demo
    planted = truth["planted"]
    with duckdb.connect(str(root / "ws" / "warehouse.duckdb"), read_only=True) as con:
        day = dt.date.fromisoformat(planted["oversold"]["date"])
        oversold = stock_status(con, day).frame
        now = stock_status(con, END).frame
    below = set(oversold.filter(oversold["available"] < 0)["sku"].to_list())
    assert below == set(planted["oversold"]["skus"])
    zero = now.filter(now["status"] == "零动销")["sku"].to_list()
    with_stock = {
        s
        for s in planted["zero_sales"]
        if truth["snapshots"][END.isoformat()].get(s, {}).get("on_hand", 0) > 0
    }
    assert with_stock <= set(zero)
