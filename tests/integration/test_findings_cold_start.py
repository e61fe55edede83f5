"""Three weeks of generated history: no baseline can judge, the rules still speak — and only where due.

The demo (21 days, 双11 inside) with two plants: 云朵旗舰店 sells nothing on 11-15; 小野家居's
conversion falls by 80 % on 11-18. Besides them, the demo's built-in 淘客 spike (11-17) is the only
event; the fall after the 双11 peak is not one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from shopops.demo.planting import Plant
from shopops.demo.run import configure, generate
from shopops.workspace import Workspace
from tests.conftest import run_cli

END = dt.date(2026, 11, 24)
CLOUD, FIELD = "云朵旗舰店", "小野家居"
COLD = "历史不足 4 周，按规则判断"
PLANTS = [
    Plant(dt.date(2026, 11, 15), CLOUD, "zero_sales"),
    Plant(dt.date(2026, 11, 18), FIELD, "conversion_drop", 0.8),
]


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], str]:
    base = tmp_path_factory.mktemp("cold")
    generated = generate(base / "exports", days=21, end=END, seed=7, plants=PLANTS)
    with Workspace.init(base / "ws") as workspace:
        configure(workspace)
    assert run_cli("--workspace", base / "ws", "import", *generated.files).exit_code == 0
    result = run_cli("--workspace", base / "ws", "findings", "--from", "2026-11-04", "--format", "json")
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records, result.stderr


def test_rules_find_the_plants_without_a_baseline(findings: tuple[list[dict[str, Any]], str]) -> None:
    records, _ = findings
    found = [(r["date"], r["shop"], r["metric"], r["rule"], r["direction"]) for r in records]
    assert found == [
        ("2026-11-15", CLOUD, "gmv", "gmv_change+zero_sales+gmv_level", "down"),
        # refunds of earlier days over a smaller day's sales: the rule speaks, not hidden under the 提示
        ("2026-11-16", CLOUD, "refund_rate", "refund_rate", "up"),
        ("2026-11-16", CLOUD, "gmv", "gmv_recovery", "up"),
        ("2026-11-17", CLOUD, "affiliate_commission", "affiliate_jump", "up"),  # the demo's 淘客 spike
        ("2026-11-18", FIELD, "gmv", "gmv_level", "down"),
        ("2026-11-19", FIELD, "gmv", "gmv_recovery", "up"),
    ]
    assert {r["basis"] for r in records} == {COLD}
    zero = records[0]
    assert zero["severity"] == "critical"
    assert zero["explanation"].startswith("支付金额为 0（近7天约 ¥")
    assert zero["impact"] == pytest.approx(19847.2)  # a usual recent day's sales
    assert records[4]["explanation"].startswith("GMV −90.0%（¥4,367→¥436）")


def test_the_checks_that_could_not_run_are_said(findings: tuple[list[dict[str, Any]], str]) -> None:
    _, stderr = findings
    assert stderr.splitlines() == [
        f"未能检查：{shop} · 同星期基线、单品：历史不足 4 周（最早数据 2026-11-04），"
        "11-04…11-24 按规则判断（环比、近期水平、零销售、无数据）"
        for shop in (CLOUD, FIELD)
    ]


def test_no_rule_fires_on_the_ordinary_days(findings: tuple[list[dict[str, Any]], str]) -> None:
    """Weekday swings and the fall after the 双11 peak are not findings."""
    records, _ = findings
    assert not [r for r in records if r["date"] in ("2026-11-11", "2026-11-12", "2026-11-13")]
