"""Turning catalog formulas into SQL over base-measure columns.

A name in a formula is a metric when the catalog defines one with a different formula (it is
expanded inline), otherwise a measure column. Division by zero or by unknown gives NULL, and
every arithmetic step keeps NULL as NULL, so an unknown part makes the result unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from shopops.metrics.catalog import Catalog, Metric

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


def metric_sql(metric: Metric, catalog: Catalog, columns: Mapping[str, str] | None = None) -> str:
    """SQL for one metric, cast to its unit's type (money → DECIMAL(18,2), ratio → DOUBLE).

    ``columns`` maps formula names to SQL that already holds their value (e.g. a metric summed
    over shops); those names are used as they are instead of being expanded.
    """
    return _typed(metric, _expression(metric.formula, catalog, 0, columns or {}))


def _typed(metric: Metric, expression: str) -> str:
    if metric.unit == "money":
        # A quotient is a DOUBLE (170.635 is 170.63499…): fixed to 9 places first, so a half cent
        # rounds half away from zero, as the exact DECIMAL would (ROUND_HALF_UP).
        return (
            f"CAST(round(CAST(CAST({expression} AS DOUBLE) AS DECIMAL(38, 9)), 2) AS DECIMAL(18, 2))"
            if "/" in metric.formula
            else (f"CAST({expression} AS DECIMAL(18, 2))")
        )
    if metric.unit == "count":
        return f"CAST({expression} AS BIGINT)"
    return f"CAST({expression} AS DOUBLE)"


def _expression(formula: str, catalog: Catalog, depth: int, columns: Mapping[str, str]) -> str:
    if depth > 20:
        raise RecursionError("formula nesting too deep")
    tree = ast.parse(formula, mode="eval")
    return _node(tree.body, catalog, depth, columns)


def _node(node: ast.expr, catalog: Catalog, depth: int, columns: Mapping[str, str]) -> str:
    if isinstance(node, ast.Name):
        if node.id in columns:
            return columns[node.id]
        metric = catalog.metrics.get(node.id)
        if metric is not None and metric.formula != node.id:
            # Inline the metric as shown (money rounded to cents) so displayed parts add up.
            return f"({_typed(metric, _expression(metric.formula, catalog, depth + 1, columns))})"
        return f'"{node.id}"'
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return repr(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"(-{_node(node.operand, catalog, depth, columns)})"
    if isinstance(node, ast.BinOp):
        left = _node(node.left, catalog, depth, columns)
        right = _node(node.right, catalog, depth, columns)
        if isinstance(node.op, ast.Div):
            return f"(CAST({left} AS DOUBLE) / NULLIF(CAST({right} AS DOUBLE), 0))"
        return f"({left} {_OPERATORS[type(node.op)]} {right})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "total":
        parts = [_node(arg, catalog, depth, columns) for arg in node.args]
        all_null = " AND ".join(f"{p} IS NULL" for p in parts)
        summed = " + ".join(f"coalesce({p}, 0)" for p in parts)
        return f"(CASE WHEN {all_null} THEN NULL ELSE {summed} END)"
    raise ValueError(f"unsupported formula element {ast.dump(node)}")
