"""The demo Douyin room's 直播大屏, minute by minute: what happened in each minute of a session (the
generator's own increments), which readings the capture tool took, and the truth made from them.

Each minute ``m`` of a session (the stretch S+m-1 … S+m, S = ``started_at``) has its increments —
成交金额 and 订单 from a funnel (曝光 → 观看 → 商品曝光 → 点击 → 成交) with the anchor on air and the
product of the run order — and the gauges at S+m (在线人数 …). A reading shows the counters summed
up to a minute: normally its own, but a page that did not refresh shows an earlier one (``shows``).

The truth is computed here from the increments and the readings' design, never from the written
cells nor by ShopOps' own code: an interval runs between two readings that show new minutes, its
deltas are the increments of the minutes between, its 在线人数 the gauge of its last minute.

The room is busier than the demo's 罗盘 workbook and 抖店 orders of the same sessions (×``SCALE``
viewers): on the 罗盘's scale the room sells one order every other minute, too few for a minute-level
replay to show a sold-out product or a spend burst.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shopops.demo.douyin import PRODUCTS, Session, anchor_slots
from shopops.demo.simulation import money

SCALE = 5
MINUTES = 180  # a demo session runs three hours
RUN_ORDER = (0, 1, 2, 0, 1, 0)  # PRODUCTS, one per 30 minutes: the third (红薯干) sells out
RUN_MINUTES = 30
# The replay's designed events, in minutes from S (an event "a..b" changes the minutes a+1 … b).
FIRST_READING = 2  # the first reading already counts the opening minutes (开场累计)
SOLD_OUT_AT = 75  # the third product of the run order (S+60..S+90) sells out
SOLD_OUT_SHARE = 0.2  # 商品点击-成交 while it is on air, sold out
BURST = (100, 130)  # 千川 spend per minute × BURST_FACTOR
BURST_FACTOR = Decimal("2.2")
STALE = (120, 123)  # readings that repeat the one before (the page did not refresh)
CLIFF_AT, CLIFF_RECOVERED = 140, 148  # 在线人数 halves, then climbs back
GAP = (150, 157)  # no readings at all
REFUND_SPIKE = (165, 170)  # 1小时内退款 grows by REFUND_SHARE of the stretch's 成交金额
REFUND_SHARE = Decimal("0.25")
DUPLICATE = 31  # the reading written twice
SWAPPED = (61, 62)  # two readings written in the wrong order
EARLIER_STEP = 5  # earlier sessions: a reading every five minutes
# The plan's hourly weights; the room's 千川 bid follows the budget's (its usual spend per hour).
TARGET_WEIGHTS = (30, 35, 35)  # % of the session's GMV target per hour
BUDGET_WEIGHTS = (25, 35, 40)  # % of its 千川 budget per hour: the peak comes late
ORDER_VALUE = 91  # the room's usual 成交金额 per order (the run order's prices, 1.2 items an order)

# Counters of the board (ShopOps' names where it reads them) and the ones only written.
COUNTERS = (
    "gmv", "orders", "net_gmv", "net_orders", "user_paid", "spend", "exposures", "viewers",
    "product_exposures", "product_clicks", "new_fans", "comments", "shares", "refund_1h_orders",
    "refund_1h_amount", "room_refund_amount", "room_refund_orders", "coupon", "subsidy", "tips",
)  # fmt: skip
MONEY = frozenset(
    {"gmv", "net_gmv", "user_paid", "spend", "refund_1h_amount", "room_refund_amount", "coupon", "subsidy"}
)
# What the manifest gives per interval (as ``{name}_delta``) and per session (the totals).
INTERVAL_DELTAS = (
    "gmv", "orders", "spend", "viewers", "exposures", "product_clicks", "net_gmv", "refund_1h_amount",
)  # fmt: skip
TOTALS = COUNTERS[:16]


@dataclass(frozen=True)
class Style:
    """An anchor's way of selling: 进入率 (观看 ÷ 曝光), 商品点击率, 点击-成交率."""

    entry: float
    click: float
    convert: float


STYLES = {"小鹿": Style(0.062, 0.210, 0.052), "阿泽": Style(0.056, 0.225, 0.046)}


@dataclass
class Minute:
    minute: int
    anchor: str  # on air during the minute
    product: int  # PRODUCTS index on air
    inc: dict[str, Any]  # COUNTERS → Decimal (money) | int
    online: int  # gauges at S+minute
    stay: int
    likes: float  # 点赞率 (%)


