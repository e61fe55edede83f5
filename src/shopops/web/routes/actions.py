"""Form posts of the pages: notes on findings, uploads, adding users. Every one checks the CSRF token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shopops.warehouse import audit
from shopops.web import accounts, master_view
from shopops.web.app import AuthDep, CsrfDep, render, state_of
from shopops.web.data import Forbidden
from shopops.web.i18n import translate
from shopops.web.receiving import UploadTooLarge
from shopops.web.uploads import import_request

router = APIRouter(include_in_schema=False)


@router.post("/findings/note")
def add_note(
    auth: CsrfDep,
    date: Annotated[dt.date, Form()],
    shop: Annotated[str, Form()],
    metric: Annotated[str, Form()],
    channel: Annotated[str, Form()] = "",
    acknowledged: Annotated[bool, Form()] = False,
    comment: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/findings",
) -> Response:
    auth.data.add_note(date, shop, metric, channel, acknowledged, comment)
    target = back if back.startswith("/") and not back.startswith("//") else "/findings"
    return RedirectResponse(target, status_code=303)


@router.post("/table/columns")
def table_columns(
    request: Request,
    auth: CsrfDep,
    section: Annotated[list[str] | None, Form()] = None,
    back: Annotated[str, Form()] = "/table",
) -> Response:
    """The 总表's column chooser: the sections ticked are shown, the others hidden — remembered for this
    user (the page's script asks for JSON; the form without script is sent back to the table)."""
    value = master_view.preference_of(section or [])
    auth.data.save_preference(master_view.PREFERENCE, value)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(value)
    target = back if back.startswith("/") and not back.startswith(("//", "/\\")) else "/table"
    return RedirectResponse(target, status_code=303)


@router.post("/imports/upload", response_class=HTMLResponse)
async def upload(request: Request, auth: AuthDep) -> Response:
    """The page's upload form: files are streamed to disk as they arrive (see ``received_uploads``),
    then imported one by one; the page lists every file and every sheet."""
    state = state_of(request)
    try:
        results = await import_request(request, auth.data, state.workspace, state.write_lock, csrf=auth.csrf)
    except UploadTooLarge as error:
        title = translate("请求有误", auth.lang)
        return render(request, "error.html", auth, status=413, title=title, message=str(error))
    history = await run_in_threadpool(auth.data.imports)
    status = 200 if all(r["ok"] for r in results) else 422
    return render(
        request,
        "imports.html",
        auth,
        status=status,
        results=results,
        history=history,
        shops=auth.data.shops(),
    )


@router.post("/settings/users")
def add_user(
    auth: CsrfDep,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    shops: Annotated[str, Form()] = "",
) -> Response:
    if not auth.user.is_admin:
        raise Forbidden("只有管理员可以添加用户 (admins only)")
    chosen = [s.strip() for s in shops.replace("，", ",").split(",") if s.strip()] or None
    if chosen is not None:
        auth.data.shops_for(chosen)
    elif auth.user.shops is not None:
        raise Forbidden("你只能添加限定在你的店铺内的用户 (limit the new user to your shops)")
    with audit.atomic(auth.data.cursor) as cursor:
        added = accounts.add_user(cursor, name, password, role, chosen)
        audit.record_as(cursor, auth.data.actor, "user.add", added.name, {"role": role, "shops": chosen})
    return RedirectResponse("/settings", status_code=303)
