"""利润: the profit waterfall per shop (支付金额 → 净销售额 → 毛利 → 净利) with 成本覆盖率.

The bridge is a table (deductions negative) with each step's share of 支付金额, and a stacked-column
waterfall chart per shop where every step is known.
"""

from __future__ import annotations

from typing import Any

from shopops.metrics.totals import TOTAL_SHOP
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import (
    as_number,
    merge_text,
    metric_header,
    shown_value,
    write_metric,
    write_number,
    write_text,
)

SHEET = "利润"
HEADER_ROW = 3
# (metric key, sign in the bridge, is a subtotal)
STEPS = (
    ("gmv", 1, True),
    ("refund_amount", -1, False),
    ("net_sales", 1, True),
    ("cogs", -1, False),
    ("shipping_cost", -1, False),
    ("platform_fee", -1, False),
    ("gross_profit", 1, True),
    ("ad_spend", -1, False),
    ("affiliate_commission", -1, False),
    ("net_profit", 1, True),
)
HELPER_COLUMN = 40  # hidden chart data, far right
CHART_SIZE = (520, 300)


def write_profit(book: Book) -> None:
    data = book.data
    styles = book.styles
    catalog = book.catalog
    worksheet = book.add_sheet(SHEET)
    book.title(worksheet, "利润", book.standard_subtitle())
    rows = [*data.shop_rows(), *([total] if (total := data.total_row()) else [])]
    merge_text(worksheet, (HEADER_ROW, 0), (HEADER_ROW + 1, 0), "项目", styles["header"])
    worksheet.set_column(0, 0, 22)
    for index, row in enumerate(rows):
        column = 1 + 2 * index
        merge_text(
            worksheet, (HEADER_ROW, column), (HEADER_ROW, column + 1), str(row["shop"]), styles["header"]
        )
        write_text(worksheet, HEADER_ROW + 1, column, "金额", styles["subheader"])
        write_text(worksheet, HEADER_ROW + 1, column + 1, "占支付金额", styles["subheader"])
        worksheet.set_column(column, column, 13)
        worksheet.set_column(column + 1, column + 1, 10)
    first = HEADER_ROW + 2
    for offset, (key, sign, subtotal) in enumerate(STEPS):
        metric = book.show(SHEET, catalog.metrics[key])
        label = metric_header(metric, catalog, data.money_unit, data.period.grain)
        prefix = "" if offset == 0 else ("= " if subtotal else "减：")
        write_text(worksheet, first + offset, 0, prefix + label, styles.cell("text", subtotal))
        for index, row in enumerate(rows):
            value = as_number(row[key])
            signed = None if value is None else sign * value
            write_metric(
                worksheet, first + offset, 1 + 2 * index, metric, signed, styles, data.money_unit, subtotal
            )
            gmv = as_number(row["gmv"])
            share = None if signed is None or not gmv else signed / gmv
            write_number(
                worksheet,
                first + offset,
                2 + 2 * index,
                share,
                styles.cell("percent", subtotal),
                styles.cell("dash", subtotal),
            )
    coverage_row = first + len(STEPS)
    coverage = book.show(SHEET, catalog.metrics["cost_coverage"])
    write_text(worksheet, coverage_row, 0, coverage.label, styles["text"])
    for index, row in enumerate(rows):
        write_metric(
            worksheet, coverage_row, 1 + 2 * index, coverage, row["cost_coverage"], styles, data.money_unit
        )
    notes = [
        "毛利 = 净销售额 − 商品成本 − 发货成本 − 平台扣点；净利 = 毛利 − 推广花费 − 淘客佣金。任一部分未知时利润为“—”，不按 0 计。",
        "成本覆盖率 < 100%：有付款商品在商品资料中没有成本价 — 补上成本价（shopops template product-list，填好后 shopops import）即可算出利润。",
    ]
    unknown = [str(r["shop"]) for r in rows if r["net_profit"] is None and r["shop"] != TOTAL_SHOP]
    if unknown:
        notes.append(f"利润未知的店铺：{'、'.join(unknown)}（见成本覆盖率与「数据来源」）。")
    for offset, line in enumerate(notes, start=2):
        write_text(worksheet, coverage_row + offset, 0, line, styles["note"])
    chart_row = coverage_row + len(notes) + 3
    placed = 0
    for index, row in enumerate(rows):
        chart = _waterfall(book, worksheet, row, index)
        if chart is not None:
            x, y = (placed % 2) * (CHART_SIZE[0] + 20), (placed // 2) * (CHART_SIZE[1] + 20)
            worksheet.insert_chart(chart_row, 0, chart, {"x_offset": x + 5, "y_offset": y})
            placed += 1
    chart_rows = -(-placed // 2) * (CHART_SIZE[1] + 20) // 20 + 1
    table_width = 22 * 7 + 5 + len(rows) * ((13 + 10) * 7 + 10)
    spare_columns = max(0, -(-(2 * (CHART_SIZE[0] + 20) + 10 - table_width) // 64))
    worksheet.print_area(0, 0, chart_row + chart_rows, 2 * len(rows) + spare_columns)
    worksheet.freeze_panes(HEADER_ROW + 2, 1)
    worksheet.fit_to_pages(1, 0)


def _waterfall(book: Book, worksheet: Any, row: dict[str, Any], index: int) -> Any:
    """A stacked column chart: an invisible base carries each deduction down from the running total."""
    money_unit = book.data.money_unit
    catalog = book.catalog
    values = [shown_value(catalog.metrics[key], row[key], money_unit) for key, _, _ in STEPS]
    if any(v is None for v in values):
        return None
    column = HELPER_COLUMN + 3 * index
    running = 0.0
    points: list[tuple[str, float, float]] = []
    for (key, _sign, subtotal), value in zip(STEPS, values, strict=True):
        assert value is not None
        if subtotal:
            running = value
            points.append((catalog.metrics[key].label, 0.0, value))
        else:
            running -= value
            points.append((catalog.metrics[key].label, running, value))
    if any(base < 0 or bar < 0 for _, base, bar in points):
        return None  # a loss does not fit a simple stacked bridge; the table above shows it
    first = HEADER_ROW + 2
    for offset, (label, base, bar) in enumerate(points):
        worksheet.write_string(first + offset, column, label)
        worksheet.write_number(first + offset, column + 1, base)
        worksheet.write_number(first + offset, column + 2, bar)
    worksheet.set_column(column, column + 2, None, None, {"hidden": True})
    last = first + len(points) - 1
    chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
    chart.show_hidden_data()
    chart.set_title({"name": f"利润瀑布图·{row['shop']}", "name_font": {"size": 11, "bold": True}})
    chart.set_size({"width": CHART_SIZE[0], "height": CHART_SIZE[1]})
    chart.set_legend({"none": True})
    categories = [SHEET, first, column, last, column]
    chart.add_series(
        {
            "categories": categories,
            "values": [SHEET, first, column + 1, last, column + 1],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    colours = [{"fill": {"color": "#2F5597" if subtotal else "#C55A11"}} for _, _, subtotal in STEPS]
    chart.add_series(
        {
            "categories": categories,
            "values": [SHEET, first, column + 2, last, column + 2],
            "points": colours,
            "gap": 50,
        }
    )
    chart.set_x_axis({"num_font": {"size": 8, "rotation": -30}})
    chart.set_y_axis(
        {
            "num_format": "#,##0",
            "num_font": {"size": 8},
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
        }
    )
    return chart