@dataclass(frozen=True)
class Reading:
    at: dt.datetime
    shows: int  # the minute whose counters and gauges the page shows
    anchor: str  # 主播: who is on air at the capture time


@dataclass
class Board:
    session: Session
    replay: bool
    viewers: float = 0.0  # per minute at full traffic
    spend_per_viewer: float = 0.0  # the room's usual 千川 cost
    minutes: list[Minute] = field(default_factory=list)  # minutes[m - 1]
    readings: list[Reading] = field(default_factory=list)  # in time order, each once

    def at(self, minute: int) -> dt.datetime:
        return self.session.started_at + dt.timedelta(minutes=minute)

    def cumulative(self, minute: int) -> dict[str, Any]:
        return self.summed(0, minute)

    def summed(self, after: int, through: int) -> dict[str, Any]:
        """The increments of the minutes after ``after`` up to ``through``."""
        total: dict[str, Any] = {name: Decimal(0) if name in MONEY else 0 for name in COUNTERS}
        for item in self.minutes[after:through]:
            for name in COUNTERS:
                total[name] += item.inc[name]
        return total


def anchor_at(session: Session, moment: dt.datetime) -> str:
    slots = anchor_slots(session)
    for name, begin, until in slots:
        if begin <= moment < until:
            return name
    return slots[-1][0] if moment >= slots[-1][2] else slots[0][0]


