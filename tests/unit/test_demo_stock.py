"""The stock demo (山岚服饰): real headers and quirks read back from the files, against the truths."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from shopops.demo import stock_exports as ex
from shopops.demo.stock import simulate, stock_shop, write_stock_exports
from shopops.workspace import Workspace

END = dt.date(2026, 11, 24)
DAYS = 60
SEED = 7
SHOP = "山岚服饰"
JST_STOCK = [
    "款式编码", "颜色", "规格", "品牌", "商品编码", "名称", "数量", "订单占有", "仓库待发", "安全库存下限", "安全库存上限",
    "采购在途数", "销退仓库存", "进货仓库存", "次品库存", "调拨在途数", "库存锁定", "样衣仓", "可用数", "公有可用数",
]  # fmt: skip
WDT_STOCK = [
    "商家编码", "条码", "货品编号", "货品名称", "规格名称", "分类", "库存", "可发库存", "可用库存", "锁定量", "采购在途",
    "调拨在途", "单品创建时间", "最后盘点时间", "实际库存",
]  # fmt: skip
JST_PRODUCTS = [
    "图片", "款式编码", "商品编码", "颜色", "规格", "基本售价", "成本价", "创建时间", "分类", "年份", "季节", "商品名称",
    "供应商名称",
]  # fmt: skip
LINES = [
    "子订单编号", "主订单编号", "标题", "价格", "购买数量", "商家编码", "订单状态", "买家实际支付金额", "退款状态", "退款金额",
    "订单创建时间", "订单付款时间",
]  # fmt: skip
LAST = "20261124"
LINES_FILE = f"宝贝报表_{SHOP}_20260926-20261124.xlsx"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("stock")
    files, truth = write_stock_exports(folder, END, DAYS, SEED)
    return folder, files, truth


def sheet(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def records(path: Path, skip: int = 0) -> list[dict[str, Any]]:
    header, *rows = sheet(path)[skip:]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_files_and_their_exact_headers(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    folder, files, truth = demo
    snapshots = [f"聚水潭_商品库存_202611{day:02d}.xlsx" for day in range(11, 25)]
    expected = [*snapshots, f"旺店通_库存_{LAST}.xlsx", "聚水潭_商品资料.xlsx", "组合商品.xlsx", LINES_FILE]
    assert [f.name for f in files] == expected
    assert [f["path"] for f in truth["files"]] == expected
    assert {f["shop"] for f in truth["files"]} == {SHOP}
    assert truth["snapshot_days"] == [f"2026-11-{day:02d}" for day in range(11, 25)]
    for name in snapshots:
        assert sheet(folder / name)[0] == JST_STOCK
    assert sheet(folder / f"旺店通_库存_{LAST}.xlsx")[0] == WDT_STOCK
    assert sheet(folder / "聚水潭_商品资料.xlsx")[0] == JST_PRODUCTS
    assert sheet(folder / "组合商品.xlsx")[0] == ["组合商品编码", "商品编码", "数量"]
    title, header = sheet(folder / LINES_FILE)[:2]
    assert title[0] == f"{SHOP} 宝贝报表"
    assert header == LINES


def test_plus_codes_leak_as_x002b_in_jushuitan_only(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    folder, _, truth = demo
    plus = truth["planted"]["plus_styles"]
    assert len(plus) == 3 and all("+" in code for code in plus)
    escaped = {code.replace("+", "_x002B_") for code in plus}
    for name in (f"聚水潭_商品库存_{LAST}.xlsx", "聚水潭_商品资料.xlsx"):
        rows = records(folder / name)
        assert escaped <= {row["款式编码"] for row in rows}
        assert not any("+" in row["款式编码"] or "+" in row["商品编码"] for row in rows)
        leaked = [row["商品编码"] for row in rows if "_x002B_" in row["商品编码"]]
        assert leaked and all(code.replace("_x002B_", "+") in truth["skus"] for code in leaked)
    wdt = records(folder / f"旺店通_库存_{LAST}.xlsx")
    assert {row["货品编号"] for row in wdt} >= set(plus)  # 旺店通 writes the + itself


def test_wangdiantong_dates_are_serials_or_anytime(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    folder, _, truth = demo
    rows = records(folder / f"旺店通_库存_{LAST}.xlsx")
    created = Counter(type(row["单品创建时间"]).__name__ for row in rows)
    assert set(created) == {"float", "str"} and {
        row["单品创建时间"] for row in rows if isinstance(row["单品创建时间"], str)
    } == {"任意时间"}
    counted = [row["最后盘点时间"] for row in rows]
    assert counted.count("任意时间") > len(rows) // 2 and any(isinstance(v, float) for v in counted)
    for row in rows:  # a serial is the SKU's creation time
        if isinstance(row["单品创建时间"], float):
            day = dt.date(1899, 12, 30) + dt.timedelta(days=int(row["单品创建时间"]))
            assert day.isoformat() == truth["skus"][row["商家编码"]]["created"]


def test_same_seed_same_cells(demo: tuple[Path, list[Path], dict[str, Any]], tmp_path: Path) -> None:
    folder, _, truth = demo
    assert stock_shop(END, DAYS, SEED) == {k: v for k, v in truth.items() if k != "files"}
    assert stock_shop(END, DAYS, SEED + 1)["last_day"] != truth["last_day"]
    history = simulate(END, DAYS, SEED)  # the writers that draw numbers, once more (all 18 files take 1.4 s)
    last = len(history.dates) - 1
    again = [ex.jst_stock(tmp_path, history, last - 6, SEED), ex.wdt_stock(tmp_path, history, last, SEED)]
    for path in again:
        assert sheet(path) == sheet(folder / path.name), path.name
    lines = [[int(c) if isinstance(c, float) else c for c in row] for row in sheet(folder / LINES_FILE)[2:]]
    assert lines == ex.line_rows(history, SEED)


def test_every_row_keeps_the_stock_identity_and_the_truth(
    demo: tuple[Path, list[Path], dict[str, Any]],
) -> None:
    folder, _, truth = demo
    for day, skus in truth["snapshots"].items():
        rows = records(folder / f"聚水潭_商品库存_{day.replace('-', '')}.xlsx")
        assert len(rows) == len(skus)
        for row in rows:
            assert row["可用数"] == row["公有可用数"] == row["数量"] - row["订单占有"]
            want = skus[row["商品编码"].replace("_x002B_", "+")]
            assert (row["数量"], row["订单占有"], row["采购在途数"] + row["调拨在途数"], row["可用数"]) == (
                want["on_hand"], want["order_locked"], want["in_transit"], want["available"])  # fmt: skip
    last = truth["snapshots"][truth["end"]]
    for row in records(folder / f"旺店通_库存_{LAST}.xlsx"):  # the same truth in the other ERP
        want = last[row["商家编码"]]
        assert row["库存"] == row["实际库存"] == want["on_hand"]
        assert row["可用库存"] == row["可发库存"] == row["库存"] - row["锁定量"] == want["available"]
        assert row["采购在途"] + row["调拨在途"] == want["in_transit"]


def test_the_oversold_day_has_negative_available(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    folder, _, truth = demo
    oversold = truth["planted"]["oversold"]
    assert oversold["date"] == "2026-11-18" and oversold["days"][0] == "2026-11-18"
    rows = records(folder / "聚水潭_商品库存_20261118.xlsx")
    negative = {row["商品编码"] for row in rows if row["可用数"] < 0}
    assert negative == set(oversold["skus"]) and all(s.startswith(oversold["style"]) for s in negative)
    assert all(r["可用数"] >= 0 for r in records(folder / "聚水潭_商品库存_20261117.xlsx"))


def test_sales_windows_count_pack_components(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    _, _, truth = demo
    end = dt.date.fromisoformat(truth["end"])
    last30 = {(end - dt.timedelta(days=i)).isoformat() for i in range(30)}
    last7 = {(end - dt.timedelta(days=i)).isoformat() for i in range(7)}
    packed = 0
    for sku, figures in truth["last_day"].items():
        daily = truth["skus"][sku]
        both = Counter(daily["daily_units"]) + Counter(daily["combo_units"])
        assert figures["sales_30d"] == sum(v for d, v in both.items() if d in last30)
        assert figures["sales_7d"] == sum(v for d, v in both.items() if d in last7)
        packed += sum(v for d, v in daily["combo_units"].items() if d in last30)
        if figures["sales_30d"]:  # 可用库存 ÷ (近30天销量 ÷ 30), half up to the hundredth
            cover = Decimal(figures["available"] * 30) / Decimal(figures["sales_30d"])
            assert figures["days_of_cover"] == str(cover.quantize(Decimal("0.01"), ROUND_HALF_UP))
        else:
            assert figures["days_of_cover"] is None
    expected = sum(
        q * sum(v for d, v in combo["daily_units"].items() if d in last30)
        for combo in truth["combos"].values()
        for q in combo["components"].values()
    )
    assert packed == expected > 0


def test_planted_cases(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    _, _, truth = demo
    planted = truth["planted"]
    end = dt.date.fromisoformat(truth["end"])
    recent = [dt.date.fromisoformat(s["created"]) for s in planted["new_styles"]]
    assert len(recent) >= 5 and all(0 <= (end - d).days < 30 for d in recent)
    dead = [s for s in truth["skus"] if s.startswith(planted["zero_sales_style"] + "-")]
    assert dead and set(dead) <= set(planted["zero_sales"])
    for sku in planted["zero_sales"]:
        assert not truth["skus"][sku]["daily_units"] and not truth["skus"][sku]["combo_units"]
    good, bad = planted["clearance_good"], planted["clearance_bad"]
    assert good["season"] == bad["season"] == "夏"
    assert good["units_after"] > 3 * good["units_before"] and good["on_hand_at_end"] == 0
    assert bad["on_hand_at_end"] > 0.8 * bad["on_hand_at_markdown"]


def test_the_order_lines_import_and_match_the_units(
    demo: tuple[Path, list[Path], dict[str, Any]], tmp_path: Path
) -> None:
    folder, _, truth = demo
    units: Counter[str] = Counter()
    for row in records(folder / LINES_FILE, skip=1):
        units[row["商家编码"]] += int(row["购买数量"])
    sold = {s: sum(f["daily_units"].values()) for s, f in truth["skus"].items()}
    sold |= {c: sum(f["daily_units"].values()) for c, f in truth["combos"].items()}
    assert units == Counter({k: v for k, v in sold.items() if v})
    workspace = Workspace.init(tmp_path / "ws")
    workspace.add_shop(SHOP, "taobao")
    with workspace:
        result = workspace.import_file(folder / LINES_FILE)
        total = workspace.connection.execute(
            "SELECT count(*), sum(quantity) FROM order_lines WHERE shop = ?", [SHOP]
        ).fetchone()
    assert result.source_key == "qianniu_order_lines"
    assert total == (result.rows, sum(units.values()))
