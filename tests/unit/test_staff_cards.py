"""The scorecard gallery (issue 17): every problem ``parse_cards`` finds in a card, with its exact message;
scoring a line (bands, linear, formula); which card is in effect; scorecards.yaml in a workspace.

Each ``CardCase`` is one bad card and the exact problem lines it must give (one line per problem).
``test_every_problem_is_said`` checks that each of them is said, word for word, in order;
``test_nothing_else_is_said`` that the message is exactly those lines. A case whose wording is not yet
what it should be carries ``wording_xfail`` (both tests fail until cards.py says it right), one whose
message says more than its problems ``alone_xfail``; the reason says what is wrong in src/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopops.analysis.targets.periods import TargetPeriod
from shopops.domains.staff.cards import (
    DEFAULT_TIERS,
    Band,
    Card,
    CardError,
    Line,
    card_for,
    line_score,
    parse_cards,
)
from shopops.domains.staff.library import CARDS_FILE, PRESETS, all_cards, preset_cards
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.workspace import Workspace

ORIGIN = "scorecards.yaml"
CARD = f"{ORIGIN} 第 1 张评分表（客服售前）"
LINE1 = f"{CARD} 第 1 项（询单转化率）"
LINE2 = f"{CARD} 第 2 项（出勤率）"
# A broken line is counted with weight 0, so the card's total is then said to be short by its weight.
SPURIOUS_TOTAL = "a line with a problem is counted as weight 0, so a false 权重合计 line follows it"
BANDS_TEXT = "bands 应为分档列表，如 [[0.45, 100], [0.40, 80]]（达到值, 得分）"
FORMULA_WORDS = "只能用 value、target、数字、+ - * / 和 min/max/abs"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def line_1(**changes: Any) -> dict[str, Any]:
    """询单转化率, the person's own, 60 %, bands ≥45 % → 100, ≥40 % → 80 (a change of None drops a key)."""
    line = {
        "name": "询单转化率",
        "metric": "inquiry_conversion",
        "weight": 60,
        "bands": [[0.45, 100], [0.40, 80]],
    }
    return {k: v for k, v in (line | changes).items() if v is not None}


def line_2(**changes: Any) -> dict[str, Any]:
    """出勤率, a manual input, 40 %, bands ≥100 % → 100, ≥95 % → 80."""
    line = {
        "name": "出勤率",
        "input": "出勤率",
        "unit": "ratio",
        "weight": 40,
        "bands": [[1.0, 100], [0.95, 80]],
    }
    return {k: v for k, v in (line | changes).items() if v is not None}


def card(*lines: Mapping[str, Any] | str, **changes: Any) -> dict[str, Any]:
    entry = {"role": "客服售前", "from": "2026-11", "lines": list(lines or (line_1(), line_2()))}
    return {k: v for k, v in (entry | changes).items() if v is not None}


def tiers(*items: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"label": label, "min": minimum, "coefficient": 1} for label, minimum in items]


@dataclass(frozen=True)
class CardCase:
    id: str
    entries: Sequence[Any]
    problems: tuple[str, ...]  # the exact lines of the message, one per problem
    wording_xfail: str | None = None  # a problem is not yet said as it should be
    alone_xfail: str | None = None  # the message says more than the problems


