"""The 直播 page (`/live`, `/live/{shop}?room=R`) that updates itself, and the live feed's API.

- The page shows a room's picture (:func:`room.room_view`) embedded as JSON, then follows
  ``/live/{shop}/events`` (Server-Sent Events): each new picture replaces the last, no reload.
- ``POST /api/live/{room}/snapshots`` takes readings from a capture tool: a JSON object, a list
  of them, JSON lines or CSV, with the board's Chinese headers (or the column keys); ``?shop=``
  says the shop the first time a room is seen (or shopops.yaml ``live.rooms``). A token or a
  session with write rights on that shop; answers what it added and skipped.
- ``GET /api/live/{room}/intervals`` is ``shopops live intervals`` as JSON.
- ``/api/local/live/…``: ``shopops live replay``/``monitor`` while the server holds the warehouse.

Every route checks the user's shops: a room of a shop they may not see answers 404, exactly as a
room that does not exist. Room names, anchors and products come from files and users: the template
shows them as escaped text and the page's script writes them with ``textContent``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from shopops.domains.live.page_words import page_context
from shopops.domains.live.room import interval_rows, pick_room, room_sessions
from shopops.domains.live.runtime import LiveService
from shopops.domains.live.runtime_rooms import NotYourShop
from shopops.domains.live.store import Room, rooms
from shopops.errors import UserError
from shopops.warehouse import audit
from shopops.web.app import AuthDep, CsrfDep, render, state_of, still_signed_in
from shopops.web.auditing import cli_actor
from shopops.web.data import Forbidden
from shopops.web.routes.api import local_caller

router = APIRouter(include_in_schema=False)
MAX_BODY = 1024 * 1024  # one request of readings: a session at 10 s is ~200 KB
KEEPALIVE = 15.0  # seconds between comments on a quiet stream (proxies close idle ones)
NOT_FOUND = "没有这个直播间 — 从直播页的列表点进来"


class NotFound(UserError):
    pass


def service_of(request: Request) -> LiveService:
    service = state_of(request).service("live")
    if not isinstance(service, LiveService):
        raise UserError("直播服务没有运行 (the live service is not running) — 重启 shopops serve")
    return service


def _visible_rooms(auth: Any) -> list[Room]:
    cursor = auth.data.cursor
    return rooms(cursor, None if auth.user.shops is None else list(auth.data.allowed))


def _room(auth: Any, shop: str, room: str) -> Room:
    for found in _visible_rooms(auth):
        if found.shop == shop and found.room == room:
            return found
    raise NotFound(NOT_FOUND)


def _not_found(request: Request, auth: Any) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": NOT_FOUND}, status_code=404)
    return render(request, "error.html", auth, status=404, title="找不到", message=NOT_FOUND)


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, auth: AuthDep) -> Response:
    listed = _visible_rooms(auth)
    if not listed:
        context = page_context(auth.lang, [], None, service_of(request).settings)
        return render(request, "live.html", auth, rooms=[], room=None, view=None, **context)
    return _room_page(request, auth, listed, listed[0])


@router.get("/live/{shop}", response_class=HTMLResponse)
def live_room_page(request: Request, auth: AuthDep, shop: str, room: str = "") -> Response:
    try:
        chosen = _room(auth, shop, room)
    except NotFound:
        return _not_found(request, auth)
    return _room_page(request, auth, _visible_rooms(auth), chosen)


def _room_page(request: Request, auth: Any, listed: list[Room], chosen: Room) -> Response:
    service = service_of(request)
    text = service.hub.latest(chosen.shop, chosen.room)
    if text is None:
        service.refresh(chosen.shop, chosen.room, quiet=True)
        text = service.hub.latest(chosen.shop, chosen.room)
    view = json.loads(text) if text else None
    context = page_context(auth.lang, listed, chosen, service.settings)
    return render(request, "live.html", auth, rooms=listed, room=chosen, view=view, **context)


@router.get("/live/{shop}/events")
async def live_events(request: Request, auth: AuthDep, shop: str, room: str = "") -> Response:
    try:
        chosen = _room(auth, shop, room)
    except NotFound:
        return _not_found(request, auth)

    def allowed() -> bool:  # checked at each keep-alive: a logout or a lost shop ends the stream
        user = still_signed_in(request)
        return user is not None and (user.shops is None or chosen.shop in user.shops)

    return _stream(service_of(request), chosen.shop, chosen.room, allowed)


def _stream(
    service: LiveService, shop: str, room: str, allowed: Callable[[], bool] | None = None
) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        pictures: AsyncGenerator[str, None] = service.hub.follow(shop, room)
        # One pending read of the next picture, waited on with a timeout that does not cancel it:
        # cancelling it would close the follower (and end the stream) at the first quiet minute.
        waiting: asyncio.Future[str] = asyncio.ensure_future(anext(pictures))
        try:
            while True:
                done, _ = await asyncio.wait({waiting}, timeout=KEEPALIVE)
                if not done:
                    if allowed is not None and not await run_in_threadpool(allowed):
                        return
                    yield ": 保持连接\n\n"
                    continue
                text = waiting.result()
                waiting = asyncio.ensure_future(anext(pictures))
                yield f"event: room\ndata: {text}\n\n"
        finally:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await waiting
            await pictures.aclose()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


# -- the feed's API -----------------------------------------------------------------------------


async def _body_text(request: Request) -> str:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise UserError(f"一次发送的数据超过 {MAX_BODY // 1024} KB — 分几次发送")
        chunks.append(chunk)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


@router.post("/api/live/{room}/snapshots")
async def post_snapshots(request: Request, auth: CsrfDep, room: str, shop: str | None = None) -> Response:
    """Readings of one room (see the module). A browser session sends its CSRF token."""
    if not auth.user.can_write:
        raise Forbidden("只读用户不能写直播数据 (viewers cannot send live readings)")
    text = await _body_text(request)
    service = service_of(request)
    allowed = None if auth.user.shops is None else list(auth.data.allowed)
    label = "api" if auth.csrf is None else "web"

    def ingest() -> dict[str, Any]:
        with audit.acting_as(auth.data.actor):
            result = service.ingest(
                text,
                f"{room} ({label})",
                origin=f"{label}:{auth.user.name}",
                room=room,
                shop=shop,
                allowed_shops=allowed,
            )
        return result.to_json()

    try:
        return JSONResponse(await run_in_threadpool(ingest))
    except NotYourShop:  # said without naming the shop: a room of another shop is not told to exist
        raise Forbidden(
            "这个账号不能写这个直播间的数据 (this account may not send this room's readings)"
        ) from None


@router.get("/api/live/rooms")
def api_rooms(auth: AuthDep) -> list[dict[str, Any]]:
    return [
        {
            "shop": r.shop,
            "room": r.room,
            "name": r.name,
            "replay": r.replay,
            "latest": r.latest.isoformat(sep=" "),
        }
        for r in _visible_rooms(auth)
    ]


@router.get("/api/live/{shop}/intervals")
def api_intervals(
    request: Request,
    auth: AuthDep,
    shop: str,
    room: str = "",
    date: Annotated[dt.date | None, Query()] = None,
) -> Response:
    try:
        chosen = _room(auth, shop, room)
    except NotFound:
        return _not_found(request, auth)
    service = service_of(request)
    found = room_sessions(
        auth.data.cursor, chosen.shop, chosen.room, service.settings, day=date, benchmarks=False
    )
    return JSONResponse([row for session in found for row in interval_rows(session)])


# -- the CLI while the server holds the warehouse -------------------------------------------------


class LocalReadings(BaseModel):
    text: str
    name: str
    room: str | None = None
    shop: str | None = None
    replay_speed: float | None = None
    begin_replay: bool = False
    user: str | None = None


@router.post("/api/local/live/readings", dependencies=[Depends(local_caller)])
def local_readings(request: Request, body: LocalReadings) -> dict[str, Any]:
    service = service_of(request)
    with audit.acting_as(cli_actor(body.user)):
        result = service.ingest(
            body.text,
            body.name,
            origin=f"cli:{body.user or ''}",
            room=body.room,
            shop=body.shop,
            replay_speed=body.replay_speed,
            begin_replay=body.begin_replay,
        )
    return result.to_json()


@router.get("/api/local/live/room", dependencies=[Depends(local_caller)])
def local_room(request: Request, name: str | None = None, shop: str | None = None) -> dict[str, str]:
    """The room ``shopops live monitor --room`` names (see :func:`room.pick_room`)."""
    cursor = state_of(request).workspace.connection.cursor()
    try:
        found = pick_room(cursor, name, shop)
    finally:
        cursor.close()
    return {"shop": found.shop, "room": found.room, "name": found.name}


@router.get("/api/local/live/events", dependencies=[Depends(local_caller)])
def local_events(request: Request, shop: str, room: str = "") -> Response:
    return _stream(service_of(request), shop, room)
