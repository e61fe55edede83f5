"""Which export would fill a blank metric: exact labels from the real catalog and the real specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopops.ingest.sources import SourceSpec
from shopops.reports.missing_exports import exports_for_metric, meaningful, section_hint
from shopops.workspace import Workspace

SYCM = "生意参谋 · 店铺整体日报"
QN_ORDERS = "千牛 · 订单报表（订单级）"
QN_LINES = "千牛 · 订单报表（宝贝级）"
QN_REFUNDS = "千牛 · 退款管理"
WXT = "万相台无界 · 报表"
ZTC = "直通车（关键词推广）· 计划报表"
YLMF = "引力魔方 / 钻展（精准人群推广）· 计划报表"
JD_SHOP = "京东商智 · 店铺经营日报"
JD_ORDERS = "京东 · 订单导出（订单级）"
JZT = "京准通 · 推广报表（京东快车/购物触点/全站营销）"
DY_ORDERS = "抖店 · 订单导出（子订单级）"
QIANCHUAN = "巨量千川 · 计划日报"


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> list[SourceSpec]:
    """The specs as a workspace builds them (built-in, with its aliases)."""
    root: Path = tmp_path_factory.mktemp("ws") / "ws"
    with Workspace.init(root) as workspace:
        return workspace.sources()


@pytest.mark.parametrize(
    ("key", "platform", "want"),
    [
        ("visitors", "douyin", []),  # no Douyin export carries 访客数
        ("visitors", "tmall", [SYCM]),
        ("visitors", "jd", [JD_SHOP]),
        ("gmv", "tmall", [SYCM, QN_ORDERS]),
        ("gmv", "douyin", [DY_ORDERS]),
        ("ad_spend", "tmall", [WXT, ZTC, YLMF, SYCM]),
        ("ad_spend", "jd", [JZT]),
        ("ad_spend", "douyin", [QIANCHUAN]),
        ("ad_spend_keyword", "tmall", [WXT, ZTC, SYCM]),
        ("ad_spend_keyword", "jd", []),
        ("ad_roi", "tmall", [WXT, YLMF, ZTC]),
        ("refund_amount", "tmall", [SYCM, QN_REFUNDS, QN_ORDERS]),
        ("refund_amount", "jd", []),  # the JD order export has no 退款金额, and there is no JD 退款 export
        ("refund_rate", "jd", []),  # a ratio needs both parts
        ("refund_amount", "douyin", []),
        ("refund_orders", "taobao", [QN_REFUNDS]),
        ("conversion_rate", "tmall", [SYCM, QN_ORDERS]),
        ("conversion_rate", "douyin", []),
        ("aov", "jd", [JD_SHOP, JD_ORDERS]),
        ("cogs", "tmall", [QN_LINES, "商品资料", "生意参谋 · 商品效果"]),
        ("cogs", "jd", ["商品资料"]),
        ("affiliate_commission", "jd", ["京东联盟 · 商家推广日报"]),
        ("affiliate_commission", "douyin", []),
        ("live_gmv", "douyin", ["罗盘 · 直播复盘·整体看板"]),
        ("live_click_to_buy_rate", "douyin", ["罗盘 · 直播复盘·整体看板", "罗盘 · 直播复盘·转化漏斗"]),
        ("live_gmv", "tmall", []),
        ("dsr_service", "jd", []),
    ],
)
def test_exports_for_metric(specs: list[SourceSpec], key: str, platform: str, want: list[str]) -> None:
    assert exports_for_metric(key, platform, specs) == want


def test_exports_never_name_another_platform(specs: list[SourceSpec]) -> None:
    from shopops.metrics.catalog import load_catalog

    labels = {spec.label: spec.platforms for spec in specs}
    for key in load_catalog().metrics:
        for platform in ("tmall", "taobao", "jd", "douyin"):
            for label in exports_for_metric(key, platform, specs):
                assert platform in labels[label], (key, platform, label)


def test_ad_channels_of_other_platforms_have_no_meaning(specs: list[SourceSpec]) -> None:
    assert not meaningful("ad_spend_jd_express", "tmall", specs)
    assert not meaningful("ad_spend_keyword", "douyin", specs)
    assert meaningful("ad_spend_qianchuan", "douyin", specs)
    assert meaningful("visitors", "douyin", specs)  # not an ad channel: blank, "该平台无此数据"


def test_section_hint(specs: list[SourceSpec]) -> None:
    assert section_hint("推广", ["tmall"], specs) == f"推广：导入 {WXT} / {ZTC}"
    assert section_hint("推广", ["tmall", "taobao"], specs) == f"推广：导入 {WXT} / {ZTC}"
    assert (
        section_hint("推广", ["tmall", "douyin", "jd"], specs)
        == f"推广：导入 天猫 {WXT}；抖音 {QIANCHUAN}；京东 京准通 · 推广报表"
    )
    assert section_hint("DSR", ["tmall", "douyin"], specs) == f"DSR：导入 天猫 {SYCM}"
    assert section_hint("DSR", ["douyin"], specs) == "DSR：所选店铺的平台没有可导入的此类数据"
    # a section's hint names what fills its own figures, not the 支付金额 its ratios divide by
    assert section_hint("退款", ["tmall"], specs) == f"退款：导入 {SYCM} / {QN_REFUNDS}"
    assert section_hint("成本利润", ["douyin"], specs) == "成本利润：导入 商品资料"
