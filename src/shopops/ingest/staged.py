"""Checks over a file's staged rows, run before anything is written to the warehouse.

The importer parses a file into TEMP tables (``RAW`` → ``STAGED``, with the rows to look at in
``CHECKS``); each check here reads them and raises the one-line error the user sees.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Sequence

import duckdb

from shopops.errors import (
    BadValueError,
    ImportRoleError,
    ShopScopeError,
    ShopUnknownError,
    UnreadableFileError,
)
from shopops.ingest.readers import RawExport
from shopops.ingest.sources import ColumnSpec, Detection, SourceRegistry, SourceSpec
from shopops.ingest.values import VALUE_TYPES

RAW = "_so_raw"
STAGED = "_so_staged"
CHECKS = "_so_checks"


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


class StagedChecks:
    """The checks, over one connection's staging tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, registry: SourceRegistry) -> None:
        self.con = con
        self.registry = registry

    def first_failure(self, raw: RawExport, checks: list[tuple[str, str, str, str, int]]) -> None:
        firsts = ", ".join(f"min(_row) FILTER (WHERE {flag})" for flag, *_ in checks)
        counts = ", ".join(f"count(*) FILTER (WHERE {flag})" for flag, *_ in checks)
        row = self.con.execute(f"SELECT {firsts}, {counts} FROM {CHECKS} WHERE _keep").fetchone()
        assert row is not None
        n = len(checks)
        failures = [(row[i], row[n + i], checks[i]) for i in range(n) if row[i] is not None]
        if not failures:
            return
        first_row, count, (_, header, problem, hint, index) = min(failures, key=lambda f: f[0])
        value = self.con.execute(
            f"SELECT c{index} FROM {RAW} WHERE rowid - (SELECT min(rowid) FROM {RAW}) = ?",
            [first_row - raw.first_row],
        ).fetchone()
        more = f" (and {count - 1} more row{'s' if count > 2 else ''} like it)" if count > 1 else ""
        shown = None if value is None or value[0] is None else str(value[0])
        raise BadValueError(
            raw.path,
            problem + more,
            row=first_row,
            column=header,
            value=None if shown is None or not shown.strip() else shown,
            hint=hint,
        ).relabel(raw.display_name)

    def check_lossy_ids(self, raw: RawExport, mapped: list[tuple[ColumnSpec, int]]) -> None:
        """A workbook ID column with long all-digit values may hold numbers Excel already rounded."""
        if raw.lossy_number is None:
            return
        id_type = VALUE_TYPES["id"]
        for column, index in mapped:
            if column.type != "id":
                continue
            long_digits = scalar(
                self.con,
                f"SELECT count(*) FROM {STAGED} WHERE length({column.name}) >= 16"
                f" AND regexp_full_match({column.name}, '[0-9]+')",
            )
            found = raw.lossy_number(index) if long_digits else None
            if found is not None:
                raise BadValueError(
                    raw.path,
                    id_type.problem,
                    row=found[0],
                    column=raw.header[index],
                    value=found[1],
                    hint=id_type.hint,
                ).relabel(raw.display_name)

    def skip_other_shops(
        self, raw: RawExport, detection: Detection, shops: Collection[str]
    ) -> tuple[tuple[str, int], ...]:
        """With ``other_shops: skip``, leave out the rows whose shop column names a shop the workspace
        does not have: (why, rows) per such shop, for the import line. Nothing else is dropped."""
        if detection.spec.other_shops != "skip" or "shop" not in detection.mapping:
            return ()
        other = "shop IS NOT NULL AND shop <> '*' AND NOT list_contains($shops, shop)"
        found = self.con.execute(
            f"SELECT shop, count(*) FROM {STAGED} WHERE {other} GROUP BY shop ORDER BY min(_row)",
            {"shops": list(shops)},
        ).fetchall()
        if not found:
            return ()
        rows = f"SELECT _row FROM {STAGED} WHERE {other}"
        self.con.execute(f"DELETE FROM {CHECKS} WHERE _row IN ({rows})", {"shops": list(shops)})
        self.con.execute(f"DELETE FROM {STAGED} WHERE {other}", {"shops": list(shops)})
        names = "、".join(str(name) for name, _ in found)
        if scalar(self.con, f"SELECT count(*) FROM {STAGED}") == 0:
            raise UnreadableFileError(
                raw.path,
                f"holds rows of shops this workspace does not have only ({names})",
                hint="add the shop with `shopops shop add NAME --platform tmall|taobao|jd|douyin`",
            ).relabel(raw.display_name)
        return tuple((f"of shop {name} (not registered)", int(n)) for name, n in found)

    def check_role(self, raw: RawExport, spec: SourceSpec, role: str | None) -> None:
        """A source only some account roles may import (``import_roles``), from the dashboard
        (``role`` None: the CLI, run by whoever owns the workspace's files)."""
        if spec.import_roles and role is not None and role not in spec.import_roles:
            raise ImportRoleError(
                raw.path,
                f"is a {spec.label}, which only {' or '.join(spec.import_roles)} accounts may import",
                hint="ask one of them to import it; nothing was imported",
            ).relabel(raw.display_name)

    def source_check(self, raw: RawExport, spec: SourceSpec) -> None:
        """The check across rows a source names (``check``), on the staged rows before they are stored."""
        if spec.check:
            staged_check(spec.check)(self.con, STAGED, raw.display_name)

    def check_registered_shops(self, raw: RawExport, detection: Detection, shops: Collection[str]) -> None:
        """Every shop a shop column names must be registered ("*": every shop's shared data)."""
        if "shop" not in detection.mapping:
            return
        found = self.con.execute(
            f"SELECT shop, min(_row) FROM {STAGED} WHERE shop <> '*' GROUP BY shop ORDER BY 2"
        ).fetchall()
        for name, first_row in found:
            if name not in shops:
                raise BadValueError(
                    raw.path,
                    "is not a registered shop",
                    row=first_row,
                    column=raw.header[detection.mapping["shop"]],
                    value=name,
                    hint=f"add it with `shopops shop add {name} --platform tmall|taobao|jd|douyin`",
                ).relabel(raw.display_name)

    def check_chosen_shop(self, raw: RawExport, detection: Detection, chosen: str | None) -> None:
        """With --shop (or the upload form's shop), a shop column must name that shop only."""
        if chosen is None or "shop" not in detection.mapping:
            return
        found = self.con.execute(
            f"SELECT shop, min(_row), count(DISTINCT shop) OVER () FROM {STAGED}"
            f" WHERE shop <> ? GROUP BY shop ORDER BY 2 LIMIT 1",
            [chosen],
        ).fetchone()
        if found is None:
            return
        other, first_row, count = found
        others = f" (and {count - 1} more shop{'s' if count > 2 else ''})" if count > 1 else ""
        raise ShopUnknownError(
            raw.path,
            f"names another shop than --shop {chosen}{others}",
            row=first_row,
            column=raw.header[detection.mapping["shop"]],
            value=other,
            hint="drop --shop to import each row under the shop its column names, or fix the file",
        ).relabel(raw.display_name)

    def check_scope(
        self, raw: RawExport, allowed: Collection[str] | None, shops: Sequence[str] | None = None
    ) -> None:
        """Every shop the rows belong to (the staged rows', or ``shops``) must be one the importing
        user may write ("*" rows are every shop's shared data, e.g. rival snapshots)."""
        if allowed is None:
            return
        found: list[tuple[str, int | None]] = (
            [(name, None) for name in shops]
            if shops is not None
            else self.con.execute(f"SELECT shop, min(_row) FROM {STAGED} GROUP BY shop ORDER BY 2").fetchall()
        )
        for name, first_row in found:
            if name != "*" and name not in allowed:
                where = f" (first on row {first_row})" if first_row is not None else ""
                raise ShopScopeError(
                    raw.path,
                    f"holds rows of shop {name}{where}, which your account may not import; nothing was imported",
                    hint=f"ask a user who manages {name} to import this file",
                ).relabel(raw.display_name)

    def check_grain(self, raw: RawExport, detection: Detection) -> None:
        """A source with one row per key (shop-day, order, refund) refuses a file with two
        *different* rows for one key: keeping either would silently drop the other. Identical
        rows are duplicates and are kept once (see ``_load``)."""
        spec = detection.spec
        if not spec.unique_by:
            return
        keys = ", ".join(spec.unique_by)
        values = [
            c for c in table_columns(self.con, STAGED) if not c.startswith("_") and c not in spec.unique_by
        ]
        # One group per distinct row; a key with two groups has two different rows.
        distinct_rows = (
            f"SELECT {keys}, min(_row) AS first_row FROM {STAGED} GROUP BY {', '.join([keys, *values])}"
        )
        found = self.con.execute(
            f"SELECT {', '.join(f'CAST({k} AS VARCHAR)' for k in spec.unique_by)},"
            f" list(first_row ORDER BY first_row)[1:2], count(*) OVER () FROM ({distinct_rows})"
            f" GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(first_row) LIMIT 1"
        ).fetchone()
        if found is None:
            return
        *key_values, (first, second), conflicts = found
        shown = [
            f"{_key_label(spec, name)} {value}"
            for name, value in zip(spec.unique_by, key_values, strict=True)
            if (name != "shop" or "shop" in detection.mapping) and name not in spec.constants and value
        ]
        more = (
            f" (and {conflicts - 1} more {_key_label(spec, spec.unique_by[-1])} like it)"
            if conflicts > 1
            else ""
        )
        grain = "、".join(_key_label(spec, n) for n in spec.unique_by if n not in spec.constants)
        finer = self.finer_source(raw, detection)
        raise BadValueError(
            raw.path,
            f"rows {first} and {second} are two different rows for the same {', '.join(shown)}{more},"
            f" but a {spec.label} export has one row per {grain}",
            hint=f"this looks like a {finer.label} export: import it with --source {finer.key}"
            if finer is not None
            else "remove the extra rows, or check that the file is the export you meant",
        ).relabel(raw.display_name)

    def finer_source(self, raw: RawExport, detection: Detection) -> SourceSpec | None:
        """Another source the file fits whose rows are finer (an item or plan export)."""
        context = " ".join([raw.display_name, *raw.title_lines])
        current = set(detection.spec.unique_by)
        candidates = [
            match
            for spec in self.registry.specs.values()
            if spec.key != detection.spec.key
            and (not spec.unique_by or current < set(spec.unique_by))
            and (match := self.registry.match(spec, raw.header, context)).eligible
        ]
        return max(candidates, key=lambda m: m.score).spec if candidates else None


def _key_label(spec: SourceSpec, name: str) -> str:
    """A key column's name as the user knows it: a period's ``_start``/``_end`` are the period column."""
    if name == "shop":
        return "店铺"
    for column in spec.columns:
        if column.name == name or (
            column.type == "period" and name in (f"{column.name}_start", f"{column.name}_end")
        ):
            return column.display
    return name


StagedCheck = Callable[[duckdb.DuckDBPyConnection, str, str], None]  # (con, staged table, file label)


def staged_check(name: str) -> StagedCheck:
    """The function a source's ``check`` names (``module:function``), imported when a file needs it."""
    module, _, attribute = name.partition(":")
    check: StagedCheck = getattr(importlib.import_module(module), attribute)
    return check
