"""The backup file: one ZIP holding the warehouse copy, the workspace's settings files and
``manifest.json`` (ShopOps version, time, schema version, row counts per table, size and sha256
of every member). Reading a backup checks all of it; anything wrong is one line naming the
member and the problem, and nothing is written where the backup was to be restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from shopops.errors import UserError
from shopops.workspace import WAREHOUSE_NAME

FORMAT = "shopops-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WAREHOUSE_MEMBER = WAREHOUSE_NAME  # the warehouse keeps its name inside the backup
CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"^[^/\\:]+$")  # a member is a plain file name, never a path
_AGAIN = "copy the whole file again, or use another backup"

# What a long step reports: (what, bytes done, bytes in all or None when unknown).
Progress = Callable[[str, int, int | None], None]


def quiet(_: str, __: int, ___: int | None) -> None:
    """A ``Progress`` that shows nothing."""


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def schema_version(self) -> int:
        return int(self.data.get("schema_version") or 0)

    @property
    def tables(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in (self.data.get("tables") or {}).items()}

    @property
    def members(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("members") or {})

    @property
    def created_at(self) -> str:
        return str(self.data.get("created_at", "—"))

    @property
    def shopops_version(self) -> str:
        return str(self.data.get("shopops_version", "—"))

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- writing --------------------------------------------------------------------------------


def write_archive(
    target: Path, members: list[tuple[str, Path]], manifest: dict[str, Any], progress: Progress = quiet
) -> Manifest:
    """Write the backup to ``target`` (first as ``<target>.partial``, renamed when complete, so a
    file with the final name is always whole). ``manifest`` gets each member's size and sha256."""
    partial = target.with_name(target.name + ".partial")
    listed: dict[str, dict[str, Any]] = {}
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, path in members:
                listed[name] = _add(archive, name, path, progress)
            data = {**manifest, "members": listed}
            archive.writestr(MANIFEST, json.dumps(data, ensure_ascii=False, indent=1))
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Manifest(data)


def _add(archive: zipfile.ZipFile, name: str, path: Path, progress: Progress) -> dict[str, Any]:
    size = path.stat().st_size
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_DEFLATED
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as source, archive.open(info, "w", force_zip64=size > (1 << 31)) as sink:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            sink.write(chunk)
            done += len(chunk)
            progress(f"压缩 {name}", done, size)
    return {"bytes": done, "sha256": digest.hexdigest()}


# -- reading and checking -------------------------------------------------------------------


def damaged(path: Path, problem: str, hint: str = _AGAIN) -> UserError:
    return UserError(f"{path.name}: {problem} — {hint}")


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at ``path``, or the one-line reason it cannot be read."""
    with _open(path) as archive:
        return _manifest(path, archive)


def unpack(path: Path, folder: Path, progress: Progress = quiet) -> Manifest:
    """Extract every member into ``folder``, checking size and sha256 of each, that no member is
    missing or extra, and that the warehouse holds the rows the manifest counts."""
    with _open(path) as archive:
        manifest = _manifest(path, archive)
        listed = manifest.members
        names = [info.filename for info in archive.infolist() if info.filename != MANIFEST]
        extra = [name for name in names if name not in listed]
        if extra:
            raise damaged(path, f"member {extra[0]} is not listed in {MANIFEST} (the file was changed)")
        for name, expected in listed.items():
            if not _SAFE_NAME.match(name) or name in (".", ".."):
                raise damaged(path, f"member {name!r} is not a plain file name: this is no ShopOps backup")
            if name not in names:
                raise damaged(path, f"member {name} listed in {MANIFEST} is missing")
            _extract(path, archive, name, expected, folder / name, progress)
    _check_counts(path, folder / WAREHOUSE_MEMBER, manifest)
    return manifest


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise UserError(f"no backup file {path} — pass the path of a file written by `shopops backup`")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        with path.open("rb") as handle:
            head = handle.read(4)
        if head != b"PK\x03\x04":
            raise UserError(
                f"{path.name} is not a ShopOps backup (not a ZIP file) — pass a file written by `shopops backup`"
            ) from None
        raise damaged(path, _truncation(path)) from None


def _truncation(path: Path) -> str:
    """Which member a cut-off ZIP ends in (walking its local headers), as the problem to report."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        offset = 0
        while True:
            handle.seek(offset)
            header = handle.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                break
            flags, packed, name_length, extra_length = (
                struct.unpack("<H", header[6:8])[0],
                struct.unpack("<I", header[18:22])[0],
                *struct.unpack("<HH", header[26:30]),
            )
            name_bytes = handle.read(name_length)
            extra = handle.read(extra_length)
            name = name_bytes.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            if len(name_bytes) < name_length or len(extra) < extra_length:
                return f"member {name or '?'} is cut off in its header (the file is truncated)"
            if packed == 0xFFFFFFFF:
                packed = _zip64_packed(extra) or packed
            start = offset + 30 + name_length + extra_length
            if start + packed > size:
                return (
                    f"member {name} is cut off after {size - start:,} of {packed:,} bytes"
                    " (the file is truncated)"
                )
            offset = start + packed + (16 if flags & 0x08 else 0)
    return "its ZIP directory (at the end of the file) is missing or damaged (the file is truncated)"


