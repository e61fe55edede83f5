"""The figures a scorecard line is scored on, each with where it came from.

- ``own`` lines: the person's own figures (``metrics.people``: the catalog's formula over the
  person's settled days), over the days of the period they held the role;
- ``shops`` lines: the master table (总表) of the shops they answer for, over the whole period (a
  shop's month is the team's result; one shop's row, or the 合计 of several, ratios from the sums);
- a 完成率 line divides the metric by a target: a manual input (``销售目标``, pro-rated for an ``own``
  line of money or counts to the days held), or the shops' targets (目标表: the shops' own target,
  a group's, or the sum of the shops' for money and counts; a quarter without its own target, the
  sum of its months').
Evidence names the imports whose rows the figure was computed from.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import duckdb
import polars as pl

from shopops.analysis.targets.periods import TargetPeriod
from shopops.analysis.targets.store import ALL_SHOPS, Target, groups
from shopops.domains.staff.team import InputBook
from shopops.metrics.catalog import Catalog
from shopops.metrics.master import master_table
from shopops.metrics.people import measures_of, person_table
from shopops.metrics.providers import providers


@dataclass(frozen=True)
class ImportRef:
    import_id: int
    file_name: str
    source: str
    rows: int
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class Figure:
    value: float | Decimal | None
    parts: tuple[tuple[str, float | Decimal | None], ...]  # (label, value) of a ratio's two sides
    sources: tuple[str, ...]  # where the figure comes from, in words
    import_ids: tuple[int, ...]
    provisional: bool = False
    note: str = ""  # why unknown, or what was left out (未结算的日期)
    left_out: tuple[dt.date, ...] = ()  # days left out as not settled yet


def own_figures(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    people: Sequence[str],
    metrics: Sequence[str],
    catalog: Catalog,
) -> dict[str, dict[str, Figure]]:
    """Each person's own ``metrics`` over [start, end], in one query for all of them (a person
    without rows then gets unknown figures that say so)."""
    if not metrics or not people:
        return {person: {} for person in people}
    table = person_table(
        con, start, end, list(metrics), people=list(people), catalog=catalog, with_measures=True
    )
    rows = (
        {row["person"]: row for row in table.frame.iter_rows(named=True)}
        if not table.frame.is_empty()
        else {}
    )
    found: dict[str, dict[str, Figure]] = {}
    for person in people:
        row = rows.get(person)
        if row is None:
            found[person] = {
                key: Figure(None, (), table.sources, (), note="这段时间没有本人的数据") for key in metrics
            }
            continue
        pending = row["pending_days"] or []
        note = ""
        if pending:
            days = "、".join(f"{day:%m-%d}" for day in pending[:6]) + (" …" if len(pending) > 6 else "")
            note = (
                f"暂定：{days} 未结算（共 {len(pending)} 天，约 4 天后稳定），按已结算的 {row['days']} 天计"
            )
        ids = tuple(row["import_ids"] or ())
        sides = _measure_of(row)
        found[person] = {
            key: Figure(
                row[key],
                _parts(key, catalog, sides),
                table.sources,
                ids,
                bool(row["provisional"]),
                note,
                tuple(pending),
            )
            for key in metrics
        }
    return found


class FigureCache:
    """The figures of one scoring run, fetched once: own figures for every person of the same days
    in one query, the shops' 总表 once per set of shops."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, period: TargetPeriod, through: dt.date, catalog: Catalog
    ):
        self.con, self.period, self.through, self.catalog = con, period, through, catalog
        self.inputs = InputBook(con)
        self._own: dict[tuple[dt.date, dt.date, str], dict[str, Figure]] = {}
        self._shops: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, Figure]] = {}

    def prefetch(self, wanted: Sequence[tuple[str, tuple[dt.date, dt.date], Sequence[str]]]) -> None:
        """(person, days held, own metrics) of everyone to score: one query per distinct days held."""
        groups: dict[tuple[dt.date, dt.date], tuple[set[str], set[str]]] = {}
        for person, (start, end), keys in wanted:
            people, metrics = groups.setdefault((start, min(end, self.through)), (set(), set()))
            people.add(person)
            metrics.update(keys)
        for (start, end), (people, metrics) in groups.items():
            if end < start:
                continue
            found = own_figures(self.con, start, end, sorted(people), sorted(metrics), self.catalog)
            for person, figures in found.items():
                self._own[(start, end, person)] = figures

    def own(self, person: str, span: tuple[dt.date, dt.date], keys: Sequence[str]) -> dict[str, Figure]:
        start, end = span[0], min(span[1], self.through)
        cached = self._own.get((start, end, person))
        if cached is None or any(key not in cached for key in keys):
            cached = own_figures(self.con, start, end, [person], list(keys), self.catalog)[person]
            self._own[(start, end, person)] = cached
        return cached

    def shops(self, shops: Sequence[str], keys: Sequence[str]) -> dict[str, Figure]:
        key = (tuple(shops), tuple(sorted(set(keys))))
        if key not in self._shops:
            self._shops[key] = shop_figures(self.con, self.period, shops, key[1], self.catalog, self.through)
        return self._shops[key]


