"""The server-rendered pages: 总览, 总表 (+ downloads), 趋势, 异常, 目标, 导入, 口径, 设置."""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from shopops import health
from shopops.analysis.anomalies.finding import SEVERITIES
from shopops.analysis.anomalies.ranking import ranked
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.platforms import PLATFORM_LABELS
from shopops.reports.export import to_csv, write_xlsx
from shopops.web import accounts, master_view, views
from shopops.web.app import Auth, AuthDep, render
from shopops.web.data import Forbidden
from shopops.web.routes.tokens import token_section

router = APIRouter(include_in_schema=False)

Grain = Literal["day", "week", "month"]
FromDay = Annotated[dt.date | None, Query(alias="from")]
ToDay = Annotated[dt.date | None, Query(alias="to")]


def chosen_shops(auth: Auth, shop: str | None) -> list[str]:
    return auth.data.shops_for([shop] if shop else None)


EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
MAX_DAYS = 1100


def check_day(day: dt.date | None) -> dt.date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise UserError(f"日期 {day} 超出范围 (dates run from {EARLIEST} to {LATEST})")
    return day


def latest_day(auth: Auth, day: dt.date | None) -> dt.date:
    return check_day(day) or auth.data.data_dates()[1] or dt.date.today()


def pickers(auth: Auth, shop: str | None, day: dt.date) -> dict[str, Any]:
    return {"shops": auth.data.shops(), "shop": shop or "", "day": day.isoformat()}


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request, auth: AuthDep, shop: str | None = None, date: dt.date | None = None
) -> Response:
    shops = chosen_shops(auth, shop)
    day = latest_day(auth, date)
    cards = views.kpi_cards(auth.data, day, shops, auth.lang) if shops else []
    # Cards over shops of several platforms add different 口径: say so under them.
    basis = (
        views.basis_note_of(auth.data.master_table(day, day, shops=shops, total=True))
        if len(shops) > 1
        else None
    )
    # The day's top findings by money at stake (alerts.budget); the rest are one link away.
    top, more = views.top_findings(auth.data.findings(day, day, shops), auth.data.alert_settings().budget)
    findings = views.finding_rows(top, auth.data.notes(day, day), auth.data.allowed, auth.lang)
    paces = [p for p in views.pacing_rows(auth.data.pacing(day, forecasts=False)) if p["kind"] != "ratio"]
    partial = [p.text() for p in auth.data.partial_days() if p.date == day and p.shop in shops]
    return render(
        request,
        "overview.html",
        auth,
        day_incomplete=partial,
        cards=cards,
        basis_note=basis,
        findings=findings,
        findings_more=more,
        paces=paces,
        **pickers(auth, shop, day),
    )


def date_range(auth: Auth, start: dt.date | None, end: dt.date | None, days: int) -> tuple[dt.date, dt.date]:
    end = latest_day(auth, end)
    start = check_day(start) or end - dt.timedelta(days=days - 1)
    if start > end:
        start, end = end, start
    if (end - start).days > MAX_DAYS:
        raise UserError(f"日期范围太长 (at most {MAX_DAYS} days at a time)")
    return start, end


@router.get("/table", response_class=HTMLResponse)
def table(
    request: Request,
    auth: AuthDep,
    shop: str | None = None,
    start: FromDay = None,
    end: ToDay = None,
    grain: Grain = "day",
    empty: bool = False,
) -> Response:
    shops = chosen_shops(auth, shop)
    start, end = date_range(auth, start, end, 14 if grain == "day" else 90)
    frame = auth.data.master_table(start, end, shops=shops, grain=grain, total=len(shops) > 1)
    # The sections this user chose (remembered, see POST /table/columns); empty columns on request.
    hidden = master_view.hidden_sections(auth.data.preference(master_view.PREFERENCE))
    query = {k: v for k, v in request.query_params.items() if k != "empty"}
    return render(
        request,
        "table.html",
        auth,
        table=master_view.table_view(frame, grain, hidden=hidden, show_empty=empty, lang=auth.lang),
        back=request.url.path + ("?" + urlencode(query) if query else ""),
        show_empty_url="/table?" + urlencode(query | {"empty": "1"}),
        hide_empty_url="/table" + ("?" + urlencode(query) if query else ""),
        start=start.isoformat(),
        end=end.isoformat(),
        grain=grain,
        **pickers(auth, shop, end),
    )


