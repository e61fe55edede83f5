"""Splitting a bonus among the people scored for a period (one role's, or everyone's) — pure
arithmetic, exact to the 分.

- pool × share (:func:`allocate_pool`): pool × score × proration ÷ Σ, water-filled under floor/cap (who
  hits one is fixed there, the rest re-split by weight); cut to the 分, the leftover 分 one each by largest
  remainder (ties: higher score, then name): Σ amounts == pool exactly.
- base × tier coefficient (:func:`allocate_base`): base × coefficient × proration, floor/cap, half-up.

Floor × proration is rounded up and cap × proration down to the 分, so both hold after rounding.
Unknown scores are left out (amount None) and said in ``notes``: never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from shopops.errors import UserError

CENTS = 100
CENT = Decimal("0.01")
_Given = tuple[Fraction | None, Fraction | None]  # the floor and cap as given, before pro-rating


@dataclass(frozen=True)
class Claim:
    person: str
    score: Decimal | None  # weighted total 0–100 (may exceed 100 with bonus points); None = unknown
    proration: Fraction  # 0 < p ≤ 1
    coefficient: Decimal | None = None  # tier coefficient, for allocate_base
    tier: str = ""  # tier label, only to explain


@dataclass(frozen=True)
class Allocation:
    person: str
    amount: Decimal | None  # 2 places; None = not allocated (unknown score)
    share: Fraction | None  # of the pool (pool method); None for the base method / not allocated
    working: str  # one Chinese line showing the arithmetic
    capped: bool = False
    floored: bool = False


@dataclass(frozen=True)
class BonusResult:
    method: Literal["pool", "base"]
    allocations: tuple[Allocation, ...]  # same order as the claims given
    total: Decimal  # Σ amounts (== pool for the pool method)
    notes: tuple[str, ...]  # loud lines: unknown scores left out …


@dataclass
class _Share:  # one eligible person of the pool method, exact (元 as Fractions; floor/cap whole 分)
    index: int
    claim: Claim
    weight: Fraction  # score × proration
    low: Fraction  # floor × proration, rounded up to the 分
    high: Fraction | None  # cap × proration, rounded down to the 分
    exact: Fraction = Fraction(0)  # in 分, after floor/cap
    cents: int = 0
    extra: bool = False  # got a leftover 分
    capped: bool = False
    floored: bool = False


def allocate_pool(
    claims: Sequence[Claim],
    pool: Decimal,
    *,
    min_score: Decimal | None = None,
    floor: Decimal | None = None,
    cap: Decimal | None = None,
) -> BonusResult:
    """Split ``pool`` by score × proration; Σ amounts == pool exactly."""
    total = _money_arg(pool, "奖金池", "--pool")
    if total <= 0 or (total * CENTS).denominator != 1:
        raise UserError(f"奖金池 {pool} 元须大于 0 且精确到分 — 用 --pool 给出如 50000 或 12345.67 的金额")
    given = _limits(floor, cap)
    _check(claims)
    done: dict[int, Allocation] = {}
    shares: list[_Share] = []
    unknown, below = [], []
    for index, claim in enumerate(claims):
        if claim.score is None:
            unknown.append(claim.person)
            done[index] = Allocation(claim.person, None, None, "得分未知（缺数据），未参与分配")
        elif min_score is not None and claim.score < min_score:
            below.append(claim.person)
            text = f"低于 {_plain(min_score)} 分（{_plain(claim.score)}），不参与分配"
            done[index] = Allocation(claim.person, Decimal("0.00"), Fraction(0), text)
        else:
            weight = Fraction(claim.score) * claim.proration
            shares.append(_Share(index, claim, weight, *_bounds(given, claim)))
    if not shares:
        why = [f"{len(unknown)} 人得分未知"] if unknown else []
        why += [f"{len(below)} 人低于 {_plain(min_score or 0)} 分"] if below else []
        fix = "或".join((["补齐缺的得分"] if unknown else []) + (["调低 --min-score "] if below else []))
        raise UserError(f"{len(claims)} 人里没有可参与分配的人（{'、'.join(why)}）— {fix}后重新计算")
    _feasible(shares, total)
    _settle(shares, total, _water_level(shares, total))
    rest = total - sum((Fraction(s.cents, CENTS) for s in shares if s.capped or s.floored), Fraction(0))
    free_weight = sum((s.weight for s in shares if not (s.capped or s.floored)), Fraction(0))
    for share in shares:
        done[share.index] = _pool_line(share, given, total, rest, free_weight)
    allocations = tuple(done[index] for index in range(len(claims)))
    notes = _unknown_note(unknown, f"奖金池 {_money(total)} 元全部分给其余 {len(shares)} 人")
    if below:
        notes.append(f"{len(below)} 人低于 {_plain(min_score or 0)} 分，不参与分配：{'、'.join(below)}")
    return BonusResult("pool", allocations, pool.quantize(CENT), tuple(notes))


def allocate_base(
    claims: Sequence[Claim], base: Decimal, *, floor: Decimal | None = None, cap: Decimal | None = None
) -> BonusResult:
    """base × tier coefficient × proration, floor/cap pro-rated, half-up to the 分."""
    amount_base = _money_arg(base, "奖金基数", "--base")
    given = _limits(floor, cap)
    _check(claims)
    allocations: list[Allocation] = []
    unknown = []
    for claim in claims:
        if claim.score is None or claim.coefficient is None:
            unknown.append(claim.person)
            what = "得分未知（缺数据）" if claim.score is None else "没有档位系数"
            allocations.append(Allocation(claim.person, None, None, f"{what}，未参与分配"))
        elif not claim.coefficient.is_finite() or claim.coefficient < 0:
            raise UserError(f"{claim.person} 的档位系数 {claim.coefficient} 无效 — 系数须为 0 或正数，如 1.2")
        else:
            allocations.append(_base_allocation(claim, amount_base, given))
    if len(unknown) == len(claims):
        raise UserError(f"{len(claims)} 人的得分或档位系数都未知，没有可分配的人 — 补齐缺的得分后重新计算")
    cents = sum(int(a.amount * CENTS) for a in allocations if a.amount is not None)
    notes = _unknown_note(unknown, "合计只含其余的人")
    return BonusResult("base", tuple(allocations), Decimal(cents).scaleb(-2), tuple(notes))


def _feasible(shares: Sequence[_Share], pool: Fraction) -> None:
    """The pool must fit between Σ floors and what the people can take (Σ caps; a 0 weight takes its floor)."""
    floors = sum((s.low for s in shares), Fraction(0))
    if floors > pool:
        short = f"{len(shares)} 人保底合计 {_money(floors)} 元（差 {_money(floors - pool)} 元）"
        raise UserError(f"奖金池 {_money(pool)} 元不够保底：{short} — 调低 --floor 或加大 --pool")
    takers = [s for s in shares if s.weight > 0]
    if any(s.high is None for s in takers):
        return
    most = sum((s.high if s.weight and s.high is not None else s.low for s in shares), Fraction(0))
    if most >= pool:
        return
    if not takers:
        what = f"参与分配的 {len(shares)} 人得分（或在岗折算）都是 0，奖金池 {_money(pool)} 元无法按得分分配"
        raise UserError(what + " — 检查得分，或改用 基数 × 档位系数 分配")
    zeros = len(shares) - len(takers)
    also = f"，另有 {zeros} 人得分为 0 只拿保底" if zeros else ""
    over = f"{len(takers)} 人封顶合计 {_money(most)} 元{also}（{_money(pool - most)} 元发不出去）"
    raise UserError(f"奖金池 {_money(pool)} 元超过封顶：{over} — 调高 --cap 或减小 --pool")


def _clamp(share: _Share, level: Fraction) -> Fraction:
    value = max(level * share.weight, share.low)
    return value if share.high is None else min(value, share.high)


def _water_level(shares: Sequence[_Share], pool: Fraction) -> Fraction:
    """λ with Σ clamp(λ × weight, floor, cap) == pool. The sum is piecewise linear in λ, bent where someone
    reaches a floor or cap: walk the bends and solve on the segment that crosses the pool."""
    limits = ((s.weight, limit) for s in shares if s.weight for limit in (s.low, s.high) if limit is not None)
    bends = {Fraction(0)} | {limit / weight for weight, limit in limits}
    before, paid_before = Fraction(0), Fraction(0)
    for bend in sorted(bends):
        paid = sum((_clamp(s, bend) for s in shares), Fraction(0))
        if paid >= pool:
            if paid == pool:
                return bend
            return before + (pool - paid_before) * (bend - before) / (paid - paid_before)
        before, paid_before = bend, paid
    slope = sum((s.weight for s in shares if s.high is None), Fraction(0))  # > 0: _feasible
    return before + (pool - paid_before) / slope


def _settle(shares: Sequence[_Share], pool: Fraction, level: Fraction) -> None:
    """Down to the 分, then the leftover 分 one each by largest remainder (ties: higher score, then name)."""
    for s in shares:
        s.capped = s.high is not None and level * s.weight > s.high
        s.floored = level * s.weight < s.low
        s.exact = _clamp(s, level) * CENTS
        s.cents = math.floor(s.exact)
    left = int(pool * CENTS) - sum(s.cents for s in shares)
    order = sorted(shares, key=lambda s: (s.cents - s.exact, -(s.claim.score or 0), s.claim.person))
    for s in order[:left]:
        assert s.exact > s.cents, "a 分 goes back only to one the rounding cut: a whole-分 cap holds"
        s.cents, s.extra = s.cents + 1, True
    assert sum(s.cents for s in shares) == pool * CENTS, "the pool is paid out to the 分"


def _pool_line(s: _Share, given: _Given, pool: Fraction, rest: Fraction, weights: Fraction) -> Allocation:
    """``50,000.00 × (86.5 × 7/10) ÷ 412.35 = 7,343.28（按在岗折算 7/10）``, or the floor/cap hit."""
    claim, amount = s.claim, Fraction(s.cents, CENTS)
    if s.capped or s.floored:
        label, limit = ("封顶", given[1]) if s.capped else ("保底", given[0])
        bound = s.high if s.capped and s.high is not None else s.low
        why = "按得分会超过封顶，多出的分给其他人" if s.capped else "按得分不到保底，差额从其他人的份额里出"
        text = f"{_limit_text(label, limit, claim, bound)}（{why}）"
    else:
        weight = _plain(claim.score or 0)
        weight = weight if claim.proration == 1 else f"({weight} × {claim.proration})"
        lead = _money(pool) if rest == pool else f"剩余 {_money(rest)}"
        text = f"{lead} × {weight} ÷ {_number(weights)} = {_money(amount)}"
        text += "（含分尾差 0.01）" if s.extra else ""
        text += f"（按在岗折算 {claim.proration}）" if claim.proration != 1 else ""
    return Allocation(claim.person, Decimal(s.cents).scaleb(-2), amount / pool, text, s.capped, s.floored)


def _base_allocation(claim: Claim, base: Fraction, given: _Given) -> Allocation:
    """``3,000.00 × 1.2（金牌）× 7/10 = 2,520.00``, then ``→ 封顶 …`` / ``→ 保底 …`` where one binds."""
    low, high = _bounds(given, claim)
    coefficient = claim.coefficient or Decimal(0)
    cents = math.floor(base * Fraction(coefficient) * claim.proration * CENTS + Fraction(1, 2))  # half-up
    tier = f"（{claim.tier}）" if claim.tier else ""
    prorate = f" × {claim.proration}" if claim.proration != 1 else ""
    text = f"{_money(base)} × {_plain(coefficient)}{tier}{prorate} = {_money(Fraction(cents, CENTS))}"
    text = text.replace("） ", "）")  # 1.2（金牌）× 7/10
    capped, floored = high is not None and cents > high * CENTS, cents < low * CENTS
    if capped and high is not None:
        cents, text = int(high * CENTS), text + " → " + _limit_text("封顶", given[1], claim, high)
    elif floored:
        cents, text = int(low * CENTS), text + " → " + _limit_text("保底", given[0], claim, low)
    return Allocation(claim.person, Decimal(cents).scaleb(-2), None, text, capped, floored)


def _money_arg(value: Decimal, label: str, flag: str) -> Fraction:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise UserError(f"{label} {value} 不是 0 或正的金额 — 用 {flag} 给出如 50000 或 12345.67 的金额")
    return Fraction(value)


def _limits(floor: Decimal | None, cap: Decimal | None) -> _Given:
    low = None if floor is None else _money_arg(floor, "保底", "--floor")
    high = None if cap is None else _money_arg(cap, "封顶", "--cap")
    if low is not None and high is not None and low > high:
        raise UserError(f"保底 {_money(low)} 元高于封顶 {_money(high)} 元 — 调低 --floor 或调高 --cap")
    return low, high


def _bounds(given: _Given, claim: Claim) -> tuple[Fraction, Fraction | None]:
    """The person's floor rounded up and cap rounded down to the 分, both × proration."""
    low = 0 if given[0] is None else math.ceil(given[0] * claim.proration * CENTS)
    high = None if given[1] is None else math.floor(given[1] * claim.proration * CENTS)
    if high is not None and low > high:
        fix = "把 --cap 调得比 --floor 高一些"
        raise UserError(f"{claim.person} 按在岗 {claim.proration} 折算后保底与封顶之间没有整分的金额 — {fix}")
    return Fraction(low, CENTS), None if high is None else Fraction(high, CENTS)


