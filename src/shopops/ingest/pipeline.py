"""One file in, one transaction out: read → detect → resolve shop → stage → validate → load.

Everything up to loading happens in TEMP tables, so a file that is rejected at any step leaves
the warehouse exactly as it was. Loading deletes the rows the file covers (its replace scope)
and inserts the new ones in the same transaction, together with the ``imports`` record.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext, suppress
from dataclasses import replace
from pathlib import Path

import duckdb

from shopops.channels import channel_case_sql
from shopops.errors import (
    MissingColumnError,
    UnreadableFileError,
)
from shopops.ingest.bundle import other_sheets
from shopops.ingest.file_values import (
    check_period,
    file_extras,
    import_identity,
    pending_counts,
    pending_flags,
    unsettled,
)
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits
from shopops.ingest.result import ImportResult, Scope, blank_counts, unused_columns
from shopops.ingest.shops import check_platform, resolve_shop
from shopops.ingest.sources import ColumnSpec, Detection, SourceRegistry, SourceSpec
from shopops.ingest.staged import CHECKS, RAW, STAGED, StagedChecks, scalar, table_columns
from shopops.ingest.values import VALUE_TYPES, ValueType, install_parsers
from shopops.warehouse import Warehouse, audit

_SUMMARY_ROW = "^[\\s\u00a0\u3000]*(合计|总计|汇总|小计|平均|均值|总和|total|sum)"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def work_folder(base: Path | None) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder in ``base`` named after this process (``shopops-<pid>-…``), so that
    the workspace can tell the leftovers of a killed import from the folders of running ones."""
    return tempfile.TemporaryDirectory(prefix=f"shopops-{os.getpid()}-", dir=base)


