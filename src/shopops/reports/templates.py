"""Blank import templates for the sheets that are ours (SKU costs …), written with XlsxWriter."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from shopops.ingest.sources import SourceSpec

TEMPLATES = {"sku-cost": "sku_cost"}
_EXAMPLES = {
    "sku_cost": [
        ["A1001-BLK-M", "652345678901", "示例：纯棉T恤 黑色 M", 28.5, "2026-01-01", ""],
        ["A1001-BLK-L", "652345678901", "示例：纯棉T恤 黑色 L", 29.0, "2026-01-01", ""],
    ]
}


def write_template(spec: SourceSpec, target: Path) -> None:
    workbook = xlsxwriter.Workbook(target)
    sheet = workbook.add_worksheet(spec.label.split("（")[0].strip()[:31])
    notes = workbook.add_worksheet("填写说明")
    head = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    required = workbook.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(spec.columns):
        sheet.write_string(0, index, column.display, required if column.required else head)
        sheet.set_column(index, index, 18, text if column.type in ("id", "text", "date") else None)
    sheet.freeze_panes(1, 0)
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 90)
    notes.write_string(0, 0, spec.label, head)
    notes.write_string(0, 1, spec.description)
    for index, column in enumerate(spec.columns, start=2):
        need = "必填" if column.required else "选填"
        extra = f"；留空时为 {column.default}" if column.default else ""
        notes.write_string(index, 0, column.display)
        notes.write_string(
            index, 1, f"{need}；类型 {column.type}{extra}；也可用列名：{', '.join(column.aliases)}"
        )
    base = len(spec.columns) + 3
    notes.write_string(base, 0, "示例", head)
    for offset, row in enumerate(_EXAMPLES.get(spec.key, []), start=1):
        notes.write_string(base + offset, 1, " | ".join(str(value) for value in row))
    notes.write_string(
        base + 4, 1, "第一个工作表的第一行是表头，从第二行起每个 SKU 一行。导入：shopops import 文件.xlsx"
    )
    workbook.close()
