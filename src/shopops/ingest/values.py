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


_MACROS = f"""
CREATE OR REPLACE TEMP MACRO so_clean(x) AS
    CASE WHEN trim(x, ' \t\r\n\u00a0\u3000') IN ({_sql_list(NULL_TOKENS)[1:-1]}) THEN NULL
         ELSE trim(x, ' \t\r\n\u00a0\u3000') END;
CREATE OR REPLACE TEMP MACRO so_numtext(x) AS
    regexp_replace(so_clean(x), '[,，¥￥元\\s]|^\\+', '', 'g');
CREATE OR REPLACE TEMP MACRO so_decimal(x) AS
    CASE WHEN so_numtext(x) LIKE '%万'
         THEN TRY_CAST(rtrim(so_numtext(x), '万') AS DECIMAL(28, 6)) * 10000
         ELSE TRY_CAST(so_numtext(x) AS DECIMAL(28, 6)) END;
CREATE OR REPLACE TEMP MACRO so_money(x) AS TRY_CAST(so_decimal(x) AS DECIMAL(18, 2));
CREATE OR REPLACE TEMP MACRO so_int(x) AS
    CASE WHEN so_decimal(x) = round(so_decimal(x)) THEN TRY_CAST(so_decimal(x) AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO so_number(x) AS TRY_CAST(so_numtext(x) AS DOUBLE);
CREATE OR REPLACE TEMP MACRO so_ratio(x) AS
    CASE WHEN so_numtext(x) LIKE '%\\%%' ESCAPE '\\'
         THEN TRY_CAST(rtrim(so_numtext(x), '%') AS DOUBLE) / 100
         ELSE TRY_CAST(so_numtext(x) AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO so_id(x) AS
    regexp_replace(so_clean(x), '^[=''"]*"?|"$|\\t', '', 'g');
CREATE OR REPLACE TEMP MACRO so_id_bad(x) AS
    regexp_full_match(so_id(x), '[0-9](\\.[0-9]+)?[eE][+]?[0-9]+');
CREATE OR REPLACE TEMP MACRO so_serial(x) AS
    CASE WHEN regexp_full_match(so_clean(x), '[1-9][0-9]{{4}}(\\.[0-9]+)?')
         THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(so_clean(x) AS DOUBLE) * 86400000000) AS BIGINT))
    END;
CREATE OR REPLACE TEMP MACRO so_timestamp(x) AS
    coalesce(try_strptime(so_clean(x), {_sql_list(_TIMESTAMP_FORMATS)}), so_serial(x));
CREATE OR REPLACE TEMP MACRO so_date(x) AS CAST(so_timestamp(x) AS DATE);
CREATE OR REPLACE TEMP MACRO so_in_range(d) AS
    d IS NULL OR (d >= DATE '{EARLIEST_DATE}' AND d <= current_date + INTERVAL 366 DAY);
"""


def install_parsers(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_MACROS)


ParseSql = Callable[[str], str]


class ValueType:
    """How a column's raw text becomes a typed value, and what its problems are called."""

    def __init__(self, name: str, parse: ParseSql, problem: str, hint: str, bad: ParseSql | None = None):
        self.name = name
        self.parse = parse
        self.problem = problem
        self.hint = hint
        self._bad = bad

    def bad(self, raw: str) -> str:
        """SQL that is true when the raw cell holds something this type cannot read."""
        if self._bad is not None:
            return self._bad(raw)
        return f"(so_clean({raw}) IS NOT NULL AND {self.parse(raw)} IS NULL)"


_NUMBER_HINT = "write a plain number such as 1234.56 (¥ and thousands separators are fine)"
_DATE_HINT = "use a date such as 2024-11-24 or 2024/11/24"

VALUE_TYPES: dict[str, ValueType] = {
    "text": ValueType("text", lambda x: f"so_clean({x})", "", ""),
    "id": ValueType(
        "id",
        lambda x: f"so_id({x})",
        "is an ID that Excel turned into scientific notation, so its digits are lost",
        "export the file again and import it without opening and saving it in Excel",
        bad=lambda x: f"coalesce(so_id_bad({x}), false)",
    ),
    "money": ValueType("money", lambda x: f"so_money({x})", "is not an amount of money", _NUMBER_HINT),
    "int": ValueType("int", lambda x: f"so_int({x})", "is not a whole number", _NUMBER_HINT),
    "number": ValueType("number", lambda x: f"so_number({x})", "is not a number", _NUMBER_HINT),
    "ratio": ValueType(
        "ratio", lambda x: f"so_ratio({x})", "is not a percentage or ratio", "write 3.45% or 0.0345"
    ),
    "date": ValueType(
        "date",
        lambda x: f"so_date({x})",
        "is not a date in a sensible range (2000-01-01 to a year from today)",
        _DATE_HINT,
        bad=lambda x: (
            f"(so_clean({x}) IS NOT NULL AND (so_date({x}) IS NULL OR NOT so_in_range(so_date({x}))))"
        ),
    ),
    "timestamp": ValueType(
        "timestamp",
        lambda x: f"so_timestamp({x})",
        "is not a date-time in a sensible range (2000-01-01 to a year from today)",
        "use a time such as 2024-11-24 13:05:00",
        bad=lambda x: (
            f"(so_clean({x}) IS NOT NULL AND (so_timestamp({x}) IS NULL"
            f" OR NOT so_in_range(CAST(so_timestamp({x}) AS DATE))))"
        ),
    ),
    "province": ValueType(
        "province",
        # 收货地址 starts with the province: "浙江省 杭州市 …", "内蒙古自治区", "上海".
        lambda x: (
            f"regexp_replace(regexp_extract(so_clean({x}), '^[^\\s省市]+?(省|市|壮族自治区|回族自治区|"
            f"维吾尔自治区|自治区|特别行政区|$|\\s)'), '(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|"
            f"特别行政区|\\s)$', '')"
        ),
        "",
        "",
    ),
}
