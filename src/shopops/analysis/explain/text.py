"""Number phrases of the Chinese explanation texts: −18.2%, −0.40pp, ¥8,600, 6.0 倍."""

from __future__ import annotations

from decimal import Decimal

MINUS = "−"
FACTOR_LABELS = {
    "visitors": "访客",
    "conversion_rate": "转化率",
    "aov": "客单价",
    "buyers": "买家数",
    "paid_orders": "订单数",
    "order_value": "笔单价",
    "units": "件数",
    "unit_price": "件单价",
}
MONEY_FACTORS = ("aov", "order_value", "unit_price")  # shown as ¥; conversion_rate as %, the rest as counts
SPLIT_LABELS = {
    "traffic": "访客 × 转化率 × 客单价",
    "orders": "订单数 × 笔单价",
    "units": "件数 × 件单价",
    "buyers": "买家数 × 客单价",
}
MEASURE_LABELS = {"visitors": "访客", "buyers": "买家", "paid_orders": "订单", "units": "件数"}


def signed(text: str, negative: bool) -> str:
    return f"{MINUS}{text}" if negative else f"+{text}"


def percent(value: float) -> str:
    """A relative change: +12.5% / −18.2%."""
    return signed(f"{abs(value) * 100:.1f}%", value < 0)


def share(value: float) -> str:
    """A share of a total change, whole percent: −70%."""
    return signed(f"{abs(value) * 100:.0f}%", value < 0)


def points(value: float) -> str:
    """A change of a ratio in percentage points: −0.40pp, +2.1pp."""
    pp = abs(value) * 100
    return signed(f"{pp:.1f}pp" if pp >= 1 else f"{pp:.2f}pp", value < 0)


def ratio_text(value: float) -> str:
    return f"{value * 100:.2f}%"


def money(value: float | Decimal) -> str:
    amount = float(value)
    text = f"¥{abs(amount):,.0f}" if abs(amount) >= 100 else f"¥{abs(amount):,.2f}"
    return f"{MINUS}{text}" if amount < 0 else text


def signed_money(value: float | Decimal) -> str:
    amount = float(value)
    return signed(money(abs(amount)), amount < 0)


def count(value: float) -> str:
    return f"{value:,.0f}"


def times(value: float) -> str:
    return f"{value:.1f} 倍"
