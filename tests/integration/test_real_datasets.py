"""The real public Tmall order export (../shared/datasets) imported as a 千牛 order export."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import DATASETS, run_cli

TMALL = DATASETS / "tmall_order_report.csv"


@pytest.mark.skipif(not TMALL.exists(), reason="shared/datasets/tmall_order_report.csv is not present")
def test_tmall_orders_give_daily_paid_orders_and_sales_by_payment_date(tmp_path: Path) -> None:
    # Independent expectation straight from the file: paid orders by payment date, 总金额 as the
    # amount paid at payment time (实付 in this export is already reduced by refunds).
    expected_orders: dict[str, int] = defaultdict(int)
    expected_gmv: dict[str, Decimal] = defaultdict(Decimal)
    with TMALL.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            paid = row["订单付款时间 "].strip()
            if paid:
                expected_orders[paid[:10]] += 1
                expected_gmv[paid[:10]] += Decimal(row["总金额"])
    assert sum(expected_orders.values()) == 24087

    workspace = tmp_path / "ws"
    assert run_cli("init", workspace).exit_code == 0
    assert run_cli("-w", workspace, "shop", "add", "天猫店", "--platform", "tmall").exit_code == 0
    result = run_cli("-w", workspace, "import", TMALL)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "✓ tmall_order_report.csv — 千牛 · 订单报表（订单级）（qianniu_orders）：28010 行，2020-02-01…2020-03-01，店铺 天猫店\n"
    )
    table = run_cli("-w", workspace, "table", "master", "--from", "2020-02-01", "--to", "2020-03-01")
    assert table.exit_code == 0, table.output
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert len(rows) == 30  # 2020-02-01 … 2020-03-01, one row a day
    assert {r["date"] for r in rows} >= set(expected_orders)
    for row in rows:  # a day inside the export with no paid order (02-16) is 0, not unknown
        assert int(row["paid_orders"]) == expected_orders[row["date"]]
        assert Decimal(row["gmv"]) == expected_gmv[row["date"]]
        assert row["visitors"] == "" and row["conversion_rate"] == ""  # no 生意参谋 data: unknown, not 0
    assert rows[0]["date"] == "2020-02-01" and rows[0]["paid_orders"] == "163"
