"""商品与库存: each ERP format imports to the canonical figures, a snapshot re-export replaces its day,
and `shopops stock status` gives hand-computed cover, classes, 库龄 and 库存金额 (BOM exploded)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.domains.stock.status import StockRules, stock_status
from shopops.errors import WorkspaceError
from shopops.workspace import Workspace
from tests.stock_files import write_xlsx

SHOP = "山岚服饰"
DAY = dt.date(2026, 11, 29)
JST_HEADER = [
    "款式编码", "颜色", "规格", "品牌", "商品编码", "名称", "数量", "订单占有", "仓库待发", "采购在途数",
    "调拨在途数", "样衣仓", "可用数", "公有可用数",
]  # fmt: skip


def jst_row(
    style: str, sku: str, on_hand: int, locked: int, purchase: int = 0, transfer: int = 0
) -> list[object]:
    return [style, "白", "M", "山岚", sku, f"{style} 白 M", on_hand, locked, 0, purchase, transfer, 1,
            on_hand - locked, on_hand - locked]  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(SHOP, "taobao")
    files = tmp_path / "files"
    files.mkdir()
    # Ten days ago: the first snapshot (T2 and the combo's parts already there; P9 arrives later).
    write_xlsx(
        files / "聚水潭_商品库存_20261119.xlsx",
        JST_HEADER,
        [jst_row("T1", "T1-白-M", 40, 0), jst_row("T2_x002B_短裤", "T2_x002B_短裤-白-M", 300, 0)],
    )
    write_xlsx(
        files / "聚水潭_商品库存_20261129.xlsx",
        JST_HEADER,
        [
            jst_row("T1", "T1-白-M", 50, 5, purchase=20, transfer=4),  # available 45
            jst_row("T2_x002B_短裤", "T2_x002B_短裤-白-M", 300, 0),  # no sales: 零动销
            jst_row("P9", "P9-黑-L", 10, 2),  # first stock today: 库龄 0 (首次有库存)
        ],
    )
    write_xlsx(
        files / "商品资料.xlsx",
        [
            "款式编码",
            "商品编码",
            "颜色",
            "规格",
            "基本售价",
            "成本价",
            "创建时间",
            "分类",
            "年份",
            "季节",
            "商品名称",
        ],
        [
            ["T1", "T1-白-M", "白", "M", 99, 30, "2026-09-30", "T恤", 2026, "秋", "T恤 白 M"],
            [
                "T2_x002B_短裤",
                "T2_x002B_短裤-白-M",
                "白",
                "M",
                129,
                40,
                "2026-05-01",
                "套装",
                2026,
                "夏",
                "套装",
            ],
        ],
    )
    write_xlsx(files / "组合商品.xlsx", ["组合商品编码", "商品编码", "数量"], [["PACK2", "T1-白-M", 2]])
    # Order lines: T1 sells 3 + 2 (the last 7 days) + 10 (20 days ago); PACK2 ×5 = 10 T1 (12 days ago).
    lines = [
        ["L1", "O1", "T1-白-M", 3, "2026-11-28 10:00:00"],
        ["L2", "O2", "T1-白-M", 2, "2026-11-24 10:00:00"],
        ["L3", "O3", "T1-白-M", 10, "2026-11-09 10:00:00"],
        ["L4", "O4", "PACK2", 5, "2026-11-17 10:00:00"],
        ["L5", "O5", "P9-黑-L", 1, "2026-10-01 10:00:00"],  # 59 days ago: outside 30 days
    ]
    with (files / f"{SHOP}_宝贝报表.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["子订单编号", "主订单编号", "商家编码", "购买数量", "订单付款时间", "价格"])
        writer.writerows([[*row, "99.00"] for row in lines])
    with Workspace(root) as ws:
        for name in (
            "聚水潭_商品库存_20261119.xlsx",
            "聚水潭_商品库存_20261129.xlsx",
            "商品资料.xlsx",
            "组合商品.xlsx",
        ):
            ws.import_file(files / name, shop=SHOP)
        ws.import_file(files / f"{SHOP}_宝贝报表.csv", shop=SHOP)
    return root


def status_rows(root: Path, **kwargs: object) -> dict[str, dict[str, object]]:
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        result = stock_status(con, DAY, **kwargs)  # type: ignore[arg-type]
    return {row["sku"]: row for row in result.frame.iter_rows(named=True)}


def test_status_figures_are_hand_computed(workspace: Path) -> None:
    rows = status_rows(workspace)
    t1 = rows["T1-白-M"]
    # sales_30d = 3 + 2 + 10 + 5×2 (the combo exploded) = 25; sales_7d = 3 + 2 = 5
    assert (t1["sales_7d"], t1["sales_30d"]) == (5, 25)
    assert (t1["on_hand"], t1["available"], t1["in_transit"]) == (50, 45, 24)
    assert t1["days_of_cover"] == pytest.approx(45 / (25 / 30))  # 54 days
    assert t1["status"] == "正常"
    assert (t1["age_days"], t1["age_basis"]) == (60, "创建时间")  # in stock from the first snapshot
    assert str(t1["stock_value"]) == "1500.00"  # 50 × 30
    t2 = rows["T2+短裤-白-M"]  # the _x002B_ escape read as +
    assert (t2["style"], t2["status"], t2["days_of_cover"]) == ("T2+短裤", "零动销", None)
    p9 = rows["P9-黑-L"]
    assert (p9["sales_30d"], p9["status"], p9["age_days"], p9["age_basis"]) == (0, "零动销", 0, "首次有库存")
    assert p9["stock_value"] is None  # no cost anywhere: unknown, not 0


@pytest.mark.parametrize(
    ("cover", "expected"),
    [
        (None, "零动销"),
        (91, "滞销"),
        (90, "低周转"),
        (61, "低周转"),
        (60, "正常"),
        (31, "正常"),
        (30, "高周转"),
        (0, "高周转"),
    ],
)
def test_the_five_classes_hold_their_upper_ends(cover: int | None, expected: str) -> None:
    import polars as pl

    from shopops.domains.stock.status import _classify

    sales = 0 if cover is None else 30
    values = {
        "shop": "店", "sku": "A", "style": "A", "name": "", "category": "", "season": "", "on_hand": 100,
        "available": cover or 0, "in_transit": 0, "sales_7d": 0, "sales_30d": sales, "age_days": 400,
        "age_basis": "创建时间", "stock_value": None, "erp": "", "snapshot_date": DAY,
    }  # fmt: skip
    frame = pl.DataFrame({key: [value] for key, value in values.items()})
    row = _classify(frame, StockRules()).row(0, named=True)
    assert row["status"] == expected
    if cover is not None:
        assert row["days_of_cover"] == pytest.approx(cover)  # sales_30d 30: one a day


@pytest.mark.parametrize(
    ("age_days", "basis", "days", "cover"),
    [
        (4, "首次有库存", 5, 25.0),  # on sale 5 days (库龄 4 + the day itself): 10 sold → 2 a day
        (4, "创建时间", 5, 25.0),
        (0, "首次有库存", 1, 5.0),  # stock arrived today
        (29, "创建时间", 30, 150.0),  # a full window: the usual 30
        (4, "≥ 快照起点", 30, 150.0),  # no evidence of a start: the whole window
    ],
)
def test_a_young_sku_sells_over_its_days_on_sale(age_days: int, basis: str, days: int, cover: float) -> None:
    import polars as pl

    from shopops.domains.stock.status import _classify

    values = {
        "shop": "店", "sku": "A", "style": "A", "name": "", "category": "", "season": "", "on_hand": 50,
        "available": 50, "in_transit": 0, "sales_7d": 10, "sales_30d": 10, "age_days": age_days,
        "age_basis": basis, "stock_value": None, "erp": "", "snapshot_date": DAY,
    }  # fmt: skip
    row = _classify(pl.DataFrame({k: [v] for k, v in values.items()}), StockRules()).row(0, named=True)
    assert (row["sales_days"], row["days_of_cover"]) == (days, cover)


def test_a_snapshot_re_export_replaces_its_day_whole(workspace: Path, tmp_path: Path) -> None:
    again = write_xlsx(
        tmp_path / "聚水潭_商品库存_20261129.xlsx", JST_HEADER, [jst_row("T1", "T1-白-M", 7, 0)]
    )
    with Workspace(workspace) as ws:
        result = ws.import_file(again, shop=SHOP)
        assert (result.rows, result.rows_replaced) == (1, 3)
        assert result.date_min == result.date_max == DAY
        assert result.unused_columns == ("品牌", "仓库待发", "样衣仓", "公有可用数")
    rows = status_rows(workspace)
    assert list(rows) == ["T1-白-M"] and rows["T1-白-M"]["on_hand"] == 7


def test_wangdiantong_serial_dates_and_anytime(workspace: Path, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "旺店通_库存_20261129.xlsx",
        ["商家编码", "货品编号", "货品名称", "规格名称", "分类", "库存", "可发库存", "可用库存", "锁定量", "采购在途",
         "调拨在途", "单品创建时间", "最后盘点时间", "实际库存"],
        [["T1-白-M", "T1", "T恤", "白 M", "T恤", 50, 45, 44, 5, 20, 4, 46294.5, "任意时间", 50],
         ["X1-红-S", "X1", "新品", "红 S", "外套", 8, 8, 8, 0, 0, 0, "任意时间", "任意时间", 8]],
    )  # fmt: skip
    with Workspace(workspace) as ws:
        result = ws.import_file(path, shop=SHOP)
        assert result.source_key == "wdt_stock" and result.rows == 2
        stored = ws.connection.execute(
            "SELECT sku, created_at, available FROM stock_snapshot WHERE erp = '旺店通' ORDER BY sku"
        ).fetchall()
    assert stored == [("T1-白-M", dt.date(1899, 12, 30) + dt.timedelta(days=46294), 45), ("X1-红-S", None, 8)]
    with duckdb.connect(str(workspace / "warehouse.duckdb")) as con:
        notes = stock_status(con, DAY).notes
    assert f"{SHOP}：聚水潭 {DAY} 的快照；同日另有 旺店通 的快照，未相加" in notes  # 3 SKUs against 2


def test_a_snapshot_without_a_date_is_of_the_import_day(workspace: Path, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "商品库存.xlsx", JST_HEADER, [jst_row("T1", "T1-白-M", 9, 0)])
    with Workspace(workspace) as ws:
        result = ws.import_file(path, shop=SHOP)
    assert result.date_min == result.date_max == dt.date.today()


def test_the_cli_table_fits_80_columns_and_json_has_every_column(workspace: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["-w", str(workspace), "stock", "status"], env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert max(len(line) for line in table.stdout.splitlines() if "─" in line) <= 80
    assert "状态分布：零动销 2、滞销 0、低周转 0、正常 1、高周转 0" in table.stdout
    as_json = runner.invoke(cli, ["-w", str(workspace), "stock", "status", "--format", "json"])
    rows = json.loads(as_json.stdout)
    assert [r["sku"] for r in rows] == ["T2+短裤-白-M", "T1-白-M", "P9-黑-L"]  # by 库存金额
    by_style = json.loads(
        runner.invoke(
            cli, ["-w", str(workspace), "stock", "status", "--by", "style", "--format", "json"]
        ).stdout
    )
    assert {r["style"]: r["status"] for r in by_style} == {"T2+短裤": "零动销", "T1": "正常", "P9": "零动销"}


def test_stock_settings_are_checked() -> None:
    assert StockRules.from_settings({"stock": {"slow_days": 120}}).slow_days == 120
    with pytest.raises(WorkspaceError, match=r"stock.slowdays is not a 库存 setting"):
        StockRules.from_settings({"stock": {"slowdays": 120}})
    with pytest.raises(WorkspaceError, match="normal_days < low_days < slow_days"):
        StockRules.from_settings({"stock": {"low_days": 100}})