CASES: list[CardCase] = [
    # -- weights -------------------------------------------------------------------------------
    CardCase(
        "weights-add-to-95",
        [card(line_1(weight=55), line_2())],
        (f"{CARD}：权重合计 95%，应为 100%（差 5%）",),
    ),
    CardCase(
        "weights-add-to-105",
        [card(line_1(weight=65), line_2())],
        (f"{CARD}：权重合计 105%，应为 100%（多 5%）",),
    ),
    CardCase(
        "weight-over-100",
        [card(line_1(weight=120), line_2())],
        (f"{LINE1}：权重 120 应是 0 到 100 之间的百分数（如 20 表示 20%）",),
    ),
    CardCase(
        "weight-zero",
        [card(line_1(weight=0), line_2(weight=100))],
        (f"{LINE1}：权重 0 应是大于 0、不超过 100 的百分数（如 20 表示 20%）",),
    ),
    CardCase(
        "weight-not-a-number",
        [card(line_1(weight="六十"), line_2())],
        (f"{LINE1}：权重 '六十' 应是 0 到 100 之间的百分数（如 20 表示 20%）",),
    ),
    CardCase(
        "weight-missing",
        [card(line_1(weight=None), line_2())],
        (f"{LINE1}：缺少权重 weight（百分数，如 20 表示 20%）",),
    ),
    # -- what a line measures ----------------------------------------------------------------
    CardCase(
        "unknown-metric",
        [card(line_1(metric="inquiry_rate"), line_2())],
        (f"{LINE1}：指标 inquiry_rate 不在指标目录里 — shopops metrics 列出全部指标",),
    ),
    CardCase(
        "own-metric-that-exists-only-per-shop",
        [card(line_1(metric="gmv"), line_2())],
        (
            f"{LINE1}：指标 gmv（支付金额）没有按人的数据，只有店铺的"
            " — 写 scope: shops（按负责店铺计），或换一个按人的指标",
        ),
    ),
    CardCase(
        "metric-and-input-both",
        [card(line_1(input="询单转化率"), line_2())],
        (f"{LINE1}：metric（指标目录里的指标）和 input（手工录入项）要写且只写一个",),
    ),
    CardCase(
        "metric-and-input-neither",
        [card(line_1(metric=None), line_2())],
        (f"{LINE1}：metric（指标目录里的指标）和 input（手工录入项）要写且只写一个",),
    ),
    CardCase(
        "scope-unknown",
        [card(line_1(scope="team"), line_2())],
        (f"{LINE1}：scope 'team' 应为 own（本人）或 shops（负责店铺）",),
    ),
    CardCase(
        "target-input-on-an-input-line",
        [card(line_1(), line_2(target_input="出勤天数"))],
        (f"{LINE2}：target_input（完成率的目标）只能配 metric，不能配手工录入项",),
    ),
    CardCase(
        "direction-unknown",
        [card(line_1(direction="higher"), line_2())],
        (f"{LINE1}：direction 'higher' 应为 up（越高越好）或 down（越低越好）",),
    ),
    CardCase(
        "cap-not-positive",
        [card(line_1(cap=0), line_2())],
        (f"{LINE1}：封顶 cap 0 应是正数（默认 100）",),
    ),
    # -- how a line scores ---------------------------------------------------------------------
    CardCase(
        "two-scoring-methods",
        [card(line_1(linear={"floor": 0.3, "target": 0.45}), line_2())],
        (f"{LINE1}：计分方式 bands（分档）、linear（线性）、formula（公式）要写且只写一个",),
    ),
    CardCase(
        "no-scoring-method",
        [card(line_1(bands=None), line_2())],
        (f"{LINE1}：计分方式 bands（分档）、linear（线性）、formula（公式）要写且只写一个",),
    ),
    CardCase(
        "bands-out-of-order-up",
        [card(line_1(bands=[[0.40, 80], [0.45, 100]]), line_2())],
        (f"{LINE1}：分档未按顺序：第 2 档 ≥0.45 应低于第 1 档 ≥0.4",),
    ),
    CardCase(
        "bands-out-of-order-down",
        [
            card(
                line_1(
                    name="响应时间",
                    metric="service_response_seconds",
                    weight=100,
                    bands=[[35, 100], [55, 60], [45, 80]],
                )
            )
        ],
        (f"{CARD} 第 1 项（响应时间）：分档未按顺序：第 3 档 ≤45 应高于第 2 档 ≤55",),
    ),
    CardCase(
        "band-scores-rising",
        [card(line_1(bands=[[0.45, 80], [0.40, 100]]), line_2())],
        (f"{LINE1}：分档得分应逐档不升：第 2 档 100 分 高于第 1 档 80 分",),
    ),
    CardCase(
        "band-unreadable",
        [card(line_1(bands=[[0.45, 100], [0.40, "八十"]]), line_2())],
        (f"{LINE1}：分档 [0.4, '八十'] 应写成 [达到值, 得分]",),
    ),
    CardCase(
        "band-of-three-numbers",
        [card(line_1(bands=[[0.45, 100, 5]]), line_2())],
        (f"{LINE1}：分档 [0.45, 100, 5] 应写成 [达到值, 得分]",),
    ),
    CardCase(
        "bands-text-unreadable",  # a sheet's 分档 that parse_bands could not read is passed on as text
        [card(line_1(bands="≥0.45 100分"), line_2())],
        (f"{LINE1}：分档 '≥0.45 100分' 应写成「≥0.45:100；≥0.40:80」（越低越好的写 ≤）",),
    ),
    CardCase(
        "bands-not-a-list",
        [card(line_1(bands={"0.45": 100}), line_2())],
        (f"{LINE1}：{BANDS_TEXT}",),
    ),
    CardCase(
        "linear-floor-above-target-up",
        [card(line_1(bands=None, linear={"floor": 0.5, "target": 0.45}), line_2())],
        (f"{LINE1}：线性计分的 floor 0.5 应低于 target 0.45（方向 up）",),
    ),
    CardCase(
        "linear-floor-below-target-down",
        [
            card(
                line_1(metric="service_response_seconds", bands=None, linear={"floor": 30, "target": 35}),
                line_2(),
            )
        ],
        (f"{LINE1}：线性计分的 floor 30 应高于 target 35（方向 down）",),
    ),
    CardCase(
        "linear-without-floor",
        [card(line_1(bands=None, linear={"target": 0.45}), line_2())],
        (f"{LINE1}：linear 要写 floor（0 分的值）和 target（100 分的值）",),
    ),
    CardCase(
        "linear-without-target",
        [card(line_1(bands=None, linear={"floor": 0.3}), line_2())],
        (f"{LINE1}：linear 要写 floor（0 分的值）和 target（100 分的值）",),
    ),
    CardCase(
        "formula-forbidden-name",
        [card(line_1(bands=None, target=0.45, formula="100 + (value - goal) / 0.01"), line_2())],
        (
            f"{LINE1}：公式 '100 + (value - goal) / 0.01' 用到了 goal — 只能用 value（实际值）和 target（目标）",
        ),
    ),
    CardCase(
        "formula-forbidden-call",
        [card(line_1(bands=None, target=0.45, formula="__import__('os').getcwd()"), line_2())],
        (f"{LINE1}：公式 \"__import__('os').getcwd()\" 只能调用 min、max、abs",),
    ),
    CardCase(
        "formula-power",
        [card(line_1(bands=None, target=0.45, formula="value ** 2"), line_2())],
        (f"{LINE1}：公式 'value ** 2' {FORMULA_WORDS}",),
    ),
    CardCase(
        "formula-syntax",
        [card(line_1(bands=None, target=0.45, formula="100 + (value - target"), line_2())],
        (f"{LINE1}：公式 '100 + (value - target' 写得不对（{FORMULA_WORDS}）",),
    ),
    CardCase(
        "formula-without-its-target",
        [card(line_1(bands=None, formula="100 + (value - target) / 0.01"), line_2())],
        (f"{LINE1}：公式用到 target，请写 target",),
    ),
    CardCase(
        "formula-text-constant",
        [card(line_1(bands=None, target=0.45, formula="value + '1'"), line_2())],
        (f"{LINE1}：公式 \"value + '1'\" {FORMULA_WORDS}",),
    ),
    CardCase(
        "formula-max-of-nothing",
        [card(line_1(bands=None, target=0.45, formula="100 * max()"), line_2())],
        (f"{LINE1}：公式 '100 * max()' 写得不对（{FORMULA_WORDS}）",),
    ),
    # -- keys ---------------------------------------------------------------------------------
    CardCase(
        "unknown-line-key",
        [card(line_1(wieght=60), line_2())],
        (
            f"{LINE1}：未知字段 wieght（可用：bands、basis、cap、direction、formula、input、linear、metric、name、"
            "otherwise、scope、target、target_input、unit、weight）",
        ),
    ),
    CardCase(
        "unknown-card-key",
        [card(owner="张主管")],
        (f"{CARD}：未知字段 owner（可用：evidence、from、lines、role、tiers、version）",),
    ),
    CardCase(
        "line-not-a-mapping",
        [card("询单转化率", line_2())],
        (f"{CARD} 第 1 项：'询单转化率' 应写成一个考核项（name、metric 或 input、weight、计分方式）",),
    ),
    CardCase(
        "card-not-a-mapping",
        ["客服售前"],
        (f"{ORIGIN} 第 1 张评分表：'客服售前' 应写成一张评分表（role、from、lines …）",),
    ),
    # -- the card ----------------------------------------------------------------------------
    CardCase(
        "role-missing",
        [card(role=None)],
        (f"{ORIGIN} 第 1 张评分表：缺少 role（岗位，如 客服售前）",),
    ),
    CardCase(
        "from-not-a-month",
        [card(**{"from": "2026-13"})],
        (f"{CARD}：from '2026-13' 不是月份 — 写 2026-11 这样的生效月份",),
    ),
    CardCase(
        "from-a-quarter",
        [card(**{"from": "2026-Q4"})],
        (f"{CARD}：from '2026-Q4' 不是月份 — 写 2026-11 这样的生效月份",),
    ),
    CardCase(
        "same-role-and-month-twice",
        [card(), card(version="v2")],
        (f"{ORIGIN} 第 2 张评分表（客服售前）：客服售前 在 2026-11 起已有一张评分表 — 删去一张或改生效月份",),
    ),
    CardCase(
        "no-lines",
        [card(lines=[])],
        (f"{CARD}：没有考核项（lines）",),
    ),
    CardCase(
        "line-name-twice",
        [card(line_1(weight=30), line_1(weight=30), line_2())],
        (f"{CARD}：考核项「询单转化率」出现了两次 — 每项只写一行",),
    ),
    CardCase(
        "tiers-out-of-order",
        [card(tiers=tiers(("银牌", 80), ("金牌", 90), ("铜牌", 70)))],
        (f"{CARD}：等级未按从高到低排列：金牌 的最低分 90 应低于 银牌 的 80",),
    ),
    CardCase(
        "tiers-same-minimum",
        [card(tiers=tiers(("金牌", 90), ("银牌", 90)))],
        (f"{CARD}：等级未按从高到低排列：银牌 的最低分 90 应低于 金牌 的 90",),
    ),
    CardCase(
        "tier-twice",
        [card(tiers=tiers(("金牌", 90), ("金牌", 80)))],
        (f"{CARD}：等级「金牌」出现了两次",),
    ),
    CardCase(
        "tier-unreadable",
        [card(tiers=[{"label": "金牌", "minimum": 90, "coefficient": 1.2}])],
        (
            f"{CARD}：等级 {{'label': '金牌', 'minimum': 90, 'coefficient': 1.2}} 应写 label、min（最低分）和 coefficient（奖金系数）",
        ),
    ),
    CardCase(
        "tiers-text-unreadable",  # a sheet's 等级 that parse_tiers could not read is passed on as text
        [card(tiers="金牌90分以上")],
        (f"{CARD}：等级 '金牌90分以上' 应写成「金牌≥90×1.2；银牌≥80×1.0；铜牌≥70×0.8；待改进≥0×0」",),
    ),
    CardCase(
        "tiers-not-a-list",
        [card(tiers={"金牌": 90})],
        (f"{CARD}：tiers 应为等级列表，如 [{{label: 金牌, min: 90, coefficient: 1.2}}]",),
    ),
    # -- several problems at once: all of them, one per line, in the order of the file ---------
    CardCase(
        "several-problems-at-once",
        [
            card(line_1(metric="inquiry_rate"), line_2(bands=[[0.9, 60], [0.95, 80]]), owner="张主管"),
            card(role=None),
            card(),
        ],
        (
            f"{CARD}：未知字段 owner（可用：evidence、from、lines、role、tiers、version）",
            f"{LINE1}：指标 inquiry_rate 不在指标目录里 — shopops metrics 列出全部指标",
            f"{LINE2}：分档未按顺序：第 2 档 ≥0.95 应低于第 1 档 ≥0.9",
            f"{ORIGIN} 第 2 张评分表：缺少 role（岗位，如 客服售前）",
            f"{ORIGIN} 第 3 张评分表（客服售前）：客服售前 在 2026-11 起已有一张评分表 — 删去一张或改生效月份",
        ),
    ),
]