def shop_figures(
    con: duckdb.DuckDBPyConnection,
    period: TargetPeriod,
    shops: Sequence[str],
    metrics: Sequence[str],
    catalog: Catalog,
    through: dt.date,
) -> dict[str, Figure]:
    """The shops' ``metrics`` over the period up to ``through`` (one shop's row or the 合计)."""
    if not metrics or not shops:
        return {}
    end = min(period.end, through)
    grain = period.kind
    frame = master_table(
        con,
        period.start,
        end,
        shops=list(shops),
        grain=grain,
        total=len(shops) > 1,
        provenance=True,
        catalog=catalog.only(metrics),
    )
    rows = frame.filter(pl.col("platform").is_null()) if len(shops) > 1 else frame
    if rows.is_empty():
        return {}
    row = rows.row(0, named=True)
    shop_rows = frame.filter(pl.col("platform").is_not_null())  # the 合计 row names no source
    complete = bool(row.get("complete", True)) and end >= period.end
    found = {}
    for key in metrics:
        provider_keys = sorted(
            {
                part
                for measure in measures_of(key, catalog)
                if f"{measure}__source" in shop_rows.columns
                for text in shop_rows[f"{measure}__source"].drop_nulls().to_list()
                for part in str(text).split("+")
                if part
            }
        )
        known = providers()
        labels = tuple(known[k].label for k in provider_keys if k in known)
        tables = {table for k in provider_keys if k in known for table in tables_read(con, known[k].sql)}
        ids = _imports_of(con, tables, shops, period.start, end)
        note = "" if complete else f"暂定：数据到 {end:%m-%d}，{period.key} 未完"
        found[key] = Figure(row[key], _parts(key, catalog, row.get), labels, ids, not complete, note)
    return found


def shop_target(
    con: duckdb.DuckDBPyConnection,
    targets: Sequence[Target],
    period: TargetPeriod,
    shops: Sequence[str],
    every_shop: Sequence[str],
    metric: str,
    additive: bool,
) -> tuple[Decimal | None, str]:
    """The shops' target of ``metric`` for the period, and where it came from (None: not set)."""
    mine = {t.scope: t for t in targets if t.metric == metric and t.period == period}
    chosen = set(shops)
    for scope, target in mine.items():
        if scope.kind == "all" and chosen == set(every_shop):
            return target.value, target.source
        if scope.kind == "group" and set(groups(con).get(scope.name, [])) == chosen:
            return target.value, target.source
    per_shop = [
        next((t for s, t in mine.items() if s.kind == "shop" and s.name == shop), None) for shop in shops
    ]
    if all(t is not None for t in per_shop) and (additive or len(shops) == 1):
        found = [t for t in per_shop if t is not None]
        return sum((t.value for t in found), Decimal(0)), "；".join(t.source for t in found)
    if period.kind != "month" and additive:  # a quarter or year: its months' targets added up
        months = [shop_target(con, targets, m, shops, every_shop, metric, additive) for m in period.months()]
        if all(value is not None for value, _ in months):
            return sum((v for v, _ in months if v is not None), Decimal(0)), f"{len(months)} 个月目标之和"
    return None, ""


