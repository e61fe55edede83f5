"""The checks that could not run, said in one line each: which shop, which metric, why.

A findings list that is empty because nothing was checked must not read like "all is well": a
shop with three weeks of history has no same-weekday baseline, an order export has no 访客数 for the
转化率 rule. `shopops findings` prints these lines after the findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopops.analysis.anomalies.series import ShopSeries

# Checks that need data a shop may not have: label → the figures they read (any of them known = runs).
NEEDS: dict[str, tuple[str, ...]] = {
    "转化率": ("visitors",),
    "退款": ("refund_amount", "refund_orders"),
    "推广 ROI": ("ad_spend",),
    "淘客佣金": ("affiliate_commission",),
    "DSR": ("dsr_description", "dsr_service", "dsr_logistics"),
}


@dataclass(frozen=True)
class SkippedCheck:
    """A check that could not run: which shop, which metric (label), why — said in one line."""

    shop: str
    metric: str
    reason: str

    def text(self) -> str:
        return f"{self.shop} · {self.metric}：{self.reason}"


def skipped_checks(series: ShopSeries, days: Sequence[int]) -> list[SkippedCheck]:
    """For one shop over the window ``days``: what had too little history, and what had no data."""
    known = [i for i in days if series.value("gmv", i) is not None]
    if not known:
        return [SkippedCheck(series.shop, "全部指标", "这段时间没有数据")] if days else []
    found = []
    blind = [i for i in known if series.typical("gmv", i) is None]
    if blind:
        first = next(d for d, r in zip(series.dates, series.rows, strict=True) if r.get("gmv") is not None)
        weeks = series.settings.min_weeks
        span = _span(series, blind)
        found.append(
            SkippedCheck(
                series.shop,
                "同星期基线、单品",
                f"历史不足 {weeks} 周（最早数据 {first:%Y-%m-%d}），{span} 按规则判断（环比、近期水平、零销售、无数据）",
            )
        )
    missing = [
        label
        for label, keys in NEEDS.items()
        if not any(np.isfinite(series.array(k)[list(known)]).any() for k in keys)
    ]
    if missing:
        found.append(SkippedCheck(series.shop, "、".join(missing), "没有这些数据（未导入相应报表）"))
    return found


def _span(series: ShopSeries, indexes: Sequence[int]) -> str:
    first, last = series.dates[indexes[0]], series.dates[indexes[-1]]
    return f"{first:%m-%d}" if first == last else f"{first:%m-%d}…{last:%m-%d}"
