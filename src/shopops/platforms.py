"""The platforms a shop can sell on, with their display names (a foundation vocabulary, like channels)."""

from __future__ import annotations

PLATFORMS = ("tmall", "taobao", "jd", "douyin")
PLATFORM_LABELS = {"tmall": "天猫", "taobao": "淘宝", "jd": "京东", "douyin": "抖音"}


def platform_label(platform: str | None) -> str:
    return PLATFORM_LABELS.get(platform or "", platform or "")
