"""The 合计 (all selected shops) rows of the master table.

A total is never an average of shop values:
- money and count metrics without a division (支付金额, 推广花费, 毛利 …) are the sum of the shop
  values — unknown if any shop's value is unknown, since a partial sum would look like a real total;
  except the parts of a ``total(…)`` formula (推广花费 per channel): there unknown means "not used",
  as in the formula itself, so the known shops are summed (unknown only if no shop has a value);
- metrics with a division (转化率, 客单价, ROI, 退款率 …) are recomputed by the catalog formula from
  the summed parts;
- the rest (DSR scores, settings such as 扣点率) have no meaning across shops and stay unknown.
Visitors and buyers summed over shops are sums of per-shop counts (日累加), not de-duplicated people.
"""

from __future__ import annotations

import ast

from shopops.metrics.catalog import Catalog, Metric
from shopops.metrics.compile import metric_sql

TOTAL_SHOP = "合计"
SQL_TYPES = {"money": "DECIMAL(18, 2)", "count": "BIGINT"}


def _all_known_sum(column: str) -> str:
    return f'CASE WHEN count("{column}") = count(*) THEN sum("{column}") END'


def _known_sum(column: str) -> str:
    return f'sum("{column}")'


def optional_parts(catalog: Catalog) -> set[str]:
    """Names summed by a ``total(…)`` formula, where an unknown part counts as absent."""
    parts: set[str] = set()
    for metric in catalog.metrics.values():
        tree = ast.parse(metric.formula, mode="eval")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "total":
                parts |= {arg.id for arg in node.args if isinstance(arg, ast.Name)}
    return parts


def is_additive(metric: Metric) -> bool:
    return metric.unit in ("money", "count") and "/" not in metric.formula


def is_recomputed(metric: Metric) -> bool:
    return "/" in metric.formula


def total_ctes(catalog: Catalog, provenance: bool, note: str | None = None) -> list[str]:
    """CTEs ``total_measures``, ``total_additive`` and ``metrics_total`` over ``period`` and ``metrics_shops``.

    ``note`` is the 口径 note of a total over shops of different platforms (see
    :func:`shopops.metrics.basis.basis_note`); it is the 合计 row's ``basis_note``.
    """
    measures = [
        f'{_all_known_sum(m.key)} AS "{m.key}"'
        if m.aggregate in ("sum", "daily_sum")
        else f'CAST(NULL AS DOUBLE) AS "{m.key}"'
        for m in catalog.measures.values()
    ]
    additive = [m for m in catalog.metrics.values() if is_additive(m)]
    optional = optional_parts(catalog)
    sums = [
        f"CAST({_known_sum(m.key) if m.key in optional else _all_known_sum(m.key)} AS {SQL_TYPES[m.unit]})"
        f' AS "{m.key}"'
        for m in additive
    ]
    columns = {key: f't."{key}"' for key in catalog.measures}
    columns.update({m.key: f'a."{m.key}"' for m in additive})
    values = []
    for metric in catalog.metrics.values():
        if is_additive(metric):
            values.append(f'a."{metric.key}" AS "{metric.key}"')
        elif is_recomputed(metric):
            values.append(f'{metric_sql(metric, catalog, columns)} AS "{metric.key}"')
        else:
            values.append(f'CAST(NULL AS DOUBLE) AS "{metric.key}"')
    if provenance:
        values += [f'CAST(NULL AS VARCHAR) AS "{key}__source"' for key in catalog.measures]
    quoted = "'" + note.replace("'", "''") + "'" if note else "NULL"
    values.append(f"CAST({quoted} AS VARCHAR) AS basis_note")
    return [
        f"total_measures AS (SELECT date, {', '.join(measures)} FROM period GROUP BY date)",
        f"total_additive AS (SELECT date, {', '.join(sums)} FROM metrics_shops GROUP BY date)",
        f"metrics_total AS (SELECT t.date, '{TOTAL_SHOP}' AS shop, CAST(NULL AS VARCHAR) AS platform,"
        f" {', '.join(values)} FROM total_measures t JOIN total_additive a ON a.date = t.date)",
    ]
