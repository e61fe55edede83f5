"""The stock demo's apparel shop (山岚服饰) in a real workspace, built once per test session for the
`shopops products` tests, and the truths those tests compute their expected numbers from.

``write_stock_shop`` writes the shop as ``shopops demo`` does: 聚水潭 商品库存 (the last 14 days), a
旺店通 snapshot of the last day, 聚水潭 商品资料, 组合商品 BOM, 千牛 宝贝报表, 生意参谋 商品效果 …; the
manifest (``truth``) holds what the simulation did. Everything expected is computed here from the
manifest, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from shopops.demo.stock import write_stock_shop
from shopops.workspace import Workspace
from tests.conftest import run_cli

END = dt.date(2026, 11, 29)
DAYS = 90
SHOP = "山岚服饰"
_BUILT: dict[str, ProductsDemo] = {}


@dataclass
class ProductsDemo:
    root: Path  # the workspace
    truth: dict[str, Any]  # manifest["stock"]

    def cli(self, *args: str | Path, root: Path | None = None) -> Result:
        return run_cli("--workspace", root or self.root, *args)

    def json(self, *args: str, root: Path | None = None) -> Any:
        result = self.cli(*args, "--format", "json", root=root)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def copy(self, target: Path) -> Path:
        """A copy of the workspace to change (settings, tables) without touching the shared one."""
        shutil.copytree(self.root, target)
        return target

    # --- the truths ------------------------------------------------------------------------------

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisoformat(self.truth["start"])

    def units(self, sku: str, first: dt.date, last: dt.date) -> int:
        """Units sold of the SKU, as itself and inside packs, paid from ``first`` to ``last``."""
        facts = self.truth["skus"][sku]
        return sum(
            n
            for key in ("daily_units", "combo_units")
            for day, n in facts[key].items()
            if first <= dt.date.fromisoformat(day) <= last
        )

    def price(self, sku: str, day: dt.date) -> Decimal:
        """The SKU's selling price on ``day``: its style's list price, then each price change."""
        style = self.truth["styles"][self.truth["skus"][sku]["style"]]
        price = Decimal(style["price"])
        for change in sorted(style["price_changes"], key=lambda c: c["date"]):
            if dt.date.fromisoformat(change["date"]) <= day:
                price = Decimal(change["to"])
        return price

    def revenue(self, sku: str, first: dt.date, last: dt.date) -> Decimal:
        """Paid amount of the SKU's own lines, plus its share of its packs' lines (by cost, each
        line's share to the cent as relations.SOLD does: 数量 × 成本价 ÷ the pack's cost)."""
        facts = self.truth["skus"][sku]
        total = sum(
            (
                n * self.price(sku, dt.date.fromisoformat(day))
                for day, n in facts["daily_units"].items()
                if first <= dt.date.fromisoformat(day) <= last
            ),
            Decimal(0),
        )
        for pack in self.truth["combos"].values():
            parts = pack["components"]
            if sku not in parts:
                continue
            costs = {code: qty * Decimal(self.truth["skus"][code]["cost"]) for code, qty in parts.items()}
            share = float(costs[sku]) / float(sum(costs.values()))
            for day, packs in pack["daily_units"].items():
                if first <= dt.date.fromisoformat(day) <= last:
                    for quantity in _lines(packs):
                        paid = float(Decimal(pack["price"]) * quantity)
                        total += Decimal(paid * share).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return total

    def snapshot(self, day: dt.date) -> dict[str, dict[str, int]]:
        return self.truth["snapshots"].get(day.isoformat(), {})  # type: ignore[no-any-return]

    def style_units(self, style: str, first: dt.date, last: dt.date) -> int:
        return sum(self.units(sku, first, last) for sku in self.truth["styles"][style]["skus"])


def _lines(units: int) -> list[int]:
    """A day's units of one pack as the demo's 宝贝报表 writes them: lines of 2 (one per three
    units) and lines of 1."""
    pairs = units // 3
    return [2] * pairs + [1] * (units - 2 * pairs)


def products_demo(tmp_path_factory: pytest.TempPathFactory) -> ProductsDemo:
    if "demo" not in _BUILT:
        _BUILT["demo"] = _build(tmp_path_factory.mktemp("products"))
    return _BUILT["demo"]


def _build(base: Path) -> ProductsDemo:
    shop = write_stock_shop(base / "exports", END, DAYS, 7)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop(SHOP, "taobao")
    with Workspace(root) as workspace:
        for entry in shop.truth["files"]:
            workspace.import_file(base / "exports" / entry["path"], shop=entry["shop"])
    return ProductsDemo(root, shop.truth)
