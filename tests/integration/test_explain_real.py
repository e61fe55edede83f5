"""`shopops explain` without visitors or buyers splits into 订单数 × 笔单价 (or 件数 × 件单价) and says so.

The real Tmall order export (no visitors, no buyers) and generated exports with columns left out.
Expected figures of the real file were computed by hand from the raw CSV (orders and 买家实际支付金额
summed by 订单付款时间 date); the LMDI arithmetic is spelled out in tests/unit/test_explain_decompose.py.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopops.analysis.explain import text
from shopops.demo.run import configure
from shopops.workspace import Workspace
from tests.conftest import DATASETS, DemoWorkspace, run_cli

TMALL = DATASETS / "tmall_order_report.csv"
SHOP = "天猫店"
CLOUD, FIELD = "云朵旗舰店", "小野家居"
real_file = pytest.mark.skipif(
    not TMALL.is_file(), reason=f"{TMALL} is absent (see shared/datasets/SOURCES.md)"
)


@pytest.fixture(scope="module")
def tmall(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not TMALL.is_file():
        pytest.skip(f"{TMALL} is absent (see shared/datasets/SOURCES.md)")
    root = tmp_path_factory.mktemp("tmall") / "ws"
    assert run_cli("init", root).exit_code == 0
    assert run_cli("--workspace", root, "shop", "add", SHOP, "--platform", "tmall").exit_code == 0
    result = run_cli("--workspace", root, "import", TMALL, "--shop", SHOP)
    assert result.exit_code == 0, result.output
    return root


def _explain(root: Path, *args: str) -> dict[str, Any]:
    result = run_cli("--workspace", root, "explain", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(result.output)
    return record


def _parts(record: dict[str, Any]) -> list[tuple[str, str, Any, Any, float]]:
    return [(p["factor"], p["label"], p["before"], p["after"], p["contribution"]) for p in record["parts"]]


def _adds_up(record: dict[str, Any]) -> bool:
    total = sum((Decimal(str(p["contribution"])) for p in record["parts"]), Decimal(0))
    return total == Decimal(str(record["change"])) and total == (
        Decimal(str(record["value"])) - Decimal(str(record["base"]))
    )


def _row(output: str, label: str) -> list[str]:
    """The cells of the table row that starts with ``label``."""
    line = next(line for line in output.splitlines() if line.startswith(f"│ {label} "))
    return [cell.strip() for cell in line.strip("│").split("│")]


@real_file
def test_the_real_march_first_drop_is_split_into_orders_and_order_value(tmall: Path) -> None:
    record = _explain(tmall, "--shop", SHOP, "--date", "2020-03-01")
    assert (record["vs"], record["base"], record["value"]) == ("2020-02-29", 198035.4, 476.0)
    assert (record["split"], record["method"]) == ("orders", "lmdi")
    assert record["split_label"] == "按 订单数 × 笔单价 拆分（无访客/买家数据）"
    assert _parts(record) == [
        ("paid_orders", "订单数", 1820.0, 6.0, -187209.32),
        ("order_value", "笔单价", pytest.approx(198035.40 / 1820), pytest.approx(476 / 6), -10350.08),
    ]
    assert _adds_up(record)
    assert record["driver"] == "paid_orders"
    assert record["text"] == (
        "GMV −99.8%（¥198,035→¥476）：订单数 −99.7% 贡献 −95%；按 订单数 × 笔单价 拆分（无访客/买家数据）"
    )
    table = run_cli("--workspace", tmall, "explain", "--shop", SHOP, "--date", "2020-03-01")
    assert table.exit_code == 0, table.output
    assert _row(table.output, "订单数") == ["订单数", "1,820", "6", "−99.7%", "−¥187,209", "−95%"]
    assert _row(table.output, "笔单价") == ["笔单价", "¥109", "¥79.33", "−27.1%", "−¥10,350", "−5%"]
    assert "按 订单数 × 笔单价 拆分（无访客/买家数据）" in table.output
    assert "无法拆分" not in table.output


@real_file
def test_the_real_day_without_orders_is_split_by_shapley(tmall: Path) -> None:
    record = _explain(tmall, "--shop", SHOP, "--date", "2020-02-16", "--vs", "2020-02-15")
    assert (record["split"], record["method"]) == ("orders", "shapley")
    assert _parts(record) == [
        ("paid_orders", "订单数", 4.0, 0.0, -83.0),
        ("order_value", "笔单价", 20.75, None, 0.0),
    ]
    assert _adds_up(record)
    assert record["text"] == (
        "GMV −100.0%（¥83.00→¥0.00）：订单数 −100.0% 贡献 −100%；按 订单数 × 笔单价 拆分（无访客/买家数据）"
    )
    back = _explain(tmall, "--shop", SHOP, "--date", "2020-02-17", "--vs", "2020-02-16")
    assert _parts(back) == [
        ("paid_orders", "订单数", 0.0, 332.0, 29063.37),
        ("order_value", "笔单价", None, pytest.approx(29063.37 / 332), 0.0),
    ]
    assert (
        back["text"]
        == "GMV 从 0 到 ¥29,063：订单数 0→332 贡献 +100%；按 订单数 × 笔单价 拆分（无访客/买家数据）"
    )
    table = run_cli(
        "--workspace", tmall, "explain", "--shop", SHOP, "--date", "2020-02-16", "--vs", "2020-02-15"
    )
    assert _row(table.output, "笔单价") == ["笔单价", "¥20.75", "—", "—", "+¥0.00", "+0%"]


@real_file
def test_real_gmv_findings_explain_by_orders(tmall: Path) -> None:
    result = run_cli(
        "--workspace", tmall, "findings", "--from", "2020-02-01", "--to", "2020-03-01", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    explained = [f["explanation"] for f in json.loads(result.stdout) if f["explanation"].startswith("GMV ")]
    assert explained, "no GMV finding carries a change explanation"
    assert all("；按 订单数 × 笔单价 拆分（无访客/买家数据）" in e for e in explained), explained
    assert not any("无法拆分" in e for e in explained)


def _manifest_day(demo: DemoWorkspace, shop: str, day: str) -> dict[str, Any]:
    values: dict[str, Any] = demo.manifest["shops"][shop]["days"][day]
    return values


def test_a_group_where_one_shop_lacks_visitors_splits_by_orders(imported_demo: DemoWorkspace) -> None:
    # The demo's 小野家居 生意参谋 export stops a day early: on the last day only its orders are known.
    record = _explain(imported_demo.root, "--date", "2026-11-24", "--vs", "2026-11-23")
    assert record["shops"] == [CLOUD, FIELD]
    assert record["split"] == "orders"
    assert record["split_label"] == "按 订单数 × 笔单价 拆分（无访客数据）"
    days = [
        [_manifest_day(imported_demo, s, d) for s in (CLOUD, FIELD)] for d in ("2026-11-23", "2026-11-24")
    ]
    orders = [sum(v["paid_orders"] for v in day) for day in days]
    gmv = [sum(Decimal(v["gmv"]) for v in day) for day in days]
    assert [p["factor"] for p in record["parts"]] == ["paid_orders", "order_value"]
    first, second = record["parts"]
    assert (first["before"], first["after"]) == (float(orders[0]), float(orders[1]))
    assert (second["before"], second["after"]) == (
        pytest.approx(float(gmv[0]) / orders[0]),
        pytest.approx(float(gmv[1]) / orders[1]),
    )
    assert _adds_up(record)
    assert "；按 订单数 × 笔单价 拆分（无访客数据）；主要商品" in record["text"]
    table = imported_demo.cli("explain", "--date", "2026-11-24", "--vs", "2026-11-23")
    assert _row(table.output, "订单数")[1:3] == [text.count(orders[0]), text.count(orders[1])]
    assert _row(table.output, "笔单价")[1:3] == [
        text.money(gmv[0] / orders[0]),
        text.money(gmv[1] / orders[1]),
    ]
    # Each shop alone uses what it has; the day before, the group has visitors and buyers everywhere.
    assert _explain(imported_demo.root, "--shop", CLOUD, "--date", "2026-11-24")["split"] == "traffic"
    assert _explain(imported_demo.root, "--shop", FIELD, "--date", "2026-11-24")["split"] == "orders"
    before = _explain(imported_demo.root, "--date", "2026-11-23")
    assert (before["split"], before["split_label"]) == ("traffic", "按 访客 × 转化率 × 客单价 拆分")
    assert [p["factor"] for p in before["parts"]] == ["visitors", "conversion_rate", "aov"]
    assert "拆分" not in before["text"]


def _without(demo: DemoWorkspace, root: Path, dropped: set[str]) -> Path:
    """A workspace holding only 云朵旗舰店's 生意参谋 export, with the ``dropped`` columns left out."""
    source = next(f for f in demo.files if f.name.startswith("【生意参谋平台】店铺整体_云朵旗舰店"))
    rows = list(csv.reader(source.read_text(encoding="gb18030").splitlines()))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "统计日期")
    keep = [i for i, name in enumerate(rows[header]) if name not in dropped]
    width = len(rows[header])
    trimmed = [
        [row[i] for i in keep] if i >= header and len(row) == width else row for i, row in enumerate(rows)
    ]
    target = root.parent / f"店铺整体_云朵旗舰店_{len(dropped)}.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(trimmed)
    with Workspace.init(root) as workspace:
        configure(workspace)
    result = run_cli("--workspace", root, "import", target)
    assert result.exit_code == 0, result.output
    return root


