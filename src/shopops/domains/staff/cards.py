"""Scorecards (评分表) as data: per role and period, lines of metric, weight, target, direction, scoring, cap.

A card is read from a mapping (the built-in presets, the workspace's ``scorecards.yaml``) or from the
rows of the Excel template (:mod:`.card_rows`), and is validated as it is read: weights add up to
100 %, metrics exist in the catalog (and can be computed per person where the line says ``own``),
bands are ordered, a linear line's floor is on the right side of its target, a formula names only
``value`` and ``target``. Every problem names the card and the line, and all of them are said at once.

Scoring (:func:`line_score`):
- ``bands``: the first band the value reaches — ``≥ threshold`` when higher is better, ``≤`` when
  lower is — gives the score; a value reaching none scores ``otherwise`` (0);
- ``linear``: 0 at ``floor``, 100 at ``target``, straight between, clipped to [0, cap];
- ``formula``: an expression of ``value`` and ``target`` (e.g. ``100 + (value - target) / 0.2``:
  one point per 0.2 of ROI above target), clipped to [0, cap].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any, Literal

from shopops.analysis.targets.periods import TargetPeriod, parse_period
from shopops.domains.staff.card_formula import evaluate, formula_problems
from shopops.errors import UserError
from shopops.metrics.catalog import Catalog

Direction = Literal["up", "down"]
Method = Literal["bands", "linear", "formula"]
Scope = Literal["own", "shops"]
SCOPE_LABELS = {"own": "本人", "shops": "负责店铺"}
METHOD_LABELS = {"bands": "分档", "linear": "线性", "formula": "公式"}
TARGETS = "targets"  # target_input naming the shops' targets (目标表) instead of a manual input
LINE_KEYS = {
    "name", "metric", "input", "scope", "target_input", "weight", "target", "direction",
    "bands", "otherwise", "linear", "formula", "cap", "basis", "unit",
}  # fmt: skip
CARD_KEYS = {"role", "from", "version", "tiers", "lines", "evidence"}


class CardError(UserError):
    """A scorecard that cannot be used: every problem, each naming its card and line."""


@dataclass(frozen=True)
class Band:
    threshold: float
    score: float


@dataclass(frozen=True)
class Tier:
    label: str
    minimum: float  # the lowest total of the tier
    coefficient: Decimal  # base × coefficient (奖金系数)


@dataclass(frozen=True)
class Line:
    number: int
    name: str
    weight: Decimal  # percent of the total
    direction: Direction
    method: Method
    metric: str | None = None  # a catalog metric …
    input: str | None = None  # … or a manual input (手工录入) of that name
    scope: Scope = "own"
    target_input: str | None = None  # 完成率: the metric ÷ this input (TARGETS: the shops' target)
    target: float | None = None
    bands: tuple[Band, ...] = ()
    otherwise: float = 0.0
    floor: float | None = None  # linear: the value that scores 0
    formula: str | None = None
    cap: float = 100.0
    basis: str = ""  # 口径版本 of the line
    unit: str = ""  # how the value reads: ratio (a share), money, count, score (seconds …)

    @property
    def source_label(self) -> str:
        return f"手工录入「{self.input}」" if self.input else f"{self.metric}（{SCOPE_LABELS[self.scope]}）"


@dataclass(frozen=True)
class Card:
    role: str
    valid_from: TargetPeriod  # the month it applies from
    version: str
    lines: tuple[Line, ...]
    tiers: tuple[Tier, ...]
    origin: str  # 预设 / scorecards.yaml / the imported file's name

    @property
    def title(self) -> str:
        return f"评分表 {self.role}（{self.valid_from.key} 起，{self.origin}）"

    def tier(self, total: Decimal | None) -> Tier | None:
        if total is None:
            return None
        return next((t for t in self.tiers if total >= Decimal(str(t.minimum))), None)


DEFAULT_TIERS = (
    Tier("金牌", 90, Decimal("1.2")),
    Tier("银牌", 80, Decimal("1.0")),
    Tier("铜牌", 70, Decimal("0.8")),
    Tier("待改进", 0, Decimal("0")),
)


def parse_cards(entries: Sequence[Mapping[str, Any]], origin: str, catalog: Catalog) -> list[Card]:
    """Cards from their mappings; CardError with every problem when one is wrong."""
    from shopops.metrics.people import per_person

    problems: list[str] = []
    cards: list[Card] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.append(
                f"{origin} 第 {index} 张评分表：{entry!r} 应写成一张评分表（role、from、lines …）"
            )
            continue
        role = str(entry.get("role") or "").strip()
        where = f"{origin} 第 {index} 张评分表" + (f"（{role}）" if role else "")
        if "_rows" in entry:  # a sheet's card: its rows name it
            first, last = entry["_rows"]
            where = (
                f"第 {first}–{last} 行 {role}（{entry.get('from')} 起）"
                if first != last
                else f"第 {first} 行 {role}"
            )
        unknown = sorted(set(entry) - CARD_KEYS - {"_rows"})
        if unknown:
            problems.append(f"{where}：未知字段 {'、'.join(unknown)}（可用：{'、'.join(sorted(CARD_KEYS))}）")
        if not role:
            problems.append(f"{where}：缺少 role（岗位，如 客服售前）")
        start = parse_period(str(entry.get("from") or "2000-01"))
        if start is None or start.kind != "month":
            problems.append(f"{where}：from {entry.get('from')!r} 不是月份 — 写 2026-11 这样的生效月份")
            start = TargetPeriod.month(2000, 1)
        if (role, start.key) in seen:
            problems.append(f"{where}：{role} 在 {start.key} 起已有一张评分表 — 删去一张或改生效月份")
        seen.add((role, start.key))
        tiers = _tiers(entry.get("tiers"), where, problems)
        raw_lines = entry.get("lines") or []
        if not isinstance(raw_lines, list) or not raw_lines:
            problems.append(f"{where}：没有考核项（lines）")
            raw_lines = []
        read = [
            _line(number, raw, where, catalog, problems, per_person)
            for number, raw in enumerate(raw_lines, start=1)
        ]
        lines = [line for line, _ in read]
        total = sum((line.weight for line in lines), Decimal(0))
        # A weight that could not be read would make the total false: it is said on its own line.
        if lines and all(weighed for _, weighed in read) and total != 100:
            gap = f"多 {_number(total - 100)}%" if total > 100 else f"差 {_number(100 - total)}%"
            problems.append(f"{where}：权重合计 {_number(total)}%，应为 100%（{gap}）")
        names = [line.name for line in lines]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{where}：考核项「{name}」出现了两次 — 每项只写一行")
        version = str(entry.get("version") or "").strip() or f"{start.key} 起"
        cards.append(Card(role, start, version, tuple(lines), tiers, origin))
    if problems:
        raise CardError("；".join(problems) if len(problems) == 1 else "\n".join(problems))
    return cards


def _tiers(raw: object, where: str, problems: list[str]) -> tuple[Tier, ...]:
    if raw is None:
        return DEFAULT_TIERS
    tiers: list[Tier] = []
    if isinstance(raw, str):  # a sheet's text that did not read as tiers
        problems.append(f"{where}：等级 {raw!r} 应写成「金牌≥90×1.2；银牌≥80×1.0；铜牌≥70×0.8；待改进≥0×0」")
        return DEFAULT_TIERS
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}：tiers 应为等级列表，如 [{{label: 金牌, min: 90, coefficient: 1.2}}]")
        return DEFAULT_TIERS
    for item in raw:
        try:
            tiers.append(
                Tier(str(item["label"]), float(item["min"]), Decimal(str(item.get("coefficient", 0))))
            )
        except (KeyError, TypeError, ValueError, ArithmeticError):
            problems.append(f"{where}：等级 {item!r} 应写 label、min（最低分）和 coefficient（奖金系数）")
    for before, after in pairwise(tiers):
        if after.minimum >= before.minimum:
            problems.append(
                f"{where}：等级未按从高到低排列：{after.label} 的最低分 {_number(after.minimum)}"
                f" 应低于 {before.label} 的 {_number(before.minimum)}"
            )
    labels = [t.label for t in tiers]
    problems.extend(
        f"{where}：等级「{x}」出现了两次" for x in sorted({x for x in labels if labels.count(x) > 1})
    )
    return tuple(tiers) or DEFAULT_TIERS


def _line(
    number: int,
    raw: Mapping[str, Any],
    card: str,
    catalog: Catalog,
    problems: list[str],
    per_person: Callable[[str, Catalog], bool],
) -> tuple[Line, bool]:
    """The line, and whether its weight could be read (the card's total is checked only then)."""
    if not isinstance(raw, Mapping):
        problems.append(
            f"{card} 第 {number} 项：{raw!r} 应写成一个考核项（name、metric 或 input、weight、计分方式）"
        )
        return Line(number, f"第 {number} 项", Decimal(0), "up", "bands"), False
    name = str(raw.get("name") or "").strip() or f"第 {number} 项"
    # A file's row number where the card came from a sheet; else the line's place in the card.
    where = f"第 {raw['_row']} 行（{name}）" if "_row" in raw else f"{card} 第 {number} 项（{name}）"
    before = len(problems)
    unknown = sorted(set(raw) - LINE_KEYS - {"_row"})
    if unknown:
        problems.append(f"{where}：未知字段 {'、'.join(unknown)}（可用：{'、'.join(sorted(LINE_KEYS))}）")
    measured = _measured(raw, where, catalog, problems, per_person)
    direction = str(raw.get("direction") or measured.direction)
    if direction not in ("up", "down"):
        problems.append(f"{where}：direction {direction!r} 应为 up（越高越好）或 down（越低越好）")
        direction = "up"
    weight = _decimal(raw.get("weight"))
    weighed = weight is not None and 0 < weight <= 100
    if raw.get("weight") in (None, ""):
        problems.append(f"{where}：缺少权重 weight（百分数，如 20 表示 20%）")
    elif weight == 0:
        problems.append(f"{where}：权重 0 应是大于 0、不超过 100 的百分数（如 20 表示 20%）")
    elif not weighed:
        problems.append(f"{where}：权重 {raw.get('weight')!r} 应是 0 到 100 之间的百分数（如 20 表示 20%）")
    cap = _float(raw.get("cap"), 100.0)
    if cap is None or cap <= 0:
        problems.append(f"{where}：封顶 cap {raw.get('cap')!r} 应是正数（默认 100）")
        cap = 100.0
    scoring = _scoring(raw, direction, where, problems)
    weight = weight if weight is not None and weighed else Decimal(0)
    if len(problems) > before:
        return Line(number, name, weight, "up", "bands"), weighed
    line = Line(
        number=number,
        name=name,
        weight=weight,
        direction=direction,  # type: ignore[arg-type]
        method=scoring.method,
        metric=measured.metric,
        input=measured.input,
        scope=measured.scope,
        target_input=measured.target_input,
        target=scoring.target,
        bands=scoring.bands,
        otherwise=_float(raw.get("otherwise"), 0.0) or 0.0,
        floor=scoring.floor,
        formula=scoring.formula,
        cap=cap,
        basis=str(raw.get("basis") or ""),
        unit=measured.unit or "score",
    )
    return line, weighed


@dataclass(frozen=True)
class _Measured:
    metric: str | None
    input: str | None
    scope: Scope
    target_input: str | None
    unit: str
    direction: str  # the default: the metric's, "up" for an input or a 完成率


def _measured(
    raw: Mapping[str, Any],
    where: str,
    catalog: Catalog,
    problems: list[str],
    per_person: Callable[[str, Catalog], bool],
) -> _Measured:
    """What a line measures: a catalog metric (whose, and against what target) or a manual input."""
    metric = _text(raw.get("metric"))
    item = _text(raw.get("input"))
    scope: Scope = "shops" if str(raw.get("scope") or "own") == "shops" else "own"
    if str(raw.get("scope") or "own") not in ("own", "shops"):
        problems.append(f"{where}：scope {raw.get('scope')!r} 应为 own（本人）或 shops（负责店铺）")
    if (metric is None) == (item is None):
        problems.append(f"{where}：metric（指标目录里的指标）和 input（手工录入项）要写且只写一个")
    unit = str(raw.get("unit") or "")
    direction = "up"
    if metric is not None:
        if metric not in catalog.metrics:
            problems.append(f"{where}：指标 {metric} 不在指标目录里 — shopops metrics 列出全部指标")
        else:
            direction = catalog.metrics[metric].direction
            unit = unit or catalog.metrics[metric].unit
            if scope == "own" and not per_person(metric, catalog):
                problems.append(
                    f"{where}：指标 {metric}（{catalog.label(metric)}）没有按人的数据，只有店铺的"
                    " — 写 scope: shops（按负责店铺计），或换一个按人的指标"
                )
    target_input = _text(raw.get("target_input"))
    if target_input is not None:
        unit = "ratio"  # a 完成率
        direction = "up"
        if metric is None:
            problems.append(f"{where}：target_input（完成率的目标）只能配 metric，不能配手工录入项")
    return _Measured(metric, item, scope, target_input, unit, direction)


@dataclass(frozen=True)
class _Scoring:
    method: Method
    bands: tuple[Band, ...]
    floor: float | None
    target: float | None
    formula: str | None


def _scoring(raw: Mapping[str, Any], direction: str, where: str, problems: list[str]) -> _Scoring:
    """How a line scores: exactly one of bands, linear (floor → 0, target → 100) or a formula."""
    target = _float(raw.get("target"), None)
    methods = [m for m in ("bands", "linear", "formula") if raw.get(m) is not None]
    if len(methods) != 1:
        problems.append(f"{where}：计分方式 bands（分档）、linear（线性）、formula（公式）要写且只写一个")
    method: Method = methods[0] if len(methods) == 1 else "bands"  # type: ignore[assignment]
    bands: tuple[Band, ...] = ()
    floor = None
    formula = None
    if len(methods) != 1:
        pass  # said above: nothing to check of a method not chosen
    elif method == "bands":
        bands = _bands(raw.get("bands"), direction, where, problems)
    elif method == "linear":
        spec = raw.get("linear")
        floor = _float(spec.get("floor") if isinstance(spec, Mapping) else None, None)
        target = _float(spec.get("target") if isinstance(spec, Mapping) else None, target)
        if floor is None or target is None:
            problems.append(f"{where}：linear 要写 floor（0 分的值）和 target（100 分的值）")
        elif (direction == "up" and floor >= target) or (direction == "down" and floor <= target):
            side = "低于" if direction == "up" else "高于"
            problems.append(
                f"{where}：线性计分的 floor {_number(floor)} 应{side} target {_number(target)}（方向 {direction}）"
            )
    else:
        formula = str(raw.get("formula"))
        problems.extend(f"{where}：{p}" for p in formula_problems(formula))
        if target is None and "target" in formula:
            problems.append(f"{where}：公式用到 target，请写 target")
    return _Scoring(method, bands, floor, target, formula)


def _bands(raw: object, direction: str, where: str, problems: list[str]) -> tuple[Band, ...]:
    bands: list[Band] = []
    if isinstance(raw, str):  # a sheet's text that did not read as bands
        problems.append(f"{where}：分档 {raw!r} 应写成「≥0.45:100；≥0.40:80」（越低越好的写 ≤）")
        return ()
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}：bands 应为分档列表，如 [[0.45, 100], [0.40, 80]]（达到值, 得分）")
        return ()
    for pair in raw:
        try:
            threshold, score = pair
            bands.append(Band(float(threshold), float(score)))
        except (TypeError, ValueError):
            problems.append(f"{where}：分档 {pair!r} 应写成 [达到值, 得分]")
            return ()
    sign = "≥" if direction == "up" else "≤"
    for number, (before, after) in enumerate(pairwise(bands), start=2):
        ordered = (
            after.threshold < before.threshold if direction == "up" else after.threshold > before.threshold
        )
        if not ordered:
            should = "低于" if direction == "up" else "高于"
            problems.append(
                f"{where}：分档未按顺序：第 {number} 档 {sign}{_number(after.threshold)}"
                f" 应{should}第 {number - 1} 档 {sign}{_number(before.threshold)}"
            )
        elif after.score > before.score:
            problems.append(
                f"{where}：分档得分应逐档不升：第 {number} 档 {_number(after.score)} 分"
                f" 高于第 {number - 1} 档 {_number(before.score)} 分"
            )
    return tuple(bands)


