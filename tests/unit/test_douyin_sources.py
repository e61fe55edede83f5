"""抖店 / 罗盘 / 千川 / short-video exports detected from their real header variants."""

from __future__ import annotations

import pytest

from shopops.metrics.basis import basis_note, basis_notes
from shopops.metrics.catalog import load_catalog
from tests.unit.test_jd_sources import detect

ORDER_HEADER = [
    "主订单编号", "子订单编号", "支付方式", "选购商品", "商品ID", "商品数量", "商品金额", "订单提交时间", "订单完成时间",
    "订单状态", "售后状态", "订单应付金额", "运费", "优惠总金额", "平台优惠", "商家优惠", "达人优惠", "支付完成时间",
    "达人ID", "达人昵称", "流量来源", "流量体裁",
]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (ORDER_HEADER, "douyin_orders"),
        (["直播ID", "日期", "直播开始时间", "直播间用户支付金额", "千次观看用户支付金额"], "douyin_live_basic"),
        (["场次ID", "开播日期", "开播时间", "下播时间", "千次观看成交金额"], "douyin_live_basic"),
        (["直播ID", "日期", "直播间观看人数", "平均在线人数", "人均观看时长", "直播间成交金额",
          "直播间观看-成交率（人数）", "直播间商品点击-成交率(人数)"], "douyin_live_overview"),
        (["直播ID", "日期", "环节", "人数"], "douyin_live_funnel"),
        (["直播ID", "日期", "渠道名称", "观看人数", "成交金额", "千川消耗"], "douyin_live_channel"),
        (["直播ID", "日期", "商品ID", "商品名称", "商品曝光人数", "商品点击人数", "成交件数", "成交金额"], "douyin_live_items"),
        (["日期", "计划ID", "计划名称", "整体消耗", "整体成交金额", "整体支付ROI", "净成交金额", "净成交ROI"], "qianchuan_report"),
        (["日期", "素材ID", "素材名称", "整体消耗", "整体支付金额", "整体展现次数", "整体点击次数"], "qianchuan_report"),
        (["日期", "作品ID", "作品名称", "播放量", "完播率", "点赞数", "评论数", "分享数", "涨粉数", "商品点击次数"],
         "douyin_short_video"),
        (["日期", "视频ID", "播放次数", "点赞量", "评论量", "分享量", "新增粉丝数", "成交"], "douyin_short_video"),
        (["日期", "主播", "上播时间", "下播时间"], "anchor_schedule"),
    ],
)  # fmt: skip
def test_douyin_header_variants(header: list[str], key: str) -> None:
    assert detect(header) == key


def test_gpm_states_its_denominator_and_user_paid_amount_is_not_gmv() -> None:
    catalog = load_catalog()
    assert "观看人数" in catalog.metrics["gpm"].definition
    assert "不是「直播间用户支付金额」" in catalog.metrics["live_gmv"].definition
    assert all("用户支付金额" not in m.label for m in catalog.metrics.values())


def test_basis_note_only_when_platforms_differ() -> None:
    assert basis_note(["tmall", "taobao"]) is None and basis_notes(["jd"]) == []
    note = basis_note(["tmall", "jd", "douyin"])
    assert note is not None and "京东" in note and "抖音" in note and "天猫/淘宝" in note
    assert len(basis_notes(["jd", "taobao", None])) == 2
