"""One table for products and their costs (issue 15, migration 011): the 商品资料 holds versions of a
SKU (成本生效日期), the legacy SKU 成本表 still imports into it, profit and 库存金额 read the cost valid
on the day (the shop's own row, else the every-shop '*' row), and a workspace from before 011
upgrades with its costs and profit unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from shopops.demo.profiles import PROFILES
from shopops.domains.stock.relations import PRODUCTS
from shopops.domains.stock.status import stock_status
from shopops.metrics.catalog import load_catalog
from shopops.reports.templates import RETIRED
from shopops.warehouse.connection import Warehouse, migration_scripts
from shopops.workspace import Workspace
from tests.conftest import DEMO_DAYS, DemoWorkspace, build_demo_workspace, run_cli
from tests.integration.test_master_table import assert_equal, master_csv
from tests.stock_files import write_xlsx

SHOP = "甲店"
PRODUCT_HEADER = [
    "款式编码",
    "商品编码",
    "成本价",
    "成本生效日期",
    "创建时间",
    "分类",
    "商品名称",
    "商品ID",
    "店铺",
]
LEGACY_HEADER = ["商家编码", "商品ID", "商品名称", "单位成本", "生效日期", "店铺"]
JST_HEADER = ["款式编码", "商品编码", "名称", "数量", "订单占有", "可用数"]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """甲店 with SKU versions: A 10 → 12 from 11-05 (11-08: a version without 成本价), C 20 from 11-10,
    and every shop's ('*') A 99, B 5 (the legacy sheet), C 7."""
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(SHOP, "taobao")
    products = write_xlsx(
        tmp_path / "商品资料.xlsx",
        PRODUCT_HEADER,
        [
            ["SA", "A", 10, None, "2026-01-01", "T恤", "A 旧名", "1001", SHOP],
            ["SA", "A", 12, "2026-11-05", None, None, "A 新名", "1001", SHOP],
            ["SA", "A", None, "2026-11-08", None, None, None, None, SHOP],
            ["SC", "C", 20, "2026-11-10", None, "卫衣", "C", None, SHOP],
            ["SA", "A", 99, None, None, None, None, None, "*"],
            ["SC", "C", 7, None, None, None, None, None, "*"],
        ],
    )
    legacy = write_xlsx(tmp_path / "SKU成本表.xlsx", LEGACY_HEADER, [["B", "1002", "B 袜子", 5, None, None]])
    lines = [
        ("2026-11-01", "A", 1), ("2026-11-01", "B", 2), ("2026-11-01", "C", 1), ("2026-11-06", "A", 1),
        ("2026-11-09", "A", 2), ("2026-11-09", "C", 1), ("2026-11-10", "C", 3), ("2026-11-11", "A", 1),
        ("2026-11-11", "D", 1),
    ]  # fmt: skip
    order_lines = tmp_path / f"{SHOP}_宝贝报表.csv"
    with order_lines.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["子订单编号", "主订单编号", "商家编码", "购买数量", "订单付款时间", "价格"])
        for index, (day, sku, quantity) in enumerate(lines):
            writer.writerow([f"L{index}", f"O{index}", sku, quantity, f"{day} 10:00:00", "99.00"])
    snapshot = write_xlsx(
        tmp_path / "聚水潭_商品库存_20261110.xlsx",
        JST_HEADER,
        [["SA", "A", "A", 10, 0, 10], ["SB", "B", "B", 4, 0, 4], ["SC", "C", "C", 2, 0, 2]],
    )
    result = run_cli("-w", root, "import", products, legacy, order_lines, snapshot)  # 甲店: the only shop
    assert result.exit_code == 0, result.output
    return root


def cogs_by_day(root: Path) -> dict[str, tuple[str, str]]:
    result = run_cli("-w", root, "table", "master", "--from", "2026-11-01", "--to", "2026-11-11")
    assert result.exit_code == 0, result.output
    return {r["date"]: (r["cogs"], r["cost_coverage"]) for r in csv.DictReader(io.StringIO(result.output))}


def test_the_cost_of_a_day_is_the_latest_version_valid_on_it(small: Path) -> None:
    got = cogs_by_day(small)
    assert got["2026-11-01"] == ("27.00", "1.0")  # A own 10 (not '*' 99) + B '*' 5 × 2 + C '*' 7
    assert got["2026-11-06"] == ("12.00", "1.0")  # A from 11-05
    assert got["2026-11-09"] == ("31.00", "1.0")  # A 12 × 2 (the 11-08 version has no 成本价) + C '*' 7
    assert got["2026-11-10"] == ("60.00", "1.0")  # C own 20 from 11-10
    assert got["2026-11-11"] == ("", "0.5")  # D has no cost anywhere: unknown, not 0


