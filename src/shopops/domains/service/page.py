"""The 客服 page (`/service`): the agent table of a window, one agent's daily trend, the team's trend
against the shop's 支付转化率, and the agent's coaching card — scoped like every other page.

Agents are people of our shops: the table, the pickers, the trend and the card only ever read the
shops the user may see (``ScopedData.shops_for``); asking for another shop (``shop=``) or for an
agent of another shop (``agent=shop|person``) is refused like on every page, without naming it.
Agent names come from the imported files: they reach the page as escaped text and its charts as
JSON through ``json_script``, never as markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shopops.domains.service.agents import CONVERSION_LABELS, Conversion, agent_table, summarize
from shopops.domains.service.coaching import CoachCard, Figure, coach
from shopops.domains.service.records import load_records
from shopops.domains.service.sheet import (
    COLUMNS,
    GROUPS,
    TeamTotal,
    cell_text,
    columns,
    shop_gmv,
    team_totals,
)
from shopops.domains.service.team import team_trend
from shopops.errors import UserError
from shopops.web.app import Auth, AuthDep, render
from shopops.web.data import Forbidden, ScopedData
from shopops.web.routes.pages import FromDay, ToDay, check_day, chosen_shops, date_range

WINDOW_DAYS = 30  # the default window, ending on the last day with 客服 data
WEEKLY_AFTER = 62  # a longer window shows the team's trend by week (日累加)
UNIT_KINDS = {"ratio": "percent", "seconds": "seconds", "money": "money", "per100": "per100"}
TREND = ("inquiry_conversion", "avg_response_seconds", "sales")  # the agent's daily lines

router = APIRouter(include_in_schema=False)


@dataclass
class ServicePage:
    has_data: bool  # any 客服 data in the user's shops at all
    first: dt.date | None  # the first and last day with 客服 data (the user's shops)
    last: dt.date | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conversion_label: str = ""
    attributions: list[str] = field(default_factory=list)  # options stored in the user's shops
    teams: list[TeamTotal] = field(default_factory=list)
    agents: list[tuple[str, str]] = field(default_factory=list)  # (key, label) for the picker
    agent: str = ""  # the chosen agent's key (shop|person)
    agent_name: str = ""
    agent_shop: str = ""
    trend: dict[str, Any] | None = None  # the chosen agent's days (JSON for the chart)
    trend_days: list[dict[str, str]] = field(default_factory=list)  # the same as text, newest first
    team_trend: dict[str, Any] | None = None  # the team against the shop (JSON for the chart)
    team_by: str = "day"
    card: dict[str, Any] | None = None  # the chosen agent's coaching card (text)
    card_problem: str = ""  # why there is no card (no day rows that month …)


def service_days(data: ScopedData, shops: list[str]) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day any 客服 export of these shops covers."""
    if not shops:
        return None, None
    row = data.cursor.execute(
        "SELECT min(period_start), max(period_end) FROM service_agent_period"
        " WHERE shop IN (SELECT unnest($shops::VARCHAR[]))",
        {"shops": shops},
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def attribution_options(data: ScopedData, shops: list[str]) -> list[str]:
    rows = data.cursor.execute(
        "SELECT DISTINCT attribution FROM service_agent_period WHERE attribution <> ''"
        " AND shop IN (SELECT unnest($shops::VARCHAR[])) ORDER BY 1",
        {"shops": shops},
    ).fetchall()
    return [str(r[0]) for r in rows]


def agent_key(shop: str, person: str) -> str:
    return f"{shop}|{person}"


def checked_agent(data: ScopedData, agent: str) -> None:
    """An agent of a shop outside the user's scope is refused (the message never names the shop)."""
    for shop in data.all_shops:
        if agent.startswith(shop + "|") and shop not in data.allowed:
            raise Forbidden("无权查看该店铺或店铺不存在 (no such shop, or not yours)")


def table_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The agent table as text cells ("—" for unknown) with the raw values for sorting."""
    rows = []
    for record in frame.iter_rows(named=True):
        shop, person, accounts = record["shop"], record["agent"], record["accounts"] or ""
        cells = [
            {"key": key, "text": cell_text(kind, record[key]), "sort": _sort_value(record[key])}
            for key, _, kind in COLUMNS
            if key != "agent"
        ]
        rows.append(
            {
                "key": agent_key(shop, person),
                "agent": person,
                # the accounts, when they say more than the name (a renamed 旺旺, another nickname)
                "accounts": "" if accounts in (person, f"{shop}:{person}") else accounts,
                "status": record["status"] or "",
                "provisional": bool(record["provisional"]),
                "cells": cells,
            }
        )
    return rows


def team_rows(teams: list[TeamTotal]) -> list[dict[str, Any]]:
    """The team totals as text cells, one row per shop."""
    kinds = (
        ("agents", "count"),
        ("receptions", "count"),
        ("inquiries", "count"),
        ("inquiry_buyers", "count"),
        ("inquiry_conversion", "percent"),
        ("sales", "money"),
        ("gmv", "money"),
        ("sales_share", "percent"),
        ("avg_response_seconds", "seconds"),
    )
    return [
        {
            "shop": team.shop,
            "provisional": team.provisional,
            "cells": [{"key": key, "text": cell_text(kind, getattr(team, key))} for key, kind in kinds],
        }
        for team in teams
    ]


def _sort_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def agent_trend(
    data: ScopedData,
    shop: str,
    person: str,
    start: dt.date,
    end: dt.date,
    conversion: Conversion,
    attribution: str | None,
) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
    """One agent's day rows in the window: 询单转化率, 平均响应 and 销售额 per day (None: no day rows)."""
    records = load_records(data.cursor, start, end, [shop], attribution=attribution).frame
    days = records.filter(
        (pl.col("person") == person) & (pl.col("period_start") == pl.col("period_end"))
    ).with_columns(basis=pl.lit("days"))
    if days.is_empty():
        return None
    per_day = summarize(days, conversion, keys=("shop", "person", "period_start"))
    by_day = {r["period_start"]: r for r in per_day.iter_rows(named=True)}
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    series: dict[str, Any] = {"dates": [d.isoformat() for d in dates], "label": person}
    for key, digits in zip(TREND, (4, 1, 2), strict=True):
        series[key] = [_rounded(by_day.get(d, {}).get(key), digits) for d in dates]
    series["provisional"] = [bool(by_day.get(d, {}).get("provisional")) for d in dates]
    listed = [
        {
            "date": day.isoformat(),
            "inquiries": cell_text("count", row["inquiries"]),
            "inquiry_conversion": cell_text("percent", row["inquiry_conversion"]),
            "avg_response_seconds": cell_text("seconds", row["avg_response_seconds"]),
            "sales": cell_text("money", row["sales"]),
            "provisional": "暂定" if row["provisional"] else "",
        }
        for day, row in sorted(by_day.items(), reverse=True)
    ]
    return series, listed


def _rounded(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def build_page(
    data: ScopedData,
    shops: list[str],
    start: dt.date,
    end: dt.date,
    *,
    group: str | None,
    agent: str,
    conversion: Conversion,
    attribution: str | None,
) -> ServicePage:
    first, last = service_days(data, list(data.allowed))
    page = ServicePage(has_data=first is not None, first=first, last=last)
    if not page.has_data or not shops:
        return page
    table = agent_table(
        data.cursor, start, end, shops, group=group, attribution=attribution, conversion=conversion
    )
    page.rows = table_rows(table.frame)
    if not page.rows:  # nothing in this window: the page says which days have data
        return page
    page.notes = table.notes
    page.conversion_label = CONVERSION_LABELS[conversion]
    page.attributions = attribution_options(data, shops)
    page.teams = team_totals(
        data.cursor,
        start,
        end,
        shops,
        group=group,
        attribution=attribution,
        conversion=conversion,
        gmv=shop_gmv(data.master_table(start, end, shops=shops)),  # cached until the next import
    )
    page.agents = [(r["key"], f"{r['agent']} · {r['cells'][0]['text']}") for r in page.rows]
    page.team_by = "week" if (end - start).days + 1 > WEEKLY_AFTER else "day"
    page.team_trend = team_series(
        team_trend(
            data.cursor,
            start,
            end,
            shops,
            by="week" if page.team_by == "week" else "day",
            group=group,
            conversion=conversion,
            attribution=attribution,
        )
    )
    if agent:
        checked_agent(data, agent)
    chosen = agent or (page.rows[0]["key"] if page.rows else "")
    shop = next((s for s in shops if chosen.startswith(s + "|")), None)
    if shop is None:
        return page
    page.agent, page.agent_shop, page.agent_name = chosen, shop, chosen[len(shop) + 1 :]
    trend = agent_trend(data, shop, page.agent_name, start, end, conversion, attribution)
    if trend is not None:
        page.trend, page.trend_days = trend
    month = end.strftime("%Y-%m")
    try:
        page.card = card_view(coach(data.cursor, page.agent_name, month, [shop]))
    except UserError as error:
        page.card_problem = str(error)
    return page


def team_series(frame: pl.DataFrame) -> dict[str, Any] | None:
    """Per shop: the team's 询单转化率 against the shop's 支付转化率 (dashed), and 客服销售额占比."""
    if frame.is_empty():
        return None
    dates = sorted(set(frame["period"].to_list()))
    lines = []
    for index, shop in enumerate(sorted(set(frame["shop"].to_list()))):
        rows = {r["period"]: r for r in frame.filter(pl.col("shop") == shop).iter_rows(named=True)}
        for key, label, style in (
            ("inquiry_conversion", "询单转化率（客服）", "solid"),
            ("conversion_rate", "支付转化率（店铺）", "dashed"),
            ("service_sales_share", "客服销售额占比", "dotted"),
        ):
            values = [_rounded(rows[d][key], 4) if d in rows else None for d in dates]
            lines.append({"label": f"{shop} {label}", "values": values, "shop": index, "style": style})
    return {"dates": [d.isoformat() for d in dates], "lines": lines}


def _figure_text(figure: Figure, value: float | None) -> str:
    kind = UNIT_KINDS[figure.unit]
    if kind == "per100":
        return "—" if value is None else f"{value:.2f}"
    return cell_text(kind, value)


def card_view(card: CoachCard) -> dict[str, Any]:
    """The coaching card as text: the 3 weakest figures against the team's median, with the agent's
    own months and the worst days, and what changed since last month."""
    weakest = [
        {
            "label": f.label,
            "value": _figure_text(f, f.value),
            "median": _figure_text(f, f.team_median),
            "shortfall": "—" if f.shortfall is None else f"{f.shortfall:.0%}",
            "better": "越低越好" if f.better == "down" else "越高越好",
            "history": [(month, _figure_text(f, v)) for month, v in f.history],
            "days": [
                (d.date.isoformat(), _figure_text(f, d.value), _figure_text(f, d.team_median))
                for d in f.worst_days
            ],
        }
        for f in card.weakest
    ]
    changes = []
    for c in card.changes:
        figure = Figure(c.key, c.label, c.unit, "", None, None, None)
        moved = (
            f"{c.change * 100:+.1f}pp"
            if c.unit == "ratio"
            else (f"{c.change:+.0%}" if c.unit in ("seconds", "money") else f"{c.change:+.2f}")
        )
        changes.append(
            {
                "label": c.label,
                "before": _figure_text(figure, c.before),
                "after": _figure_text(figure, c.after),
                "change": moved,
                "better": c.better,
            }
        )
    return {
        "person": card.person,
        "shop": card.shop,
        "group": card.group or "",
        "month": card.month,
        "previous_month": card.previous_month,
        "days": card.days,
        "team_size": card.team_size,
        "span": f"{card.start} ~ {card.end}",
        "weakest": weakest,
        "changes": changes,
        "notes": card.notes,
    }


Group = Literal["", "售前", "售后"]


@router.get("/service", response_class=HTMLResponse)
def service(
    request: Request,
    auth: AuthDep,
    shop: str | None = None,
    group: Group = "",
    agent: str = "",
    conversion: Conversion = "paid",
    attribution: str = "",
    start: FromDay = None,
    end: ToDay = None,
) -> Response:
    shops = chosen_shops(auth, shop)
    if agent:
        checked_agent(auth.data, agent)
    start, end = window(auth, shops, start, end)
    page = build_page(
        auth.data,
        shops,
        start,
        end,
        group=group or None,
        agent=agent,
        conversion=conversion,
        attribution=attribution or None,
    )
    return render(
        request,
        "service.html",
        auth,
        view=page,
        columns=[(key, label) for key, label, _ in columns(conversion)],
        team_rows=team_rows(page.teams),
        groups=GROUPS,
        group=group,
        conversion=conversion,
        conversions=CONVERSION_LABELS,
        attribution=attribution,
        start=start.isoformat(),
        end=end.isoformat(),
        shops=auth.data.shops(),
        shop=shop or "",
    )


def window(
    auth: Auth, shops: list[str], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The asked window, else the last WINDOW_DAYS days with 客服 data (not before the first)."""
    first, last = service_days(auth.data, shops)
    asked_start = start
    start, end = date_range(auth, start, check_day(end) or last, WINDOW_DAYS)
    if asked_start is None and first is not None and first > start:
        start = min(first, end)
    return start, end
