"""Imports while serving: uploaded files (and files sent by a CLI `shopops import`) go through the
server's single writer, one file at a time, each file one transaction."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopops.errors import UserError
from shopops.ingest.pipeline import ImportResult
from shopops.ingest.readers import read_export
from shopops.ingest.shops import resolve_shop
from shopops.web.accounts import User
from shopops.web.data import Forbidden, ScopedData

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def _record(result: ImportResult) -> dict[str, Any]:
    return {
        "ok": True,
        "file": result.file,
        "source_key": result.source_key,
        "source": result.source_label,
        "rows": result.rows,
        "rows_replaced": result.rows_replaced,
        "skipped_rows": result.skipped_rows,
        "date_min": None if result.date_min is None else result.date_min.isoformat(),
        "date_max": None if result.date_max is None else result.date_max.isoformat(),
        "shops": list(result.shops),
        "already_imported": result.already_imported,
        "message": (
            "已导入过，未改变 (already imported, nothing changed)"
            if result.already_imported
            else f"{result.source_label}: {result.rows} 行"
            + (f"，替换 {result.rows_replaced} 行" if result.rows_replaced else "")
        ),
    }


def _shop_for_scoped_user(data: ScopedData, path: Path, chosen: str, source: str | None) -> str:
    """The shop a limited user's file may be imported as: the file must not name another shop
    (in its name or title lines) nor list shops in a column — that is checked before any write."""
    workspace = data.workspace
    with tempfile.TemporaryDirectory(prefix="shopops-check-") as workdir:
        raw = read_export(path, workspace.registry.header_score, Path(workdir))
        detection = workspace.registry.detect(raw, forced=source)
        if "shop" in detection.mapping:
            raise Forbidden(
                "这个文件按行列出店铺，请让可查看全部店铺的用户导入 (the file lists shops per row:"
                " a user with every shop must import it)"
            )
        shops = dict(data.cursor.execute("SELECT name, platform FROM shops").fetchall())
        try:
            named = resolve_shop(raw, detection.spec, shops, None, has_shop_column=False)
        except UserError:
            return chosen  # the file names no shop (or several): it is the chosen shop's
    if named is not None and named not in data.allowed:
        raise Forbidden("文件属于你无权访问的店铺 (the file belongs to a shop that is not yours)")
    return named or chosen


def import_uploads(
    data: ScopedData,
    lock: Any,
    uploads: list[Upload],
    *,
    shop: str | None = None,
    source: str | None = None,
    user: User | None = None,
) -> list[dict[str, Any]]:
    """Import each upload; a user limited to some shops must name one of them (``shop``)."""
    who = user or data.user
    if not who.can_write:
        raise Forbidden("只读用户不能导入文件 (viewers cannot import)")
    if who.shops is not None:
        if not shop:
            raise UserError("请选择店铺 — 你的账号只能导入自己店铺的文件 (choose one of your shops)")
        data.shops_for([shop])
    results: list[dict[str, Any]] = []
    workspace = data.workspace
    with tempfile.TemporaryDirectory(prefix="shopops-upload-") as folder:
        for upload in uploads:
            name = Path(upload.name.replace("\\", "/")).name or "upload"
            if len(upload.content) > MAX_FILE_BYTES:
                results.append({"ok": False, "file": name, "message": "文件太大 (over 200 MB)"})
                continue
            path = Path(folder) / name
            path.write_bytes(upload.content)
            try:
                target = shop or None
                if who.shops is not None and shop:
                    target = _shop_for_scoped_user(data, path, shop, source or None)
                with lock:
                    result = workspace.import_file(path, shop=target, source=source or None)
                    if result.import_id is not None and not result.already_imported:
                        workspace.connection.execute(
                            "UPDATE imports SET imported_by = ? WHERE import_id = ?",
                            [f"web:{who.name}", result.import_id],
                        )
            except UserError as error:
                results.append({"ok": False, "file": name, "message": str(error).replace(folder + "/", "")})
                continue
            results.append(_record(result))
    return results
