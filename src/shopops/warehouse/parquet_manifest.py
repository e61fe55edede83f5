"""The manifest of a Parquet export (``manifest.json``), what a reader of the export reads first,
and the export's folder: whether an earlier export is there to build on, and tidying it up.

A reader takes the list of files from the manifest, never by listing folders: an export writes its
new files beside the old ones, swaps the manifest, and only then deletes what no manifest names —
so whatever manifest a reader finds, every file it names is there (see ``parquet_export``).

Partition values in paths are escaped as Hive and Spark escape them (:func:`escape_path_name`), and
a null value is the folder ``<column>=__HIVE_DEFAULT_PARTITION__``, which both read back as null.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from shopops.errors import UserError

FORMAT = "shopops-parquet/1"
FORMAT_FAMILY = "shopops-parquet/"
MANIFEST_NAME = "manifest.json"
DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
STAGING_PREFIX = ".shopops-staging-"  # where an export writes before it moves files into place
PARTITIONINGS = ((), ("shop",), ("shop", "month"))
# The characters Hive (FileUtils.escapePathName) and Spark (ExternalCatalogUtils) write as %XX.
_PART_FILE = re.compile(r"part-[0-9a-f]{16}\.parquet")
_MANIFEST_TEMP = re.compile(re.escape(f".{MANIFEST_NAME}.") + r"[0-9a-f]{32}\.tmp")
_ESCAPED = frozenset(chr(c) for c in range(0x20)) | frozenset("\"#%'*/:=?\\{[]^\x7f")


@dataclass(frozen=True)
class ExportedPartition:
    path: str  # relative to the export's root, '/'-separated
    rows: int
    fingerprint: str


@dataclass(frozen=True)
class ExportedTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type such as 'DECIMAL(18,2)'), table order
    partition_by: tuple[str, ...]  # (), ('shop',) or ('shop', 'month')
    rows: int
    partitions: tuple[ExportedPartition, ...]


@dataclass(frozen=True)
class Manifest:
    format: str
    exported_at: str
    duckdb_version: str
    tables: Mapping[str, ExportedTable]


def escape_path_name(value: str) -> str:
    """``value`` as a folder name the way Hive and Spark write a partition value: control
    characters, ``"#%'*/:=?\\{[]^`` and DEL as ``%XX`` (uppercase hex), everything else as it is."""
    return "".join(f"%{ord(c):02X}" if c in _ESCAPED else c for c in value)


def partition_folder(column: str, value: str | None) -> str:
    """``column=value`` for a path; null (and the empty text, which Hive cannot tell from it) is
    Hive's default partition."""
    return f"{column}={escape_path_name(value) if value else DEFAULT_PARTITION}"


def read_manifest(root: Path) -> Manifest:
    """The manifest of the export at ``root``; a one-line UserError when it is missing or unreadable."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        raise UserError(
            f"no ShopOps Parquet export at {root} ({MANIFEST_NAME} is missing) —"
            " write one with `shopops export parquet DIR`"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UserError(
            f"{path} holds no readable ShopOps Parquet export manifest ({_first_line(error)}) —"
            " write it again with `shopops export parquet DIR`"
        ) from None
    return manifest_from_json(data, str(path))


def manifest_from_json(data: Any, where: str) -> Manifest:
    """The manifest in ``data`` (the parsed JSON); ``where`` names it in the one-line UserError."""
    found = data.get("format") if isinstance(data, dict) else None
    if isinstance(found, str) and found.startswith(FORMAT_FAMILY) and found != FORMAT:
        raise UserError(
            f"the Parquet export at {where} is in format {found}, this ShopOps reads {FORMAT} —"
            " write it again with `shopops export parquet DIR`"
        )
    try:
        return parse_manifest(data)
    except ValueError as error:
        raise UserError(
            f"{where} holds no readable ShopOps Parquet export manifest ({error}) —"
            " write it again with `shopops export parquet DIR`"
        ) from None


def manifest_json(manifest: Manifest) -> dict[str, Any]:
    return {
        "format": manifest.format,
        "exported_at": manifest.exported_at,
        "duckdb_version": manifest.duckdb_version,
        "tables": {
            name: {
                "columns": [list(column) for column in table.columns],
                "partition_by": list(table.partition_by),
                "rows": table.rows,
                "partitions": [
                    {"path": p.path, "rows": p.rows, "fingerprint": p.fingerprint} for p in table.partitions
                ],
            }
            for name, table in manifest.tables.items()
        },
    }


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Replace ``root``'s manifest in one step: a reader sees the old one or the new one, whole."""
    text = json.dumps(manifest_json(manifest), ensure_ascii=False, indent=1)
    temporary = root / f".{MANIFEST_NAME}.{uuid.uuid4().hex}.tmp"
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, root / MANIFEST_NAME)
    finally:
        temporary.unlink(missing_ok=True)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the export's folder -------------------------------------------------------------------------


