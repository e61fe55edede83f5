"""`shopops returns reasons`: the reason Pareto by reason and by class with the trend, the editable
classes, and 品退率 per SKU and style — against hand counts of tests/returns_refund_files.py.

Cases asked for (申请日) 2026-11-01 ~ 2026-11-10, not closed, returns only (T3 价保 out; R6, S3 closed):
  品质 5 ¥315: 质量问题 R2 60, R5 100, R7 50, T4 80; 颜色、款式、图案与描述不符 S2 25
  主观 3 ¥210: 不想要了 R1 100; 拍错/多拍 T2 80; 拍错 T5 30
  尺码 3 ¥130: 尺码不合适 R3 40, T1 90; 尺码偏小 R9 0
  仓配 2 ¥60:  快递一直未送到 S1 50; 少件 R4 10                                   13 cases
The period before (10-22 ~ 10-31): 尺码偏大 R8 (尺码), 不想要了 S0 and 不喜欢 T0 (主观): 3 cases.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from shopops.domains.returns.pareto import PARETO_COLUMNS, RATE_COLUMNS
from tests.conftest import run_cli
from tests.returns_refund_files import A, B, C, build

PERIOD = ("--from", "2026-11-01", "--to", "2026-11-10")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("reasons")
    build(base / "ws", base)
    return base / "ws"


def near(value: float) -> Any:
    return pytest.approx(value, abs=1e-6)  # JSON writes ratios to 6 places


def reasons(root: Path, *extra: str) -> tuple[list[dict[str, Any]], str]:
    result = run_cli("-w", root, "returns", "reasons", *PERIOD, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows, result.stderr


def test_the_class_pareto_with_shares_top_reasons_and_trend(root: Path) -> None:
    rows, notes = reasons(root, "--by", "class")
    assert list(rows[0]) == PARETO_COLUMNS
    got = [(r["class"], r["count"], r["amount"], r["count_prev"]) for r in rows]
    # 主观 and 尺码 both 3: the larger amount first
    assert got == [("品质", 5, 315.0, 0), ("主观", 3, 210.0, 2), ("尺码", 3, 130.0, 1), ("仓配", 2, 60.0, 0)]
    assert [r["share"] for r in rows] == [near(5 / 13), near(3 / 13), near(3 / 13), near(2 / 13)]
    assert [r["cum_share"] for r in rows] == [near(5 / 13), near(8 / 13), near(11 / 13), near(1.0)]
    # the period before: 主观 2 of 3, 尺码 1 of 3; change in points
    assert [r["share_prev"] for r in rows] == [0, near(2 / 3), near(1 / 3), 0]
    assert [r["share_change"] for r in rows] == [
        near(5 / 13),
        near(3 / 13 - 2 / 3),
        near(3 / 13 - 1 / 3),
        near(2 / 13),
    ]
    assert rows[0]["top_reasons"] == "质量问题 4、颜色、款式、图案与描述不符 1"
    assert rows[0]["reason"] == "质量问题"  # the class's top reason
    assert rows[2]["top_reasons"] == "尺码不合适 2、尺码偏小 1"
    assert "13 单（上期 3 单）" in notes and "另有 2 个退款已关闭（买家撤销或被拒），未计入" in notes
    assert "上期 2026-10-22 ~ 2026-10-31（同样 10 天）；占比变化为百分点" in notes


def test_the_reason_pareto(root: Path) -> None:
    rows, _ = reasons(root)  # --by reason is the default: DESIGN §5's reason, class, count, amount, share
    assert [(r["reason"], r["class"], r["count"], r["amount"]) for r in rows[:3]] == [
        ("质量问题", "品质", 4, 290.0), ("尺码不合适", "尺码", 2, 130.0), ("不想要了", "主观", 1, 100.0),
    ]  # fmt: skip
    assert rows[0]["share"] == near(4 / 13) and rows[1]["cum_share"] == near(6 / 13)
    assert rows[-1]["cum_share"] == near(1.0)
    # reasons of the period before only, at the end with a count of 0
    assert {(r["reason"], r["count"], r["count_prev"]) for r in rows[-2:]} == {
        ("尺码偏大", 0, 1),
        ("不喜欢", 0, 1),
    }
    assert rows[2]["share_change"] == near(1 / 13 - 1 / 3)  # 不想要了: 1 of 13 now, 1 of 3 (S0) before
    assert sum(r["count"] for r in rows) == 13


def test_one_shop(root: Path) -> None:
    rows, _ = reasons(root, "--by", "class", "--shop", C)
    # 主观 T2 80 + T5 30; 尺码 T1 ¥90 before 品质 T4 ¥80 (same count: the larger amount first)
    assert [(r["class"], r["count"], r["amount"]) for r in rows] == [
        ("主观", 2, 110.0),
        ("尺码", 1, 90.0),
        ("品质", 1, 80.0),
    ]
    assert [r["count_prev"] for r in rows] == [1, 0, 0]  # T0 不喜欢, 10-28


def test_an_edited_mapping_moves_a_reason(root: Path, tmp_path: Path) -> None:
    edited = tmp_path / "ws"
    shutil.copytree(root, edited)
    with (edited / "shopops.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "\nreturns:\n"
            "  reason_classes:\n"
            "    - {name: 品质, words: [质量, 描述不符, 少件]}\n"  # 少件 blamed on the product, not the warehouse
            "    - {name: 仓配, words: [快递, 发错货]}\n"
            "    - {name: 尺码, words: [尺码]}\n"
            "    - {name: 主观, words: [不想要, 拍错, 不喜欢]}\n"
            "    - {name: 其他, words: []}\n"
            "  product_classes: [品质]\n"
        )
    rows, notes = reasons(edited, "--by", "class")
    assert [(r["class"], r["count"]) for r in rows] == [("品质", 6), ("主观", 3), ("尺码", 3), ("仓配", 1)]
    assert rows[0]["top_reasons"] == "质量问题 4、颜色、款式、图案与描述不符 1、少件 1"
    assert "原因大类：品质（质量、描述不符、少件）、仓配（快递、发错货）" in notes
    result = run_cli("-w", edited, "returns", "summary", *PERIOD, "--format", "json")
    shops = {r["shop"]: r for r in json.loads(result.stdout)}
    # 品退 by 完结日 of 天猫A店: R2 60 + R7 50 + R4 10 (少件, done 11-09) = ¥120 of ¥1,000
    assert (shops[A]["product_amount"], shops[A]["product_rate"]) == (120.0, near(0.12))


def test_a_class_named_nowhere_is_one_line(root: Path, tmp_path: Path) -> None:
    edited = tmp_path / "ws"
    shutil.copytree(root, edited)
    with (edited / "shopops.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nreturns:\n  product_classes: [质量]\n")
    result = run_cli("-w", edited, "returns", "reasons", *PERIOD)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "错误 shopops.yaml：returns.product_classes 中的 '质量' 不是退货原因分类（主观, 仓配, 品质, 尺码, 服务/其他）"
    ]


def test_product_return_rate_per_sku_and_style(root: Path) -> None:
    rows, notes = reasons(root, "--by", "sku")
    assert list(rows[0]) == RATE_COLUMNS
    got = {(r["shop"], r["sku"]): r for r in rows}
    # 天猫A店 lines paid 11-01…11-10 (宝贝报表): SKU-X A1 A2 A4, SKU-Y A3 A5 A6, SKU-Z A7…A10.
    # Successful cases of those lines: SKU-X R1 (不想要了), R2 (质量问题: 品退); SKU-Y R3 + R4 (one line, A3), R9 (A6).
    x, y, z = got[(A, "SKU-X")], got[(A, "SKU-Y")], got[(A, "SKU-Z")]
    assert (x["paid_lines"], x["product_cases"], x["product_rate"], x["return_cases"], x["return_rate"]) == (
        3, 1, near(1 / 3), 2, near(2 / 3),
    )  # fmt: skip
    assert (x["style"], x["name"], x["product_amount"], x["top_reason"]) == (
        "S1",
        "T恤 白 M",
        60.0,
        "质量问题",
    )
    assert (y["product_cases"], y["product_rate"], y["return_cases"], y["return_rate"]) == (
        0,
        0,
        2,
        near(2 / 3),
    )
    assert (z["paid_lines"], z["product_rate"], z["return_rate"]) == (4, 0, 0)
    # 淘宝B店 imported no 宝贝报表: its 品退 (S2 描述不符) has no lines to be a rate of
    b = got[(B, "SKU-B")]
    assert (b["paid_lines"], b["product_cases"], b["product_rate"]) == (0, 1, None)
    assert got[(C, "3600001")]["paid_lines"] == 7  # 抖店 lines by 商品ID
    assert rows[0]["sku"] == "SKU-X"  # the most 品退 first
    assert any("SKU有退款但期内没有支付子订单" in line for line in notes.splitlines())
    styles, _ = reasons(root, "--by", "style")
    s1 = next(r for r in styles if r["style"] == "S1")
    assert (s1["sku"], s1["paid_lines"], s1["product_cases"], s1["product_rate"]) == ("2", 6, 1, near(1 / 6))


def test_the_class_table_fits_80_columns(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("-w", root, "returns", "reasons", *PERIOD, "--by", "class")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    assert lines[0] == "退款原因大类 2026-11-01 ~ 2026-11-10"
    assert lines[4].split() == [
        "品质",
        "5",
        "38.46%",
        "+38.5pp",
        "质量问题",
        "4、颜色、款式、图案与描述不符",
        "1",
    ]
    assert lines[5].split()[:4] == ["主观", "3", "23.08%", "-43.6pp"]
