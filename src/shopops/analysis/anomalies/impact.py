"""Money at stake (涉及金额, 元): what ranks findings — how far the day is from a usual one, in money.

- a money figure (支付金额, 退款金额, 花费, 利润 …): its distance from the usual value;
- a share of 支付金额 (退款率): the distance in points × the day's 支付金额;
- a rate over money (ROI = 推广成交 / 花费): the distance × the day's 花费;
- any other count or rate (访客数, 转化率, 客单价 …): its relative distance × a usual day's 支付金额
  (the sales that move with it, all else equal);
- 退款单量: the day's 退款金额 in proportion to the orders above usual;
- a score (DSR): none — ranked after the findings with money, by severity.
A rule that knows better (退款率 above its threshold, ROI short of break-even) gives its own.
"""

from __future__ import annotations

from shopops.analysis.anomalies.rules import Hit
from shopops.analysis.anomalies.series import ShopSeries
from shopops.metrics.catalog import Catalog, formula_names


def money_at_stake(catalog: Catalog, series: ShopSeries, hit: Hit) -> float | None:
    if hit.impact is not None:
        return abs(hit.impact)
    metric = catalog.metrics.get(hit.metric)
    if metric is None or metric.unit == "score" or hit.value is None or hit.center is None:
        return None
    gap = abs(hit.value - hit.center)
    if metric.unit == "money" and "/" not in metric.formula:
        return gap
    if hit.metric == "refund_orders":  # the refunded money of the orders above (below) usual
        amount = series.value("refund_amount", hit.index)
        return None if amount is None or not hit.value else amount * min(1.0, gap / hit.value)
    denominator = metric.formula.rsplit("/", 1)[-1].strip() if "/" in metric.formula else ""
    if metric.unit == "ratio" and denominator in formula_names(metric.formula) and _money(denominator):
        per = series.value(denominator, hit.index)
        return None if per is None else gap * per
    if not hit.center:
        return None
    usual_sales = series.typical("gmv", hit.index) or series.value("gmv", hit.index)
    return None if not usual_sales else gap / abs(hit.center) * usual_sales


def _money(key: str) -> bool:
    return key == "gmv" or "spend" in key
