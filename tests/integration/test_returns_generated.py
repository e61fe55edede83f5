"""The returns job on the demo's apparel shop (山岚服饰, 90 days), imported as a user would: its
54-column 千牛 退款管理, order lines, product list and per-item review files. The figures are checked
against the demo's manifest (``manifest["returns"]``: every case as the simulation drew it), and the
planted causes — a style whose size chart runs small, a defect batch, a warehouse mis-pick week — are
each found by ``returns items`` and by ``findings``."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopops.demo.stock import write_stock_shop
from shopops.domains.returns.findings import returns_findings
from shopops.domains.returns.rules import ReturnRules
from shopops.workspace import Workspace
from tests.conftest import run_cli

END = dt.date(2026, 11, 29)
DAYS = 90
SHOP = "山岚服饰"


@dataclass
class Built:
    root: Path
    truth: dict[str, Any]  # manifest["returns"]

    def json(self, *args: str) -> Any:
        result = run_cli("--workspace", self.root, *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    @property
    def planted(self) -> dict[str, Any]:
        return self.truth["planted"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("returns_generated")
    shop = write_stock_shop(base / "exports", END, DAYS, 7)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop(SHOP, "taobao")
        for path in [*shop.files, *shop.returns_files]:
            workspace.import_file(path, shop=SHOP)
    return Built(root, shop.returns)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def test_the_summary_is_the_manifests_cases(built: Built) -> None:
    start, end = END - dt.timedelta(days=29), END
    row = next(
        r
        for r in built.json("returns", "summary", "--from", str(start), "--to", str(end))
        if r["shop"] == SHOP
    )
    won = [
        c
        for c in built.truth["cases"]
        if c["shop"] == SHOP
        and c["status_class"] == "成功"
        and c["completed_at"]
        and start <= day(c["completed_at"]) <= end
    ]
    assert row["success_cases"] == len(won)
    assert Decimal(str(row["success_amount"])) == sum((Decimal(c["amount"]) for c in won), Decimal(0))
    for kind, key in (("仅退款", "refund_only"), ("退货退款", "return_refund"), ("换货", "exchange")):
        chosen = [c for c in won if c["kind"] == kind]
        assert row[f"{key}_cases"] == len(chosen), kind
        assert Decimal(str(row[f"{key}_amount"])) == sum(
            (Decimal(c["amount"]) for c in chosen), Decimal(0)
        ), kind
    after = [c for c in won if c["shipped"] == "发货后"]
    assert Decimal(str(row["after_shipment_amount"])) == sum(
        (Decimal(c["amount"]) for c in after), Decimal(0)
    )
    assert row["provisional"] is True  # the window ends on the data's last day


def test_the_size_problem_tops_the_focus_list(built: Built) -> None:
    size = built.planted["size"]
    start = END - dt.timedelta(days=DAYS - 1)
    styles = built.json("returns", "items", "--by", "style", "--from", str(start), "--to", str(END))
    assert styles[0]["style"] == size["style"] and styles[0]["top_class"] == "尺码"
    assert styles[0]["focus_size"] in size["sizes"]


def test_the_defect_batch_tops_the_focus_list_of_its_weeks(built: Built) -> None:
    batch = built.planted["defect_batch"]
    styles = built.json(
        "returns", "items", "--by", "style", "--from", batch["paid_from"], "--to", batch["paid_to"]
    )
    assert styles[0]["style"] == batch["style"] and styles[0]["top_class"] == "品质"


def test_findings_name_each_planted_cause(built: Built) -> None:
    size, batch, week = (built.planted[k] for k in ("size", "defect_batch", "mispick_week"))
    with Workspace(built.root) as workspace:
        con = workspace.connection
        rules = ReturnRules()
        # the size chart: a lasting cause, found on the last day
        last = returns_findings(con, END, END, [SHOP], rules=rules)
        assert any(f.item == size["style"] and "尺码" in f.metric_label + f.explanation for f in last)
        # the defect batch: found in the days after its payments' returns came in
        after_batch = day(batch["paid_to"]) + dt.timedelta(days=14)
        found = returns_findings(con, after_batch, after_batch, [SHOP], rules=rules)
        assert any(f.item == batch["style"] and "品质" in f.metric_label + f.explanation for f in found)
        # the mis-pick week: one shop-level finding of the 仓配 class, within two weeks of its end
        end_of_week = day(week["to"])
        found = returns_findings(con, end_of_week, end_of_week + dt.timedelta(days=13), [SHOP], rules=rules)
        warehouse = [f for f in found if f.metric_label == "仓配退货突增"]
        assert warehouse, [f.explanation for f in found]
        for finding in warehouse:  # its Monday–Sunday payment week overlaps the planted days mostly
            first, last = re.match(r"(\d\d-\d\d)…(\d\d-\d\d) 付款", finding.explanation).groups()  # type: ignore[union-attr]
            weekdays = {dt.date.fromisoformat(f"{END.year}-{first}") + dt.timedelta(days=i) for i in range(7)}
            planted = {day(week["from"]) + dt.timedelta(days=i) for i in range(7)}
            assert len(weekdays & planted) >= 4 and last == f"{max(weekdays):%m-%d}"
            assert "发错货" in finding.explanation