def said(case: CardCase, catalog: Catalog) -> list[str]:
    with pytest.raises(CardError) as raised:
        parse_cards(case.entries, ORIGIN, catalog)
    return str(raised.value).split("\n")


def _params(kind: str) -> list[Any]:
    params = []
    for case in CASES:
        reasons = [case.wording_xfail] if kind == "said" else [case.wording_xfail, case.alone_xfail]
        reason = next((r for r in reasons if r), None)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@pytest.mark.parametrize("case", _params("said"))
def test_every_problem_is_said(case: CardCase, catalog: Catalog) -> None:
    lines = said(case, catalog)
    assert [line for line in lines if line in case.problems] == list(case.problems)


@pytest.mark.parametrize("case", _params("alone"))
def test_nothing_else_is_said(case: CardCase, catalog: Catalog) -> None:
    """One line per problem and nothing more; a single problem is one line (``；``-joined is for none)."""
    assert said(case, catalog) == list(case.problems)


def test_gallery_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


def test_a_good_card_parses(catalog: Catalog) -> None:
    (parsed,) = parse_cards([card(version="v3", tiers=tiers(("A", 90), ("B", 60)))], ORIGIN, catalog)
    assert (parsed.role, parsed.valid_from.key, parsed.version, parsed.origin) == (
        "客服售前",
        "2026-11",
        "v3",
        ORIGIN,
    )
    assert [(line.number, line.name, line.weight) for line in parsed.lines] == [
        (1, "询单转化率", Decimal(60)),
        (2, "出勤率", Decimal(40)),
    ]
    first, second = parsed.lines
    assert (first.metric, first.scope, first.direction, first.unit) == (
        "inquiry_conversion",
        "own",
        "up",
        "ratio",
    )
    assert first.bands == (Band(0.45, 100), Band(0.40, 80))
    assert (second.input, second.metric, second.unit) == ("出勤率", None, "ratio")
    assert [t.label for t in parsed.tiers] == ["A", "B"]
    assert parsed.title == "评分表 客服售前（2026-11 起，scorecards.yaml）"


