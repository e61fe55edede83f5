"""退款: 成功退款金额, 退款单量 and 退款率 per shop with changes; top refund reasons and refunded items."""

from __future__ import annotations

from typing import Any

import polars as pl

from shopops.metrics.totals import TOTAL_SHOP
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import (
    as_number,
    colour_changes,
    merge_text,
    metric_header,
    write_change,
    write_metric,
    write_number,
    write_text,
)

SHEET = "退款"
HEADER_ROW = 3
METRICS = ("refund_amount", "refund_orders", "refund_rate")
LAST_COLUMN = 9
TOP = 5


def write_refunds(book: Book) -> None:
    data = book.data
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    book.title(worksheet, "退款", book.standard_subtitle())
    worksheet.set_column(0, 0, 14)
    worksheet.set_column(1, LAST_COLUMN, 10.5)
    row = _write_totals(book, worksheet) + 2
    covered = data.coverage.filter((pl.col("target_table") == "refunds") & (pl.col("covered_days") > 0))
    if covered.is_empty():
        write_text(
            worksheet,
            row,
            0,
            "报告期内没有千牛退款管理导出，列不出退款原因和商品（成功退款金额取自生意参谋）— 导入退款导出后重新生成。",
            styles["warning"],
        )
    else:
        row = _write_top(
            book, worksheet, row, "退款原因 TOP 5（退款成功，按退款完结时间计入）", data.reasons, items=False
        )
        _write_top(book, worksheet, row + 2, "成功退款金额最多的商品 TOP 5", data.items, items=True)
    worksheet.freeze_panes(HEADER_ROW + 2, 1)
    worksheet.fit_to_pages(1, 0)


def _write_totals(book: Book, worksheet: Any) -> int:
    data = book.data
    styles = book.styles
    comparisons = data.period.comparisons
    span = 1 + len(comparisons)
    merge_text(worksheet, (HEADER_ROW, 0), (HEADER_ROW + 1, 0), "店铺", styles["header"])
    metrics = [book.show(SHEET, book.catalog.metrics[key]) for key in METRICS]
    for index, metric in enumerate(metrics):
        column = 1 + span * index
        label = metric_header(metric, book.catalog, data.money_unit, data.period.grain)
        merge_text(worksheet, (HEADER_ROW, column), (HEADER_ROW, column + span - 1), label, styles["header"])
        write_text(worksheet, HEADER_ROW + 1, column, data.period.current_label, styles["subheader"])
        for offset, (_, comparison) in enumerate(comparisons, start=1):
            write_text(worksheet, HEADER_ROW + 1, column + offset, comparison, styles["subheader"])
    total = data.total_row()
    rows = [*data.shop_rows(), *([total] if total else [])]
    first = HEADER_ROW + 2
    for offset, values in enumerate(rows):
        is_total = values is total
        write_text(worksheet, first + offset, 0, values["shop"], styles.cell("text", is_total))
        for index, metric in enumerate(metrics):
            column = 1 + span * index
            write_metric(
                worksheet,
                first + offset,
                column,
                metric,
                values[metric.key],
                styles,
                data.money_unit,
                is_total,
            )
            for shift, (name, _) in enumerate(comparisons, start=1):
                change = values.get(f"{metric.key}_{name}_change")
                write_change(worksheet, first + offset, column + shift, metric, change, styles, is_total)
    last = first + len(rows) - 1
    for index, metric in enumerate(metrics):
        for shift in range(1, span):
            colour_changes(worksheet, first, last, 1 + span * index + shift, metric, styles)
    return last


def _write_top(book: Book, worksheet: Any, row: int, heading: str, frame: pl.DataFrame, items: bool) -> int:
    styles = book.styles
    catalog = book.catalog
    amount_metric, count_metric = catalog.metrics["refund_amount"], catalog.metrics["refund_orders"]
    write_text(worksheet, row, 0, heading, styles["heading"])
    row += 1
    headers = [
        "店铺",
        "排名",
        count_metric.label,
        metric_header(amount_metric, catalog, book.data.money_unit, "day"),
        "金额占比",
    ]
    for column, label in enumerate(headers):
        write_text(worksheet, row, column, label, styles["header"])
    worksheet.set_row(row, 30)
    if items:
        merge_text(worksheet, (row, 5), (row, 6), "商家编码", styles["header"])
        merge_text(worksheet, (row, 7), (row, LAST_COLUMN), "宝贝标题", styles["header"])
    else:
        merge_text(worksheet, (row, 5), (row, LAST_COLUMN), "退款原因", styles["header"])
    if frame.is_empty():
        write_text(worksheet, row + 1, 0, "报告期内没有退款成功的退款单。", styles["note"])
        return row + 1
    shops = [name for name, _ in book.data.shops]
    ordered = sorted(
        frame.iter_rows(named=True),
        key=lambda r: (r["shop"] == TOTAL_SHOP, _index(shops, r["shop"]), r["rank"]),
    )
    for values in ordered[: (len(shops) + 1) * TOP]:
        row += 1
        is_total = values["shop"] == TOTAL_SHOP
        text = styles.cell("text", is_total)
        write_text(worksheet, row, 0, values["shop"], text)
        worksheet.write_number(row, 1, values["rank"], styles.cell("count", is_total))
        write_metric(
            worksheet, row, 2, count_metric, values["refunds"], styles, book.data.money_unit, is_total
        )
        write_metric(
            worksheet, row, 3, amount_metric, values["amount"], styles, book.data.money_unit, is_total
        )
        write_number(
            worksheet,
            row,
            4,
            as_number(values["share"]),
            styles.cell("percent", is_total),
            styles.cell("dash", is_total),
        )
        if items:
            merge_text(worksheet, (row, 5), (row, 6), values["sku_code"] or "—", text)
            merge_text(worksheet, (row, 7), (row, LAST_COLUMN), values["title"] or "—", text)
        else:
            merge_text(worksheet, (row, 5), (row, LAST_COLUMN), values["reason"] or "（未填原因）", text)
    return row


def _index(shops: list[str], shop: str) -> int:
    return shops.index(shop) if shop in shops else len(shops)
