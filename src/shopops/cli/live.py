"""`shopops live review`: 直播复盘 of one session or of every session on a day."""

from __future__ import annotations

import datetime as dt
import json

import click
from rich.table import Table

from shopops.analysis.live.review import SessionReview, live_review
from shopops.cli.context import open_workspace, out, user_errors
from shopops.errors import UserError


@click.group("live")
def live_group() -> None:
    """直播: the review (复盘) of live sessions from 罗盘, 抖店 orders, 千川 and the 主播排班表."""


@live_group.command("review")
@click.option("--session", "session_id", help="The session's 直播ID (场次ID).")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Every session that started that day.")
@click.option("--shop", help="Only this shop's sessions.")
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
    day: dt.datetime | None,
    shop: str | None,
    exclude_affiliate: bool,
    output_format: str,
) -> None:
    """Funnel (曝光→进入→商品曝光→点击→成交), GMV by product, hour, channel and anchor, 千川 spend and ROI."""
    if session_id is None and day is None:
        raise UserError("say which session: --session 直播ID or --date YYYY-MM-DD")
    workspace = open_workspace(ctx)
    reviews = live_review(
        workspace.connection,
        session_id=session_id,
        date=day.date() if day else None,
        shop=shop,
        exclude_affiliate=exclude_affiliate,
    )
    if not reviews:
        what = f"session {session_id}" if session_id else f"sessions on {day:%Y-%m-%d}" if day else ""
        raise UserError(f"no {what} found — import the 罗盘 直播复盘 workbook first (`shopops import`)")
    if output_format == "json":
        click.echo(json.dumps([r.to_json() for r in reviews], ensure_ascii=False, indent=1))
        return
    for review in reviews:
        _print(review)


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