def test_weights_may_be_written_as_percent(catalog: Catalog) -> None:
    (parsed,) = parse_cards([card(line_1(weight="60%"), line_2(weight="40"))], ORIGIN, catalog)
    assert [line.weight for line in parsed.lines] == [Decimal(60), Decimal(40)]


def test_a_line_direction_defaults_to_its_metric(catalog: Catalog) -> None:
    line = line_1(name="响应时间", metric="service_response_seconds", bands=[[35, 100], [45, 80]], weight=100)
    (parsed,) = parse_cards([card(line)], ORIGIN, catalog)
    assert parsed.lines[0].direction == "down"


# -- the presets ---------------------------------------------------------------------------------


def test_the_presets_parse(catalog: Catalog) -> None:
    cards = preset_cards(catalog)
    assert sorted(c.role for c in cards) == sorted(["客服售前", "客服售后", "运营", "推广", "美工"])
    for each in cards:
        assert each.origin == PRESETS and each.valid_from.key == "2026-01"
        assert sum(line.weight for line in each.lines) == 100, each.role
        assert each.tiers == DEFAULT_TIERS
    pre_sales = next(c for c in cards if c.role == "客服售前")
    assert [(line.name, line.weight) for line in pre_sales.lines] == [
        ("指标完成率", 30), ("询单转化率", 20), ("客单价", 20), ("回复率", 20), ("响应时间", 5), ("出勤率", 5),
    ]  # fmt: skip
    assert [t.label for t in pre_sales.tiers] == ["金牌", "银牌", "铜牌", "待改进"]


