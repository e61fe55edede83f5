"""One file in, one transaction out: read → detect → resolve shop → stage → validate → load.

Everything up to loading happens in TEMP tables, so a file that is rejected at any step leaves
the warehouse exactly as it was. Loading deletes the rows the file covers (its replace scope)
and inserts the new ones in the same transaction, together with the ``imports`` record.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopops.channels import channel_case_sql
from shopops.errors import BadValueError, MissingColumnError, UnreadableFileError
from shopops.ingest.readers import RawExport, read_export
from shopops.ingest.shops import check_platform, resolve_shop
from shopops.ingest.sources import Detection, SourceRegistry, SourceSpec
from shopops.ingest.values import VALUE_TYPES, ValueType, install_parsers
from shopops.warehouse import Warehouse

_SUMMARY_ROW = "^(合计|总计|汇总|小计|平均|均值|总和|total|sum)"
_RAW = "_so_raw"
_STAGED = "_so_staged"


@dataclass(frozen=True)
class ImportResult:
    file: str
    source_key: str
    source_label: str
    shops: tuple[str, ...]
    rows: int
    rows_replaced: int
    skipped_rows: int
    duplicate_rows: int
    date_min: dt.date | None
    date_max: dt.date | None
    already_imported: bool = False
    import_id: int | None = None


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


class Importer:
    """Imports files into a warehouse using a registry of sources."""

    def __init__(
        self,
        warehouse: Warehouse,
        registry: SourceRegistry,
        channel_aliases: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.warehouse = warehouse
        self.con = warehouse.connection
        self.registry = registry
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
    ) -> ImportResult:
        digest = file_hash(path) if path.is_file() else ""
        with tempfile.TemporaryDirectory(prefix="shopops-") as workdir:
            raw = read_export(path, self.registry.header_score, Path(workdir))
            detection = self.registry.detect(raw, forced=source)
            self._check_columns(raw, detection)
            spec = detection.spec
            shops = self.shops()
            shop_name = resolve_shop(raw, spec, shops, shop, "shop" in detection.mapping)
            if shop_name is not None:
                check_platform(spec, shop_name, shops.get(shop_name, ""), raw)
            previous = self._previous_import(digest, spec.key, shop_name)
            if previous is not None:
                return previous
            try:
                skipped = self._stage(raw, detection, shop_name)
                self._validate(raw, detection, shops)
                return self._load(raw, spec, digest, skipped, imported_by)
            finally:
                self.con.execute(f"DROP TABLE IF EXISTS {_RAW}")
                self.con.execute(f"DROP TABLE IF EXISTS {_STAGED}")

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

    def _type_of(self, kind: str) -> ValueType:
        return self._channel_type if kind == "channel" else VALUE_TYPES[kind]

    def _stage(self, raw: RawExport, detection: Detection, shop: str | None) -> int:
        """Parse every mapped cell into the typed ``_so_staged`` table, with a bad-value flag per column.

        Each cell is cleaned once, each number stripped once and each value parsed once, in
        materialised steps: DuckDB expands macros as text, so a flag written as "parse again"
        would redo all the work.
        """
        spec = detection.spec
        loaded = sorted({0, *detection.mapping.values()})
        raw.load(self.con, _RAW, loaded)
        mapped = [
            (column, detection.mapping[column.name])
            for column in spec.columns
            if column.name in detection.mapping
        ]
        numeric = sorted({index for column, index in mapped if self._type_of(column.type).numeric})
        trimmed = ", ".join(f"so_trim(c{i}) AS c{i}" for i in loaded)
        cleaned = ", ".join(f"so_nulltoken(c{i}) AS c{i}" for i in loaded)
        numbers = "".join(f", so_numtext(c{i}) AS n{i}" for i in numeric)
        parsed_columns = []
        flags = []
        for column, index in mapped:
            value_type = self._type_of(column.type)
            value = value_type.parse_clean(f"c{index}", f"n{index}")
            if column.default is not None:
                value = f"coalesce({value}, {_literal(column.default, column.type)})"
            parsed_columns.append(f"{value} AS {column.name}")
            if value_type.problem:
                flags.append(f"{value_type.bad_from(f'c{index}', column.name)} AS _bad_{column.name}")
        extras = [
            f"{_literal(column.default, column.type)} AS {column.name}"
            for column in spec.columns
            if column.name not in detection.mapping and column.default is not None
        ]
        extras += [f"'{_escape(value)}' AS {name}" for name, value in spec.constants.items()]
        if shop is not None:
            extras.append(f"'{_escape(shop)}' AS shop")
        keep = self._row_filter(loaded)
        names = ", ".join(["_row", *(column.name for column, _ in mapped), *flags, *extras])
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_STAGED} AS "
            f"WITH trimmed AS MATERIALIZED (SELECT _row, {trimmed} FROM {_RAW}), "
            f"cleaned AS MATERIALIZED (SELECT _row, {cleaned} FROM trimmed), "
            f"numbers AS MATERIALIZED (SELECT *{numbers} FROM cleaned WHERE {keep}), "
            f"parsed AS MATERIALIZED (SELECT *, {', '.join(parsed_columns)} FROM numbers) "
            f"SELECT {names} FROM parsed"
        )
        if spec.shop_default is not None and "shop" in detection.mapping:
            self.con.execute(f"UPDATE {_STAGED} SET shop = coalesce(shop, '{_escape(spec.shop_default)}')")
        total = _scalar(self.con, f"SELECT count(*) FROM {_RAW}")
        staged = _scalar(self.con, f"SELECT count(*) FROM {_STAGED}")
        if staged == 0:
            raise UnreadableFileError(
                raw.path,
                f"has a {spec.label} header but no data rows",
                hint="fill in the rows, or export the report again for a date range that has data",
            ).relabel(raw.display_name)
        return total - staged

    @staticmethod
    def _row_filter(loaded: list[int]) -> str:
        """Drop blank rows, 合计/footer rows and one-cell note rows (数据来源：… / 导出时间：…)."""
        filled = " + ".join(f"(c{i} IS NOT NULL)::INT" for i in loaded)
        summary = f"coalesce(regexp_matches(lower(c0), '{_SUMMARY_ROW}'), false)"
        note = f"({filled}) <= 1" if len(loaded) >= 3 else f"({filled}) = 0"
        return f"NOT ({summary} OR {note})"

    def _validate(self, raw: RawExport, detection: Detection, shops: Mapping[str, str]) -> None:
        spec = detection.spec
        checks: list[tuple[str, str, str, str, str]] = []  # (sql condition, column, problem, hint, cell)
        for column in spec.columns:
            if column.name not in detection.mapping:
                continue
            value_type = self._type_of(column.type)
            header = raw.header[detection.mapping[column.name]]
            cell = f"c{detection.mapping[column.name]}"
            if value_type.problem:
                checks.append((f"_bad_{column.name}", header, value_type.problem, value_type.hint, cell))
            # Key columns must hold a value; other required columns need only exist (an unpaid
            # order has no payment time).
            if column.name in spec.replace_by:
                checks.append(
                    (
                        f"{column.name} IS NULL",
                        header,
                        "is empty, but every row needs it (it identifies the row)",
                        "fill it in or remove the row",
                        cell,
                    )
                )
        if not checks:
            return
        firsts = ", ".join(f"min(_row) FILTER (WHERE {condition})" for condition, *_ in checks)
        counts = ", ".join(f"count(*) FILTER (WHERE {condition})" for condition, *_ in checks)
        row = self.con.execute(f"SELECT {firsts}, {counts} FROM {_STAGED}").fetchone()
        assert row is not None
        n = len(checks)
        failures = [(row[i], row[n + i], checks[i]) for i in range(n) if row[i] is not None]
        if failures:
            first_row, count, (_, header, problem, hint, cell) = min(failures, key=lambda f: f[0])
            value = self.con.execute(f"SELECT {cell} FROM {_RAW} WHERE _row = ?", [first_row]).fetchone()
            more = f" (and {count - 1} more row{'s' if count > 2 else ''} like it)" if count > 1 else ""
            raise BadValueError(
                raw.path,
                problem + more,
                row=first_row,
                column=header,
                value=None
                if value is None or value[0] is None or problem.startswith("is empty")
                else str(value[0]),
                hint=hint,
            ).relabel(raw.display_name)
        if "shop" in detection.mapping:
            unknown = self.con.execute(
                f"SELECT shop, min(_row) FROM {_STAGED} WHERE shop <> '*' GROUP BY shop ORDER BY 2"
            ).fetchall()
            for name, first_row in unknown:
                if name not in shops:
                    raise BadValueError(
                        raw.path,
                        "is not a registered shop",
                        row=first_row,
                        column=raw.header[detection.mapping["shop"]],
                        value=name,
                        hint=f"add it with `shopops shop add {name} --platform tmall|taobao|jd|douyin`",
                    ).relabel(raw.display_name)

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
        self, raw: RawExport, spec: SourceSpec, digest: str, skipped: int, imported_by: str | None
    ) -> ImportResult:
        con = self.con
        target_columns = [c for c in _table_columns(con, spec.table) if c not in ("import_id", "source_row")]
        staged_columns = set(_table_columns(con, _STAGED))
        insert_columns = [c for c in target_columns if c in staged_columns]
        staged_rows = _scalar(con, f"SELECT count(*) FROM {_STAGED}")
        dedupe = ""
        if spec.unique_by:
            dedupe = (
                f"QUALIFY row_number() OVER (PARTITION BY {', '.join(spec.unique_by)} ORDER BY _row DESC) = 1"
            )
        date_range = con.execute(
            f"SELECT min(CAST({spec.date_column} AS DATE)), max(CAST({spec.date_column} AS DATE)),"
            f" string_agg(DISTINCT shop, ',' ORDER BY shop) FROM {_STAGED}"
        ).fetchone()
        assert date_range is not None
        shops = str(date_range[2])
        scope = ", ".join(spec.replace_by)
        join = " AND ".join(f"t.{c} = s.{c}" for c in spec.replace_by)
        with self.warehouse.transaction():
            import_id = _scalar(con, "SELECT nextval('import_id_seq')")
            replaced = _scalar(
                con,
                f"SELECT count(*) FROM {spec.table} t JOIN (SELECT DISTINCT {scope} FROM {_STAGED}) s ON {join}",
            )
            con.execute(
                f"DELETE FROM {spec.table} t USING (SELECT DISTINCT {scope} FROM {_STAGED}) s WHERE {join}"
            )
            con.execute(
                f"INSERT INTO {spec.table} ({', '.join(insert_columns)}, import_id, source_row) "
                f"SELECT {', '.join(insert_columns)}, {import_id}, _row FROM {_STAGED} {dedupe}"
            )
            inserted = _scalar(con, f"SELECT count(*) FROM {spec.table} WHERE import_id = {import_id}")
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
                    date_range[0],
                    date_range[1],
                    imported_by or _user(),
                ],
            )
        return ImportResult(
            file=raw.display_name,
            source_key=spec.key,
            source_label=spec.label,
            shops=tuple(shops.split(",")),
            rows=inserted,
            rows_replaced=replaced,
            skipped_rows=skipped,
            duplicate_rows=staged_rows - inserted,
            date_min=date_range[0],
            date_max=date_range[1],
            import_id=import_id,
        )


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


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


__all__ = ["ImportResult", "Importer", "file_hash"]