def raw_score(line: Line, value: float) -> float:
    """The line's score for ``value`` before clipping to [0, cap]."""
    if line.method == "bands":
        for band in line.bands:
            reached = value >= band.threshold if line.direction == "up" else value <= band.threshold
            if reached:
                return band.score
        return line.otherwise
    if line.method == "linear":
        assert line.floor is not None and line.target is not None
        return (value - line.floor) / (line.target - line.floor) * 100
    assert line.formula is not None
    return evaluate(line.formula, value, line.target)


def line_score(line: Line, value: float) -> Decimal:
    """The line's score, clipped to [0, cap] and rounded to 2 places (half up)."""
    score = min(max(raw_score(line, value), 0.0), line.cap)
    return Decimal(repr(score)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def card_for(cards: Sequence[Card], role: str, period: TargetPeriod) -> Card | None:
    """The card of ``role`` in effect for ``period``: the latest one starting on or before its start."""
    fitting = [c for c in cards if c.role == role and c.valid_from.start <= period.start]
    return max(fitting, key=lambda c: c.valid_from.start) if fitting else None


def _text(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a sheet's 30.0 is 30 (%)
    try:
        return None if value is None or isinstance(value, bool) else Decimal(str(value).rstrip("%"))
    except ArithmeticError:
        return None


def _float(value: object, default: float | None) -> float | None:
    if value is None or value == "":
        return default
    try:
        return float(str(value).rstrip("%"))
    except ValueError:
        return None


def _number(value: float | Decimal) -> str:
    text = f"{value:f}" if isinstance(value, Decimal) else repr(float(value))
    return text.rstrip("0").rstrip(".") if "." in text else text
