"""The demo's apparel shop imported into a real workspace: `shopops stock status`, its 生意参谋 商品效果
and its 总表 row against the manifest.

``generate(stock=True)`` (what `shopops demo` runs) writes the shop's files under ``exports/山岚服饰/``:
14 聚水潭 商品库存 snapshots with `_x002B_` codes, a 旺店通 snapshot of the last day (serial dates,
任意时间), the 聚水潭 商品资料, the 组合商品 BOM, and the exports every Taobao shop of the demo has —
生意参谋 店铺整体 and 商品效果, 千牛 订单/宝贝 (packs sold under their 组合商品编码)/退款, 直通车,
引力魔方, 淘宝联盟. The ERP files name no shop: each is imported for the shop the manifest gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from shopops.demo.run import configure, generate, stock_file_shops
from shopops.domains.stock.status import stock_status
from shopops.metrics.catalog import load_catalog
from shopops.metrics.coverage import coverage
from shopops.workspace import Workspace
from tests.conftest import run_cli
from tests.integration.test_master_table import assert_equal

END = dt.date(2026, 11, 29)
DAYS = 90
SHOP = "山岚服饰"
COST_KEYS = ("cogs", "cost_coverage", "gross_profit", "net_profit")
MONEY_RATIOS = {"aov": ("gmv", "buyers"), "uv_value": ("gmv", "visitors")}  # money ÷ count


@dataclass(frozen=True)
class Generated:
    root: Path
    manifest: dict[str, Any]
    results: list[Any]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    root = tmp_path_factory.mktemp("stock")
    made = generate(root / "exports", days=DAYS, end=END, seed=7, stock=True)
    manifest = json.loads(made.manifest.read_text(encoding="utf-8"))
    with Workspace.init(root / "ws") as ws:
        configure(ws, stock=True)
    shops = stock_file_shops(root / "exports", manifest)
    assert set(shops) < set(made.files) and set(shops.values()) == {SHOP}
    with Workspace(root / "ws") as ws:
        results = [ws.import_file(path, shop=shop) for path, shop in shops.items()]
    return Generated(root, manifest, results)


@pytest.fixture(scope="module")
def demo(generated: Generated) -> tuple[Path, dict[str, Any], list[Any]]:
    return generated.root, generated.manifest["stock"], generated.results


def test_every_snapshot_is_stored_as_the_manifest_says(demo: tuple[Path, dict[str, Any], list[Any]]) -> None:
    root, truth, results = demo
    assert {r.source_key for r in results} == {
        "jst_stock", "wdt_stock", "product_master", "product_bom", "qianniu_order_lines", "qianniu_orders",
        "qianniu_refunds", "sycm_shop_daily", "sycm_item_daily", "ztc_report", "ylmf_report", "taobao_union",
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


def test_item_days_in_the_warehouse_are_the_manifests(generated: Generated) -> None:
    truth = generated.manifest["stock"]
    with duckdb.connect(str(generated.root / "ws" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT item_code, item_id, date, sum(visitors), sum(pageviews), sum(add_to_cart_buyers), sum(buyers),"
            " sum(units), sum(gmv) FROM sycm_item_day WHERE shop = ? GROUP BY ALL",
            [SHOP],
        ).fetchall()
    stored = {(code, d.isoformat()): (item, *figures) for code, item, d, *figures in rows}
    items = truth["styles"] | truth["combos"]
    expected = {
        (code, day): (item["item_id"], f["visitors"], f["pageviews"], f["add_to_cart_buyers"], f["buyers"],
                      f["units"], Decimal(f["gmv"]))
        for code, item in items.items()
        for day, f in item["daily"].items()
    }  # fmt: skip
    assert stored == expected  # 货号 keeps the + of the plus styles
    assert any("+" in code for code, _ in stored)


def master_rows(generated: Generated) -> list[dict[str, str]]:
    manifest = generated.manifest
    result = run_cli(
        "--workspace", generated.root / "ws", "table", "master", "--from", manifest["start"], "--to",
        manifest["end"], "--shop", SHOP,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def half_cent_ties(days: dict[str, Any]) -> set[tuple[str, str]]:
    """(day, metric) of the money ratios whose exact value ends in half a cent (13650.80 / 80 = 170.635)."""
    ties = set()
    for day, truth in days.items():
        for key, (numerator, denominator) in MONEY_RATIOS.items():
            if truth[numerator] is not None and truth[denominator]:
                cents = Decimal(truth[numerator]) * 100 / Decimal(truth[denominator])
                if cents % 1 == Decimal("0.5"):
                    ties.add((day, key))
    return ties


def test_the_shops_master_table_is_the_manifests(generated: Generated) -> None:
    """Every metric of every day, exactly — the cost family too on the days a 组合商品 sold: the
    manifest costs a pack by its parts' 成本价, the 总表 by the 商品资料's row for the 组合商品编码
    (its 成本价 is that sum). A money ratio whose exact value is a half-cent tie is left to the test
    below."""
    manifest = generated.manifest
    rows = master_rows(generated)
    days = manifest["shops"][SHOP]["days"]
    assert [r["date"] for r in rows] == list(days) and len(rows) == DAYS
    pack_days = {d for c in manifest["stock"]["combos"].values() for d in c["daily_units"]}
    ties = half_cent_ties(days)
    catalog = load_catalog()
    for row in rows:
        assert row["platform"] == "taobao"
        for key, metric in catalog.metrics.items():
            if (row["date"], key) in ties:
                continue
            assert_equal(key, metric.unit, row[key], days[row["date"]][key], f"{SHOP} {row['date']}")
    assert pack_days and len(ties) < DAYS // 10  # the rest was checked
    on_pack_days = [r for r in rows if r["date"] in pack_days]
    assert all(r[key] != "" for r in on_pack_days for key in COST_KEYS)  # known, and equal above


def test_a_half_cent_money_ratio_rounds_half_up(generated: Generated) -> None:
    """13650.80 / 80 = 170.635 is 170.64 in the 总表, as ROUND_HALF_UP of the exact DECIMAL gives it."""
    days = generated.manifest["shops"][SHOP]["days"]
    ties = half_cent_ties(days)
    assert ties
    rows = {r["date"]: r for r in master_rows(generated)}
    for day, key in sorted(ties):
        assert Decimal(rows[day][key]) == Decimal(days[day][key]), (day, key)


def test_the_shops_exports_leave_no_day_uncovered(generated: Generated) -> None:
    start = dt.date.fromisoformat(generated.manifest["start"])
    with duckdb.connect(str(generated.root / "ws" / "warehouse.duckdb"), read_only=True) as con:
        gaps = coverage(con, start, END, [SHOP])
    tables = set(gaps["target_table"].to_list())
    assert {"sycm_shop_day", "sycm_item_day", "orders", "order_lines", "refunds"} <= tables
    snapshot_days = {dt.date.fromisoformat(d) for d in generated.manifest["stock"]["snapshot_days"]}
    first_week = {start + dt.timedelta(days=i) for i in range(7)}
    for row in gaps.iter_rows(named=True):  # only the snapshots start late: the ERP files of 14 days
        missing = set(row["missing"] or [])
        if row["target_table"] == "stock_snapshot":
            assert missing == {start + dt.timedelta(days=i) for i in range(DAYS)} - snapshot_days
        elif row["target_table"] == "refunds":  # the 退款管理 export spans its refunds' days
            assert missing < first_week, row
        else:
            assert not missing, row
