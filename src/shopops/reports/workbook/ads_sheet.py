"""推广: spend, 成交, ROI and 推广费比 by ad channel and shop, with each shop's 小计 and a 合计."""

from __future__ import annotations

from typing import Any

from shopops.channels import ad_channels
from shopops.metrics.catalog import Metric
from shopops.metrics.totals import TOTAL_SHOP
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import metric_header, write_metric, write_text

SHEET = "推广"
HEADER_ROW = 3
COLUMNS = ("ad_spend", "ad_gmv", "ad_roi", "ad_spend_ratio")


def write_ads(book: Book) -> None:
    data = book.data
    styles = book.styles
    catalog = book.catalog
    worksheet = book.add_sheet(SHEET)
    book.title(worksheet, "推广", book.standard_subtitle())
    metrics = [book.show(SHEET, catalog.metrics[key]) for key in COLUMNS]
    for column, label in enumerate(["店铺", "推广渠道"]):
        write_text(worksheet, HEADER_ROW, column, label, styles["header"])
    for column, metric in enumerate(metrics, start=2):
        label = metric_header(metric, catalog, data.money_unit, data.period.grain)
        write_text(worksheet, HEADER_ROW, column, label, styles["header"])
        worksheet.set_column(column, column, 14)
    worksheet.set_column(0, 0, 14)
    worksheet.set_column(1, 1, 24)
    worksheet.set_row(HEADER_ROW, 30)
    labels = {c.key: c.label for c in ad_channels()}
    rows = data.channels.iter_rows(named=True)
    by_shop: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_shop.setdefault(row["shop"], []).append(row)
    summary = {row["shop"]: row for row in data.summary.iter_rows(named=True)}
    row_index = HEADER_ROW + 1
    for shop in [*(name for name, _ in data.shops), TOTAL_SHOP]:
        if shop not in summary:
            continue
        channels = by_shop.get(shop, [])
        for channel in channels:
            channel_metric = book.show(SHEET, catalog.metrics[f"ad_spend_{channel['channel']}"])
            write_text(worksheet, row_index, 0, shop, styles["text"])
            write_text(
                worksheet, row_index, 1, labels.get(channel["channel"], channel["channel"]), styles["text"]
            )
            _write_values(book, worksheet, row_index, [channel_metric, *metrics[1:]], channel, False)
            row_index += 1
        is_total = shop == TOTAL_SHOP
        write_text(worksheet, row_index, 0, shop, styles.cell("text", True))
        write_text(worksheet, row_index, 1, "合计" if is_total else "小计", styles.cell("text", True))
        values = {metric.key: summary[shop][metric.key] for metric in metrics}
        _write_values(book, worksheet, row_index, metrics, values, True)
        row_index += 2 if not is_total else 1
    notes = [
        "渠道花费按来源优先级取数（推广报表各计划之和 > 生意参谋店铺整体的消耗列）；推广成交金额与 ROI 只来自推广报表，"
        "按报表的归因窗口计算，最近约 7 天仍会变化。",
        "推广费比 = 推广花费 / 店铺支付金额；ROI = 推广成交金额 / 同一批推广报表的花费。小计、合计由各部分相加后重新计算。",
    ]
    for offset, line in enumerate(notes, start=1):
        write_text(worksheet, row_index + offset, 0, line, styles["note"])
    worksheet.freeze_panes(HEADER_ROW + 1, 2)
    worksheet.repeat_rows(HEADER_ROW, HEADER_ROW)
    worksheet.fit_to_pages(1, 0)


def _write_values(
    book: Book, worksheet: Any, row: int, metrics: list[Metric], values: dict[str, Any], total: bool
) -> None:
    for column, metric in enumerate(metrics, start=2):
        key = "ad_spend" if metric.channel else metric.key
        write_metric(
            worksheet, row, column, metric, values.get(key), book.styles, book.data.money_unit, total
        )
