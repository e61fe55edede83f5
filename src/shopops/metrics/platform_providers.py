"""Providers for JD and Douyin exports, and the live/short-video measures (see providers.py)."""

from __future__ import annotations

from shopops.metrics.providers import Provider, covered


def platform_providers() -> list[Provider]:
    return [
        Provider(
            "jd_shop",
            "京东商智·店铺经营",
            """
SELECT shop, date, gmv, visitors, pageviews, customers AS buyers, paid_orders, units
FROM jd_shop_day WHERE date BETWEEN {start} AND {end}""",
        ),
        # 抖店 exports one row per 子订单; 订单应付金额 is that sub-order's payable amount.
        Provider(
            "douyin_orders",
            "抖店·订单导出",
            f"""
SELECT c.shop, c.date, coalesce(sum(l.payable), 0) AS gmv, count(DISTINCT l.order_id) AS paid_orders,
       CASE WHEN count(l.quantity) = count(l.line_id) THEN coalesce(sum(l.quantity), 0) END AS units
FROM {covered("douyin_order_lines")} c
LEFT JOIN douyin_order_lines l ON l.shop = c.shop AND l.paid_at IS NOT NULL AND CAST(l.paid_at AS DATE) = c.date
GROUP BY ALL""",
        ),
        Provider(
            "jd_union",
            "京东联盟",
            """
SELECT shop, date, commission AS affiliate_commission FROM jd_union_day WHERE date BETWEEN {start} AND {end}""",
        ),
        # Sessions count on the day they started (罗盘 dates a session by its 开播日期).
        Provider(
            "live",
            "罗盘·直播复盘",
            f"""
SELECT c.shop, c.date, coalesce(sum(o.gmv), 0) AS live_gmv, coalesce(sum(o.viewers), 0) AS live_viewers,
       coalesce(sum(o.buyers), 0) AS live_buyers,
       coalesce(sum(o.avg_watch_seconds * o.viewers), 0) AS live_watch_seconds,
       sum(f.clickers) AS live_product_clickers
FROM {covered("live_session_overview")} c
LEFT JOIN live_session_overview o ON o.shop = c.shop AND o.date = c.date
LEFT JOIN (SELECT shop, session_id, sum(people) AS clickers FROM live_session_funnel
           WHERE step LIKE '%点击%' GROUP BY ALL) f ON f.shop = o.shop AND f.session_id = o.session_id
GROUP BY ALL""",
        ),
        Provider(
            "short_video",
            "抖音·短视频数据",
            """
SELECT shop, date, sum(plays) AS video_plays, sum(product_clicks) AS video_product_clicks,
       sum(orders) AS video_orders, sum(gmv) AS video_gmv
FROM short_video_day WHERE date BETWEEN {start} AND {end} GROUP BY ALL""",
        ),
    ]
