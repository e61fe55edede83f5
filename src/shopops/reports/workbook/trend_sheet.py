"""趋势: the last 30 days (13 weeks … ) per shop, as native Excel line charts over a data table."""

from __future__ import annotations

from typing import Any

from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import merge_text, metric_header, shown_value, write_date, write_text

SHEET = "趋势"
TREND_METRICS = ("gmv", "visitors", "conversion_rate", "ad_spend", "ad_roi")
CHART_ROW = 3
CHART_SIZE = (600, 300)
TABLE_ROW = CHART_ROW + 33
PRINT_COLUMNS = 17  # the two charts side by side (11-wide columns), with room to spare
AXIS_FORMATS = {"money": "#,##0", "count": "#,##0", "ratio": "0.0%", "score": "0.00"}
LABEL_FORMATS = {"day": "mm-dd", "week": "mm-dd", "month": "yyyy-mm"}
INTERVALS = {"day": 5, "week": 4, "month": 2}
PALETTE = ("#2F5597", "#ED7D31", "#70AD47", "#7030A0", "#C00000", "#00B0F0")


def write_trend(book: Book) -> None:
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET, printed=True)
    grain = data.period.grain
    unit_text = {"day": "天", "week": "周", "month": "个月"}[grain]
    dates = sorted(set(data.trend["date"].to_list()))
    book.title(
        worksheet,
        "趋势",
        f"最近 {len(dates)} {unit_text}，每店一条线（只画有数据的指标与店铺）· 表中空白 = 无数据（图中断开，不按 0 画）· "
        + book.standard_subtitle(),
    )
    shops = [name for name, _ in data.shops]
    values = {(row["shop"], row["date"]): row for row in data.trend.iter_rows(named=True)}
    first, last = TABLE_ROW + 2, TABLE_ROW + 1 + len(dates)
    merge_text(worksheet, (TABLE_ROW, 0), (TABLE_ROW + 1, 0), "日期", styles["header"])
    worksheet.set_column(0, 0, 11)
    for index, day in enumerate(dates):
        write_date(worksheet, first + index, 0, day, styles.cell("date"))
    columns: dict[str, int] = {}
    column = 1
    for key in TREND_METRICS:
        metric = book.show(SHEET, book.catalog.metrics[key])
        label = metric_header(metric, book.catalog, data.money_unit, grain)
        merge_text(
            worksheet, (TABLE_ROW, column), (TABLE_ROW, column + len(shops) - 1), label, styles["header"]
        )
        columns[key] = column
        kind = "multiple" if metric.is_multiple else ("percent" if metric.unit == "ratio" else metric.unit)
        for offset, shop in enumerate(shops):
            write_text(worksheet, TABLE_ROW + 1, column + offset, shop, styles["subheader"])
            worksheet.set_column(column + offset, column + offset, 11)
            for index, day in enumerate(dates):
                shown = shown_value(metric, values.get((shop, day), {}).get(key), data.money_unit)
                if shown is not None:
                    worksheet.write_number(first + index, column + offset, shown, styles.cell(kind))
        column += len(shops)
    # Only metrics and shops with data: an empty chart gets an invented axis (0 %–1200 % for a
    # ratio with nothing to scale it), and an empty series a legend entry for nothing.
    known = {
        key: [s for s in shops if any(values.get((s, d), {}).get(key) is not None for d in dates)]
        for key in TREND_METRICS
    }
    charts = [
        _line_chart(book, key, columns, shops, known[key], first, last)
        for key in ("gmv", "visitors", "conversion_rate")
        if known[key]
    ]
    if known["ad_spend"]:
        charts.append(_spend_roi_chart(book, columns, shops, known, first, last))
    for index, chart in enumerate(charts):
        x, y = (index % 2) * (CHART_SIZE[0] + 20), (index // 2) * (CHART_SIZE[1] + 20)
        worksheet.insert_chart(CHART_ROW, 0, chart, {"x_offset": x + 5, "y_offset": y})
    if not charts:
        write_text(
            worksheet, CHART_ROW, 0, "没有可画的趋势：所选店铺在这段时间没有这些指标的数据。", styles["note"]
        )
    # The charts print on one page; the table under them is their data, for reading on screen.
    chart_rows = -(-len(charts) // 2) * (CHART_SIZE[1] + 20) // 20 + 1
    worksheet.print_area(0, 0, min(CHART_ROW + max(chart_rows, 1), TABLE_ROW - 1), PRINT_COLUMNS - 1)
    worksheet.fit_to_pages(1, 1)


def _base_chart(book: Book, kind: str, title: str, number_format: str) -> Any:
    chart = book.workbook.add_chart({"type": kind})
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_size({"width": CHART_SIZE[0], "height": CHART_SIZE[1]})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    grain = book.data.period.grain
    # A text (category) axis: every period is one evenly spaced point, labelled every few periods.
    chart.set_x_axis(
        {
            "text_axis": True,
            "num_format": LABEL_FORMATS[grain],
            "interval_unit": INTERVALS[grain],
            "num_font": {"size": 8, "rotation": -45},
        }
    )
    chart.set_y_axis(
        {
            "num_format": number_format,
            "num_font": {"size": 8},
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
        }
    )
    return chart


def _line_chart(
    book: Book, key: str, columns: dict[str, int], shops: list[str], drawn: list[str], first: int, last: int
) -> Any:
    """One line per shop of ``drawn`` (those with data), in the shop's colour."""
    metric = book.catalog.metrics[key]
    title = metric_header(metric, book.catalog, book.data.money_unit, book.data.period.grain)
    chart = _base_chart(book, "line", title, AXIS_FORMATS[metric.unit])
    for offset, shop in enumerate(shops):
        if shop not in drawn:
            continue
        column = columns[key] + offset
        chart.add_series(
            {
                "name": [SHEET, TABLE_ROW + 1, column],  # a cell reference: a shop name is never parsed
                "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, column, last, column],
                "line": {"width": 2, "color": PALETTE[offset % len(PALETTE)]},
                "marker": {"type": "none"},
            }
        )
    return chart


def _spend_roi_chart(
    book: Book, columns: dict[str, int], shops: list[str], known: dict[str, list[str]], first: int, last: int
) -> Any:
    """推广花费 as columns on the money axis; 推广ROI (a multiple, not a percentage) as lines on its
    own axis on the right, only when some shop has it."""
    catalog = book.catalog
    spend = catalog.metrics["ad_spend"]
    spend_title = metric_header(spend, catalog, book.data.money_unit, book.data.period.grain)
    with_roi = bool(known["ad_roi"])
    title = f"{spend_title}（柱）与推广ROI（线）" if with_roi else spend_title
    chart = _base_chart(book, "column", title, AXIS_FORMATS["money"])
    roi_chart = book.workbook.add_chart({"type": "line"})
    for offset, shop in enumerate(shops):
        colour = PALETTE[offset % len(PALETTE)]
        spend_column, roi_column = columns["ad_spend"] + offset, columns["ad_roi"] + offset
        if shop not in known["ad_spend"]:
            continue
        chart.add_series(
            {
                "name": f"花费·{shop}",
                "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, spend_column, last, spend_column],
                "fill": {"color": colour, "transparency": 45},
                "gap": 60,
            }
        )
        if shop not in known["ad_roi"]:
            continue
        roi_chart.add_series(
            {
                "name": f"ROI·{shop}",
                "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, roi_column, last, roi_column],
                "y2_axis": True,
                "line": {"width": 2, "color": colour},
                "marker": {"type": "none"},
            }
        )
    if with_roi:
        roi_chart.set_y2_axis({"num_format": "0.0", "num_font": {"size": 8}})
        chart.combine(roi_chart)
    return chart
