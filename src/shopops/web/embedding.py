"""Data handed to a page's scripts: JSON inside ``<script type="application/json">``, escaped for HTML.

A ``<script>`` element's text is not HTML-escaped by the browser, so ``</script>`` inside a shop name
or a 宝贝标题 would end the element and let the rest run as markup. Every JSON a template embeds goes
through :func:`json_script` (the Jinja filter of the same name, registered once in ``web.app``):
``<``, ``>``, ``&`` and U+2028/U+2029 become ``\\uXXXX`` escapes, which JSON.parse reads back as the
same characters. Templates never use ``| safe`` on data.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_for_html(value: Any) -> str:
    """``value`` as JSON text that cannot end a ``<script>`` element or open markup."""
    return json.dumps(value, ensure_ascii=False, default=_plain).translate(_ESCAPES)


def json_script(value: Any, element_id: str) -> Markup:
    """``<script id="…" type="application/json">…</script>`` holding ``value`` (read it with
    ``JSON.parse(document.getElementById(id).textContent)``)."""
    return Markup('<script id="{}" type="application/json">{}</script>').format(
        escape(element_id), Markup(json_for_html(value))
    )


def register(environment: Environment) -> None:
    environment.filters["json_script"] = json_script
