"""口径说明: every metric's definition from the catalog, and the terms the report uses."""

from __future__ import annotations

import re

from shopops.metrics.catalog import Catalog, Metric
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import write_text
from shopops.reports.workbook.layout import wrapped_height

SHEET = "口径说明"
HEADER_ROW = 3
HEADERS = (
    ("板块", 10),
    ("指标", 22),
    ("key", 20),
    ("口径", 60),
    ("公式", 30),
    ("单位", 8),
    ("方向", 10),
    ("周/月汇总", 18),
    ("本报表中出现于", 16),
)
UNITS = {"money": "金额（元）", "count": "数量", "ratio": "比率", "score": "评分"}
DIRECTIONS = {"up": "越高越好", "down": "越低越好", "none": "—"}
AGGREGATES = {"sum": "逐日相加", "daily_sum": "日累加", "last": "取期末值", "max": "设置值"}
TERMS = (
    ("环比", "与上一期比较：日报为前一日，周报为上一周，月报为上一月。金额、单量为百分比变化。"),
    ("周同比", "日报中与上周同一天（7 天前）比较。"),
    ("同比", "周报、月报中与去年同期比较（周：52 周前；月：去年同月）。"),
    ("pp（百分点）", "比率的变化用百分点表示：3.2% → 3.5% 为 +0.30pp，不是 +9.4%。"),
    ("日累加", "周/月或多店合计的访客数、支付买家数是每日（每店）去重人数之和，不是期间去重人数。"),
    (
        "合计",
        "所选店铺的合计：金额、单量为知道该数的店铺相加；比率由同一批店铺相加后的分子、分母重新计算，从不对比率求平均。"
        "只含部分店铺时在数字后标出覆盖（如“5,189 ⁽³⁄₄⁾”= 4 个店铺中 3 个的和），总表下方注明缺哪个店铺；"
        "所有店铺都不知道时为“—”。合计的环比/同比只在两期的店铺相同时计算。",
    ),
    ("—", "无数据或无法计算（例如除数为 0、缺少成本），不是 0。"),
)


def write_notes(book: Book) -> None:
    styles = book.styles
    catalog = book.catalog
    worksheet = book.add_sheet(SHEET)
    book.title(worksheet, "口径说明", "每个指标的定义、公式与汇总方式，来自指标目录（shopops metrics）。")
    for column, (label, width) in enumerate(HEADERS):
        write_text(worksheet, HEADER_ROW, column, label, styles["header"])
        worksheet.set_column(column, column, width)
    order = {section: index for index, section in enumerate(catalog.sections)}
    metrics = sorted(catalog.metrics.values(), key=lambda m: order.get(m.section, len(order)))
    row = HEADER_ROW
    for metric in metrics:
        row += 1
        cells = (
            metric.section,
            metric.label,
            metric.key,
            metric.definition,
            formula_text(metric, catalog),
            "倍数" if metric.is_multiple else UNITS.get(metric.unit, metric.unit),
            DIRECTIONS.get(metric.direction, metric.direction),
            _aggregation(metric, catalog),
            "、".join(book.shown.get(metric.key, [])) or "—",
        )
        for column, text in enumerate(cells):
            write_text(worksheet, row, column, text, styles["wrap"])
        worksheet.set_row(row, wrapped_height([(text, HEADERS[c][1]) for c, text in enumerate(cells)]))
    row += 2
    write_text(worksheet, row, 0, "术语", styles["heading"])
    for term, meaning in TERMS:
        row += 1
        write_text(worksheet, row, 0, term, styles["text"])
        worksheet.merge_range(row, 1, row, 4, "", styles["wrap"])
        write_text(worksheet, row, 1, meaning, styles["wrap"])
        worksheet.set_row(row, wrapped_height([(meaning, sum(w for _, w in HEADERS[1:5]))]))
    worksheet.freeze_panes(HEADER_ROW + 1, 2)
    worksheet.repeat_rows(HEADER_ROW, HEADER_ROW)
    worksheet.fit_to_pages(1, 0)


def formula_text(metric: Metric, catalog: Catalog) -> str:
    """The formula with 中文名 for the metrics it names (measures keep their key)."""
    if metric.formula == metric.key:
        return "（基础指标，直接取数）"

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        if word == "total":
            return "求和"
        return catalog.metrics[word].label if word in catalog.metrics else word

    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", name, metric.formula)


def _aggregation(metric: Metric, catalog: Catalog) -> str:
    measure = catalog.measures.get(metric.key)
    if metric.formula == metric.key and measure is not None:
        return AGGREGATES.get(measure.aggregate, measure.aggregate)
    if "/" in metric.formula:
        return "分子、分母先汇总再相除"
    return "由汇总后的各部分计算"