def previous_export(target: Path) -> tuple[Manifest | None, str | None]:
    """The earlier export's manifest and, when it cannot be built on, why (then all is written
    again). Refuses a folder that holds anything but a ShopOps export: its files are not ours."""
    if not target.exists():
        return None, None
    if not target.is_dir():
        raise UserError(f"{target} is not a folder — name a new or empty folder to export into")
    path = target / MANIFEST_NAME
    if not path.is_file():
        if not any(target.iterdir()):
            return None, None
        if _only_ours(target):
            return None, f"an earlier export did not finish (it left no {MANIFEST_NAME})"
        raise UserError(
            f"{target} is not empty and holds no ShopOps Parquet export (no {MANIFEST_NAME}) —"
            " export into a new or empty folder"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        if _only_ours(target):
            return None, f"the earlier export's {MANIFEST_NAME} could not be read ({_first_line(error)})"
        raise _foreign_manifest(target) from None
    found = data.get("format") if isinstance(data, dict) else None
    if not isinstance(found, str) or not found.startswith(FORMAT_FAMILY):
        raise _foreign_manifest(target)
    if found != FORMAT:
        return None, f"the earlier export is in format {found}, not {FORMAT}"
    try:
        manifest = parse_manifest(data)
    except ValueError as error:
        return None, f"the earlier export's {MANIFEST_NAME} could not be read ({error})"
    if manifest.duckdb_version != duckdb.__version__:
        return manifest, (
            f"the earlier export was written with DuckDB {manifest.duckdb_version}, this is DuckDB"
            f" {duckdb.__version__}, whose row hashes may differ"
        )
    return manifest, None


def _foreign_manifest(target: Path) -> UserError:
    return UserError(
        f"{target} is not empty and its {MANIFEST_NAME} is not a ShopOps export manifest —"
        " export into a new or empty folder"
    )


def _only_ours(target: Path) -> bool:
    """Whether everything in ``target`` (besides its manifest) is what an export writes."""
    for entry in target.iterdir():
        if entry.name == MANIFEST_NAME or _MANIFEST_TEMP.fullmatch(entry.name):
            continue
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir():
            continue
        if not entry.is_dir():
            return False
        for folder, _, files in os.walk(entry):
            if not all(is_part_file(Path(folder, name).relative_to(target).as_posix()) for name in files):
                return False
    return True


def is_part_file(relative: str) -> bool:
    """Whether the path has the shape of an exported file: a table's ``part-<16 hex>.parquet``,
    below ``shop=…`` and ``shop=…/month=…`` for partitioned tables."""
    pieces = relative.split("/")
    if not 2 <= len(pieces) <= 4 or pieces[0].startswith(".") or not _PART_FILE.fullmatch(pieces[-1]):
        return False
    columns = ("shop", "month")[: len(pieces) - 2]
    return all(piece.startswith(f"{column}=") for piece, column in zip(pieces[1:-1], columns, strict=True))


# -- tidying up -------------------------------------------------------------------------------


def tidy(target: Path, keep: set[str]) -> None:
    """Delete the exported files the manifest no longer names, leftovers of exports that failed
    and the folders that leaves empty — never a file an export does not write."""
    for entry in target.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif _MANIFEST_TEMP.fullmatch(entry.name):
            entry.unlink(missing_ok=True)
    emptied = []
    for folder, _, files in os.walk(target):
        for name in files:
            path = Path(folder, name)
            relative = path.relative_to(target).as_posix()
            if relative not in keep and is_part_file(relative):
                path.unlink(missing_ok=True)
                emptied.append(path.parent)
    remove_emptied(target, emptied)


def remove_emptied(target: Path, folders: Iterable[Path]) -> None:
    for deepest in sorted(set(folders), key=lambda f: len(f.parts), reverse=True):
        folder = deepest
        while folder != target and folder.is_relative_to(target):
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone): so are its parents
                break
            folder = folder.parent


# -- parsing ------------------------------------------------------------------------------


def parse_manifest(data: Any) -> Manifest:
    """The manifest in ``data`` (the parsed JSON); ValueError saying what is wrong with it."""
    top = _mapping(data, "the manifest")
    found = _text(top, "format", "the manifest")
    if found != FORMAT:
        raise ValueError(f"its format is {found!r}, not {FORMAT!r}")
    tables = _mapping(top.get("tables"), "tables")
    return Manifest(
        found,
        _text(top, "exported_at", "the manifest"),
        _text(top, "duckdb_version", "the manifest"),
        {str(name): _table(str(name), value) for name, value in tables.items()},
    )


def _table(name: str, data: Any) -> ExportedTable:
    where = f"table {name}"
    table = _mapping(data, where)
    columns = table.get("columns")
    if not isinstance(columns, list) or not all(
        isinstance(c, list) and len(c) == 2 and all(isinstance(v, str) for v in c) for c in columns
    ):
        raise ValueError(f"the columns of {where} are not [name, type] pairs")
    partition_by = table.get("partition_by")
    if not isinstance(partition_by, list) or tuple(partition_by) not in PARTITIONINGS:
        raise ValueError(f"partition_by of {where} is not one of {[list(p) for p in PARTITIONINGS]}")
    partitions = table.get("partitions")
    if not isinstance(partitions, list):
        raise ValueError(f"the partitions of {where} are not a list")
    parts = tuple(_partition(name, p) for p in partitions)
    rows = _count(table, "rows", where)
    if rows != sum(p.rows for p in parts):
        raise ValueError(f"the rows of {where} ({rows}) are not the sum of its partitions' rows")
    return ExportedTable(
        name, tuple((c[0], c[1]) for c in columns), tuple(str(p) for p in partition_by), rows, parts
    )


def _partition(table: str, data: Any) -> ExportedPartition:
    where = f"a partition of table {table}"
    part = _mapping(data, where)
    path = _text(part, "path", where)
    pieces = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in pieces) or len(pieces) < 2:
        raise ValueError(f"{where} has the path {path!r}, which is not inside the export")
    return ExportedPartition(path, _count(part, "rows", where), _text(part, "fingerprint", where))


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} is not a JSON object")
    return value


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} of {where} is missing or not text")
    return value


def _count(data: dict[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{key} of {where} is not a whole number of rows")
    return value


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
