"""The stock demo (山岚服饰): real headers and quirks read back from the files, against the truths.

The second half is the whole shop ``shopops demo`` writes (``write_stock_shop``): its 生意参谋 商品效果
against its order lines, the new styles against their launch cohort, the price history, the
sell-through books and the shop's 总表 truths.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from shopops.demo import stock_exports as ex
from shopops.demo.stock import StockShop, simulate, stock_shop, write_stock_exports, write_stock_shop
from shopops.demo.stock_traffic import ITEM_HEADER
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
        if figures["sales_30d"]:  # 可用库存 × window ÷ 近30天销量, half up to the hundredth
            cover = Decimal(figures["available"] * figures["window_days"]) / Decimal(figures["sales_30d"])
            assert figures["days_of_cover"] == str(cover.quantize(Decimal("0.01"), ROUND_HALF_UP))
        else:
            assert figures["days_of_cover"] is None
    expected = sum(
        q * sum(v for d, v in combo["daily_units"].items() if d in last30)
        for combo in truth["combos"].values()
        for q in combo["components"].values()
    )
    assert packed == expected > 0


def test_a_young_skus_cover_uses_its_days_on_sale(demo: tuple[Path, list[Path], dict[str, Any]]) -> None:
    """window = 30, or min(30, max(1, 库龄 + 1)): 库龄 from the first snapshot with stock when that came
    after the shop's first snapshot (首次有库存), else from 创建时间 (every demo SKU has one)."""
    _, _, truth = demo
    end = dt.date.fromisoformat(truth["end"])
    days = truth["snapshot_days"]
    bases = Counter()
    for sku, figures in truth["last_day"].items():
        stocked = [d for d in days if truth["snapshots"][d].get(sku, {}).get("on_hand", 0) > 0]
        if stocked and stocked[0] > days[0]:
            basis, since = "首次有库存", stocked[0]
        else:
            basis, since = "创建时间", truth["skus"][sku]["created"]
        age = (end - dt.date.fromisoformat(since)).days
        assert (figures["age_basis"], figures["window_days"]) == (basis, min(30, max(1, age + 1))), sku
        bases[basis, figures["window_days"] < 30] += 1
    assert bases["首次有库存", True] and bases["创建时间", True] and bases["创建时间", False]


def test_cover_by_hand() -> None:
    from shopops.demo.stock_truths import _age, _cover, _window

    last = dt.date(2026, 11, 24)
    # first stocked on 11-20, after the first snapshot (11-11): 库龄 4, 5 days on sale; 7 × 5 ÷ 3 = 11.666…
    basis, age = _age(dt.date(2026, 11, 20), dt.date(2026, 11, 11), dt.date(2026, 11, 1), last)
    assert (basis, age, _window(age), _cover(7, 3, _window(age))) == ("首次有库存", 4, 5, "11.67")
    # stocked from the first snapshot, created 11-24 (库龄 0): one day's window; 5 × 1 ÷ 8 = 0.625 → 0.63
    basis, age = _age(dt.date(2026, 11, 11), dt.date(2026, 11, 11), last, last)
    assert (basis, _window(age), _cover(5, 8, _window(age))) == ("创建时间", 1, "0.63")
    # created long ago: 30; no creation date and stock from the start: ≥ 快照起点, 30; 10 × 30 ÷ 4 = 75
    assert _window(_age(None, dt.date(2026, 11, 11), dt.date(2025, 1, 1), last)[1]) == 30
    assert _age(dt.date(2026, 11, 11), dt.date(2026, 11, 11), None, last) == ("≥ 快照起点", None)
    assert (_window(None), _cover(10, 4, 30), _cover(10, 0, 30)) == (30, "75.00", None)


def test_the_product_list_carries_the_packs_with_their_parts_cost(
    demo: tuple[Path, list[Path], dict[str, Any]],
) -> None:
    folder, _, truth = demo
    rows = {row["商品编码"]: row for row in records(folder / "聚水潭_商品资料.xlsx")}
    assert set(rows) == {ex.jst_code(code) for code in truth["skus"]} | set(truth["combos"])
    for code, combo in truth["combos"].items():
        cost = sum(Decimal(truth["skus"][sku]["cost"]) * q for sku, q in combo["components"].items())
        row = rows[code]
        assert (row["款式编码"], Decimal(str(row["成本价"])), Decimal(str(row["基本售价"]))) == (
            "",
            cost,
            Decimal(combo["price"]),
        )


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


