"""What a file says outside its cells: values in its name, and cells that are not settled yet.

赤兔 names its exports ``自定义报表_{报表名}_下单优先判定_{from}至{to}.xlsx``: the report, the
attribution option (which agent is credited with an order) and, for a custom report, the only
statement of the period. A source declares such values under ``from_file_name``; the period
column (type ``period``) falls back to the name when the file has no such column.

A delayed field (``延迟统计``) is not a bad value and not a zero: it is unknown *for now*. The
cells are read as unknown and the row is stored with ``pending = true``; the import counts them
per column, so the user knows to import the settled export later (it replaces these rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection, Mapping
from pathlib import PurePath

import duckdb

from shopops.errors import MissingColumnError
from shopops.ingest.readers import RawExport
from shopops.ingest.sources import ColumnSpec, SourceSpec

_DAY = r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?"
_RANGE = re.compile(rf"{_DAY}\s*(?:至|~|～|到|—|－|-|_)+\s*{_DAY}")
_ONE_DAY = re.compile(rf"(?<!\d){_DAY}(?!\d)")


def stem(name: str) -> str:
    """The file's name without folders, extension or the sheet a workbook part adds."""
    return PurePath(name.split(" · ", maxsplit=1)[0]).stem


def import_identity(content_digest: str, spec: SourceSpec, name: str, today: dt.date) -> str:
    """What makes an import "the same file again": its bytes, and — for a source that reads values
    from the file's name or dates an undated snapshot by the import day — that name and day too. Two
    days' 商品库存 exports with the same cells (a quiet shop) are two snapshots, not one file twice."""
    parts = [content_digest]
    if spec.from_file_name or spec.period_column is not None:
        parts.append(PurePath(name).name)
    if spec.period_default_today:
        parts.append(today.isoformat())
    if len(parts) == 1:
        return content_digest
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def file_name_values(spec: SourceSpec, name: str) -> dict[str, str]:
    """The values ``spec.from_file_name`` finds in the file's name (the first pattern that matches)."""
    text = stem(name)
    found: dict[str, str] = {}
    for column, patterns in spec.from_file_name.items():
        for pattern, value in patterns.items():
            match = re.search(pattern, text)
            if match is not None:
                found[column] = match.expand(value)
                break
    return found


def file_extras(spec: SourceSpec, name: str, mapping: Mapping[str, int]) -> list[str]:
    """SQL select items for the values the file's name gives to columns the file does not have."""
    values = [
        (column, value) for column, value in file_name_values(spec, name).items() if column not in mapping
    ]
    extras = ["'" + value.replace("'", "''") + f"' AS {column}" for column, value in values]
    period = spec.period_column
    if period is not None and period.name not in mapping:
        today = dt.date.today()
        start, end = file_name_period(name) or ((today, today) if spec.period_default_today else (None, None))
        extras += [f"DATE '{start}' AS {period.name}_start", f"DATE '{end}' AS {period.name}_end"]
    return extras


def file_name_period(name: str) -> tuple[dt.date, dt.date] | None:
    """The period a file's name states: a range (2026-11-01至2026-11-07, 20261101-20261107) or one day."""
    text = stem(name)
    match = _RANGE.search(text)
    if match is not None:
        start, end = _date(*match.groups()[:3]), _date(*match.groups()[3:])
        if start is not None and end is not None and start <= end:
            return start, end
        return None
    days = [day for groups in _ONE_DAY.findall(text) if (day := _date(*groups)) is not None]
    return (days[0], days[0]) if len(days) == 1 else None


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def check_period(raw: RawExport, spec: SourceSpec, mapping: Mapping[str, int]) -> None:
    """Refuse a file that has neither the period column nor a period in its name."""
    period = spec.period_column
    if (
        period is None
        or period.name in mapping
        or file_name_period(raw.path.name)
        or spec.period_default_today
    ):
        return
    raise MissingColumnError(
        raw.path,
        f"is a {spec.label} export ({spec.key}) but has no column {period.display}"
        f" (accepted names: {', '.join(period.aliases)}) and its file name states no period",
        hint="add the period the file covers to its name, e.g. …_2026-11-01至2026-11-07.xlsx",
    ).relabel(raw.display_name)


def unsettled(spec: SourceSpec, raw_cell: str) -> str:
    """SQL over a raw cell: the cell, or NULL where it holds a pending token such as 延迟统计."""
    if not spec.pending_tokens:
        return raw_cell
    return (
        f"(CASE WHEN trim({raw_cell}) IN ({_sql_texts(spec.pending_tokens)}) THEN NULL ELSE {raw_cell} END)"
    )


def pending_flags(spec: SourceSpec, mapped: list[tuple[ColumnSpec, int]]) -> list[str]:
    """SQL select items: one ``_pending_<column>`` flag per mapped column, and the row's ``pending``."""
    if not spec.pending_tokens:
        return []
    tokens = _sql_texts(spec.pending_tokens)
    flags = [f"coalesce(trim(c{index}) IN ({tokens}), false) AS _pending_{c.name}" for c, index in mapped]
    row = " OR ".join(f"coalesce(trim(c{index}) IN ({tokens}), false)" for _, index in mapped)
    return [*flags, f"({row or 'false'}) AS pending"]


def pending_counts(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, columns: Collection[str], staged: str
) -> tuple[int, tuple[str, ...]]:
    """How many rows held a pending token, and in which columns (labels, in spec order)."""
    pending = [c.name for c in spec.columns if f"_pending_{c.name}" in columns]
    if not pending:
        return 0, ()
    counts = con.execute(
        f"SELECT count(*) FILTER (WHERE pending),"
        f" {', '.join(f'count(*) FILTER (WHERE _pending_{c})' for c in pending)} FROM {staged}"
    ).fetchone()
    assert counts is not None
    labels = tuple(spec.column(c).display for c, n in zip(pending, counts[1:], strict=True) if n)
    return int(counts[0]), labels


def _sql_texts(texts: tuple[str, ...]) -> str:
    return ", ".join("'" + text.replace("'", "''") + "'" for text in texts)