# -- scoring a line --------------------------------------------------------------------------------


def preset_line(role: str, name: str) -> Line:
    found = card_for(preset_cards(), role, TargetPeriod.month(2026, 11))
    assert found is not None
    return next(line for line in found.lines if line.name == name)


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (0.46, D("100.00")),
        (0.45, D("100.00")),  # exactly on a threshold: that band
        (0.412, D("80.00")),  # 41.2 % → band ≥ 40 % → 80
        (0.40, D("80.00")),
        (0.3999, D("60.00")),
        (0.35, D("60.00")),
        (0.3499, D("0.00")),  # below the last band: otherwise (0)
        (0.0, D("0.00")),
    ],
)
def test_bands_up(value: float, score: Decimal) -> None:
    assert line_score(preset_line("客服售前", "询单转化率"), value) == score


@pytest.mark.parametrize(
    ("seconds", "score"),
    [
        (12.0, D("100.00")),
        (35.0, D("100.00")),  # ≤ 35 s → 100, on the threshold
        (35.01, D("80.00")),
        (45.0, D("80.00")),
        (55.0, D("60.00")),
        (55.5, D("0.00")),  # slower than every band
    ],
)
def test_bands_down(seconds: float, score: Decimal) -> None:
    assert line_score(preset_line("客服售前", "响应时间"), seconds) == score


