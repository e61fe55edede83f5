"""The master table (总表): one row per shop per period with every catalog metric.

``complete`` says whether every export of the shop covered the whole period (an order export
pulled at 00:37 has not covered its last day: :mod:`shopops.metrics.completeness`).

Built as one SQL statement: a grid of shop × day, base measures chosen per shop-day by source
precedence, aggregated to the grain by each measure's rule, then every metric computed from
the aggregated measures (so ratios are recomputed at every grain, never averaged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import polars as pl

from shopops.errors import UserError
from shopops.metrics.basis import basis_note
from shopops.metrics.catalog import Catalog, Measure, load_catalog
from shopops.metrics.compile import metric_sql
from shopops.metrics.completeness import PartialDay, partial_days
from shopops.metrics.engine import SCRATCH_TABLES, MetricEngine, Plan
from shopops.metrics.providers import Provider, providers
from shopops.metrics.totals import (
    TOTAL_SHOP,
    coverage_columns,
    covered_keys,
    total_coverage,
    total_step,
)

GRAINS = ("day", "week", "month")
# Longer spans, one row per shop for a quarter or a year (to date) — target periods; no comparisons.
SPANS = ("quarter", "year")
# How far back the comparison periods reach, per grain: (环比 offset, second offset, name).
COMPARISONS = {
    "day": (("prev", "INTERVAL 1 DAY"), ("wow", "INTERVAL 7 DAY")),
    "week": (("prev", "INTERVAL 7 DAY"), ("yoy", "INTERVAL 364 DAY")),
    "month": (("prev", "INTERVAL 1 MONTH"), ("yoy", "INTERVAL 12 MONTH")),
}
COMPARISON_LABELS = {"prev": "环比", "wow": "周同比", "yoy": "同比"}


@dataclass(frozen=True)
class ShippingRates:
    """Per shop: cost per order (None = unknown) and per-province overrides."""

    per_order: Mapping[str, Decimal | None]
    by_province: Mapping[str, Mapping[str, Decimal]]


def period_start(day: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if grain == "year":
        return dt.date(day.year, 1, 1)
    return day


def master_table(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    *,
    shops: Sequence[str] | None = None,
    grain: str = "day",
    compare: bool = False,
    provenance: bool = False,
    shipping: ShippingRates | None = None,
    catalog: Catalog | None = None,
    total: bool = False,
    engine: MetricEngine | None = None,
) -> pl.DataFrame:
    """One row per shop per period; with ``total``, also a 合计 row per period (platform null).

    ``engine``: where the plan runs (default: DuckDB, on ``con``); the warehouse still gives the shops,
    the grid and which days are complete.
    """
    catalog = catalog or load_catalog()
    if grain not in GRAINS + SPANS or (compare and grain in SPANS):
        raise UserError(f"grain {grain!r} is not one of {', '.join(GRAINS)}")
    if end < start:
        raise UserError(f"--to {end} is before --from {start}; swap them")
    known = [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()]
    for shop in shops or []:
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(known) or 'none'}) — see `shopops shop list`"
            )
    selected = list(shops) if shops else known
    first = period_start(start, grain)
    grid_start = first
    if compare:
        grid_start = _earliest_comparison(first, grain)
    _prepare(con, selected, grid_start, end, shipping)
    _mark_partial(con, partial_days(con, selected))
    try:
        plan = build_plan(con, catalog, grain, compare, provenance, first, grid_start, end, total=total)
        if engine is None:
            frame: pl.DataFrame = con.sql(plan.statement()).pl()
        else:
            frame = engine.run(
                plan, {t: con.sql(f"SELECT * FROM {t}").to_arrow_table() for t in SCRATCH_TABLES}
            )
    finally:
        for table in SCRATCH_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return _with_coverage(frame, catalog) if total else frame


def _with_coverage(frame: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """Adds ``total_coverage``: on a 合计 row resting on some shops only, which figures and shops."""
    coverage = total_coverage(frame, covered_keys(catalog))
    texts: dict[dt.date, str] = {}
    for (day, key), cover in coverage.items():
        if cover.partial:
            part = f"{catalog.label(key)} {cover.fraction}（缺 {'、'.join(cover.missing)}）"
            texts[day] = f"{texts[day]}；{part}" if day in texts else part
    column = [
        texts.get(day) if shop == TOTAL_SHOP else None
        for day, shop in zip(frame["date"].to_list(), frame["shop"].to_list(), strict=True)
    ]
    return frame.with_columns(pl.Series("total_coverage", column, dtype=pl.String))


def _mark_partial(con: duckdb.DuckDBPyConnection, partial: Sequence[PartialDay]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _so_partial (shop VARCHAR, date DATE)")
    if partial:
        con.executemany("INSERT INTO _so_partial VALUES (?, ?)", [(p.shop, p.date) for p in partial])


# The last day of a period starting on ``cur.date``, per grain.
_PERIOD_END = {
    "day": "cur.date",
    "week": "cur.date + INTERVAL 6 DAY",
    "month": "last_day(cur.date)",
    "quarter": "cur.date + INTERVAL 3 MONTH - INTERVAL 1 DAY",
    "year": "cur.date + INTERVAL 1 YEAR - INTERVAL 1 DAY",
}


def _complete_sql(grain: str) -> str:
    """Whether no export left a day of the period incomplete (for 合计: of any selected shop)."""
    return (
        "NOT EXISTS (SELECT 1 FROM _so_partial p WHERE (p.shop = cur.shop OR cur.platform IS NULL)"
        f" AND p.date BETWEEN cur.date AND CAST({_PERIOD_END[grain]} AS DATE)) AS complete"
    )


def _earliest_comparison(first: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return first - dt.timedelta(days=7)
    if grain == "week":
        return first - dt.timedelta(days=364)
    year, month = (first.year - 1, first.month)
    return dt.date(year, month, 1)


def _prepare(
    con: duckdb.DuckDBPyConnection,
    shops: Sequence[str],
    start: dt.date,
    end: dt.date,
    shipping: ShippingRates | None,
) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _so_grid AS "
        "SELECT s.name AS shop, s.platform, CAST(d.range AS DATE) AS date "
        "FROM shops s, range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY) d "
        "WHERE list_contains(?, s.name)",
        [start, end, list(shops)],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _so_shipping_rules (shop VARCHAR, province VARCHAR, cost DECIMAL(18, 2))"
    )
    if shipping is None:
        return
    rows: list[tuple[str, str | None, Decimal]] = []
    for shop in shops:
        per_order = shipping.per_order.get(shop)
        if per_order is not None:
            rows.append((shop, None, per_order))
        rows.extend((shop, province, cost) for province, cost in shipping.by_province.get(shop, {}).items())
    if rows:
        con.executemany("INSERT INTO _so_shipping_rules VALUES (?, ?, ?)", rows)


def _provider_columns(con: duckdb.DuckDBPyConnection, provider: Provider, start: str, end: str) -> set[str]:
    described = con.execute(f"DESCRIBE ({provider.sql.format(start=start, end=end)})").fetchall()
    return {row[0] for row in described}


def _measure_sql(measure: Measure, available: Mapping[str, set[str]]) -> tuple[str, str]:
    """The chosen value and the name of the provider it came from, for one shop-day."""
    sources = [s for s in measure.sources if measure.key in available.get(s, set())]
    if not sources:
        return "NULL", "NULL"
    decider = measure.decided_by or measure.key
    value_arms = " ".join(f'WHEN p_{s}."{decider}" IS NOT NULL THEN p_{s}."{measure.key}"' for s in sources)
    source_arms = " ".join(f"WHEN p_{s}.\"{decider}\" IS NOT NULL THEN '{s}'" for s in sources)
    return f"CASE {value_arms} END", f"CASE {source_arms} END"


def _aggregate_sql(measure: Measure, grain: str) -> str:
    column = f'"{measure.key}"'
    if grain == "day":
        return column
    if measure.aggregate == "last":
        return f"arg_max({column}, date) FILTER (WHERE {column} IS NOT NULL)"
    if measure.aggregate == "max":
        return f"max({column})"
    # A period with any unknown day is unknown: a partial sum would look like a real total.
    return f"CASE WHEN count({column}) = count(*) THEN sum({column}) END"


def build_plan(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    grain: str,
    compare: bool,
    provenance: bool,
    first: dt.date,
    grid_start: dt.date,
    end: dt.date,
    *,
    total: bool = False,
) -> Plan:
    start_sql, end_sql = f"DATE '{grid_start}'", f"DATE '{end}'"
    used = {s for m in catalog.measures.values() for s in m.sources}
    all_providers = {k: p for k, p in providers().items() if k in used}
    available = {k: _provider_columns(con, p, start_sql, end_sql) for k, p in all_providers.items()}
    steps = [(f"p_{k}", p.sql.format(start=start_sql, end=end_sql)) for k, p in all_providers.items()]
    day_columns = []
    for measure in catalog.measures.values():
        value, source = _measure_sql(measure, available)
        day_columns.append(f'{value} AS "{measure.key}"')
        day_columns.append(f'{source} AS "{measure.key}__source"')
    joins = " ".join(f"LEFT JOIN p_{k} ON p_{k}.shop = g.shop AND p_{k}.date = g.date" for k in all_providers)
    day = f"SELECT g.shop, g.platform, g.date, {', '.join(day_columns)} FROM _so_grid g {joins}"
    period_expr = "date" if grain == "day" else f"CAST(date_trunc('{grain}', date) AS DATE)"
    aggregated = [f'{_aggregate_sql(m, grain)} AS "{m.key}"' for m in catalog.measures.values()]
    aggregated += [
        # not string_agg(DISTINCT … ORDER BY …), which Spark SQL cannot plan
        f"nullif(array_to_string(list_sort(list_distinct(list(\"{m.key}__source\"))), '+'), '')"
        f' AS "{m.key}__source"'
        if grain != "day"
        else f'"{m.key}__source"'
        for m in catalog.measures.values()
    ]
    group = "GROUP BY ALL" if grain != "day" else ""
    steps.append(
        (
            "period",
            f"WITH day AS ({day})\nSELECT {period_expr} AS date, shop, platform,"
            f" {', '.join(aggregated)} FROM day {group}",
        )
    )
    metric_columns = [f'{metric_sql(m, catalog)} AS "{m.key}"' for m in catalog.metrics.values()]
    source_columns = [f'"{c}"' for c in source_columns_of(catalog, provenance)]
    steps.append(
        (
            "metrics_shops",
            f"SELECT date, shop, platform, {', '.join(metric_columns + source_columns)} FROM period",
        )
    )
    if total:
        platforms = [row[0] for row in con.execute("SELECT DISTINCT platform FROM _so_grid").fetchall()]
        steps.append(total_step(catalog, provenance, basis_note(platforms)))
        # Positional (not BY NAME, which Spark SQL lacks): metrics_total has these columns, in this order.
        blanks = ", ".join(
            f'CAST(NULL AS VARCHAR) AS "{c}"' for c in ["basis_note", *coverage_columns(catalog)]
        )
        steps.append(
            ("metrics", f"SELECT *, {blanks} FROM metrics_shops UNION ALL SELECT * FROM metrics_total")
        )
    else:
        steps.append(("metrics", "SELECT * FROM metrics_shops"))
    keys = list(catalog.metrics)
    hidden = coverage_columns(catalog) if total else []
    # DESIGN §5: date, shop, platform, then the catalog's metrics; whether the day is whole after them.
    shown = ["date", "shop", "platform", *keys, *source_columns_of(catalog, provenance)]
    selects = [
        ", ".join(f'cur."{c}"' for c in shown + (["basis_note"] if total else [])),
        _complete_sql(grain),
    ]
    joins_out = []
    if compare:
        for name, offset in COMPARISONS[grain]:
            joins_out.append(
                f"LEFT JOIN metrics {name} ON {name}.shop = cur.shop AND {name}.date = cur.date - {offset}"
                f" AND {name}.platform IS NOT DISTINCT FROM cur.platform"
            )
            for key in keys:
                change = _change_sql(catalog, key, name)
                if f"{key}__shops" in hidden:  # a 合计 compares only with one over the same shops
                    change = (
                        f'CASE WHEN cur."{key}__shops" IS DISTINCT FROM {name}."{key}__shops" THEN NULL'
                        f" ELSE {change} END"
                    )
                selects.append(f'{change} AS "{key}_{name}_change"')
    final = (
        f"SELECT {', '.join(selects)} FROM metrics cur {' '.join(joins_out)}"
        f" WHERE cur.date >= DATE '{first}' ORDER BY cur.date, cur.platform IS NULL, cur.shop"
    )
    return Plan(tuple(steps), final, independent=len(all_providers))


def source_columns_of(catalog: Catalog, provenance: bool) -> list[str]:
    """The ``<measure>__source`` columns a master table with ``provenance`` carries."""
    return [f"{m.key}__source" for m in catalog.measures.values()] if provenance else []


def _change_sql(catalog: Catalog, key: str, other: str) -> str:
    """Ratios and scores change in points (pp as a fraction: 0.012 = +1.2pp); amounts in %."""
    unit = catalog.metrics[key].unit
    now, before = f'cur."{key}"', f'{other}."{key}"'
    if unit in ("ratio", "score"):
        return f"CAST({now} - {before} AS DOUBLE)"
    return f"CAST({now} AS DOUBLE) / NULLIF(CAST({before} AS DOUBLE), 0) - 1"


def change_label(catalog: Catalog, key: str, comparison: str) -> str:
    unit = catalog.metrics[key].unit
    suffix = "（pp）" if unit == "ratio" else ("（差）" if unit == "score" else "")
    return f"{catalog.label(key)}{COMPARISON_LABELS[comparison]}{suffix}"