# --- the whole shop (``generate(stock=True)``) -----------------------------------------------------

SPAN = "20260926-20261124"
ITEMS_FILE = f"【生意参谋平台】【商品每日数据】{SHOP}_{SPAN}.csv"
DETAIL_FILE = f"ExportOrderDetailList_{SHOP}_{SPAN}.csv"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StockShop]:
    folder = tmp_path_factory.mktemp("stock_shop")
    return folder / SHOP, write_stock_shop(folder, END, DAYS, SEED)


def csv_records(path: Path, *, encoding: str = "utf-8", skip: int = 0) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        header, *rows = list(csv.reader(handle))[skip:]
    return [dict(zip(header, row, strict=True)) for row in rows if len(row) == len(header)]


def text_id(value: str) -> str:
    return value.removeprefix('="').removesuffix('"')


def first_days(style: dict[str, Any], days: int) -> tuple[int, int, int] | None:
    """A style's units, visitors and buyers in its first ``days`` days of stock (None: not that long)."""
    first = dt.date.fromisoformat(style["first_stock"])
    if first + dt.timedelta(days=days - 1) > END:
        return None
    window = [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]
    rows = [style["daily"].get(day, {}) for day in window]
    return tuple(sum(r.get(k, 0) for r in rows) for k in ("units", "visitors", "buyers"))  # type: ignore[return-value]


def test_the_shop_writes_every_export_a_taobao_shop_has(shop: tuple[Path, StockShop]) -> None:
    folder, made = shop
    snapshots = [f"聚水潭_商品库存_202611{day:02d}.xlsx" for day in range(11, 25)]
    expected = [
        *snapshots, f"旺店通_库存_{LAST}.xlsx", "聚水潭_商品资料.xlsx", "组合商品.xlsx",
        f"【生意参谋平台】店铺整体_{SHOP}_{SPAN}.csv", f"ExportOrderList_{SPAN}.csv", DETAIL_FILE,
        f"退款管理_{SHOP}.csv", f"直通车_计划报表_{SHOP}_{SPAN}.csv", f"引力魔方_计划日报表_{SHOP}_{SPAN}.xlsx",
        f"淘宝联盟_商家推广日报_{SHOP}.xls", ITEMS_FILE,
    ]  # fmt: skip
    assert [p.name for p in made.files] == expected
    assert all(p.parent == folder for p in made.files)
    assert made.truth["files"] == [{"path": f"{SHOP}/{name}", "shop": SHOP} for name in expected]
    with (folder / ITEMS_FILE).open(encoding="gb18030") as handle:
        assert next(csv.reader(handle)) == ["生意参谋 取数 · 商品效果（商品每日数据）"]
        assert list(csv.reader(handle))[2] == ITEM_HEADER  # after 统计时间 and a blank line
    assert made.shop["platform"] == "taobao" and len(made.shop["days"]) == DAYS