def test_bands_otherwise(catalog: Catalog) -> None:
    (parsed,) = parse_cards([card(line_1(otherwise=10), line_2())], ORIGIN, catalog)
    assert line_score(parsed.lines[0], 0.2) == D("10.00")


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (100.0, D("100.00")),
        (88.0, D("70.00")),  # (88 − 60) ÷ (100 − 60) × 100
        (61.0, D("2.50")),
        (60.0, D("0.00")),
        (45.0, D("0.00")),  # below the floor: clipped at 0
        (110.0, D("100.00")),  # above the target: clipped at the cap (100)
    ],
)
def test_linear(value: float, score: Decimal) -> None:
    assert line_score(preset_line("客服售后", "质检分"), value) == score


def test_linear_with_a_cap_above_100(catalog: Catalog) -> None:
    line = {
        "name": "质检分",
        "input": "质检分",
        "weight": 100,
        "linear": {"floor": 60, "target": 100},
        "cap": 120,
    }
    (parsed,) = parse_cards([card(line)], ORIGIN, catalog)
    assert line_score(parsed.lines[0], 104.0) == D("110.00")
    assert line_score(parsed.lines[0], 110.0) == D("120.00")  # 125 clipped at 120


def test_linear_down(catalog: Catalog) -> None:
    line = line_1(
        metric="service_response_seconds", bands=None, linear={"floor": 60, "target": 30}, weight=100
    )
    (parsed,) = parse_cards([card(line)], ORIGIN, catalog)
    assert line_score(parsed.lines[0], 40.0) == D("66.67")  # (40 − 60) ÷ (30 − 60) × 100
    assert line_score(parsed.lines[0], 20.0) == D("100.00")
    assert line_score(parsed.lines[0], 75.0) == D("0.00")


