"""Taking a backup: the warehouse copied by the one writing connection, in one transaction.

The copy is made with DuckDB's ``COPY FROM DATABASE`` into a fresh database file, inside a
single transaction: a consistent snapshot even while the dashboard serves pages and other
commands wait for the writer (while `shopops serve` runs, the CLI hands the whole command to
it, so it is always the server's connection that copies). Tables, constraints, DECIMAL values
and sequences (``import_id_seq`` …) come across exactly; the copy is then zipped with the
workspace's settings files and a manifest (see ``archive``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from shopops import __version__
from shopops.errors import DiskFullError
from shopops.operations.archive import (
    FORMAT,
    FORMAT_VERSION,
    WAREHOUSE_MEMBER,
    Manifest,
    Progress,
    quiet,
    write_archive,
)
from shopops.settings import CONFIG_NAME
from shopops.warehouse import audit
from shopops.warehouse.connection import disk_full
from shopops.workspace import Workspace

BACKUP_FOLDER = "backups"
DAILY = "daily"  # the kind `shopops run daily` writes and rotates
_COPY_ALIAS = "shopops_backup_copy"


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: Manifest

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def backup_folder(workspace: Workspace) -> Path:
    """Where backups go: ``backup.dir`` of shopops.yaml (relative = inside the workspace), else backups/."""
    chosen = workspace.settings.backup.dir
    if chosen is None:
        return workspace.root / BACKUP_FOLDER
    return chosen if chosen.is_absolute() else workspace.root / chosen


def new_backup_path(folder: Path, kind: str) -> Path:
    """``<kind>-<YYYYmmdd-HHMMSS>.zip`` in ``folder``, never an existing file's name."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{kind}-{stamp}.zip"
    number = 2
    while candidate.exists():
        candidate = folder / f"{kind}-{stamp}-{number}.zip"
        number += 1
    return candidate


def settings_files(root: Path) -> list[Path]:
    """The workspace's settings files: shopops.yaml (aliases, saved mappings = custom_sources,
    promo calendar, targets of pushes …) and any other YAML file beside it."""
    found = [p for p in root.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml")]
    return sorted(found, key=lambda p: (p.name != CONFIG_NAME, p.name))


def take_backup(
    workspace: Workspace,
    target: Path | None = None,
    *,
    kind: str = "backup",
    progress: Progress = quiet,
) -> Backup:
    """Back the workspace up into ``target`` (a file, or a folder to put it in; default: the
    backup folder) and return where it went with its manifest."""
    if target is None:
        target = new_backup_path(backup_folder(workspace), kind)
    elif target.is_dir():
        target = new_backup_path(target, kind)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = _write(workspace, target, progress)
    except (OSError, duckdb.Error) as error:
        where = disk_full(error)
        if where is None:
            raise
        raise DiskFullError(
            where or str(target.parent), "back up again (backup.dir in shopops.yaml can name another disk)"
        ) from error
    made = Backup(target, written)
    con = workspace.connection
    if not workspace.warehouse.refusal:
        with audit.atomic(con):
            audit.record_current(con, "backup", str(target), describe(made))
    return made


def _write(workspace: Workspace, target: Path, progress: Progress) -> Manifest:
    with workspace.temp_folder() as temp:
        copy = Path(temp) / WAREHOUSE_MEMBER
        progress("复制数据仓库", 0, None)
        facts = copy_warehouse(workspace.connection, copy)
        members = [(WAREHOUSE_MEMBER, copy)] + [(p.name, p) for p in settings_files(workspace.root)]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "shopops_version": __version__,
            "duckdb_version": duckdb.__version__,
            "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "workspace": str(workspace.root.absolute()),
            **facts,
        }
        return write_archive(target, members, manifest, progress)


def describe(made: Backup) -> dict[str, object]:
    """The audit detail of a backup."""
    return {
        "file": made.path.name,
        "tables": len(made.manifest.tables),
        "rows": made.manifest.total_rows,
        "sha256": made.manifest.members[WAREHOUSE_MEMBER]["sha256"],
    }


def copy_warehouse(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, Any]:
    """Copy the connection's database into the new file ``target`` in one transaction; the facts
    the manifest records about the copy (schema, row counts, sequences), read from the copy."""
    row = con.execute("SELECT current_database()").fetchone()
    assert row is not None
    source = _quote(str(row[0]))
    path = str(target).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS {_COPY_ALIAS} (READ_WRITE)")
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"COPY FROM DATABASE {source} TO {_COPY_ALIAS}")
            facts = _facts(con, _COPY_ALIAS)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.execute(f"DETACH {_COPY_ALIAS}")
    return facts


def _facts(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, Any]:
    tables = [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'"
            " ORDER BY table_name",
            [alias],
        ).fetchall()
    ]
    counts = {}
    for table in tables:
        found = con.execute(f"SELECT count(*) FROM {alias}.main.{_quote(table)}").fetchone()
        counts[table] = int(found[0]) if found else 0
    migrations: list[tuple[int, str]] = []
    if "schema_migrations" in tables:
        migrations = [
            (int(r[0]), str(r[1]))
            for r in con.execute(
                f"SELECT version, name FROM {alias}.main.schema_migrations ORDER BY version"
            ).fetchall()
        ]
    sequences = {
        str(r[0]): (None if r[1] is None else int(r[1]))
        for r in con.execute(
            "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = ?"
            " ORDER BY sequence_name",
            [alias],
        ).fetchall()
    }
    return {
        "schema_version": max((version for version, _ in migrations), default=0),
        "migrations": [[version, name] for version, name in migrations],
        "tables": counts,
        "sequences": sequences,
    }


def rotate(folder: Path, keep: int, kind: str = DAILY) -> list[Path]:
    """Remove the oldest ``<kind>-*.zip`` backups in ``folder`` beyond the newest ``keep``."""
    found = sorted(folder.glob(f"{kind}-*.zip"))
    removed = found[: max(0, len(found) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def daily_backup(workspace: Workspace, progress: Progress = quiet) -> tuple[Backup | None, list[Path]]:
    """The backup of `shopops run daily`, with the older daily ones beyond ``backup.keep`` removed;
    (None, []) when ``backup.keep`` is 0."""
    keep = workspace.settings.backup.keep
    if keep == 0:
        return None, []
    made = take_backup(workspace, kind=DAILY, progress=progress)
    return made, rotate(made.path.parent, keep)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
