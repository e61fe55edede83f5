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
    "任意时间",  # 旺店通's "no date" in a date column
)
# Some writers leak the OOXML escape of a character into the text (聚水潭: 款式编码 T恤_x002B_短裤).
_OOXML_ESCAPES = {
    "_x002B_": "+",
    "_x0026_": "&",
    "_x002F_": "/",
    "_x0020_": " ",
    "_x0028_": "(",
    "_x0029_": ")",
}
EARLIEST_DATE = "2000-01-01"

_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d"]
_TIME_SUFFIXES = [" %H:%M:%S", " %H:%M", "T%H:%M:%S", " %H:%M:%S.%f"]
_TIMESTAMP_FORMATS = [d + t for d in _DATE_FORMATS[:2] for t in _TIME_SUFFIXES] + _DATE_FORMATS


def _sql_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + item.replace("'", "''") + "'" for item in items) + "]"


# 赤兔 writes durations as text: 8分48秒, 1小时2分3秒, 152小时3分20秒 (a plain number is seconds).
_DURATION_TEXT = "([0-9.]+天)?([0-9.]+(小时|时))?([0-9.]+分钟?)?([0-9.]+秒)?"
# A period: one day, or a range 2026-11-01至2026-11-07 (~, ～, 到, —, - between the two days).
_DAY_TEXT = "[0-9]{4}[-/.年]?[0-9]{1,2}[-/.月]?[0-9]{1,2}日?"
_PERIOD_TEXT = f"\\s*({_DAY_TEXT})\\s*(?:至|~|～|到|—|－|-)+\\s*({_DAY_TEXT})\\s*"


def _unescape_sql(cell: str) -> str:
    for escape, char in _OOXML_ESCAPES.items():
        cell = f"replace({cell}, '{escape}', '{char}')"
    return cell


# so_clean pays for trim's character set only when a cell starts or ends with white space (3× faster),
# and evaluates that test once: DuckDB expands macros as text, so nulltoken(trim(x)) would trim twice.
_SPACE = "[\\s\u00a0\u3000]"  # two anchored tests are faster than one alternation
_MACROS = f"""
CREATE OR REPLACE TEMP MACRO so_nulltoken(t) AS
    CASE WHEN t IN ({_sql_list(NULL_TOKENS)[1:-1]}) THEN NULL ELSE t END;
CREATE OR REPLACE TEMP MACRO so_clean(x) AS
    CASE WHEN x IN ({_sql_list(NULL_TOKENS)[1:-1]}) THEN NULL
         WHEN regexp_matches(x, '^{_SPACE}') OR regexp_matches(x, '{_SPACE}$') THEN so_nulltoken(trim(x, ' \t\r\n\u00a0\u3000'))
         ELSE x END;
CREATE OR REPLACE TEMP MACRO so_unescape(c) AS
    CASE WHEN contains(c, '_x00') THEN {_unescape_sql("c")} ELSE c END;
CREATE OR REPLACE TEMP MACRO so_numtext(c) AS regexp_replace(c, '[,，¥￥元\\s]|^\\+', '', 'g');
CREATE OR REPLACE TEMP MACRO so_decimal(n) AS
    CASE WHEN n LIKE '%万' THEN TRY_CAST(rtrim(n, '万') AS DECIMAL(28, 6)) * 10000
         ELSE TRY_CAST(n AS DECIMAL(28, 6)) END;
CREATE OR REPLACE TEMP MACRO so_money(n) AS TRY_CAST(so_decimal(n) AS DECIMAL(18, 2));
CREATE OR REPLACE TEMP MACRO so_int(n) AS
    CASE WHEN so_decimal(n) = round(so_decimal(n)) THEN TRY_CAST(so_decimal(n) AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO so_finite(d) AS CASE WHEN isfinite(d) THEN d END;
CREATE OR REPLACE TEMP MACRO so_number(n) AS so_finite(TRY_CAST(n AS DOUBLE));
CREATE OR REPLACE TEMP MACRO so_ratio(n) AS
    CASE WHEN n LIKE '%\\%%' ESCAPE '\\' THEN so_finite(TRY_CAST(rtrim(n, '%') AS DOUBLE)) / 100
         ELSE so_finite(TRY_CAST(n AS DOUBLE)) END;
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
CREATE OR REPLACE TEMP MACRO so_unit(c, unit) AS
    coalesce(TRY_CAST(regexp_extract(c, '([0-9]+(?:\\.[0-9]+)?)(?:' || unit || ')', 1) AS DOUBLE), 0);
CREATE OR REPLACE TEMP MACRO so_duration(c) AS
    CASE WHEN regexp_full_match(c, '{_DURATION_TEXT}') AND regexp_matches(c, '[0-9]')
         THEN so_unit(c, '天') * 86400 + so_unit(c, '小时|时') * 3600 + so_unit(c, '分') * 60 + so_unit(c, '秒')
         WHEN regexp_full_match(c, '[0-9]+:[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?')
         THEN CAST(split_part(c, ':', 1) AS DOUBLE) * 3600 + CAST(split_part(c, ':', 2) AS DOUBLE) * 60
              + CAST(split_part(c, ':', 3) AS DOUBLE)
         ELSE so_number(c) END;
CREATE OR REPLACE TEMP MACRO so_period_of(a, b) AS
    CASE WHEN so_date(a) IS NOT NULL AND so_date(b) IS NOT NULL AND so_date(a) <= so_date(b)
         THEN [so_date(a), so_date(b)] END;
CREATE OR REPLACE TEMP MACRO so_period(c) AS
    CASE WHEN regexp_full_match(c, '{_PERIOD_TEXT}')
         THEN so_period_of(regexp_extract(c, '{_PERIOD_TEXT}', 1), regexp_extract(c, '{_PERIOD_TEXT}', 2))
         WHEN so_date(c) IS NOT NULL THEN [so_date(c), so_date(c)] END;
"""


