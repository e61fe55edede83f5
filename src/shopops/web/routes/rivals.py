"""竞品: a rival group or item side by side with our paired item, its timelines, price changes, 上新/消失."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shopops.web.app import AuthDep, render
from shopops.web.rivals import build_page, rival_days
from shopops.web.routes.pages import FromDay, ToDay, check_day, date_range

router = APIRouter(include_in_schema=False)


@router.get("/rivals", response_class=HTMLResponse)
def rivals(
    request: Request,
    auth: AuthDep,
    group: str = "",
    item: str = "",
    start: FromDay = None,
    end: ToDay = None,
) -> Response:
    first, last = rival_days(auth.data)
    asked_start = start
    start, end = date_range(auth, start, check_day(end) or last or auth.data.data_dates()[1], 30)
    if asked_start is None and first is not None and first > start:
        start = min(first, end)
    page = build_page(auth.data, start, end, group, item)
    return render(
        request,
        "rivals.html",
        auth,
        view=page,
        start=start.isoformat(),
        end=end.isoformat(),
    )
