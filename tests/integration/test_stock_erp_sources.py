"""商品与库存: the ERP's own sales (聚水潭 销售/多维度, 销售明细) and eFAST 进销存 — their quirks, their shop
column, and what relations.SOLD and relations.MOVEMENTS make of them.

SOLD's rule: per shop and day, the ERP's sales by payment when it has a row for that shop-day, else
the paid order lines — never both. MOVEMENTS: 期初/期末 and what moved, per shop × SKU × period.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.domains.stock.relations import MOVEMENTS, SOLD
from shopops.domains.stock.status import stock_status
from shopops.errors import UserError
from shopops.workspace import Workspace
from tests.stock_files import write_xlsx

SHOP, JD = "山岚服饰", "山岚京东店"
SALES_HEADER = [
    "渠道", "店铺", "日期", "商品编码", "款式编码", "颜色规格", "产品分类", "成本价", "销售数量", "实发数量",
    "实发金额", "销售金额", "退货数量", "实退数量", "退货金额", "实退金额",
]  # fmt: skip
DETAIL_HEADER = ["内部订单号", "店铺", "付款日期", "商品编码", "达人编号", "款式编码", "颜色规格", "产品分类",
                 "成本价", "销售数量", "实发数量", "实发金额", "销售金额", "退货数量", "实退数量", "退货金额",
                 "实退金额"]  # fmt: skip
MOVEMENT_HEADER = [
    "仓库", "商品编码", "商品名称", "颜色", "尺码", "商品条形码", "期初库存", "期初金额", "入库总数", "采购入库数",
    "采购退货数", "批发销货数", "批发退货数", "调整数", "出库总数", "移入数", "移出数", "零售发货数", "零售退货数",
    "期末库存", "价格", "期末金额",
]  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def sale(
    shop: str, day: object, sku: str, units: int | str, amount: str, returned: int | str = ""
) -> list[object]:
    """A 多维度 row: 实发 = 销售 − 1 (one unit not yet shipped), 退货 = 实退 + 1."""
    shipped = units - 1 if isinstance(units, int) else ""
    back = "" if returned == "" else int(returned) + 1
    return ["淘宝", shop, day, sku, sku.split("-", maxsplit=1)[0], "白;M", "T恤", "30", units, shipped, "", amount,
            back, returned, "", ""]  # fmt: skip


def import_cli(root: Path, path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-w", str(root), "import", str(path), *args])
    return result.exit_code, result.stdout.strip(), result.stderr.strip()


def rows(root: Path, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def sold(root: Path, start: str, end: str) -> list[tuple[Any, ...]]:
    """SOLD summed per key, as an analysis reads it."""
    return rows(
        root,
        f"WITH sold AS ({SOLD}) SELECT shop, sku, day, sum(units), sum(revenue), sum(returned_units), source"
        " FROM sold GROUP BY shop, sku, day, source ORDER BY shop, day, sku",
        {"sold_start": dt.date.fromisoformat(start), "sold_end": dt.date.fromisoformat(end)},
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    with Workspace.init(folder) as ws:
        ws.add_shop(SHOP, "taobao")
        ws.add_shop(JD, "jd")
    return folder


def test_jst_sales_csv_with_spaced_headers_separators_and_two_shops(root: Path, tmp_path: Path) -> None:
    header = [f" {SALES_HEADER[0]}", f"{SALES_HEADER[1]}\u3000", f"{SALES_HEADER[2]} ", *SALES_HEADER[3:]]
    path = write_csv(
        tmp_path / "聚水潭_销售多维度_付款时间.csv",
        header,
        [
            sale(SHOP, "2026-11-27", "T1-白-M", 1200, "119,880.00", 2),  # thousands separators
            ["京东", JD, "2026-11-27", "T1-白-M", "T1", "白;M", "T恤", "30", 5, 5, "495", "495", 0, 0, 0, 0],
            sale(SHOP, "2026-11-28", "T2_x002B_短裤-白-M", 3, "387.00"),  # the OOXML escape of +
            ["合计", "", "", "", "", "", "", "", "1,208", "", "", "", "", "", "", ""],
        ],
    )
    code, out, err = import_cli(root, path)
    assert (code, err) == (0, "")
    # 3 rows stored + 1 skipped = the 4 data lines of the file; each row under the shop its 店铺 names.
    assert out == (
        "✓ 聚水潭_销售多维度_付款时间.csv — 聚水潭 · 销售（多维度）（jst_sales）：3 行，2026-11-27…2026-11-28，"
        f"店铺 {JD}（1 行）、{SHOP}（2 行）（跳过 1 行：合计/汇总行 1）"
    )
    assert rows(
        root,
        "SELECT shop, erp, date_basis, day, channel, sku, style, sold_units, shipped_units, sales_amount,"
        " return_units, returned_units FROM erp_sales ORDER BY source_row",
    ) == [
        (SHOP, "聚水潭", "付款", dt.date(2026, 11, 27), "淘宝", "T1-白-M", "T1", 1200, 1199, Decimal("119880.00"), 3, 2),
        (JD, "聚水潭", "付款", dt.date(2026, 11, 27), "京东", "T1-白-M", "T1", 5, 5, Decimal("495.00"), 0, 0),
        (SHOP, "聚水潭", "付款", dt.date(2026, 11, 28), "淘宝", "T2+短裤-白-M", "T2+短裤", 3, 2, Decimal("387.00"),
         None, None),
    ]  # fmt: skip


def test_jst_sales_xlsx_with_excel_serial_dates(root: Path, tmp_path: Path) -> None:
    serial = (dt.date(2026, 11, 27) - dt.date(1899, 12, 30)).days  # 46353, as a number cell
    path = write_xlsx(
        tmp_path / "聚水潭_销售多维度.xlsx",  # the name does not say 付款时间 or 发货时间: 未注明
        [*SALES_HEADER[:8], "销售数量 ", *SALES_HEADER[9:]],
        [
            sale(SHOP, serial, "T1-白-M", 4, "396"),
            sale(SHOP, dt.datetime(2026, 11, 28), "T1-白-M", 2, "198"),  # a date cell
            sale(SHOP, "2026/11/29", "T1-白-M", "1,000", "99,000.00"),  # text cells
        ],
    )
    with Workspace(root) as ws:
        result = ws.import_file(path)
    assert (result.source_key, result.rows, result.date_min, result.date_max) == (
        "jst_sales", 3, dt.date(2026, 11, 27), dt.date(2026, 11, 29),
    )  # fmt: skip
    assert rows(root, "SELECT day, date_basis, sold_units FROM erp_sales ORDER BY day") == [
        (dt.date(2026, 11, 27), "未注明", 4),
        (dt.date(2026, 11, 28), "未注明", 2),
        (dt.date(2026, 11, 29), "未注明", 1000),
    ]


def test_a_date_of_anytime_identifies_no_day(root: Path, tmp_path: Path) -> None:
    """旺店通-style `任意时间` reads as no date; a sales row needs its day, so the file is refused whole."""
    path = write_csv(
        tmp_path / "聚水潭_销售多维度.csv", SALES_HEADER, [sale(SHOP, "任意时间", "T1-白-M", 1, "99")]
    )
    code, _, err = import_cli(root, path)
    assert code == 1
    assert err == (
        "✗ 聚水潭_销售多维度.csv 第 2 行「日期」列：值 “任意时间” 是空的，但每一行都需要它（它用来识别这一行）"
        " — 填上，或删掉这一行"
    )


def test_shop_column_and_the_shop_option(root: Path, tmp_path: Path) -> None:
    unknown = write_csv(
        tmp_path / "聚水潭_销售_付款时间.csv",
        SALES_HEADER,
        [sale(SHOP, "2026-11-27", "T1-白-M", 1, "99"), sale("拼多多小店", "2026-11-27", "T1-白-M", 1, "99")],
    )
    code, out, err = import_cli(root, unknown)
    # A row of a shop the workspace does not have (a 拼多多 store of the same ERP) is left out and said:
    # rows stored + rows skipped = the data lines. Once the shop is added, the same file brings it in.
    assert (code, err) == (0, "")
    assert out == (
        "✓ 聚水潭_销售_付款时间.csv — 聚水潭 · 销售（多维度）（jst_sales）：1 行，2026-11-27，店铺 山岚服饰"
        "（跳过 1 行：未登记的店铺 拼多多小店 1 行）"
    )
    with Workspace(root) as ws:
        ws.add_shop("拼多多小店", "taobao")
        assert ws.import_file(unknown).shop_rows == (("山岚服饰", 1), ("拼多多小店", 1))
    # --shop fills the empty 店铺 cells, and must agree with the others.
    blank = write_csv(
        tmp_path / "聚水潭_销售_付款时间_2.csv",
        SALES_HEADER,
        [sale("", "2026-11-27", "T1-白-M", 1, "99"), sale(SHOP, "2026-11-28", "T1-白-M", 2, "198")],
    )
    code, _, err = import_cli(root, blank, "--shop", JD)
    assert (code, err) == (
        1,
        "✗ 聚水潭_销售_付款时间_2.csv 第 3 行「店铺」列：值 “山岚服饰” 是 --shop 山岚京东店 以外的店铺"
        " — 去掉 --shop，每行按它的店铺列导入；或修改文件",
    )
    code, out, _ = import_cli(root, blank, "--shop", SHOP)
    assert code == 0 and out.endswith(f"2 行，2026-11-27…2026-11-28，店铺 {SHOP}（替换了 1 行旧数据）")
    # A report without 店铺 is one shop's, like any file: --shop, the file's name, or the only shop.
    one = [row[:1] + row[2:] for row in [sale("", "2026-11-30", "T1-白-M", 1, "99")]]
    path = write_csv(tmp_path / f"{JD}_聚水潭_销售_付款时间.csv", SALES_HEADER[:1] + SALES_HEADER[2:], one)
    code, out, _ = import_cli(root, path)
    assert code == 0 and out.endswith(f"1 行，2026-11-30，店铺 {JD}")


def test_a_blank_sku_is_kept_and_reported(root: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "聚水潭_销售_付款时间.csv",
        SALES_HEADER,
        [sale(SHOP, "2026-11-27", "T1-白-M", 1, "99"), sale(SHOP, "2026-11-27", "", 2, "50")],
    )
    code, out, _ = import_cli(root, path)
    assert code == 0 and out.endswith(f"店铺 {SHOP}（1 行缺商品编码（记为未知））")
    assert sum(r[3] for r in sold(root, "2026-11-27", "2026-11-27")) == 3  # the day's units: nothing lost


def test_detail_and_multi_dimension_reports_replace_each_others_days(root: Path, tmp_path: Path) -> None:
    with Workspace(root) as ws:
        ws.import_file(
            write_csv(
                tmp_path / "聚水潭_销售多维度_付款时间.csv",
                SALES_HEADER,
                [
                    sale(SHOP, "2026-11-27", "T1-白-M", 4, "396"),
                    sale(SHOP, "2026-11-28", "T1-白-M", 9, "891"),
                ],
            )
        )
        # 销售明细 of 11-28: one order holds the SKU on two identical lines; both count.
        detail = [
            ["O1", SHOP, "2026-11-28 10:00:00", "T1-白-M", 1234567, "T1", "白;M", "T恤", 30, 1, 1, 99, 99, 0, 0, 0, 0],
            ["O1", SHOP, "2026-11-28 10:00:00", "T1-白-M", 1234567, "T1", "白;M", "T恤", 30, 1, 1, 99, 99, 0, 0, 0, 0],
            ["O2", SHOP, "2026-11-28 11:00:00", "T1-白-M", "", "T1", "白;M", "T恤", 30, 2, 0, 0, 198, 1, 1, 99, 99],
        ]  # fmt: skip
        result = ws.import_file(write_xlsx(tmp_path / "聚水潭_销售明细.xlsx", DETAIL_HEADER, detail))
        assert (result.source_key, result.rows, result.rows_replaced) == ("jst_sales_detail", 3, 1)
        # The same report by 发货时间 is kept apart and is not a sale by payment.
        shipped = [sale(SHOP, "2026-11-28", "T1-白-M", 50, "4950")]
        ws.import_file(write_csv(tmp_path / "聚水潭_销售多维度_发货时间.csv", SALES_HEADER, shipped))
    assert rows(root, "SELECT DISTINCT influencer FROM erp_sales WHERE order_id = 'O1'") == [("1234567",)]
    assert sold(root, "2026-11-27", "2026-11-28") == [
        (SHOP, "T1-白-M", dt.date(2026, 11, 27), 4, Decimal("396.00"), None, "erp_sales"),
        (SHOP, "T1-白-M", dt.date(2026, 11, 28), 4, Decimal("396.00"), 1, "erp_sales"),
    ]


def test_sold_counts_each_sale_once(root: Path, tmp_path: Path) -> None:
    """A shop-day the ERP has is the ERP's (its order lines are not added); a day without is the lines'."""
    lines = [
        ["L1", "O1", "T1-白-M", 3, "2026-11-27 10:00:00", "297.00"],  # an ERP day: not counted again
        ["L2", "O2", "T1-白-M", 2, "2026-11-29 10:00:00", "198.00"],  # no ERP row that day: counted
        ["L3", "O3", "PACK2", 1, "2026-11-29 11:00:00", "150.00"],
    ]
    header = ["子订单编号", "主订单编号", "商家编码", "购买数量", "订单付款时间", "买家实际支付金额"]
    erp = [
        sale(SHOP, "2026-11-27", "T1-白-M", 4, "396.00", 1),
        sale(SHOP, "2026-11-27", "PACK2", 1, "300.00"),  # a 组合商品 in the ERP's sales: exploded too
        ["京东", JD, "2026-11-29", "T1-白-M", "T1", "白;M", "T恤", 30, 7, 7, 693, 693, 0, 0, 0, 0],
    ]
    with Workspace(root) as ws:
        ws.import_file(write_csv(tmp_path / "宝贝报表.csv", header, lines), shop=SHOP)
        ws.import_file(write_csv(tmp_path / "组合商品.csv", ["组合商品编码", "商品编码", "数量"],
                                 [["PACK2", "T1-白-M", 1], ["PACK2", "P1-黑-M", 1]]), shop=SHOP)  # fmt: skip
        ws.import_file(write_csv(tmp_path / "聚水潭_销售多维度_付款时间.csv", SALES_HEADER, erp))
    assert sold(root, "2026-11-27", "2026-11-29") == [
        (JD, "T1-白-M", dt.date(2026, 11, 29), 7, Decimal("693.00"), 0, "erp_sales"),  # 实退 0: known
        (SHOP, "P1-黑-M", dt.date(2026, 11, 27), 1, Decimal("150.00"), None, "erp_sales"),
        (SHOP, "T1-白-M", dt.date(2026, 11, 27), 5, Decimal("546.00"), 1, "erp_sales"),  # 4 + 1 of PACK2
        (SHOP, "P1-黑-M", dt.date(2026, 11, 29), 1, Decimal("75.00"), None, "order_lines"),
        (SHOP, "T1-白-M", dt.date(2026, 11, 29), 3, Decimal("273.00"), None, "order_lines"),  # 2 + 1
    ]
    # The window's bounds hold for both sources.
    assert {r[2] for r in sold(root, "2026-11-28", "2026-11-29")} == {dt.date(2026, 11, 29)}
    # `stock status` reads SOLD: T1's 7 days are 5 (ERP) + 3 (order lines), not + the 3 of L1.
    snapshot = [["T1-白-M", 50, 50], ["P1-黑-M", 9, 9]]
    with Workspace(root) as ws:
        ws.import_file(write_csv(tmp_path / "聚水潭_商品库存_20261129.csv", ["商品编码", "数量", "可用数"], snapshot),
                       shop=SHOP)  # fmt: skip
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        frame = stock_status(con, dt.date(2026, 11, 29)).frame
    assert {r["sku"]: r["sales_7d"] for r in frame.iter_rows(named=True)} == {"T1-白-M": 8, "P1-黑-M": 2}


def movement(warehouse: str, sku: str, opening: int, closing: int, sign: int = 1) -> list[object]:
    """A 进销存 row: 采购入库 50, 采购退货 5, 批发销货 10, 批发退货 2, 调整 −3, 移入 3, 移出 2, 零售发货 28,
    零售退货 5; the outbound figures written with ``sign`` (some eFAST versions write them negative)."""
    out = [sign * n for n in (5, 10, 2, 28)]
    return [warehouse, sku.split("-", maxsplit=1)[0], "T恤", "白", "M", sku, opening, f"{opening * 99:,}.00", 60, 50, out[0],
            out[1], 2, -3, 45, 3, out[2], out[3], 5, closing, 99, f"{closing * 99:,}.00"]  # fmt: skip


def test_efast_movement_period_from_the_name_and_movements(root: Path, tmp_path: Path) -> None:
    header = [f"{h} " if i % 5 == 0 else h for i, h in enumerate(MOVEMENT_HEADER)]  # stray spaces
    november = [
        movement("主仓", "T1-白-M", 100, 112),  # 100 + 60 − 45 − 3 = 112
        movement("备仓", "T1-白-M", 10, 99, sign=-1),  # 期末 ≠ 期初 + 入 − 出: stored as written
    ]
    path = write_xlsx(tmp_path / "eFAST_商品进销存_2026-11-01至2026-11-30.xlsx", header, november)
    with Workspace(root) as ws:
        result = ws.import_file(path, shop=SHOP)
        assert (result.source_key, result.rows, result.date_min, result.date_max) == (
            "efast_movement", 2, dt.date(2026, 11, 1), dt.date(2026, 11, 30),
        )  # fmt: skip
        # A re-export of 主仓 for the same period replaces 主仓 only; another period is kept apart.
        again = write_csv(tmp_path / "进销存_2026-11-01至2026-11-30.csv", MOVEMENT_HEADER,
                          [movement("主仓", "T1-白-M", 100, 120)])  # fmt: skip
        assert ws.import_file(again, shop=SHOP).rows_replaced == 1
        half = write_csv(tmp_path / "进销存_20261101-20261115.csv", MOVEMENT_HEADER,
                         [movement("主仓", "T1-白-M", 100, 105)])  # fmt: skip
        ws.import_file(half, shop=SHOP)
    # received = (50 − 5) × 2, sold = (28 + 10) × 2, returned = (5 + 2) × 2, values summed over warehouses.
    assert rows(root, f"SELECT * FROM ({MOVEMENTS}) ORDER BY period_end") == [
        (SHOP, "eFAST", "T1-白-M", "T1", dt.date(2026, 11, 1), dt.date(2026, 11, 15), 100, 105, 45, 38, 7, -3, 60,
         45, Decimal("9900.00"), Decimal("10395.00")),
        (SHOP, "eFAST", "T1-白-M", "T1", dt.date(2026, 11, 1), dt.date(2026, 11, 30), 110, 219, 90, 76, 14, -6, 120,
         90, Decimal("10890.00"), Decimal("21681.00")),
    ]  # fmt: skip


def test_efast_movement_needs_a_period(root: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "商品进销存.csv", MOVEMENT_HEADER, [movement("主仓", "T1-白-M", 1, 1)])
    with Workspace(root) as ws, pytest.raises(UserError) as raised:
        ws.import_file(path, shop=SHOP)
    assert str(raised.value) == (
        "商品进销存.csv: is a eFAST · 进销存 export (efast_movement) but has no column 业务日期 (accepted names:"
        " 业务日期, 统计日期, 日期) and its file name states no period — add the period the file covers to its"
        " name, e.g. …_2026-11-01至2026-11-07.xlsx"
    )
