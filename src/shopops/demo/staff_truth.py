"""The true 绩效 scores of the demo team, computed from the generator's own truths — not by the staff
domain (the demo never imports a domain), so that they check it.

The preset cards (评分表预设) are written out again here, line by line: what each line measures,
its weight, and how it scores (分档 ``≥``/``≤`` the first band reached, linear from a floor to the
target, or 推广ROI's formula), clipped to [0, cap] and rounded to 0.01 (half up); a line's weighted
score is rounded to 0.01 and the total is their sum; tiers 金牌 90 / 银牌 80 / 铜牌 70 / 待改进.

The figures follow the domain's 口径:

- a 客服's own figures are sums over the days they held the role (their 旺旺 accounts added up, a
  renamed one included), settled days only (a day the 赤兔 export says 延迟统计, or imported less than
  4 days after it, is left out), the ratios from the sums: 询单转化率 = Σ询单->最终付款人数 ÷ Σ询单人数,
  客单价 = Σ销售额 ÷ Σ销售人数 (to the cent), 回复率 = Σ(接待 − 未回复) ÷ Σ接待, 响应 = Σ(平均响应 × 接待)
  ÷ Σ接待, 满意率 = Σ(很满意 + 满意) ÷ Σ评价 (only where a 千牛 export gives the counts);
- a shop line reads the 总表 of the person's shops over the whole period: one shop's figures, or
  the 合计 of several (each measure summed, unknown when one shop's is, ratios from the sums);
- a 完成率 divides by a target: a manual input, pro-rated to the days held for a money line of the
  person's own (a quarter: each month's target × that month's share of days held), or the 目标表
  (the shops' own, their group's, or — money only — the sum of the shops'; a quarter without its
  own target, the sum of its months');
- a manual input for a quarter without its own entry: the months' entries, summed for money, the
  mean for a ratio or a score (a 客单价目标 is an average's target: its mean), unknown when a month
  the person held the role has none.

A line without a figure has no score and the total is unknown (None), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from shopops.analysis.targets.periods import TargetPeriod
from shopops.channels import ad_channels

CENT = Decimal("0.01")
SETTLE_DAYS = 4  # 询单->最终付款 settles in about 4 days: a day imported sooner is left out
TARGETS = "targets"
TIERS = (("金牌", 90), ("银牌", 80), ("铜牌", 70), ("待改进", 0))
MONEY_INPUTS = ("销售目标",)  # the manual inputs that are amounts (summed over months, pro-rated)


@dataclass(frozen=True)
class CardLine:
    name: str
    weight: int
    metric: str | None = None  # a metric's key …
    input: str | None = None  # … or a manual input's name
    scope: str = "own"  # own | shops
    target_input: str | None = None  # 完成率: the metric ÷ this input, or TARGETS (目标表)
    direction: str = "up"
    bands: tuple[tuple[float, float], ...] = ()
    linear: tuple[float, float] | None = None  # (floor → 0, target → 100)
    roi_target: float | None = None  # 推广ROI: 100 + (value − target) ÷ 0.2
    cap: float = 100.0


_DONE = ((1.0, 100), (0.9, 85), (0.8, 70), (0.7, 55), (0.6, 40), (0.4, 20))  # 完成率
_RATE_DONE = ((1.0, 100), (0.95, 85), (0.9, 70), (0.8, 50))
_REPLY = ((0.98, 100), (0.95, 80), (0.92, 60))
_RESPONSE = ((35, 100), (45, 80), (55, 60))
_ATTENDANCE = ((1.0, 100), (0.95, 80), (0.9, 60))
_SCORE = (60.0, 100.0)
CARDS: dict[str, tuple[CardLine, ...]] = {
    "客服售前": (
        CardLine("指标完成率", 30, "service_sales", target_input="销售目标", bands=_DONE),
        CardLine("询单转化率", 20, "inquiry_conversion", bands=((0.45, 100), (0.40, 80), (0.35, 60))),
        CardLine("客单价", 20, "service_aov", target_input="客单价目标", bands=((1.0, 100), (0.95, 85), (0.9, 70), (0.8, 50))),
        CardLine("回复率", 20, "service_reply_rate", bands=_REPLY),
        CardLine("响应时间", 5, "service_response_seconds", direction="down", bands=_RESPONSE),
        CardLine("出勤率", 5, input="出勤率", bands=_ATTENDANCE),
    ),
    "客服售后": (
        CardLine("满意率", 30, "service_satisfaction", bands=((0.95, 100), (0.9, 80), (0.85, 60))),
        CardLine("回复率", 25, "service_reply_rate", bands=_REPLY),
        CardLine("响应时间", 20, "service_response_seconds", direction="down", bands=_RESPONSE),
        CardLine("质检分", 20, input="质检分", linear=_SCORE),
        CardLine("出勤率", 5, input="出勤率", bands=_ATTENDANCE),
    ),
    "运营": (
        CardLine("销售额完成率", 40, "gmv", scope="shops", target_input=TARGETS, bands=_DONE),
        CardLine("支付转化率", 20, "conversion_rate", scope="shops", target_input=TARGETS, bands=_RATE_DONE),
        CardLine("退款率", 20, "refund_rate", scope="shops", direction="down",
                 bands=((0.08, 100), (0.10, 80), (0.12, 60), (0.15, 40))),
        CardLine("主管评分", 20, input="主管评分", linear=_SCORE),
    ),
    "推广": (
        CardLine("销售额完成率", 40, "gmv", scope="shops", target_input=TARGETS, bands=_DONE),
        CardLine("推广ROI", 30, "ad_roi", scope="shops", roi_target=3.0, cap=120.0),
        CardLine("推广费比", 20, "ad_spend_ratio", scope="shops", direction="down",
                 bands=((0.10, 100), (0.15, 80), (0.20, 60))),
        CardLine("主管评分", 10, input="主管评分", linear=_SCORE),
    ),
    "美工": (
        CardLine("设计效果", 40, input="设计评分", linear=_SCORE),
        CardLine("工作效率", 30, input="按时完成率", bands=((0.95, 100), (0.9, 80), (0.8, 60))),
        CardLine("用户反馈", 30, "conversion_rate", scope="shops", target_input=TARGETS, bands=_RATE_DONE),
    ),
}  # fmt: skip
INPUTS = {
    role: [line.input or line.target_input for line in lines if (line.input or line.target_input) != TARGETS]
    for role, lines in CARDS.items()
}


@dataclass(frozen=True)
class Person:
    person: str
    role: str
    shops: tuple[str, ...] | None  # None: every shop
    start: dt.date | None
    end: dt.date | None

    def active(self, period: TargetPeriod) -> tuple[dt.date, dt.date] | None:
        first = max(period.start, self.start or period.start)
        last = min(period.end, self.end or period.end)
        return (first, last) if first <= last else None

    def share(self, period: TargetPeriod) -> Fraction:
        span = self.active(period)
        return Fraction(0) if span is None else Fraction((span[1] - span[0]).days + 1, period.days)


@dataclass(frozen=True)
class Books:
    """Everything a score is computed from: the generator's truths, the inputs and the targets."""

    service: Mapping[str, Any]  # manifest["service"]
    shops: Mapping[str, Any]  # manifest["shops"]
    rated_shops: frozenset[str]  # the shops whose exports give the 满意 counts (千牛)
    inputs: Mapping[tuple[str, str, str], float]  # (period key, person, item) → value as read
    targets: Mapping[tuple[str, str, str], Decimal]  # (period key, scope key, metric) → value
    groups: Mapping[str, tuple[str, ...]]
    import_day: dt.date  # the day the exports are imported (settlement)


