"""`shopops live review`: 直播复盘 of one session or of every session on a day — and, when the room's
直播大屏 feed covers the session, its minutes per anchor shift and per product segment."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import click
import duckdb
import polars as pl
from rich.markup import escape
from rich.table import Table

from shopops.cli.context import default_day, err, open_workspace, out, user_errors
from shopops.cli.fitted_tables import Column, excerpt, omitted_line, print_tables
from shopops.cli.options import date_option, shop_option
from shopops.domains.live.live_settings import live_settings
from shopops.domains.live.review import SessionReview, live_review
from shopops.domains.live.review_minutes import MinuteReview, Segment
from shopops.errors import UserError


@click.command("review")
@click.option("--session", "session_id", help="The session's 直播ID (场次ID).")
@date_option("Every session that started that day (default: the latest complete day with a session).")
@shop_option("Only these shops' sessions; repeat or comma-separate for several.")
@click.option(
    "--exclude-affiliate", is_flag=True, help="Leave 精选联盟 orders out of GMV by hour and by anchor."
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
@user_errors
def review_command(
    ctx: click.Context,
    session_id: str | None,
    day: dt.date | None,
    shops: tuple[str, ...],
    exclude_affiliate: bool,
    output_format: str,
) -> None:
    """Funnel (曝光→进入→商品曝光→点击→成交), GMV by product, hour, channel and anchor, 千川 spend and ROI;
    with the 直播大屏 feed, the minutes per anchor shift and per product of the 直播计划."""
    workspace = open_workspace(ctx)
    if session_id is None and day is None:
        day = _latest_session_day(workspace.connection, default_day(workspace, None), shops)
    gap = dt.timedelta(minutes=live_settings(workspace.settings.raw).session_gap_minutes)
    reviews = [
        review
        for shop in shops or (None,)
        for review in live_review(
            workspace.connection,
            session_id=session_id,
            date=day,
            shop=shop,
            exclude_affiliate=exclude_affiliate,
            session_gap=gap,
        )
    ]
    if not reviews:
        what = f"session {session_id}" if session_id else f"sessions on {day:%Y-%m-%d}" if day else ""
        raise UserError(f"no {what} found — import the 罗盘 直播复盘 workbook first (`shopops import`)")
    if output_format == "json":
        click.echo(json.dumps([r.to_json() for r in reviews], ensure_ascii=False, indent=1))
        return
    for review in reviews:
        _print(review)
        _print_minutes(review)


def _latest_session_day(
    con: duckdb.DuckDBPyConnection, latest: dt.date | None, shops: Sequence[str]
) -> dt.date:
    """The latest complete day, or the last day before it that had a session (said on stderr)."""
    found = con.execute(
        "SELECT max(date) FROM live_session WHERE (? IS NULL OR date <= ?) AND (? OR list_contains(?, shop))",
        [latest, latest, not shops, list(shops)],
    ).fetchone()
    day = found[0] if found else None
    if day is None:
        raise UserError("no live session yet — import the 罗盘 直播复盘 workbook first (`shopops import`)")
    if day != latest:
        err.print(f"注意 {latest} 没有直播场次：复盘最近一天有场次的 {day}（或用 --date / --session 指定）")
    return day  # type: ignore[no-any-return]


LABELS = {
    "title": "商品",
    "units": "成交件数",
    "gmv": "成交金额",
    "channel": "渠道",
    "viewers": "观看人数",
    "qianchuan_spend": "千川消耗",
    "hour": "小时",
    "orders": "订单数",
    "anchor": "主播",
}


def _money(value: object) -> str:
    return "—" if value is None else f"{float(value):,.2f}"  # type: ignore[arg-type]


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _print(review: SessionReview) -> None:
    out.print(
        f"[bold]{review.shop} · {review.title or review.session_id}[/]（{review.session_id}，{review.date}）"
    )
    out.print(
        f"直播间成交金额 {_money(review.gmv)}；直播间用户支付金额 {_money(review.user_paid_amount)}（另一口径，不是成交金额）"
    )
    out.print(
        f"观看人数 {review.viewers or '—'}，GPM（成交金额/观看人数×1000）{_money(review.gpm)}，"
        f"观看-成交率 {_ratio(review.view_to_buy_rate)}，商品点击-成交率 {_ratio(review.click_to_buy_rate)}，"
        f"平均停留 {'—' if review.avg_watch_seconds is None else f'{review.avg_watch_seconds:.0f} 秒'}"
    )
    out.print(f"千川消耗 {_money(review.qianchuan_spend)}，千川ROI {_money(review.qianchuan_roi)}")
    funnel = Table("环节", "人数", "转化率", title="转化漏斗")
    for step in review.funnel:
        funnel.add_row(step.step, str(step.people or "—"), _ratio(step.rate))
    out.print(funnel)
    for title, rows, columns in (
        ("商品", review.products, ("title", "units", "gmv")),
        ("渠道", review.channels, ("channel", "viewers", "gmv", "qianchuan_spend")),
        ("小时（抖店订单）", review.hours, ("hour", "orders", "gmv")),
        ("主播（排班表）", review.anchors, ("anchor", "orders", "gmv")),
    ):
        excluded = review.affiliate_excluded and title.startswith(("小时", "主播"))
        table = Table(*(LABELS[c] for c in columns), title=title + ("，不含精选联盟" if excluded else ""))
        for row in rows:
            table.add_row(*("—" if row[c] is None else str(row[c]) for c in columns))
        out.print(table)


# -- the minutes (直播大屏) ---------------------------------------------------------------------

# Priority: 0 always shown; the larger, the sooner left out of a narrow terminal (at 80 columns
# 商品点击率, 消耗 and 订单 go first: ROI and the conversions say more about a shift).
MINUTE_COLUMNS = (
    Column("name", "名称", "text", 0),
    Column("span", "时段", "text", 0),
    Column("minutes", "分钟", "seconds", 0),  # "seconds": one decimal, as minutes need
    Column("gmv", "成交金额", "money", 0),
    Column("orders", "成交\n订单", "count", 5),
    Column("gmv_per_minute", "每分钟\n成交", "money", 0),
    Column("view_to_order_rate", "观看-\n成交率", "ratio", 2),
    Column("click_to_order_rate", "点击-\n成交率", "ratio", 4),
    Column("product_click_rate", "商品\n点击率", "ratio", 7),
    Column("spend", "消耗", "money", 6),
    Column("roi", "ROI", "money", 1),
    Column("gmv_share", "成交\n占比", "ratio", 3),
)
NAME_WIDTH = 12  # terminal cells of a product's name in the table (json gives it whole)
NO_FEED = "分钟级复盘：没有覆盖本场的直播大屏采集（直播大屏累计数据，live_board）— 直播时放进 inbox/live/，或直播后 shopops import"
NO_SHIFTS = "按主播：没有本场的主播排班表，大屏也没写主播 — 导入主播排班表（日期、主播、上播时间、下播时间）"
NO_PLAN = "按商品：没有本场带商品的直播计划 — shopops template live-plan 填好排品后 shopops import"


def _print_minutes(review: SessionReview) -> None:
    minutes = review.minutes
    if minutes is None:
        out.print(escape(NO_FEED))
        return
    span = "—" if review.started_at is None else _span(review.started_at, review.ended_at)
    out.print(
        f"直播大屏 {escape(minutes.room or minutes.shop)}：{minutes.snapshots} 次采集，"
        f"{_span(minutes.start, minutes.end)}（本场 {span}），{minutes.total.intervals} 个区间"
    )
    out.print("每个区间整段归给它中点时的主播/商品；比率由各段的增量合计重算")
    omitted: list[str] = []
    lines: list[str] = []
    for title, header, segments, missing, other in (
        ("分钟级 · 按主播班次", "主播", minutes.by_anchor, NO_SHIFTS, "（未排班）"),
        ("分钟级 · 按商品段落（直播计划排品）", "商品", minutes.by_product, NO_PLAN, "（计划外）"),
    ):
        if not segments:
            lines.append(missing)
            continue
        columns = [Column("name", header, "text", 0), *MINUTE_COLUMNS[1:]]
        left_out = print_tables(out, _frame(segments, minutes, other), columns, title, split=False)
        omitted += [label for label in left_out if label not in omitted]
    notes = minutes.notes()
    if notes:
        lines.append("采集情况：" + "；".join(notes))
    for line in (omitted_line(omitted), *lines):
        if line:
            out.print(escape(line))


def _frame(segments: Sequence[Segment], minutes: MinuteReview, other: str) -> pl.DataFrame:
    rows = [_row(s, other) for s in segments]
    rows.append(_row(minutes.total, "合计"))
    return pl.DataFrame(rows, infer_schema_length=None)


def _row(segment: Segment, unnamed: str) -> dict[str, object]:
    return {
        "name": excerpt(segment.name or unnamed, NAME_WIDTH),
        "span": _span(segment.start, segment.end),
        "minutes": segment.minutes,
        "gmv": segment.gmv,
        "orders": segment.orders,
        "gmv_per_minute": segment.gmv_per_minute,
        "view_to_order_rate": segment.view_to_order_rate,
        "click_to_order_rate": segment.click_to_order_rate,
        "product_click_rate": segment.product_click_rate,
        "spend": segment.spend,
        "roi": segment.roi,
        "gmv_share": segment.gmv_share,
    }


def _span(start: dt.datetime, end: dt.datetime | None) -> str:
    return f"{start:%H:%M}–{'—' if end is None else f'{end:%H:%M}'}"
