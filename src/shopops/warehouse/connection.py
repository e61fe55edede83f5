"""Opening the warehouse file and keeping its schema current."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from shopops.errors import WorkspaceError

_MIGRATIONS_PACKAGE = "shopops.warehouse.migrations"


def migration_scripts() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped with ShopOps: (version, name, sql), in order."""
    found = []
    for entry in resources.files(_MIGRATIONS_PACKAGE).iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        number, _, rest = name.partition("_")
        found.append((int(number), rest.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class Warehouse:
    """The DuckDB file of a workspace. Holds the single writing connection of this process."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        try:
            self.connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise WorkspaceError(
                    f"{path.name} is open for writing in another ShopOps process — "
                    "wait for it to finish, or stop `shopops serve` and run the command again"
                ) from error
            raise
        if not read_only:
            self.migrate()

    def close(self) -> None:
        self.connection.close()

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

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
