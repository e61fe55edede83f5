"""直播复盘 (live review) of 罗盘 sessions with 抖店 orders, 千川 and the 主播排班表."""

from shopops.analysis.live.review import SessionReview, live_review

__all__ = ["SessionReview", "live_review"]
