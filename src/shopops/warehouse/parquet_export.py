"""`shopops export parquet DIR`: the warehouse's tables as Hive-partitioned Parquet, incrementally.

Every base table of the ``main`` schema is exported except the bookkeeping and the secrets
(:data:`EXCLUDED_TABLES`), read from ``information_schema`` so that a new domain's table comes along
without a change here. A table with a ``shop`` column (VARCHAR) and a date column is laid out as
``<table>/shop=<shop>/month=<YYYY-MM>/part-<fingerprint>.parquet``, one with ``shop`` but no date
as ``<table>/shop=<shop>/part-….parquet``, any other table as ``<table>/part-….parquet``. The month
comes from the column ``date``, else ``paid_at``, else the first DATE column, else the first
TIMESTAMP column; a table with a column of its own called ``month`` is partitioned by shop only
(the path's month would hide it). Files hold no partition column, as Hive and Spark write them.
A table without rows has no files: its columns are in the manifest.

Incremental: each partition's fingerprint is computed in DuckDB from its rows — their count and
the sum (order-independent, duplicates counted) of a hash of every column, with the table's columns
and layout. Only partitions whose fingerprint changed are written: in one ``COPY … PARTITION_BY``
per table into a staging folder inside the target (thousands of single-partition COPYs would each
scan the table: at 200 shops × 24 months they took minutes per table), from which each file is
moved to its final name — DuckDB escapes partition values its own way (``%E5…`` for Chinese), so
it partitions by a number and the Hive path is made here. Several tables are written at a time,
each from a cursor whose transaction began with the export. The manifest is replaced last, in one
step; then the files no manifest names any more are deleted. A reader that takes its files from the
manifest therefore always finds them all, also while an export runs or after one failed.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopops.errors import UserError
from shopops.warehouse.parquet_manifest import (
    DEFAULT_PARTITION,
    FORMAT,
    MANIFEST_NAME,
    STAGING_PREFIX,
    ExportedPartition,
    ExportedTable,
    Manifest,
    escape_path_name,
    manifest_from_json,
    partition_folder,
    previous_export,
    read_manifest,
    remove_emptied,
    tidy,
    utc_now,
    write_manifest,
)

__all__ = [
    "EXCLUDED_TABLES",
    "MANIFEST_NAME",
    "ExportResult",
    "ExportedPartition",
    "ExportedTable",
    "Manifest",
    "export_parquet",
    "manifest_from_json",
    "read_manifest",
]

# Accounts, secrets and bookkeeping: not shop data.
EXCLUDED_TABLES = frozenset(
    {"users", "web_sessions", "api_tokens", "user_preference", "schema_migrations", "audit_log"}
)
Progress = Callable[[str, int, int], None]
# Tables exported side by side (each writes its files mostly in one thread of DuckDB).
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_DATES = frozenset({"DATE"})
# Without a time zone: a TIMESTAMPTZ's month would depend on the session's zone.
_TIMESTAMPS = frozenset({"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"})
_KEY = "__shopops_key"  # names no table uses: the partition keys joined to the rows
_STAGE_COLUMN = f"{_KEY}_number"
_COPY_OPTIONS = "FORMAT parquet, COMPRESSION zstd"


@dataclass(frozen=True)
class ExportResult:
    tables: int
    partitions_written: int
    partitions_unchanged: int
    partitions_removed: int
    rows_written: int
    rows_total: int
    seconds: float
    full: bool  # every partition written: the first export, or the earlier one could not be built on
    reason: str | None  # why a later export was full; None for a first or an incremental one


def export_parquet(
    con: duckdb.DuckDBPyConnection, target: Path, *, progress: Progress | None = None
) -> ExportResult:
    """Export the warehouse behind ``con`` into the folder ``target`` (see the module).

    ``progress`` is called in the calling thread as (table, tables done, tables) after each table,
    then as (``manifest.json``, tables, tables) before the manifest is written."""
    began = time.perf_counter()
    target = target.absolute()
    previous, reason = previous_export(target)
    full = previous is None or reason is not None
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target))
    created: list[Path] = []  # files that did not exist before: removed again if the export fails
    tables: dict[str, ExportedTable] = {}
    written = rows_written = 0
    cursors: list[duckdb.DuckDBPyConnection] = []
    try:
        cursors = _snapshots(con, _WORKERS)
        layouts = _layouts(cursors[0])
        earlier = {} if full or previous is None else dict(previous.tables)
        done = _export_tables(cursors, layouts, target, staging, earlier, created, progress)
        for layout in layouts:  # the manifest lists the tables by name, however they finished
            table, changed = done[layout.name]
            tables[layout.name] = table
            written += len(changed)
            rows_written += sum(part.rows for part in changed)
        if progress is not None:
            progress(MANIFEST_NAME, len(layouts), len(layouts))
        write_manifest(target, Manifest(FORMAT, utc_now(), duckdb.__version__, tables))
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        remove_emptied(target, (path.parent for path in created))
        raise
    finally:
        for cursor in cursors:
            cursor.close()  # it only read: its transaction ends without a change
        shutil.rmtree(staging, ignore_errors=True)
    tidy(target, {part.path for table in tables.values() for part in table.partitions})
    total = sum(len(table.partitions) for table in tables.values())
    return ExportResult(
        tables=len(tables),
        partitions_written=written,
        partitions_unchanged=total - written,
        partitions_removed=_removed(previous, tables),
        rows_written=rows_written,
        rows_total=sum(table.rows for table in tables.values()),
        seconds=time.perf_counter() - began,
        full=full,
        reason=reason,
    )


def _removed(previous: Manifest | None, tables: dict[str, ExportedTable]) -> int:
    """Partitions of the earlier export that this one no longer has (tables dropped included)."""
    if previous is None:
        return 0
    now = {os.path.dirname(part.path) for table in tables.values() for part in table.partitions}
    return sum(
        1
        for table in previous.tables.values()
        for part in table.partitions
        if os.path.dirname(part.path) not in now
    )


# -- one table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """How one table is exported: its columns, partition columns and the column of its month."""

    name: str
    columns: tuple[tuple[str, str], ...]
    partition_by: tuple[str, ...]
    month_from: str | None

    @property
    def shop_sql(self) -> str:
        # The empty text has no Hive path of its own: it is the default partition, read back as null.
        return "nullif(\"shop\", '')" if self.partition_by else "NULL::VARCHAR"

    @property
    def month_sql(self) -> str:
        return f"strftime({_quoted(self.month_from)}, '%Y-%m')" if self.month_from else "NULL::VARCHAR"

    @property
    def file_columns(self) -> str:
        """The columns a file holds, in table order: the table's, without those of its path."""
        return ", ".join(_quoted(name) for name, _ in self.columns if name not in self.partition_by)

    def folder(self, shop: str | None, month: str | None) -> str:
        parts = [escape_path_name(self.name)]
        if self.partition_by:
            parts.append(partition_folder("shop", shop))
        if self.month_from:
            parts.append(partition_folder("month", month))
        return "/".join(parts)