def test_products_take_each_attribute_from_the_latest_version(small: Path) -> None:
    with duckdb.connect(str(small / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            f"SELECT shop, sku, style, name, category, created_at, item_id, cost_price FROM ({PRODUCTS})"
            " ORDER BY shop, sku",
            {"as_of": dt.date(2026, 11, 9)},
        ).fetchall()
    assert rows == [
        ("*", "A", "SA", None, None, None, None, Decimal("99.00")),
        ("*", "B", None, "B 袜子", None, None, "1002", Decimal("5.00")),
        ("*", "C", "SC", None, None, None, None, Decimal("7.00")),
        (SHOP, "A", "SA", "A 新名", "T恤", dt.date(2026, 1, 1), "1001", Decimal("12.00")),
        (SHOP, "C", "SC", "C", "卫衣", None, None, None),  # its cost starts on 11-10
    ]


def test_stock_value_takes_the_shops_cost_else_every_shops(small: Path) -> None:
    with duckdb.connect(str(small / "warehouse.duckdb")) as con:
        frame = stock_status(con, dt.date(2026, 11, 10)).frame
    values = {row["sku"]: str(row["stock_value"]) for row in frame.iter_rows(named=True)}
    assert values == {"A": "120.00", "B": "20.00", "C": "40.00"}  # 10 × 12, 4 × 5 ('*'), 2 × 20


def test_a_re_export_replaces_the_versions_it_names(small: Path, tmp_path: Path) -> None:
    row = ["SA", "A", 13, "2026-11-05", None, None, None, None, SHOP]
    again = write_xlsx(tmp_path / "商品资料_改.xlsx", PRODUCT_HEADER, [row])
    result = run_cli("-w", small, "import", again)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "✓ 商品资料_改.xlsx — 商品资料（product_master）：1 行，店铺 甲店（替换了 1 行旧数据）"
    ]
    assert cogs_by_day(small)["2026-11-06"] == ("13.00", "1.0")
    assert cogs_by_day(small)["2026-11-01"] == ("27.00", "1.0")  # the 2000-01-01 version is kept


