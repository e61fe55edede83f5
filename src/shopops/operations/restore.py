"""Restoring a backup: into a new workspace folder, or over a workspace (after backing it up).

Everything is checked before anything changes: every member's size and sha256, the row counts
of every table, the schema (a backup of a newer ShopOps is refused) and the settings file. A
backup of an older ShopOps is brought up to date by the usual migrations.

Over a workspace, the tables are replaced in one transaction on the workspace's own writing
connection (the dashboard's, while `shopops serve` runs), so the server keeps running and
its pages show the restored data at once. Security state is not rolled back: the audit log is
kept (it records what happened, this restore included), API tokens stay as they are (a token
revoked since the backup stays revoked) and every login session ends. The backup taken first
keeps everything of before. A restore into a new folder is the backup exactly, every table.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopops.errors import UserError, WorkspaceError
from shopops.operations.archive import WAREHOUSE_MEMBER, Manifest, Progress, quiet, read_manifest, unpack
from shopops.operations.backup import Backup, take_backup
from shopops.settings import CONFIG_NAME, load_settings
from shopops.warehouse import Warehouse, audit
from shopops.warehouse.connection import migration_scripts
from shopops.workspace import Workspace

# Over a workspace: kept as they are (history is never overwritten, a revoked token stays revoked) …
KEPT_TABLES = frozenset({"audit_log", "api_tokens"})
# … and emptied (everyone logs in again, against the restored users and passwords).
CLEARED_TABLES = frozenset({"web_sessions"})
_SOURCE_ALIAS = "shopops_restore_source"


@dataclass(frozen=True)
class Restored:
    root: Path
    manifest: Manifest
    before: Backup | None  # the backup of the workspace taken before restoring over it


def verify_backup(path: Path, progress: Progress = quiet) -> Manifest:
    """Check a backup completely (unpacking it into a temporary folder that is removed after)."""
    with tempfile.TemporaryDirectory(prefix="shopops-verify-") as temp:
        return unpack(path, Path(temp), progress)


def newer_schema(path: Path, manifest: Manifest) -> str | None:
    """Why this ShopOps cannot restore the backup (its schema is newer), or None."""
    newest = max(version for version, _, _ in migration_scripts())
    if manifest.schema_version <= newest:
        return None
    return (
        f"{path.name} was made by a newer ShopOps ({manifest.shopops_version}, schema"
        f" {manifest.schema_version:03d} > {newest:03d} known here) — upgrade ShopOps (pip install -U shopops)"
        " and restore it again"
    )


def _prepare(path: Path, folder: Path, progress: Progress) -> Manifest:
    """Unpack and check the backup in ``folder``, then bring its warehouse to this ShopOps' schema."""
    manifest = unpack(path, folder, progress)
    config = folder / CONFIG_NAME
    if config.is_file():
        try:
            load_settings(config)
        except WorkspaceError as error:
            raise UserError(
                f"{path.name}: member {CONFIG_NAME} is refused by this ShopOps ({error})"
            ) from None
    progress("更新数据结构", 0, None)
    warehouse = Warehouse(folder / WAREHOUSE_MEMBER)
    try:
        if warehouse.refusal:
            raise UserError(f"{path.name}: {warehouse.refusal}")
    finally:
        warehouse.close()
    return manifest


def restore_into(path: Path, target: Path, progress: Progress = quiet) -> Restored:
    """Restore the backup at ``path`` as a new workspace in ``target`` (absent or empty)."""
    target = target.expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(
            f"{target} is not empty — restore into a new folder, or replace the workspace there with"
            f" `shopops -w {target} restore {path} --force`"
        )
    if refusal := _schema_refusal(path):
        raise UserError(refusal)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.restoring-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        manifest = _prepare(path, staging, progress)
        with Workspace.init(staging) as workspace:
            con = workspace.connection
            with audit.atomic(con):
                audit.record_current(con, "restore", path.name, _detail(path, manifest, None))
        if target.exists():
            target.rmdir()
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Restored(target, manifest, None)


