"""How a metric's value and its changes appear in cells, and the only ways cells are written.

Text always goes through ``write_string`` (never ``write``), so a shop name or product title
starting with = + - @ stays text. Unknown values are "—", never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from shopops.metrics.catalog import Catalog, Metric
from shopops.reports.workbook.styles import Styles

DASH = "—"
WAN = 10_000


def value_kind(metric: Metric) -> str:
    if metric.unit == "ratio":
        return "multiple" if metric.is_multiple else "percent"
    return metric.unit


def change_kind(metric: Metric) -> str:
    if metric.unit in ("money", "count"):
        return "change_pct"
    if metric.unit == "score":
        return "change_score"
    return "change_diff" if metric.is_multiple else "change_pp"


def scaled_to_wan(metric: Metric, money_unit: str) -> bool:
    """Amounts (not per-buyer money such as 客单价) are shown in 万元 when the settings say so."""
    return money_unit == "万元" and metric.unit == "money" and "/" not in metric.formula


def shown_value(metric: Metric, value: Any, money_unit: str) -> float | None:
    number = as_number(value)
    if number is None:
        return None
    return number / WAN if scaled_to_wan(metric, money_unit) else number


def shown_change(metric: Metric, value: Any) -> float | None:
    number = as_number(value)
    if number is None:
        return None
    return number * 100 if change_kind(metric) == "change_pp" else number


def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    return None


def metric_header(metric: Metric, catalog: Catalog, money_unit: str, grain: str) -> str:
    """The catalog's 中文名, plus the money unit when 万元 is in use and 日累加 where it applies."""
    suffix = ""
    if money_unit == "万元" and metric.unit == "money":
        suffix = "（万元）" if scaled_to_wan(metric, money_unit) else "（元）"
    measure = catalog.measures.get(metric.key)
    if grain != "day" and measure is not None and measure.aggregate == "daily_sum":
        suffix += "（日累加）"
    return metric.label + suffix


def write_text(worksheet: Any, row: int, column: int, text: object, cell_format: Any = None) -> None:
    worksheet.write_string(row, column, "" if text is None else str(text), cell_format)


def merge_text(
    worksheet: Any, first: tuple[int, int], last: tuple[int, int], text: str, cell_format: Any
) -> None:
    if first == last:
        write_text(worksheet, first[0], first[1], text, cell_format)
        return
    worksheet.merge_range(first[0], first[1], last[0], last[1], "", cell_format)
    write_text(worksheet, first[0], first[1], text, cell_format)


def write_number(
    worksheet: Any, row: int, column: int, value: float | None, cell_format: Any, dash_format: Any
) -> None:
    if value is None:
        worksheet.write_string(row, column, DASH, dash_format)
    else:
        worksheet.write_number(row, column, value, cell_format)


def write_date(worksheet: Any, row: int, column: int, value: dt.date | None, cell_format: Any) -> None:
    if value is None:
        return
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    worksheet.write_datetime(row, column, moment, cell_format)


def write_metric(
    worksheet: Any,
    row: int,
    column: int,
    metric: Metric,
    value: Any,
    styles: Styles,
    money_unit: str,
    total: bool = False,
    mark: str = "",
    kind: str | None = None,
) -> None:
    """``mark``: a partial 合计's coverage ("⁽³⁄₄⁾"), shown by the cell's number format; ``kind``:
    a number format other than the metric's own (whole yuan)."""
    shown = shown_value(metric, value, money_unit)
    write_number(
        worksheet,
        row,
        column,
        shown,
        styles.cell(kind or value_kind(metric), total, mark),
        styles.cell("dash", total),
    )


def write_change(
    worksheet: Any, row: int, column: int, metric: Metric, value: Any, styles: Styles, total: bool = False
) -> None:
    shown = shown_change(metric, value)
    write_number(
        worksheet, row, column, shown, styles.cell(change_kind(metric), total), styles.cell("dash", total)
    )


def colour_changes(
    worksheet: Any,
    first_row: int,
    last_row: int,
    column: int,
    metric: Metric,
    styles: Styles,
    last_column: int | None = None,
) -> None:
    """Green for a good move, red for a bad one, by the metric's direction; "—" stays uncoloured.

    The cells are ``first_row``…``last_row`` × ``column``…``last_column`` (default: one column).
    """
    last_column = column if last_column is None else last_column
    if metric.direction not in ("up", "down") or last_row < first_row or last_column < column:
        return
    cell = xl_rowcol_to_cell(first_row, column)
    rising, falling = (styles.good, styles.bad) if metric.direction == "up" else (styles.bad, styles.good)
    for operator, cell_format in ((">", rising), ("<", falling)):
        worksheet.conditional_format(
            first_row,
            column,
            last_row,
            last_column,
            {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER({cell}),{cell}{operator}0)",
                "format": cell_format,
            },
        )
