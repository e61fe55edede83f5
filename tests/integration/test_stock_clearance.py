"""`shopops stock clearance --season S`: a hand-built shop with a markdown and hand-computed figures, and
the demo's apparel shop against its manifest (every listed style's score, 售罄率, elasticity).

Hand-built shop, snapshot 2026-11-29, 季节 from the 商品资料:

- CL (夏, 基本售价 100, 成本 40, created 04-01, 300 in stock): 1 a day at ¥100 on 10-01…10-20, then 2 a
  day at ¥80 from 10-21 to 11-29. The 7 days either side of the cut: 7 → 14 units.
- CX (夏, ¥50, 成本 20, created 05-01, 100 in stock): 1 on every odd day 10-01…10-27 at ¥50 (14), none
  since: no price change, 近14天 and 前14天 0.
- CT (夏, ¥60, no stock): 2,2,2,1,1,1,1 on 10-14…10-20 and 2,1,1,1,1,1,1 on 10-21…10-27 at ¥60.
- AU (秋, 50 in stock), FY (四季, 10 in stock): no sales.

CX and CT are the 夏 styles whose price never changed: 3 + 10 = 13 units before and 4 + 8 = 12 after,
季节系数 12/13; ε(CL) = ln((14/7) ÷ (12/13)) ÷ ln(80/100) = ln(2.1667) ÷ −0.22314 = −3.4650.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.demo.stock import write_stock_exports
from shopops.domains.stock.clearance import clearance_list
from shopops.domains.stock.status import StockRules
from shopops.errors import UserError
from shopops.workspace import Workspace
from tests.stock_files import JST_HEADER, MASTER_HEADER, write_xlsx

SHOP = "山岚服饰"
DAY = dt.date(2026, 11, 29)
NAME = '=HYPERLINK("http://x","清仓")'  # a 商品名称 that a spreadsheet would run as a formula


def days(first: str, last: str) -> list[dt.date]:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [a + dt.timedelta(days=n) for n in range((b - a).days + 1)]


def sales() -> list[tuple[str, dt.date, int, float]]:
    """(sku, day, units, unit price) of every line."""
    lines = [("CL-M", d, 1, 100.0) for d in days("2026-10-01", "2026-10-20")]
    lines += [("CL-M", d, 2, 80.0) for d in days("2026-10-21", "2026-11-29")]
    lines += [("CX-M", d, 1, 50.0) for d in days("2026-10-01", "2026-10-27") if d.day % 2]
    ct = [2, 2, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1]
    lines += [("CT-M", d, n, 60.0) for d, n in zip(days("2026-10-14", "2026-10-27"), ct, strict=True)]
    return lines


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("clearance")
    root = tmp / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(SHOP, "taobao")
    stock = [("CL", 300), ("CX", 100), ("AU", 50), ("FY", 10)]
    rows = [[style, "白", "M", f"{style}-M", style, on_hand, 0, 0, 0, on_hand] for style, on_hand in stock]
    write_xlsx(tmp / "聚水潭_商品库存_20261129.xlsx", JST_HEADER, rows)
    master = [
        ["CL", "CL-M", "白", "M", 100, 40, "2026-04-01", "T恤", 2026, "夏", NAME],
        ["CX", "CX-M", "白", "M", 50, 20, "2026-05-01", "T恤", 2026, "夏", "短袖"],
        ["CT", "CT-M", "白", "M", 60, 25, "2026-05-01", "T恤", 2026, "夏", "背心"],
        ["AU", "AU-M", "白", "M", 80, 30, "2026-09-01", "外套", 2026, "秋", "夹克"],
        ["FY", "FY-M", "白", "M", 30, 10, "2026-01-01", "配件", 2026, "四季", "袜子"],
    ]
    with (tmp / "商品资料.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([MASTER_HEADER, *master])
    with (tmp / f"{SHOP}_宝贝报表.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["子订单编号", "主订单编号", "商家编码", "购买数量", "订单付款时间", "价格", "买家实际支付金额"]
        )
        for n, (sku, day, units, price) in enumerate(sales()):
            writer.writerow(
                [f"L{n}", f"O{n}", sku, units, f"{day} 12:00:00", f"{price:.2f}", f"{units * price:.2f}"]
            )
    with Workspace(root) as ws:
        for name in ("聚水潭_商品库存_20261129.xlsx", "商品资料.csv", f"{SHOP}_宝贝报表.csv"):
            ws.import_file(tmp / name, shop=SHOP)
    return root


def listed(root: Path, season: str, rules: StockRules | None = None) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        frame = clearance_list(con, DAY, season, rules=rules).frame
    return {row["style"]: row for row in frame.iter_rows(named=True)}


def test_the_clearance_figures_are_hand_computed(workspace: Path) -> None:
    rows = listed(workspace, "夏")
    assert list(rows) == ["CL", "CX"]  # by score; CT has no stock
    cl = rows["CL"]
    age = (DAY - dt.date(2026, 4, 1)).days  # 242, 库龄 by 创建时间
    assert (cl["on_hand"], cl["available"], cl["stock_value"], cl["age_days"]) == (300, 300, 12000, age)
    assert (cl["units_14d"], cl["units_prev_14d"], cl["velocity_trend"]) == (28, 28, 0.0)
    assert cl["weeks_to_sell_out"] == pytest.approx(300 / 14)  # 可用 ÷ (28 ÷ 2)
    assert cl["score"] == round(12000 * age / 30)  # no fall: 96,800
    # 售罄率 (end) = 100 sold since 10-01 (the first sale we hold; 库龄 from 04-01) ÷ (100 + 300)
    assert (cl["sold_to_date"], cl["sold_from"], cl["sell_through"]) == (100, dt.date(2026, 10, 1), 0.25)
    assert cl["sell_through_formula"] == "end"
    epsilon = math.log((14 / 7) / (12 / 13)) / math.log(80 / 100)
    assert epsilon == pytest.approx(-3.4650, abs=1e-4)
    assert cl["elasticity"] == pytest.approx(epsilon) and cl["seasonal_factor"] == pytest.approx(12 / 13)
    # 300 in 56 days = 5.357 a day against 2 a day now at ¥80: p* = 80 × 2.6786^(1/ε) = 60.21, 0.602 of ¥100
    target = 80 * (300 / 56 / 2) ** (1 / epsilon)
    assert target == pytest.approx(60.21, abs=0.01)
    assert (cl["suggested_price"], cl["markdown_band"]) == (pytest.approx(target), "6–7折")
    assert (cl["current_price"], cl["list_price"]) == (80.0, 100.0)
    cx = rows["CX"]
    age = (DAY - dt.date(2026, 5, 1)).days
    assert (cx["units_14d"], cx["units_prev_14d"], cx["velocity_trend"], cx["weeks_to_sell_out"]) == (
        0,
        0,
        None,
        None,
    )
    assert cx["score"] == round(2000 * age / 30 * 2)  # nothing sold in 14 days: 降速 1
    assert (cx["markdown_band"], cx["elasticity"], cx["current_price"]) == ("无价格历史", None, 50.0)
    assert cx["sell_through"] == pytest.approx(14 / 114)


def test_seasons_and_settings(workspace: Path) -> None:
    assert list(listed(workspace, "old")) == ["CL", "CX"]  # every season but 秋 (11-29), never 四季
    assert list(listed(workspace, "秋")) == ["AU"]
    assert list(listed(workspace, "四季")) == ["FY"]
    assert listed(workspace, "秋")["AU"]["markdown_band"] == "无价格历史"
    with pytest.raises(
        UserError, match=r"^--season 冬: no product of that season .*\(季节 there: 四季, 夏, 秋\)"
    ):
        listed(workspace, "冬")
    # 12 weeks: 300 / 84 = 3.571 a day → p* = 80 × 1.7857^(1/ε) = 67.67: still 6–7折
    longer = listed(workspace, "夏", StockRules(clearance_weeks=12))["CL"]
    epsilon = math.log((14 / 7) / (12 / 13)) / math.log(0.8)
    assert longer["suggested_price"] == pytest.approx(80 * (300 / 84 / 2) ** (1 / epsilon))
    assert longer["markdown_band"] == "6–7折"
    assert listed(workspace, "夏", StockRules(clearance_weeks=40))["CL"]["markdown_band"] == "无需降价"
    # levels must hold 30 days each: ¥100 held only 20 → no elasticity
    assert listed(workspace, "夏", StockRules(price_level_days=30))["CL"]["markdown_band"] == "无价格历史"


def test_clearance_command_and_its_excel(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["-w", str(workspace), "stock", "clearance", "--season", "夏"]
    table = runner.invoke(cli, base, env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert max(len(line) for line in table.stdout.splitlines() if "─" in line) <= 80
    assert "换季清仓 夏 2026-11-29 · 山岚服饰" in table.stdout and "6–7折" in table.stdout
    assert "2 款，库存金额 ¥14,000.00" in table.stdout
    as_json = runner.invoke(cli, [*base, "--format", "json"])
    assert [r["style"] for r in json.loads(as_json.stdout)] == ["CL", "CX"]
    assert "售罄率 = 期内销量 ÷ (期内销量 + 期末库存)（end）" in as_json.stderr
    plan = tmp_path / "清仓计划.xlsx"
    written = runner.invoke(cli, [*base, "--format", "xlsx", "-o", str(plan)])
    assert written.exit_code == 0, written.output
    sheet = openpyxl.load_workbook(plan)["清仓计划"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["店铺", "款式编码", "名称", "分类"] and "建议折扣" in header and "售罄率" in header
    first = dict(zip(header, sheet[2], strict=True))
    assert (first["款式编码"].value, first["名称"].value, first["名称"].data_type) == (
        "CL",
        NAME,
        "s",
    )  # text
    assert (first["库存金额"].value, first["库存金额"].number_format) == (12000, "#,##0.00")
    assert (first["售罄率"].value, first["售罄率"].number_format) == (0.25, "0.00%")
    assert first["建议折扣"].value == "6–7折"
    no_file = runner.invoke(cli, [*base, "--format", "xlsx"])
    assert no_file.exit_code == 2 and "--format xlsx needs a file: add -o 清仓计划.xlsx" in no_file.output
    winter = runner.invoke(cli, ["-w", str(workspace), "stock", "clearance", "--season", "冬"])
    assert (winter.exit_code, winter.stderr) == (
        1,
        "错误 --season 冬：商品资料里没有这个季节的商品（其中的季节：四季, 夏, 秋）"
        "— 用其中之一、春/夏/秋/冬/四季，或 old（除 秋 以外的季节）\n",
    )


# --- the demo shop against its manifest -------------------------------------------------------

END = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("clearance_demo")
    files, truth = write_stock_exports(root / "exports", END, 90, 7)
    with Workspace.init(root / "ws") as ws:
        ws.add_shop(SHOP, "taobao")
    with Workspace(root / "ws") as ws:
        for path in files:
            ws.import_file(path, shop=SHOP)
    return root / "ws", truth


def units_by_day(truth: dict[str, Any], skus: list[str], *, packs: bool = True) -> dict[dt.date, int]:
    out: dict[dt.date, int] = {}
    for sku in skus:
        kinds = ("daily_units", "combo_units") if packs else ("daily_units",)
        for kind in kinds:
            for day, n in dict(truth["skus"][sku][kind]).items():
                out[dt.date.fromisoformat(day)] = out.get(dt.date.fromisoformat(day), 0) + n
    return out


def span(series: dict[dt.date, int], first: dt.date, last: dt.date) -> int:
    return sum(n for d, n in series.items() if first <= d <= last)


def test_the_demo_list_is_the_manifests(demo: tuple[Path, dict[str, Any]]) -> None:
    root, truth = demo
    rows = listed(root, "夏")
    styles, stock = truth["styles"], truth["snapshots"][END.isoformat()]
    expected = {}
    for code, style in styles.items():
        on_hand = sum(stock.get(s, {}).get("on_hand", 0) for s in style["skus"])
        if style["season"] != "夏" or on_hand <= 0:
            continue
        sold = units_by_day(truth, style["skus"])
        value = sum(
            stock[s]["on_hand"] * float(truth["skus"][s]["cost"]) for s in style["skus"] if s in stock
        )
        age = (END - dt.date.fromisoformat(style["created"])).days
        recent, before = (
            span(sold, END - dt.timedelta(13), END),
            span(sold, END - dt.timedelta(27), END - dt.timedelta(14)),
        )
        fall = 1.0 if recent == 0 else max(0.0, 1 - recent / before) if before else 0.0
        available = sum(stock[s]["available"] for s in style["skus"] if s in stock)
        total = sum(sold.values())
        expected[code] = (
            round(value * age / 30 * (1 + fall)),
            recent,
            before,
            total / (total + max(available, 0)),
        )
    assert {c: (r["score"], r["units_14d"], r["units_prev_14d"]) for c, r in rows.items()} == {
        c: e[:3] for c, e in expected.items()
    }
    assert list(rows) == sorted(expected, key=lambda c: (-expected[c][0], c))
    for code, row in rows.items():
        assert row["sell_through"] == pytest.approx(expected[code][3]), code
    planted = truth["planted"]
    assert planted["clearance_good"]["on_hand_at_end"] == 0 and planted["clearance_good"]["style"] not in rows
    bad = planted["clearance_bad"]
    assert rows[bad["style"]]["on_hand"] == bad["on_hand_at_end"]
    steady = planted["no_price_history"]
    assert (rows[steady]["markdown_band"], rows[steady]["elasticity"]) == ("无价格历史", None)


def test_the_demo_elasticities_are_the_manifests(demo: tuple[Path, dict[str, Any]]) -> None:
    root, truth = demo
    rows = listed(root, "old")
    styles = truth["styles"]
    components = {sku for combo in truth["combos"].values() for sku in combo["components"]}
    for change in truth["planted"]["price_changes"]:
        code, row = change["style"], rows[change["style"]]
        skus = styles[code]["skus"]
        assert not components & set(skus)
        own = units_by_day(truth, skus, packs=False)
        # the new price's level starts on its first sale; the 7 days either side of it
        start = min(d for d, n in own.items() if n and d >= dt.date.fromisoformat(change["date"]))
        week = dt.timedelta(days=6)
        before, after = (
            span(own, start - week - dt.timedelta(1), start - dt.timedelta(1)),
            span(own, start, start + week),
        )
        if start == dt.date.fromisoformat(change["date"]) and change["window_days"] == 7:
            assert (before, after) == (change["units_before"], change["units_after"])
        control: dict[dt.date, int] = {}
        for other, style in styles.items():
            if style["season"] == change["season"] and not style["price_changes"] and other != code:
                for d, n in units_by_day(truth, style["skus"]).items():
                    control[d] = control.get(d, 0) + n
        c1 = span(control, start - week - dt.timedelta(1), start - dt.timedelta(1))
        c2 = span(control, start, start + week)
        prices = float(change["to"]) / float(change["from"])
        epsilon = math.log((after / before) / (c2 / c1)) / math.log(prices)
        assert row["elasticity"] == pytest.approx(epsilon), code
        assert row["seasonal_factor"] == pytest.approx(c2 / c1), code
        assert row["current_price"] == pytest.approx(float(change["to"])), code