def restore_over(workspace: Workspace, path: Path, progress: Progress = quiet) -> Restored:
    """Replace the workspace's data and settings with the backup's, after backing it up."""
    workspace.warehouse.require_writable()
    if refusal := _schema_refusal(path):
        raise UserError(refusal)
    with workspace.temp_folder() as temp:
        folder = Path(temp)
        manifest = _prepare(path, folder, progress)
        progress("先备份当前工作区", 0, None)
        before = take_backup(workspace, kind="before-restore", progress=progress)
        progress("替换数据", 0, None)
        staged = _stage_settings(workspace.root, folder)
        try:
            _replace_tables(workspace.connection, folder / WAREHOUSE_MEMBER, _detail(path, manifest, before))
            for staged_file, final in staged:
                os.replace(staged_file, final)
        finally:
            for staged_file, _ in staged:
                staged_file.unlink(missing_ok=True)
    workspace.reload_settings()
    return Restored(workspace.root.absolute(), manifest, before)


def _schema_refusal(path: Path) -> str | None:
    return newer_schema(path, read_manifest(path))


def _detail(path: Path, manifest: Manifest, before: Backup | None) -> dict[str, object]:
    detail: dict[str, object] = {
        "file": path.name,
        "created_at": manifest.created_at,
        "tables": len(manifest.tables),
        "rows": manifest.total_rows,
        "sha256": manifest.members[WAREHOUSE_MEMBER]["sha256"],
    }
    if before is not None:
        detail["backup"] = str(before.path)
    return detail


def _stage_settings(root: Path, folder: Path) -> list[tuple[Path, Path]]:
    """The backup's settings files copied next to the workspace's (renamed over them once the
    tables are replaced, so a full disk stops the restore before it changes anything)."""
    staged = []
    for member in sorted(folder.iterdir()):
        if member.name == WAREHOUSE_MEMBER or not member.is_file():
            continue
        final = root / member.name
        temporary = root / f".{member.name}.restoring-{os.getpid()}"
        shutil.copyfile(member, temporary)
        staged.append((temporary, final))
    return staged


def _replace_tables(con: duckdb.DuckDBPyConnection, source: Path, detail: dict[str, object]) -> None:
    """Every table emptied and filled from ``source`` (same schema, after its migrations) but
    KEPT_TABLES (left as they are) and CLEARED_TABLES (left empty); sequences moved on to at least
    the backup's; the audit record; all in one transaction."""
    path = str(source).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS {_SOURCE_ALIAS} (READ_ONLY)")
    try:
        with audit.atomic(con):
            row = con.execute("SELECT current_database()").fetchone()
            assert row is not None
            tables = _tables(con, str(row[0]))
            present = set(_tables(con, _SOURCE_ALIAS))
            for table in tables:
                if table in KEPT_TABLES:
                    continue
                name = _quote(table)
                con.execute(f"DELETE FROM main.{name}")
                if table not in present or table in CLEARED_TABLES:
                    continue
                columns = ", ".join(
                    _quote(str(r[0]))
                    for r in con.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database()"
                        " AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
                        [table],
                    ).fetchall()
                )
                con.execute(
                    f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM {_SOURCE_ALIAS}.main.{name}"
                )
            _advance_sequences(con)
            audit.record_current(con, "restore", str(detail["file"]), detail)
    finally:
        con.execute(f"DETACH {_SOURCE_ALIAS}")


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'"
            " ORDER BY table_name",
            [database],
        ).fetchall()
    ]


def _advance_sequences(con: duckdb.DuckDBPyConnection) -> None:
    """Each sequence continues after the backup's last value (or its own, when that is later):
    a restored warehouse numbers its next import after the last one it holds."""
    rows = con.execute(
        "SELECT s.sequence_name, s.last_value, s.start_value, l.last_value FROM duckdb_sequences() s"
        " JOIN duckdb_sequences() l ON l.sequence_name = s.sequence_name AND l.schema_name = s.schema_name"
        " WHERE s.database_name = ? AND l.database_name = current_database() AND s.schema_name = 'main'",
        [_SOURCE_ALIAS],
    ).fetchall()
    for name, wanted, start, current in rows:
        if wanted is None:
            continue
        behind = int(wanted) - (int(current) if current is not None else int(start) - 1)
        if behind > 0:
            quoted = str(name).replace("'", "''")
            con.execute(f"SELECT max(nextval('{quoted}')) FROM range({behind})").fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