def _check(claims: Sequence[Claim]) -> None:
    if not claims:
        raise UserError("没有可分配奖金的人 — 检查 --period 和 --role 是否选对了人")
    names = [claim.person for claim in claims]
    for claim in claims:
        if names.count(claim.person) > 1:
            raise UserError(f"{claim.person} 出现了不止一次 — 每人只能有一条得分")
        if not 0 <= claim.proration <= 1:
            raise UserError(f"{claim.person} 的在岗折算 {claim.proration} 不在 0–1 之间 — 检查入离职日期")
        if claim.score is not None and (not claim.score.is_finite() or claim.score < 0):
            raise UserError(f"{claim.person} 的得分 {claim.score} 无效 — 得分须为 0 或正数")


def _unknown_note(unknown: list[str], then: str) -> list[str]:
    if not unknown:
        return []
    return [f"注意：{len(unknown)} 人得分未知，未参与分配：{'、'.join(unknown)} — {then}；补齐数据后重新计算"]


def _limit_text(label: str, given: Fraction | None, claim: Claim, limit: Fraction) -> str:
    """``封顶 6,000.00`` or, pro-rated, ``封顶 6,000.00 × 7/10 = 4,200.00`` (≈ where cut to the 分)."""
    if given is None or (claim.proration == 1 and given == limit):
        return f"{label} {_money(limit)}"
    prorate = f" × {claim.proration}" if claim.proration != 1 else ""
    sign = "=" if given * claim.proration == limit else "≈"
    return f"{label} {_money(given)}{prorate} {sign} {_money(limit)}"


def _money(value: Fraction) -> str:
    """Half-up to the 分, with thousands separators: 50,000.00."""
    return f"{Decimal(math.floor(value * CENTS + Fraction(1, 2))).scaleb(-2):,.2f}"


def _number(value: Fraction) -> str:
    """412.35 exactly where it has ≤ 4 places, else ≈ rounded to 2."""
    places = next((n for n in range(5) if (value * 10**n).denominator == 1), None)
    return "≈" + _money(value) if places is None else f"{Decimal(int(value * 10**places)).scaleb(-places):,f}"


def _plain(value: Decimal | int) -> str:
    """86.5, 90, 1.2 — a score or coefficient as written, without exponent or trailing zeros."""
    return f"{Decimal(value).normalize():f}"