def install_parsers(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_MACROS)


ParseSql = Callable[[str, str], str]  # (cleaned cell, number text) → SQL
FastSql = Callable[[str], str]  # raw cell → SQL for the typed value, NULL when the cell needs the full parser
CheckSql = Callable[[str], str]  # parsed value → SQL that is true when the value is still unacceptable


class ValueType:
    """How a column's text becomes a typed value, and what its problems are called.

    ``fast`` reads the common spelling of a value (``1234.56``, ``2024-11-24 13:05:00``) with one
    cast; only cells it cannot read go through cleaning and ``parse_clean``. That keeps a
    million-row import close to the speed of reading the file.
    """

    def __init__(
        self,
        name: str,
        parse_clean: ParseSql,
        problem: str,
        hint: str,
        *,
        fast: FastSql | None = None,
        invalid: CheckSql | None = None,
        flag_override: FastSql | None = None,
        numeric: bool = False,
    ) -> None:
        self.name = name
        self.parse_clean = parse_clean
        self.problem = problem
        self.hint = hint
        self.fast = fast
        self.invalid = invalid
        self.flag_override = flag_override
        self.numeric = numeric

    def parse(self, raw: str) -> str:
        """SQL for the typed value of a raw cell."""
        cell = f"so_clean({raw})"
        full = self.parse_clean(cell, f"so_numtext({cell})" if self.numeric else cell)
        if self.fast is None:
            return full
        fast = self.fast(raw)
        return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {full} END"

    def flag(self, raw: str) -> str:
        """SQL that is true when the raw cell holds something this type cannot read.

        Written against the raw cell so that it can sit next to ``parse`` in one SELECT; the
        cell is cleaned only where no parser read it, to tell an empty cell ("-", "") from an
        unreadable one.
        """
        if self.flag_override is not None:
            return self.flag_override(raw)
        cell = f"so_clean({raw})"
        full = self.parse_clean(cell, f"so_numtext({cell})" if self.numeric else cell)
        full_check = self.invalid(full) if self.invalid else "false"
        bad = (
            f"CASE WHEN {raw} IS NULL THEN false WHEN {full} IS NOT NULL THEN {full_check}"
            f" ELSE {cell} IS NOT NULL END"
        )
        if self.fast is None:
            return bad
        fast = self.fast(raw)
        fast_check = self.invalid(fast) if self.invalid else "false"
        return f"CASE WHEN {fast} IS NOT NULL THEN {fast_check} ELSE {bad} END"


_NUMBER_HINT = "write a plain number such as 1234.56 (¥ and thousands separators are fine)"
_DATE_HINT = "use a date such as 2024-11-24 or 2024/11/24"


def _out_of_range(parsed: str) -> str:
    return f"NOT so_in_range(CAST({parsed} AS DATE))"


