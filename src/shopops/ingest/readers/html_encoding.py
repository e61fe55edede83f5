"""Decoding an HTML ".xls" to text before lxml sees it.

lxml guesses the encoding of bytes from a ``<meta>`` declaration and otherwise falls back to
Latin-1, which turns the UTF-8 or GBK pages Chinese platforms save without a declaration into
mojibake. So the bytes are decoded here, in the order a browser would trust: BOM, declared
charset, then UTF-8 (strict, so GBK bytes never pass as UTF-8) and finally GB18030.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from shopops.errors import UnreadableFileError

# Browsers look for the declaration in the first 1024 bytes; exports sometimes put a long
# <style> block first, so look a little further.
_PRESCAN_BYTES = 8192
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GB2312 and GBK pages routinely hold characters only their superset GB18030 has.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030"}


def decode_html(path: Path, data: bytes) -> str:
    """The page as text, without an XML declaration (lxml refuses str input that has one)."""
    text = _decode(path, data)
    return strip_xml_declaration(text)


def strip_xml_declaration(text: str) -> str:
    return _XML_DECLARATION.sub("", text, count=1)


def _candidates(head: bytes) -> list[str]:
    candidates = [encoding for bom, encoding in _BOMS if head.startswith(bom)][:1]
    if not candidates:
        declared = declared_encoding(head)
        candidates = [declared] if declared else []
        candidates += [e for e in ("utf-8", "gb18030") if e != declared]
    return candidates


def _decode(path: Path, data: bytes) -> str:
    for encoding in _candidates(data):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue  # a wrong declaration is common; the next candidate may still fit
    raise _undecodable(path)


def html_encoding(path: Path) -> str:
    """The codec to read the page with, chosen as ``decode_html`` does but without holding the
    page in memory: each candidate is tried by decoding the file chunk by chunk."""
    with path.open("rb") as handle:
        head = handle.read(_PRESCAN_BYTES)
        for encoding in _candidates(head):
            handle.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := handle.read(1 << 22):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    raise _undecodable(path)


def _undecodable(path: Path) -> UnreadableFileError:
    return UnreadableFileError(
        path,
        "is a web page that is neither UTF-8 nor GBK/GB18030 text",
        hint="download the report again as Excel or CSV",
    )


def declared_encoding(data: bytes) -> str | None:
    """The Python codec named by the page's ``<meta charset>`` or ``http-equiv`` declaration."""
    found = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if not found:
        return None
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except LookupError:
        return None  # an unknown charset name is treated as no declaration
    return _SUPERSETS.get(name, name)
