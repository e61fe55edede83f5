"""客服: the agent table of the report's period and the team's totals, in the 日报/周报/月报.

Written only when the period has 客服 data of the report's shops. Every ratio is recomputed from the
sums (询单转化率 over the settled days, see ``agents``); a row whose 询单->最终付款 has not settled yet
is marked 暂定; the lines every output of the agent table carries (口径, attribution option, 日累加)
are written under it. 客服销售额占比 = 客服销售额 ÷ 支付金额 over the days the team's rows cover,
unknown when the 支付金额 of one of those days is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import duckdb
import polars as pl

from shopops.domains.service.agents import CONVERSION_LABELS, Conversion, agent_table, summarize
from shopops.domains.service.records import choose_periods, load_records
from shopops.metrics.master import master_table
from shopops.reports.workbook.book import Book
from shopops.reports.workbook.cells import DASH, write_number, write_text

SHEET = "客服"
GROUPS = ("售前", "售后")
# The agent table's columns: key, 中文 header, kind (how a value is shown: see cell_text / KIND_STYLES)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("agent", "客服", "text"),
    ("shop", "店铺", "text"),
    ("group", "分组", "text"),
    ("days", "天数", "count"),
    ("receptions", "接待人数", "count"),
    ("inquiries", "询单人数", "count"),
    ("inquiry_buyers", "询单->最终付款人数", "count"),
    ("inquiry_conversion", "询单转化率", "percent"),
    ("sales", "客服销售额", "money"),
    ("sales_orders", "销售订单数", "count"),
    ("aov", "客单价", "money"),
    ("avg_response_seconds", "平均响应(秒)", "seconds"),
    ("first_response_seconds", "首次响应(秒)", "seconds"),
    ("reply_rate", "回复率", "percent"),
    ("slow_responses", "慢响应人数", "count"),
    ("satisfaction_rate", "满意率", "percent"),
    ("refund_amount", "完成退款金额", "money"),
)
BUYERS_LABELS = {"paid": "询单->最终付款人数", "ordered": "询单->最终下单人数"}
KIND_STYLES = {"count": "count", "percent": "percent", "money": "money", "seconds": "multiple"}  # 0.00 s
PROVISIONAL = "暂定"


def columns(conversion: Conversion) -> list[tuple[str, str, str]]:
    """COLUMNS with the converted buyers named after the 口径 in use (付款 or 下单)."""
    return [
        (key, BUYERS_LABELS[conversion] if key == "inquiry_buyers" else label, kind)
        for key, label, kind in COLUMNS
    ]


def cell_text(kind: str, value: Any) -> str:
    """A value as the page shows it: "—" when unknown, 12.34%, ¥1,234.56, 10.8 (seconds), 1,234."""
    if value is None:
        return DASH
    if kind == "percent":
        return f"{float(value):.2%}"
    if kind == "money":
        return f"¥{Decimal(value):,.2f}"
    if kind == "seconds":
        return f"{float(value):,.1f}"
    if kind == "count":
        return f"{int(value):,}"
    return str(value)


@dataclass(frozen=True)
class TeamTotal:
    """One shop's team (or one group of it) over the window: sums, and ratios from the sums."""

    shop: str
    group: str  # 售前 / 售后, or "" for the whole team
    agents: int
    receptions: int | None
    inquiries: int | None
    inquiry_buyers: int | None  # over the settled periods
    inquiry_conversion: float | None  # inquiry_buyers ÷ the settled periods' 询单人数
    sales: Decimal | None
    gmv: Decimal | None  # the shop's 支付金额 over the days the team's rows cover
    sales_share: float | None  # sales ÷ gmv
    avg_response_seconds: float | None  # weighted by receptions
    provisional: bool


def team_totals(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    group: str | None = None,
    attribution: str | None = None,
    conversion: Conversion = "paid",
    gmv: Mapping[tuple[str, dt.date], Decimal | None] | None = None,
) -> list[TeamTotal]:
    """Per shop: the team's sums over the window's chosen rows (the agent table's rows, added up);
    ``gmv``: the shops' 支付金额 per (shop, day) when the caller has them (default: the 总表's)."""
    records = load_records(con, start, end, shops, attribution=attribution)
    chosen = choose_periods(records.frame, start, end)
    if group is not None and not chosen.is_empty():
        chosen = chosen.filter(pl.col("agent_group") == group)
    if chosen.is_empty():
        return []
    if gmv is None:
        gmv = shop_gmv(master_table(con, start, end, shops=sorted(set(chosen["shop"].to_list()))))
    totals = summarize(chosen, conversion, keys=("shop",))
    people = chosen.group_by("shop").agg(pl.col("person").n_unique().alias("n"))
    count = dict(zip(people["shop"].to_list(), people["n"].to_list(), strict=True))
    found = []
    for row in totals.sort("shop").iter_rows(named=True):
        shop = row["shop"]
        covered = _covered_days(chosen.filter(pl.col("shop") == shop))
        day_gmv = [gmv.get((shop, day)) for day in covered]
        known = bool(covered) and all(v is not None for v in day_gmv)
        total_gmv = sum((v for v in day_gmv if v is not None), Decimal(0)) if known else None
        sales = row["sales"]
        share = float(sales) / float(total_gmv) if sales is not None and total_gmv else None
        found.append(
            TeamTotal(
                shop=shop,
                group=group or "",
                agents=int(count.get(shop, 0)),
                receptions=row["receptions"],
                inquiries=row["inquiries"],
                inquiry_buyers=row["inquiry_buyers"],
                inquiry_conversion=row["inquiry_conversion"],
                sales=sales,
                gmv=total_gmv,
                sales_share=share,
                avg_response_seconds=row["avg_response_seconds"],
                provisional=bool(row["provisional"]),
            )
        )
    return found


