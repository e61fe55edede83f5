"""Stock data for the 商品 page and sheet tests: the stock demo's apparel shop (山岚服饰, its manifest
the truth) imported into a workspace, and a small 聚水潭 snapshot of another shop whose codes and
names carry markup and a spreadsheet formula (an imported file is not trusted)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from shopops.demo.stock import write_stock_exports
from shopops.workspace import Workspace
from tests.stock_files import MASTER_HEADER, write_xlsx

STOCK_SHOP = "山岚服饰"
HOSTILE_STYLE = "<script>alert(1)</script>"
HOSTILE_SKUS = ("</script><img src=x onerror=alert(2)>", '<b onmouseover="alert(3)">X</b>')
PLAIN_SKU = "QX-01"
FORMULA_NAME = '=HYPERLINK("http://example.invalid","点我")'  # a name a spreadsheet would run
CLASSES = ("零动销", "滞销", "低周转", "正常", "高周转")
JST_HEADER = [
    "款式编码",
    "商品编码",
    "名称",
    "颜色",
    "规格",
    "数量",
    "订单占有",
    "采购在途数",
    "调拨在途数",
    "可用数",
]


@dataclass
class StockData:
    truth: dict[str, Any]
    end: dt.date
    hostile_shop: str
    hostile_day: dt.date


def add_stock_data(workspace: Workspace, base: Path, end: dt.date, hostile_shop: str) -> StockData:
    """Import the stock demo (90 days to ``end``) as 山岚服饰, and the hostile snapshot of ``end`` as
    ``hostile_shop`` (which must exist), with a product list giving its SKUs a cost and a season."""
    files, truth = write_stock_exports(base / "stock", end, 90, 7)
    if STOCK_SHOP not in {name for name, _, _ in workspace.shops()}:
        workspace.add_shop(STOCK_SHOP, "taobao")
    for path in files:
        workspace.import_file(path, shop=STOCK_SHOP)
    folder = base / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    names = {sku: hostile_name(sku) for sku in (*HOSTILE_SKUS, PLAIN_SKU)}
    rows: list[list[object]] = [
        [HOSTILE_STYLE, sku, name, "黑", "M", 40 + i, 2, 5, 0, 38 + i]
        for i, (sku, name) in enumerate(names.items())
    ]
    snapshot = write_xlsx(folder / f"聚水潭_商品库存_{end:%Y%m%d}.xlsx", JST_HEADER, rows)
    master = write_xlsx(
        folder / "商品资料.xlsx",
        MASTER_HEADER,
        [[HOSTILE_STYLE, sku, "黑", "M", 999, 5000, "2026-01-05", "<i>外套</i>", 2026, "冬", name]
         for sku, name in names.items()],
    )  # fmt: skip
    workspace.import_file(snapshot, shop=hostile_shop)
    workspace.import_file(master, shop=hostile_shop)
    return StockData(truth, end, hostile_shop, end)


def hostile_name(sku: str) -> str:
    return FORMULA_NAME if sku == PLAIN_SKU else f"{sku} 名称"


def sold(truth: dict[str, Any], sku: str, day: str) -> int:
    """Units of the SKU sold that day, on its own and inside 组合商品."""
    item = truth["skus"][sku]
    return int(item["daily_units"].get(day, 0)) + int(item["combo_units"].get(day, 0))


def expected_class(truth: dict[str, Any], sku: str) -> str | None:
    """The turnover class of a SKU on the last day, from the manifest and the default thresholds."""
    last = truth["last_day"][sku]
    on_hand = truth["snapshots"][truth["end"]][sku]["on_hand"]
    if last["sales_30d"] == 0:
        return "零动销" if on_hand > 0 else None
    cover = Fraction(last["available"] * last["window_days"], last["sales_30d"])  # a launch: its days
    if cover > 90:
        return "滞销"
    if cover > 60:
        return "低周转"
    if cover > 30:
        return "正常"
    return "高周转"


def stock_value(truth: dict[str, Any], sku: str) -> Decimal:
    return truth["snapshots"][truth["end"]][sku]["on_hand"] * Decimal(truth["skus"][sku]["cost"])


def class_totals(truth: dict[str, Any]) -> dict[str | None, tuple[int, int, Decimal]]:
    """Per class (None: no class): SKUs, 实际库存 and 库存金额 on the last day, from the manifest."""
    totals: dict[str | None, tuple[int, int, Decimal]] = {}
    for sku, figures in truth["snapshots"][truth["end"]].items():
        name = expected_class(truth, sku)
        skus, units, value = totals.get(name, (0, 0, Decimal(0)))
        totals[name] = (skus + 1, units + figures["on_hand"], value + stock_value(truth, sku))
    return totals
