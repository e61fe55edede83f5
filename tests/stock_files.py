"""Small stock-domain files the tests write and import as a user would: a workbook of rows, and the
header lists of the 聚水潭 exports they use (the real names; a test picks the columns it needs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl

# 聚水潭 商品库存, the columns the alert and clearance cases fill (in this order)
JST_HEADER = [
    "款式编码",
    "颜色",
    "规格",
    "商品编码",
    "名称",
    "数量",
    "订单占有",
    "采购在途数",
    "调拨在途数",
    "可用数",
]
# 聚水潭 商品资料
MASTER_HEADER = [
    "款式编码", "商品编码", "颜色", "规格", "基本售价", "成本价", "创建时间", "分类", "年份", "季节", "商品名称",
]  # fmt: skip


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """One sheet: the header, then the rows. A text cell that starts with "=" stays text, as the ERP
    wrote it (a hostile name), never a formula of ours."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    book.save(path)
    return path