def score_board(people: Sequence[Person], period: TargetPeriod, books: Books) -> list[dict[str, Any]]:
    """Each person active in ``period``: lines, total, tier, rank within role (JSON values)."""
    every_shop = sorted(books.shops)
    board = [
        _person(p, period, books, every_shop)
        for p in sorted(people, key=lambda p: (p.role, p.person))
        if p.active(period) is not None
    ]
    for row in board:
        totals = [Decimal(o["total"]) for o in board if o["role"] == row["role"] and o["total"] is not None]
        total = None if row["total"] is None else Decimal(row["total"])
        row["rank"] = None if total is None else 1 + sum(1 for other in totals if other > total)
        row["peers"] = len(totals)
    return board


def _person(p: Person, period: TargetPeriod, books: Books, every_shop: list[str]) -> dict[str, Any]:
    span = p.active(period)
    assert span is not None
    shops = every_shop if p.shops is None else [s for s in every_shop if s in p.shops]
    lines = [_line(line, p, period, books, shops, every_shop) for line in CARDS[p.role]]
    known = all(line["weighted"] is not None for line in lines)
    total = sum((Decimal(line["weighted"]) for line in lines), Decimal(0)) if known else None
    tier = None if total is None else next(label for label, low in TIERS if total >= low)
    share = p.share(period)
    return {
        "person": p.person,
        "role": p.role,
        "shops": shops,
        "proration": f"{share.numerator}/{share.denominator}",
        "active_days": (span[1] - span[0]).days + 1,
        "period_days": period.days,
        "total": None if total is None else str(total),
        "tier": tier,
        "lines": lines,
    }


