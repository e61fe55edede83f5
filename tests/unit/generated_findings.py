"""One day of findings built in code, for the display tests: our collapsing GMV judged by rules (cold
start), a rival's four price cuts grouped under one finding, a stock-out running since 11-02, a refund
jump and a DSR dip without a money measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopops.analysis.anomalies.finding import COLD_START, Finding, grouped

DAY = dt.date(2026, 11, 11)


def finding(
    shop: str,
    metric: str,
    label: str,
    severity: str,
    impact: float | None,
    *,
    value: float | None = None,
    expected_low: float | None = None,
    expected_high: float | None = None,
    provisional: bool = False,
    **extra: Any,
) -> Finding:
    return Finding(
        DAY,
        shop,
        metric,
        label,
        value,
        expected_low,
        expected_high,
        severity,
        provisional,
        "rule",
        "down",
        impact=impact,
        **extra,
    )


def price_cuts(shop: str, impacts: list[float]) -> Finding:
    children = [
        finding(
            shop,
            "rival_price",
            "竞品降价",
            "warning",
            impact,
            value=59.0,
            expected_low=76.0,
            expected_high=89.0,
            item=f"R{n:06d}",
            context="双11",
            explanation=f"商品 R{n:06d} 价格 89.00 → 59.00（−34%）",
        )
        for n, impact in enumerate(impacts, start=1)
    ]
    return grouped(
        children,
        metric_label="竞品降价",
        explanation=f"{shop} 双11 降价 {len(children)} 件，中位降幅 −32%",
    )


def day_of_findings() -> list[Finding]:
    return [
        finding(
            "小野家居",
            "dsr_description",
            "描述相符",
            "info",
            None,
            value=4.71,
            expected_low=4.8,
            expected_high=4.9,
            explanation="描述相符 4.71，平时约 4.85",
        ),
        finding(
            "小野家居",
            "refund_amount",
            "成功退款金额",
            "warning",
            800.0,
            value=1200.0,
            expected_low=100.0,
            expected_high=400.0,
            explanation="成功退款金额 ¥1,200，平时约 ¥250",
            provisional=True,
        ),
        price_cuts("自然堂", [3000.0, 2000.0, 1000.0, 500.0]),
        finding(
            "云朵旗舰店",
            "gmv",
            "支付金额",
            "critical",
            12163.0,
            value=342.0,
            expected_low=8000.0,
            expected_high=14000.0,
            basis=COLD_START.format(weeks=4),
            explanation="支付金额 ¥342，前一天 ¥12,505（−97.3%）",
        ),
        finding(
            "云朵旗舰店",
            "gmv",
            "单品断销·纯棉短袖T恤 黑色 M",
            "warning",
            1200.0,
            value=0.0,
            expected_low=800.0,
            expected_high=1600.0,
            item="YD-TS-BLK-M",
            since=dt.date(2026, 11, 2),
            explanation="单品「纯棉短袖T恤 黑色 M」已连续 10 天支付金额为 0",
        ),
    ]
