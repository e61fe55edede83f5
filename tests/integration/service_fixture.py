"""The demo's 客服 team in a real workspace, built once per test session for the `shopops service` tests.

The demo's two Taobao shops with 120 days: their 生意参谋 店铺整体 exports (the master table's
visitors, buyers and 支付金额), the 客服名单, and per shop the 赤兔 售前明细 (daily, 下单优先判定,
last 4 days 延迟统计) and the 自定义报表 of the last whole week (付款优先判定) — imported through the
CLI as a user would (the 赤兔 files do not name their shop: ``--shop``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from shopops.demo.run import configure, generate
from shopops.workspace import Workspace
from tests.conftest import run_cli

END = dt.date(2026, 11, 24)  # a Tuesday; the demo's 客服 exports are taken the day after
DAYS = 120
CLOUD, FIELD = "云朵旗舰店", "小野家居"
_BUILT: dict[str, ServiceDemo] = {}


@dataclass
class ServiceDemo:
    root: Path
    manifest: dict[str, Any]

    @property
    def service(self) -> dict[str, Any]:
        return self.manifest["service"]  # type: ignore[no-any-return]

    def cli(self, *args: str | Path) -> Result:
        return run_cli("--workspace", self.root, *args)

    def json(self, *args: str) -> Any:
        result = self.cli(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def accounts(self, shop: str, person: str) -> list[str]:
        (agent,) = [a for a in self.service["agents"] if a["shop"] == shop and a["person"] == person]
        return list(agent["accounts"])

    def days(self, shop: str, person: str, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """The person's true figures per worked day from ``first`` to ``last`` (every account)."""
        found = []
        for account in self.accounts(shop, person):
            for day, figures in self.service["days"][shop].get(account, {}).items():
                if first <= dt.date.fromisoformat(day) <= last:
                    found.append({"date": dt.date.fromisoformat(day), **figures})
        return sorted(found, key=lambda f: f["date"])

    def settled(self, day: dt.date) -> bool:
        return day.isoformat() not in self.service["delayed"]["final"]


def service_demo(tmp_path_factory: pytest.TempPathFactory) -> ServiceDemo:
    if "demo" not in _BUILT:
        _BUILT["demo"] = _build(tmp_path_factory.mktemp("service_team"))
    return _BUILT["demo"]


def _build(base: Path) -> ServiceDemo:
    exports = base / "exports"
    generated = generate(exports, days=DAYS, end=END, seed=7, service=True)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        configure(workspace)
    shop_files = [f for f in generated.files if "店铺整体" in f.name]
    result = run_cli("--workspace", root, "import", *shop_files, exports / "客服名单.xlsx")
    assert result.exit_code == 0, result.output
    for shop in (CLOUD, FIELD):
        chitu = sorted((exports / shop).glob("赤兔_售前明细_*.xlsx")) + sorted(
            (exports / shop).glob("自定义报表_*.xlsx")
        )
        result = run_cli("--workspace", root, "import", "--shop", shop, *chitu)
        assert result.exit_code == 0, result.output
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    return ServiceDemo(root, manifest)


def money(value: object) -> Decimal:
    return Decimal(str(value))
