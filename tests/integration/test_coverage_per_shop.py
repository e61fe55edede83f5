"""Exports only some shops have (an ERP's stock, 商品效果) count as missing only for those shops;
two days' snapshots with the same cells are both kept.

Two Taobao shops; only 甲店 runs an ERP. 乙店 must not be told it lacks 库存 days, while 甲店's day
without a snapshot is still named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from shopops.metrics.coverage import coverage, per_shop_tables
from shopops.workspace import Workspace

HEADER = "款式编码,商品编码,名称,数量,订单占有,可用数\n"


def test_an_erp_export_is_missing_only_for_the_shop_that_has_one(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop("甲店", "taobao")
        workspace.add_shop("乙店", "taobao")
        # The same cells on two days (a quiet shop) are two snapshots, not one file imported twice.
        for day in ("20261127", "20261129"):
            path = tmp_path / f"聚水潭_商品库存_{day}.csv"
            path.write_text(HEADER + "A1,A1-M,衣服,10,1,9\n", encoding="utf-8")
            result = workspace.import_file(path, shop="甲店")
            assert (result.rows, result.already_imported) == (1, False)
        assert workspace.import_file(path, shop="甲店").already_imported  # the same file again
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        gaps = coverage(con, dt.date(2026, 11, 27), dt.date(2026, 11, 29), ["甲店", "乙店"])
    assert gaps.select("shop", "target_table", "covered_days", "missing").rows() == [
        ("甲店", "stock_snapshot", 2, [dt.date(2026, 11, 28)])
    ]
    assert {"stock_snapshot", "erp_sales", "stock_movement", "sycm_item_day"} <= set(per_shop_tables())