@router.get("/table/download")
def table_download(
    auth: AuthDep,
    shop: str | None = None,
    start: FromDay = None,
    end: ToDay = None,
    grain: Grain = "day",
    format: Literal["csv", "xlsx"] = "xlsx",
) -> Response:
    shops = chosen_shops(auth, shop)
    start, end = date_range(auth, start, end, 14 if grain == "day" else 90)
    frame = auth.data.master_table(start, end, shops=shops, grain=grain, total=len(shops) > 1)
    name = f"master_{start}_{end}_{grain}"
    if format == "csv":
        return Response(
            to_csv(frame).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    catalog = load_catalog()
    buffer = io.BytesIO()
    write_xlsx(
        frame,
        buffer,
        labels={k: m.label for k, m in catalog.metrics.items()}
        | {"date": "日期", "shop": "店铺", "platform": "平台"},
        units={k: m.unit for k, m in catalog.metrics.items()},
        notes={k: m.definition for k, m in catalog.metrics.items()},
    )
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/trends", response_class=HTMLResponse)
def trends(
    request: Request,
    auth: AuthDep,
    shop: str | None = None,
    metric: str = views.TREND_DEFAULT,
    start: FromDay = None,
    end: ToDay = None,
) -> Response:
    catalog = load_catalog()
    if metric not in catalog.metrics:
        metric = views.TREND_DEFAULT
    shops = chosen_shops(auth, shop)
    asked_start = start
    start, end = date_range(auth, start, end, 60)
    first = auth.data.data_dates()[0]
    if asked_start is None and first is not None and first > start:
        start = min(first, end)
    series = views.trend_series(auth.data, metric, shops, start, end)
    choices = [(m.key, m.label) for m in catalog.metrics.values() if not m.channel]
    return render(
        request,
        "trends.html",
        auth,
        series=series,
        metrics=choices,
        metric=metric,
        start=start.isoformat(),
        end=end.isoformat(),
        **pickers(auth, shop, end),
    )


@router.get("/findings", response_class=HTMLResponse)
def findings(
    request: Request,
    auth: AuthDep,
    shop: str | None = None,
    start: FromDay = None,
    end: ToDay = None,
    severity: Literal["critical", "warning", "info"] = "info",
) -> Response:
    shops = chosen_shops(auth, shop)
    start, end = date_range(auth, start, end, 7)
    detection = auth.data.detection(start, end, shops)
    found = [f for f in detection.findings if f.rank <= SEVERITIES.index(severity)]
    # Every finding, newest day first and by money at stake within a day; groups open to their children.
    rows = views.finding_rows(ranked(found), auth.data.notes(start, end), auth.data.allowed, auth.lang)
    return render(
        request,
        "findings.html",
        auth,
        findings=rows,
        skipped=[check.text() for check in detection.skipped],
        start=start.isoformat(),
        end=end.isoformat(),
        severity=severity,
        **pickers(auth, shop, end),
    )


@router.get("/targets", response_class=HTMLResponse)
def targets(request: Request, auth: AuthDep, date: dt.date | None = None) -> Response:
    day = latest_day(auth, date)
    rows = views.pacing_rows(auth.data.pacing(day))
    return render(request, "targets.html", auth, paces=rows, **pickers(auth, None, day))


@router.get("/imports", response_class=HTMLResponse)
def imports(request: Request, auth: AuthDep) -> Response:
    return render(request, "imports.html", auth, history=auth.data.imports(), shops=auth.data.shops())


@router.get("/metrics", response_class=HTMLResponse)
def metrics(request: Request, auth: AuthDep) -> Response:
    return render(request, "metrics.html", auth, metrics=views.metric_rows())


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, auth: AuthDep) -> Response:
    if not auth.user.is_admin:
        raise Forbidden("只有管理员可以打开设置 (admins only)")
    users = accounts.list_users(auth.data.cursor)
    visible = [u for u in users if u.shops is None or set(u.shops) <= set(auth.data.allowed)]
    channels = [
        {"name": c.name, "kind": c.kind, "configured": bool(c.webhook or c.webhook_env or c.host)}
        for c in auth.data.workspace.settings.push.channels.values()
    ]
    return render(
        request,
        "settings.html",
        auth,
        shop_rows=[(name, PLATFORM_LABELS.get(platform, platform)) for name, platform in auth.data.shops()],
        users=visible,
        channels=channels,
        roles=accounts.ROLES,
        health_checks=[  # 健康: the checks of `shopops doctor`, read-only on this request's cursor
            *health.check_workspace(
                auth.data.workspace, dt.date.today(), connection=auth.data.cursor, shops=auth.data.allowed
            ),
            health.server_running(os.getpid(), request.url.port),
        ],
        **token_section(auth),  # API 令牌 (_settings_tokens.html)
    )
