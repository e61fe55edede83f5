"""JD-specific views: price changes, 上下柜 (listed/delisted) and coupon effect."""

from shopops.analysis.jd.views import coupon_effect, listing_changes, price_changes

__all__ = ["coupon_effect", "listing_changes", "price_changes"]