def simulate_board(session: Session, seed: int, *, replay: bool) -> Board:
    """The session's minutes and readings (the replay: every minute, with its events)."""
    rng = random.Random(seed * 1_000_003 + int(session.session_id))
    viewers = session.viewers * SCALE / MINUTES  # per minute
    spend_per_viewer = rng.uniform(0.18, 0.26)  # what 千川 costs per viewer: a ROI of 3.5–5
    board = Board(session, replay, viewers, spend_per_viewer)
    stay, noise = session.watch_seconds, 0.0
    refunds: dict[int, list[tuple[Decimal, bool]]] = {}  # minute → (amount, within the hour)
    for m in range(1, MINUTES + 1):
        anchor = anchor_at(session, board.at(m - 1))
        product = RUN_ORDER[min((m - 1) // RUN_MINUTES, len(RUN_ORDER) - 1)]
        style = STYLES[anchor]
        noise = 0.6 * noise + rng.gauss(0, 0.05)
        shape = _shape(m) * (1 + noise)
        cliff = _cliff(m) if replay else 1.0
        burst = replay and BURST[0] < m <= BURST[1]
        sold_out = replay and product == RUN_ORDER[2] and m > SOLD_OUT_AT
        traffic = shape * cliff * (1.2 if burst else 1.0)
        inc: dict[str, Any] = {}
        inc["viewers"] = max(1, round(viewers * traffic))
        inc["exposures"] = round(inc["viewers"] / style.entry * (1 + rng.gauss(0, 0.04)))
        inc["product_exposures"] = round(inc["viewers"] * 0.95 * (1 + rng.gauss(0, 0.04)))
        inc["product_clicks"] = _binomial_approx(rng, inc["product_exposures"], style.click)
        convert = style.convert * (0.9 if burst else 1.0) * (SOLD_OUT_SHARE if sold_out else 1.0)
        inc["gmv"], inc["orders"] = _sales(rng, inc["product_clicks"], convert, product, sold_out, m, refunds)
        inc["coupon"] = money(inc["gmv"] * Decimal("0.03"))
        inc["subsidy"] = money(inc["gmv"] * Decimal("0.015"))
        inc["user_paid"] = inc["gmv"] - inc["coupon"] - inc["subsidy"]
        spend = viewers * shape * spend_per_viewer * _bid(m) * (1 + rng.gauss(0, 0.06))
        inc["spend"] = money(Decimal(str(round(spend, 4))) * (BURST_FACTOR if burst else 1))
        _refund(inc, refunds.get(m, []), spike=replay and REFUND_SPIKE[0] < m <= REFUND_SPIKE[1])
        inc["new_fans"] = _binomial_approx(rng, inc["viewers"], 0.025)
        inc["comments"] = _binomial_approx(rng, inc["viewers"], 0.12)
        inc["shares"] = _binomial_approx(rng, inc["viewers"], 0.008)
        inc["tips"] = rng.choice((0, 0, 0, 1))
        stay = min(
            session.watch_seconds + 8, max(session.watch_seconds - 8, stay + rng.choice((-1, 0, 0, 1)))
        )
        online = round(viewers * traffic * stay / 60 * (1 + rng.gauss(0, 0.03)))
        board.minutes.append(Minute(m, anchor, product, inc, online, stay, round(rng.uniform(3.0, 6.0), 2)))
    board.readings = [
        Reading(board.at(m), _shows(m, replay), anchor_at(session, board.at(m))) for m in _taken(replay)
    ]
    return board


def _sales(
    rng: random.Random,
    clicks: int,
    convert: float,
    product: int,
    sold_out: bool,
    m: int,
    refunds: dict[int, list[tuple[Decimal, bool]]],
) -> tuple[Decimal, int]:
    """The minute's orders (most of the product on air, none of a sold-out one) and their refunds to come."""
    gmv, orders = Decimal(0), 0
    choices = [i for i in range(len(PRODUCTS)) if not (sold_out and i == product)]
    for _ in range(clicks):
        if rng.random() >= convert:
            continue
        chosen = product if product in choices and rng.random() < 0.7 else rng.choice(choices)
        amount = PRODUCTS[chosen][2] * (1 if rng.random() < 0.8 else 2)
        gmv, orders = gmv + amount, orders + 1
        if rng.random() < 0.025:  # refunded within the hour
            refunds.setdefault(m + rng.randint(4, 55), []).append((amount, True))
        elif rng.random() < 0.015:  # refunded later: 直播间退款 only
            refunds.setdefault(m + rng.randint(61, 150), []).append((amount, False))
    return gmv, orders


def _refund(inc: dict[str, Any], due: list[tuple[Decimal, bool]], *, spike: bool) -> None:
    """The refunds of the minute; in the spike, a quarter of the minute's 成交金额 more."""
    hour = [amount for amount, within in due if within]
    late = [amount for amount, within in due if not within]
    refund_1h, refund_orders = sum(hour, Decimal(0)), len(hour)
    gmv, orders = inc["gmv"], inc["orders"]
    if spike and gmv:
        refund_1h += money(gmv * REFUND_SHARE)
        refund_orders += max(1, round(orders * float(REFUND_SHARE)))
    inc["refund_1h_amount"], inc["refund_1h_orders"] = refund_1h, refund_orders
    inc["room_refund_amount"] = refund_1h + sum(late, Decimal(0))
    inc["room_refund_orders"] = refund_orders + len(late)
    inc["net_gmv"] = gmv - inc["room_refund_amount"]
    inc["net_orders"] = orders - inc["room_refund_orders"]


def expected(board: Board) -> tuple[Decimal, Decimal]:
    """What the room usually makes and spends in a session (what a plan is made from): 成交金额, 消耗."""
    gmv = spend = 0.0
    for m in range(1, MINUTES + 1):
        style = STYLES[anchor_at(board.session, board.at(m - 1))]
        viewers = board.viewers * _shape(m)
        gmv += viewers * 0.95 * style.click * style.convert * ORDER_VALUE
        spend += viewers * board.spend_per_viewer * _bid(m)
    return money(gmv), money(spend)


def _shape(m: int) -> float:
    """The room's traffic over a session: it fills in the first ten minutes and thins in the last half hour."""
    return min(1.0, 0.55 + 0.045 * m) * (1 - 0.003 * max(0, m - 150))


def _bid(m: int) -> float:
    return BUDGET_WEIGHTS[min((m - 1) // 60, len(BUDGET_WEIGHTS) - 1)] * len(BUDGET_WEIGHTS) / 100


def _cliff(m: int) -> float:
    if CLIFF_AT <= m < CLIFF_RECOVERED:
        return 0.5 + 0.5 * (m - CLIFF_AT) / (CLIFF_RECOVERED - CLIFF_AT)
    return 1.0


def _binomial_approx(rng: random.Random, n: int, p: float) -> int:
    return max(0, round(n * p + rng.gauss(0, 1) * math.sqrt(n * p * (1 - p))))


def _taken(replay: bool) -> list[int]:
    if not replay:
        return list(range(EARLIER_STEP, MINUTES + 1, EARLIER_STEP))
    return [m for m in range(FIRST_READING, MINUTES + 1) if not GAP[0] <= m <= GAP[1]]


def _shows(m: int, replay: bool) -> int:
    return STALE[0] - 1 if replay and STALE[0] <= m <= STALE[1] else m


# -- the truth ----------------------------------------------------------------------------------


def fresh(readings: Sequence[Reading]) -> list[tuple[Reading, int]]:
    """The readings that show new minutes, each with how many unchanged ones came before it."""
    kept: list[tuple[Reading, int]] = []
    stale = 0
    for reading in readings:
        if kept and reading.shows == kept[-1][0].shows:
            stale += 1
            continue
        kept.append((reading, stale))
        stale = 0
    return kept


def intervals(board: Board) -> list[dict[str, object]]:
    """Each span between two fresh readings: its deltas, the last minute's 在线人数, who was on air."""
    kept = fresh(board.readings)
    step = EARLIER_STEP if not board.replay else 1
    rows: list[dict[str, object]] = []
    for (before, _), (after, stale) in itertools.pairwise(kept):
        deltas = board.summed(before.shows, after.shows)
        on_air = {board.minutes[m - 1].anchor for m in range(before.shows + 1, after.shows + 1)}
        row: dict[str, object] = {"start": before.at.isoformat(), "end": after.at.isoformat()}
        row.update({f"{name}_delta": show(deltas[name]) for name in INTERVAL_DELTAS})
        row["online_viewers"] = board.minutes[after.shows - 1].online
        row["anchor"] = on_air.pop() if len(on_air) == 1 else None
        row["stale"] = stale
        row["gap"] = stale == 0 and (after.at - before.at) > dt.timedelta(minutes=step)
        rows.append(row)
    return rows


def totals(board: Board) -> dict[str, object]:
    """The counters of the last fresh reading: the session so far."""
    last = fresh(board.readings)[-1][0]
    summed = board.cumulative(last.shows)
    return {name: show(summed[name]) for name in TOTALS}


def show(value: Decimal | int) -> str | int:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def events(board: Board) -> dict[str, object]:
    """The replay's designed events: their minutes (ISO) and who or what they involve."""
    at = board.at
    product_id, title, _ = PRODUCTS[RUN_ORDER[2]]
    (first, _, change), (second, _, _) = anchor_slots(board.session)
    refund = next(r.at for r in board.readings if board.cumulative(r.shows)["refund_1h_orders"])
    spike = board.summed(*REFUND_SPIKE)
    online = {m.minute: m.online for m in board.minutes}
    opening = board.cumulative(FIRST_READING)
    return {
        "opening": {"at": at(FIRST_READING).isoformat(),
                    **{k: show(opening[k]) for k in ("gmv", "orders", "viewers")}},
        "sold_out": {"product_id": product_id, "product": title,
                     "run": [at(2 * RUN_MINUTES).isoformat(), at(3 * RUN_MINUTES).isoformat()],
                     "at": at(SOLD_OUT_AT).isoformat(), "until": at(3 * RUN_MINUTES).isoformat()},
        "anchor_change": {"at": change.isoformat(), "from": first, "to": second},
        "spend_burst": {"from": at(BURST[0]).isoformat(), "until": at(BURST[1]).isoformat(), "factor": str(BURST_FACTOR)},
        "stale": {"at": [at(m).isoformat() for m in range(STALE[0], STALE[1] + 1)],
                  "repeats": at(STALE[0] - 1).isoformat(),
                  "folded_into": [at(STALE[0] - 1).isoformat(), at(STALE[1] + 1).isoformat()]},
        "gap": {"from": at(GAP[0]).isoformat(), "until": at(GAP[1]).isoformat(),
                "interval": [at(GAP[0] - 1).isoformat(), at(GAP[1] + 1).isoformat()]},
        "online_cliff": {"at": at(CLIFF_AT).isoformat(), "before": online[CLIFF_AT - 1], "after": online[CLIFF_AT],
                         "recovered_at": at(CLIFF_RECOVERED).isoformat(), "recovered": online[CLIFF_RECOVERED]},
        "first_refund": {"at": refund.isoformat()},  # the first reading that shows one
        "refund_spike": {"from": at(REFUND_SPIKE[0]).isoformat(), "until": at(REFUND_SPIKE[1]).isoformat(),
                         "gmv": show(spike["gmv"]), "refund_1h_amount": show(spike["refund_1h_amount"]),
                         "share": str(REFUND_SHARE)},
        "duplicate": {"at": at(DUPLICATE).isoformat()},
        "out_of_order": {"at": [at(m).isoformat() for m in SWAPPED]},
    }  # fmt: skip
