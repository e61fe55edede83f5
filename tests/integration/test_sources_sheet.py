"""The 数据来源 sheet names, per shop, which export is missing for each blank figure (exact text on
the demo): no more "every export has data" while the 总表 shows "—"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from shopops.demo.douyin import DOUYIN_SHOP
from shopops.demo.jd import JD_SHOP
from tests.conftest import DEMO_END, DemoWorkspace, build_platforms_demo

NO_DATA_DOUYIN = (
    "该平台无此数据：访客数、浏览量、支付买家数、支付转化率、客单价、UV价值、淘客佣金、成功退款金额、退款单量、"
    "退款率、退款金额(支付时间)、退款率(支付时间)、净销售额、发货成本、平台扣点、毛利、净利、描述相符、服务态度、"
    "物流服务"
)


@pytest.fixture(scope="module")
def platforms_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    """The demo with its JD and Douyin shops, imported."""
    base = tmp_path_factory.mktemp("sources-sheet")
    return build_platforms_demo(base)


def sheet_rows(demo: DemoWorkspace, folder: Path, *extra: str) -> list[list[Any]]:
    target = folder / "日报.xlsx"
    result = demo.cli("report", "daily", "--date", DEMO_END.isoformat(), "-o", target, *extra)
    assert result.exit_code == 0, result.output
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(target)).get_sheet_by_name("数据来源").to_python(skip_empty_area=False)
    )
    return [[c for c in row if c != ""] for row in rows]


def blank_block(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows of the 缺少的数据 block, below its header row."""
    start = next(i for i, row in enumerate(rows) if row and str(row[0]).startswith("缺少的数据")) + 2
    end = next(i for i in range(start, len(rows)) if not rows[i] or len(rows[i]) == 1)
    return rows[start:end]


def test_blank_figures_name_the_export_that_fills_them(platforms_demo: DemoWorkspace, tmp_path: Path) -> None:
    rows = blank_block(sheet_rows(platforms_demo, tmp_path))
    service = (
        "询单人数、询单转化率、客服销售额、客服销售额占比、客服客单价、客服回复率、平均响应（秒）、客服满意率"
    )
    assert rows[:2] == [
        [JD_SHOP, "商品成本、成本覆盖率", "← 未导入 商品资料"],
        [JD_SHOP, service, "← 未导入 京东咚咚 · 客服绩效 / 京东咚咚 · 客服工作量"],
    ]
    # JD has no 退款 export: its refund figures are "—" for a reason the operator cannot fix by importing
    assert rows[2][0] == JD_SHOP and rows[2][1].startswith("该平台无此数据：")
    assert "成功退款金额、退款单量、退款率" in rows[2][1] and len(rows[2]) == 2
    assert [DOUYIN_SHOP, NO_DATA_DOUYIN] in rows  # no Douyin export carries 访客数 …
    assert [DOUYIN_SHOP, "商品成本、成本覆盖率", "← 未导入 商品资料"] in rows
    assert [
        "云朵旗舰店",
        "推广花费·智能场景（万相台）、推广花费·全站推广",
        "← 未导入 万相台无界 · 报表（已导入的 生意参谋 · 店铺整体日报 没有这一项）",
    ] in rows
    # 小野家居's 生意参谋 stops the day before: imported, but not for this day
    assert [
        "小野家居",
        "访客数、浏览量、支付转化率、UV价值、描述相符、服务态度、物流服务",
        "← 已导入但本期没有覆盖 生意参谋 · 店铺整体日报（最近到 2026-11-23）",
    ] in rows
    assert [
        "小野家居",
        "商品成本、毛利、净利",
        "← 已导入 千牛 · 订单报表（宝贝级）、商品资料，但有商品缺成本价（见成本覆盖率）",
    ] in rows
    # each shop's 该平台无此数据 line comes once, after its other lines
    for shop in (JD_SHOP, DOUYIN_SHOP, "云朵旗舰店", "小野家居"):
        lines = [row for row in rows if row[0] == shop]
        assert [row[1].startswith("该平台无此数据") for row in lines].count(True) == 1
        assert lines[-1][1].startswith("该平台无此数据")


def test_blank_block_comes_first_and_the_file_list_is_the_period_s(
    platforms_demo: DemoWorkspace, tmp_path: Path
) -> None:
    rows = sheet_rows(platforms_demo, tmp_path)
    order = [
        next(i for i, row in enumerate(rows) if row and str(row[0]).startswith(text))
        for text in ("缺少的数据", "已导入的导出缺哪些日期", "本期用到的导入文件")
    ]
    assert order == sorted(order)
    assert ["小野家居", "生意参谋 · 店铺整体日报", "0 / 1", "2026-11-24"] in rows
    files = rows[order[2] + 2 :]
    listed = [row for row in files if len(row) == 8]
    assert rows[order[2]] == [f"本期用到的导入文件（{len(listed)} 个）"]
    for row in listed:  # every file listed reaches the day reported (or has no days: 商品资料)
        assert row[5] == "—" or row[5] <= DEMO_END <= row[6], row
    assert re.fullmatch(
        r"另有 \d+ 个文件只用于比较期与趋势，未列出（`shopops imports` 列出全部导入）。", files[-1][0]
    )
