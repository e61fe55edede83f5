"""The live feed's cells read in Python: a reading must be on the page within a second, and the
importer's SQL parsers cost ~0.2 s to plan per call for one line.

The rules are the importer's (:mod:`shopops.ingest.values`), for the types a board has — money,
whole numbers, ratios (with the board's full-width ％), durations (``1分23秒``), timestamps — and
``tests/unit/test_live_feed_values.py`` runs a gallery of cells through both and requires the same
value from each, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from shopops.ingest.values import EARLIEST_DATE, NULL_TOKENS, VALUE_TYPES

_STRIP = " \t\r\n\u00a0\u3000"
_NUMBER_NOISE = re.compile(r"[,，¥￥元\s]|^\+")
_DURATION = re.compile(r"([0-9.]+天)?([0-9.]+(?:小时|时))?([0-9.]+分钟?)?([0-9.]+秒)?")
_CLOCK = re.compile(r"[0-9]+:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?")
_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
_TIMES = (" %H:%M:%S", " %H:%M", "T%H:%M:%S", " %H:%M:%S.%f")
_TIMESTAMPS = tuple(d + t for d in _DATES[:2] for t in _TIMES) + _DATES
_NULLS = frozenset(NULL_TOKENS)


class Bad(Exception):
    """A cell that holds something its column's type cannot read."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"{VALUE_TYPES[kind].problem}（{VALUE_TYPES[kind].hint}）")


def read_cell(kind: str, text: str) -> Any:
    """The typed value of a cell (None: empty), or raises :class:`Bad`."""
    cell = text if text in _NULLS else text.strip(_STRIP)
    if cell in _NULLS:
        return None
    if kind == "text":
        return cell
    if kind == "timestamp":
        return _timestamp(cell)
    if kind == "duration":
        return _duration(cell)
    number = _NUMBER_NOISE.sub("", cell)
    if kind == "ratio":
        number = number.replace("％", "%")
        percent = number.endswith("%")
        value = _float(number[:-1] if percent else number)
        if value is None:
            raise Bad(kind)
        return value / 100 if percent else value
    decimal = _decimal(number)
    if decimal is None:
        raise Bad(kind)
    if kind == "money":
        return decimal.quantize(Decimal("0.01"))
    if kind == "int":
        if decimal != decimal.to_integral_value():
            raise Bad(kind)
        return int(decimal)
    return float(decimal)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _decimal(text: str) -> Decimal | None:
    factor = Decimal(1)
    if text.endswith("万"):
        text, factor = text[:-1], Decimal(10000)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value * factor if value.is_finite() else None


def _duration(cell: str) -> float:
    match = _DURATION.fullmatch(cell)
    if match and any(ch.isdigit() for ch in cell):
        parts = [_unit(cell, unit) for unit in ("天", "小时|时", "分", "秒")]
        return parts[0] * 86400 + parts[1] * 3600 + parts[2] * 60 + parts[3]
    if _CLOCK.fullmatch(cell):
        hours, minutes, seconds = cell.split(":")
        return float(hours) * 3600 + float(minutes) * 60 + float(seconds)
    value = _float(cell)
    if value is None:
        raise Bad("duration")
    return value


def _unit(cell: str, unit: str) -> float:
    found = re.search(rf"([0-9]+(?:\.[0-9]+)?)(?:{unit})", cell)
    return float(found.group(1)) if found else 0.0


def _timestamp(cell: str) -> dt.datetime:
    for pattern in _TIMESTAMPS:
        try:
            value = dt.datetime.strptime(cell, pattern)
        except ValueError:
            continue
        if value.date() < dt.date.fromisoformat(
            EARLIEST_DATE
        ) or value.date() > dt.date.today() + dt.timedelta(days=366):
            raise Bad("timestamp")
        return value
    raise Bad("timestamp")
