"""The demo's 客服 exports added to a web demo (src/shopops/demo/service*.py: 赤兔 售前明细 with its
延迟统计 days, 自定义报表, 遵时率, 分时接待, 千牛 满意度, 客服名单), the truths they were written from
(``manifest["service"]``), and the expected figures of the agent table computed from those truths.

A second 赤兔 file for shop B, dated before the demo (HOSTILE_DAYS), names its agents with markup:
pages must show them as text. It lies outside the demo's window, so the figures above stay exact."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopops.demo.service import gmv_from_manifest, write_service_exports
from shopops.workspace import Workspace
from tests.conftest import DEMO_DAYS, DEMO_END
from tests.web.conftest import SHOP_B

SERVICE_START = DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
HOSTILE_AGENTS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
HOSTILE_DAYS = (dt.date(2026, 10, 1), dt.date(2026, 10, 2))


@dataclass(frozen=True)
class ServiceData:
    truth: dict[str, Any]  # manifest["service"]
    files: list[Path]


def add_service_data(workspace: Workspace, exports: Path, base: Path) -> ServiceData:
    """Write the 客服 exports of the demo whose exports (and manifest.json) are in ``exports``
    and import them, and the hostile file, into ``workspace``."""
    manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    files, truth = write_service_exports(base, gmv_from_manifest(manifest), SERVICE_START, DEMO_END, seed=7)
    shop_of = {base / entry["path"]: entry["shop"] for entry in truth["files"]}
    for path in files:
        workspace.import_file(path, shop=shop_of.get(path))
    workspace.import_file(hostile_export(base / "赤兔_售前明细_hostile.csv"), shop=SHOP_B)
    return ServiceData(truth, files)


def hostile_export(path: Path) -> Path:
    lines = ["日期,旺旺,接待人数,询单人数,询单->最终付款人数,销售额,平均响应(秒)"]
    for day in HOSTILE_DAYS:
        for number, name in enumerate(HOSTILE_AGENTS):
            quoted = '"' + name.replace('"', '""') + '"'
            lines.append(f"{day},{quoted},{40 + number},{20 + number},{8 + number},{1000 + number}.50,12.5")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def person_of(truth: dict[str, Any], shop: str, person: str) -> dict[str, Any]:
    return next(a for a in truth["agents"] if a["shop"] == shop and a["person"] == person)


def agent_days(
    truth: dict[str, Any], shop: str, person: str, start: dt.date, end: dt.date
) -> dict[str, dict[str, Any]]:
    """The person's true figures per day in [start, end] (any of their accounts)."""
    found: dict[str, dict[str, Any]] = {}
    for account in person_of(truth, shop, person)["accounts"]:
        for day, figures in truth["days"][shop].get(account, {}).items():
            if start <= dt.date.fromisoformat(day) <= end:
                found[day] = figures
    return found


def expected_agent(
    truth: dict[str, Any], shop: str, person: str, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """What the agent table must say for one person over day rows: counts summed, 询单转化率 from the
    settled days' sums, 平均响应 weighted by receptions, 暂定 when a day has not settled."""
    days = agent_days(truth, shop, person, start, end)
    delayed = set(truth["delayed"]["final"])
    settled = [f for d, f in days.items() if d not in delayed]
    receptions = sum(f["receptions"] for f in days.values())
    paid = sum(f["inquiry_paid"] for f in settled)
    asked = sum(f["inquiries"] for f in settled)
    rated = [f for f in days.values() if "very_satisfied" in f]
    pleased = sum(f["very_satisfied"] + f["satisfied"] for f in rated)
    votes = sum(
        f["very_satisfied"] + f["satisfied"] + f["neutral"] + f["dissatisfied"] + f["very_dissatisfied"]
        for f in rated
    )
    sales = sum((Decimal(f["sales"]) for f in days.values()), Decimal(0))
    buyers = sum(f["sales_buyers"] for f in days.values())
    return {
        "days": len(days),
        "receptions": receptions,
        "inquiries": sum(f["inquiries"] for f in days.values()),
        "inquiry_buyers": paid,
        "inquiry_conversion": paid / asked if asked else None,
        "sales": sales,
        "sales_orders": sum(f["sales_orders"] for f in days.values()),
        "aov": float(sales) / buyers if buyers else None,
        "avg_response_seconds": sum(f["avg_response_seconds"] * f["receptions"] for f in days.values())
        / receptions
        if receptions
        else None,
        "slow_responses": sum(f["slow_responses"] for f in days.values()),
        "refund_amount": sum((Decimal(f["refund_amount"]) for f in days.values()), Decimal(0)),
        "reply_rate": 1 - sum(f["unreplied"] for f in days.values()) / receptions if receptions else None,
        "satisfaction_rate": pleased / votes if votes else None,
        "provisional": any(d in delayed for d in days),
    }
