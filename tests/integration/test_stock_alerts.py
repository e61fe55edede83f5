"""`shopops stock alerts` and the stock findings on a hand-built shop: each kind's 涉及金额 by hand.

Two 聚水潭 snapshots (11-27, 11-29), a 商品资料 and a 宝贝报表 whose lines were all paid on 11-20 (so
近30天销量 is the same on both days and 日均销量 = 近30天销量 ÷ 30):

=========  =====  ======  ====  ======  =========  ==============================================
SKU        近30天  实付     可用   在途    成本/基本价  11-29
=========  =====  ======  ====  ======  =========  ==============================================
OV-1       30     1,500   −3    0       25 / 60    超卖: 3 × 成交均价 50 = 150
OV-2       6      (none)  −1    0       25 / 55    超卖: 1 × 基本售价 55 = 55 (no 实付: list price)
RISK-1     60     4,800   10    5       30 / 90    断货 (爆款): 2/day × 80 × (21 − 15/2) = 2,160
RISK-2     15     900     3     0       30 / 70    断货: 0.5/day × 60 × (14 − 6) = 240
BEST-1     90     9,000   54    0       40 / 120   断货 (爆款): 3/day × 100 × (21 − 18) = 900
SLOW-1     30     1,200   400   0       20 / 45    积压 (滞销): (400 − 1 × 60) × 20 = 6,800
DEAD-1     0      —       100   0       15 / 40    积压 (零动销): 100 × 15 = 1,500
DEAD-2     0      —       10    0       15 / 40    none: 库存金额 150 < ¥1,000
NOCOST-1   0      —       50    0       — (no master)  积压, 涉及金额 unknown
OK-1       60     1,800   100   0       12 / 35    none: 可售 50 天
NEW-1      0      —       100   0       20 / 50    none: 零动销 ¥2,000 but created 11-15 (库龄 14 < 30)
=========  =====  ======  ====  ======  =========  ==============================================

爆款: 7 SKUs sold (近30天销售额 1,500 330 4,800 900 9,000 1,200 1,800): the top ⌈20% × 7⌉ = 2 are
BEST-1 and RISK-1. On 11-27 OV-1 and OV-2 had stock (可用 5 and 2): 断货风险, 1/day × 50 × (14 − 5)
= 450 and 0.2/day × 55 × (14 − 10) = 44.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from shopops.cli.main import cli
from shopops.domains.stock.alerts import stock_alerts
from shopops.domains.stock.findings import stock_findings
from shopops.domains.stock.status import StockRules
from shopops.errors import WorkspaceError
from shopops.workspace import Workspace
from tests.stock_files import JST_HEADER, MASTER_HEADER, write_xlsx

SHOP = "山岚服饰"
DAY = dt.date(2026, 11, 29)
EARLIER = dt.date(2026, 11, 27)
CREATED = {"NEW-1": "2026-11-15"}
# sku: (style, on hand 11-29, 订单占有 11-29, 采购在途, 近30天 units, 实付 or None, cost, list price)
SKUS: dict[str, tuple[str, int, int, int, int, int | None, int | None, int | None]] = {
    "OV-1": ("OV", 5, 8, 0, 30, 1500, 25, 60),
    "OV-2": ("OV", 2, 3, 0, 6, None, 25, 55),
    "RISK-1": ("R", 12, 2, 5, 60, 4800, 30, 90),
    "RISK-2": ("R", 3, 0, 0, 15, 900, 30, 70),
    "BEST-1": ("B", 54, 0, 0, 90, 9000, 40, 120),
    "SLOW-1": ("S", 400, 0, 0, 30, 1200, 20, 45),
    "DEAD-1": ("D", 100, 0, 0, 0, None, 15, 40),
    "DEAD-2": ("D2", 10, 0, 0, 0, None, 15, 40),
    "NOCOST-1": ("N", 50, 0, 0, 0, None, None, None),
    "OK-1": ("K", 100, 0, 0, 60, 1800, 12, 35),
    "NEW-1": ("NW", 100, 0, 0, 0, None, 20, 50),  # created 11-15: too new for 积压
}


def snapshot(path: Path, locked: dict[str, int]) -> Path:
    rows: list[list[object]] = []
    for sku, (style, on_hand, _, purchase, *_) in SKUS.items():
        lock = locked.get(sku, 0)
        rows.append([style, "白", "M", sku, f"{style} 白 M", on_hand, lock, purchase, 0, on_hand - lock])
    return write_xlsx(path, JST_HEADER, rows)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("alerts")
    root = tmp / "ws"
    with Workspace.init(root) as ws:
        ws.add_shop(SHOP, "taobao")
    files = tmp / "files"
    files.mkdir()
    paths = [
        snapshot(files / "聚水潭_商品库存_20261127.xlsx", {"RISK-1": 2}),
        snapshot(files / "聚水潭_商品库存_20261129.xlsx", {s: v[2] for s, v in SKUS.items()}),
        write_xlsx(
            files / "商品资料.xlsx",
            MASTER_HEADER,
            [
                [
                    style,
                    sku,
                    "白",
                    "M",
                    price,
                    cost,
                    CREATED.get(sku, "2026-06-01"),
                    "T恤",
                    2026,
                    "夏",
                    f"{style} T恤",
                ]
                for sku, (style, *_, cost, price) in SKUS.items()
                if cost is not None
            ],
        ),
    ]
    lines = files / f"{SHOP}_宝贝报表.csv"
    with lines.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["子订单编号", "主订单编号", "商家编码", "购买数量", "订单付款时间", "价格", "买家实际支付金额"]
        )
        for n, (sku, (*_, units, paid, _, price)) in enumerate(SKUS.items()):
            if units:
                amount = "" if paid is None else f"{paid:.2f}"
                writer.writerow([f"L{n}", f"O{n}", sku, units, "2026-11-20 10:00:00", f"{price:.2f}", amount])
    with Workspace(root) as ws:
        for path in [*paths, lines]:
            ws.import_file(path, shop=SHOP)
    return root


def alerts_of(root: Path, day: dt.date) -> dict[str, dict[str, object]]:
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        frame = stock_alerts(con, day).frame
    return {row["sku"]: row for row in frame.iter_rows(named=True)}


def test_each_kinds_amount_at_stake_is_hand_computed(workspace: Path) -> None:
    rows = alerts_of(workspace, DAY)
    assert list(rows) == ["SLOW-1", "RISK-1", "DEAD-1", "BEST-1", "RISK-2", "OV-1", "OV-2", "NOCOST-1"]
    got = {sku: (r["kind"], r["amount_at_stake"]) for sku, r in rows.items()}
    assert got == {
        "SLOW-1": ("积压", 6800.0),  # (400 − 1 × 60) × 20
        "RISK-1": ("断货风险", 2160.0),  # 2 × 80 × (21 − 7.5): a 爆款, horizon 21
        "DEAD-1": ("积压", 1500.0),  # 零动销: 100 × 15
        "BEST-1": ("断货风险", 900.0),  # 3 × 100 × (21 − 18)
        "RISK-2": ("断货风险", 240.0),  # 0.5 × 60 × (14 − 6)
        "OV-1": ("超卖", 150.0),  # 3 × 50 (成交均价 1,500 ÷ 30)
        "OV-2": ("超卖", 55.0),  # 1 × 55 (no 实付: 基本售价)
        "NOCOST-1": ("积压", None),  # no cost: unknown, not 0
    }
    risk = rows["RISK-1"]
    assert (risk["available"], risk["in_transit"], risk["daily_sales"], risk["cover_with_transit"]) == (
        10,
        5,
        2.0,
        7.5,
    )
    assert (
        risk["days_of_cover"] == 5.0 and risk["bestseller"] is True and rows["RISK-2"]["bestseller"] is False
    )
    assert risk["formula"] == "日均 2.00 件 × 单价 80.00 × 缺口 13.5 天（21 − 7.5）"
    assert (rows["OV-2"]["price"], rows["OV-2"]["price_basis"]) == (55.0, "基本售价")
    assert (rows["OV-1"]["price"], rows["OV-1"]["price_basis"]) == (50.0, "成交均价")
    assert rows["OV-1"]["formula"] == "超卖 3 件 × 单价 50.00"
    assert rows["SLOW-1"]["formula"] == "(实际库存 400 − 日均 1.00 × 60 天) × 成本价 20.00"
    assert rows["DEAD-1"]["formula"] == "零动销：全部库存金额 1,500.00"
    assert (rows["NOCOST-1"]["stock_value"], rows["NOCOST-1"]["formula"]) == (None, None)
    assert "DEAD-2" not in rows and "OK-1" not in rows  # ¥150 of stock; 可售 50 天
    assert "NEW-1" not in rows  # ¥2,000 and no sale, but 库龄 14 days: not yet 积压


def test_the_earlier_snapshot_and_the_settings(workspace: Path) -> None:
    rows = alerts_of(workspace, EARLIER)
    assert {s: (r["kind"], r["amount_at_stake"]) for s, r in rows.items() if s.startswith("OV")} == {
        "OV-1": ("断货风险", 450.0),  # 1 × 50 × (14 − 5)
        "OV-2": ("断货风险", 44.0),  # 0.2 × 55 × (14 − 10)
    }
    rules = StockRules(lead_time_days=7, bestseller_days=0, overstock_min_value=100)
    with duckdb.connect(str(workspace / "warehouse.duckdb")) as con:
        frame = stock_alerts(con, DAY, rules=rules).frame
    got = {r["sku"]: r["amount_at_stake"] for r in frame.iter_rows(named=True) if r["kind"] != "超卖"}
    # 断货 within 7 days only: RISK-2 (6 days) 0.5 × 60 × 1 = 30; DEAD-2 (¥150) is 积压 from ¥100
    assert got == {"SLOW-1": 6800.0, "DEAD-1": 1500.0, "DEAD-2": 150.0, "RISK-2": 30.0, "NOCOST-1": None}


def test_stock_settings_of_the_alerts_are_checked() -> None:
    rules = StockRules.from_settings({"stock": {"lead_time_days": 10, "bestseller_share": 0.1}})
    assert (rules.lead_time_days, rules.bestseller_share, rules.bestseller_days) == (10, 0.1, 21)
    with pytest.raises(WorkspaceError, match=r"^shopops.yaml: stock.lead_time_days is '两周', not a number"):
        StockRules.from_settings({"stock": {"lead_time_days": "两周"}})
    with pytest.raises(
        WorkspaceError, match=r"^shopops.yaml: stock.bestseller_share must be a share above 0"
    ):
        StockRules.from_settings({"stock": {"bestseller_share": 2}})
    with pytest.raises(
        WorkspaceError, match=r"^shopops.yaml: stock.lead_time_days must be a number of days > 0"
    ):
        StockRules.from_settings({"stock": {"lead_time_days": 0}})
    with pytest.raises(WorkspaceError, match=r"stock.lead_days is not a 库存 setting \(use .*lead_time_days"):
        StockRules.from_settings({"stock": {"lead_days": 7}})


def test_findings_group_a_style_and_follow_runs_of_snapshot_days(workspace: Path) -> None:
    with duckdb.connect(str(workspace / "warehouse.duckdb")) as con:
        found = stock_findings(con, EARLIER, DAY)
        none = stock_findings(con, dt.date(2026, 11, 28), dt.date(2026, 11, 28))
    assert none == []  # no snapshot that day: nothing, and no error
    got = {
        (f.date, f.metric, f.item or "+".join(c.item for c in f.children)): (f.impact, f.severity, f.since)
        for f in found
    }
    assert got == {
        (EARLIER, "stock_out_risk", "OV-1+OV-2"): (494.0, "warning", None),
        (DAY, "stock_oversold", "OV-1+OV-2"): (205.0, "critical", None),
        (DAY, "stock_out_risk", "RISK-1+RISK-2"): (2400.0, "critical", EARLIER),
        (DAY, "stock_out_risk", "BEST-1"): (900.0, "warning", EARLIER),
        (DAY, "stock_overstock", "SLOW-1"): (6800.0, "info", EARLIER),
        (DAY, "stock_overstock", "DEAD-1"): (1500.0, "info", EARLIER),
        (DAY, "stock_overstock", "NOCOST-1"): (None, "info", EARLIER),
    }
    group = next(f for f in found if f.metric == "stock_oversold")
    assert (group.metric_label, group.value, len(group.children)) == ("超卖", None, 2)
    assert group.explanation == "款式 OV（OV T恤） 2 个 SKU 超卖（OV-1、OV-2），合计涉及 ¥205"
    assert group.children[0].explanation == "OV-1 可用 -3：超卖 3 件发不出，涉及 ¥150"
    with duckdb.connect(str(workspace / "warehouse.duckdb")) as con:
        one_day = stock_findings(con, DAY, DAY)  # the 日报's question: runs are not followed back
    assert len(one_day) == 6 and all(f.date == DAY and f.since is None for f in one_day)


def test_alerts_command(workspace: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["-w", str(workspace), "stock", "alerts"], env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert max(len(line) for line in table.stdout.splitlines() if "─" in line) <= 80
    assert "库存告警 2026-11-29 · 山岚服饰" in table.stdout
    assert "合计：超卖 2（¥205）、断货风险 3（¥3,300）、积压 3（¥8,300）" in table.stdout
    assert "断货风险·爆款" in table.stdout
    as_json = runner.invoke(cli, ["-w", str(workspace), "stock", "alerts", "--format", "json"])
    records = json.loads(as_json.stdout)
    assert [r["sku"] for r in records][:2] == ["SLOW-1", "RISK-1"]
    assert records[-1]["amount_at_stake"] is None and records[-1]["stock_value"] is None
    assert "涉及金额 = |可用| × 单价" in as_json.stderr  # the 口径 on stderr
    as_csv = runner.invoke(
        cli, ["-w", str(workspace), "stock", "alerts", "--format", "csv", "--date", "2026-11-27"]
    )
    assert as_csv.stdout.splitlines()[0].startswith(
        "shop,sku,style,name,kind,status,bestseller,on_hand,available"
    )
    assert "山岚服饰：聚水潭 2026-11-27 的快照" in as_csv.stderr
    before = runner.invoke(cli, ["-w", str(workspace), "stock", "alerts", "--date", "2026-11-01"])
    assert before.exit_code == 0 and "2026-11-01 及之前没有库存快照：导入 ERP 的库存导出" in before.stdout
    unknown = runner.invoke(cli, ["-w", str(workspace), "stock", "alerts", "--shop", "别家"])
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "错误 没有名为 '别家' 的店铺 — `shopops shop list` 列出店铺\n",
    )


def test_alerts_join_shopops_findings(workspace: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["-w", str(workspace), "findings", "--from", "2026-11-27", "--to", "2026-11-29", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    stock = [f for f in json.loads(result.stdout) if f["metric"].startswith("stock_")]
    assert len(stock) == 7
    oversold = next(f for f in stock if f["metric"] == "stock_oversold")
    assert (oversold["impact"], [c["item"] for c in oversold["children"]]) == (205.0, ["OV-1", "OV-2"])
    table = runner.invoke(
        cli, ["-w", str(workspace), "findings", "--from", "2026-11-29", "--to", "2026-11-29"]
    )
    assert table.exit_code == 0 and "超卖·2 件" in table.stdout


def test_no_snapshot_at_all(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add_shop(SHOP, "taobao")
    runner = CliRunner()
    table = runner.invoke(cli, ["-w", str(tmp_path / "ws"), "stock", "alerts"])
    assert table.exit_code == 0
    assert table.stdout.startswith("没有库存快照：先导入 ERP 的库存导出（聚水潭 商品库存")
    assert "shopops import 聚水潭_商品库存_20261130.xlsx --shop 店铺名" in table.stdout
    as_json = runner.invoke(cli, ["-w", str(tmp_path / "ws"), "stock", "alerts", "--format", "json"])
    assert as_json.stdout == "[]\n"