def test_item_days_are_the_order_lines_of_the_day(shop: tuple[Path, StockShop]) -> None:
    folder, made = shop
    truth = made.truth
    item_of = {sku: f["style"] for sku, f in truth["skus"].items()} | {c: c for c in truth["combos"]}
    lines: dict[tuple[str, str], list[int | Decimal]] = defaultdict(lambda: [0, 0, Decimal(0)])
    for row in csv_records(folder / DETAIL_FILE):
        assert row["订单状态"] == "交易成功" and text_id(row["子订单编号"]).isdigit()
        figures = lines[(item_of[row["商家编码"]], row["订单付款时间"][:10])]
        figures[0] += 1  # each line is its own order and buyer
        figures[1] += int(row["购买数量"])
        figures[2] += Decimal(row["买家实际支付金额"])
    rows = csv_records(folder / ITEMS_FILE, encoding="gb18030", skip=3)
    items = {(r["货号"], r["统计日期"]): r for r in rows}
    assert len(items) == len(rows) and set(lines) <= set(items)
    daily = {code: s["daily"] for code, s in truth["styles"].items()} | {
        code: c["daily"] for code, c in truth["combos"].items()
    }
    assert sum(len(days) for days in daily.values()) == len(rows)
    ids = {code: s["item_id"] for code, s in truth["styles"].items()} | {
        code: c["item_id"] for code, c in truth["combos"].items()
    }
    for (code, day), row in items.items():
        buyers, units, gmv = lines.get((code, day), [0, 0, Decimal(0)])
        visitors, pageviews, carts = int(row["商品访客数"]), int(row["商品浏览量"]), int(row["商品加购人数"])
        assert (int(row["支付买家数"]), int(row["支付件数"]), Decimal(row["支付金额"])) == (
            buyers,
            units,
            gmv,
        )
        assert pageviews >= visitors >= carts >= buyers and visitors > 0
        assert row["商品支付转化率"] == f"{buyers / visitors * 100:.2f}%" and row["商品ID"] == ids[code]
        assert daily[code][day] == {
            "visitors": visitors, "pageviews": pageviews, "add_to_cart_buyers": carts, "buyers": buyers,
            "units": units, "gmv": f"{gmv:.2f}",
        }  # fmt: skip
    dead = truth["styles"][truth["planted"]["zero_sales_style"]]["daily"]
    assert dead and all(d["visitors"] > 0 and d["buyers"] == 0 for d in dead.values())  # seen, never bought


def test_the_shop_days_add_up_its_items(shop: tuple[Path, StockShop]) -> None:
    _, made = shop
    items = [*made.truth["styles"].values(), *made.truth["combos"].values()]
    for day, truth in made.shop["days"].items():
        rows = [item["daily"][day] for item in items if day in item["daily"]]
        assert truth["gmv"] == str(sum((Decimal(r["gmv"]) for r in rows), Decimal(0)))
        assert truth["units"] == sum(r["units"] for r in rows)
        assert truth["buyers"] == truth["paid_orders"] == sum(r["buyers"] for r in rows)
        assert truth["buyers"] <= truth["visitors"] <= sum(r["visitors"] for r in rows) + 60
    assert all(Decimal(d["refund_amount"]) >= 0 for d in made.shop["days"].values())
    assert sum(Decimal(d["ad_spend"]) for d in made.shop["days"].values()) > 0


def test_same_seed_same_shop(shop: tuple[Path, StockShop], tmp_path: Path) -> None:
    folder, made = shop
    again = write_stock_shop(tmp_path, END, DAYS, SEED)
    assert (again.truth, again.shop) == (made.truth, made.shop)
    assert stock_shop(END, DAYS, SEED) == {k: v for k, v in made.truth.items() if k != "files"}
    for path in again.files:
        if path.suffix in (".csv", ".xls"):  # text files (the .xlsx carry their creation time)
            assert path.read_bytes() == (folder / path.name).read_bytes(), path.name
    assert stock_shop(END, DAYS, SEED + 1)["styles"] != made.truth["styles"]


def test_new_styles_take_off_or_stick_against_their_cohort(shop: tuple[Path, StockShop]) -> None:
    _, made = shop
    truth = made.truth
    styles, planted = truth["styles"], truth["planted"]
    start = dt.date.fromisoformat(truth["start"])
    cohort: dict[str, list[str]] = defaultdict(list)
    for launch in planted["launch_cohort"]:  # launched in the window, with ≥ 30 days of sales by the end
        first = dt.date.fromisoformat(launch["first_stock"])
        assert start < dt.date.fromisoformat(launch["created"]) and first + dt.timedelta(days=29) <= END
        assert styles[launch["style"]]["role"] == "launch"
        cohort[launch["category"]].append(launch["style"])
    assert {c: len(codes) for c, codes in cohort.items()} == dict.fromkeys(
        ("T恤", "衬衫", "外套", "裤装", "连衣裙"), 2
    )
    roles = Counter(new["role"] for new in planted["new_styles"])
    assert roles == {"takes_off": 3, "stuck": 2, "arriving": 1}
    compared = Counter()
    for new in planted["new_styles"]:
        style = styles[new["style"]]
        assert style["outlook"] == new["role"] and (END - dt.date.fromisoformat(new["created"])).days < 30
        if new["role"] == "arriving":  # created, its stock not in yet: no sale, no visitor
            assert dt.date.fromisoformat(new["first_stock"]) > END and not style["daily"]
        for days in (7, 14):
            mine = first_days(style, days)
            if mine is None or new["role"] == "arriving":
                continue
            others = [first_days(styles[code], days) for code in cohort[new["category"]]]
            units = [o[0] for o in others if o]
            rates = [o[2] / o[1] for o in others if o]
            if new["role"] == "takes_off":
                assert mine[0] > 2 * max(units) and mine[2] / mine[1] > max(rates), (new, days)
            else:
                assert mine[0] < min(units) and mine[2] / mine[1] < min(rates), (new, days)
            compared[new["role"], days] += 1
    assert compared[("takes_off", 14)] >= 2 and compared[("stuck", 7)] >= 2 and compared[("stuck", 14)] >= 1


