"""A scorecard line's formula: an expression of ``value`` (the figure) and ``target``, with numbers,
+ - * / and min/max/abs — checked when the card is read (a formula that cannot be worked out is
refused there, never when a person is scored) and worked out safely (no eval)."""

from __future__ import annotations

import ast
from collections.abc import Callable

_NAMES = {"value", "target"}
_FUNCTIONS: dict[str, Callable[..., float]] = {"min": min, "max": max, "abs": abs}
_WORDS = "只能用 value、target、数字、+ - * / 和 min/max/abs"


def formula_problems(formula: str) -> list[str]:
    """What is wrong with a formula, in one line (empty when nothing is)."""
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        return [f"公式 {formula!r} 写得不对（{_WORDS}）"]
    allowed: tuple[type[ast.AST], ...] = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant)
    allowed += (ast.Call, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            return [f"公式 {formula!r} {_WORDS}"]
        if isinstance(node, ast.Name) and node.id not in _NAMES | set(_FUNCTIONS):
            return [f"公式 {formula!r} 用到了 {node.id} — 只能用 value（实际值）和 target（目标）"]
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            return [f"公式 {formula!r} 只能调用 min、max、abs"]
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))
        ):
            return [f"公式 {formula!r} {_WORDS}"]
    try:  # min() of nothing, abs(1, 2) …: refused now, not when someone is scored
        evaluate(formula, 1.0, 1.0)
    except (TypeError, ValueError, OverflowError):
        return [f"公式 {formula!r} 写得不对（{_WORDS}）"]
    return []


def evaluate(formula: str, value: float, target: float | None) -> float:
    """The formula's result (division by 0 gives 0: a target of 0 makes no score, not an error)."""
    return float(_evaluate(ast.parse(formula, mode="eval").body, value, target))


def _evaluate(node: ast.expr, value: float, target: float | None) -> float:
    if isinstance(node, ast.Name):
        if node.id not in _NAMES:  # min without its brackets
            raise ValueError(node.id)
        result = value if node.id == "value" else target
        assert result is not None
        return result
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        return -_evaluate(node.operand, value, target)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        return float(_FUNCTIONS[node.func.id](*(_evaluate(a, value, target) for a in node.args)))
    assert isinstance(node, ast.BinOp)
    left, right = _evaluate(node.left, value, target), _evaluate(node.right, value, target)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    return left / right if right else 0.0
