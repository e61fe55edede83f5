"""退款金额(支付时间): the order export's 退款金额 as its own metric, and the fallback for 成功退款金额.

The master table's refund_amount (成功退款金额, by completion time) takes the order export's
figure only for a shop that has no 退款 source at all, and says so in its provenance.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from shopops.metrics.catalog import load_catalog
from tests.conftest import DATASETS, DemoWorkspace, run_cli

TMALL = DATASETS / "tmall_order_report.csv"
FALLBACK = "orders_refund_by_payment"


def master(workspace: Any, start: str, end: str, *extra: str) -> list[dict[str, Any]]:
    result = run_cli(
        "-w",
        workspace,
        "table",
        "master",
        "--from",
        start,
        "--to",
        end,
        "--provenance",
        "--format",
        "json",
        *extra,
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.skipif(not TMALL.exists(), reason="shared/datasets/tmall_order_report.csv is not present")
def test_tmall_refund_by_payment_date_and_the_fallback_it_gives(tmp_path: Any) -> None:
    # Independently from the file: 退款金额 of paid orders, by the date of 订单付款时间.
    refunds: dict[str, Decimal] = defaultdict(Decimal)
    gmv: dict[str, Decimal] = defaultdict(Decimal)
    refunded_orders = 0
    with TMALL.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            paid = row["订单付款时间 "].strip()
            assert paid or Decimal(row["退款金额"]) == 0  # unpaid orders carry no refund
            if paid:
                refunds[paid[:10]] += Decimal(row["退款金额"])
                gmv[paid[:10]] += Decimal(row["总金额"])
                refunded_orders += Decimal(row["退款金额"]) > 0
    # The issue's ¥572,336 is every paid order's 退款金额 (5,646 orders); 3 of them, ¥178.00, were
    # paid on 2020-03-01, so February by payment date is ¥572,157.92 — 23.1 % of February's 支付金额.
    assert sum(refunds.values()) == Decimal("572335.92") and refunded_orders == 5646
    february = {day: amount for day, amount in refunds.items() if day.startswith("2020-02")}
    assert sum(february.values()) == Decimal("572157.92")
    assert refunds["2020-03-01"] == Decimal("178.00")

    workspace = tmp_path / "ws"
    assert run_cli("init", workspace).exit_code == 0
    assert run_cli("-w", workspace, "shop", "add", "天猫店", "--platform", "tmall").exit_code == 0
    assert run_cli("-w", workspace, "import", TMALL).exit_code == 0

    days = master(workspace, "2020-02-01", "2020-02-29")
    assert len(days) == 29
    for row in days:  # 02-16 has no paid order: 0, not unknown
        expected = february.get(row["date"], Decimal(0))
        assert money(row["refund_amount_by_payment"]) == expected, row["date"]
        assert row["refund_amount_by_payment__source"] == "orders"
        # No 生意参谋 and no 退款管理 export for this shop: 成功退款金额 falls back, and says so.
        assert money(row["refund_amount"]) == expected and row["refund_amount__source"] == FALLBACK
        assert row["refund_orders"] is None  # a count of 退款成功 refunds: the order export has none
        assert money(row["net_sales"]) == gmv.get(row["date"], Decimal(0)) - expected
    month = master(workspace, "2020-02-01", "2020-02-29", "--grain", "month")[0]
    assert money(month["refund_amount_by_payment"]) == Decimal("572157.92")
    assert money(month["refund_amount"]) == Decimal("572157.92")
    assert month["refund_amount__source"] == FALLBACK
    assert month["refund_rate_by_payment"] == pytest.approx(
        float(Decimal("572157.92") / Decimal("2474347.07"))
    )
    assert month["refund_rate"] == month["refund_rate_by_payment"]


def test_the_definitions_state_the_basis_and_the_fallback() -> None:
    catalog = load_catalog()
    by_payment = catalog.metrics["refund_amount_by_payment"]
    assert by_payment.label == "退款金额(支付时间)" and "订单付款时间" in by_payment.definition
    assert "不混用" in by_payment.definition
    assert FALLBACK in catalog.metrics["refund_amount"].definition
    assert catalog.measures["refund_amount"].sources[-1] == FALLBACK
    assert catalog.metrics["refund_rate_by_payment"].formula == "refund_amount_by_payment / gmv"


def csv_rows(demo: DemoWorkspace) -> list[dict[str, str]]:
    manifest = demo.manifest
    result = demo.cli("table", "master", "--from", manifest["start"], "--to", manifest["end"], "--provenance")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_a_shop_with_a_refund_export_never_mixes_in_the_order_figure(fresh_demo: DemoWorkspace) -> None:
    files = {f.name: f for f in fresh_demo.files}
    cloud, field = "云朵旗舰店", "小野家居"
    cloud_refunds = files[f"退款管理_{cloud}.csv"]
    orders = [f for name, f in files.items() if name.startswith(("ExportOrderList_", f"订单报表_{field}"))]
    # No 生意参谋 file: 小野家居 has its 退款管理 export, 云朵旗舰店 only its orders (for now).
    result = fresh_demo.cli("import", *orders, files[f"退款管理_{field}.xlsx"])
    assert result.exit_code == 0, result.output
    truth = {name: shop["days"] for name, shop in fresh_demo.manifest["shops"].items()}

    rows = csv_rows(fresh_demo)
    outside = 0
    for row in rows:
        want = truth[row["shop"]][row["date"]]
        where = f"{row['shop']} {row['date']}"
        assert Decimal(row["refund_amount_by_payment"]) == Decimal(want["refund_amount_by_payment"]), where
        if row["shop"] == cloud:
            assert row["refund_amount__source"] == FALLBACK, where
            assert Decimal(row["refund_amount"]) == Decimal(want["refund_amount_by_payment"]), where
        elif want["refund_orders"] is not None:  # a day the 退款管理 export covers: 成功退款金额
            assert row["refund_amount__source"] == "refunds", where
            assert Decimal(row["refund_amount"]) == Decimal(want["refund_amount"]), where
        else:  # before the export's first 退款完结时间: unknown, not the order export's figure
            assert row["refund_amount"] == "" and row["refund_amount__source"] == "", where
            assert row["refund_rate"] == "" and row["net_sales"] == "", where
            outside += 1
    assert outside >= 1, "the demo's first day precedes every refund completion"
    assert any(Decimal(r["refund_amount_by_payment"]) != Decimal(r["refund_amount"] or 0) for r in rows)

    # Once 云朵旗舰店's 退款管理 export is in, it never uses the order figure again, on any day.
    result = fresh_demo.cli("import", cloud_refunds)
    assert result.exit_code == 0, result.output
    for row in csv_rows(fresh_demo):
        assert row["refund_amount__source"] in ("refunds", ""), f"{row['shop']} {row['date']}"
