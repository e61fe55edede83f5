"""The ``holidays:`` and ``workdays:`` keys of shopops.yaml: days off (放假) and 调休 working days
that chinese-calendar does not know (yet). Read by the settings (one-line errors) and the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any


def user_holidays(
    holidays: Any, workdays: Any, problems: list[str]
) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """``holidays:`` (a day or "first..last" → its name) and ``workdays:`` (a list of days);
    each mistake is added to ``problems`` as one line naming the key."""
    days: dict[dt.date, str] = {}
    if not isinstance(holidays or {}, dict):
        problems.append('holidays must map days to names, such as {"2027-02-06": 春节}')
        holidays = {}
    for key, name in (holidays or {}).items():
        first, _, last = str(key).partition("..")
        try:
            start = dt.date.fromisoformat(first.strip())
            end = dt.date.fromisoformat(last.strip()) if last else start
        except ValueError:
            problems.append(
                f'holidays: {key!r} is not a day — write "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (in quotes)'
            )
            continue
        if not 0 <= (end - start).days <= 31:
            problems.append(f"holidays: {key} must run from the first to the last day, at most 31 days")
        elif not str(name or "").strip():
            problems.append(f"holidays: {key} needs a name, such as 春节")
        else:
            days.update({start + dt.timedelta(n): str(name).strip() for n in range((end - start).days + 1)})
    listed = workdays if isinstance(workdays, list) else [] if workdays is None else None
    if listed is None:
        problems.append('workdays must be a list of days, such as ["2027-02-14"]')
    working = set()
    for value in listed or []:
        try:
            working.add(dt.date.fromisoformat(str(value).strip()))
        except ValueError:
            problems.append(f'workdays: {value!r} is not a day — write "YYYY-MM-DD"')
    problems += [f"{d} is both in holidays and in workdays — keep one" for d in sorted(working & set(days))]
    return days, frozenset(working)
