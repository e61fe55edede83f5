"""One scale shop's warehouse rows, drawn with numpy in the shapes of :func:`shopops.demo.simulation.simulate`.

``simulate`` builds a Python object per order and line: about 44,000 order lines a second on this
machine, so 10^7 lines would take some 4 minutes of drawing and as long again to turn the objects
into columns. Here the same draws are made a whole shop at a time with numpy, in the same order of
decisions and with the same probabilities and constants (the demo's WEEKDAY, ``promo_factor``, stock-out
and 淘客 spike days, PROVINCES): visitors and conversion per day, 5 % of buyers paying twice, one
unpaid order per 12 buyers, 20 % of orders with two lines, 15 % of lines with two units, postage
under 99 元, 7 % of paid orders asking for a refund 1–5 days later (60 % in full, 75 % of them
successful, 15 % closed, the rest pending), ad plans per channel with the profile's spend and ROI.
The random streams differ from ``simulate``'s (numpy, not ``random.Random``), so the figures are
not the demo's figures — only its patterns. Money is drawn in integer cents.

Planted anomalies and refund surges (the demo's findings) are left out: a query benchmark wants the
plain patterns. Every frame is in the warehouse's column names; money columns hold integer cents
(:data:`MONEY` names them) and the writer turns them into DECIMAL(18, 2) inside DuckDB.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from shopops.demo.simulation import (
    PROVINCES,
    WEEKDAY,
    ShopProfile,
    affiliate_spike_day,
    promo_factor,
    stock_out_days,
)

# The importer keeps a province's short name ("广东省 深圳市 南山区" → 广东).
SHORT_PROVINCES = ("浙江", "上海", "广东", "北京", "江苏", "四川", "新疆", "西藏", "内蒙古", "湖南")
assert len(SHORT_PROVINCES) == len(PROVINCES)
REASONS = ("尺码不合适", "不想要了", "质量问题", "与商品描述不符", "发错货", "七天无理由退换货")
REFUND_SUCCESS, REFUND_CLOSED, REFUND_PENDING = "退款成功", "退款关闭", "买家已经申请退款，等待卖家同意"
SUBJECT = "全店商品"
DAY_SECONDS = 86_400
EPOCH = dt.date(1970, 1, 1)
# The column of each table that holds money, in integer cents in the frames.
MONEY = {
    "orders": ("total_amount", "paid_amount", "postage", "refund_amount"),
    "order_lines": ("price", "paid_amount"),
    "refunds": ("paid_amount", "refund_amount"),
    "sycm_shop_day": (
        "gmv",
        "aov",
        "ad_spend_keyword",
        "ad_spend_display",
        "ad_spend_smart",
        "ad_spend_fullsite",
        "affiliate_commission",
        "refund_amount",
    ),
    "ad_plan_day": ("spend", "ad_gmv"),
    "affiliate_day": ("commission", "referred_gmv", "settled_amount"),
    "product_master": ("list_price", "cost_price"),
}
# Per order: paid orders per buyer and lines per order on average (for sizing a shop).
ORDERS_PER_BUYER = 1.05 + 1 / 12
LINES_PER_ORDER = 1.2


CHANNEL_COLUMNS = ("keyword", "display", "smart", "fullsite")  # 生意参谋 店铺整体's spend columns


@dataclass(frozen=True)
class ShopTruth:
    """Totals of one shop counted from the drawn arrays: paid orders, by payment date."""

    gmv_cents: int
    paid_orders: int
    units: int
    orders: int
    order_lines: int
    refunds: int


@dataclass(frozen=True)
class ShopRows:
    tables: dict[str, pl.DataFrame]  # warehouse table → this shop's rows, without shop/import_id/source_row
    dates: dict[str, tuple[dt.date | None, dt.date | None]]  # table → its import's date range
    truth: ShopTruth


@dataclass(frozen=True)
class _Orders:
    day: np.ndarray  # day index from the start
    paid: np.ndarray
    counter: np.ndarray
    order_id: pl.Series
    buyer: pl.Series
    paid_ts: np.ndarray  # epoch seconds (also drawn for unpaid orders, then left out)
    created: np.ndarray
    total: np.ndarray  # cents, lines + postage
    postage: np.ndarray
    quantity: np.ndarray
    province: np.ndarray
    first_line: np.ndarray
    lines: np.ndarray


@dataclass(frozen=True)
class _Lines:
    order: np.ndarray  # index of the line's order
    line_id: pl.Series
    sku: np.ndarray  # index into the profile's SKUs
    price: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray


def day_factors(start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per day: the demo's traffic factor without its noise (weekday × trend × promotion), and the promotion."""
    index = np.arange(days)
    weekday = np.array(WEEKDAY)[(start.weekday() + index) % 7]
    promo = np.array([promo_factor(start + dt.timedelta(days=int(i))) for i in index])
    return weekday * (1 + 0.0008 * index) * promo, promo


