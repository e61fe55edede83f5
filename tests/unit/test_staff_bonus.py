"""绩效奖金分配 (issue 17): pool × share and base × tier coefficient, exact to the 分.

Every expected amount is worked out by hand in the comments; the random cases check the invariants
(Σ == pool as a Decimal equality, floors/caps after rounding, 2 places) and the water-filling against
an independent reference solver.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from shopops.domains.staff.bonus import Allocation, BonusResult, Claim, allocate_base, allocate_pool
from shopops.errors import UserError

D = Decimal
ONE = Fraction(1)


def amounts(result: BonusResult) -> dict[str, Decimal | None]:
    return {a.person: a.amount for a in result.allocations}


def workings(result: BonusResult) -> dict[str, str]:
    return {a.person: a.working for a in result.allocations}


def by_person(result: BonusResult) -> dict[str, Allocation]:
    return {a.person: a for a in result.allocations}


def test_pool_three_people_one_pro_rated() -> None:
    # 李四 joined on the 10th of a 30-day month: 21/30 (= 7/10) of the period.
    # weights: 90 × 1 = 90, 80 × 7/10 = 56, 70 × 1 = 70 → Σ 216
    # 张三 50,000 × 90 ÷ 216 = 20,833.333… → 20,833.33 (0.333 分 cut)
    # 李四 50,000 × 56 ÷ 216 = 12,962.962… → 12,962.96 (0.296 分 cut)
    # 王五 50,000 × 70 ÷ 216 = 16,203.703… → 16,203.70 (0.370 分 cut)
    # cut down: 49,999.99 → 1 分 left, to the largest remainder: 王五 → 16,203.71
    claims = [
        Claim("张三", D("90"), ONE),
        Claim("李四", D("80"), Fraction(21, 30)),
        Claim("王五", D("70"), ONE),
    ]
    result = allocate_pool(claims, D("50000.00"))
    assert result.method == "pool"
    assert amounts(result) == {"张三": D("20833.33"), "李四": D("12962.96"), "王五": D("16203.71")}
    assert result.total == D("50000.00")
    assert sum(a.amount or 0 for a in result.allocations) == D("50000.00")
    assert workings(result) == {
        "张三": "50,000.00 × 90 ÷ 216 = 20,833.33",
        "李四": "50,000.00 × (80 × 7/10) ÷ 216 = 12,962.96（按在岗折算 7/10）",
        "王五": "50,000.00 × 70 ÷ 216 = 16,203.71（含分尾差 0.01）",
    }
    assert [a.share for a in result.allocations] == [
        Fraction(2083333, 5000000),
        Fraction(1296296, 5000000),
        Fraction(1620371, 5000000),
    ]
    assert sum(a.share or 0 for a in result.allocations) == 1
    assert result.notes == ()
    assert all(not a.capped and not a.floored for a in result.allocations)


def test_pool_with_cents_and_decimal_scores() -> None:
    # weights: 86.5 × 1 = 86.5; 72.25 × 1/2 = 36.125; 64 × 7/10 = 44.8 → Σ 167.425
    # A 12,345.67 × 86.5 ÷ 167.425 = 6,378.381… → 6,378.38 (0.110 分 cut)
    # B 12,345.67 × 36.125 ÷ 167.425 = 2,663.803… → 2,663.80 (0.367 分 cut)
    # C 12,345.67 × 44.8 ÷ 167.425 = 3,303.485… → 3,303.48 (0.524 分 cut)
    # cut down: 12,345.66 → 1 分 to C → 3,303.49; Σ = 12,345.67
    claims = [
        Claim("客服A", D("86.5"), ONE),
        Claim("客服B", D("72.25"), Fraction(15, 30)),
        Claim("客服C", D("64"), Fraction(21, 30)),
    ]
    result = allocate_pool(claims, D("12345.67"))
    assert amounts(result) == {"客服A": D("6378.38"), "客服B": D("2663.80"), "客服C": D("3303.49")}
    assert result.total == D("12345.67")
    assert workings(result)["客服B"] == "12,345.67 × (72.25 × 1/2) ÷ 167.425 = 2,663.80（按在岗折算 1/2）"
    assert workings(result)["客服C"] == (
        "12,345.67 × (64 × 7/10) ÷ 167.425 = 3,303.49（含分尾差 0.01）（按在岗折算 7/10）"
    )


def test_leftover_fen_by_name_when_all_equal() -> None:
    # 100.00 ÷ 3 = 33.333… each → 33.33 × 3 = 99.99; 1 分 left; equal remainders, equal scores → by name
    claims = [Claim("客服C", D("80"), ONE), Claim("客服A", D("80"), ONE), Claim("客服B", D("80"), ONE)]
    result = allocate_pool(claims, D("100.00"))
    assert [(a.person, a.amount) for a in result.allocations] == [
        ("客服C", D("33.33")),
        ("客服A", D("33.34")),
        ("客服B", D("33.33")),
    ]
    assert workings(result)["客服A"] == "100.00 × 80 ÷ 240 = 33.34（含分尾差 0.01）"


def test_leftover_fen_to_the_higher_score_on_equal_remainders() -> None:
    # 客服Z 90 × 1/2 = 45, 客服A 45, 客服B 45: equal weights and remainders; 客服Z has the higher score
    claims = [
        Claim("客服A", D("45"), ONE),
        Claim("客服B", D("45"), ONE),
        Claim("客服Z", D("90"), Fraction(1, 2)),
    ]
    result = allocate_pool(claims, D("100.00"))
    assert amounts(result) == {"客服A": D("33.33"), "客服B": D("33.33"), "客服Z": D("33.34")}


def test_two_leftover_fen() -> None:
    # 0.05 ÷ 3 = 0.01666… → 0.01 × 3 = 0.03; 2 分 left → 客服A and 客服B (name order)
    claims = [Claim("客服B", D("70"), ONE), Claim("客服C", D("70"), ONE), Claim("客服A", D("70"), ONE)]
    result = allocate_pool(claims, D("0.05"))
    assert amounts(result) == {"客服B": D("0.02"), "客服C": D("0.01"), "客服A": D("0.02")}
    assert result.total == D("0.05")


def test_unknown_score_is_left_out_and_said_loudly() -> None:
    # 客服B has no score: the pool goes to A and C, 80 : 60 → 4,000.00 and 3,000.00
    claims = [Claim("客服A", D("80"), ONE), Claim("客服B", None, ONE), Claim("客服C", D("60"), ONE)]
    result = allocate_pool(claims, D("7000"))
    b = by_person(result)["客服B"]
    assert (b.amount, b.share, b.working) == (None, None, "得分未知（缺数据），未参与分配")
    assert amounts(result) == {"客服A": D("4000.00"), "客服B": None, "客服C": D("3000.00")}
    assert result.total == D("7000.00")
    assert result.notes == (
        "注意：1 人得分未知，未参与分配：客服B — 奖金池 7,000.00 元全部分给其余 2 人；补齐数据后重新计算",
    )


def test_min_score() -> None:
    # 客服B 58.5 < 60 gets 0; 客服C at exactly 60 takes part: 1,500 × 80/140 and × 60/140
    # 80/140 × 1,500 = 857.1428… → 857.14 (0.2857 分 cut); 60/140 × 1,500 = 642.8571… → 642.85 (0.7143 分 cut)
    # cut down: 1,499.99 → 1 分 to 客服C (0.7143 > 0.2857) → 642.86
    claims = [Claim("客服A", D("80"), ONE), Claim("客服B", D("58.5"), ONE), Claim("客服C", D("60"), ONE)]
    result = allocate_pool(claims, D("1500.00"), min_score=D("60"))
    assert amounts(result) == {"客服A": D("857.14"), "客服B": D("0.00"), "客服C": D("642.86")}
    b = by_person(result)["客服B"]
    assert (b.share, b.working) == (Fraction(0), "低于 60 分（58.5），不参与分配")
    assert result.notes == ("1 人低于 60 分，不参与分配：客服B",)


def test_cap_redistributes_until_stable() -> None:
    # scores 100 / 80 / 20, pool 10,000, cap 4,200
    # by score: 5,000 / 4,000 / 1,000 → A over the cap: fixed at 4,200
    # the rest 5,800 by 80 : 20 → 4,640 / 1,160 → B now over: fixed at 4,200
    # the rest 1,600 to C alone → 1,600
    claims = [Claim("客服A", D("100"), ONE), Claim("客服B", D("80"), ONE), Claim("客服C", D("20"), ONE)]
    result = allocate_pool(claims, D("10000"), cap=D("4200"))
    assert amounts(result) == {"客服A": D("4200.00"), "客服B": D("4200.00"), "客服C": D("1600.00")}
    assert [(a.capped, a.floored) for a in result.allocations] == [
        (True, False),
        (True, False),
        (False, False),
    ]
    assert workings(result) == {
        "客服A": "封顶 4,200.00（按得分会超过封顶，多出的分给其他人）",
        "客服B": "封顶 4,200.00（按得分会超过封顶，多出的分给其他人）",
        "客服C": "剩余 1,600.00 × 20 ÷ 20 = 1,600.00",
    }


def test_floor_pro_rated() -> None:
    # weights 90, 60, 10 × 1/3; C's floor 1,500 × 1/3 = 500
    # by score C = 10,000 × (10/3) ÷ (460/3) = 217.39 < 500 → fixed at 500
    # the rest 9,500 by 90 : 60 → 5,700 / 3,800
    claims = [
        Claim("客服A", D("90"), ONE),
        Claim("客服B", D("60"), ONE),
        Claim("客服C", D("10"), Fraction(1, 3)),
    ]
    result = allocate_pool(claims, D("10000"), floor=D("1500"))
    assert amounts(result) == {"客服A": D("5700.00"), "客服B": D("3800.00"), "客服C": D("500.00")}
    assert by_person(result)["客服C"].floored
    assert workings(result) == {
        "客服A": "剩余 9,500.00 × 90 ÷ 150 = 5,700.00",
        "客服B": "剩余 9,500.00 × 60 ÷ 150 = 3,800.00",
        "客服C": "保底 1,500.00 × 1/3 = 500.00（按得分不到保底，差额从其他人的份额里出）",
    }


def test_pro_rated_cap_rounds_down_and_floor_rounds_up() -> None:
    # cap 1,000 × 1/3 = 333.333… → 333.33 (never above); B takes the rest 666.67
    capped = allocate_pool(
        [Claim("客服A", D("90"), Fraction(1, 3)), Claim("客服B", D("10"), ONE)], D("1000.00"), cap=D("1000")
    )
    assert amounts(capped) == {"客服A": D("333.33"), "客服B": D("666.67")}
    assert workings(capped)["客服A"] == "封顶 1,000.00 × 1/3 ≈ 333.33（按得分会超过封顶，多出的分给其他人）"
    # floor 1,000 × 1/3 = 333.333… → 333.34 (never below); A scores 0
    floored = allocate_pool(
        [Claim("客服A", D("0"), Fraction(1, 3)), Claim("客服B", D("50"), ONE)], D("2000.00"), floor=D("1000")
    )
    assert amounts(floored) == {"客服A": D("333.34"), "客服B": D("1666.66")}
    assert workings(floored)["客服A"] == (
        "保底 1,000.00 × 1/3 ≈ 333.34（按得分不到保底，差额从其他人的份额里出）"
    )


def test_capped_person_never_gets_a_leftover_fen() -> None:
    # A (score 1000, 1/3 of the period) is capped at 100 × 1/3 = 33.333… → 33.33 (down to the 分)
    # B and C split the rest 66.67 equally: 33.335 each → 33.33 + 33.33, 1 分 left → B (name order).
    # Had the cap been kept as 33.333…, A would be cut too and, with the highest score, take that 分: 33.34.
    claims = [
        Claim("客服A", D("1000"), Fraction(1, 3)),
        Claim("客服B", D("10"), ONE),
        Claim("客服C", D("10"), ONE),
    ]
    result = allocate_pool(claims, D("100.00"), cap=D("100"))
    assert amounts(result) == {"客服A": D("33.33"), "客服B": D("33.34"), "客服C": D("33.33")}
    assert by_person(result)["客服A"].capped
    assert workings(result)["客服B"] == "剩余 66.67 × 10 ÷ 20 = 33.34（含分尾差 0.01）"


FOUR = [Claim(f"客服{n}", D("80"), ONE) for n in "ABCD"]


@pytest.mark.parametrize(
    ("claims", "kwargs", "message"),
    [
        (
            FOUR,
            {"pool": D("50000"), "floor": D("13000")},
            "奖金池 50,000.00 元不够保底：4 人保底合计 52,000.00 元（差 2,000.00 元） — 调低 --floor 或加大 --pool",
        ),
        (
            FOUR,
            {"pool": D("50000"), "cap": D("10000")},
            "奖金池 50,000.00 元超过封顶：4 人封顶合计 40,000.00 元（10,000.00 元发不出去） — 调高 --cap 或减小 --pool",
        ),
        (
            [*FOUR[:3], Claim("客服D", D("0"), ONE)],
            {"pool": D("50000"), "cap": D("10000")},
            "奖金池 50,000.00 元超过封顶：3 人封顶合计 30,000.00 元，另有 1 人得分为 0 只拿保底"
            "（20,000.00 元发不出去） — 调高 --cap 或减小 --pool",
        ),
        (
            [Claim("客服A", D("0"), ONE), Claim("客服B", D("0"), ONE)],
            {"pool": D("100")},
            "参与分配的 2 人得分（或在岗折算）都是 0，奖金池 100.00 元无法按得分分配 — 检查得分，或改用 基数 × 档位系数 分配",
        ),
        (
            FOUR,
            {"pool": D("100.005")},
            "奖金池 100.005 元须大于 0 且精确到分 — 用 --pool 给出如 50000 或 12345.67 的金额",
        ),
        (
            FOUR,
            {"pool": D("0")},
            "奖金池 0 元须大于 0 且精确到分 — 用 --pool 给出如 50000 或 12345.67 的金额",
        ),
        (
            FOUR,
            {"pool": D("-5")},
            "奖金池 -5 不是 0 或正的金额 — 用 --pool 给出如 50000 或 12345.67 的金额",
        ),
        (
            [Claim("客服A", None, ONE), Claim("客服B", None, ONE)],
            {"pool": D("100")},
            "2 人里没有可参与分配的人（2 人得分未知）— 补齐缺的得分后重新计算",
        ),
        (
            [Claim("客服A", None, ONE), Claim("客服B", D("50"), ONE)],
            {"pool": D("100"), "min_score": D("60")},
            "2 人里没有可参与分配的人（1 人得分未知、1 人低于 60 分）— 补齐缺的得分或调低 --min-score 后重新计算",
        ),
        (
            FOUR,
            {"pool": D("100"), "floor": D("50"), "cap": D("40")},
            "保底 50.00 元高于封顶 40.00 元 — 调低 --floor 或调高 --cap",
        ),
        (
            [Claim("客服A", D("80"), Fraction(1, 3))],
            {"pool": D("100"), "floor": D("1000"), "cap": D("1000")},
            "客服A 按在岗 1/3 折算后保底与封顶之间没有整分的金额 — 把 --cap 调得比 --floor 高一些",
        ),
        ([], {"pool": D("100")}, "没有可分配奖金的人 — 检查 --period 和 --role 是否选对了人"),
        (
            [Claim("客服A", D("80"), ONE), Claim("客服A", D("70"), ONE)],
            {"pool": D("100")},
            "客服A 出现了不止一次 — 每人只能有一条得分",
        ),
        (
            [Claim("客服A", D("80"), Fraction(31, 30))],
            {"pool": D("100")},
            "客服A 的在岗折算 31/30 不在 0–1 之间 — 检查入离职日期",
        ),
        (
            [Claim("客服A", D("-1"), ONE)],
            {"pool": D("100")},
            "客服A 的得分 -1 无效 — 得分须为 0 或正数",
        ),
    ],
)
def test_pool_errors_are_one_line(claims: list[Claim], kwargs: dict[str, Decimal], message: str) -> None:
    with pytest.raises(UserError) as caught:
        allocate_pool(claims, **kwargs)
    assert str(caught.value) == message
    assert "\n" not in message


def test_floors_that_just_fit_pay_everyone_the_floor() -> None:
    result = allocate_pool(FOUR, D("52000"), floor=D("13000"))
    assert set(amounts(result).values()) == {D("13000.00")}
    result = allocate_pool(FOUR, D("40000"), cap=D("10000"))
    assert set(amounts(result).values()) == {D("10000.00")}


def test_base_with_tiers_and_proration() -> None:
    # 3,000 × 1.2 × 21/30 = 2,520 · 3,000 × 1.0 = 3,000 · 3,000 × 0.8 = 2,400 · 3,000 × 0 = 0
    claims = [
        Claim("客服A", D("92"), Fraction(21, 30), D("1.2"), "金牌"),
        Claim("客服B", D("85"), ONE, D("1.0"), "银牌"),
        Claim("客服C", D("75"), ONE, D("0.8"), "铜牌"),
        Claim("客服D", D("50"), ONE, D("0"), "待改进"),
        Claim("客服E", None, ONE),
    ]
    result = allocate_base(claims, D("3000"))
    assert result.method == "base"
    assert amounts(result) == {
        "客服A": D("2520.00"),
        "客服B": D("3000.00"),
        "客服C": D("2400.00"),
        "客服D": D("0.00"),
        "客服E": None,
    }
    assert result.total == D("7920.00")
    assert workings(result) == {
        "客服A": "3,000.00 × 1.2（金牌）× 7/10 = 2,520.00",
        "客服B": "3,000.00 × 1（银牌）= 3,000.00",
        "客服C": "3,000.00 × 0.8（铜牌）= 2,400.00",
        "客服D": "3,000.00 × 0（待改进）= 0.00",
        "客服E": "得分未知（缺数据），未参与分配",
    }
    assert all(a.share is None for a in result.allocations)
    assert result.notes == ("注意：1 人得分未知，未参与分配：客服E — 合计只含其余的人；补齐数据后重新计算",)
    # floor 500, cap 3,300 (pro-rated for A: 3,300 × 7/10 = 2,310 < 2,520 → capped)
    limited = allocate_base(claims, D("3000"), floor=D("500"), cap=D("3300"))
    assert amounts(limited) == {
        "客服A": D("2310.00"),
        "客服B": D("3000.00"),
        "客服C": D("2400.00"),
        "客服D": D("500.00"),
        "客服E": None,
    }
    assert limited.total == D("8210.00")
    assert (
        workings(limited)["客服A"]
        == "3,000.00 × 1.2（金牌）× 7/10 = 2,520.00 → 封顶 3,300.00 × 7/10 = 2,310.00"
    )
    assert workings(limited)["客服D"] == "3,000.00 × 0（待改进）= 0.00 → 保底 500.00"
    assert [(a.capped, a.floored) for a in limited.allocations][0::3] == [(True, False), (False, True)]


@pytest.mark.parametrize(
    ("base", "coefficient", "proration", "expected"),
    [
        ("1000.05", "0.5", ONE, "500.03"),  # 500.025 → half-up
        ("1000.01", "0.5", ONE, "500.01"),  # 500.005 → half-up
        ("1000.01", "0.3", ONE, "300.00"),  # 300.003 → down
        ("100", "1", Fraction(2, 3), "66.67"),  # 66.666…
        ("100", "1", Fraction(1, 3), "33.33"),  # 33.333…
        ("0.01", "0.5", ONE, "0.01"),  # 0.005 → half-up
    ],
)
def test_base_rounds_half_up(base: str, coefficient: str, proration: Fraction, expected: str) -> None:
    result = allocate_base([Claim("客服A", D("80"), proration, D(coefficient), "")], D(base))
    assert result.allocations[0].amount == D(expected)
    assert result.total == D(expected)


def test_base_errors() -> None:
    with pytest.raises(UserError) as caught:
        allocate_base([Claim("客服A", D("80"), ONE, D("1"))], D("-1"))
    assert str(caught.value) == "奖金基数 -1 不是 0 或正的金额 — 用 --base 给出如 50000 或 12345.67 的金额"
    with pytest.raises(UserError) as caught:
        allocate_base([Claim("客服A", None, ONE), Claim("客服B", D("80"), ONE)], D("3000"))
    assert str(caught.value) == "2 人的得分或档位系数都未知，没有可分配的人 — 补齐缺的得分后重新计算"
    with pytest.raises(UserError) as caught:
        allocate_base([Claim("客服A", D("80"), ONE, D("-0.5"), "铜牌")], D("3000"))
    assert str(caught.value) == "客服A 的档位系数 -0.5 无效 — 系数须为 0 或正数，如 1.2"


def reference_split(
    weights: list[Fraction], lows: list[Fraction], highs: list[Fraction | None], pool: Fraction
) -> list[Fraction]:
    """The brief's water-filling, written independently: split by weight; if the money over the caps
    outweighs the money under the floors, fix the capped (the level can only rise), else the floored."""
    fixed: dict[int, Fraction] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        rest = pool - sum(fixed.values(), Fraction(0))
        total = sum((weights[i] for i in free), Fraction(0))
        tentative = {i: rest * weights[i] / total if total else Fraction(0) for i in free}
        over = {i: v - h for i, v in tentative.items() if (h := highs[i]) is not None and v > h}
        under = {i: lows[i] - v for i, v in tentative.items() if v < lows[i]}
        if not over and not under:
            fixed.update(tentative)
            return [fixed[i] for i in range(len(weights))]
        excess, deficit = sum(over.values(), Fraction(0)), sum(under.values(), Fraction(0))
        if excess >= deficit:
            fixed.update({i: highs[i] or Fraction(0) for i in over})
        if deficit >= excess:
            fixed.update({i: lows[i] for i in under})


def random_case(rng: random.Random) -> tuple[list[Claim], Decimal, dict[str, Decimal | None]]:
    people = rng.randint(1, 12)
    claims = []
    for n in range(people):
        score = None if rng.random() < 0.1 else D(rng.randint(0, 1100)) / 10
        days = rng.choice([30, 31, 28])
        proration = ONE if rng.random() < 0.6 else Fraction(rng.randint(1, days), days)
        claims.append(Claim(f"员工{n:02d}", score, proration))
    pool = D(rng.randint(1, 20_000_000)) / 100  # 0.01 … 200,000.00
    per_head = pool / people
    floor = None if rng.random() < 0.5 else (per_head * D(rng.uniform(0, 1.1))).quantize(D("0.01"))
    cap = None if rng.random() < 0.5 else (per_head * D(rng.uniform(0.9, 3))).quantize(D("0.01"))
    if floor is not None and cap is not None and floor > cap:
        floor, cap = cap, floor
    min_score = None if rng.random() < 0.7 else D(rng.randint(0, 800)) / 10
    return claims, pool, {"floor": floor, "cap": cap, "min_score": min_score}


def test_random_cases_sum_to_the_pool_exactly() -> None:
    rng = random.Random(17)
    paid = refused = 0
    for _ in range(500):
        claims, pool, options = random_case(rng)
        floor, cap, min_score = options["floor"], options["cap"], options["min_score"]
        eligible = [c for c in claims if c.score is not None and (min_score is None or c.score >= min_score)]
        lows = [Fraction(math.ceil(Fraction(floor or 0) * c.proration * 100), 100) for c in eligible]
        highs = [
            None if cap is None else Fraction(math.floor(Fraction(cap) * c.proration * 100), 100)
            for c in eligible
        ]
        weights = [Fraction(c.score or 0) * c.proration for c in eligible]
        people = list(zip(weights, lows, highs, strict=True))
        uncapped = any(h is None and w > 0 for w, _, h in people)
        most = sum((h if w > 0 and h is not None else lo for w, lo, h in people), Fraction(0))
        fits = sum(lows, Fraction(0)) <= pool and (uncapped or most >= pool)
        feasible = bool(eligible) and fits and all(h is None or lo <= h for _, lo, h in people)
        if not feasible:
            with pytest.raises(UserError):
                allocate_pool(claims, pool, floor=floor, cap=cap, min_score=min_score)
            refused += 1
            continue
        result = allocate_pool(claims, pool, floor=floor, cap=cap, min_score=min_score)
        paid += 1
        assert result.total == pool
        assert sum((a.amount for a in result.allocations if a.amount is not None), D(0)) == pool
        assert sum((a.share for a in result.allocations if a.share is not None), Fraction(0)) == 1
        exact = reference_split(weights, lows, highs, Fraction(pool))
        got = by_person(result)
        for claim, want, low, high in zip(eligible, exact, lows, highs, strict=True):
            amount = got[claim.person].amount
            assert amount is not None and amount.as_tuple().exponent == -2
            assert amount >= 0
            assert Fraction(amount) >= Fraction(floor or 0) * claim.proration
            assert cap is None or Fraction(amount) <= Fraction(cap) * claim.proration
            assert low <= Fraction(amount) and (high is None or Fraction(amount) <= high)
            # rounding moves an amount by less than one 分 from the exact water-filled split
            assert abs(Fraction(amount) - want) < Fraction(1, 100)
        for claim in claims:
            if claim.score is None:
                assert got[claim.person].amount is None
                assert any(claim.person in note for note in result.notes)
            elif claim not in eligible:
                assert got[claim.person].amount == D("0.00")
        assert len(result.allocations) == len(claims)
    assert paid >= 300 and refused >= 20, (paid, refused)


def test_random_base_cases() -> None:
    rng = random.Random(1117)
    for _ in range(200):
        coefficient = D(rng.choice(["0", "0.5", "0.8", "1.0", "1.2", "1.5"]))
        proration = ONE if rng.random() < 0.5 else Fraction(rng.randint(1, 31), 31)
        base = D(rng.randint(0, 1_000_000)) / 100
        floor = None if rng.random() < 0.5 else D(rng.randint(0, 200_000)) / 100
        cap = None if rng.random() < 0.5 else D(rng.randint(200_000, 900_000)) / 100
        result = allocate_base(
            [Claim("客服A", D("80"), proration, coefficient, "档")], base, floor=floor, cap=cap
        )
        amount = result.allocations[0].amount
        assert amount is not None and amount.as_tuple().exponent == -2 and amount == result.total
        raw = Fraction(base) * Fraction(coefficient) * proration
        low = Fraction(floor or 0) * proration
        high = None if cap is None else Fraction(cap) * proration
        expected = math.floor(raw * 100 + Fraction(1, 2))
        expected = max(expected, math.ceil(low * 100))
        if high is not None:
            expected = min(expected, math.floor(high * 100))
        assert amount == D(expected) / 100
        assert Fraction(amount) >= low and (high is None or Fraction(amount) <= high)