@dataclass(frozen=True)
class _Part:
    shop: str | None
    month: str | None
    partition: ExportedPartition


def _snapshots(con: duckdb.DuckDBPyConnection, count: int) -> list[duckdb.DuckDBPyConnection]:
    """``count`` cursors of ``con``, each in a transaction that reads the warehouse as it is now:
    the tables are exported side by side, from (practically) one state of the warehouse."""
    cursors = []
    try:
        for _ in range(count):
            cursor = con.cursor()
            cursors.append(cursor)
            cursor.execute("BEGIN TRANSACTION")
            cursor.execute("SELECT count(*) FROM duckdb_tables()").fetchall()  # fixes what it sees
    except BaseException:
        for cursor in cursors:
            cursor.close()
        raise
    return cursors


def _export_tables(
    cursors: list[duckdb.DuckDBPyConnection],
    layouts: list[_Layout],
    target: Path,
    staging: Path,
    earlier: dict[str, ExportedTable],
    created: list[Path],
    progress: Progress | None,
) -> dict[str, tuple[ExportedTable, list[ExportedPartition]]]:
    """Export the tables, as many at a time as there are cursors, the largest first: DuckDB
    spends most of an export on the files of one table in one thread."""
    idle: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
    for cursor in cursors:
        idle.put(cursor)
    sizes = dict(
        cursors[0]
        .execute(
            "SELECT table_name, estimated_size FROM duckdb_tables()"
            " WHERE database_name = current_database() AND schema_name = 'main'"
        )
        .fetchall()
    )

    def one(number: int, layout: _Layout) -> tuple[ExportedTable, list[ExportedPartition]]:
        cursor = idle.get()
        try:
            folder = staging / str(number)
            return _export_table(cursor, layout, target, folder, earlier.get(layout.name), created)
        finally:
            idle.put(cursor)

    done: dict[str, tuple[ExportedTable, list[ExportedPartition]]] = {}
    order = sorted(enumerate(layouts), key=lambda item: -int(sizes.get(item[1].name) or 0))
    with ThreadPoolExecutor(len(cursors), thread_name_prefix="shopops-export") as pool:
        futures = {pool.submit(one, number, layout): layout.name for number, layout in order}
        try:
            for finished, future in enumerate(as_completed(futures), start=1):
                done[futures[future]] = future.result()
                if progress is not None:
                    progress(futures[future], finished, len(layouts))
        except BaseException:
            for future in futures:  # those already running finish: their files are then removed
                future.cancel()
            raise
    return done


