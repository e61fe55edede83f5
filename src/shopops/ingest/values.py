"""Value parsers, as DuckDB macros so that parsing runs vectorised inside the database.

Each parser takes the raw text of a cell and returns the typed value or NULL. A value is
*bad* when its cleaned text is not empty but the parser returned NULL (or a date falls outside
the sensible range); the pipeline reports the first bad cell of each column.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

# Cells that mean "no value" in Chinese platform exports.
NULL_TOKENS = (
    "",
    "-",
    "--",
    "---",
    "—",
    "——",
    "－",
    "/",
    "null",
    "NULL",
    "None",
    "N/A",
    "n/a",
    "#N/A",
    "nan",
)
EARLIEST_DATE = "2000-01-01"

_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d"]
_TIME_SUFFIXES = [" %H:%M:%S", " %H:%M", "T%H:%M:%S", " %H:%M:%S.%f"]
_TIMESTAMP_FORMATS = [d + t for d in _DATE_FORMATS[:2] for t in _TIME_SUFFIXES] + _DATE_FORMATS


def _sql_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + item.replace("'", "''") + "'" for item in items) + "]"


# so_trim only pays for trim's character set when a cell starts or ends with white space (3× faster).
# Parsers take text already cleaned by so_clean (and numbers already stripped by so_numtext):
# the pipeline computes those once per cell in materialised steps, because DuckDB expands
# macros as text and nested macros would otherwise clean and parse each cell many times.
_MACROS = f"""
CREATE OR REPLACE TEMP MACRO so_trim(x) AS
    CASE WHEN regexp_matches(x, '^[\\s\u00a0\u3000]|[\\s\u00a0\u3000]$')
         THEN trim(x, ' \t\r\n\u00a0\u3000') ELSE x END;
CREATE OR REPLACE TEMP MACRO so_nulltoken(t) AS
    CASE WHEN t IN ({_sql_list(NULL_TOKENS)[1:-1]}) THEN NULL ELSE t END;
CREATE OR REPLACE TEMP MACRO so_clean(x) AS so_nulltoken(so_trim(x));
CREATE OR REPLACE TEMP MACRO so_numtext(c) AS regexp_replace(c, '[,，¥￥元\\s]|^\\+', '', 'g');
CREATE OR REPLACE TEMP MACRO so_decimal(n) AS
    CASE WHEN n LIKE '%万' THEN TRY_CAST(rtrim(n, '万') AS DECIMAL(28, 6)) * 10000
         ELSE TRY_CAST(n AS DECIMAL(28, 6)) END;
CREATE OR REPLACE TEMP MACRO so_money(n) AS TRY_CAST(so_decimal(n) AS DECIMAL(18, 2));
CREATE OR REPLACE TEMP MACRO so_int(n) AS
    CASE WHEN so_decimal(n) = round(so_decimal(n)) THEN TRY_CAST(so_decimal(n) AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO so_number(n) AS TRY_CAST(n AS DOUBLE);
CREATE OR REPLACE TEMP MACRO so_ratio(n) AS
    CASE WHEN n LIKE '%\\%%' ESCAPE '\\' THEN TRY_CAST(rtrim(n, '%') AS DOUBLE) / 100
         ELSE TRY_CAST(n AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO so_id(c) AS regexp_replace(c, '^[=''"]*"?|"$|\\t', '', 'g');
CREATE OR REPLACE TEMP MACRO so_serial(c) AS
    CASE WHEN regexp_full_match(c, '[1-9][0-9]{{4}}(\\.[0-9]+)?')
         THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(c AS DOUBLE) * 86400000000) AS BIGINT))
    END;
CREATE OR REPLACE TEMP MACRO so_timestamp(c) AS
    coalesce(try_strptime(c, {_sql_list(_TIMESTAMP_FORMATS)}), so_serial(c));
CREATE OR REPLACE TEMP MACRO so_date(c) AS
    CAST(coalesce(try_strptime(c, {_sql_list(_DATE_FORMATS)}), try_strptime(c, {_sql_list(_TIMESTAMP_FORMATS)}),
                  so_serial(c)) AS DATE);
