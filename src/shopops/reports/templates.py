"""Blank import templates for the sheets that are ours (商品资料, targets …), written with XlsxWriter."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from shopops.ingest.sources import SourceSpec
from shopops.ingest.sources.spec import load_builtin_specs

TEMPLATES = {"targets": "targets"}
# Templates that are no more, and the one line that says what took their place.
RETIRED = {
    "sku-cost": "the SKU 成本表 has merged into 商品资料 — use `shopops template product-list`"
    " (成本价, and 成本生效日期 for a cost change); old SKU 成本表 files still import",
}


def templates() -> dict[str, str]:
    """Template name → source key: ours above, and every source (a domain's) that declares one."""
    declared = {spec.template["name"]: spec.key for spec in load_builtin_specs() if spec.template.get("name")}
    return TEMPLATES | declared


_EXAMPLES: dict[str, list[list[object]]] = {
    "targets": [
        ["期间 2026", "店铺（空）", "店铺组（空）", "支付金额 12000000", "推广预算 1500000", "推广ROI 3.2"],
        ["期间 2026-Q4", "店铺 某某旗舰店", "店铺组（空）", "支付金额 3600000", "净利 420000"],
        ["期间 2026-11", "店铺（空）", "店铺组 天猫店铺", "支付金额 1500000", "退款率上限 8%"],
    ],
}
# What one row of each sheet is, for the 填写说明.
_ROW_NOTES = {
    "targets": (
        "从第二行起每个期间和店铺（或店铺组）一行，每个指标一列；不需要的指标留空。"
        "期间写 2026（年）、2026-Q4（季度）或 2026-11（月）；店铺、店铺组都留空 = 全部店铺合计；"
        "店铺组先用 shopops targets group 名称 --shops A,B 定义。"
        "同一期间、范围和指标以最后导入或设置的为准。年目标可用 shopops targets split 按去年结构拆到月。"
    ),
}


def write_template(spec: SourceSpec, target: Path) -> None:
    workbook = xlsxwriter.Workbook(target)
    sheet = workbook.add_worksheet(spec.label.split("（")[0].strip()[:31])
    notes = workbook.add_worksheet("填写说明")
    head = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    required = workbook.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    columns = [column for column in spec.columns if column.aliases]  # no aliases: never in a file
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.display, required if column.required else head)
        sheet.set_column(index, index, 18, text if column.type in ("id", "text", "date") else None)
    sheet.freeze_panes(1, 0)
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 90)
    notes.write_string(0, 0, spec.label, head)
    notes.write_string(0, 1, spec.description)
    for index, column in enumerate(columns, start=2):
        need = "必填" if column.required else "选填"
        extra = f"；留空时为 {column.default}" if column.default else ""
        notes.write_string(index, 0, column.display)
        notes.write_string(
            index, 1, f"{need}；类型 {column.type}{extra}；也可用列名：{', '.join(column.aliases)}"
        )
    base = len(columns) + 3
    notes.write_string(base, 0, "示例", head)
    examples = _EXAMPLES.get(spec.key) or spec.template.get("examples", [])
    for offset, row in enumerate(examples, start=1):
        notes.write_string(base + offset, 1, " | ".join(str(value) for value in row))
    notes.write_string(
        base + max(len(examples), 3) + 1,
        1,
        f"第一个工作表的第一行是表头，{_ROW_NOTES.get(spec.key) or spec.template.get('note', '从第二行起每条记录一行。')}导入：shopops import 文件.xlsx",
    )
    workbook.close()