def _layouts(cursor: duckdb.DuckDBPyConnection) -> list[_Layout]:
    rows = cursor.execute(
        "SELECT t.table_name, c.column_name, c.data_type FROM information_schema.tables t"
        " JOIN information_schema.columns c ON c.table_catalog = t.table_catalog"
        " AND c.table_schema = t.table_schema AND c.table_name = t.table_name"
        " WHERE t.table_catalog = current_database() AND t.table_schema = 'main'"
        " AND t.table_type = 'BASE TABLE' ORDER BY t.table_name, c.ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if table not in EXCLUDED_TABLES:
            columns.setdefault(str(table), []).append((str(column), str(kind)))
    return [_layout(name, tuple(found)) for name, found in columns.items()]


def _layout(name: str, columns: tuple[tuple[str, str], ...]) -> _Layout:
    kinds = dict(columns)
    if kinds.get("shop") != "VARCHAR":
        return _Layout(name, columns, (), None)
    month_from = None if "month" in kinds else _month_column(columns)
    return _Layout(name, columns, ("shop", "month") if month_from else ("shop",), month_from)


def _month_column(columns: tuple[tuple[str, str], ...]) -> str | None:
    kinds = dict(columns)
    for preferred in ("date", "paid_at"):
        if kinds.get(preferred) in _DATES | _TIMESTAMPS:
            return preferred
    for wanted in (_DATES, _TIMESTAMPS):
        for column, kind in columns:
            if kind in wanted:
                return column
    return None


def _export_table(
    cursor: duckdb.DuckDBPyConnection,
    layout: _Layout,
    target: Path,
    staging: Path,
    earlier: ExportedTable | None,
    created: list[Path],
) -> tuple[ExportedTable, list[ExportedPartition]]:
    """The table's manifest entry, after writing the partitions whose rows changed (returned)."""
    parts = _fingerprints(cursor, layout)
    kept = {part.path for part in earlier.partitions} if earlier is not None else set()
    changed = [p for p in parts if p.partition.path not in kept or not (target / p.partition.path).is_file()]
    if changed:
        staging.mkdir()
        for source, part in _write(cursor, layout, staging, changed):
            destination = target / part.partition.path
            if not destination.exists():
                created.append(destination)
            _move(source, destination)
    partitions = tuple(part.partition for part in parts)
    table = ExportedTable(
        layout.name, layout.columns, layout.partition_by, sum(p.rows for p in partitions), partitions
    )
    return table, [part.partition for part in changed]


def _fingerprints(cursor: duckdb.DuckDBPyConnection, layout: _Layout) -> list[_Part]:
    """Each partition with its rows and fingerprint, in one pass over the table."""
    signature = json.dumps([FORMAT, layout.partition_by, layout.columns]) + "|"
    every_column = ", ".join(_quoted(name) for name, _ in layout.columns)
    rows = cursor.execute(
        f"SELECT {layout.shop_sql} AS shop, {layout.month_sql} AS month, count(*) AS n,"
        f" left(md5(? || count(*)::VARCHAR || '/' || sum(hash({every_column}))::VARCHAR), 16)"
        f" FROM {_quoted(layout.name)} GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2 NULLS LAST",
        [signature],
    ).fetchall()
    parts: dict[str, _Part] = {}
    for shop, month, count, fingerprint in rows:
        folder = layout.folder(shop, month)
        if folder in parts:  # a shop called like Hive's null beside rows without a shop
            raise UserError(
                f"table {layout.name} has rows of the shop {DEFAULT_PARTITION} and rows without a shop,"
                " which a Hive path cannot tell apart — rename that shop (shopops shop rename)"
            )
        path = f"{folder}/part-{fingerprint}.parquet"
        parts[folder] = _Part(shop, month, ExportedPartition(path, int(count), str(fingerprint)))
    return list(parts.values())


def _write(
    cursor: duckdb.DuckDBPyConnection, layout: _Layout, staging: Path, parts: list[_Part]
) -> Iterable[tuple[Path, _Part]]:
    """Write ``parts`` into ``staging``: each one's file and the part."""
    if not layout.partition_by:
        (part,) = parts
        file = staging / "part.parquet"
        _copy(cursor, f"SELECT {layout.file_columns} FROM {_quoted(layout.name)}", file)
        return [(file, part)]
    numbered = list(enumerate(parts))
    cursor.execute(
        f"COPY (SELECT {_STAGE_COLUMN}, {layout.file_columns} FROM {_quoted(layout.name)}"
        f" JOIN (SELECT unnest(?::VARCHAR[]) AS {_KEY}_shop, unnest(?::VARCHAR[]) AS {_KEY}_month,"
        f" unnest(?::INTEGER[]) AS {_STAGE_COLUMN})"
        f" ON {_KEY}_shop IS NOT DISTINCT FROM {layout.shop_sql}"
        f" AND {_KEY}_month IS NOT DISTINCT FROM {layout.month_sql})"
        f" TO {_literal(staging / 'all')} ({_COPY_OPTIONS}, PARTITION_BY ({_STAGE_COLUMN}))",
        [[p.shop for p in parts], [p.month for p in parts], [n for n, _ in numbered]],
    )
    files = []
    for number, part in numbered:
        folder = staging / "all" / f"{_STAGE_COLUMN}={number}"
        found = [folder / name for name in (os.listdir(folder) if folder.is_dir() else [])]
        if len(found) != 1 or found[0].suffix != ".parquet":  # DuckDB split it: the partition alone
            single = staging / f"{number}.parquet"
            _copy(
                cursor,
                f"SELECT {layout.file_columns} FROM {_quoted(layout.name)} WHERE {layout.shop_sql}"
                f" IS NOT DISTINCT FROM {_literal(part.shop)} AND {layout.month_sql}"
                f" IS NOT DISTINCT FROM {_literal(part.month)}",
                single,
            )
            found = [single]
        files.append((found[0], part))
    return files


def _move(source: Path, destination: Path) -> None:
    """Put a written file in its place (replacing a file of the same name at once)."""
    folder = destination.parent
    if source.parent.name.startswith(f"{_STAGE_COLUMN}=") and not folder.exists():
        # DuckDB's folder of the partition becomes ours: creating one and deleting the other costs
        # more than the file itself on some file systems, and a first export has thousands.
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source.parent, folder)
        source = folder / source.name
    else:
        folder.mkdir(parents=True, exist_ok=True)
    os.replace(source, destination)


def _copy(cursor: duckdb.DuckDBPyConnection, query: str, file: Path) -> None:
    cursor.execute(f"COPY ({query}) TO {_literal(file)} ({_COPY_OPTIONS})")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Path | str | None) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"
