"""The figures of a live room's board, and the interval metrics made from them (口径, written once).

A board (千川/罗盘 直播大屏) shows **counters** — totals since the session began, read again at every
snapshot — and **gauges** — a value at the moment (在线人数) or the board's own whole-session ratio.
Counters become interval deltas; gauges are taken as they are; an interval's ratios are recomputed
from its deltas (next-batch-research §6.2), never averaged from the board's ratios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Counters that only grow during a session: one that falls means the board restarted counting.
MONOTONIC = (
    "gmv",
    "orders",
    "user_paid",
    "spend",
    "exposures",
    "viewers",
    "product_exposures",
    "product_clicks",
    "new_fans",
    "comments",
    "shares",
    "refund_1h_orders",
    "refund_1h_amount",
    "room_refund_amount",
)
# Net counters fall when an order is refunded: a lower value is a refund, not a restart.
NET = ("net_gmv", "net_orders")
COUNTERS = MONOTONIC + NET
GAUGES = ("online_viewers", "avg_stay_seconds", "board_gpm", "board_view_to_order")
FIELDS = COUNTERS + GAUGES
MONEY = frozenset(
    {"gmv", "net_gmv", "user_paid", "spend", "refund_1h_amount", "room_refund_amount", "board_gpm"}
)
COUNTS = frozenset(set(COUNTERS) - MONEY) | {"online_viewers"}

LABELS = {
    "gmv": "成交金额",
    "orders": "成交订单",
    "net_gmv": "净成交金额",
    "net_orders": "净成交订单",
    "user_paid": "用户实付",
    "spend": "消耗",
    "exposures": "曝光次数",
    "viewers": "观看人数",
    "product_exposures": "商品曝光",
    "product_clicks": "商品点击",
    "new_fans": "新增粉丝",
    "comments": "评论",
    "shares": "分享",
    "refund_1h_orders": "1小时内退款订单",
    "refund_1h_amount": "1小时内退款金额",
    "room_refund_amount": "直播间退款金额",
    "online_viewers": "在线人数",
    "avg_stay_seconds": "平均停留（秒）",
    "board_gpm": "GPM（大屏整场）",
    "board_view_to_order": "观看成交转化率（大屏整场）",
}

Unit = Literal["ratio", "money", "number"]


@dataclass(frozen=True)
class IntervalMetric:
    """A ratio of two deltas of one interval (or of a window of intervals: sums first, then divide)."""

    key: str
    label: str
    numerator: str
    denominator: str
    unit: Unit
    scale: int  # GPM is per 1,000 viewers
    formula: str  # the 口径, as the outputs name it


RATIOS = (
    IntervalMetric(
        "entry_rate", "进入率", "viewers", "exposures", "ratio", 1, "Δ观看人数 ÷ Δ曝光次数（曝光观看率）"
    ),
    IntervalMetric(
        "product_click_rate",
        "商品点击率",
        "product_clicks",
        "product_exposures",
        "ratio",
        1,
        "Δ商品点击 ÷ Δ商品曝光",
    ),
    IntervalMetric(
        "click_to_order_rate",
        "点击-成交率",
        "orders",
        "product_clicks",
        "ratio",
        1,
        # Gross orders: the net count falls with refunds of earlier orders, so an interval's net can be < 0.
        "Δ成交订单 ÷ Δ商品点击（整体成交订单，不用净成交：净成交会因更早订单退款而为负）",
    ),
    IntervalMetric(
        "view_to_order_rate", "观看-成交率", "orders", "viewers", "ratio", 1, "Δ成交订单 ÷ Δ观看人数"
    ),
    IntervalMetric("gpm", "GPM", "gmv", "viewers", "money", 1000, "Δ成交金额 ÷ Δ观看人数 × 1000"),
    IntervalMetric("roi", "ROI", "gmv", "spend", "number", 1, "Δ成交金额 ÷ Δ消耗（整体支付ROI）"),
    IntervalMetric("net_roi", "净成交ROI", "net_gmv", "spend", "number", 1, "Δ净成交金额 ÷ Δ消耗"),
    IntervalMetric("order_cost", "成交订单成本", "spend", "orders", "money", 1, "Δ消耗 ÷ Δ成交订单"),
    IntervalMetric(
        "refund_1h_rate",
        "1小时内退款率",
        "refund_1h_amount",
        "gmv",
        "ratio",
        1,
        "Δ1小时内退款金额 ÷ Δ成交金额",
    ),
)
RATIO_BY_KEY = {metric.key: metric for metric in RATIOS}
