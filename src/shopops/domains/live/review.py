"""直播复盘: one live session's funnel, GMV by product, hour and channel, 千川 and the anchors' credit.

Figures come from the 罗盘 per-session workbook (基本信息, 整体看板, 转化漏斗, 渠道分析, 商品明细);
GMV by hour and by anchor comes from the 抖店 order export (live orders paid during the session,
or during the anchor's slot of the 主播排班表). ``exclude_affiliate`` leaves out 精选联盟 orders
(sold in creators' rooms, not by our anchors). 直播间用户支付金额 is shown under its own name and
never as 成交金额. When the room's 直播大屏 feed covers the session, the minute-level figures per
anchor shift and per product segment come with it (:mod:`shopops.domains.live.review_minutes`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from decimal import Decimal
from typing import Any

import duckdb

from shopops.domains.live.intervals import SESSION_GAP
from shopops.domains.live.review_minutes import MinuteReview, minute_review

AFFILIATE_SOURCE = "精选联盟"
FUNNEL_ORDER = ("曝光", "进入", "商品曝光", "点击", "成交")


@dataclass(frozen=True)
class FunnelStep:
    step: str
    people: int | None
    rate: float | None  # people / the previous step's people


@dataclass
class SessionReview:
    shop: str
    session_id: str
    date: dt.date
    title: str | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    gmv: Decimal | None  # 直播间成交金额 (整体看板)
    user_paid_amount: Decimal | None  # 直播间用户支付金额 — a different figure, labelled as such
    viewers: int | None
    buyers: int | None
    gpm: Decimal | None  # 成交金额 / 观看人数 × 1000
    view_to_buy_rate: float | None
    click_to_buy_rate: float | None
    avg_watch_seconds: float | None
    qianchuan_spend: Decimal | None
    qianchuan_roi: float | None  # 直播间成交金额 / 千川消耗
    funnel: list[FunnelStep] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    hours: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    anchors: list[dict[str, Any]] = field(default_factory=list)
    affiliate_excluded: bool = False
    minutes: MinuteReview | None = None  # the 直播大屏 feed's figures, when it covers the session

    def to_json(self) -> dict[str, Any]:
        data = {f.name: _jsonable(getattr(self, f.name)) for f in fields(self) if f.name != "minutes"}
        minutes = self.minutes
        data["minutes_feed"] = None if minutes is None else minutes.to_json()
        data["minutes_by_anchor"] = (
            [] if minutes is None else [s.to_json("anchor") for s in minutes.by_anchor]
        )
        data["minutes_by_product"] = (
            [] if minutes is None else [s.to_json("product") for s in minutes.by_product]
        )
        return data


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


def _div(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or denominator in (None, 0):
        return None
    return float(numerator) / float(denominator)


def _cents(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def list_sessions(
    con: duckdb.DuckDBPyConnection,
    *,
    session_id: str | None = None,
    date: dt.date | None = None,
    shop: str | None = None,
) -> list[tuple[str, str]]:
    """(shop, session_id) of the sessions asked for, in start order."""
    rows = con.execute(
        "SELECT shop, session_id FROM live_session WHERE (? IS NULL OR session_id = ?)"
        " AND (? IS NULL OR date = ?) AND (? IS NULL OR shop = ?) ORDER BY started_at, shop",
        [session_id, session_id, date, date, shop, shop],
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def review_session(
    con: duckdb.DuckDBPyConnection,
    shop: str,
    session_id: str,
    *,
    exclude_affiliate: bool = False,
    session_gap: dt.timedelta = SESSION_GAP,
) -> SessionReview:
    basic = con.execute(
        "SELECT date, title, started_at, ended_at, user_paid_amount FROM live_session"
        " WHERE shop = ? AND session_id = ?",
        [shop, session_id],
    ).fetchone()
    assert basic is not None, f"no session {session_id} of {shop}"
    date, title, started, ended, user_paid = basic
    overview = con.execute(
        "SELECT gmv, viewers, buyers, avg_watch_seconds FROM live_session_overview"
        " WHERE shop = ? AND session_id = ?",
        [shop, session_id],
    ).fetchone()
    gmv, viewers, buyers, watch = overview if overview is not None else (None, None, None, None)
    spend_row = con.execute(
        "SELECT sum(qianchuan_spend) FROM live_session_channel WHERE shop = ? AND session_id = ?",
        [shop, session_id],
    ).fetchone()
    spend = spend_row[0] if spend_row else None
    review = SessionReview(
        shop=shop,
        session_id=session_id,
        date=date,
        title=title,
        started_at=started,
        ended_at=ended,
        gmv=gmv,
        user_paid_amount=user_paid,
        viewers=viewers,
        buyers=buyers,
        gpm=_cents(_div(gmv * 1000, viewers)) if gmv is not None else None,
        view_to_buy_rate=_div(buyers, viewers),
        click_to_buy_rate=None,
        avg_watch_seconds=float(watch) if watch is not None else None,
        qianchuan_spend=spend,
        qianchuan_roi=_div(gmv, spend),
        affiliate_excluded=exclude_affiliate,
    )
    review.funnel = _funnel(con, shop, session_id)
    clicks = next((s.people for s in review.funnel if "点击" in s.step), None)
    review.click_to_buy_rate = _div(buyers, clicks)
    review.products = _rows(
        con,
        "SELECT product_id, title, exposures, clicks, units, gmv, buyers FROM live_session_item"
        " WHERE shop = ? AND session_id = ? ORDER BY gmv DESC, product_id",
        [shop, session_id],
    )
    review.channels = _rows(
        con,
        "SELECT channel, viewers, gmv, qianchuan_spend FROM live_session_channel"
        " WHERE shop = ? AND session_id = ? ORDER BY gmv DESC, channel",
        [shop, session_id],
    )
    if started is not None and ended is not None:
        review.hours = _by_hour(con, shop, started, ended, exclude_affiliate)
        review.anchors = _by_anchor(con, shop, started, ended, exclude_affiliate)
    if started is not None:
        review.minutes = minute_review(con, shop, started, ended, gap=session_gap)
    return review


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _funnel(con: duckdb.DuckDBPyConnection, shop: str, session_id: str) -> list[FunnelStep]:
    rows = con.execute(
        "SELECT step, people FROM live_session_funnel WHERE shop = ? AND session_id = ? ORDER BY source_row",
        [shop, session_id],
    ).fetchall()
    steps: list[FunnelStep] = []
    for step, people in rows:
        before = steps[-1].people if steps else None
        steps.append(FunnelStep(step, people, _div(people, before)))
    return steps


_LIVE_ORDERS = """
SELECT {group}, sum(payable) AS gmv, count(DISTINCT order_id) AS orders
FROM douyin_order_lines l {join}
WHERE l.shop = ? AND l.paid_at >= ? AND l.paid_at < ? AND coalesce(l.traffic_type, '') LIKE '%直播%'
  AND (NOT ? OR coalesce(l.traffic_source, '') NOT LIKE '%{affiliate}%')
