"""The value parsers (DuckDB macros in ``shopops.ingest.values``), called through a real connection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopops.ingest.sources.spec import COLUMN_TYPES
from shopops.ingest.values import NULL_TOKENS, VALUE_TYPES, install_parsers

EXCEL_EPOCH = dt.date(1899, 12, 30)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    install_parsers(connection)
    return connection


def parse(con: duckdb.DuckDBPyConnection, kind: str, text: str | None) -> tuple[object, bool]:
    """(parsed value, is-bad) for one raw cell, exactly as the pipeline computes them."""
    value_type = VALUE_TYPES[kind]
    row = con.execute(
        f"SELECT {value_type.parse('x')}, {value_type.flag('x')} FROM (SELECT CAST(? AS VARCHAR) AS x)",
        [text],
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_every_column_type_has_a_parser() -> None:
    # "channel" is built per workspace (it depends on channel_aliases in shopops.yaml).
    assert set(VALUE_TYPES) | {"channel"} == set(COLUMN_TYPES)


def test_install_parsers_twice_is_harmless(con: duckdb.DuckDBPyConnection) -> None:
    install_parsers(con)
    assert parse(con, "money", "1,234.56") == (Decimal("1234.56"), False)


# -- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("¥12", Decimal("12.00")),
        ("￥1,234.56", Decimal("1234.56")),
        ("1,234.56元", Decimal("1234.56")),
        (" ¥ 12 ", Decimal("12.00")),
        ("1.2万", Decimal("12000.00")),
        ("1.2万元", Decimal("12000.00")),
        ("0.35万", Decimal("3500.00")),
        ("-12.5", Decimal("-12.50")),
        ("-¥1,234.56", Decimal("-1234.56")),
        ("¥-1,234.56", Decimal("-1234.56")),
        ("+5", Decimal("5.00")),
        ("1，234.5", Decimal("1234.50")),  # full-width comma
        ("1 234.5", Decimal("1234.50")),
        ("0.005", Decimal("0.01")),  # rounded half up to the cent
        ("0", Decimal("0.00")),
        ("9999999999999999.99", Decimal("9999999999999999.99")),  # the largest DECIMAL(18, 2)
        ("\u300088.8\u00a0", Decimal("88.80")),
    ],
)
def test_money(con: duckdb.DuckDBPyConnection, text: str, expected: Decimal) -> None:
    value, bad = parse(con, "money", text)
    assert (value, bad) == (expected, False)
    assert str(value) == str(expected)  # the scale (2 places) is exact, not just the value


@pytest.mark.parametrize("text", ["abc", "十二元", "12%", "3.45%", "(12)", "１２", "1.2.3", "12-"])
def test_money_rejects(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "money", text) == (None, True)


@pytest.mark.parametrize("text", [*NULL_TOKENS, " - ", "\t--\t", "\u3000", None])
def test_null_tokens_are_missing_not_bad(con: duckdb.DuckDBPyConnection, text: str | None) -> None:
    kinds = sorted(VALUE_TYPES)
    columns = ", ".join(f"{VALUE_TYPES[k].parse('x')}, {VALUE_TYPES[k].flag('x')}" for k in kinds)
    row = con.execute(f"SELECT {columns} FROM (SELECT CAST(? AS VARCHAR) AS x)", [text]).fetchone()
    assert row is not None
    assert dict(zip(kinds, zip(row[::2], row[1::2], strict=True), strict=True)) == dict.fromkeys(
        kinds, (None, False)
    )


@pytest.mark.parametrize("text", ["3912345678901234567", "99999999999999999.99", "1e20"])
def test_money_out_of_range_is_bad_not_an_error(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "money", text) == (None, True)


@settings(max_examples=100, deadline=None)
@given(
    amount=st.decimals(
        min_value=Decimal("-9999999999999.99"),
        max_value=Decimal("9999999999999.99"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
    currency=st.sampled_from(["", "¥", "￥"]),
    suffix=st.sampled_from(["", "元"]),
    separators=st.booleans(),
    padding=st.sampled_from(["", " ", "\t", "\u3000"]),
)
def test_money_round_trips(
    con: duckdb.DuckDBPyConnection,
    amount: Decimal,
    currency: str,
    suffix: str,
    separators: bool,
    padding: str,
) -> None:
    body = f"{abs(amount):,.2f}" if separators else f"{abs(amount):.2f}"
    sign = "-" if amount < 0 else ""
    text = f"{padding}{sign}{currency}{body}{suffix}{padding}"
    assert parse(con, "money", text) == (amount, False)


# -- whole numbers, numbers, ratios ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", 1234),
        ("12,345,678", 12345678),
        ("12.0", 12),
        ("1.2万", 12000),
        ("-3", -3),
        ("0", 0),
        ("9223372036854775807", 9223372036854775807),
    ],
)
def test_int(con: duckdb.DuckDBPyConnection, text: str, expected: int) -> None:
    assert parse(con, "int", text) == (expected, False)


@pytest.mark.parametrize("text", ["1.5", "0.1", "1,234.56", "abc", "3%", "1.23万5"])
def test_int_rejects_non_integers(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "int", text) == (None, True)


def test_int_out_of_range_is_bad_not_an_error(con: duckdb.DuckDBPyConnection) -> None:
    assert parse(con, "int", "12345678901234567890") == (None, True)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_int_with_thousands_separators_round_trips(con: duckdb.DuckDBPyConnection, number: int) -> None:
    assert parse(con, "int", f"{number:,}") == (number, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4.8", 4.8), ("4.85", 4.85), ("-0.5", -0.5), ("1,234.5", 1234.5), ("¥3", 3.0)],
)
def test_number(con: duckdb.DuckDBPyConnection, text: str, expected: float) -> None:
    assert parse(con, "number", text) == (expected, False)


@pytest.mark.parametrize("text", ["abc", "4.8分", "3%"])
def test_number_rejects(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "number", text) == (None, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.45%", 0.0345),
        ("12%", 0.12),
        ("100%", 1.0),
        ("0.0345", 0.0345),
        ("1,234.5%", 12.345),
        ("-2%", -0.02),
    ],
)
def test_ratio(con: duckdb.DuckDBPyConnection, text: str, expected: float) -> None:
    value, bad = parse(con, "ratio", text)
    assert bad is False
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["abc", "%", "3.45‰", "百分之三"])
def test_ratio_rejects(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "ratio", text) == (None, True)


# -- dates and times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("43862", dt.date(2020, 2, 1)),  # Excel serial date
        ("43862.75", dt.date(2020, 2, 1)),
        ("2020/2/1", dt.date(2020, 2, 1)),
        ("2020/02/01", dt.date(2020, 2, 1)),
        ("2020-02-01", dt.date(2020, 2, 1)),
        ("20200201", dt.date(2020, 2, 1)),
        ("2020.02.01", dt.date(2020, 2, 1)),
        ("2024年3月5日", dt.date(2024, 3, 5)),
        ("2024年03月05日", dt.date(2024, 3, 5)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2024-11-01 23:59:59", dt.date(2024, 11, 1)),
        ("2000-01-01", dt.date(2000, 1, 1)),  # the earliest accepted date
        (" 2024-11-01 ", dt.date(2024, 11, 1)),
    ],
)
def test_date(con: duckdb.DuckDBPyConnection, text: str, expected: dt.date) -> None:
    assert parse(con, "date", text) == (expected, False)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1899-12-31", dt.date(1899, 12, 31)),
        ("1999-12-31", dt.date(1999, 12, 31)),
        ("2199-01-01", dt.date(2199, 1, 1)),
        ("2023-02-29", None),
        ("2024-13-01", None),
        ("100", None),
        ("昨天", None),
        ("2024-11-01 ~ 2024-11-07", None),
    ],
)
def test_date_rejects_nonsense_and_out_of_range(
    con: duckdb.DuckDBPyConnection, text: str, parsed: dt.date | None
) -> None:
    assert parse(con, "date", text) == (parsed, True)


def test_date_range_ends_a_year_from_today(con: duckdb.DuckDBPyConnection) -> None:
    today = con.execute("SELECT current_date").fetchone()[0]
    soon = today + dt.timedelta(days=300)
    later = today + dt.timedelta(days=400)
    assert parse(con, "date", soon.isoformat()) == (soon, False)
    assert parse(con, "date", later.isoformat()) == (later, True)


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_excel_serial_dates_round_trip(con: duckdb.DuckDBPyConnection, day: dt.date) -> None:
    serial = (day - EXCEL_EPOCH).days
    today = con.execute("SELECT current_date").fetchone()[0]
    assert parse(con, "date", str(serial)) == (day, day > today + dt.timedelta(days=366))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-11-01 10:00:00", dt.datetime(2024, 11, 1, 10, 0, 0)),
        ("2024-11-01 10:00", dt.datetime(2024, 11, 1, 10, 0)),
        ("2024-11-01T10:00:00", dt.datetime(2024, 11, 1, 10, 0)),
        ("2024-11-01 10:00:00.250", dt.datetime(2024, 11, 1, 10, 0, 0, 250000)),
        ("2024/11/1 9:05", dt.datetime(2024, 11, 1, 9, 5)),
        ("2024/11/01 09:05:07", dt.datetime(2024, 11, 1, 9, 5, 7)),
        ("2024-11-01", dt.datetime(2024, 11, 1)),
        ("2024年11月1日", dt.datetime(2024, 11, 1)),
        ("45597.5", dt.datetime(2024, 11, 1, 12, 0)),  # Excel serial date-time
        ("45597.25", dt.datetime(2024, 11, 1, 6, 0)),
    ],
)
def test_timestamp(con: duckdb.DuckDBPyConnection, text: str, expected: dt.datetime) -> None:
    assert parse(con, "timestamp", text) == (expected, False)


@pytest.mark.parametrize(
    "text", ["1899-12-31 10:00:00", "2199-01-01 00:00:00", "2024-11-01 25:00:00", "10:00"]
)
def test_timestamp_rejects(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "timestamp", text)[1] is True


# -- IDs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('="3912345678901234567"', "3912345678901234567"),  # Excel formula guard
        ("'3912345678901234567", "3912345678901234567"),  # Excel text prefix
        ('"3912345678901234567"', "3912345678901234567"),
        ("\t3912345678901234567", "3912345678901234567"),  # tab guard
        ("=3912345678901234567", "3912345678901234567"),
        ("3912345678901234567", "3912345678901234567"),
        ("391234567890123456", "391234567890123456"),  # 18 digits
        ("623456789012", "623456789012"),
        ("0012345", "0012345"),  # leading zeros kept
        ("ABC-01", "ABC-01"),
        ("SKU 红色 XL", "SKU 红色 XL"),
    ],
)
def test_id(con: duckdb.DuckDBPyConnection, text: str, expected: str) -> None:
    assert parse(con, "id", text) == (expected, False)


@pytest.mark.parametrize("text", ["1.23457E+18", "1.23457e+18", "3.91235E+18", "1E+18", "4.5e17"])
def test_id_in_scientific_notation_is_flagged(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert parse(con, "id", text) == (text, True)


@settings(max_examples=50, deadline=None)
@given(
    digits=st.from_regex(r"[1-9][0-9]{17,18}", fullmatch=True),
    wrapper=st.sampled_from(["{}", '="{}"', "'{}", '"{}"', "\t{}", " {} "]),
)
def test_long_ids_stay_exact(con: duckdb.DuckDBPyConnection, digits: str, wrapper: str) -> None:
    assert parse(con, "id", wrapper.format(digits)) == (digits, False)


# -- text and province -------------------------------------------------------------------------


def test_text_is_trimmed(con: duckdb.DuckDBPyConnection) -> None:
    assert parse(con, "text", "\u3000 交易成功 \t") == ("交易成功", False)


@pytest.mark.parametrize(
    ("address", "province"),
    [
        ("浙江省 杭州市 西湖区 文三路1号(310000)", "浙江"),
        ("黑龙江省哈尔滨市南岗区", "黑龙江"),
        ("上海 上海市 浦东新区 世纪大道100号", "上海"),
        ("上海市 浦东新区", "上海"),
        ("北京 北京市 朝阳区", "北京"),
        ("重庆 重庆市 渝中区", "重庆"),
        ("内蒙古自治区 呼和浩特市 新城区", "内蒙古"),
        ("广西壮族自治区 南宁市 青秀区", "广西"),
        ("新疆维吾尔自治区 乌鲁木齐市", "新疆"),
        ("宁夏回族自治区 银川市", "宁夏"),
        ("西藏自治区 拉萨市", "西藏"),
        ("香港特别行政区 九龙", "香港"),
        ("广东", "广东"),
    ],
)
def test_province_from_address(con: duckdb.DuckDBPyConnection, address: str, province: str) -> None:
    assert parse(con, "province", address) == (province, False)
