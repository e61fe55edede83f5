"""The settings of the workspace a warehouse belongs to, for parts that get only its connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopops.settings import CONFIG_NAME, load_settings


def folder_beside(con: Any) -> Path | None:
    """The folder of the warehouse file ``con`` (a DuckDB connection) reads: its workspace's, or None
    for a warehouse in memory."""
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(str(rows[0][0])).parent if rows and rows[0][0] else None


def settings_beside(con: Any) -> dict[str, Any]:
    """The parsed shopops.yaml next to the warehouse file ``con`` (a DuckDB connection) reads, or {}
    when there is none (a warehouse opened without its workspace): for parts that get a connection
    only, such as a report's domain sheet."""
    folder = folder_beside(con)
    config = folder / CONFIG_NAME if folder is not None else None
    if config is None or not config.is_file():
        return {}
    return load_settings(config).raw