def import_index(con: duckdb.DuckDBPyConnection) -> dict[int, ImportRef]:
    """Every import, by id: read once where many lines name theirs (a whole board's evidence)."""
    rows = con.execute(
        "SELECT import_id, file_name, source_key, rows_imported, date_min, date_max FROM imports"
    ).fetchall()
    return {int(i): ImportRef(int(i), str(f), str(s), int(n), a, b) for i, f, s, n, a, b in rows}


def import_refs(
    con: duckdb.DuckDBPyConnection, ids: Sequence[int], index: Mapping[int, ImportRef] | None = None
) -> list[ImportRef]:
    if not ids:
        return []
    if index is not None:
        found = [index[i] for i in dict.fromkeys(ids) if i in index]
        return sorted(found, key=lambda ref: (ref.first is None, ref.first or dt.date.min, ref.import_id))
    rows = con.execute(
        "SELECT import_id, file_name, source_key, rows_imported, date_min, date_max FROM imports"
        " WHERE import_id IN (SELECT unnest($ids::BIGINT[])) ORDER BY date_min NULLS LAST, import_id",
        {"ids": list(ids)},
    ).fetchall()
    return [ImportRef(int(i), str(f), str(s), int(n), a, b) for i, f, s, n, a, b in rows]


def tables_read(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    """The warehouse tables a provider's SQL reads (the names after FROM and JOIN that are tables)."""
    known = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return {name for name in re.findall(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)", sql) if name in known}


def _imports_of(
    con: duckdb.DuckDBPyConnection, tables: set[str], shops: Sequence[str], start: dt.date, end: dt.date
) -> tuple[int, ...]:
    if not tables:
        return ()
    rows = con.execute(
        "SELECT import_id FROM imports WHERE target_table IN (SELECT unnest($tables::VARCHAR[]))"
        " AND (date_min IS NULL OR (date_min <= $end AND date_max >= $start))"
        " AND (len(list_intersect(string_split(shops, ','), $shops::VARCHAR[])) > 0"
        f" OR list_contains(string_split(shops, ','), '{ALL_SHOPS}'))"
        " ORDER BY import_id",
        {"tables": sorted(tables), "shops": list(shops), "start": start, "end": end},
    ).fetchall()
    return tuple(int(row[0]) for row in rows)


def _parts(
    key: str, catalog: Catalog, value_of: Callable[[str], object]
) -> tuple[tuple[str, float | Decimal | None], ...]:
    """A ratio's two sides (``a / b`` of two names), for the working; () for any other formula."""
    names = ratio_sides(catalog.metrics[key].formula)
    if names is None:
        return ()
    return tuple((_label(name, catalog), value_of(name)) for name in names)  # type: ignore[misc]


def _measure_of(row: Mapping[str, object]) -> Callable[[str], object]:
    """A name's value in a person's row: the measure summed (``measure__…``), else the metric."""
    return lambda name: row.get(f"measure__{name}", row.get(name))


@cache
def ratio_sides(formula: str) -> tuple[str, str] | None:
    """``a / b`` of two names → (a, b); None for any other formula (parsed once per formula)."""
    tree = ast.parse(formula, mode="eval").body
    if (
        isinstance(tree, ast.BinOp)
        and isinstance(tree.op, ast.Div)
        and isinstance(tree.left, ast.Name)
        and isinstance(tree.right, ast.Name)
    ):
        return tree.left.id, tree.right.id
    return None


def _label(name: str, catalog: Catalog) -> str:
    if name in catalog.metrics:
        return catalog.metrics[name].label
    return catalog.measures[name].label or name if name in catalog.measures else name