@pytest.mark.parametrize(
    ("roi", "score"),
    [
        (3.4, D("102.00")),  # 100 + (3.4 − 3) ÷ 0.2 = 102 (1.9999… in floats, rounded half up)
        (3.0, D("100.00")),
        (2.5, D("97.50")),
        (7.0, D("120.00")),  # 120 → the cap
        (8.0, D("120.00")),  # 125 clipped at the cap 120
        (-20.0, D("0.00")),  # −15 clipped at 0
    ],
)
def test_formula_roi(roi: float, score: Decimal) -> None:
    line = preset_line("推广", "推广ROI")
    assert (line.method, line.formula, line.target, line.cap) == (
        "formula",
        "100 + (value - target) / 0.2",
        3,
        120,
    )
    assert line_score(line, roi) == score


def test_formula_with_min_max_abs(catalog: Catalog) -> None:
    formula = "min(100, max(0, 100 - abs(value - target) * 1000))"
    (parsed,) = parse_cards(
        [card(line_1(bands=None, target=0.45, formula=formula), line_2())], ORIGIN, catalog
    )
    assert line_score(parsed.lines[0], 0.43) == D("80.00")
    assert line_score(parsed.lines[0], 0.47) == D("80.00")


# -- which card is in effect -------------------------------------------------------------------


def built(role: str, month: str, origin: str = ORIGIN) -> Card:
    (parsed,) = parse_cards([card(role=role, **{"from": month})], origin, load_catalog())
    return parsed


@pytest.mark.parametrize(
    ("period", "chosen"),
    [
        (TargetPeriod.month(2025, 12), None),  # before any card
        (TargetPeriod.month(2026, 1), "2026-01"),
        (TargetPeriod.month(2026, 10), "2026-01"),
        (TargetPeriod.month(2026, 11), "2026-11"),  # the latest starting on or before the period
        (TargetPeriod.month(2027, 3), "2026-11"),
        (TargetPeriod.quarter(2026, 4), "2026-01"),  # Q4 starts 10-01, before the 2026-11 card
        (TargetPeriod.year(2027), "2026-11"),
    ],
)
def test_card_for(period: TargetPeriod, chosen: str | None) -> None:
    cards = [built("客服售前", "2026-11"), built("客服售前", "2026-01"), built("客服售后", "2026-12")]
    found = card_for(cards, "客服售前", period)
    assert (found.valid_from.key if found else None) == chosen
    assert card_for(cards, "运营", period) is None


# -- scorecards.yaml in a workspace ----------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


def cards_yaml(workspace: Workspace, text: str) -> None:
    (workspace.root / CARDS_FILE).write_text(text, encoding="utf-8")


OWN_CARD = """\
scorecards:
  - role: 客服售前
    from: 2026-11
    version: 本店 v1
    lines:
      - name: 询单转化率
        metric: inquiry_conversion
        weight: 70
        bands: [[0.45, 100], [0.40, 80]]
      - name: 出勤率
        input: 出勤率
        unit: ratio
        weight: 30
        bands: [[1.0, 100], [0.95, 80]]
"""


def test_a_workspace_card_replaces_the_preset_from_its_month(workspace: Workspace) -> None:
    with workspace:
        cards_yaml(workspace, OWN_CARD)
        cards = all_cards(workspace.connection)
        before = card_for(cards, "客服售前", TargetPeriod.month(2026, 10))
        after = card_for(cards, "客服售前", TargetPeriod.month(2026, 11))
        later = card_for(cards, "客服售前", TargetPeriod.month(2027, 2))
        assert before is not None and after is not None and later is not None
        assert (before.origin, before.version, len(before.lines)) == (PRESETS, "预设 2026.1", 6)
        assert (after.origin, after.version, [line.name for line in after.lines]) == (
            CARDS_FILE,
            "本店 v1",
            ["询单转化率", "出勤率"],
        )
        assert later == after
        other = card_for(cards, "客服售后", TargetPeriod.month(2026, 11))
        assert other is not None and other.origin == PRESETS  # the other roles keep their presets


