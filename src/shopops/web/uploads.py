"""Imports while serving: uploaded files (and files sent by a CLI `shopops import`) go through the
server's single writer, one file at a time, each file one transaction (a workbook's sheets together).

The files of an upload arrive on disk first (:mod:`shopops.web.receiving`: streamed, size-checked,
names checked); the importer then checks every row (of every sheet) against the uploader's shops
before anything is written, and the answer lists every file and every sheet."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from shopops.errors import ImportRoleError, ShopScopeError, ShopUnknownError, UserError
from shopops.ingest.result import ImportResult
from shopops.warehouse import audit
from shopops.web.accounts import User
from shopops.web.data import Forbidden, ScopedData
from shopops.web.receiving import MAX_NAME_BYTES, Upload, received_uploads
from shopops.workspace import Workspace

_SKIP_REASONS = {"blank": "空行", "note": "备注行"}
SCOPE_REFUSED = "文件含有你无权导入的店铺的数据，未导入任何内容"


# -- importing ------------------------------------------------------------------------------


def _sheet_of(label: str) -> str | None:
    """The sheet named in an import's file label (``book.xlsx [Sheet2]``), if any."""
    if label.endswith("]") and " [" in label:
        return label.rsplit(" [", 1)[1][:-1]
    return None


def _part_record(result: ImportResult) -> dict[str, Any]:
    """What one imported file or workbook sheet stored."""
    return {
        "file": result.file,
        "sheet": _sheet_of(result.file),
        "source_key": result.source_key,
        "source": result.source_label,
        "rows": result.rows,
        "rows_replaced": result.rows_replaced,
        "skipped_rows": result.skipped_rows,
        "duplicate_rows": result.duplicate_rows,
        "date_min": None if result.date_min is None else result.date_min.isoformat(),
        "date_max": None if result.date_max is None else result.date_max.isoformat(),
        "shops": list(result.shops),
        "already_imported": result.already_imported,
        "unused_columns": list(result.unused_columns),
        "skipped": [{"reason": why, "rows": rows} for why, rows in result.skipped],
        "shop_rows": [{"shop": shop, "rows": rows} for shop, rows in result.shop_rows],
        "blank_cells": [{"column": column, "rows": rows} for column, rows in result.blank_cells],
        "pending_rows": result.pending_rows,
        "pending_columns": list(result.pending_columns),
        "sheets_passed_over": [{"sheet": sheet, "why": why} for sheet, why in result.sheets_passed_over],
    }


def _summary(part: dict[str, Any]) -> str:
    """One sheet's line: rows, then everything that was not stored as it came."""
    text = f"{part['source']}: {part['rows']} 行"
    if part["shop_rows"]:
        text += "（" + "、".join(f"{s['shop']} {s['rows']} 行" for s in part["shop_rows"]) + "）"
    if part["rows_replaced"]:
        text += f"，替换 {part['rows_replaced']} 行"
    if part["duplicate_rows"]:
        text += f"，{part['duplicate_rows']} 行重复只保留一次"
    for blank in part["blank_cells"]:
        text += f"，{blank['rows']} 行没有{blank['column']}（记为未知）"
    if part["pending_rows"]:
        text += (
            f"，{part['pending_rows']} 行的{'、'.join(part['pending_columns'])}为「延迟统计」"
            "（尚未结算，记为未知；结算后再导入同期导出即替换）"
        )
    if part["skipped"]:
        reasons = "、".join(
            f"{_SKIP_REASONS.get(s['reason'], s['reason'])} {s['rows']}" for s in part["skipped"]
        )
        text += f"，跳过 {part['skipped_rows']} 行（{reasons}）"
    if part["unused_columns"]:
        text += "；未使用的列: " + "、".join(part["unused_columns"])
    return text


def _passed_over(record: dict[str, Any]) -> str:
    """The workbook's sheets that were not imported, and why."""
    sheets = record["sheets_passed_over"]
    if not sheets:
        return ""
    return "；未导入的工作表: " + "、".join(f"{s['sheet']}（{s['why']}）" for s in sheets)


def _record(result: ImportResult, upload: Upload) -> dict[str, Any]:
    """The answer for one imported file; a workbook's sheets are listed in ``sheets`` (every one,
    the first included) and its totals are the file's."""
    if result.already_imported:
        return {
            "ok": True,
            **_part_record(result),
            "file": upload.name,
            "sheets": [],
            "message": "已导入过，未改变 (already imported, nothing changed)",
        }
    parts = [_part_record(part) for part in (result, *result.sheets)]
    record: dict[str, Any] = {
        "ok": True,
        **parts[0],
        "file": upload.name,
        "sheets": parts if len(parts) > 1 else [],
    }
    if len(parts) > 1:
        for key in ("rows", "rows_replaced", "skipped_rows", "duplicate_rows"):
            record[key] = sum(part[key] for part in parts)
        dates = [part["date_min"] for part in parts if part["date_min"]]
        record["date_min"] = min(dates) if dates else None
        dates = [part["date_max"] for part in parts if part["date_max"]]
        record["date_max"] = max(dates) if dates else None
        record["shops"] = list(dict.fromkeys(shop for part in parts for shop in part["shops"]))
        record["unused_columns"] = list(dict.fromkeys(c for part in parts for c in part["unused_columns"]))
        record["skipped"] = _summed(parts, "skipped", "reason")
        record["shop_rows"] = _summed(parts, "shop_rows", "shop")
        record["blank_cells"] = [blank for part in parts for blank in part["blank_cells"]]
        record["pending_rows"] = sum(part["pending_rows"] for part in parts)
        record["pending_columns"] = list(dict.fromkeys(c for part in parts for c in part["pending_columns"]))
        for part in parts:
            part["message"] = _summary(part)
        lines = "；".join(f"[{part['sheet'] or part['file']}] {part['message']}" for part in parts)
        record["message"] = f"{len(parts)} 个工作表，共 {record['rows']} 行 — {lines}"
    else:
        record["message"] = _summary(parts[0])
    record["message"] += _passed_over(record)
    if upload.sent_as is not None:
        record["sent_as"] = upload.sent_as
        record["message"] += f"（文件名超过 {MAX_NAME_BYTES} 字节，已缩短 (file name shortened)）"
    return record