def _covered_days(rows: pl.DataFrame) -> list[dt.date]:
    days: set[dt.date] = set()
    for first, last in rows.select("period_start", "period_end").unique().iter_rows():
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return sorted(days)


def shop_gmv(frame: pl.DataFrame) -> dict[tuple[str, dt.date], Decimal | None]:
    """The 总表's 支付金额 (its source precedence) per shop and day of a day-grain master table."""
    return {
        (row["shop"], row["date"]): None if row["gmv"] is None else Decimal(str(row["gmv"]))
        for row in frame.select("shop", "date", "gmv").iter_rows(named=True)
    }


def service_sheet(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> Callable[[Book], None] | None:
    """The domain's sheet part: the 客服 sheet's writer for the report period, None without 客服 data.

    The writer reads the figures of the report's own shops only (a report for one shop never names
    another's agents) and writes nothing when those shops have none."""
    found = con.execute(
        "SELECT count(*) FROM service_agent_period WHERE period_start >= ? AND period_end <= ?",
        [start, end],
    ).fetchone()
    if not found or not found[0]:
        return None
    return partial(write_service, con=con, start=start, end=end)


def write_service(book: Book, *, con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    shops = [name for name, _ in book.data.shops]
    table = agent_table(con, start, end, shops)
    if table.frame.is_empty():
        return
    teams = team_totals(con, start, end, shops)
    styles = book.styles
    worksheet = book.add_sheet(SHEET)
    book.title(
        worksheet,
        "客服",
        f"客服绩效 {start} ~ {end} · 询单转化率 = {CONVERSION_LABELS[table.conversion]}，由合计重算"
        " · 金额单位：元 · “—” = 无数据或无法计算（不是 0） · 暂定 = 询单->最终付款尚未结算",
    )
    headers = [label for _, label, _ in columns(table.conversion)] + [PROVISIONAL]
    worksheet.set_column(0, 1, 14)
    worksheet.set_column(2, 3, 7)
    worksheet.set_column(4, len(headers) - 2, 11)
    worksheet.set_column(len(headers) - 1, len(headers) - 1, 7)
    write_text(worksheet, 3, 0, "客服明细", styles["heading"])
    for column, text in enumerate(headers):
        write_text(worksheet, 4, column, text, styles["header"])
    worksheet.set_row(4, 30)
    worksheet.freeze_panes(5, 1)
    row = 5
    for record in table.frame.iter_rows(named=True):
        for column, (key, _, kind) in enumerate(COLUMNS):
            _write(book, worksheet, row, column, kind, record[key])
        write_text(worksheet, row, len(COLUMNS), PROVISIONAL if record["provisional"] else "", styles["text"])
        row += 1
    for line in table.notes:
        write_text(worksheet, row, 0, line, styles["note"])
        row += 1
    _write_teams(book, worksheet, row + 1, teams, table.conversion)
    worksheet.fit_to_pages(1, 0)


TEAM_HEADERS = (
    "店铺",
    "客服人数",
    "接待人数",
    "询单人数",
    "询单->最终付款人数",
    "询单转化率",
    "客服销售额",
    "支付金额",
    "客服销售额占比",
    "平均响应(秒)",
    PROVISIONAL,
)


def _write_teams(
    book: Book, worksheet: Any, row: int, teams: list[TeamTotal], conversion: Conversion
) -> None:
    styles = book.styles
    write_text(worksheet, row, 0, "团队合计", styles["heading"])
    headers = [BUYERS_LABELS[conversion] if h == "询单->最终付款人数" else h for h in TEAM_HEADERS]
    for column, text in enumerate(headers):
        write_text(worksheet, row + 1, column, text, styles["header"])
    worksheet.set_row(row + 1, 30)
    row += 2
    for team in teams:
        write_text(worksheet, row, 0, team.shop, styles["text"])
        values = (
            ("count", team.agents),
            ("count", team.receptions),
            ("count", team.inquiries),
            ("count", team.inquiry_buyers),
            ("percent", team.inquiry_conversion),
            ("money", team.sales),
            ("money", team.gmv),
            ("percent", team.sales_share),
            ("seconds", team.avg_response_seconds),
        )
        for column, (kind, value) in enumerate(values, start=1):
            _write(book, worksheet, row, column, kind, value)
        write_text(worksheet, row, len(values) + 1, PROVISIONAL if team.provisional else "", styles["text"])
        row += 1
    write_text(
        worksheet,
        row,
        0,
        "团队合计：人数与金额为各客服之和，询单转化率由合计重算；客服销售额占比 = 客服销售额 ÷ 支付金额"
        "（支付金额取团队数据覆盖的日期，任一天未知则为“—”）",
        styles["note"],
    )


def _write(book: Book, worksheet: Any, row: int, column: int, kind: str, value: Any) -> None:
    styles = book.styles
    if kind == "text":
        write_text(worksheet, row, column, value, styles["text"])
        return
    number = None if value is None else float(value)
    write_number(worksheet, row, column, number, styles[KIND_STYLES[kind]], styles["dash"])
