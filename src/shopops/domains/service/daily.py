"""The service team's day rows: one row per shop, person and day, the base of the team trend, the
coaching card and the service findings.

Only day exports count here: a range export (a week's 自定义报表) de-duplicates buyers over its range
and cannot be split into days. Rows are :func:`records.load_records`'s (reports merged, one 赤兔
attribution option per shop, the roster applied), with ``date`` (the day) and ``basis`` (日累加 when
they are put together) added. A day is **settled** for 询单转化率 when 询单->最终付款 is known and no
longer moving (not ``provisional``): only settled days may judge a conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from shopops.domains.service.records import load_records


def day_rows(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    attribution: str | None = None,
) -> pl.DataFrame:
    """Every person's day rows from ``start`` to ``end`` (``shops`` None: all), with ``date``,
    ``basis`` ("days") and ``settled``."""
    frame = load_records(con, start, end, shops, attribution=attribution).frame
    frame = frame.filter(pl.col("period_start") == pl.col("period_end"))
    return frame.with_columns(
        date=pl.col("period_start"),
        basis=pl.lit("days"),
        settled=~pl.col("provisional")
        & pl.col("inquiry_paid").is_not_null()
        & pl.col("inquiries").is_not_null(),
    )


def service_span(
    con: duckdb.DuckDBPyConnection, shops: Sequence[str] | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day any 客服 export of ``shops`` (None: all) covers."""
    where, params = (
        ("", []) if shops is None else ("WHERE shop IN (SELECT unnest(?::VARCHAR[]))", [list(shops)])
    )
    row = con.execute(
        f"SELECT min(period_start), max(period_end) FROM service_agent_period {where}", params
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def registered_shops(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(row[0]) for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()]
