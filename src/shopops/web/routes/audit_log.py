"""The 审计 page: the audit log for admins, newest first, by date range and action, page by page.

An admin limited to some shops sees the records of those shops and the records of no shop
(logins, password changes); records of other shops or of every shop are left out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from shopops.errors import UserError
from shopops.warehouse import audit
from shopops.web.app import AuthDep, render
from shopops.web.data import Forbidden
from shopops.web.routes.pages import FromDay, ToDay, check_day

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    auth: AuthDep,
    start: FromDay = None,
    end: ToDay = None,
    action: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if not auth.user.is_admin:
        raise Forbidden("只有管理员可以查看审计记录 (admins only)")
    check_day(start)
    check_day(end)
    if start is not None and end is not None and start > end:
        raise UserError(f"开始日期 {start} 晚于结束日期 {end} (from is after to)")
    cursor = auth.data.cursor
    shops = None if auth.user.shops is None else auth.data.allowed
    chosen = audit.AuditFilter(start, end, action.strip() or None, shops)
    total = audit.count(cursor, chosen)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    records = audit.read(cursor, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, newest_first=True)
    known = audit.actions(cursor)
    query = {"from": _text(start), "to": _text(end), "action": action.strip()}
    query = {key: value for key, value in query.items() if value}
    return render(
        request,
        "audit.html",
        auth,
        records=records,
        total=total,
        page=page,
        pages=pages,
        start=_text(start),
        end=_text(end),
        action=action.strip(),
        actions=[(key, audit.ACTION_LABELS.get(key, key)) for key in known],
        link=lambda number: "/audit?" + urlencode({**query, "page": number}),
    )


def _text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
