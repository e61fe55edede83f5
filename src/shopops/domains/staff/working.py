"""The working of a line score, in the words a manager checks it with:

``询单转化率 41.2% = 1,236 / 3,000（赤兔/千牛/飞鸽/咚咚·客服绩效（按人按日））→ ≥40% → 80 × 20% = 16.00``
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from shopops.domains.staff.cards import Line


def value_text(
    value: float | Decimal | None, unit: str, parts: Sequence[tuple[str, float | Decimal | None]] = ()
) -> str:
    """41.2% · 48,867.29 · 1,236 · 18.9; with a ratio's two sides: ``41.2% = 1,236 / 3,000``."""
    shown = _one(value, unit)
    if len(parts) == 2 and all(v is not None for _, v in parts):
        (top_label, top), (bottom_label, bottom) = parts
        shown += f" = {_one(top, _unit_of(top))} / {_one(bottom, _unit_of(bottom))}"
        shown += f"（{top_label} ÷ {bottom_label}）"
    return shown


def _unit_of(value: float | Decimal | None) -> str:
    """A DECIMAL with cents is money; a whole number a count (sums of counts come back as DECIMAL);
    other decimals (Σ 平均响应 × 接待人数, DECIMAL(…, 3)) read as plain numbers."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            return "money" if exponent == -2 else "score"
    return "count"


def _one(value: float | Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":  # 41.2% · 3.31% (a small rate keeps its second decimal: 3.31 vs 3.30 counts)
        percent = float(value) * 100
        return f"{_number(round(percent, 2 if abs(percent) < 10 else 1))}%"
    if unit == "money":
        return f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    if unit == "count":
        number = float(value)
        return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
    text = f"{float(value):,.1f}"
    return text.removesuffix(".0")


def band_text(line: Line, value: float) -> str:
    """How the value was scored: the band reached, or the linear/formula rule."""
    unit = "ratio" if line.target_input else line.unit
    if line.method == "bands":
        sign = "≥" if line.direction == "up" else "≤"
        for band in line.bands:
            if (value >= band.threshold) if line.direction == "up" else (value <= band.threshold):
                return f"{sign}{_one(band.threshold, unit)} 档"
        return f"未达 {sign}{_one(line.bands[-1].threshold, unit)} 档"
    if line.method == "linear":
        assert line.floor is not None and line.target is not None
        return f"线性（{_one(line.floor, unit)} 得 0 分，{_one(line.target, unit)} 得 100 分）"
    target = "" if line.target is None else f"，target = {_number(line.target)}"
    return f"公式 {line.formula}{target}"


def rule_text(line: Line) -> str:
    """A line's scoring, whole: "≥45% 100 · ≥40% 80 · ≥35% 60 · 其余 0" / "60 得 0 分 → 100 得 100 分"."""
    unit = "ratio" if line.target_input else line.unit
    cap = f"，封顶 {_number(line.cap)}" if line.cap != 100 else ""
    if line.method == "bands":
        sign = "≥" if line.direction == "up" else "≤"
        steps = [f"{sign}{_one(band.threshold, unit)} {_number(band.score)}" for band in line.bands]
        return " · ".join([*steps, f"其余 {_number(line.otherwise)}"]) + cap
    if line.method == "linear":
        assert line.floor is not None and line.target is not None
        return f"{_one(line.floor, unit)} 得 0 分 → {_one(line.target, unit)} 得 100 分{cap}"
    target = "" if line.target is None else f"（target = {_number(line.target)}）"
    return f"{line.formula}{target}{cap}"


def line_working(line: Line, value: float, shown: str, source: str, score: Decimal) -> str:
    weighted = (score * line.weight / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    capped = (
        "（封顶）" if score == Decimal(repr(line.cap)).quantize(Decimal("0.01")) and line.cap != 100 else ""
    )
    where = f"（{source}）" if source else ""
    return (
        f"{line.name} {shown}{where} → {band_text(line, value)} {score} 分{capped}"
        f" × {_number(line.weight)}% = {weighted}"
    )


def _number(value: float | Decimal) -> str:
    text = f"{value:f}" if isinstance(value, Decimal) else f"{float(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