def test_the_sku_cost_template_is_retired(tmp_path: Path) -> None:
    result = run_cli("template", "sku-cost", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误 the SKU 成本表 has merged into 商品资料 — use `shopops template product-list` (成本价, and"
        " 成本生效日期 for a cost change); old SKU 成本表 files still import"
    ]
    assert RETIRED["sku-cost"] in result.output and not (tmp_path / "x.xlsx").exists()


def test_the_product_list_template_has_the_cost_columns(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "product-list.xlsx"
    assert run_cli("-w", small, "template", "product-list", "-o", target).exit_code == 0
    sheet = openpyxl.load_workbook(target).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[5:9] == ["基本售价", "成本价", "成本生效日期", "创建时间"]
    assert {"商品ID", "店铺"} <= set(header)


# -- the legacy SKU 成本表 and a workspace from before migration 011 ------------------------------


def write_legacy_cost_sheet(folder: Path, change_day: dt.date) -> Path:
    """The SKU 成本表 as the demo wrote it before issue 15 (店铺 empty = every shop)."""
    rows: list[list[object]] = []
    for profile in PROFILES:
        for sku in profile.skus:
            if sku.cost is None:
                continue
            rows.append([sku.code, sku.item_id, sku.title, float(sku.cost), None, None])
            if sku.new_cost is not None:
                rows.append(
                    [sku.code, sku.item_id, sku.title, float(sku.new_cost), change_day.isoformat(), None]
                )
    return write_xlsx(folder / "SKU成本表.xlsx", LEGACY_HEADER, rows)


@pytest.fixture(scope="module")
def legacy_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    """The demo with the legacy SKU 成本表 in place of its 商品资料, imported through the CLI."""
    demo = build_demo_workspace(tmp_path_factory.mktemp("legacy"))
    start = dt.date.fromisoformat(demo.manifest["start"])
    sheet = write_legacy_cost_sheet(demo.exports, start + dt.timedelta(days=DEMO_DAYS // 2))
    demo.files = [f for f in demo.files if f.name != "商品资料.xlsx"] + [sheet]
    result = demo.cli("import", *demo.files)
    assert result.exit_code == 0, result.output
    return demo


def test_the_legacy_sku_cost_sheet_lands_in_the_product_master(legacy_demo: DemoWorkspace) -> None:
    change = dt.date.fromisoformat(legacy_demo.manifest["start"]) + dt.timedelta(days=DEMO_DAYS // 2)
    with duckdb.connect(str(legacy_demo.root / "warehouse.duckdb"), read_only=True) as con:
        imports = con.execute(
            "SELECT target_table, shops, rows_imported FROM imports WHERE source_key = 'sku_cost'"
        ).fetchall()
        rows = con.execute(
            "SELECT sku, cost_price, cost_from, item_id FROM product_master WHERE shop = '*'"
            " AND sku = 'YD-TS-BLK-M' ORDER BY cost_from"
        ).fetchall()
    assert imports == [("product_master", "*", 7)]
    assert rows == [
        ("YD-TS-BLK-M", Decimal("26.50"), dt.date(2000, 1, 1), "650012345601"),
        ("YD-TS-BLK-M", Decimal("28.00"), change, "650012345601"),
    ]
    # Cost and profit of every shop-day are the simulation's (the cost change included).
    shops = legacy_demo.manifest["shops"]
    for row in master_csv(legacy_demo):
        truth = shops[row["shop"]]["days"][row["date"]]
        for key, unit in (("cogs", "money"), ("gross_profit", "money"), ("net_profit", "money")):
            assert_equal(key, unit, row[key], truth[key], f"{row['shop']} {row['date']}")
        assert_equal("cost_coverage", "ratio", row["cost_coverage"], truth["cost_coverage"], row["date"])


def _schema_010(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for version, name, sql in migration_scripts():
        if version > 10:
            break
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    return con


def _as_before_011(source: Path, target: Path) -> None:
    """``source``'s warehouse as ShopOps wrote it at schema 010: the cost sheet's rows in sku_costs."""
    con = _schema_010(target)
    con.execute(f"ATTACH '{source}' AS now (READ_ONLY)")
    costs = "(SELECT import_id FROM now.imports WHERE source_key = 'sku_cost')"
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
        " AND table_schema = 'main' AND table_type = 'BASE TABLE'"
    ).fetchall()
    for (table,) in tables:
        if table in ("schema_migrations", "sku_costs"):
            continue
        if table == "product_master":
            con.execute(
                "INSERT INTO product_master BY NAME SELECT * EXCLUDE (cost_from, item_id)"
                f" FROM now.product_master WHERE import_id NOT IN {costs}"
            )
        elif table == "imports":
            con.execute(
                "INSERT INTO imports SELECT * REPLACE (CASE WHEN source_key = 'sku_cost' THEN 'sku_costs'"
                " ELSE target_table END AS target_table) FROM now.imports"
            )
        else:  # the columns schema 010 had (later migrations added some: refunds' 售后类型 …)
            names = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
            columns = ", ".join(f'"{name}"' for name in names)
            con.execute(f"INSERT INTO {table} BY NAME SELECT {columns} FROM now.{table}")
    con.execute(
        "INSERT INTO sku_costs SELECT shop, sku, item_id, name, cost_price, cost_from, import_id, source_row"
        f" FROM now.product_master WHERE import_id IN {costs}"
    )
    for sequence, table, column in (
        ("import_id_seq", "imports", "import_id"),
        ("audit_ids", "audit_log", "audit_id"),
    ):
        con.execute(
            f"SELECT max(nextval('{sequence}')) FROM range((SELECT coalesce(max({column}), 0) FROM {table}))"
        )
    con.close()


def test_a_workspace_from_before_011_upgrades_with_costs_and_profit_unchanged(
    legacy_demo: DemoWorkspace, tmp_path: Path
) -> None:
    old = DemoWorkspace(tmp_path / "old", legacy_demo.exports, legacy_demo.files, legacy_demo.manifest)
    shutil.copytree(legacy_demo.root, old.root)
    (old.root / "warehouse.duckdb").unlink()
    _as_before_011(legacy_demo.root / "warehouse.duckdb", old.root / "warehouse.duckdb")
    with duckdb.connect(str(old.root / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (10,)
        assert con.execute("SELECT count(*) FROM sku_costs").fetchone() == (7,)
    # opening it migrated it: same costs, same profit. Not the 退货 columns: what 013 added to refunds
    # (售后类型, 货物状态 …) a workspace of schema 010 never stored, so those splits are unknown there.
    returns = {key for key, metric in load_catalog().metrics.items() if metric.section == "退货"}

    def kept(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{k: v for k, v in row.items() if k not in returns} for row in rows]

    assert kept(master_csv(old)) == kept(master_csv(legacy_demo))
    query = (
        "SELECT shop, sku, name, cost_price, cost_from, item_id, import_id, source_row FROM product_master"
        " ORDER BY ALL"
    )
    with (
        duckdb.connect(str(old.root / "warehouse.duckdb"), read_only=True) as con,
        duckdb.connect(str(legacy_demo.root / "warehouse.duckdb"), read_only=True) as now,
    ):
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
            max(v for v, _, _ in migration_scripts()),
        )
        tables = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'sku_costs'"
        assert con.execute(tables).fetchone() == (0,)
        assert con.execute(query).fetchall() == now.execute(query).fetchall()
        imports = "SELECT * EXCLUDE (imported_at) FROM imports ORDER BY import_id"
        assert con.execute(imports).fetchall() == now.execute(imports).fetchall()
    # The cost sheet's earlier import is recognised, and a corrected sheet replaces its rows.
    sheet = next(f for f in old.files if f.name == "SKU成本表.xlsx")
    again = old.cli("import", sheet)
    assert (
        again.exit_code == 0
        and again.output
        == "= SKU成本表.xlsx — SKU 成本表（旧模板，并入商品资料）（sku_cost）：已导入过，没有改动\n"
    )
    corrected = write_xlsx(
        old.exports / "SKU成本表_新.xlsx", LEGACY_HEADER, [["YD-SK-3P", "650012345603", "袜", 9]]
    )
    result = old.cli("import", corrected)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "✓ SKU成本表_新.xlsx — SKU 成本表（旧模板，并入商品资料）（sku_cost）：1 行，2000-01-01，店铺 全部店铺（替换了 1 行旧数据）\n"
    )


def test_011_makes_one_version_of_a_sku_both_tables_held(tmp_path: Path) -> None:
    """A product list and a cost sheet that gave the same version: the later import wins, the
    other fills what it left empty."""
    path = tmp_path / "warehouse.duckdb"
    con = _schema_010(path)
    con.execute("INSERT INTO shops (name, platform) VALUES (?, 'taobao')", [SHOP])
    imports = [(1, "product_master", "product_master"), (2, "sku_cost", "sku_costs")]
    for import_id, source, table in [*imports, (3, "product_master", "product_master")]:
        con.execute(
            "INSERT INTO imports VALUES (?, 'f.xlsx', 'h', NULL, ?, ?, ?, 1, 0, NULL, NULL, now(), 'me')",
            [import_id, source, table, SHOP],
        )
        con.execute("SELECT nextval('import_id_seq')")
    con.execute(
        "INSERT INTO product_master (shop, sku, style, name, cost_price, import_id, source_row) VALUES"
        " (?, 'A', 'SA', 'A 资料', 30, 1, 2), (?, 'B', 'SB', NULL, NULL, 1, 3), (?, 'C', 'SC', 'C 资料', NULL, 3, 2)",
        [SHOP, SHOP, SHOP],
    )
    con.execute(
        "INSERT INTO sku_costs VALUES (?, 'A', '1001', 'A 成本表', 32, DATE '2000-01-01', 2, 2),"
        " (?, 'B', NULL, 'B 成本表', 8, DATE '2026-11-01', 2, 3), (?, 'C', '1003', 'C 成本表', 6, DATE '2000-01-01', 2, 4)",
        [SHOP, SHOP, SHOP],
    )
    con.close()
    warehouse = Warehouse(path)
    try:
        rows = warehouse.connection.execute(
            "SELECT sku, style, name, cost_price, cost_from, item_id, import_id, source_row FROM product_master"
            " ORDER BY ALL"
        ).fetchall()
        targets = warehouse.connection.execute("SELECT DISTINCT target_table FROM imports").fetchall()
    finally:
        warehouse.close()
    assert rows == [
        (
            "A",
            "SA",
            "A 成本表",
            Decimal("32.00"),
            dt.date(2000, 1, 1),
            "1001",
            2,
            2,
        ),  # the cost sheet was later
        ("B", "SB", None, None, dt.date(2000, 1, 1), None, 1, 3),  # another version: both kept
        ("B", None, "B 成本表", Decimal("8.00"), dt.date(2026, 11, 1), None, 2, 3),
        (
            "C",
            "SC",
            "C 资料",
            Decimal("6.00"),
            dt.date(2000, 1, 1),
            "1003",
            3,
            2,
        ),  # the product list was later
    ]
    assert targets == [("product_master",)]
