"""Receiving uploads: a multipart/form-data body streamed to disk as it arrives.

Every file goes into a folder of its own inside one temp folder per request (in the workspace's
`.tmp`), under a checked name (:func:`upload_name`), and stops being written the moment it passes
``MAX_FILE_BYTES`` — no file is ever held in memory whole, and nothing is written outside that
temp folder. :mod:`shopops.web.uploads` then imports what was received."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import parse_qs

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from shopops.errors import DiskFullError, UserError
from shopops.warehouse.connection import disk_full
from shopops.web.data import Forbidden
from shopops.web.security import CSRF_FIELD, CSRF_HEADER, same_token
from shopops.workspace import Workspace

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FILE_BYTES = 200 * 1024 * 1024  # one uploaded file
MAX_REQUEST_BYTES = 1024 * 1024 * 1024  # one upload request, every file together
MAX_NAME_BYTES = 255  # the longest file name Linux, macOS and Windows file systems all take
MAX_FIELD_BYTES = 64 * 1024  # a form field (csrf_token, shop)
MAX_PARTS = 1000  # files and fields of one request
_ELLIPSIS = "…"
CSRF_REFUSED = "CSRF 校验失败，请刷新页面后重试 (missing or wrong CSRF token — reload the page)"


@dataclass(frozen=True)
class Upload:
    """One file to import: its name as the user knows it and where its bytes are."""

    name: str
    path: Path
    refused: str | None = None  # why it was not kept while receiving (too large): listed, not imported
    sent_as: str | None = None  # the name the browser sent, when it had to be shortened


@dataclass
class Received:
    """A received upload form: its text fields and its files (on disk)."""

    fields: dict[str, str]
    uploads: list[Upload]


class UploadTooLarge(UserError):
    """The request as a whole is over ``MAX_REQUEST_BYTES``; the routes answer it with 413."""


def size_text(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


# -- file names -----------------------------------------------------------------------------


def _shown(name: str) -> str:
    text = json.dumps(name, ensure_ascii=False)  # quotes it, control characters as \u0000
    return text if len(text) <= 80 else text[:60] + _ELLIPSIS + text[-18:]


def _invalid(sent: str, zh: str, en: str) -> UserError:
    shown = _shown(sent)
    return UserError(f"文件名无效：{shown} {zh} (invalid file name {shown}: {en})")


def upload_name(sent: str, shops: Collection[str] = ()) -> str:
    """The name an uploaded file is stored and imported under (raises UserError, answered 400).

    A browser may send a path (``C:\\Users\\me\\报表.xlsx``, a dropped folder's ``a/报表.xlsx``): its
    last part is the name. Refused: an empty name, ``.``/``..`` or a path ending in a folder
    (``a/..``, ``a/``), a NUL or other control character. A name over 255 bytes is shortened in the
    middle, keeping its start, its end and its extension — unless that drops (or makes up) the
    name of a shop in ``shops``: the importer reads the shop from the file name.
    """
    if "\x00" in sent:
        raise _invalid(sent, "含有空字符 NUL", "it contains a NUL character")
    if any(ord(c) < 32 or ord(c) == 127 for c in sent):
        raise _invalid(sent, "含有控制字符", "it contains a control character")
    if not sent.strip():
        raise UserError(
            "文件名无效：文件名为空，或没有选择文件 (invalid file name: it is empty, or no file was chosen)"
        )
    name = sent.replace("\\", "/").rsplit("/", 1)[-1]
    if name.strip() in ("", ".", ".."):
        raise _invalid(sent, "指的是文件夹，不是文件", "it names a folder, not a file")
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    short = _shortened(name)
    changed = [s for s in shops if (s in name) != (s in short)]
    if changed:
        raise _invalid(
            sent,
            f"超过 {MAX_NAME_BYTES} 字节，缩短会丢掉店铺名 {'、'.join(changed)}，请改短文件名后重新上传",
            f"over {MAX_NAME_BYTES} bytes, and shortening it would lose the shop name"
            f" {', '.join(changed)} — rename the file and upload it again",
        )
    return short


def _shortened(name: str) -> str:
    """``name`` cut in the middle to fit ``MAX_NAME_BYTES`` (UTF-8), extension kept."""
    stem, dot, extension = name.rpartition(".")
    suffix = f".{extension}" if dot and stem and len(extension.encode()) <= 15 else ""
    stem = name[: len(name) - len(suffix)]
    budget = MAX_NAME_BYTES - len(suffix.encode()) - len(_ELLIPSIS.encode())
    head = _fit(stem, budget - budget // 2)
    tail = _fit(stem[::-1], budget - len(head.encode()))[::-1]
    return head + _ELLIPSIS + tail + suffix


def _fit(text: str, limit: int) -> str:
    """The longest start of ``text`` whose UTF-8 form is at most ``limit`` bytes."""
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode())
        if used > limit:
            return text[:index]
    return text


# -- receiving ------------------------------------------------------------------------------


@dataclass
class _Spool:
    """One file part being written to its own folder."""

    name: str
    path: Path
    sent_as: str | None
    size: int = 0
    refused: bool = False
    ended: bool = False
    handle: IO[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self.handle is None:
            self.path.parent.mkdir()
            self.handle = self.path.open("xb")
        self.handle.write(data)

    def finish(self) -> None:
        if self.refused:
            self.close()
            self.path.unlink(missing_ok=True)
        elif self.handle is None:
            self.write(b"")  # an empty file is still a file (the importer says what is wrong with it)
        self.close()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    field_name: str = ""
    text: bytearray = field(default_factory=bytearray)
    spool: _Spool | None = None


class _FormReader:
    """Streams a multipart/form-data body: fields into memory (small), files to disk in chunks.

    A browser session's CSRF token (``csrf``; None when already checked or not needed) must come
    before the first file — the upload form puts it first — so a forged request writes nothing.
    """

    def __init__(self, folder: Path, csrf: str | None, shops: Collection[str]) -> None:
        self.folder = folder
        self.csrf = csrf
        self.shops = shops
        self.fields: dict[str, str] = {}
        self.spools: list[_Spool] = []
        self.parts = 0
        self.ended = False
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._pending: list[tuple[_Spool, bytes]] = []
        self._finished: list[_Spool] = []

    # python-multipart callbacks (called while ``MultipartParser.write`` runs)

    def on_part_begin(self) -> None:
        self._part = _Part()
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise UserError(
                f"一次最多上传 {MAX_PARTS} 个文件和字段 (at most {MAX_PARTS} files and fields per upload)"
            )

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._part.headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        part = self._part
        disposition = part.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition.decode("latin-1"))
        part.field_name = _decode(options.get(b"name", b""))
        if b"filename" not in options:
            return
        if self.csrf is not None:
            raise Forbidden(CSRF_REFUSED)
        sent = _decode(options[b"filename"])
        name = upload_name(sent, self.shops)
        # A folder per file: two files of the same name never meet, and the name is the file's own.
        slot = self.folder / str(len(self.spools))
        path = slot / name
        if path.parent != slot or not path.resolve().is_relative_to(self.folder.resolve()):
            raise _invalid(sent, "不能用作文件名", "it cannot be used as a file name")  # pragma: no cover
        part.spool = _Spool(name, path, sent if name != sent.replace("\\", "/").rsplit("/", 1)[-1] else None)
        self.spools.append(part.spool)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        spool = part.spool
        if spool is None:
            if len(part.text) + end - start > MAX_FIELD_BYTES:
                raise UserError(
                    f"表单字段 {part.field_name} 太长 (form field {part.field_name!r} is over"
                    f" {size_text(MAX_FIELD_BYTES)})"
                )
            part.text += data[start:end]
        elif not spool.refused:
            if spool.size + end - start > MAX_FILE_BYTES:
                spool.refused = True  # stop here: what came so far is deleted, the rest is not kept
            else:
                spool.size += end - start
                self._pending.append((spool, data[start:end]))

    def on_part_end(self) -> None:
        part = self._part
        if part.spool is not None:
            part.spool.ended = True
            self._finished.append(part.spool)
            return
        value = bytes(part.text).decode("utf-8", errors="replace")
        if part.field_name == CSRF_FIELD and self.csrf is not None:
            if not same_token(value, self.csrf):
                raise Forbidden(CSRF_REFUSED)
            self.csrf = None
        self.fields.setdefault(part.field_name, value)

    def on_end(self) -> None:
        self.ended = True

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    # between the chunks of the body, outside the event loop

    def flush(self) -> None:
        for spool, data in self._pending:
            if not spool.refused:
                spool.write(data)
        self._pending.clear()
        for spool in self._finished:
            spool.finish()
        self._finished.clear()

    def close(self) -> None:
        for spool in self.spools:
            spool.close()

    async def read(self, request: Request, boundary: bytes) -> Received:
        parser = MultipartParser(boundary, self.callbacks())
        total = 0
        try:
            async for chunk in request.stream():
                total += len(chunk)
                if total > MAX_REQUEST_BYTES:
                    raise _too_large()
                parser.write(chunk)
                if self._pending or self._finished:
                    await run_in_threadpool(self.flush)
            parser.finalize()
            await run_in_threadpool(self.flush)
        except MultipartParseError as error:
            raise UserError(f"上传的内容无法解析 (invalid multipart/form-data: {error})") from None
        except OSError as error:
            if disk_full(error) is None:
                raise
            full = DiskFullError(str(self.folder), "upload the files again; nothing was imported")
            raise UserError(f"磁盘已满，上传的文件没有保存，未导入任何内容 ({full})") from error
        finally:
            await run_in_threadpool(self.close)
        if self.csrf is not None:
            raise Forbidden(CSRF_REFUSED)
        if not self.ended or any(not spool.ended for spool in self.spools):
            raise UserError("上传不完整，请重新上传 (the upload was cut off — upload the files again)")
        if not self.spools:
            raise UserError('请选择要上传的文件 (no file was uploaded: send them as the form field "files")')
        limit = size_text(MAX_FILE_BYTES)
        return Received(
            self.fields,
            [
                Upload(
                    spool.name,
                    spool.path,
                    refused=(
                        f"文件太大：超过 {limit} 的上限，未导入 (file too large: over the {limit} limit;"
                        " nothing was imported)"
                    )
                    if spool.refused
                    else None,
                    sent_as=spool.sent_as,
                )
                for spool in self.spools
            ],
        )


def _decode(raw: bytes) -> str:
    """Header parameter bytes as text: browsers send UTF-8; an old client may send GBK."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _too_large() -> UploadTooLarge:
    limit = size_text(MAX_REQUEST_BYTES)
    return UploadTooLarge(
        f"上传太大：一次最多上传 {limit} (upload too large: at most {limit} per request — upload the files"
        " in several goes)"
    )


async def _urlencoded_token(request: Request) -> str | None:
    """The CSRF token of a small url-encoded form (a form without files)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FIELD_BYTES:
            return None
    values = parse_qs(body.decode("utf-8", errors="replace")).get(CSRF_FIELD)
    return values[0] if values else None


@asynccontextmanager
async def received_uploads(
    request: Request, workspace: Workspace, *, csrf: str | None, shops: Collection[str] = ()
) -> AsyncIterator[Received]:
    """Receive an upload form, streaming its files into a temp folder that is removed afterwards.

    ``csrf`` is the browser session's token (None for an API token). Raises ``Forbidden`` (403) for
    a missing or wrong token, ``UserError`` (400) for a bad file name or form, ``UploadTooLarge``
    (413) when the request is over ``MAX_REQUEST_BYTES``. A file over ``MAX_FILE_BYTES`` is not
    kept: it is listed with ``refused`` set and the other files are received as usual.
    """
    given = request.headers.get(CSRF_HEADER)
    if csrf is not None and given:
        if not same_token(given, csrf):
            raise Forbidden(CSRF_REFUSED)
        csrf = None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise _too_large()
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        if csrf is not None and not (
            kind == b"application/x-www-form-urlencoded"
            and same_token(await _urlencoded_token(request), csrf)
        ):
            raise Forbidden(CSRF_REFUSED)
        raise UserError(
            '请用 multipart/form-data 上传文件 (send the files as multipart/form-data, form field "files")'
        )
    # The workspace's own temp folder (`<workspace>/.tmp`, the system's if it cannot have one):
    # big uploads land on the workspace's disk, and what a killed server leaves is removed later.
    holder = await run_in_threadpool(workspace.temp_folder)
    try:
        yield await _FormReader(Path(holder.name), csrf, shops).read(request, options[b"boundary"])
    finally:
        await run_in_threadpool(holder.cleanup)
