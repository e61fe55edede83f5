"""Login, logout, language switch, health check and the (login-protected) OpenAPI document."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from shopops.web import accounts
from shopops.web.app import AuthDep, CsrfDep, language, render, state_of
from shopops.web.auditing import record_login
from shopops.web.i18n import LANGUAGES, translate
from shopops.web.security import LANG_COOKIE, SESSION_COOKIE, client_address

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _client(request: Request) -> str:
    """The client's address: the socket peer, or behind a proxy named in shopops.yaml the address
    that proxy saw (``web.trusted_proxies``; see ``client_address``)."""
    proxies = [ipaddress.ip_network(p) for p in state_of(request).workspace.settings.trusted_proxies]
    peer = request.client.host if request.client else "?"
    return client_address(peer, request.headers.getlist("x-forwarded-for"), proxies)


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error="")


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = state_of(request)
    client = _client(request)
    lang = language(request)
    wait = state.limiter.attempt(client, name)  # counted as wrong until the password is right
    if wait:
        message = f"{translate('密码错误次数过多，请稍后再试', lang)} ({wait} s)"
        record_login(state.workspace.connection, name, client, "too many wrong passwords")
        refused = render(request, "login.html", None, status=429, next=_safe_next(next), error=message)
        refused.headers["Retry-After"] = str(wait)
        return refused
    cursor = state.workspace.connection.cursor()
    try:
        user = accounts.check_password(cursor, name, password)
        if user is None:
            state.limiter.rejected(client, name)
            record_login(state.workspace.connection, name, client, "wrong name or password")
            message = translate("用户名或密码错误", lang)
            return render(request, "login.html", None, status=401, next=_safe_next(next), error=message)
        state.limiter.succeeded(client, name)
        token, _ = accounts.create_session(cursor, user)
        record_login(state.workspace.connection, user.name, client)
    finally:
        cursor.close()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, auth: CsrfDep) -> Response:
    if auth.session_hash:
        cursor = state_of(request).workspace.connection.cursor()
        try:
            accounts.end_session(cursor, auth.session_hash)
        finally:
            cursor.close()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/api/openapi.json")
def openapi(request: Request, auth: AuthDep) -> JSONResponse:
    del auth
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, auth: AuthDep) -> HTMLResponse:
    schema: dict[str, Any] = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "doc": op.get("description", ""),
        }
        for path, methods in schema.get("paths", {}).items()
        for method, op in methods.items()
    ]
    return render(request, "api_docs.html", auth, operations=operations, info=schema.get("info", {}))
