"""Extension point: the domains add their findings to `shopops findings` and the daily summary.

Each provider is a domain's ``findings`` part (:mod:`shopops.domains`) with the signature
``(con, start, end, shops, *, calendar, settings) -> list[Finding]`` (``calendar``: the promo
calendar, so that a provider widens its rules on 大促 days as ours are widened; ``settings``: the
parsed shopops.yaml, for the provider's own section); it is imported only when findings are wanted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import PromoCalendar
from shopops.domains import parts


def extra_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    calendar: PromoCalendar | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[Finding]:
    found: list[Finding] = []
    for provider in parts("findings"):
        found += provider(con, start, end, shops, calendar=calendar, settings=settings)
    return found
