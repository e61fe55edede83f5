"""Opening the warehouse file and keeping its schema current."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from shopops.domains import DomainError
from shopops.domains import files as domain_files
from shopops.errors import DiskFullError, UserError, WarehouseError, WorkspaceError

_MIGRATIONS_PACKAGE = "shopops.warehouse.migrations"


def migration_scripts() -> list[tuple[int, str, str]]:
    """The numbered migrations of ShopOps and of its domains: (version, name, sql), in order.

    Numbers are global: a domain's ``NNN_name.sql`` takes its place among the core's."""
    entries = [e for e in resources.files(_MIGRATIONS_PACKAGE).iterdir() if e.name.endswith(".sql")]
    entries += domain_files("migrations", ".sql")
    found: list[tuple[int, str, str]] = []
    seen: dict[int, str] = {}
    for entry in entries:
        number, _, rest = entry.name.partition("_")
        if int(number) in seen:
            raise DomainError(f"migration {int(number)} is defined twice: {seen[int(number)]} and {entry}")
        seen[int(number)] = str(entry)
        found.append((int(number), rest.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        # Usually a domain whose entry point is not registered (a checkout updated, not reinstalled).
        raise DomainError(
            f"migrations must be numbered 1..n without gaps, found {versions} — is a domain missing?"
            " reinstall ShopOps (pip install -e . in a checkout) so that its entry points are registered"
        )
    return found


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on ``con`` (a connection or a cursor): committed, or rolled back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


class Warehouse:
    """The DuckDB file of a workspace. Holds the single writing connection of this process.

    A warehouse written by a newer ShopOps (a migration this one does not know) is opened
    read-only even when writing was asked: ``refusal`` then says why, and every write fails.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.refusal: str | None = None
        self.connection = _connect(path, read_only)
        if read_only:
            return
        try:
            self.refusal = self.unknown_schema()
            if self.refusal is None:
                self.migrate()
        except duckdb.Error as error:
            self.connection.close()
            problem = opening_error(path, error)
            if problem is None:
                raise
            raise problem from error
        if self.refusal is not None:  # reading is safe, writing would leave its new columns empty
            self.connection.close()
            self.connection = _connect(path, True)

    def close(self) -> None:
        self.connection.close()

    def require_writable(self) -> None:
        """Raise the one-line reason when this warehouse may only be read."""
        if self.refusal is not None:
            raise WarehouseError(self.refusal)

    def unknown_schema(self) -> str | None:
        """Why the warehouse must not be written (migrations this ShopOps does not know), or None."""
        if not self.applied_versions():
            return None
        applied = self.connection.execute(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        ).fetchall()
        known = {version: name for version, name, _ in migration_scripts()}
        newest = max(known)
        upgrade = "upgrade ShopOps (pip install -U shopops); reading is still possible"
        if applied[-1][0] > newest:
            return (
                f"{self.path.name} was written by a newer ShopOps (schema {applied[-1][0]:03d} > {newest:03d}"
                f" known here) — {upgrade}"
            )
        for version, name in applied:
            if known.get(version) != name:
                return (
                    f"{self.path.name} was written by another ShopOps (its schema {version:03d} is {name!r},"
                    f" here {version:03d} is {known.get(version)!r}) — {upgrade}"
                )
        return None

    def applied_versions(self) -> set[int]:
        exists = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()
        if not exists or not exists[0]:
            return set()
        return {row[0] for row in self.connection.execute("SELECT version FROM schema_migrations").fetchall()}

    def migrate(self) -> list[int]:
        """Apply every migration not yet recorded; each one and its record commit together."""
        con = self.connection
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        applied = self.applied_versions()
        done = []
        for version, name, sql in migration_scripts():
            if version in applied:
                continue
            with self.transaction():
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            done.append(version)
        return done

    def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return transaction(self.connection)


# -- failures, as one line -----------------------------------------------------------------

_DAMAGED = (
    "not a valid duckdb database file",
    "could not read enough bytes",
    "corrupt database file",
    "corrupt wal file",
    "failure while replaying wal",
    "failed to deserialize",
    "serialization error",
)
_DISK_FULL = ("no space left on device", "file too large", "disk quota exceeded", "max_temp_directory_size")
_LOCKED = re.compile(r"\b(set|conflicting) lock\b", re.IGNORECASE)
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        if _LOCKED.search(str(error)):
            raise WorkspaceError(
                f"{path.name} is open for writing in another ShopOps process — "
                "wait for it to finish, or stop `shopops serve` and run the command again"
            ) from error
        problem = opening_error(path, error)
        if problem is None:
            raise
        raise problem from error


def _reason(error: BaseException, path: Path) -> str:
    """The first line of a DuckDB message, without its error class and with the file named, not pathed."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = re.sub(r"^[A-Za-z ]*Error: ", "", text)
    text = text.replace(f'"{path}', f'"{path.name}').replace(f'"{path.resolve()}', f'"{path.name}')
    return text if len(text) <= 160 else text[:159] + "…"


def damaged(path: Path, error: BaseException) -> WarehouseError | None:
    """The one-line answer when ``error`` says the warehouse file is damaged, else None."""
    if not any(marker in str(error).lower() for marker in _DAMAGED):
        return None
    wal = path.with_name(path.name + ".wal")
    away = f"move it (and {wal.name}) away" if wal.exists() else "move it away"
    return WarehouseError(
        f"{path.name} in {path.absolute().parent} cannot be opened ({_reason(error, path)}): it is damaged"
        f" — restore a backup (shopops restore FILE) or {away} and import your files again"
    )


def opening_error(path: Path, error: BaseException) -> UserError | None:
    """What to tell the user when the warehouse cannot be opened; None for an unforeseen error."""
    text = str(error)
    where = disk_full(error)
    if where is not None:
        return DiskFullError(where or str(path.parent))
    if "trying to read a database file with version number" in text.lower():
        return WarehouseError(
            f"{path.name} in {path.absolute().parent} was written by another DuckDB version ({_reason(error, path)})"
            " — upgrade ShopOps (pip install -U shopops), or open it with the ShopOps that wrote it"
        )
    if "permission denied" in text.lower():
        return WarehouseError(
            f"{path.name} in {path.absolute().parent} cannot be opened ({_reason(error, path)})"
            " — give your user read and write access to it"
        )
    return damaged(path, error)


def disk_full(error: BaseException) -> str | None:
    """Where a write failed because the disk (or a file size limit) is full ("" when unknown), else None.

    Python says so with an errno; DuckDB in its message, naming the file it was writing
    (the warehouse, its .wal, or a spill file of its temp directory).
    """
    if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
        return os.fsdecode(error.filename) if error.filename else ""
    if isinstance(error, duckdb.Error) and any(marker in str(error).lower() for marker in _DISK_FULL):
        found = re.search(r'(?:file|to) "([^"]+)"', str(error))
        return found.group(1) if found else ""
    return None


def lock_holder(path: Path) -> int | None:
    """The pid of the process that holds ``path`` open for writing (0 when DuckDB does not say
    which), or None when no process does."""
    if not path.is_file():
        return None
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.ConnectionException:
        return os.getpid()  # open in this very process, with another configuration
    except duckdb.Error as error:
        text = str(error)
        if not _LOCKED.search(text):
            return None
        found = re.search(r"\(PID (\d+)\)", text)
        return int(found.group(1)) if found else 0
    return None
