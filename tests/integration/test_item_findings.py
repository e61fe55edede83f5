"""Item-level findings from an imported 商品效果 export: a bestseller at 0 is found, a small item's swing is not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shopops.analysis.anomalies import alert_settings, detect_findings
from shopops.workspace import Workspace

SHOP = "某某旗舰店"
LAST = dt.date(2026, 9, 16)  # an ordinary Wednesday: no promotion or holiday in the 7 weeks before
DAYS = 49


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Seven weeks of three items: a bestseller (≈¥3000/day), a steady one, a tiny one."""
    lines = ["统计日期,商品ID,商品名称,支付金额"]
    for offset in range(DAYS):
        day = LAST - dt.timedelta(days=DAYS - 1 - offset)
        weekday_lift = 1.2 if day.weekday() >= 5 else 1.0
        bestseller = 0 if day == LAST else round(3000 * weekday_lift + offset * 3, 2)
        lines.append(f"{day},600000000001,爆款 羽绒服,{bestseller}")
        lines.append(f"{day},600000000002,常规 围巾,{round(800 * weekday_lift, 2)}")
        tiny = 15 if offset % 2 else 90  # swings ×6, but never matters
        lines.append(f"{day},600000000003,小件 发圈,{tiny}")
    path = tmp_path / f"商品效果_{SHOP}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = Workspace.init(tmp_path / "ws")
    ws.add_shop(SHOP, "tmall")
    assert ws.import_file(path).rows == DAYS * 3
    yield ws  # type: ignore[misc]
    ws.close()


def test_a_bestseller_selling_nothing_is_critical(workspace: Workspace) -> None:
    findings = detect_findings(
        workspace.connection, LAST - dt.timedelta(days=6), LAST, settings=alert_settings(None)
    )
    items = [f for f in findings if f.item]
    assert [(f.date, f.item, f.rule, f.severity) for f in items] == [
        (LAST, "600000000001", "item_zero", "critical")
    ]
    finding = items[0]
    assert (
        finding.value == 0 and finding.metric == "gmv" and finding.metric_label == "单品支付金额·爆款 羽绒服"
    )
    # The usual Wednesday: the median of the 6 earlier Wednesdays (offsets 6, 13 … 41) of 3000 + 3 × offset
    # is (3060 + 3081) / 2 = 3070.5; the shop's usual day is the median of those days' totals (with 800
    # and 15 or 90): (3908 + 3938) / 2 = 3923, so the share is 3070.5 / 3923 = 78%.
    assert finding.explanation == (
        "单品「爆款 羽绒服」支付金额为 0（断货、下架或链接失效？），平时同星期约 ¥3,070，占店铺支付金额约 78%"
    )
    assert (finding.expected_low, finding.expected_high) == (921.15, 12282.0)  # 30% … 4× usual
    assert (finding.impact, finding.since, finding.children) == (3070.5, None, ())  # |0 − usual|, one day
    assert finding.to_record()["item"] == "600000000001"