def _zip64_packed(extra: bytes) -> int | None:
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack("<HH", extra[at : at + 4])
        if kind == 0x0001 and length >= 16:
            return int(struct.unpack("<Q", extra[at + 12 : at + 20])[0])
        at += 4 + length
    return None


def _manifest(path: Path, archive: zipfile.ZipFile) -> Manifest:
    try:
        text = archive.read(MANIFEST)
    except KeyError:
        raise UserError(
            f"{path.name} holds no {MANIFEST}: it is not a ShopOps backup — pass a file written by `shopops backup`"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise damaged(path, f"member {MANIFEST} is damaged ({error})") from None
    try:
        data = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise damaged(path, f"member {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(
            f"{path.name}: {MANIFEST} is not that of a ShopOps backup — pass a file written by `shopops backup`"
        )
    if int(data.get("format_version") or 0) > FORMAT_VERSION:
        raise UserError(
            f"{path.name} was written by a newer ShopOps ({data.get('shopops_version')}, backup format"
            f" {data.get('format_version')}) — upgrade ShopOps (pip install -U shopops) to read it"
        )
    manifest = Manifest(data)
    if WAREHOUSE_MEMBER not in manifest.members:
        raise damaged(path, f"{MANIFEST} lists no {WAREHOUSE_MEMBER}: this is no complete backup")
    return manifest


def _extract(
    path: Path,
    archive: zipfile.ZipFile,
    name: str,
    expected: dict[str, Any],
    target: Path,
    progress: Progress,
) -> None:
    size = int(expected.get("bytes", 0))
    digest = hashlib.sha256()
    done = 0
    try:
        with archive.open(name) as source, target.open("wb") as sink:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                sink.write(chunk)
                done += len(chunk)
                progress(f"解压 {name}", done, size)
    except zipfile.BadZipFile as error:
        why = "its CRC-32 checksum does not match" if "CRC" in str(error) else str(error)
        raise damaged(path, f"member {name} is damaged ({why}: the file was changed)") from None
    except (zlib.error, EOFError) as error:
        raise damaged(path, f"member {name} is damaged (it cannot be decompressed: {error})") from None
    if done != size:
        raise damaged(
            path, f"member {name} has {done:,} bytes, {MANIFEST} says {size:,} (the file was changed)"
        )
    found = digest.hexdigest()
    if found != expected.get("sha256"):
        raise damaged(
            path,
            f"member {name} does not match its sha256 in {MANIFEST} ({str(expected.get('sha256'))[:12]}…"
            f" expected, {found[:12]}… found: the file was changed)",
        )


def _check_counts(path: Path, warehouse: Path, manifest: Manifest) -> None:
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise damaged(path, f"member {WAREHOUSE_MEMBER} cannot be opened ({first})") from None
    try:
        present = {
            str(row[0])
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
                " AND schema_name = 'main'"
            ).fetchall()
        }
        for table, expected in manifest.tables.items():
            if table not in present:
                raise damaged(
                    path,
                    f"member {WAREHOUSE_MEMBER} has no table {table}, {MANIFEST} counts {expected:,} rows",
                )
            found = _scalar(con, f'SELECT count(*) FROM "{table}"')
            if found != expected:
                raise damaged(
                    path,
                    f"member {WAREHOUSE_MEMBER} holds {found:,} rows in table {table}, {MANIFEST} says {expected:,}",
                )
    finally:
        con.close()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
