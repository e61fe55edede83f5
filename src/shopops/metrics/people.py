"""Catalog metrics for one person: a 客服's 询单转化率 computed exactly as the shop's, from the same measures.

A domain whose exports name people (赤兔's 旺旺子账号 …) registers *person providers*: SQL that yields
``person, shop, date, pending, import_ids`` and some of the catalog's measure columns, per person, shop
and day. :func:`person_table` adds a person's days up by each measure's rule (a sum is unknown when a
day is unknown), then computes the asked metrics from the sums with the catalog's own formulas — the
口径 is written once and holds at every grain, a shop's or a person's.

A day a provider marks ``pending`` is not settled yet (赤兔's 延迟统计, an export made before the
figures settle): a person with such days is measured over their settled days only — numerator and
denominator from the same days — and is marked provisional, with the days it left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from shopops.domains import parts as domain_parts
from shopops.metrics.catalog import Catalog, Measure, formula_names, load_catalog
from shopops.metrics.compile import metric_sql

KEYS = ("person", "shop", "date", "pending", "import_ids")


@dataclass(frozen=True)
class PersonProvider:
    key: str
    label: str  # where the figures come from, in Chinese (赤兔/千牛/飞鸽/咚咚·客服绩效（按人按日）)
    sql: str  # yields KEYS and measure columns; may use {start} and {end} (DATE literals)
    measures: tuple[str, ...]  # the catalog measures it yields


def person_providers() -> dict[str, PersonProvider]:
    found: dict[str, PersonProvider] = {}
    for make in domain_parts("person_providers"):
        for provider in make():
            found[provider.key] = provider
    return found


def person_measures() -> dict[str, PersonProvider]:
    """Measure key → the person provider that yields it (the first one registered)."""
    found: dict[str, PersonProvider] = {}
    for provider in person_providers().values():
        for measure in provider.measures:
            found.setdefault(measure, provider)
    return found


def measures_of(key: str, catalog: Catalog) -> set[str]:
    """The measures a metric's formula comes down to (metrics named in it expanded)."""
    metric = catalog.metrics[key]
    found: set[str] = set()
    for name in formula_names(metric.formula):
        if name in catalog.metrics and catalog.metrics[name].formula != name:
            found |= measures_of(name, catalog)
        else:
            found.add(name)
    return found


def per_person(key: str, catalog: Catalog | None = None) -> bool:
    """Whether a metric can be computed for one person: every measure of it has a person provider."""
    catalog = catalog or load_catalog()
    if key not in catalog.metrics:
        return False
    available = person_measures()
    return all(name in available for name in measures_of(key, catalog))


@dataclass(frozen=True)
class PersonTable:
    """One row per person: ``person``, the asked metrics, ``shops`` (list), ``days`` (counted),
    ``pending_days`` (left out, not settled), ``provisional``, ``import_ids`` (the rows' imports)."""

    frame: pl.DataFrame
    start: dt.date
    end: dt.date
    sources: tuple[str, ...]  # the providers' labels


def person_table(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    metrics: Sequence[str],
    *,
    people: Sequence[str] | None = None,
    shops: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    with_measures: bool = False,
) -> PersonTable:
    """The ``metrics`` of each person over [start, end] (a person's shops added up); with
    ``with_measures``, also each measure they come from as ``measure__<key>`` (a working's parts)."""
    catalog = catalog or load_catalog()
    wanted = {m for key in metrics for m in measures_of(key, catalog)}
    available = person_measures()
    missing = sorted(key for key in metrics if not per_person(key, catalog))
    if missing:
        raise ValueError(f"not computable per person: {', '.join(missing)}")
    used = {available[m].key: available[m] for m in wanted}
    start_sql, end_sql = f"DATE '{start}'", f"DATE '{end}'"
    ctes = [f"p_{k} AS ({p.sql.format(start=start_sql, end=end_sql)})" for k, p in used.items()]
    keys = " UNION ".join(f"SELECT person, shop, date FROM p_{k}" for k in used)
    joins = " ".join(
        f"LEFT JOIN p_{k} ON p_{k}.person = g.person AND p_{k}.shop = g.shop AND p_{k}.date = g.date"
        for k in used
    )
    pending = " OR ".join(f"coalesce(p_{k}.pending, false)" for k in used)
    imports = ", ".join(f"coalesce(p_{k}.import_ids, [])" for k in used)
    day_columns = [f'p_{available[m].key}."{m}" AS "{m}"' for m in sorted(wanted)]
    ctes.append(
        f"day AS (SELECT g.person, g.shop, g.date, ({pending}) AS pending,"
        f" list_concat({imports}) AS import_ids, {', '.join(day_columns)} FROM ({keys}) g {joins}"
        " WHERE g.person IS NOT NULL)"
    )
    filters = []
    if people is not None:
        filters.append("person IN (SELECT unnest($people::VARCHAR[]))")
    if shops is not None:
        filters.append("shop IN (SELECT unnest($shops::VARCHAR[]))")
    where = f"WHERE {' AND '.join(filters)}" if filters else ""
    aggregated = [f'{_sum_sql(catalog.measures[m])} AS "{m}"' for m in sorted(wanted)]
    ctes.append(
        f"""period AS (
    SELECT person, list_sort(list_distinct(list(shop))) AS shops,
           count(DISTINCT date) FILTER (WHERE NOT pending) AS days,
           list_sort(list_distinct(list(date) FILTER (WHERE pending))) AS pending_days,
           bool_or(pending) AS provisional,
           list_sort(list_distinct(flatten(list(import_ids) FILTER (WHERE NOT pending)))) AS import_ids,
           {", ".join(aggregated)}
    FROM (SELECT * FROM day {where})
    GROUP BY person
)"""
    )
    metric_columns = [f'{metric_sql(catalog.metrics[k], catalog)} AS "{k}"' for k in dict.fromkeys(metrics)]
    if with_measures:
        metric_columns += [f'"{m}" AS "measure__{m}"' for m in sorted(wanted)]
    sql = (
        "WITH " + ",\n".join(ctes) + f"\nSELECT person, shops, days, pending_days, provisional, import_ids,"
        f" {', '.join(metric_columns)} FROM period ORDER BY person"
    )
    params: dict[str, object] = {}
    if people is not None:
        params["people"] = list(people)
    if shops is not None:
        params["shops"] = list(shops)
    frame = con.sql(sql, params=params or None).pl() if used else pl.DataFrame()
    return PersonTable(frame, start, end, tuple(p.label for p in used.values()))


def _sum_sql(measure: Measure) -> str:
    """A measure over a person's settled days: unknown when one of them is (a blank is not a zero)."""
    column = f'"{measure.key}"'
    settled = "FILTER (WHERE NOT pending)"
    if measure.aggregate == "last":
        return f"arg_max({column}, date) {settled}"
    if measure.aggregate == "max":
        return f"max({column}) {settled}"
    return f"CASE WHEN count({column}) {settled} = count(*) {settled} THEN sum({column}) {settled} END"