class Importer:
    """Imports files into a warehouse using a registry of sources."""

    def __init__(
        self,
        warehouse: Warehouse,
        registry: SourceRegistry,
        channel_aliases: Mapping[str, list[str]] | None = None,
        *,
        workdir: Path | None = None,
        limits: ReadLimits = DEFAULT_LIMITS,
    ) -> None:
        self.warehouse = warehouse
        self.con = warehouse.connection
        self.registry = registry
        self.workdir = workdir  # where each import's temporary folder goes (None: the system's)
        self.limits = limits  # the largest file the readers accept (limits: in shopops.yaml)
        self._bundled = False
        self.checks = StagedChecks(self.con, registry)
        install_parsers(self.con)
        self._channel_type = ValueType(
            "channel",
            lambda cell, _: channel_case_sql(cell, channel_aliases or {}),
            "is not a known ad channel (场景名称)",
            "add it under channel_aliases in shopops.yaml, e.g. smart: [新场景]",
        )

    def shops(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT name, platform FROM shops ORDER BY name").fetchall())

    def import_file(
        self,
        path: Path,
        *,
        shop: str | None = None,
        source: str | None = None,
        imported_by: str | None = None,
        allowed_shops: Collection[str] | None = None,
        role: str | None = None,
    ) -> ImportResult:
        """Import one file (every export sheet of a workbook); ``allowed_shops`` limits the shops
        whose rows it may write (a web user's scope): a row of any other shop refuses the file;
        ``role`` (a web user's) must be one of a source's ``import_roles`` where it names some."""
        # The file's hash (for "already imported?") is computed while DuckDB reads the file:
        # hashlib and DuckDB both release the GIL, and on a big export each takes a while.
        with (
            ThreadPoolExecutor(max_workers=1) as pool,
            work_folder(self.workdir) as workdir,
        ):
            hashing = pool.submit(file_hash, path) if path.is_file() else None
            raw = read_export(path, self.registry.header_score, Path(workdir), limits=self.limits)
            raw.workdir = Path(workdir)
            detection = self.registry.detect(raw, forced=source)
            bundle, passed_over = (
                ([], [])
                if source
                else other_sheets(self.registry, raw, detection, Path(workdir), limits=self.limits)
            )

            def digest() -> str:
                return hashing.result() if hashing is not None else ""

            scope = Scope(shop, imported_by, allowed_shops, role)
            if not bundle:
                return replace(
                    self._import_raw(raw, detection, scope, digest), sheets_passed_over=tuple(passed_over)
                )
            # A workbook with one sheet per export type (罗盘's per-session file): every sheet
            # that matches a different source is imported, all or nothing, in one transaction.
            with self.warehouse.transaction():
                self._bundled = True
                try:
                    first = self._import_raw(raw, detection, scope, digest)
                    rest = tuple(self._import_raw(r, d, scope, digest) for r, d in bundle)
                finally:
                    self._bundled = False
            return replace(first, sheets=rest, sheets_passed_over=tuple(passed_over))

    def _import_raw(
        self,
        raw: RawExport,
        detection: Detection,
        scope: Scope,
        digest: Callable[[], str],
    ) -> ImportResult:
        self._check_columns(raw, detection)
        spec = detection.spec
        self.checks.check_role(raw, spec, scope.role)
        shops = self.shops()
        shop_name = resolve_shop(raw, spec, shops, scope.shop, "shop" in detection.mapping)
        if shop_name is not None:
            check_platform(spec, shop_name, shops.get(shop_name, ""), raw)
        try:
            raw.load(self.con, RAW, sorted({0, *detection.mapping.values()}))
            file_digest = import_identity(digest(), spec, raw.path.name, dt.date.today())
            # Another shop's file is refused before "already imported" could show its rows and dates.
            if shop_name is not None:
                self.checks.check_scope(raw, scope.allowed, [shop_name])
            # A file whose rows of unregistered shops were left out is read again: the shop may be added.
            skips = spec.other_shops == "skip" and "shop" in detection.mapping
            previous = None if skips else self._previous_import(file_digest, spec.key, shop_name)
            if previous is not None:
                self.checks.check_scope(raw, scope.allowed, previous.shops)
                return previous
            skipped = self._stage(raw, detection, shop_name, fill_shop=scope.shop)
            skipped += self.checks.skip_other_shops(raw, detection, shops)
            self._validate(raw, detection, shops)
            self.checks.check_chosen_shop(raw, detection, scope.shop)
            self.checks.check_scope(raw, scope.allowed)
            self.checks.check_grain(raw, detection)
            self.checks.source_check(raw, spec)
            result = self._load(raw, spec, file_digest, skipped, scope.imported_by)
            return replace(result, unused_columns=unused_columns(raw, detection))
        finally:
            # In a failed workbook transaction the drops wait for its rollback, which undoes them anyway.
            with suppress(duckdb.TransactionException) if self._bundled else nullcontext():
                for table in (RAW, STAGED, CHECKS):
                    self.con.execute(f"DROP TABLE IF EXISTS {table}")

    # -- steps ------------------------------------------------------------------------------

    def _check_columns(self, raw: RawExport, detection: Detection) -> None:
        spec = detection.spec
        for name in detection.missing_required:
            column = spec.column(name)
            raise MissingColumnError(
                raw.path,
                f"is a {spec.label} export ({spec.key}) but has no column {column.display}"
                f" (accepted names: {', '.join(column.aliases)})",
                hint=f"add the file's name for it under aliases: {spec.key}: {name} in shopops.yaml,"
                f" or pass --map 源列={name}",
            ).relabel(raw.display_name)
        for group in spec.required_any:
            if not any(c in detection.mapping for c in group):
                names = " or ".join(spec.column(c).display for c in group)
                raise MissingColumnError(
                    raw.path,
                    f"is a {spec.label} export ({spec.key}) but has neither {names}",
                    hint="export the report with that column, or pass --map 源列=column",
                ).relabel(raw.display_name)
        check_period(raw, spec, detection.mapping)

    def _type_of(self, kind: str) -> ValueType:
        return self._channel_type if kind == "channel" else VALUE_TYPES[kind]

    def _stage(
        self, raw: RawExport, detection: Detection, shop: str | None, *, fill_shop: str | None = None
    ) -> tuple[tuple[str, int], ...]:
        """Parse the mapped cells into ``_so_staged``, drop blank/合计/note rows; return how many
        were dropped, by reason. ``fill_shop`` fills the empty cells of a shop column.

        One pass over the raw text parses every cell (most with a single cast, see ``ValueType``)
        and writes each cell's bad-value flag beside its value. A second pass over the staged
        rows keeps only the rows to drop and the rows with a bad cell (usually none) in
        ``_so_checks``. Nothing relies on the order of rows in a table: ``_row`` comes from the
        raw table's ``rowid``, which follows the file.
        """
        spec = detection.spec
        mapped = self._mapped(detection)
        parsers = {c.name: self._type_of(c.type).parse(unsettled(spec, f"c{i}")) for c, i in mapped}
        if fill_shop is not None and "shop" in parsers:
            parsers["shop"] = f"coalesce({parsers['shop']}, '{_escape(fill_shop)}')"
        parsed = ", ".join(f"{sql} AS {name}" for name, sql in parsers.items())
        extras = [
            f"{_literal(column.default, column.type)} AS {column.name}"
            for column in spec.columns
            if column.name not in detection.mapping and column.default is not None
        ]
        extras += [f"'{_escape(value)}' AS {name}" for name, value in spec.constants.items()]
        extras += file_extras(spec, raw.path.name, detection.mapping)
        period = spec.period_column
        if shop is not None:
            extras.append(f"'{_escape(shop)}' AS shop")
        flags = [
            f"{value_type.flag(unsettled(spec, f'c{index}'))} AS _bad_{column.name}"
            for column, index in mapped
            if (value_type := self._type_of(column.type)).problem
        ]
        flags += pending_flags(spec, mapped)
        # Row-filter inputs that need the raw first column (a 合计 label, a note in column A).
        flags += [f"coalesce(regexp_matches(c0, '{_SUMMARY_ROW}', 'i'), false) AS _summary"]
        if 0 not in detection.mapping.values():
            flags.append("so_clean(c0) IS NOT NULL AS _filled0")
        # Inside a workbook's transaction, uncommitted rows have rowids from 2**55: count from the first.
        row = f"CAST(rowid - (SELECT min(rowid) FROM {RAW}) + {raw.first_row} AS INTEGER) AS _row"
        columns = ", ".join([row, parsed, *flags, *extras])
        select = f"SELECT {columns} FROM {RAW}"
        if period is not None and period.name in detection.mapping:  # a day or a range → its two ends
            ends = f"{period.name}[1] AS {period.name}_start, {period.name}[2] AS {period.name}_end"
            select = f"SELECT *, {ends} FROM ({select})"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED} AS {select}")
        checks = [f"_bad_{c.name}" for c, _ in mapped if self._type_of(c.type).problem]
        checks += [f"{c.name} IS NULL AS _empty_{c.name}" for c, _ in mapped if _must_fill(spec, c)]
        wanted = " OR ".join(["NOT _keep", *(check.rsplit(" AS ", 1)[-1] for check in checks)])
        filled, summary = self._filled_count(detection), "_summary"
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {CHECKS} AS SELECT * FROM "
            f"(SELECT _row, {self._keep(detection)} AS _keep, {filled} AS _filled, {summary},"
            f" {', '.join(checks)} FROM {STAGED}) WHERE {wanted}"
        )
        counts = self.con.execute(
            f"SELECT count(*) FILTER (WHERE _summary), count(*) FILTER (WHERE NOT _summary AND _filled = 0),"
            f" count(*) FILTER (WHERE NOT _summary AND _filled > 0) FROM {CHECKS} WHERE NOT _keep"
        ).fetchone()
        assert counts is not None
        skipped = tuple(
            (why, int(n)) for why, n in zip(("合计/汇总", "blank", "note"), counts, strict=True) if n
        )
        if skipped:
            self.con.execute(
                f"DELETE FROM {STAGED} WHERE _row IN (SELECT _row FROM {CHECKS} WHERE NOT _keep)"
            )
        self._apply_defaults(detection)
        if scalar(self.con, f"SELECT count(*) FROM {STAGED}") == 0:
            raise UnreadableFileError(
                raw.path,
                f"has a {spec.label} header but no data rows",
                hint="fill in the rows, or export the report again for a date range that has data",
            ).relabel(raw.display_name)
        return skipped

    def _mapped(self, detection: Detection) -> list[tuple[ColumnSpec, int]]:
        return [
            (column, detection.mapping[column.name])
            for column in detection.spec.columns
            if column.name in detection.mapping
        ]

    def _filled_count(self, detection: Detection) -> str:
        """SQL over the staged row: how many of the loaded cells hold something."""
        by_index = {index: column for column, index in reversed(self._mapped(detection))}
        filled = []
        for index in sorted({0, *by_index}):
            column = by_index.get(index)
            if column is None:
                filled.append("_filled0::INT")
            elif self._type_of(column.type).problem:
                filled.append(f"({column.name} IS NOT NULL OR _bad_{column.name})::INT")
            else:
                filled.append(f"({column.name} IS NOT NULL)::INT")
        return f"({' + '.join(filled)})"

    def _keep(self, detection: Detection) -> str:
        """SQL over the staged row: it is data, not a blank row, a 合计/footer row or a one-cell note."""
        loaded = len({0, *detection.mapping.values()})
        count = self._filled_count(detection)
        note = f"{count} <= 1" if loaded >= 3 else f"{count} = 0"
        return f"NOT (_summary OR {note})"

    def _apply_defaults(self, detection: Detection) -> None:
        """Defaults fill empty cells only: a bad cell was flagged above, never silently defaulted."""
        spec = detection.spec
        sets = [
            f"{c.name} = coalesce({c.name}, {_literal(c.default, c.type)})"
            for c, _ in self._mapped(detection)
            if c.default is not None
        ]
        if spec.shop_default is not None and "shop" in detection.mapping:
            sets.append(f"shop = coalesce(shop, '{_escape(spec.shop_default)}')")
        if sets:
            self.con.execute(f"UPDATE {STAGED} SET {', '.join(sets)}")

    def _validate(self, raw: RawExport, detection: Detection, shops: Mapping[str, str]) -> None:
        spec = detection.spec
        checks: list[tuple[str, str, str, str, int]] = []  # (flag column, header, problem, hint, raw column)
        for column, index in self._mapped(detection):
            value_type = self._type_of(column.type)
            header = raw.header[index]
            if value_type.problem:
                checks.append((f"_bad_{column.name}", header, value_type.problem, value_type.hint, index))
            if _must_fill(spec, column):
                checks.append(
                    (f"_empty_{column.name}", header, *_empty_problem(spec, column), index)
                    if column.name not in spec.replace_by
                    else (
                        f"_empty_{column.name}",
                        header,
                        "is empty, but every row needs it (it identifies the row)",
                        "fill it in or remove the row",
                        index,
                    )
                )
        if checks:
            self.checks.first_failure(raw, checks)
        self.checks.check_lossy_ids(raw, self._mapped(detection))
        self.checks.check_registered_shops(raw, detection, shops)

    def _previous_import(self, digest: str, source_key: str, shop: str | None) -> ImportResult | None:
        row = self.con.execute(
            "SELECT import_id, file_name, shops, rows_imported, date_min, date_max FROM imports"
            " WHERE file_hash = ? AND source_key = ? AND (? IS NULL OR shops = ?) ORDER BY import_id DESC LIMIT 1",
            [digest, source_key, shop, shop],
        ).fetchone()
        if row is None:
            return None
        spec = self.registry.get(source_key)
        return ImportResult(
            file=row[1],
            source_key=source_key,
            source_label=spec.label,
            shops=tuple(row[2].split(",")),
            rows=row[3],
            rows_replaced=0,
            skipped_rows=0,
            duplicate_rows=0,
            date_min=row[4],
            date_max=row[5],
            already_imported=True,
            import_id=row[0],
        )

    def _load(
        self,
        raw: RawExport,
        spec: SourceSpec,
        digest: str,
        skipped: tuple[tuple[str, int], ...],
        imported_by: str | None,
    ) -> ImportResult:
        con = self.con
        target_columns = [c for c in table_columns(con, spec.table) if c not in ("import_id", "source_row")]
        staged_columns = set(table_columns(con, STAGED))
        insert_columns = ", ".join(c for c in target_columns if c in staged_columns)
        distinct = f"count(DISTINCT ({', '.join(spec.unique_by)}))" if spec.unique_by else "count(*)"
        # A list whose optional date column is absent from the file (商品资料 without 创建时间) has no days.
        dated = (spec.date_column or "") in staged_columns
        stats = con.execute(
            f"SELECT count(*), {distinct}, {', '.join(spec.date_range_sql if dated else ('NULL', 'NULL'))},"
            f" string_agg(DISTINCT shop, ',' ORDER BY shop) FROM {STAGED}"
        ).fetchone()
        assert stats is not None
        staged_rows, unique_rows, date_min, date_max, shops = stats
        dedupe = ""
        if unique_rows != staged_rows:  # identical rows (``_check_grain`` refused different ones)
            dedupe = (
                f"QUALIFY row_number() OVER (PARTITION BY {', '.join(spec.unique_by)} ORDER BY _row DESC) = 1"
            )
        scope = ", ".join(spec.replace_by)
        join = " AND ".join(f"t.{c} = s.{c}" for c in spec.replace_by)
        with nullcontext() if self._bundled else self.warehouse.transaction():
            import_id = scalar(con, "SELECT nextval('import_id_seq')")
            replaced = scalar(
                con,
                f"DELETE FROM {spec.table} t USING (SELECT DISTINCT {scope} FROM {STAGED}) s WHERE {join}",
            )
            inserted = scalar(
                con,
                f"INSERT INTO {spec.table} ({insert_columns}, import_id, source_row) "
                f"SELECT {insert_columns}, {import_id}, _row FROM {STAGED} {dedupe}",
            )
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?)",
                [
                    import_id,
                    raw.display_name,
                    digest,
                    raw.sheet,
                    spec.key,
                    spec.table,
                    shops,
                    inserted,
                    replaced,
                    date_min,
                    date_max,
                    imported_by or _user(),
                ],
            )
            detail: dict[str, object] = {"file": raw.display_name, "rows": inserted}
            detail |= {"rows_replaced": replaced, "source": spec.key, "shops": str(shops).split(",")}
            detail |= {"sha256": digest, "dates": f"{date_min or '—'}…{date_max or '—'}"}
            audit.record_current(con, "import", raw.display_name, detail)
        blank_cells = blank_counts(con, spec, staged_columns, import_id)
        pending_rows, pending_columns = pending_counts(con, spec, staged_columns, STAGED)
        per_shop = con.execute(
            f"SELECT shop, count(*) FROM {spec.table} WHERE import_id = ? GROUP BY shop ORDER BY shop",
            [import_id],
        ).fetchall()
        return ImportResult(
            file=raw.display_name,
            source_key=spec.key,
            source_label=spec.label,
            shops=tuple(str(shops).split(",")),
            rows=inserted,
            rows_replaced=replaced,
            skipped_rows=sum(n for _, n in skipped),
            duplicate_rows=staged_rows - inserted,
            date_min=date_min,
            date_max=date_max,
            import_id=import_id,
            blank_cells=blank_cells,
            pending_rows=pending_rows,
            pending_columns=pending_columns,
            skipped=skipped,
            shop_rows=tuple((str(name), int(n)) for name, n in per_shop) if len(per_shop) > 1 else (),
        )


