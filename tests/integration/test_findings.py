"""Planted anomalies in generated exports are found with the right driver; 双11 and weekdays are not alarms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopops.demo.planting import Plant, random_plants
from shopops.demo.run import configure, generate
from shopops.demo.simulation import affiliate_spike_day, stock_out_days
from shopops.workspace import Workspace
from tests.conftest import run_cli

END = dt.date(2026, 11, 24)
DAYS = 120
START = END - dt.timedelta(days=DAYS - 1)
CLOUD, FIELD = "云朵旗舰店", "小野家居"
PLANTS = [
    Plant(dt.date(2026, 9, 15), CLOUD, "traffic_loss", 0.75),
    Plant(dt.date(2026, 9, 16), FIELD, "affiliate_spike", 5),
    Plant(dt.date(2026, 9, 17), CLOUD, "refund_surge", 5),
    Plant(dt.date(2026, 9, 22), CLOUD, "conversion_drop", 0.5),
    Plant(dt.date(2026, 9, 23), FIELD, "zero_sales"),
    Plant(dt.date(2026, 10, 13), FIELD, "traffic_loss", 0.75),
    Plant(dt.date(2026, 10, 14), CLOUD, "affiliate_spike", 4),
    Plant(dt.date(2026, 10, 15), FIELD, "dsr_drop", 0.05),
    Plant(dt.date(2026, 11, 24), CLOUD, "refund_surge", 6),  # on the last day: provisional
]
# What each kind must be blamed on (a finding's metric or driver on the planted shop and day).
DRIVERS = {
    "traffic_loss": {CLOUD: "ad_spend_keyword", FIELD: "ad_spend_fullsite"},
    "affiliate_spike": {CLOUD: "affiliate_commission", FIELD: "affiliate_commission"},
    "refund_surge": {CLOUD: "refund_amount", FIELD: "refund_amount"},
    "conversion_drop": {CLOUD: "conversion_rate", FIELD: "conversion_rate"},
    "zero_sales": {CLOUD: "gmv", FIELD: "gmv"},
    "dsr_drop": {CLOUD: "dsr_description", FIELD: "dsr_description"},
}


@dataclass
class Planted:
    root: Path
    manifest: dict[str, Any]

    def cli(self, *args: str | Path) -> Any:
        return run_cli("--workspace", self.root, *args)

    def findings(self, *args: str) -> list[dict[str, Any]]:
        result = self.cli("findings", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        records: list[dict[str, Any]] = json.loads(result.stdout)  # checks not run: on stderr
        return records


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    base = tmp_path_factory.mktemp("planted")
    generated = generate(base / "exports", days=DAYS, end=END, seed=11, plants=PLANTS)
    with Workspace.init(base / "ws") as workspace:
        configure(workspace)
    result = run_cli("--workspace", base / "ws", "import", *generated.files)
    assert result.exit_code == 0, result.output
    return Planted(base / "ws", json.loads(generated.manifest.read_text(encoding="utf-8")))


def test_the_manifest_lists_the_plants_and_the_data_carries_them(planted: Planted) -> None:
    assert [(p["date"], p["shop"], p["kind"]) for p in planted.manifest["planted"]] == [
        (p.date.isoformat(), p.shop, p.kind) for p in PLANTS
    ]
    result = planted.cli("table", "master", "--from", "2026-09-23", "--to", "2026-09-23", "--shop", FIELD)
    row = next(csv.DictReader(io.StringIO(result.output)))
    assert row["gmv"] == "0.00" and int(row["visitors"]) > 500
    truth = planted.manifest["shops"][CLOUD]["days"]["2026-09-17"]
    assert truth["refund_orders"] >= 20


def test_the_default_demo_has_no_plants(tmp_path: Path) -> None:
    generated = generate(tmp_path, days=21, end=END, seed=7)
    assert "planted" not in json.loads(generated.manifest.read_text(encoding="utf-8"))


def test_planted_anomalies_are_found_with_their_driver(planted: Planted) -> None:
    findings = planted.findings("--from", "2026-09-14", "--to", END.isoformat())
    for plant in PLANTS:
        on_day = [f for f in findings if f["shop"] == plant.shop and f["date"] == plant.date.isoformat()]
        wanted = DRIVERS[plant.kind][plant.shop]
        named = [f for f in on_day if wanted in (f["metric"], f["driver"])]
        assert named, f"{plant}: {[(f['metric'], f['driver'], f['explanation']) for f in on_day]}"
        assert all(f["severity"] in ("critical", "warning") for f in named)


def test_the_sentences_name_the_driver(planted: Planted) -> None:
    findings = {
        (f["shop"], f["date"], f["metric"]): f
        for f in planted.findings("--from", "2026-09-14", "--to", "2026-10-19")
    }
    traffic = findings[(CLOUD, "2026-09-15", "visitors")]
    assert traffic["driver"] == "ad_spend_keyword"
    assert "直通车花费" in traffic["explanation"]
    assert "全站推广花费" in findings[(FIELD, "2026-10-13", "visitors")]["explanation"]
    spike = findings[(FIELD, "2026-09-16", "affiliate_commission")]
    assert spike["explanation"].startswith("09-16 淘客佣金 ¥")
    assert "倍" in spike["explanation"]
    assert spike["value"] > spike["expected_high"]
    conversion = findings[(CLOUD, "2026-09-22", "conversion_rate")]
    assert "支付转化率" in conversion["explanation"] and "pp" in conversion["explanation"]
    gmv = findings.get((CLOUD, "2026-09-22", "gmv"))
    if gmv is not None:  # the GMV line, when flagged, carries the decomposition
        assert gmv["explanation"].startswith("GMV −") and "转化率" in gmv["explanation"]
        assert gmv["driver"] == "conversion_rate"
    zero = findings[(FIELD, "2026-09-23", "gmv")]
    assert "zero_sales" in zero["rule"] and zero["severity"] == "critical"
    assert zero["explanation"].startswith("支付金额为 0（平时约 ¥") and "下架" in zero["explanation"]
    refunds = [f for (shop, day, _), f in findings.items() if (shop, day) == (CLOUD, "2026-09-17")]
    assert any("质量问题" in f["explanation"] for f in refunds)


def test_double_11_and_ordinary_days_are_not_alarms(planted: Planted) -> None:
    start = dt.date(2026, 9, 14)
    findings = planted.findings("--from", start.isoformat(), "--to", END.isoformat())
    spike = affiliate_spike_day(START, DAYS)
    out_first, out_last = stock_out_days(START, DAYS)
    known = {(p.shop, p.date.isoformat()) for p in PLANTS} | {(s, spike.isoformat()) for s in (CLOUD, FIELD)}
    others = [
        f
        for f in findings
        if (f["shop"], f["date"]) not in known
        and not out_first.isoformat() <= f["date"] <= out_last.isoformat()
    ]
    assert not [f for f in others if "2026-10-20" <= f["date"] <= "2026-11-23"], "双11 season flagged"
    sales = [f for f in others if f["metric"] in ("gmv", "visitors", "conversion_rate", "buyers", "aov")]
    assert sales == [], "ordinary weekday swings flagged"
    assert len(others) <= 2, [(f["date"], f["shop"], f["metric"], f["explanation"]) for f in others]
    for day in ("2026-11-11", "2026-11-10", "2026-11-12"):
        assert all(f["date"] != day for f in findings)


def test_the_built_in_affiliate_spike_is_found(planted: Planted) -> None:
    day = affiliate_spike_day(START, DAYS).isoformat()
    findings = planted.findings("--from", day, "--to", day, "--shop", CLOUD)
    assert [f["metric"] for f in findings] == ["affiliate_commission"]
    assert findings[0]["context"] == "双11后"


def test_provisional_days(planted: Planted) -> None:
    findings = planted.findings("--from", "2026-11-18", "--to", END.isoformat())
    assert any(f["metric"] == "refund_amount" and f["date"] == END.isoformat() for f in findings)
    for finding in findings:
        moving = finding["metric"] in ("refund_amount", "refund_orders", "refund_rate", "ad_gmv", "ad_roi")
        assert finding["provisional"] == moving


def test_findings_as_csv_and_table(planted: Planted) -> None:
    result = planted.cli("findings", "--from", "2026-09-15", "--to", "2026-09-16", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {
        "date",
        "shop",
        "metric",
        "value",
        "expected_low",
        "expected_high",
        "severity",
        "provisional",
        "explanation",
    } <= set(rows[0])
    assert {r["date"] for r in rows} == {"2026-09-15", "2026-09-16"}
    result = planted.cli("findings", "--from", "2026-09-15", "--to", "2026-09-16", "--severity", "critical")
    assert result.exit_code == 0
    assert "严重" in result.output and "警告" not in result.output
    result = planted.cli("findings", "--from", "2026-07-28", "--to", "2026-08-01", "--format", "csv")
    assert result.stdout.startswith("date,shop,metric")


def test_thresholds_come_from_shopops_yaml(planted: Planted, tmp_path: Path) -> None:
    config = planted.root / "shopops.yaml"
    original = config.read_text(encoding="utf-8")
    try:
        config.write_text(original + "\nalerts:\n  rules:\n    zero_sales: false\n", encoding="utf-8")
        findings = planted.findings("--from", "2026-09-23", "--to", "2026-09-23", "--shop", FIELD)
        assert findings and all("zero_sales" not in f["rule"] for f in findings)
        config.write_text(original + "\nalerts:\n  rules:\n    zero_sale: {}\n", encoding="utf-8")
        result = planted.cli("findings", "--from", "2026-09-23", "--to", "2026-09-23")
        assert result.exit_code == 1
        assert "alerts.rules.zero_sale is not a rule" in result.output
    finally:
        config.write_text(original, encoding="utf-8")


def test_explain_json_adds_up(planted: Planted) -> None:
    result = planted.cli(
        "explain", "--shop", CLOUD, "--date", "2026-09-15", "--vs", "2026-09-08", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["metric"] == "gmv"
    assert [p["factor"] for p in record["parts"]] == ["visitors", "conversion_rate", "aov"]
    total = sum(Decimal(str(p["contribution"])) for p in record["parts"])
    assert total == Decimal(str(record["change"]))
    assert record["traffic_driver"] == "keyword"
    assert record["text"].startswith("GMV −") and "直通车花费 −" in record["text"]
    assert record["items"] and record["channels"][0]["channel"] == "keyword"


def test_explain_a_group_names_the_shop(planted: Planted) -> None:
    result = planted.cli("explain", "--date", "2026-09-23", "--vs", "2026-09-16", "--format", "json")
    record = json.loads(result.output)
    assert record["shops"] == [CLOUD, FIELD]
    assert record["shop_parts"][0]["shop"] == FIELD
    assert "主要店铺 小野家居" in record["text"]
    table = planted.cli("explain", "--shop", FIELD, "--date", "2026-09-23", "--vs", "2026-09-16")
    assert table.exit_code == 0
    assert "支付金额拆解" in table.output and "GMV −100.0%" in table.output


def test_explain_mistakes_are_one_line(planted: Planted) -> None:
    result = planted.cli("explain", "--shop", "无此店", "--date", "2026-09-15")
    assert result.exit_code == 1
    assert result.output == f"错误 店铺 '无此店' 未登记（已有：{CLOUD}, {FIELD}）— 见 `shopops shop list`\n"
    result = planted.cli("explain", "--shop", CLOUD, "--date", "2030-01-01")
    assert result.exit_code == 1
    assert result.output == (
        f"错误 {CLOUD} 在 2029-12-31 的支付金额未知"
        " — 导入当天的 生意参谋店铺整体 或 千牛订单 导出，或换一个 --date/--vs\n"
    )
    result = planted.cli("findings", "--from", "2026-10-10", "--to", "2026-10-01")
    assert result.exit_code == 1 and result.output == "错误 --to 2026-10-01 早于 --from 2026-10-10；请对调\n"


def test_random_plants_are_seeded_and_spaced() -> None:
    first = random_plants([CLOUD, FIELD], dt.date(2026, 7, 1), dt.date(2026, 9, 30), 20, seed=5)
    assert first == random_plants([CLOUD, FIELD], dt.date(2026, 7, 1), dt.date(2026, 9, 30), 20, seed=5)
    assert len(first) == 20
    for shop in (CLOUD, FIELD):
        days = sorted(p.date for p in first if p.shop == shop)
        assert all((b - a).days >= 4 for a, b in itertools.pairwise(days))