GROUP BY ALL ORDER BY 1"""


def _by_hour(
    con: duckdb.DuckDBPyConnection, shop: str, start: dt.datetime, end: dt.datetime, exclude: bool
) -> list[dict[str, Any]]:
    sql = _LIVE_ORDERS.format(group="hour(l.paid_at) AS hour", join="", affiliate=AFFILIATE_SOURCE)
    return _rows(con, sql, [shop, start, end, exclude])


def _by_anchor(
    con: duckdb.DuckDBPyConnection, shop: str, start: dt.datetime, end: dt.datetime, exclude: bool
) -> list[dict[str, Any]]:
    """GMV of live orders paid in each anchor's slots (the slots overlapping the session)."""
    join = (
        "JOIN anchor_schedule a ON a.shop = l.shop AND l.paid_at >= a.starts_at AND l.paid_at < a.ends_at"
        f" AND a.starts_at < TIMESTAMP '{end}' AND a.ends_at > TIMESTAMP '{start}'"
    )
    sql = _LIVE_ORDERS.format(group="a.anchor", join=join, affiliate=AFFILIATE_SOURCE)
    return _rows(con, sql, [shop, start, end, exclude])


def live_review(
    con: duckdb.DuckDBPyConnection,
    *,
    session_id: str | None = None,
    date: dt.date | None = None,
    shop: str | None = None,
    exclude_affiliate: bool = False,
    session_gap: dt.timedelta = SESSION_GAP,
) -> list[SessionReview]:
    return [
        review_session(con, s, sid, exclude_affiliate=exclude_affiliate, session_gap=session_gap)
        for s, sid in list_sessions(con, session_id=session_id, date=date, shop=shop)
    ]