def _scientific(raw: str) -> str:
    # contains() first: a memchr, so the cleaning and the regex run only on the rare IDs with an "e".
    return (
        f"CASE WHEN contains({raw}, 'e') OR contains({raw}, 'E')"
        f" THEN coalesce(regexp_full_match(so_id(so_clean({raw})), '[0-9](\\.[0-9]+)?[eE][+]?[0-9]+'), false)"
        " ELSE false END"
    )


def _cast(kind: str) -> FastSql:
    return lambda raw: f"TRY_CAST(replace({raw}, ',', '') AS {kind})"


_PROVINCE_SUFFIX = "省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区"

VALUE_TYPES: dict[str, ValueType] = {
    "text": ValueType("text", lambda c, n: f"so_unescape({c})", "", ""),
    "id": ValueType(
        "id",
        lambda c, n: f"so_unescape(so_id({c}))",
        "is an ID that Excel turned into scientific notation, so its digits are lost",
        "export the file again and import it without opening and saving it in Excel",
        # 千牛 writes order IDs as ="2200…" so that Excel keeps every digit.
        fast=lambda raw: (
            f"CASE WHEN prefix({raw}, '=\"') AND suffix({raw}, '\"') THEN {raw}[3:-2]"
            f" WHEN regexp_full_match({raw}, '[0-9][0-9A-Za-z_-]*') AND NOT contains({raw}, '_x00') THEN {raw} END"
        ),
        flag_override=_scientific,
    ),
    "money": ValueType(
        "money",
        lambda c, n: f"so_money({n})",
        "is not an amount of money",
        _NUMBER_HINT,
        fast=_cast("DECIMAL(18, 2)"),
        numeric=True,
    ),
    "int": ValueType(
        "int",
        lambda c, n: f"so_int({n})",
        "is not a whole number",
        _NUMBER_HINT,
        # A cast to BIGINT rounds "7.5"; whole numbers written with a point take the full parser.
        fast=lambda raw: f"CASE WHEN NOT contains({raw}, '.') THEN {_cast('BIGINT')(raw)} END",
        numeric=True,
    ),
    "number": ValueType(
        "number",
        lambda c, n: f"so_number({n})",
        "is not a number",
        _NUMBER_HINT,
        fast=lambda raw: f"so_finite({_cast('DOUBLE')(raw)})",
        numeric=True,
    ),
    "ratio": ValueType(
        "ratio",
        # Full-width ％ as scraped from a page (the 直播大屏 capture tools).
        lambda c, n: f"so_ratio(replace({n}, '％', '%'))",
        "is not a percentage or ratio",
        "write 3.45% or 0.0345",
        fast=lambda raw: (
            f"CASE WHEN suffix({raw}, '%') THEN so_finite(TRY_CAST(rtrim({raw}, '%') AS DOUBLE)) / 100"
            f" ELSE so_finite(TRY_CAST({raw} AS DOUBLE)) END"
        ),
        numeric=True,
    ),
    "date": ValueType(
        "date",
        lambda c, n: f"so_date({c})",
        "is not a date in a sensible range (2000-01-01 to a year from today)",
        _DATE_HINT,
        fast=lambda raw: f"TRY_CAST({raw} AS DATE)",
        invalid=_out_of_range,
    ),
    "timestamp": ValueType(
        "timestamp",
        lambda c, n: f"so_timestamp({c})",
        "is not a date-time in a sensible range (2000-01-01 to a year from today)",
        "use a time such as 2024-11-24 13:05:00",
        fast=lambda raw: f"TRY_CAST({raw} AS TIMESTAMP)",
        invalid=_out_of_range,
    ),
    "duration": ValueType(
        "duration",
        lambda c, n: f"so_duration({c})",
        "is not a length of time",
        "write seconds (528) or a duration such as 8分48秒 or 1小时2分3秒",
        fast=lambda raw: f"so_finite({_cast('DOUBLE')(raw)})",
    ),
    "period": ValueType(
        "period",
        lambda c, n: f"so_period({c})",
        "is not a day or a date range (2000-01-01 to a year from today)",
        "write a day such as 2026-11-01 or a range such as 2026-11-01至2026-11-07",
        # Most rows are one ISO day: one cast, not the range parser (3× the import time of a 赤兔 file).
        fast=lambda raw: (
            f"CASE WHEN TRY_CAST({raw} AS DATE) IS NOT NULL"
            f" THEN list_value(CAST({raw} AS DATE), CAST({raw} AS DATE)) END"
        ),
        invalid=lambda parsed: f"NOT (so_in_range({parsed}[1]) AND so_in_range({parsed}[2]))",
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