_MEASURE_TYPES = ("money", "int", "number", "ratio")


def _must_fill(spec: SourceSpec, column: ColumnSpec) -> bool:
    """Key columns must hold a value (unless a default fills it), and so must a required measure (a 支付金额
    of "N/A" would make GMV unknown while visitors count) or required identity (a stock row's 商品编码);
    other required columns need only exist (an unpaid order has no payment time)."""
    defaulted = column.default is not None or (column.name == "shop" and spec.shop_default is not None)
    identity = column.name in spec.unique_by and column.name not in spec.report_blanks  # blanks: kept, said
    needed = column.required and (column.type in _MEASURE_TYPES or identity)
    return (column.name in spec.replace_by or needed) and not defaulted


def _empty_problem(spec: SourceSpec, column: ColumnSpec) -> tuple[str, str]:
    fix = "the number (0 if there was none)" if column.type in _MEASURE_TYPES else f"the {column.display}"
    return (
        f"is empty or a placeholder, but every row of a {spec.label} export needs {column.display}",
        f"fill in {fix} or remove the row, then import the file again",
    )


def _escape(text: str) -> str:
    return text.replace("'", "''")


def _literal(value: str, kind: str) -> str:
    if kind == "date":
        return f"DATE '{_escape(value)}'"
    return f"'{_escape(value)}'"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


__all__ = ["ImportResult", "Importer", "file_hash", "work_folder"]
