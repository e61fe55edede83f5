"""CSV cells a spreadsheet cannot run: the one place every CSV we write is made safe.

A cell that starts with ``= + - @`` (or a tab / carriage return) is read by Excel, WPS and
LibreOffice as a formula: a shop name or 宝贝标题 such as ``=cmd|' /C calc'!A0`` would run when the
CSV is opened. Such text gets a leading apostrophe (the OWASP advice), which spreadsheets show as
text. Numbers stay numbers: numeric columns are never touched, and text that is a plain number
(``-12.50``, ``+3``, ``-1,234.5``, ``-3.5%``) is left as it is; ``-1+1`` or ``-abc`` is not a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?$"
_FORMULA_START = re.compile(FORMULA_START)
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell may hold it: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and _FORMULA_START.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell (and column name) made safe; numeric columns unchanged."""
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))
    ]
    if text:
        frame = frame.with_columns(
            _safe_expression(pl.col(name).cast(pl.String)).alias(name) for name in text
        )
    names = {name: str(safe_cell(name)) for name in frame.columns}
    return frame.rename({old: new for old, new in names.items() if old != new})


def _safe_expression(column: pl.Expr) -> pl.Expr:
    risky = column.str.contains(FORMULA_START) & ~column.str.contains(PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column)


def csv_text(records: Sequence[Mapping[str, object]]) -> str:
    """Records (one dict per row, the first row's keys as header) as CSV text; None is an empty cell."""
    buffer = io.StringIO()
    if records:
        fields = list(records[0])
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([safe_cell(name) for name in fields])
        for record in records:
            writer.writerow(["" if (v := record.get(name)) is None else safe_cell(v) for name in fields])
    return buffer.getvalue()