def test_a_workspace_card_of_the_presets_month_wins_over_the_preset(workspace: Workspace) -> None:
    with workspace:
        cards_yaml(workspace, OWN_CARD.replace("2026-11", "2026-01"))
        cards = [c for c in all_cards(workspace.connection) if c.role == "客服售前"]
        assert [(c.valid_from.key, c.origin) for c in cards] == [("2026-01", CARDS_FILE)]


def test_a_card_of_a_new_role(workspace: Workspace) -> None:
    with workspace:
        cards_yaml(workspace, OWN_CARD.replace("客服售前", "直播运营"))
        found = card_for(all_cards(workspace.connection), "直播运营", TargetPeriod.month(2026, 12))
        assert found is not None and found.origin == CARDS_FILE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            OWN_CARD.replace("    lines:", "   lines:"),
            f"{CARDS_FILE} 第 5 行 不是合法的 YAML — 检查缩进和冒号",
        ),
        (
            "scorecards:\n  - role: 客服售前\n    from: [2026-11\n",
            f"{CARDS_FILE} 第 4 行 不是合法的 YAML — 检查缩进和冒号",
        ),
        (
            "\tscorecards: []\n",  # a tab
            f"{CARDS_FILE} 第 1 行 不是合法的 YAML — 检查缩进和冒号",
        ),
        (
            OWN_CARD.replace("weight: 70", "weight: 65"),
            f"{CARDS_FILE} 第 1 张评分表（客服售前）：权重合计 95%，应为 100%（差 5%）",
        ),
    ],
    ids=["bad-indent", "unclosed-bracket", "tab", "weights-95"],
)
def test_a_broken_scorecards_yaml_is_one_clear_line(workspace: Workspace, text: str, message: str) -> None:
    with workspace:
        cards_yaml(workspace, text)
        with pytest.raises(CardError) as raised:
            all_cards(workspace.connection)
        assert str(raised.value) == message


@pytest.mark.parametrize(
    "text", ["scorecards: 客服售前\n", "- role: 客服售前\n", ""], ids=["text", "list", "empty"]
)
def test_a_scorecards_yaml_that_is_not_a_list(workspace: Workspace, text: str) -> None:
    with workspace:
        cards_yaml(workspace, text)
        with pytest.raises(CardError) as raised:
            all_cards(workspace.connection)
        assert str(raised.value) == (
            f"{CARDS_FILE}：应以 scorecards: 开头，下面每张评分表一项（格式见 shopops staff cards --init 写出的预设）"
        )


def test_the_not_a_list_message_today(workspace: Workspace) -> None:
    """What it says now (one line), apart from the hint above."""
    with workspace:
        cards_yaml(workspace, "scorecards: 客服售前\n")
        with pytest.raises(CardError) as raised:
            all_cards(workspace.connection)
        assert str(raised.value).startswith(f"{CARDS_FILE}：应以 scorecards: 开头，下面每张评分表一项")
        assert "\n" not in str(raised.value)


def test_no_scorecards_yaml_means_the_presets(workspace: Workspace) -> None:
    with workspace:
        cards = all_cards(workspace.connection)
        assert {c.origin for c in cards} == {PRESETS}
        assert len(cards) == 5


def test_dates_in_a_workspace_card(workspace: Workspace) -> None:
    """YAML reads ``from: 2026-11-01`` as a date: it is the month 2026-11."""
    with workspace:
        cards_yaml(workspace, OWN_CARD.replace("from: 2026-11", "from: 2026-11-01"))
        found = card_for(all_cards(workspace.connection), "客服售前", TargetPeriod.month(2026, 11))
        assert found is not None and found.origin == CARDS_FILE
        assert found.valid_from == TargetPeriod.month(2026, 11)
        assert found.valid_from.start == dt.date(2026, 11, 1)
