"""口径 notes for figures added up across platforms.

天猫/淘宝, 京东 and 抖音 each define their sales and people counts their own way. A 合计 over
shops of different platforms is still a sum, but it must say what it adds up; these functions
give that note (the master table's ``basis_note`` column, the report's 合计 row, the dashboard).
"""

from __future__ import annotations

from collections.abc import Iterable

# Platforms whose figures share one 口径 (生意参谋 serves both Taobao and Tmall).
_FAMILY = {"tmall": "taobao", "taobao": "taobao", "jd": "jd", "douyin": "douyin"}
_FAMILY_LABEL = {"taobao": "天猫/淘宝", "jd": "京东", "douyin": "抖音"}
GMV_BASIS = {
    "taobao": "支付金额＝生意参谋支付金额（按付款时间，含邮费，不扣退款），买家数＝支付买家数",
    "jd": "支付金额＝京东商智「成交金额」（京东的成交口径，不扣退款），买家数＝成交客户数（京东称“客户”）",
    "douyin": "支付金额＝抖店子订单「订单应付金额」之和（按支付完成时间，已扣平台/商家/达人优惠），无访客数与买家数",
}
LIVE_BASIS = (
    "直播成交金额取罗盘「直播间成交金额」，不是「直播间用户支付金额」；GPM＝直播成交金额/观看人数×1000"
)


def platform_family(platform: str | None) -> str | None:
    return _FAMILY.get(platform or "")


def basis_notes(platforms: Iterable[str | None]) -> list[str]:
    """One line per platform family when the shops span more than one (else nothing to say)."""
    families = sorted({f for p in platforms if (f := platform_family(p)) is not None})
    if len(families) < 2:
        return []
    return [f"{_FAMILY_LABEL[f]}：{GMV_BASIS[f]}" for f in families]


def basis_note(platforms: Iterable[str | None]) -> str | None:
    """The 合计 note for shops on these platforms; None when they share one 口径."""
    notes = basis_notes(platforms)
    if not notes:
        return None
    names = "、".join(line.split("：", 1)[0] for line in notes)
    return (
        f"跨平台合计（{names}）：各平台口径不同，合计为各店数值直接相加。"
        + "；".join(notes)
        + "。访客数、买家数为各店日去重数之和，不是去重人数。"
    )


__all__ = ["GMV_BASIS", "LIVE_BASIS", "basis_note", "basis_notes", "platform_family"]
