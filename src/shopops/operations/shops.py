"""Renaming a shop, and removing one with all its rows, each in one transaction.

Where a shop is named is found from the warehouse itself (information_schema), so a table
added by a later migration is covered without a change here: every ``shop`` and ``our_shop``
column (the rival registry names our shop that way), ``shops.name``, and the comma-separated
``shops`` lists (users' shops, the shops an import wrote). The audit log is the exception: it
is history, and ShopOps never rewrites it (see ``shopops.warehouse.audit``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from shopops.errors import WorkspaceError
from shopops.operations.archive import Progress, quiet
from shopops.operations.backup import Backup, take_backup
from shopops.settings import CONFIG_NAME
from shopops.warehouse import audit
from shopops.workspace import Workspace, check_shop_name

UNTOUCHED_TABLES = frozenset({"audit_log"})
NAME_COLUMNS = ("shop", "our_shop")
LIST_COLUMN = "shops"
KEEP_EMPTY_LISTS = frozenset({"users"})  # a user left with no shop keeps the account (and sees none)


@dataclass(frozen=True)
class ShopColumn:
    table: str
    column: str
    is_list: bool  # a comma-separated list of shops


@dataclass(frozen=True)
class Renaming:
    changed: dict[str, int]  # table → rows that named the shop
    config_renamed: bool  # shipping.shops in shopops.yaml followed the new name
    config_mentions_old: bool  # shopops.yaml still names the old shop somewhere else


@dataclass
class Removal:
    shop: str
    backup: Backup
    deleted: dict[str, int] = field(default_factory=dict)  # table → rows deleted
    changed: dict[str, int] = field(default_factory=dict)  # table → rows whose shop list lost the shop


def shop_columns(con: duckdb.DuckDBPyConnection) -> list[ShopColumn]:
    """Every column of the warehouse that names one of our shops."""
    rows = con.execute(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_catalog = c.table_catalog"
        "  AND t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.table_catalog = current_database() AND c.table_schema = 'main'"
        "  AND t.table_type = 'BASE TABLE' AND c.column_name IN ('shop', 'our_shop', 'shops')"
        " ORDER BY c.table_name, c.column_name"
    ).fetchall()
    found = [ShopColumn("shops", "name", False)]
    for table, column, data_type in rows:
        if table in UNTOUCHED_TABLES:
            continue
        if column == LIST_COLUMN and data_type != "VARCHAR":
            raise WorkspaceError(f"table {table}: a shops column of type {data_type} is not supported here")
        found.append(ShopColumn(str(table), str(column), column == LIST_COLUMN))
    return found


def _platform(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("SELECT platform FROM shops WHERE name = ?", [name]).fetchone()
    if row is None:
        raise WorkspaceError(f"no shop {name!r} — see `shopops shop list` for the names")
    return str(row[0])


def rename_shop(workspace: Workspace, old: str, new: str) -> Renaming:
    """Rename shop ``old`` to ``new`` in every table (one transaction), then its shipping rule
    in shopops.yaml."""
    workspace.warehouse.require_writable()
    con = workspace.connection
    platform = _platform(con, old)
    check_shop_name(new)
    if new == old:
        raise WorkspaceError(f"the shop is already called {old!r}")
    if con.execute("SELECT 1 FROM shops WHERE name = ?", [new]).fetchone():
        raise WorkspaceError(
            f"shop {new!r} already exists — choose another name (or remove it first: shopops shop remove {new})"
        )
    if new == "*":
        raise WorkspaceError("'*' stands for every shop — choose another name")
    changed: dict[str, int] = {}
    with audit.atomic(con):
        for place in shop_columns(con):
            if place.is_list:
                count, _ = _edit_lists(con, place, old, new)
            else:
                count = _count(
                    con.execute(
                        f"UPDATE {_quote(place.table)} SET {_quote(place.column)} = ?"
                        f" WHERE {_quote(place.column)} = ?",
                        [new, old],
                    )
                )
            if count:
                changed[place.table] = changed.get(place.table, 0) + count
        audit.record_current(
            con,
            "shop.rename",
            old,
            {"shop": new, "from": old, "platform": platform, "rows": sum(changed.values())},
        )
    config = workspace.root / CONFIG_NAME
    renamed = rename_in_config(config, old, new)
    if renamed:
        workspace.reload_settings()
    return Renaming(changed, renamed, mentions(config, old))


def remove_shop(workspace: Workspace, name: str, progress: Progress = quiet) -> Removal:
    """Back the workspace up, then delete every row of shop ``name`` (one transaction)."""
    workspace.warehouse.require_writable()
    con = workspace.connection
    platform = _platform(con, name)
    made = take_backup(workspace, kind="before-remove", progress=progress)
    removal = Removal(name, made)
    with audit.atomic(con):
        for place in shop_columns(con):
            if place.is_list:
                changed, deleted = _edit_lists(con, place, name, None)
            else:
                changed, deleted = (
                    0,
                    _count(
                        con.execute(
                            f"DELETE FROM {_quote(place.table)} WHERE {_quote(place.column)} = ?", [name]
                        )
                    ),
                )
            for counts, count in ((removal.changed, changed), (removal.deleted, deleted)):
                if count:
                    counts[place.table] = counts.get(place.table, 0) + count
        audit.record_current(
            con,
            "shop.remove",
            name,
            {
                "shop": name,
                "platform": platform,
                "rows": sum(removal.deleted.values()),
                "backup": str(made.path),
            },
        )
    return removal


def rename_in_config(path: Path, old: str, new: str) -> bool:
    """Rename the key ``old`` of ``shipping.shops`` in shopops.yaml to ``new``, keeping the rest of
    the text as the user wrote it. Written only when the result parses to exactly that change;
    True when the file was changed."""
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    shipping = data.get("shipping") if isinstance(data, dict) else None
    if not isinstance(shipping, dict):
        return False
    shops = shipping.get("shops")
    if not isinstance(shops, dict) or old not in shops:
        return False
    shipping["shops"] = {(new if key == old else key): rule for key, rule in shops.items()}
    quoted = re.escape(old)
    changed = re.sub(
        rf"(^|[\s{{,])(['\"]?){quoted}\2(\s*:)",
        lambda m: f"{m.group(1)}{m.group(2)}{new}{m.group(2)}{m.group(3)}",
        text,
        flags=re.MULTILINE,
    )
    try:
        if yaml.safe_load(changed) != data:
            return False
    except yaml.YAMLError:
        return False
    partial = path.with_name(f".{path.name}.renaming-{os.getpid()}")
    partial.write_text(changed, encoding="utf-8")
    os.replace(partial, path)
    return True


def mentions(path: Path, name: str) -> bool:
    """Whether shopops.yaml still names ``name`` as a key or value anywhere (comments aside)."""
    if not path.is_file():
        return False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False
    return _holds(data, name)


def _holds(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return any(_holds(k, name) or _holds(v, name) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds(item, name) for item in value)
    return isinstance(value, str) and value == name


def _edit_lists(
    con: duckdb.DuckDBPyConnection, place: ShopColumn, old: str, new: str | None
) -> tuple[int, int]:
    """Replace ``old`` by ``new`` (or drop it, for None) in a column of comma-separated shop lists:
    (rows changed, rows deleted because their list held only ``old``; users keep an empty list).
    The distinct lists that hold ``old`` are few (combinations of shops): each is rewritten whole."""
    table, column = _quote(place.table), _quote(place.column)
    lists = [
        str(r[0])
        for r in con.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE list_contains(string_split({column}, ','), ?)",
            [old],
        ).fetchall()
    ]
    changed = deleted = 0
    for text in lists:
        names = [(new if part == old else part) for part in text.split(",")]
        kept = ",".join(part for part in names if part is not None)
        if not kept and place.table not in KEEP_EMPTY_LISTS:
            deleted += _count(con.execute(f"DELETE FROM {table} WHERE {column} = ?", [text]))
        else:
            changed += _count(
                con.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [kept, text])
            )
    return changed, deleted


def _count(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