def _money(values: np.ndarray) -> np.ndarray:
    """Yuan → cents, half up like ``simulation.money`` (every amount drawn here is ≥ 0)."""
    return np.floor(values * 100 + 0.5).astype(np.int64)


def _seconds(day_index: np.ndarray | int, start: dt.date) -> np.ndarray:
    return (np.asarray(day_index, dtype=np.int64) + (start - EPOCH).days) * DAY_SECONDS


def _timestamp(seconds: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    stamps = pl.from_epoch(pl.Series(seconds, dtype=pl.Int64), time_unit="s")
    if valid is None:
        return stamps
    return pl.select(pl.when(pl.lit(pl.Series(valid))).then(pl.lit(stamps))).to_series()


def _dates(day_index: np.ndarray, start: dt.date) -> pl.Series:
    return pl.Series(day_index.astype(np.int32) + (start - EPOCH).days, dtype=pl.Int32).cast(pl.Date)


def _pick(values: tuple[str, ...] | list[str], index: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(index)


def _text(values: np.ndarray, width: int = 0) -> pl.Series:
    text = pl.Series(values, dtype=pl.Int64).cast(pl.String)
    return text.str.zfill(width) if width else text


def shop_rows(profile: ShopProfile, shop_index: int, start: dt.date, days: int, seed: int) -> ShopRows:
    """Every warehouse row of one shop over ``days`` days from ``start`` (deterministic per seed and index)."""
    rng = np.random.default_rng([seed, shop_index])
    expected, promo = day_factors(start, days)
    factor = expected * rng.uniform(0.92, 1.08, days)
    visitors = np.maximum(1, (profile.visitors * factor).astype(np.int64))
    conversion = profile.conversion * np.where(promo > 1.4, 1.15, 1.0) * rng.uniform(0.9, 1.1, days)
    buyers = np.maximum(1, np.round(visitors * conversion)).astype(np.int64)
    orders, lines = _draw_orders(rng, profile, shop_index, start, days, buyers)
    refunds, refunded, refund_days = _refunds(rng, profile, shop_index, start, days, orders, lines)
    paid = orders.paid
    titles = _pick([s.title for s in profile.skus], lines.sku)
    status = np.where(
        paid,
        np.where(refunded >= orders.total, "交易关闭", "交易成功"),
        # an unpaid order's status by the parity of its number, as the demo's export writes it
        np.where(orders.counter % 2 == 1, "等待买家付款", "交易关闭"),
    )
    order_frame = pl.DataFrame(
        {
            "order_id": orders.order_id,
            "buyer": orders.buyer,
            "status": pl.Series(status, dtype=pl.String),
            "created_at": _timestamp(orders.created),
            "paid_at": _timestamp(orders.paid_ts, paid),
            "total_amount": orders.total,
            "paid_amount": np.where(paid, orders.total - refunded, 0),
            "postage": orders.postage,
            "refund_amount": refunded,
            "quantity": orders.quantity,
            "province": _pick(SHORT_PROVINCES, orders.province),
            "title": titles.gather(orders.first_line),
        }
    )
    line_paid = paid[lines.order]
    line_frame = pl.DataFrame(
        {
            "line_id": lines.line_id,
            "order_id": orders.order_id.gather(lines.order),
            "title": titles,
            "price": lines.price,
            "quantity": lines.quantity,
            "sku_code": _pick([s.code for s in profile.skus], lines.sku),
            "item_id": _pick([s.item_id for s in profile.skus], lines.sku),
            "status": pl.Series(np.where(line_paid, "交易成功", "等待买家付款"), dtype=pl.String),
            "paid_amount": np.where(line_paid, lines.amount, 0),
            "created_at": _timestamp(orders.created[lines.order]),
            "paid_at": _timestamp(orders.paid_ts[lines.order], line_paid),
        }
    )
    day_index = np.arange(days)
    paid_day = orders.day[paid]
    paid_lines = line_paid.nonzero()[0]
    line_day = orders.day[lines.order[paid_lines]]
    gmv = np.bincount(paid_day, weights=orders.total[paid], minlength=days).round().astype(np.int64)
    units = np.bincount(line_day, weights=lines.quantity[paid_lines], minlength=days).round().astype(np.int64)
    ads, spend = _ads(rng, profile, start, days, factor)
    spike = (affiliate_spike_day(start, days) - start).days
    affiliate = _money(
        profile.affiliate * factor * rng.uniform(0.8, 1.2, days) * np.where(day_index == spike, 6, 1)
    )
    null_money = pl.Series([None] * days, dtype=pl.Int64)
    sycm = pl.DataFrame(
        {
            "date": _dates(day_index, start),
            "visitors": visitors,
            "pageviews": visitors * 3 + rng.integers(0, visitors + 1),
            "buyers": buyers,
            "gmv": gmv,
            "paid_orders": np.bincount(paid_day, minlength=days),
            "paid_sub_orders": np.bincount(line_day, minlength=days),
            "units": units,
            "conversion_rate": np.round(buyers / visitors, 4),
            "aov": np.round(gmv / buyers).astype(np.int64),
            **{f"ad_spend_{c}": pl.Series(spend[c]) if c in spend else null_money for c in CHANNEL_COLUMNS},
            "affiliate_commission": affiliate,
            "refund_amount": refund_days,
            **_dsr(rng, days),
        }
    )
    affiliate_frame = pl.DataFrame(
        {
            "date": _dates(day_index, start),
            "clicks": visitors // 20,
            "commission": affiliate,
            "referred_gmv": affiliate * 12,
            "settled_amount": affiliate * 11,
        }
    )
    end = start + dt.timedelta(days=days - 1)
    completed = refunds["completed_at"].drop_nulls().dt.date()
    # the 退款管理 import's range is that of 退款完结时间, as the importer takes it
    refund_dates: tuple[dt.date | None, dt.date | None] = (None, None)
    if len(completed):
        refund_dates = (completed.min(), completed.max())  # type: ignore[assignment]
    return ShopRows(
        tables={
            "orders": order_frame,
            "order_lines": line_frame,
            "refunds": refunds,
            "sycm_shop_day": sycm,
            "ad_plan_day": ads,
            "affiliate_day": affiliate_frame,
            "product_master": _products(profile, start + dt.timedelta(days=days // 2)),
        },
        dates={
            "orders": (start, end),
            "order_lines": (start, end),
            "refunds": refund_dates,
            "sycm_shop_day": (start, end),
            "ad_plan_day": (start, end),
            "affiliate_day": (start, end),
            "product_master": (None, None),
        },
        truth=ShopTruth(
            gmv_cents=int(gmv.sum()),
            paid_orders=int(paid.sum()),
            units=int(units.sum()),
            orders=len(order_frame),
            order_lines=len(line_frame),
            refunds=len(refunds),
        ),
    )


def _draw_orders(
    rng: np.random.Generator,
    profile: ShopProfile,
    shop_index: int,
    start: dt.date,
    days: int,
    buyers: np.ndarray,
) -> tuple[_Orders, _Lines]:
    """Orders in the demo's sequence (per day the buyers' paid orders, then the unpaid ones) and their lines."""
    n_buyers = int(buyers.sum())
    buyer_day = np.repeat(np.arange(days), buyers)
    buyer_no = np.arange(n_buyers) - np.repeat(np.cumsum(buyers) - buyers, buyers)
    per_buyer = 1 + (rng.random(n_buyers) < 0.05)
    unpaid = np.maximum(1, buyers // 12)
    n_paid, n_unpaid = int(per_buyer.sum()), int(unpaid.sum())
    day = np.concatenate([np.repeat(buyer_day, per_buyer), np.repeat(np.arange(days), unpaid)])
    paid = np.concatenate([np.ones(n_paid, bool), np.zeros(n_unpaid, bool)])
    numbers = np.concatenate([np.repeat(buyer_no, per_buyer), np.zeros(n_unpaid, np.int64)])
    sequence = np.argsort(day * 2 + ~paid, kind="stable")
    day, paid, numbers = day[sequence], paid[sequence], numbers[sequence]
    n = len(day)
    counter = np.arange(1, n + 1, dtype=np.int64)
    paid_ts = _seconds(day, start) + rng.integers(0, DAY_SECONDS, n)
    # str(3_000_000_000_000_000_000 + shop_index * 10**15 + counter * 7) as the demo numbers orders,
    # built as text because it does not fit an int64
    order_id = f"3000{shop_index:03d}" + _text(counter * 7, 15)
    buyer = pl.select(
        pl.when(pl.lit(pl.Series(paid)))
        .then(pl.lit(f"tb_{shop_index}" + _text(day, 4) + _text(numbers, 4)))
        .otherwise(pl.lit("tb_u" + _text(counter)))
    ).to_series()
    n_lines = 1 + (rng.random(n) >= 0.8)
    first = np.cumsum(n_lines) - n_lines
    line_order = np.repeat(np.arange(n), n_lines)
    position = np.arange(len(line_order)) - first[line_order]
    out_first, out_last = ((d - start).days for d in stock_out_days(start, days))
    line_day = day[line_order]
    out = ((line_day >= out_first) & (line_day <= out_last)).astype(np.int64)  # the bestseller (first SKU)
    sku = (rng.random(len(line_order)) * (len(profile.skus) - out)).astype(np.int64) + out
    quantity = 1 + (rng.random(len(line_order)) < 0.15).astype(np.int64)
    prices = np.array([int(s.price * 100) for s in profile.skus], dtype=np.int64)
    amount = prices[sku] * quantity
    subtotal = np.add.reduceat(amount, first)
    postage = np.where(subtotal >= 9_900, 0, 800)
    orders = _Orders(
        day=day,
        paid=paid,
        counter=counter,
        order_id=order_id,
        buyer=buyer,
        paid_ts=paid_ts,
        created=paid_ts - rng.integers(5, 901, n),
        total=subtotal + postage,
        postage=postage,
        quantity=np.add.reduceat(quantity, first),
        province=rng.integers(0, len(PROVINCES), n),
        first_line=first,
        lines=n_lines,
    )
    line_id = order_id.gather(line_order) + _text(position + 1)
    return orders, _Lines(line_order, line_id, sku, prices[sku], quantity, amount)


def _refunds(
    rng: np.random.Generator,
    profile: ShopProfile,
    shop_index: int,
    start: dt.date,
    days: int,
    orders: _Orders,
    lines: _Lines,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """退款管理 rows; per order the successful refund; per day the amount refunded (completion date)."""
    asked = (orders.paid & (rng.random(len(orders.day)) < 0.07)).nonzero()[0]
    m = len(asked)
    counter = np.arange(1, m + 1, dtype=np.int64)
    applied = orders.paid_ts[asked] + rng.integers(1, 6, m) * DAY_SECONDS + rng.integers(0, 601, m) * 60
    full = (rng.random(m) < 0.6) | ((orders.lines[asked] == 1) & (orders.postage[asked] == 0))
    first = orders.first_line[asked]
    amount = np.where(full, orders.total[asked], lines.amount[first])
    outcome = rng.random(m)
    completed = applied + rng.integers(0, 5, m) * DAY_SECONDS + rng.integers(1, 21, m) * 3600
    after_end = _seconds(days, start)
    done = completed < after_end
    success = (outcome < 0.75) & done
    closed = ~success & (outcome < 0.9) & done
    reasons = rng.integers(0, len(REASONS), m)
    kept = applied < after_end  # asked after the last day: not in the export yet
    won = kept & success
    refunded = np.zeros(len(orders.day), np.int64)
    refunded[asked[won]] = amount[won]
    completed_day = (completed[won] // DAY_SECONDS) - (start - EPOCH).days
    by_day = np.bincount(completed_day, weights=amount[won], minlength=days)[:days].round().astype(np.int64)
    status = np.where(success, REFUND_SUCCESS, np.where(closed, REFUND_CLOSED, REFUND_PENDING))
    sku = lines.sku[first]
    frame = pl.DataFrame(
        {
            "refund_id": _text(2_100_000_000_000_000 + shop_index * 10**13 + counter),
            "order_id": orders.order_id.gather(asked),
            "paid_at": _timestamp(orders.paid_ts[asked]),
            "applied_at": _timestamp(applied),
            "completed_at": _timestamp(completed, success | closed),
            "paid_amount": orders.total[asked],
            "refund_amount": amount,
            "status": pl.Series(status, dtype=pl.String),
            "reason": _pick(REASONS, reasons),
            "sku_code": _pick([s.code for s in profile.skus], sku),
            "title": _pick([s.title for s in profile.skus], sku),
        }
    ).filter(pl.Series(kept))
    return frame, refunded, by_day


def _ads(
    rng: np.random.Generator, profile: ShopProfile, start: dt.date, days: int, factor: np.ndarray
) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    """Plan rows per channel and day (spend, clicks, 成交 at the channel's ROI) and the spend per channel."""
    frames = []
    spend_by_channel: dict[str, np.ndarray] = {}
    dates = _dates(np.arange(days), start)
    for channel, (plans, per_plan, roi) in profile.channels.items():
        total = np.zeros(days, np.int64)
        for plan in range(1, plans + 1):
            spend = _money(per_plan * factor**0.5 * rng.uniform(0.7, 1.3, days))
            clicks = np.maximum(1, (spend / 100 / rng.uniform(0.6, 1.8, days)).astype(np.int64))
            name = f"{channel}-计划{plan}"
            frames.append(
                pl.DataFrame(
                    {
                        "date": dates,
                        "channel": pl.Series([channel] * days, dtype=pl.String),
                        "plan_id": pl.Series([str(zlib.crc32(name.encode()))] * days, dtype=pl.String),
                        "plan_name": pl.Series([name] * days, dtype=pl.String),
                        "subject_name": pl.Series([SUBJECT] * days, dtype=pl.String),
                        "impressions": clicks * rng.integers(15, 41, days),
                        "clicks": clicks,
                        "spend": spend,
                        "ad_gmv": _money(spend / 100 * roi * rng.uniform(0.6, 1.4, days)),
                        "ad_orders": (clicks * 0.03).astype(np.int64),
                    }
                )
            )
            total += spend
        spend_by_channel[channel] = total
    return pl.concat(frames).sort("date", maintain_order=True), spend_by_channel


def _dsr(rng: np.random.Generator, days: int) -> dict[str, pl.Series]:
    """The three DSR scores' random walk between 4.5 and 5; the middle day shows "-" (unknown)."""
    steps = rng.uniform(-0.01, 0.01, (days, 3))
    walk = np.empty((days, 3))
    current = np.array([4.82, 4.85, 4.79])
    for day in range(days):
        current = np.clip(current + steps[day], 4.5, 5.0)
        walk[day] = current
    known = np.arange(days) != days // 2
    return {
        name: pl.select(
            pl.when(pl.lit(pl.Series(known))).then(pl.lit(pl.Series(np.round(walk[:, k], 4))))
        ).to_series()
        for k, name in enumerate(("dsr_description", "dsr_service", "dsr_logistics"))
    }


def _products(profile: ShopProfile, change_day: dt.date) -> pl.DataFrame:
    """商品资料: a version per SKU, and a second from ``change_day`` where the supplier raised the cost."""
    rows: list[tuple[str, str, str, int, int | None, dt.date]] = []
    for sku in profile.skus:
        versions = [(sku.cost, dt.date(2000, 1, 1))]
        if sku.new_cost is not None:
            versions.append((sku.new_cost, change_day))
        for cost, cost_from in versions:
            cents = None if cost is None else int(cost * 100)
            rows.append((sku.code, sku.title, sku.item_id, int(sku.price * 100), cents, cost_from))
    return pl.DataFrame(
        rows,
        schema={
            "sku": pl.String,
            "name": pl.String,
            "item_id": pl.String,
            "list_price": pl.Int64,
            "cost_price": pl.Int64,
            "cost_from": pl.Date,
        },
        orient="row",
    )
