"""京东 exports are told apart by their headers, in the header variants the platforms really use."""

from __future__ import annotations

import pytest

from shopops.ingest.sources import SourceRegistry
from shopops.ingest.sources.spec import load_builtin_specs


def detect(header: list[str], context: str = "") -> str:
    registry = SourceRegistry(load_builtin_specs())
    matches = sorted(
        (registry.match(spec, header, context) for spec in load_builtin_specs()), key=lambda d: -d.score
    )
    best = next(m for m in matches if m.eligible)
    return best.spec.key


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (
            [
                "日期",
                "浏览量(PV)",
                "访客数(UV)",
                "成交金额",
                "成交客户数",
                "成交单量",
                "成交转化率",
                "客单价",
            ],
            "jd_shop_daily",
        ),
        (["日期", "浏览量（PV）", "访客数（UV）", "成交金额", "成交人数", "加购人数"], "jd_shop_daily"),
        (
            ["时间", "店铺浏览量", "店铺访客数", "成交金额", "成交客户数", "下单客户数", "下单金额"],
            "jd_shop_daily",
        ),
        (["日期", "SKU", "商品名称", "库存件数", "昨日出库商品件数", "一级类目"], "jd_sku_daily"),
        (["日期", "SKUID", "商品信息", "京东价", "上下柜状态", "库存", "出库件数"], "jd_sku_daily"),
        (
            [
                "订单号",
                "下单帐号",
                "下单时间",
                "付款确认时间",
                "订单金额",
                "应付金额",
                "运费金额",
                "订单状态",
            ],
            "jd_orders",
        ),
        (
            ["日期", "推广产品", "计划名称", "展现数", "点击数", "总花费", "总订单金额", "总订单行"],
            "jd_jzt_report",
        ),
        (["日期", "引入订单量", "引入成交金额", "预估佣金"], "jd_union"),
        (["日期", "计佣金额", "实际佣金"], "jd_union"),
        (
            ["日期", "优惠券ID", "优惠券名称", "领取张数", "使用张数", "优惠金额", "用券成交金额"],
            "jd_coupons",
        ),
    ],
)
def test_jd_header_variants(header: list[str], key: str) -> None:
    assert detect(header) == key


def test_jd_says_customers_where_taobao_says_buyers() -> None:
    spec = next(s for s in load_builtin_specs() if s.key == "jd_shop_daily")
    assert "成交客户数" in spec.column("customers").aliases
    assert detect(["统计日期", "访客数", "支付金额", "支付买家数"]) == "sycm_shop_daily"