def _line(
    line: CardLine, p: Person, period: TargetPeriod, books: Books, shops: list[str], every_shop: list[str]
) -> dict[str, Any]:
    if line.input is not None:
        value = _input(books, p, line.input, period)
    else:
        assert line.metric is not None
        if line.scope == "own":
            span = p.active(period)
            assert span is not None
            figure = own_figures(books, p.person, span[0], span[1]).get(line.metric)
        else:
            figure = shop_figures(books.shops, shops, period.start, period.end).get(line.metric)
        value = None if figure is None else float(figure)
        if value is not None and line.target_input is not None:
            target = _target(line, p, period, books, shops, every_shop)
            value = None if not target else value / target
    score = None if value is None else line_score(line, value)
    weighted = None if score is None else (score * line.weight / 100).quantize(CENT, ROUND_HALF_UP)
    return {
        "name": line.name,
        "value": value,
        "score": None if score is None else str(score),
        "weighted": None if weighted is None else str(weighted),
    }


def line_score(line: CardLine, value: float) -> Decimal:
    if line.bands:
        reached = (
            (score for threshold, score in line.bands if value >= threshold)
            if line.direction == "up"
            else (score for threshold, score in line.bands if value <= threshold)
        )
        raw = float(next(reached, 0.0))
    elif line.linear is not None:
        floor, target = line.linear
        raw = (value - floor) / (target - floor) * 100
    else:
        assert line.roi_target is not None
        raw = 100.0 + (value - line.roi_target) / 0.2
    return Decimal(repr(min(max(raw, 0.0), line.cap))).quantize(CENT, ROUND_HALF_UP)


# -- manual inputs and targets -------------------------------------------------------------------


def _input(books: Books, p: Person, item: str, period: TargetPeriod) -> float | None:
    own = books.inputs.get((period.key, p.person, item))
    if own is not None or period.kind == "month":
        return own
    months = [m for m in period.months() if p.active(m) is not None]
    found = [books.inputs.get((m.key, p.person, item)) for m in months]
    known = [v for v in found if v is not None]
    if not months or len(known) < len(months):
        return None
    return sum(known) if item in MONEY_INPUTS else sum(known) / len(known)


def _target(
    line: CardLine, p: Person, period: TargetPeriod, books: Books, shops: list[str], every_shop: list[str]
) -> float | None:
    assert line.metric is not None and line.target_input is not None
    money = line.metric in ("gmv", "service_sales")
    if line.target_input == TARGETS:
        value = shop_target(books, period, shops, every_shop, line.metric, money)
        return None if value is None else float(value)
    if not money:  # a target of an average (客单价目标): the period's own, or its months' mean
        return _input(books, p, line.target_input, period)
    own = books.inputs.get((period.key, p.person, line.target_input))
    if own is not None:
        share = p.share(period)
        return own * (float(share) if share != 1 else 1.0)
    if period.kind == "month":
        return None
    months = [m for m in period.months() if p.active(m) is not None]
    parts = [(books.inputs.get((m.key, p.person, line.target_input)), p.share(m)) for m in months]
    if not parts or any(v is None for v, _ in parts):
        return None
    return sum(float(v) * (float(s) if s != 1 else 1.0) for v, s in parts if v is not None)


def shop_target(
    books: Books,
    period: TargetPeriod,
    shops: Sequence[str],
    every_shop: Sequence[str],
    metric: str,
    money: bool,
) -> Decimal | None:
    """The shops' target: every shop's (合计), their group's, the shops' own (summed for money) or,
    for a quarter of money, its months' added up; None when not set."""
    chosen = set(shops)
    if chosen == set(every_shop) and (found := books.targets.get((period.key, "*", metric))) is not None:
        return found
    for name, members in books.groups.items():
        if set(members) == chosen and (found := books.targets.get((period.key, f"group:{name}", metric))):
            return found
    own = [books.targets.get((period.key, shop, metric)) for shop in shops]
    if all(v is not None for v in own) and (money or len(shops) == 1):
        return sum((v for v in own if v is not None), Decimal(0))
    if period.kind != "month" and money:
        months = [shop_target(books, m, shops, every_shop, metric, money) for m in period.months()]
        if all(v is not None for v in months):
            return sum((v for v in months if v is not None), Decimal(0))
    return None


