"""The JSON API (`/api/...`): the pages' data for scripts. Bearer tokens from `shopops user token`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from shopops.analysis.anomalies.finding import SEVERITIES
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.reports.export import to_json
from shopops.warehouse import audit
from shopops.web import views
from shopops.web.accounts import User
from shopops.web.app import AuthDep, CsrfDep, state_of
from shopops.web.auditing import cli_actor
from shopops.web.data import Forbidden, ScopedData
from shopops.web.receiving import Upload, UploadTooLarge
from shopops.web.routes.pages import chosen_shops, date_range, latest_day
from shopops.web.security import LOCAL_HEADER, same_token
from shopops.web.uploads import import_request, import_uploads

router = APIRouter(prefix="/api", tags=["data"])
Records = list[dict[str, Any]]


class NoteIn(BaseModel):
    date: dt.date
    shop: str = Field(min_length=1, max_length=200)
    metric: str = Field(min_length=1, max_length=100)
    channel: str = Field("", max_length=100)
    acknowledged: bool = False
    comment: str = Field("", max_length=2000)


class LocalImport(BaseModel):
    paths: list[str]
    shop: str | None = None
    source: str | None = None
    user: str | None = None  # the OS user who ran `shopops import` (for the audit log)


@router.get("/shops", summary="Shops you may see")
def shops(auth: AuthDep) -> Records:
    return [{"name": name, "platform": platform} for name, platform in auth.data.shops()]


@router.get("/overview", summary="KPI cards, findings and pacing of one day (总览)")
def overview(auth: AuthDep, shop: str | None = None, date: dt.date | None = None) -> dict[str, Any]:
    chosen = chosen_shops(auth, shop)
    day = latest_day(auth, date)
    top, more = views.top_findings(auth.data.findings(day, day, chosen), auth.data.alert_settings().budget)
    return {
        "date": day.isoformat(),
        "shops": chosen,
        "cards": views.kpi_cards(auth.data, day, chosen) if chosen else [],
        "findings": views.finding_rows(top, auth.data.notes(day, day)),  # the top alerts.budget
        "findings_more": more,  # "另有 N 条" (all of them: /api/findings), "" when none was left out
        "pacing": views.pacing_rows(auth.data.pacing(day, forecasts=False)),
    }


@router.get("/master", summary="The master table (总表); same columns as `shopops table master`")
def master(
    auth: AuthDep,
    shop: str | None = None,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
    grain: Literal["day", "week", "month"] = "day",
    total: bool = False,
) -> Records:
    chosen = chosen_shops(auth, shop)
    start, end = date_range(auth, start, end, 14)
    frame = auth.data.master_table(start, end, shops=chosen, grain=grain, total=total)
    records: Records = json.loads(to_json(frame))
    return records


@router.get("/findings", summary="Findings (异常) with notes, like `shopops findings --format json`")
def findings(
    auth: AuthDep,
    shop: str | None = None,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
    severity: Literal["critical", "warning", "info"] = "info",
) -> Records:
    chosen = chosen_shops(auth, shop)
    start, end = date_range(auth, start, end, 7)
    found = [f for f in auth.data.findings(start, end, chosen) if f.rank <= SEVERITIES.index(severity)]
    notes = auth.data.notes(start, end)
    return [
        {**f.to_record(), "notes": notes.get((str(f.date), f.shop, f.metric, f.channel), [])} for f in found
    ]


@router.post("/findings/notes", summary="Acknowledge or comment a finding", status_code=201)
def add_note(auth: CsrfDep, note: NoteIn) -> dict[str, str]:
    auth.data.add_note(note.date, note.shop, note.metric, note.channel, note.acknowledged, note.comment)
    return {"status": "saved"}


@router.get("/trend", summary="One metric per shop by day, with findings and promo days (趋势)")
def trend(
    auth: AuthDep,
    metric: str = "gmv",
    shop: str | None = None,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    if metric not in load_catalog().metrics:
        raise UserError(f"unknown metric {metric!r} — see /api/metrics")
    chosen = chosen_shops(auth, shop)
    start, end = date_range(auth, start, end, 60)
    return views.trend_series(auth.data, metric, chosen, start, end)


@router.get("/targets", summary="Targets and pacing (目标与进度)")
def targets(auth: AuthDep, date: dt.date | None = None) -> Records:
    day = latest_day(auth, date)
    return [
        {k: (str(v) if isinstance(v, (dt.date,)) else v) for k, v in p.record().items()}
        for p in auth.data.pacing(day)
    ]


@router.get("/imports", summary="Import history")
def imports(auth: AuthDep, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Records:
    return [
        {k: (None if v is None else str(v) if not isinstance(v, int) else v) for k, v in row.items()}
        for row in auth.data.imports(limit)
    ]


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "shop": {"type": "string", "description": "the shop the files belong to"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/imports",
    summary="Upload and import export files",
    description="One answer per file (`ok`, `message`, rows, shops …; a workbook's sheets under"
    " `sheets`). A file over the size limit is listed as not imported; a request over the total"
    " limit is answered 413, a bad file name 400.",
    status_code=200,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "the upload is over the total size limit"}},
)
async def upload(request: Request, auth: AuthDep) -> Records:
    state = state_of(request)
    try:
        results: Records = await import_request(
            request, auth.data, state.workspace, state.write_lock, csrf=auth.csrf
        )
    except UploadTooLarge as error:
        raise HTTPException(413, str(error), headers={"Connection": "close"}) from None
    return results


@router.get("/metrics", summary="The metric dictionary (口径)")
def metrics(auth: AuthDep) -> list[dict[str, str]]:
    del auth
    return views.metric_rows()


def local_caller(request: Request, secret: Annotated[str | None, Header(alias=LOCAL_HEADER)] = None) -> None:
    """The CLI on this machine: the serve file's secret, from 127.0.0.1 only."""
    state = state_of(request)
    client = request.client.host if request.client else ""
    if (
        state.local_secret is None
        or client not in ("127.0.0.1", "::1")
        or not same_token(secret, state.local_secret)
    ):
        raise Forbidden("local import refused")


