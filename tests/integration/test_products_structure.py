"""`shopops products structure` on the stock demo's apparel shop: every figure against the manifest.

Expected numbers come from the generator's truths (units per SKU and day, prices and their changes,
the packs, costs, the snapshots), recomputed here by the formulas' definitions; the ratios of a group
from the group's sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rich.cells import cell_len

from shopops.domains.stock.status import StockRules
from shopops.domains.stock.structure import product_structure
from tests.conftest import run_cli
from tests.integration.products_fixture import END, SHOP, ProductsDemo, products_demo

START = END - dt.timedelta(days=29)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ProductsDemo:
    return products_demo(tmp_path_factory)


def expected_skus(demo: ProductsDemo, start: dt.date, end: dt.date) -> dict[str, dict[str, Any]]:
    """The SKUs of the period (在售: stock in a snapshot of the period, or sold) with their figures."""
    days = [d for d in demo.truth["snapshot_days"] if start <= dt.date.fromisoformat(d) <= end]
    last = demo.snapshot(end)
    out = {}
    for sku, facts in demo.truth["skus"].items():
        units = demo.units(sku, start, end)
        stocked = any(
            demo.snapshot(dt.date.fromisoformat(d)).get(sku, {}).get("on_hand", 0) > 0 for d in days
        )
        if not units and not stocked:
            continue
        cost = Decimal(facts["cost"])
        gmv = demo.revenue(sku, start, end)
        price = Decimal(facts["price"])
        created = dt.date.fromisoformat(facts["created"])
        out[sku] = {
            "units": units,
            "gmv": gmv,
            "profit": gmv - units * cost,
            "end_stock": last.get(sku, {}).get("available", 0),
            "stock_value": last.get(sku, {}).get("on_hand", 0) * cost,
            "category": facts["category"],
            "season": facts["season"],
            "style": facts["style"],
            "band": "<100"
            if price < 100
            else "100–200"
            if price < 200
            else "200–300"
            if price < 300
            else "≥300",
            "new": end - dt.timedelta(days=29) <= created <= end,
        }
    return out


def abc(values: dict[str, Decimal]) -> dict[str, str]:
    """ABC by the definition: rank by value; the share held by the values above a SKU's (ties: the
    values strictly greater) below 80% → A, below 95% → B, else C; ≤ 0 → C."""
    total = sum((v for v in values.values() if v > 0), Decimal(0))
    out = {}
    for key, value in values.items():
        above = sum((v for v in values.values() if v > value and v > 0), Decimal(0))
        out[key] = (
            "C"
            if value <= 0
            else "A"
            if above * 100 < total * 80
            else "B"
            if above * 100 < total * 95
            else "C"
        )
    return out


def rate(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def structure(demo: ProductsDemo, by: str, rules: StockRules | None = None) -> Any:
    with duckdb.connect(str(demo.root / "warehouse.duckdb"), read_only=True) as con:
        return product_structure(con, START, END, [SHOP], by=by, rules=rules)  # type: ignore[arg-type]


def group_rows(skus: dict[str, dict[str, Any]], key: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for sku, facts in skus.items():
        groups.setdefault(facts[key], []).append(sku)
    return groups


def total(skus: dict[str, dict[str, Any]], members: Iterable[str], field: str) -> Any:
    return sum(
        (skus[s][field] for s in members), Decimal(0) if field in ("gmv", "profit", "stock_value") else 0
    )


@pytest.mark.parametrize(
    ("by", "key"), [("category", "category"), ("season", "season"), ("price_band", "band")]
)
def test_groups_are_the_manifests(demo: ProductsDemo, by: str, key: str) -> None:
    skus = expected_skus(demo, START, END)
    gmv_class = abc({s: f["gmv"] for s, f in skus.items()})
    profit_class = abc({s: f["profit"] for s, f in skus.items()})
    result = structure(demo, by)
    rows = {r[by]: r for r in result.frame.iter_rows(named=True)}
    groups = group_rows(skus, key) | {"合计": list(skus)}
    assert set(rows) == set(groups)
    shop_gmv, shop_profit = total(skus, skus, "gmv"), total(skus, skus, "profit")
    shop_value = total(skus, skus, "stock_value")
    for name, members in groups.items():
        row = rows[name]
        units, end_stock = total(skus, members, "units"), sum(max(skus[s]["end_stock"], 0) for s in members)
        sold = sum(1 for s in members if skus[s]["units"] > 0)
        gmv, profit, value = (total(skus, members, f) for f in ("gmv", "profit", "stock_value"))
        want = {
            "skus": len(members),
            "styles": len({skus[s]["style"] for s in members}),
            "new_skus": sum(1 for s in members if skus[s]["new"]),
            "old_skus": sum(1 for s in members if not skus[s]["new"]),
            "sold_skus": sold,
            "units": units,
            "gmv": gmv,
            "profit": profit,
            "end_stock": sum(skus[s]["end_stock"] for s in members),
            "stock_value": value,
            **{f"gmv_{c.lower()}": sum(1 for s in members if gmv_class[s] == c) for c in "ABC"},
            **{f"profit_{c.lower()}": sum(1 for s in members if profit_class[s] == c) for c in "ABC"},
        }
        assert {k: row[k] for k in want} == want, name
        # ratios from the group's sums, never an average of the SKUs' ratios
        assert row["active_rate"] == rate(sold, len(members))
        assert row["sell_through"] == rate(units, units + end_stock)
        # money shares: the exact ratio, to the last bit of a float
        assert row["gmv_share"] == pytest.approx(float(gmv / shop_gmv), rel=1e-15)
        assert row["profit_share"] == pytest.approx(float(profit / shop_profit), rel=1e-15)
        assert row["stock_value_share"] == pytest.approx(float(value / shop_value), rel=1e-15)
        assert row["formula"] == "sell_through=end; active_rate=on_sale; abc=80/95; new_days=30"
    assert rows["合计"]["gmv_share"] == 1.0
    assert list(rows)[-1] == "合计"
    assert any("售罄率 = 期内销量 ÷ (期内销量 + 期末库存)" in note for note in result.notes)
    assert any("动销率 = 期内有销售的SKU数 ÷ 在售SKU数" in note for note in result.notes)


def test_every_sku_and_its_abc(demo: ProductsDemo) -> None:
    skus = expected_skus(demo, START, END)
    gmv_class = abc({s: f["gmv"] for s, f in skus.items()})
    profit_class = abc({s: f["profit"] for s, f in skus.items()})
    frame = structure(demo, "sku").frame
    rows = {r["sku"]: r for r in frame.iter_rows(named=True)}
    assert set(rows) == set(skus)
    for sku, facts in skus.items():
        row = rows[sku]
        got = (row["units"], row["gmv"], row["profit"], row["end_stock"], row["stock_value"], row["new"])
        assert got == tuple(
            facts[k] for k in ("units", "gmv", "profit", "end_stock", "stock_value", "new")
        ), sku
        assert (row["abc_gmv"], row["abc_profit"]) == (gmv_class[sku], profit_class[sku]), sku
        assert row["sell_through"] == rate(facts["units"], facts["units"] + max(facts["end_stock"], 0)), sku
        assert row["price_band"] == facts["band"]
    # packs are not SKUs of their own: their sales count for their components
    assert not set(rows) & set(demo.truth["combos"])
    # the oversold SKUs' negative stock counts as none left
    planted = demo.truth["planted"]
    zero = [s for s in planted["zero_sales"] if s in rows]
    assert zero and all(rows[s]["abc_gmv"] == "C" and rows[s]["units"] == 0 for s in zero)
    assert [c for c in ("A", "B", "C") if c in gmv_class.values()] == ["A", "B", "C"]


def test_a_chosen_formula_is_used_and_named(demo: ProductsDemo, tmp_path: Path) -> None:
    """售罄率 with 在途 (research (4)) and ABC 70/90 from shopops.yaml: the figures and the notes follow."""
    root = demo.copy(tmp_path / "ws")
    with (root / "shopops.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nstock:\n  sell_through: with_transit\n  abc_a: 70\n  abc_b: 90\n")
    rows = {
        r["category"]: r
        for r in demo.json("products", "structure", "--from", str(START), "--to", str(END), root=root)
    }
    skus = expected_skus(demo, START, END)
    last = demo.snapshot(END)
    units = total(skus, skus, "units")
    stock = sum(max(f["end_stock"], 0) for f in skus.values())
    transit = sum(last.get(s, {}).get("in_transit", 0) for s in skus)
    assert rows["合计"]["sell_through"] == round(units / (units + stock + transit), 6)
    assert rows["合计"]["formula"] == "sell_through=with_transit; active_rate=on_sale; abc=70/90; new_days=30"
    gmv = {s: f["gmv"] for s, f in skus.items()}
    total_gmv = sum(gmv.values(), Decimal(0))
    first = sum(
        1
        for s, v in gmv.items()
        if sum((w for w in gmv.values() if w > v), Decimal(0)) * 100 < total_gmv * 70
    )
    assert rows["合计"]["gmv_a"] == first
    flat = "".join(run_cli("--workspace", root, "products", "structure").output.split())
    assert "售罄率=期内销量÷(期内销量+期末库存+在途)" in flat  # notes wrap at the terminal's width
    assert "合计达到70%的最少SKU为A" in flat


def test_sell_through_from_opening_and_receipts(demo: ProductsDemo) -> None:
    """售罄率 (1) 期内销量 ÷ (期初库存 + 期内入库) over the manifest's window: 期初 = on hand of the first
    snapshot day, 入库 = what arrived after it (no 进销存 in the demo: derived from the snapshots)."""
    truth = demo.truth["sell_through"]
    first, last = dt.date.fromisoformat(truth["from"]), dt.date.fromisoformat(truth["to"])
    with duckdb.connect(str(demo.root / "warehouse.duckdb"), read_only=True) as con:
        result = product_structure(
            con, first, last, [SHOP], by="sku", rules=StockRules(sell_through="received")
        )
    rows = {r["sku"]: r for r in result.frame.iter_rows(named=True)}
    for sku, want in truth["skus"].items():
        if sku not in rows:  # no stock in the window and no sale: not on sale
            assert want["rate"] is None and want["sold"] == 0, sku
            continue
        row = rows[sku]
        assert (row["units"], row["start_stock"], row["received"]) == (
            want["sold"],
            want["opening_on_hand"],
            want["received"],
        ), sku
        assert row["sell_through"] == rate(want["sold"], want["opening_on_hand"] + want["received"]), sku
    assert any("期内入库由快照推算" in note for note in result.notes)


def test_sell_through_against_the_first_stock(demo: ProductsDemo) -> None:
    """售罄率 (2) 首次有库存以来销量 ÷ 首次库存, the first snapshot holding stock from the manifest."""
    with duckdb.connect(str(demo.root / "warehouse.duckdb"), read_only=True) as con:
        result = product_structure(
            con, START, END, [SHOP], by="sku", rules=StockRules(sell_through="first_stock")
        )
    rows = {r["sku"]: r for r in result.frame.iter_rows(named=True)}
    days = sorted(demo.truth["snapshot_days"])
    for sku, row in rows.items():
        stocked = [
            d for d in days if demo.snapshot(dt.date.fromisoformat(d)).get(sku, {}).get("on_hand", 0) > 0
        ]
        if not stocked:
            assert row["sell_through"] is None, sku
            continue
        first = dt.date.fromisoformat(stocked[0])
        stock = demo.snapshot(first)[sku]["on_hand"]
        assert row["sell_through"] == rate(demo.units(sku, first, END), stock), sku


def test_unknown_stays_unknown(demo: ProductsDemo, tmp_path: Path) -> None:
    """Without snapshots: stock, 售罄率 and 动销率 unknown; a SKU that sold without a cost: its 毛利, its
    group's, the shop's and the shares unknown ("—"), never 0 — and the 毛利 ABC counts of its group."""
    root = demo.copy(tmp_path / "ws")
    lost = next(
        s for s, f in demo.truth["skus"].items() if demo.units(s, START, END) and f["category"] == "外套"
    )
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM stock_snapshot")
        con.execute("UPDATE product_master SET cost_price = NULL WHERE sku = ?", [lost])
    rows = {r["category"]: r for r in demo.json("products", "structure", root=root)}
    for name in ("外套", "合计"):
        assert [
            rows[name][k] for k in ("profit", "profit_share", "profit_a", "sell_through", "active_rate")
        ] == [None] * 5
        assert [rows[name][k] for k in ("end_stock", "stock_value", "stock_value_share")] == [None] * 3
    assert rows["T恤"]["profit"] is not None and rows["T恤"]["profit_share"] is None
    assert rows["T恤"]["profit_a"] is not None  # its SKUs are all ranked
    flat = "".join(demo.cli("products", "structure", root=root).output.split())
    assert f"{SHOP}：{END}及之前没有库存快照，库存、售罄率、动销率为—" in flat
    assert f"1个有销售的SKU没有成本价（如{lost}）" in flat


def test_profit_takes_each_days_cost(demo: ProductsDemo, tmp_path: Path) -> None:
    """A new 成本价 from mid-period (a second 商品资料 row with its 成本生效日期): the days before keep the
    old cost, the days from it take the new one."""
    root = demo.copy(tmp_path / "ws")
    sku = max(demo.truth["skus"], key=lambda s: demo.units(s, START, END))
    change = START + dt.timedelta(days=15)
    old, new = Decimal(demo.truth["skus"][sku]["cost"]), Decimal("88.88")
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute(
            "INSERT INTO product_master (shop, sku, style, category, created_at, list_price, cost_price, cost_from)"
            " SELECT shop, sku, style, category, created_at, list_price, ?, ? FROM product_master WHERE sku = ?",
            [new, change, sku],
        )
    rows = {r["sku"]: r for r in demo.json("products", "structure", "--by", "sku", root=root)}
    before = demo.units(sku, START, change - dt.timedelta(days=1))
    after = demo.units(sku, change, END)
    want = demo.revenue(sku, START, END) - before * old - after * new
    assert before and after
    assert Decimal(str(rows[sku]["profit"])) == want


def test_a_misspelt_setting_is_one_line(demo: ProductsDemo, tmp_path: Path) -> None:
    root = demo.copy(tmp_path / "ws")
    with (root / "shopops.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nstock:\n  sell_through: sold_out\n")
    result = run_cli("--workspace", root, "products", "structure")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "错误 shopops.yaml：stock.sell_through 是 'sold_out'，不是公式 — 用 end, received, first_stock, with_transit 之一"
    ]


def test_the_table_fits_80_columns_and_defaults_to_the_last_30_days(
    demo: ProductsDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = demo.cli("products", "structure", "--by", "season")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"产品结构 {START} ~ {END} · 按季节 · {SHOP}"
    table = lines[: lines.index(next(line for line in lines if line.startswith("合计"))) + 1]
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    body = table[next(i for i, line in enumerate(table) if line.startswith("─")) + 1 :]
    seasons = {f["season"] for f in demo.truth["skus"].values()}
    assert [line.split()[0] for line in body] == [
        s for s in ("春", "夏", "秋", "冬", "四季") if s in seasons
    ] + ["合计"]
    assert any(line.startswith("终端较窄，未显示") for line in lines)
    rows = demo.json("products", "structure", "--by", "season")
    assert {r["season"] for r in rows} >= {"合计"}


def test_csv_has_english_names(demo: ProductsDemo) -> None:
    result = demo.cli("products", "structure", "--format", "csv")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    assert header.startswith("shop,category,skus,styles,new_skus,old_skus,sold_skus,active_rate,units,gmv,")
    assert header.endswith(
        ",end_stock,in_transit,start_stock,received,first_stock,sell_through,stock_value,stock_value_share,formula"
    )


def test_no_data_is_one_line(tmp_path: Path) -> None:
    with __import__("shopops.workspace", fromlist=["Workspace"]).Workspace.init(tmp_path / "ws"):
        pass
    result = run_cli("--workspace", tmp_path / "ws", "products", "structure")
    assert result.exit_code == 0
    assert result.output.strip() == (
        "没有商品数据：先导入 商品资料（聚水潭 商品资料 或 `shopops template product-list`）、ERP 库存导出和 "
        "千牛 宝贝报表，例如 `shopops import 聚水潭_商品资料.xlsx --shop 店铺名`（`shopops sources` 列出全部）"
    )
    result = run_cli("--workspace", tmp_path / "ws", "products", "structure", "--format", "json")
    assert result.stdout.strip().splitlines()[0] == "[]"
