"""The 商品与库存 sheet of the 周报/日报, read back with openpyxl, on the stock demo's apparel shop: the
five classes and the totals against the manifest (实际库存 = the manifest's snapshot, 库存金额 = its
on hand × cost), the status table's cells and number formats, the 口径 lines, the 断货 risks and the
last season's 换季清仓 list as the analyses give them; the 日报 holds the 断货 block only; no sheet
without a snapshot in the period; another shop's codes (markup, a formula) stay text and stay out of
a report for 山岚服饰."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shopops.domains.stock.alerts import stock_alerts
from shopops.domains.stock.clearance import clearance_list
from shopops.domains.stock.sheet import stock_sheet
from shopops.reports.workbook import build_report
from shopops.workspace import Workspace
from tests.web.stock_data import (
    CLASSES,
    FORMULA_NAME,
    HOSTILE_SKUS,
    HOSTILE_STYLE,
    PLAIN_SKU,
    STOCK_SHOP,
    StockData,
    add_stock_data,
    class_totals,
    expected_class,
    stock_value,
)

END = dt.date(2026, 11, 29)  # a Sunday: the 周报 of 11-23 … 11-29 is whole
OTHER = "别家小店"
HEADERS = [
    "店铺", "商品编码", "款式编码", "名称", "分类", "季节", "实际库存", "可用库存", "在途", "近7天销量",
    "近30天销量", "可售天数", "状态", "库龄(天)", "库龄依据", "库存金额",
]  # fmt: skip
RISK_HEADERS = [
    "店铺", "商品编码", "款式编码", "名称", "爆款", "可用库存", "在途", "日均销量", "可售天数（含在途）",
    "涉及金额", "涉及金额算法",
]  # fmt: skip
CLEARANCE_HEADERS = [
    "店铺", "款式编码", "名称", "分类", "季节", "SKU数", "实际库存", "可用库存", "库存金额", "库龄(天)", "售罄率",
    "近14天销量", "前14天销量", "清完周数", "清仓得分", "当前价", "建议价", "建议折扣",
]  # fmt: skip


@pytest.fixture(scope="module")
def stock_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StockData]:
    base = tmp_path_factory.mktemp("stock_sheet")
    with Workspace.init(base / "ws") as workspace:
        workspace.add_shop(OTHER, "taobao")
        data = add_stock_data(workspace, base, END, OTHER)
    return base / "ws", data


def report(root: Path, path: Path, kind: str, day: dt.date, shops: list[str] | None = None) -> Any:
    with Workspace.open(root) as workspace:
        build_report(workspace, kind, day, shops=shops, target=path)
    return openpyxl.load_workbook(path)


def block(sheet: Any, heading: str) -> tuple[int, list[Any]]:
    """The header row (1-based) under the heading that starts with ``heading``, and the rows under
    it up to the first without a second cell (a note, or the end)."""
    start = next(r[0].row for r in sheet.iter_rows() if str(r[0].value or "").startswith(heading))
    rows = []
    for row in sheet.iter_rows(min_row=start + 2):
        if row[1].value in (None, ""):
            break
        rows.append(row)
    return start + 1, rows


def notes_after(sheet: Any, last_row: int, count: int = 12) -> list[str]:
    return [
        str(r[0].value) for r in sheet.iter_rows(min_row=last_row + 1, max_row=last_row + count) if r[0].value
    ]


def test_the_class_distribution_is_the_manifests(stock_demo: tuple[Path, StockData], tmp_path: Path) -> None:
    root, data = stock_demo
    sheet = report(root, tmp_path / "周报.xlsx", "weekly", END, shops=[STOCK_SHOP])["商品与库存"]
    assert str(sheet["A1"].value).startswith("周报 · 商品与库存 · 2026-11-23 ~ 2026-11-29")
    assert str(sheet["A2"].value).startswith(f"库存日 {END}") and "金额单位：元" in str(sheet["A2"].value)
    header, rows = block(sheet, "状态分布")
    assert [c.value for c in sheet[header]][:5] == ["状态", "SKU数", "实际库存", "库存金额", "库存金额占比"]
    shown = {r[0].value: [c.value for c in r[1:5]] for r in rows}
    totals = class_totals(data.truth)
    snapshot = data.truth["snapshots"][END.isoformat()]
    all_value = sum((stock_value(data.truth, sku) for sku in snapshot), Decimal(0))
    assert shown["合计"][:2] == [len(snapshot), sum(f["on_hand"] for f in snapshot.values())]
    assert Decimal(str(shown["合计"][2])).quantize(Decimal("0.01")) == all_value
    for name in CLASSES:
        skus, units, value = totals.get(name, (0, 0, Decimal(0)))
        assert shown[name][:2] == [skus, units], name
        assert Decimal(str(shown[name][2])).quantize(Decimal("0.01")) == value, name
        assert shown[name][3] == pytest.approx(float(value / all_value), abs=1e-9), name
    assert list(shown) == [*CLASSES, "无库存无销售", "合计"] and shown["无库存无销售"][0] == totals[None][0]
    assert all(totals.get(name) for name in ("零动销", "滞销", "高周转"))  # the demo has each story
    money = rows[0][3]
    assert money.number_format == "#,##0.00" and rows[0][1].number_format == "#,##0"
    assert rows[0][4].number_format == "0.00%"


def test_the_status_table_is_the_largest_stock_values(
    stock_demo: tuple[Path, StockData], tmp_path: Path
) -> None:
    root, data = stock_demo
    sheet = report(root, tmp_path / "周报.xlsx", "weekly", END, shops=[STOCK_SHOP])["商品与库存"]
    header, rows = block(sheet, "库存状态明细")
    snapshot = data.truth["snapshots"][END.isoformat()]
    assert sheet.cell(header - 1, 1).value == f"库存状态明细（按库存金额前 50 个 SKU，共 {len(snapshot)} 个）"
    assert [c.value for c in sheet[header]][: len(HEADERS)] == HEADERS
    assert len(rows) == 50
    values = sorted((stock_value(data.truth, sku) for sku in snapshot), reverse=True)[:50]
    assert [Decimal(str(r[15].value)).quantize(Decimal("0.01")) for r in rows] == values
    for row in rows:
        cells = dict(zip(HEADERS, [c.value for c in row], strict=False))
        sku, truth = cells["商品编码"], data.truth["last_day"][cells["商品编码"]]
        assert cells["店铺"] == STOCK_SHOP and cells["款式编码"] == data.truth["skus"][sku]["style"]
        assert cells["实际库存"] == snapshot[sku]["on_hand"] and cells["可用库存"] == truth["available"]
        assert cells["在途"] == snapshot[sku]["in_transit"]
        assert (cells["近7天销量"], cells["近30天销量"]) == (truth["sales_7d"], truth["sales_30d"])
        assert cells["状态"] == (expected_class(data.truth, sku) or "—")
        if truth["days_of_cover"] is None:
            assert cells["可售天数"] == "—"  # nothing sold in 30 days: unknown, not 0
        else:
            cover = Decimal(str(cells["可售天数"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert cover == Decimal(truth["days_of_cover"])
        assert cells["季节"] == data.truth["skus"][sku]["season"]
    assert rows[0][11].number_format == "0.00" and rows[0][6].number_format == "#,##0"
    notes = notes_after(sheet, rows[-1][0].row, 6)
    assert (
        notes[0]
        == "可售天数 = 可用库存 ÷ (近30天销量 ÷ 30)，上新不足30天的按在售天数（库龄 + 1）算日均；组合商品按 BOM 拆到子商品"
    )
    assert any(n.startswith("状态：零动销（有库存、近30天无销售）、滞销 > 90 天") for n in notes)
    assert f"{STOCK_SHOP}：旺店通 {END} 的快照；同日另有 聚水潭 的快照，未相加" in notes


def test_the_stockout_risks_and_the_last_seasons_clearance(
    stock_demo: tuple[Path, StockData], tmp_path: Path
) -> None:
    root, data = stock_demo
    sheet = report(root, tmp_path / "周报.xlsx", "weekly", END, shops=[STOCK_SHOP])["商品与库存"]
    with Workspace.open(root) as workspace:
        alerts = stock_alerts(workspace.connection, END, [STOCK_SHOP]).frame
        clearance = clearance_list(workspace.connection, END, "夏", [STOCK_SHOP]).frame
    risks = alerts.filter(alerts["kind"] == "断货风险")
    header, rows = block(sheet, "断货风险")
    assert [c.value for c in sheet[header]][: len(RISK_HEADERS)] == RISK_HEADERS
    assert len(rows) == min(20, risks.height) > 0
    snapshot = data.truth["snapshots"][END.isoformat()]
    for row, want in zip(rows, risks.iter_rows(named=True), strict=False):
        cells = dict(zip(RISK_HEADERS, [c.value for c in row], strict=False))
        assert cells["商品编码"] == want["sku"] and cells["在途"] == snapshot[want["sku"]]["in_transit"]
        assert cells["可用库存"] == data.truth["last_day"][want["sku"]]["available"]
        assert cells["涉及金额"] == pytest.approx(want["amount_at_stake"], abs=0.005)
        assert cells["涉及金额算法"] == want["formula"] and cells["爆款"] in (None, "", "爆款")
    assert [r[9].value for r in rows] == sorted((r[9].value for r in rows), reverse=True)
    notes = notes_after(sheet, rows[-1][0].row, 3)
    assert notes[0].startswith("断货风险：可售天数（含在途）=") and notes[1].startswith("爆款 = ")
    # 换季清仓 of the season before the day's own (秋 → 夏): the demo's two marked-down 夏 styles are there
    header, rows = block(sheet, "换季清仓（上一季：夏）")
    assert [c.value for c in sheet[header]][: len(CLEARANCE_HEADERS)] == CLEARANCE_HEADERS
    assert [r[1].value for r in rows] == clearance["style"].head(20).to_list()
    styles = {r[1].value: r for r in rows}
    planted = data.truth["planted"]
    bad = styles[planted["clearance_bad"]["style"]]  # marked down, barely moves: stock left
    assert bad[6].value == planted["clearance_bad"]["on_hand_at_end"] and bad[4].value == "夏"
    assert planted["clearance_good"]["style"] not in styles  # sold out: nothing to clear
    assert bad[10].number_format == "0.00%"
    assert any(
        str(n).startswith("季节：夏（商品资料 季节 = 夏）") for n in notes_after(sheet, rows[-1][0].row, 8)
    )


def test_the_daily_report_holds_the_stockout_block_only(
    stock_demo: tuple[Path, StockData], tmp_path: Path
) -> None:
    root, _ = stock_demo
    sheet = report(root, tmp_path / "日报.xlsx", "daily", END, shops=[STOCK_SHOP])["商品与库存"]
    assert str(sheet["A1"].value).startswith("日报 · 商品与库存（断货风险） · ")
    text = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any(t.startswith(("状态分布", "库存状态明细", "换季清仓")) for t in text)
    weekly = report(root, tmp_path / "周报.xlsx", "weekly", END, shops=[STOCK_SHOP])["商品与库存"]
    header, rows = block(sheet, "断货风险")
    assert [c.value for c in sheet[header]][: len(RISK_HEADERS)] == RISK_HEADERS
    width = len(RISK_HEADERS)
    assert [[c.value for c in r[:width]] for r in rows] == [
        [c.value for c in r[:width]] for r in block(weekly, "断货风险")[1]
    ]
    notes = notes_after(sheet, rows[-1][0].row, 4)
    assert f"{STOCK_SHOP}：旺店通 {END} 的快照；同日另有 聚水潭 的快照，未相加" in notes


def test_no_sheet_without_a_snapshot_in_the_period(
    stock_demo: tuple[Path, StockData], tmp_path: Path
) -> None:
    root, data = stock_demo
    first = dt.date.fromisoformat(data.truth["snapshot_days"][0])
    before = first - dt.timedelta(days=3)  # sales, but no stock snapshot yet
    with Workspace.open(root) as workspace:
        assert stock_sheet(workspace.connection, before, before) is None
        assert stock_sheet(workspace.connection, first, first) is not None
    book = report(root, tmp_path / "日报.xlsx", "daily", before, shops=[STOCK_SHOP])
    assert "商品与库存" not in book.sheetnames and "总表" in book.sheetnames


def test_another_shops_codes_stay_text_and_out_of_this_shops_report(
    stock_demo: tuple[Path, StockData], tmp_path: Path
) -> None:
    root, _ = stock_demo
    sheet = report(root, tmp_path / "山岚.xlsx", "weekly", END, shops=[STOCK_SHOP])["商品与库存"]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert OTHER not in text and HOSTILE_STYLE not in text and "HYPERLINK" not in text
    both = report(root, tmp_path / "both.xlsx", "weekly", END, shops=[STOCK_SHOP, OTHER])["商品与库存"]
    _, rows = block(both, "库存状态明细")
    mine = {r[1].value: r for r in rows if r[0].value == OTHER}  # cost ¥5,000 each: the largest values
    assert set(mine) == {*HOSTILE_SKUS, PLAIN_SKU}
    for row in mine.values():
        assert row[1].data_type == "s" and row[2].value == HOSTILE_STYLE and row[4].value == "<i>外套</i>"
        assert row[15].value == row[6].value * 5000
    formula = mine[PLAIN_SKU][3]
    assert (formula.value, formula.data_type) == (FORMULA_NAME, "s")  # a string cell, never a formula


def test_the_thresholds_are_the_workspaces(stock_demo: tuple[Path, StockData], tmp_path: Path) -> None:
    root, data = stock_demo
    config = root / "shopops.yaml"
    before = config.read_text(encoding="utf-8")
    try:
        config.write_text(before + "\nstock:\n  slow_days: 120\n  low_days: 80\n  normal_days: 40\n", "utf-8")
        sheet = report(root, tmp_path / "周报.xlsx", "weekly", END, shops=[STOCK_SHOP])["商品与库存"]
    finally:
        config.write_text(before, encoding="utf-8")
    _, rows = block(sheet, "库存状态明细")
    notes = notes_after(sheet, rows[-1][0].row, 6)
    assert any(
        n.startswith("状态：零动销（有库存、近30天无销售）、滞销 > 120 天、低周转 80–120") for n in notes
    )
    _, classes = block(sheet, "状态分布")
    shown = {r[0].value: r[1].value for r in classes}
    slow = sum(
        1
        for sku, f in data.truth["last_day"].items()
        if f["sales_30d"] and Decimal(f["available"] * f["window_days"]) / Decimal(f["sales_30d"]) > 120
    )
    assert shown["滞销"] == slow