@router.post("/local/import", include_in_schema=False, dependencies=[Depends(local_caller)])
def local_import(request: Request, body: LocalImport) -> Records:
    """`shopops import` while the server runs: files read from disk and imported by the server."""
    state = state_of(request)
    data = ScopedData(state.workspace, User("cli", "admin", None))
    data.actor = cli_actor(body.user)
    try:
        uploads = []
        for text in body.paths:
            file = Path(text)
            try:
                file.open("rb").close()
            except OSError as error:
                raise UserError(f"cannot read {error.filename}: {error.strerror}") from None
            uploads.append(Upload(file.name, file))
        results = import_uploads(data, state.write_lock, uploads, shop=body.shop, source=body.source)
    finally:
        data.close()
    for result, path in zip(results, body.paths, strict=True):
        result["path"] = path
    return results


class LocalCommand(BaseModel):
    args: list[str]
    cwd: str
    input: str | None = None
    user: str | None = None  # the OS user who ran the command (for the audit log)
    width: int | None = None  # the caller's terminal width; None: its output goes to a pipe or file


@router.post("/local/cli", include_in_schema=False, dependencies=[Depends(local_caller)])
def local_cli(request: Request, body: LocalCommand) -> dict[str, object]:
    """Any `shopops` command while the server runs (it holds the only writer): run here, one at a time."""
    runner = getattr(request.app.state, "local_cli", None)
    if runner is None:
        raise Forbidden("this server does not run CLI commands")
    with audit.acting_as(cli_actor(body.user)):
        code, stdout, stderr = runner(
            body.args, body.cwd, body.input, state_of(request).write_lock, body.width
        )
    return {"exit_code": code, "stdout": stdout, "stderr": stderr}
