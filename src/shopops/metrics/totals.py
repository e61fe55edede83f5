"""The 合计 (all selected shops) rows of the master table.

A total is never an average of shop values, and never a bare "unknown" when some shops know it:
- money and count metrics without a division (支付金额, 推广花费, 毛利 …) are the sum over the
  shops that know them;
- metrics with a division (转化率, 客单价, ROI, 退款率 …) are recomputed by the catalog formula
  from parts summed over the shops whose own value is known (both parts known, divisor not 0), so
  a shop without 访客数 leaves both its buyers and its visitors out of the 合计 转化率;
- the rest (DSR scores, settings such as 扣点率) have no meaning across shops and stay unknown.
A 合计 resting on some of the shops only is *partial*: its coverage (:class:`Coverage`, "3/4" and
the missing shops) is computed from the same shop rows, shown beside the value ("5,189 ⁽³⁄₄⁾") and
named in a note; a change (环比 …) of a 合计 is only computed when both periods rest on the same
shops. Unknown only when no shop knows the figure.
Visitors and buyers summed over shops are sums of per-shop counts (日累加), not de-duplicated people.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass

import polars as pl

from shopops.metrics.catalog import Catalog, Metric, load_catalog
from shopops.metrics.compile import metric_sql

TOTAL_SHOP = "合计"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Coverage:
    """How many of the selected shops a 合计 value rests on, and which shops it leaves out."""

    known: int
    shops: int
    missing: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Some shops, not all and not none: the value is a sum over fewer shops than selected."""
        return 0 < self.known < self.shops

    @property
    def fraction(self) -> str:
        """ "3/4" (plain, for CSV and notes)."""
        return f"{self.known}/{self.shops}"

    @property
    def mark(self) -> str:
        """ "⁽³⁄₄⁾" after a partial value; "" when every shop (or none) is in it."""
        if not self.partial:
            return ""
        return f"⁽{str(self.known).translate(_SUPERSCRIPT)}⁄{str(self.shops).translate(_SUBSCRIPT)}⁾"

    def note(self, label: str) -> str:
        """ "访客数 合计只含 3/4 个店铺（缺 山野好物抖音店）"."""
        return f"{label} 合计只含 {self.fraction} 个店铺（缺 {'、'.join(self.missing)}）"


def total_coverage(frame: pl.DataFrame, keys: list[str] | None = None) -> dict[tuple[dt.date, str], Coverage]:
    """Per (period date, metric key): of the frame's shop rows, how many know the value.

    ``frame`` is a master table with shop rows (and usually its 合计 rows); a shop whose value is
    null is missing from that period's 合计 — for a ratio, a shop is in the 合计 when its own ratio
    is known. ``keys`` default: the frame's metrics that have a 合计, except the parts of a
    ``total(…)`` (推广花费 per channel), where unknown means "not used", not missing.
    """
    shops = frame.filter(pl.col("shop") != TOTAL_SHOP)
    metric_keys = (
        keys if keys is not None else [k for k in covered_keys(load_catalog()) if k in frame.columns]
    )
    result: dict[tuple[dt.date, str], Coverage] = {}
    for (day,), group in shops.group_by(["date"], maintain_order=True):
        names = group["shop"].to_list()
        for key in metric_keys:
            values = group[key].to_list()
            missing = tuple(name for name, value in zip(names, values, strict=True) if value is None)
            result[(day, key)] = Coverage(len(names) - len(missing), len(names), missing)
    return result


def covered_keys(catalog: Catalog) -> list[str]:
    """The metrics whose 合计 can be partial: those with a 合计, less the ``total(…)`` parts."""
    optional = optional_parts(catalog)
    return [
        m.key
        for m in catalog.metrics.values()
        if (is_additive(m) or is_recomputed(m)) and m.key not in optional
    ]


SQL_TYPES = {"money": "DECIMAL(18, 2)", "count": "BIGINT"}


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


def total_step(catalog: Catalog, provenance: bool, note: str | None = None) -> tuple[str, str]:
    """The step ``metrics_total`` over ``period`` (measures) and ``metrics_shops`` (metrics) per shop.

    Besides the metrics, each total row has ``<key>__shops``: the shops the value rests on, comma
    separated, sorted (compared between periods, then dropped). ``note`` is the 口径 note of a
    total over shops of different platforms (see :func:`shopops.metrics.basis.basis_note`); it is
    the 合计 row's ``basis_note``.
    """
    values: list[str] = []
    shops: list[str] = []
    for metric in catalog.metrics.values():
        known = f'm."{metric.key}" IS NOT NULL'
        if is_additive(metric):
            values.append(f'CAST(sum(m."{metric.key}") AS {SQL_TYPES[metric.unit]}) AS "{metric.key}"')
        elif is_recomputed(metric):
            parts = {
                name: f"sum({_shop_value(name, catalog)}) FILTER (WHERE {known})" for name in _names(metric)
            }
            values.append(f'{metric_sql(metric, catalog, parts)} AS "{metric.key}"')
        else:
            values.append(f'CAST(NULL AS DOUBLE) AS "{metric.key}"')
            continue
        shops.append(
            f"string_agg(m.shop, ',' ORDER BY m.shop) FILTER (WHERE {known}) AS \"{metric.key}__shops\""
        )
    if provenance:
        values += [f'CAST(NULL AS VARCHAR) AS "{key}__source"' for key in catalog.measures]
    quoted = "'" + note.replace("'", "''") + "'" if note else "NULL"
    values.append(f"CAST({quoted} AS VARCHAR) AS basis_note")
    return (
        "metrics_total",
        f"SELECT m.date, '{TOTAL_SHOP}' AS shop, CAST(NULL AS VARCHAR) AS platform,"
        f" {', '.join(values + shops)} FROM metrics_shops m"
        " JOIN period p ON p.date = m.date AND p.shop = m.shop GROUP BY m.date",
    )


def coverage_columns(catalog: Catalog) -> list[str]:
    """The ``<key>__shops`` columns :func:`total_step` adds (dropped from the master table)."""
    return [f"{m.key}__shops" for m in catalog.metrics.values() if is_additive(m) or is_recomputed(m)]


def _names(metric: Metric) -> set[str]:
    tree = ast.parse(metric.formula, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id != "total"}


def _shop_value(name: str, catalog: Catalog) -> str:
    """A formula name's value for one shop: a metric as shown, else the measure."""
    return f'm."{name}"' if name in catalog.metrics else f'p."{name}"'