def test_price_history(shop: tuple[Path, StockShop]) -> None:
    folder, made = shop
    truth = made.truth
    styles, planted = truth["styles"], truth["planted"]
    old = planted["clearance_good"]["season"]
    changed = {code: s["price_changes"] for code, s in styles.items() if s["price_changes"]}
    assert len(planted["price_changes"]) == 3
    for change in planted["price_changes"]:
        assert styles[change["style"]]["role"] == "repriced" and change["season"] == old
        assert changed.pop(change["style"]) == [{k: change[k] for k in ("date", "from", "to")}]
        cut = Decimal(change["to"]) < Decimal(change["from"])
        before, after = change["units_before"], change["units_after"]
        assert (after > 1.2 * before) if cut else (after < 0.8 * before), change
    for key in ("clearance_good", "clearance_bad"):
        markdown = planted[key]
        assert changed.pop(markdown["style"]) == [
            {"date": markdown["markdown_date"], "from": f"{Decimal(markdown['price_from']):.2f}",
             "to": f"{Decimal(markdown['price_to']):.2f}"}
        ]  # fmt: skip
    assert not changed  # no other style's price moved
    steady = styles[planted["no_price_history"]]
    assert steady["season"] == old and steady["price_changes"] == [] and steady["daily"]
    prices: dict[str, set[tuple[bool, str]]] = defaultdict(set)  # the order lines show each change
    dates = {c["style"]: c["date"] for c in planted["price_changes"]}
    sku_style = {sku: f["style"] for sku, f in truth["skus"].items()}
    for row in csv_records(folder / DETAIL_FILE):
        style = sku_style.get(row["商家编码"])
        if style in dates:
            prices[style].add((row["订单付款时间"][:10] >= dates[style], row["价格"]))
    for change in planted["price_changes"]:
        assert prices[change["style"]] == {(False, change["from"]), (True, change["to"])}


def test_sell_through_books_balance(shop: tuple[Path, StockShop]) -> None:
    _, made = shop
    truth = made.truth
    books, snapshots = truth["sell_through"], truth["snapshots"]
    days = truth["snapshot_days"]
    assert (books["opening_date"], books["from"], books["to"]) == (days[0], days[1], days[-1])
    period = set(days[1:])
    for sku, f in books["skus"].items():
        opening = snapshots[days[0]].get(sku, {"on_hand": 0, "available": 0})
        closing = snapshots[days[-1]][sku]
        daily = truth["skus"][sku]
        sold = sum(
            v for d, v in [*daily["daily_units"].items(), *daily["combo_units"].items()] if d in period
        )
        assert (f["opening_on_hand"], f["opening_available"]) == (opening["on_hand"], opening["available"])
        assert (f["closing_on_hand"], f["closing_available"]) == (closing["on_hand"], closing["available"])
        assert f["sold"] == sold and f["received"] == f["received_purchase"] + f["received_transfer"]
        assert f["closing_available"] == f["opening_available"] + f["received"] - f["sold"], sku
        stock = f["opening_on_hand"] + f["received"]
        assert f["rate"] == (round(sold / stock, 6) if stock else None)
    figures = books["skus"].values()
    assert (
        sum(f["received_purchase"] for f in figures) > 0 and sum(f["received_transfer"] for f in figures) > 0
    )
    arrived = [s for s, f in books["skus"].items() if f["opening_on_hand"] == 0 and f["received"] > 0]
    assert arrived  # SKUs whose first stock came in the window: 期初 0