def _summed(parts: list[dict[str, Any]], key: str, by: str) -> list[dict[str, Any]]:
    totals: dict[str, int] = {}
    for part in parts:
        for item in part[key]:
            totals[item[by]] = totals.get(item[by], 0) + item["rows"]
    return [{by: name, "rows": rows} for name, rows in totals.items()]


def _refusal(error: UserError, who: User, shop: str | None, upload: Upload) -> str:
    """The message for a file that was not imported."""
    text = str(error).replace(f"{upload.path.parent}/", "")
    if isinstance(error, ShopScopeError):
        return f"{SCOPE_REFUSED} ({text})"
    if isinstance(error, ImportRoleError):
        return f"你的账号不能导入这类文件 ({text})"
    if isinstance(error, ShopUnknownError) and who.shops is not None and shop is None:
        # The importer's hint lists every registered shop: not for a user limited to some.
        if error.hint:
            text = text.removesuffix(f" — {error.hint}")
        return f"请选择你的店铺后重新上传 (choose one of your shops and upload again: {text})"
    return text


def import_uploads(
    data: ScopedData,
    lock: Any,
    uploads: list[Upload],
    *,
    shop: str | None = None,
    source: str | None = None,
    user: User | None = None,
) -> list[dict[str, Any]]:
    """Import each upload, each file on its own (a refused file changes nothing, the others go on).

    A user limited to some shops may write only their rows: the importer refuses any file, or
    workbook sheet, with a row of another shop before writing anything. Their ``shop`` must be one
    of theirs; without one, each file's own shop column, name or title decides (a file that names
    no shop is refused with a request to choose one)."""
    who = user or data.user
    if not who.can_write:
        raise Forbidden("只读用户不能导入文件 (viewers cannot import)")
    if who.shops is not None and shop:
        data.shops_for([shop])
    results: list[dict[str, Any]] = []
    workspace = data.workspace
    for upload in uploads:
        if upload.refused is not None:
            results.append({"ok": False, "file": upload.name, "message": upload.refused})
            continue
        try:
            with lock, audit.acting_as(data.actor):  # the import's audit record names the uploader
                result = workspace.import_file(
                    upload.path,
                    shop=shop or None,
                    source=source or None,
                    allowed_shops=who.shops,
                    role=who.role,
                )
                for part in (result, *result.sheets):
                    if part.import_id is not None and not part.already_imported:
                        workspace.connection.execute(
                            "UPDATE imports SET imported_by = ? WHERE import_id = ?",
                            [f"web:{who.name}", part.import_id],
                        )
        except UserError as error:
            results.append({"ok": False, "file": upload.name, "message": _refusal(error, who, shop, upload)})
            continue
        foreign = _foreign_shops(result, who)
        if foreign:
            # The importer answers "already imported" before it looks at the rows: a file someone
            # with more shops imported is refused here as if it were new (and its record not shown).
            results.append(
                {
                    "ok": False,
                    "file": upload.name,
                    "message": f"{SCOPE_REFUSED} ({upload.name}: holds rows of shop {'、'.join(foreign)},"
                    " which your account may not import; nothing was imported)",
                }
            )
            continue
        results.append(_record(result, upload))
    return results


def _foreign_shops(result: ImportResult, who: User) -> list[str]:
    """The shops of an import (every sheet) that a limited user may not write ("*": every shop's)."""
    if who.shops is None:
        return []
    shops = (name for part in (result, *result.sheets) for name in part.shops)
    return list(dict.fromkeys(name for name in shops if name and name != "*" and name not in who.shops))


async def import_request(
    request: Request, data: ScopedData, workspace: Workspace, lock: Any, *, csrf: str | None
) -> list[dict[str, Any]]:
    """An upload request of the page or the API: its files streamed to disk as they arrive (see
    ``received_uploads``, which raises ``UploadTooLarge``), then imported one by one."""
    if not data.user.can_write:
        raise Forbidden("只读用户不能导入文件 (viewers cannot import)")
    async with received_uploads(request, workspace, csrf=csrf, shops=data.all_shops) as form:
        results: list[dict[str, Any]] = await run_in_threadpool(
            import_uploads, data, lock, form.uploads, shop=form.fields.get("shop") or None
        )
    return results
