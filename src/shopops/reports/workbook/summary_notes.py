"""The lines under the 总表: what the changes and the 合计 mean, which 合计 rest on some shops only,
which sections were left out (and which exports would fill them), what the report prints."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from shopops.metrics.catalog import Metric
from shopops.metrics.completeness import skipped_text
from shopops.metrics.totals import Coverage, total_coverage
from shopops.reports.missing_exports import section_hint
from shopops.reports.workbook.book import UNHIDE_PRINT, Book


def change_note(book: Book) -> str:
    grain = book.data.period.grain
    if grain == "day":
        return "环比 = 较前一日，周同比 = 较上周同日"
    unit = "周" if grain == "week" else "月"
    return f"环比 = 较上一{unit}，同比 = 较去年同期"


def coverages(book: Book, metrics: list[Metric]) -> dict[str, Coverage]:
    """Per metric key, the shops the period's 合计 rests on (empty when there is no 合计)."""
    data = book.data
    if data.total_row() is None:
        return {}
    found = total_coverage(data.summary, [m.key for m in metrics])
    day: dt.date = data.period.start
    return {m.key: found[(day, m.key)] for m in metrics if (day, m.key) in found}


def partial_lines(book: Book, metrics: list[Metric], marks: dict[str, Coverage]) -> list[str]:
    """One line per group of 合计 figures resting on the same shops: "访客数、浏览量 合计只含 3/5 …"."""
    total = book.data.total_row() or {}
    partial = [m for m in metrics if m.key in marks and marks[m.key].partial and total.get(m.key) is not None]
    ordered = sorted(partial, key=lambda m: (marks[m.key].missing, metrics.index(m)))
    lines = []
    for _, group in groupby(ordered, key=lambda m: marks[m.key].missing):
        members = list(group)
        lines.append(marks[members[0].key].note("、".join(m.label for m in members)) + "。")
    return lines


def left_out_lines(book: Book, sections: list[str]) -> list[str]:
    """One line per section with no data for any selected shop: the exports that would fill it."""
    platforms = [platform for _, platform in book.data.shops]
    return [f"未列出 {section_hint(section, platforms, book.data.specs)}" for section in sections]


def notes(book: Book) -> list[str]:
    data = book.data
    lines = [
        "说明：金额、单量的变化为百分比；比率（转化率、推广费比、退款率、成本覆盖率）的变化为百分点（pp）；"
        "ROI 与 DSR 的变化为差值。绿色 = 向好，红色 = 变差（按指标的方向）。",
        "合计：金额与单量为知道该数的店铺相加，只含部分店铺时标出覆盖，如“5,189 ⁽³⁄₄⁾”= 4 个店铺中 3 个的和；"
        "转化率、客单价、ROI、退款率等由同一批店铺相加后的分子、分母重新计算，不是各店比率的平均；"
        "访客数、支付买家数为各店铺相加（日累加），不是去重人数；DSR 不合计；合计的环比/同比只在两期店铺相同时计算。",
    ]
    total = data.total_row()
    if total and total.get("basis_note"):  # shops on platforms whose 口径 differ (JD, Douyin, Taobao)
        lines.append(f"口径：{total['basis_note']}")
    if data.period.grain != "day":
        lines.append("周/月的访客数、支付买家数为每日去重人数之和（日累加）。")
    lines += [f"数据不完整：{p.text()}；该日的数字不全，不要当作全天。" for p in data.incomplete]
    if data.skipped:
        lines.append(skipped_text(data.skipped).replace("默认用", "本报表默认写"))
    if not data.period.complete:
        lines.append(f"本期数据截至 {data.period.end}，不是完整的一期；与上一期比较时请注意。")
    lines.append(
        f"打印只出 {book.printed_names()}；其余各表（推广、利润、退款、目标达成、口径说明、数据来源 …）供屏幕查看，"
        f"要打印其中一张：{UNHIDE_PRINT}。"
        "每个指标的口径见「口径说明」，数据来自哪些文件、哪些店铺哪天缺数据见「数据来源」。"
    )
    return lines