CREATE OR REPLACE TEMP MACRO so_in_range(d) AS
    d IS NULL OR (d >= DATE '{EARLIEST_DATE}' AND d <= current_date + INTERVAL 366 DAY);
"""


def install_parsers(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_MACROS)


ParseSql = Callable[[str, str], str]  # (cleaned cell, number text) → SQL
BadSql = Callable[[str, str], str]  # (cleaned cell, parsed value) → SQL that is true when bad


def _unparsed(cell: str, parsed: str) -> str:
    return f"({cell} IS NOT NULL AND {parsed} IS NULL)"


class ValueType:
    """How a column's text becomes a typed value, and what its problems are called."""

    def __init__(
        self,
        name: str,
        parse_clean: ParseSql,
        problem: str,
        hint: str,
        bad_from: BadSql = _unparsed,
        numeric: bool = False,
    ) -> None:
        self.name = name
        self.parse_clean = parse_clean
        self.problem = problem
        self.hint = hint
        self.bad_from = bad_from
        self.numeric = numeric

    def parse(self, raw: str) -> str:
        """SQL for the typed value of a raw cell (self-contained; the pipeline uses the steps)."""
        cell = f"so_clean({raw})"
        return self.parse_clean(cell, f"so_numtext({cell})")

    def bad(self, raw: str) -> str:
        """SQL that is true when the raw cell holds something this type cannot read."""
        return self.bad_from(f"so_clean({raw})", self.parse(raw))


_NUMBER_HINT = "write a plain number such as 1234.56 (¥ and thousands separators are fine)"
_DATE_HINT = "use a date such as 2024-11-24 or 2024/11/24"


def _date_bad(cell: str, parsed: str) -> str:
    return f"({cell} IS NOT NULL AND ({parsed} IS NULL OR NOT so_in_range({parsed})))"


def _timestamp_bad(cell: str, parsed: str) -> str:
    return f"({cell} IS NOT NULL AND ({parsed} IS NULL OR NOT so_in_range(CAST({parsed} AS DATE))))"


def _id_bad(cell: str, parsed: str) -> str:
    del cell
    return f"coalesce(regexp_full_match({parsed}, '[0-9](\\.[0-9]+)?[eE][+]?[0-9]+'), false)"


_PROVINCE_SUFFIX = "省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区"

VALUE_TYPES: dict[str, ValueType] = {
    "text": ValueType("text", lambda c, n: c, "", ""),
    "id": ValueType(
        "id",
        lambda c, n: f"so_id({c})",
        "is an ID that Excel turned into scientific notation, so its digits are lost",
        "export the file again and import it without opening and saving it in Excel",
        bad_from=_id_bad,
    ),
    "money": ValueType(
        "money", lambda c, n: f"so_money({n})", "is not an amount of money", _NUMBER_HINT, numeric=True
    ),
    "int": ValueType("int", lambda c, n: f"so_int({n})", "is not a whole number", _NUMBER_HINT, numeric=True),
    "number": ValueType(
        "number", lambda c, n: f"so_number({n})", "is not a number", _NUMBER_HINT, numeric=True
    ),
    "ratio": ValueType(
        "ratio",
        lambda c, n: f"so_ratio({n})",
        "is not a percentage or ratio",
        "write 3.45% or 0.0345",
        numeric=True,
    ),
    "date": ValueType(
        "date",
        lambda c, n: f"so_date({c})",
        "is not a date in a sensible range (2000-01-01 to a year from today)",
        _DATE_HINT,
        bad_from=_date_bad,
    ),
    "timestamp": ValueType(
        "timestamp",
        lambda c, n: f"so_timestamp({c})",
        "is not a date-time in a sensible range (2000-01-01 to a year from today)",
        "use a time such as 2024-11-24 13:05:00",
        bad_from=_timestamp_bad,
    ),
    "province": ValueType(
        "province",
        # 收货地址 starts with the province: "浙江省 杭州市 …", "内蒙古自治区", "上海".
        lambda c, n: (
            f"regexp_replace(regexp_extract({c}, '^[^\\s省市]+?({_PROVINCE_SUFFIX}|$|\\s)'),"
            f" '({_PROVINCE_SUFFIX}|\\s)$', '')"
        ),
        "",
        "",
    ),
}