def test_without_buyers_and_orders_the_units_split_is_used(fresh_demo: DemoWorkspace, tmp_path: Path) -> None:
    buyers = {"支付买家数", "支付父订单数", "支付子订单数", "支付转化率", "客单价"}
    root = _without(fresh_demo, tmp_path / "units", buyers)
    record = _explain(root, "--shop", CLOUD, "--date", "2026-11-24", "--vs", "2026-11-23")
    before, after = (_manifest_day(fresh_demo, CLOUD, d) for d in ("2026-11-23", "2026-11-24"))
    assert (record["split"], record["method"]) == (
        "units",
        "lmdi",
    )  # ¥14,678.80 / 150 件 → ¥10,732.00 / 114 件
    assert record["split_label"] == "按 件数 × 件单价 拆分（无买家/订单数据）"
    assert _parts(record) == [
        ("units", "件数", float(before["units"]), float(after["units"]), -3458.61),
        (
            "unit_price",
            "件单价",
            pytest.approx(float(before["gmv"]) / before["units"]),
            pytest.approx(float(after["gmv"]) / after["units"]),
            -488.19,
        ),
    ]
    assert _adds_up(record)
    assert record["text"].endswith("；按 件数 × 件单价 拆分（无买家/订单数据）")
    table = run_cli("--workspace", root, "explain", "--shop", CLOUD, "--date", "2026-11-24")
    assert _row(table.output, "件数")[1:3] == [text.count(before["units"]), text.count(after["units"])]
    assert _row(table.output, "件单价")[1:3] == [
        text.money(Decimal(before["gmv"]) / before["units"]),
        text.money(Decimal(after["gmv"]) / after["units"]),
    ]

    nothing = _without(fresh_demo, tmp_path / "none", buyers | {"支付件数"})
    record = _explain(nothing, "--shop", CLOUD, "--date", "2026-11-24", "--vs", "2026-11-23")
    assert (record["split"], record["method"], record["parts"]) == ("none", "none", [])
    assert record["split_label"] == "无法拆分（无买家/订单/件数数据）"
    assert record["text"] == "GMV −26.9%（¥14,679→¥10,732）：无法拆分（无买家/订单/件数数据）"