# -- figures -------------------------------------------------------------------------------------


def own_figures(
    books: Books, person: str, first: dt.date, last: dt.date
) -> dict[str, Decimal | float | None]:
    """A 客服's own metrics over the settled days of [first, last], from the agent-day truths."""
    service = books.service
    delayed = set(service["delayed"]["final"])
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for agent in service["agents"]:
        if agent["person"] != person:
            continue
        by_account = service["days"].get(agent["shop"], {})
        for account in agent["accounts"]:
            for date, figures in by_account.get(account, {}).items():
                day = dt.date.fromisoformat(date)
                settled = date not in delayed and day + dt.timedelta(days=SETTLE_DAYS) <= books.import_day
                if first <= day <= last and settled:
                    rows.append((agent["shop"], figures))
    if not rows:
        return {}
    sales = sum((Decimal(str(f["sales"])) for _, f in rows), Decimal(0))
    buyers = sum(int(f["sales_buyers"]) for _, f in rows)
    inquiries = sum(int(f["inquiries"]) for _, f in rows)
    paid = sum(int(f["inquiry_paid"]) for _, f in rows)
    receptions = sum(int(f["receptions"]) for _, f in rows)
    replied = sum(int(f["receptions"]) - int(f["unreplied"]) for _, f in rows)
    response = sum(float(f["avg_response_seconds"]) * int(f["receptions"]) for _, f in rows)
    rated = all(shop in books.rated_shops for shop, _ in rows)
    pleased = sum(int(f["very_satisfied"]) + int(f["satisfied"]) for _, f in rows) if rated else None
    answered = (
        sum(sum(int(f[k]) for k in ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"))
            for _, f in rows)
        if rated else None
    )  # fmt: skip
    return {
        "service_sales": sales,
        "inquiry_conversion": _ratio(paid, inquiries),
        "service_aov": None if not buyers else (sales / buyers).quantize(CENT, ROUND_HALF_UP),
        "service_reply_rate": _ratio(replied, receptions),
        "service_response_seconds": _ratio(response, receptions),
        "service_satisfaction": _ratio(pleased, answered),
    }


SHOP_MEASURES = ("gmv", "visitors", "buyers", "refund_amount", "ad_report_spend", "ad_gmv")


def shop_figures(
    shops_truth: Mapping[str, Any], shops: Sequence[str], first: dt.date, last: dt.date
) -> dict[str, Decimal | float | None]:
    """The 总表 of ``shops`` over [first, last]: one shop's row, or the 合计 of several."""
    rows = [_shop_sums(shops_truth[shop]["days"], first, last) for shop in shops]
    if not rows:
        return {}
    total = {key: _all_known([row[key] for row in rows]) for key in (*SHOP_MEASURES, "ad_spend")}
    return {
        "gmv": total["gmv"],
        "conversion_rate": _ratio(total["buyers"], total["visitors"]),
        "refund_rate": _ratio(total["refund_amount"], total["gmv"]),
        "ad_roi": _ratio(total["ad_gmv"], total["ad_report_spend"]),
        "ad_spend_ratio": _ratio(total["ad_spend"], total["gmv"]),
    }


def _shop_sums(days: Mapping[str, Mapping[str, Any]], first: dt.date, last: dt.date) -> dict[str, Any]:
    """One shop's measures over the days: each the sum, unknown when a day's is (or a day is missing);
    推广花费 the sum of the channels that are known over the whole span."""
    dates = [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    rows = [days.get(date) for date in dates]
    if any(row is None for row in rows):
        return dict.fromkeys((*SHOP_MEASURES, "ad_spend"))
    found = [row for row in rows if row is not None]
    sums = {key: _all_known([_number(row.get(key)) for row in found]) for key in SHOP_MEASURES}
    channels = [f"ad_spend_{channel.key}" for channel in ad_channels()]
    spent = [_all_known([_number(row.get(key)) for row in found]) for key in channels]
    known = [value for value in spent if value is not None]
    sums["ad_spend"] = sum(known, Decimal(0)) if known else None
    return sums


def _number(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _all_known(values: Sequence[Decimal | None]) -> Decimal | None:
    if not values or any(v is None for v in values):
        return None
    return sum((v for v in values if v is not None), Decimal(0))


def _ratio(top: float | Decimal | None, bottom: float | Decimal | None) -> float | None:
    if top is None or bottom is None or not bottom:
        return None
    return float(top) / float(bottom)
