"""`shopops returns summary`: refunds by kind and shipment, and the rate on both bases, against figures
worked out by hand from the files of tests/returns_refund_files.py (its docstring lists every case).

Period 2026-11-01 ~ 2026-11-10; 支付金额 from the 总表 (订单报表 / 抖店 订单):
  天猫A店 10 × ¥100 = ¥1,000 (10 orders), 淘宝B店 6 × ¥50 = ¥300 (6), 抖店C 7 × ¥80 = ¥560 (7): ¥1,860 (23).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from rich.cells import cell_len

from shopops.domains.returns.summary import SUMMARY_COLUMNS
from tests.conftest import run_cli
from tests.returns_refund_files import A, B, C, build, orders

D = "淘宝D店"  # orders only: no 退款管理, so its refunds are unknown, not 0
PERIOD = ("--from", "2026-11-01", "--to", "2026-11-10")


@dataclass
class Built:
    root: Path
    imports: dict[str, str]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("returns")
    root = base / "ws"
    imports = build(root, base)
    assert run_cli("-w", root, "shop", "add", D, "--platform", "taobao").exit_code == 0
    d_orders = orders(
        base / "ExportOrderList_D.xlsx", [("D1", "2026-11-01", "70.00"), ("D2", "2026-11-10", "30.00")]
    )
    assert run_cli("-w", root, "import", d_orders, "--shop", D).exit_code == 0
    return Built(root, imports)


def copy(built: Built, tmp_path: Path, settings: str = "") -> Path:
    root = tmp_path / "ws"
    shutil.copytree(built.root, root)
    if settings:
        with (root / "shopops.yaml").open("a", encoding="utf-8") as handle:
            handle.write("\n" + settings)
    return root


def summary(root: Path, *extra: str) -> tuple[dict[str, dict[str, Any]], str]:
    result = run_cli("-w", root, "returns", "summary", *PERIOD, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    return {row["shop"]: row for row in rows}, result.stderr


def near(value: float) -> Any:
    return pytest.approx(value, abs=1e-6)  # JSON writes ratios to 6 places


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_both_refund_exports_import_and_the_repeated_headers_are_named(built: Built) -> None:
    fifty_four = built.imports["退款管理_A.xlsx"]
    assert "千牛 · 退款管理（qianniu_refunds）：9 行，2026-10-30…2026-11-12，店铺 天猫A店；" in fifty_four
    assert "退款完结时间 (重复表头), 退款的申请时间 (重复表头)" in fifty_four  # the second copies: not used
    assert "千牛 · 退款管理（qianniu_refunds）：4 行，" in built.imports["退款管理_B.xlsx"]
    assert "抖店 · 售后表（douyin_after_sales）：6 行，" in built.imports["抖店_售后_C.xlsx"]
    with duckdb.connect(str(built.root / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT applied_at, completed_at, after_sale_type, goods_status, shipping_info, item_id, payment_id"
            " FROM refunds WHERE refund_id = 'R2'"
        ).fetchone()
    assert row is not None
    # the first 退款的申请时间 / 退款完结时间 are read, not the second (2099-01-01)
    assert [str(v) for v in row] == [
        "2026-11-05 08:00:00", "2026-11-08 10:00:00", "退货退款", "买家已退货", "中通 7731", "60001", "2026R2",
    ]  # fmt: skip


def test_the_summary_per_shop_and_total(built: Built) -> None:
    rows, notes = summary(built.root)
    assert list(rows) == [A, C, B, "合计"]  # D has no refund file: not listed, and said so
    assert list(rows[A]) == SUMMARY_COLUMNS
    a = rows[A]
    # 按完结日, done 11-01…11-10: R1 100 (仅退款, 发货前), R2 60, R3 40, R7 50 (退货退款, 发货后),
    # R4 10 (仅退款, 发货后) = 5 cases, ¥260; R9 (换货) is done 11-12, R6 closed, R5 still open.
    assert (a["success_cases"], money(a["success_amount"])) == (5, Decimal("260.00"))
    assert (a["refund_only_cases"], money(a["refund_only_amount"])) == (2, Decimal("110.00"))
    assert (a["return_refund_cases"], money(a["return_refund_amount"])) == (3, Decimal("150.00"))
    assert (a["exchange_cases"], a["unstated_cases"]) == (0, 0)
    assert (a["before_shipment_cases"], money(a["before_shipment_amount"])) == (1, Decimal("100.00"))
    assert (a["after_shipment_cases"], money(a["after_shipment_amount"])) == (4, Decimal("160.00"))
    assert (a["unknown_shipment_cases"], a["open_cases"], money(a["open_amount"]), a["closed_cases"]) == (
        0, 1, Decimal("100.00"), 1,
    )  # fmt: skip
    assert (money(a["gmv"]), a["paid_orders"]) == (Decimal("1000.00"), 10)
    assert a["refund_rate_completed"] == near(0.26)  # 260 / 1000
    assert a["after_shipment_rate"] == near(0.16)  # 160 / 1000
    assert (money(a["product_amount"]), a["product_rate"]) == (
        Decimal("110.00"),
        near(0.11),
    )  # R2 + R7 质量问题
    # 按支付日, orders paid 11-01…11-10 (A1…A10): R1 100 + R2 60 + R3 40 + R4 10 + R9 0 (换货) = ¥210,
    # whenever done; R7 and R8 are of orders paid 10-25. 退款订单 A1, A2, A3 (R9's A6 is an exchange): 3 of 10.
    assert (money(a["cohort_amount"]), a["cohort_orders"]) == (Decimal("210.00"), 3)
    assert a["refund_rate_cohort"] == near(0.21) and a["order_refund_rate_cohort"] == near(0.3)
    assert (a["as_of"], a["provisional"], a["stable_on"]) == ("2026-11-12", True, "2026-11-24")

    b = rows[B]  # 42 columns: 是否需要退货 says the kind. S1 否 50 (买家未收到货: 发货前), S2 是 25 (发货后)
    assert (b["success_cases"], money(b["success_amount"]), b["closed_cases"]) == (2, Decimal("75.00"), 1)
    assert (money(b["refund_only_amount"]), money(b["return_refund_amount"])) == (
        Decimal("50.00"),
        Decimal("25.00"),
    )
    assert (money(b["before_shipment_amount"]), money(b["after_shipment_amount"])) == (
        Decimal("50.00"),
        Decimal("25.00"),
    )
    assert b["refund_rate_completed"] == near(0.25)  # 75 / 300
    assert b["after_shipment_rate"] == near(25 / 300) and b["product_rate"] == near(25 / 300)
    assert b["refund_rate_cohort"] == near(0.25) and b["order_refund_rate_cohort"] == near(2 / 6)

    c = rows[
        C
    ]  # 抖店: T1 code 0/12 退货 ¥90 (80 + 运费 10), T2 发货前退款/退款成功 ¥80; T3 价保 is no return
    assert (c["success_cases"], money(c["success_amount"]), c["not_return_cases"]) == (
        2,
        Decimal("170.00"),
        1,
    )
    assert (money(c["refund_only_amount"]), money(c["return_refund_amount"])) == (
        Decimal("80.00"),
        Decimal("90.00"),
    )
    assert (money(c["before_shipment_amount"]), money(c["after_shipment_amount"])) == (
        Decimal("80.00"),
        Decimal("90.00"),
    )
    assert (c["open_cases"], money(c["open_amount"])) == (
        2,
        Decimal("110.00"),
    )  # T4 80 + T5 30 (status 6 申请)
    assert c["refund_rate_completed"] == near(170 / 560)
    assert c["after_shipment_rate"] == near(90 / 560) and c["product_rate"] == 0
    # paid_at from the 抖店 order line (商品单号): C1 and C2 paid 11-02
    assert c["refund_rate_cohort"] == near(170 / 560)
    assert c["order_refund_rate_cohort"] == near(2 / 7)

    total = rows["合计"]  # ratios from the summed parts, never averaged
    assert (total["success_cases"], money(total["success_amount"]), money(total["gmv"])) == (
        9, Decimal("505.00"), Decimal("1860.00"),
    )  # fmt: skip
    assert total["refund_rate_completed"] == near(505 / 1860)
    assert total["refund_rate_cohort"] == near(455 / 1860)  # 210 + 75 + 170
    assert total["order_refund_rate_cohort"] == near(7 / 23)
    assert total["after_shipment_rate"] == near(275 / 1860)  # 160 + 25 + 90
    assert total["product_rate"] == near(135 / 1860)  # 110 + 25 + 0
    assert total["platform"] is None and total["provisional"] is True

    assert "抖店C：1 个售后单为 价保，不是退货，不计入件数、金额与退款率" in notes
    assert f"未导入退款/售后表，未列出（退款未知，不是 0）：{D}" in notes
    assert "按完结日 = 期内完结的成功退款金额 ÷ 期内支付金额" in notes
    assert (
        "暂估：按支付日的退款率 天猫A店（数据截至 2026-11-12）、抖店C（数据截至 2026-11-10）、淘宝B店（数据截至 2026-11-10） 到 2026-11-24 前仍会变"
        in notes
    )


def test_by_completion_date_is_the_master_tables_refund_rate(built: Built) -> None:
    rows, _ = summary(built.root)
    result = run_cli("-w", built.root, "table", "master", *PERIOD, "--grain", "month", "--format", "json")
    assert result.exit_code == 0, result.output
    master = {row["shop"]: row for row in json.loads(result.stdout)}
    for shop in (A, B):  # 千牛 shops without 生意参谋: the 总表's 退款率 is 退款管理 by 退款完结时间
        assert rows[shop]["refund_rate_completed"] == master[shop]["refund_rate"]
        assert master[shop]["after_sale_refund_amount"] == master[shop]["refund_amount"]
        assert rows[shop]["after_shipment_rate"] == master[shop]["after_shipment_refund_rate"]
    assert master[C]["refund_rate"] is None  # the core has no 抖店 refunds; the 退货 section has
    assert master[C]["after_sale_refund_rate"] == near(170 / 560)
    assert (master[C]["refund_only_amount"], master[C]["return_refund_amount"]) == (80.0, 90.0)


def test_the_master_table_keeps_its_columns_and_shows_unknown_for_a_shop_without_refunds(
    built: Built,
) -> None:
    result = run_cli("-w", built.root, "table", "master", *PERIOD, "--grain", "month", "--shop", D)
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert list(row)[:3] == ["date", "shop", "platform"]
    for key in ("gmv", "refund_amount", "refund_rate", "net_sales", "dsr_logistics", "service_sales"):
        assert key in row
    assert row["gmv"] == "100.00"
    for key in ("after_sale_refund_amount", "after_sale_refund_rate", "refund_only_amount", "return_refund_amount",
                "after_shipment_refund_amount", "after_shipment_refund_rate", "product_refund_amount",
                "product_refund_rate"):  # fmt: skip
        assert row[key] == "", key  # no 退款管理 / 售后表: unknown, never 0


def test_provisional_days_is_a_setting(built: Built, tmp_path: Path) -> None:
    root = copy(built, tmp_path, "returns:\n  provisional_days: 2\n")
    rows, notes = summary(root)
    # stable on 11-10 + 2 = 11-12: 天猫A店's data reaches 11-12 (R9 done), the others' 11-10
    assert [(rows[s]["provisional"], rows[s]["stable_on"]) for s in (A, B, C)] == [
        (False, "2026-11-12"), (True, "2026-11-12"), (True, "2026-11-12"),
    ]  # fmt: skip
    assert (
        "暂估：按支付日的退款率 抖店C（数据截至 2026-11-10）、淘宝B店（数据截至 2026-11-10） 到 2026-11-12 前仍会变"
        in notes
    )


def test_a_bad_returns_setting_is_one_line(built: Built, tmp_path: Path) -> None:
    root = copy(built, tmp_path, "returns:\n  provisional_days: abc\n")
    result = run_cli("-w", root, "returns", "summary", *PERIOD)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "错误 shopops.yaml：returns.provisional_days 是 'abc'，不是数字 — 例如写 provisional_days: 14"
    ]


def test_the_table_fits_80_columns(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("-w", built.root, "returns", "summary", *PERIOD)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    assert lines[0] == "退货汇总 2026-11-01 ~ 2026-11-10"  # one table: a row per shop, then 合计
    header = " ".join(lines[1:3])
    for label in ("店铺", "退款率", "(按完结日)", "(按支付日)", "暂估"):  # the basis is in the column label
        assert label in header
    assert [line.split()[0] for line in lines[4:8]] == [A, C, B, "合计"]  # by name, as the shops list
    row = next(line for line in lines[3:] if line.startswith(A))
    row = row.removeprefix(A)
    # 成功退款单, 金额, 退款率 按完结日 and 按支付日 (at 80 columns the other rates are left out, and said)
    assert row.split()[:4] == ["5", "260.00", "26.00%", "21.00%"]
    assert any(line.startswith("终端较窄，未显示：") for line in lines)


def test_csv_and_xlsx(built: Built, tmp_path: Path) -> None:
    result = run_cli("-w", built.root, "returns", "summary", *PERIOD, "--format", "csv", "--shop", B)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["shop"] for r in rows] == [B, "合计"]
    assert rows[0]["success_amount"] == "75.00" and rows[0]["refund_rate_completed"] == "0.25"
    assert "按支付日 = " in result.stderr
    target = tmp_path / "退货.xlsx"
    result = run_cli("-w", built.root, "returns", "summary", *PERIOD, "--format", "xlsx", "-o", target)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[:4] == ["店铺", "平台", "成功退款单(按完结日)", "成功退款金额(按完结日)"]
    assert "退款率(按支付日)" in header and "退款率(按完结日)" in header


def test_without_a_refund_file_it_says_what_to_import(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert run_cli("init", root).exit_code == 0
    assert run_cli("-w", root, "shop", "add", D, "--platform", "taobao").exit_code == 0
    d_orders = orders(tmp_path / "ExportOrderList_D.xlsx", [("D1", "2026-11-01", "70.00")])
    assert run_cli("-w", root, "import", d_orders, "--shop", D).exit_code == 0
    line = "没有退款/售后数据：先导入 千牛 退款管理 或 抖店 售后表 导出：shopops import 退款管理.xlsx --shop 店铺名（`shopops sources` 列出全部）"
    result = run_cli("-w", root, "returns", "summary")
    assert (result.exit_code, result.stdout.strip()) == (0, line)
    result = run_cli("-w", root, "returns", "summary", "--format", "json")
    assert (result.exit_code, result.stdout.strip(), result.stderr.strip()) == (0, "[]", line)
    result = run_cli("-w", root, "returns", "reasons", "--shop", "没有这家店")
    assert (result.exit_code, result.stderr) == (
        1,
        "错误 店铺 '没有这家店' 未登记（已有：淘宝D店）— 见 `shopops shop list`\n",
    )


def test_a_period_no_refund_file_covers_is_unknown_not_zero(built: Built) -> None:
    result = run_cli(
        "-w",
        built.root,
        "returns",
        "summary",
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-10",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = {row["shop"]: row for row in json.loads(result.stdout)}
    for shop in (A, B, C, "合计"):
        assert (rows[shop]["success_cases"], rows[shop]["success_amount"], rows[shop]["refund_rate_cohort"]) == (
            None, None, None,
        )  # fmt: skip
    assert (
        f"{A}：退款/售后表不覆盖 2025-01-01 ~ 2025-01-10（导出的日期范围之外），件数、金额与退款率未知"
        in result.stderr
    )
