"""The dashboard application: `create_app(workspace)` → a FastAPI app (see `shopops serve`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from shopops.domains import domains, parts, resolve
from shopops.errors import UserError
from shopops.metrics.completeness import skipped_text
from shopops.web import accounts, embedding
from shopops.web.auditing import token_actor
from shopops.web.data import Forbidden, ScopedData
from shopops.web.headers import SecurityHeaders
from shopops.web.i18n import LANGUAGES, translate
from shopops.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    LANG_COOKIE,
    SESSION_COOKIE,
    LoginLimiter,
    same_token,
)
from shopops.workspace import Workspace

HERE = Path(__file__).parent
NAV = (
    ("overview", "/", "总览"),
    ("table", "/table", "总表"),
    ("trends", "/trends", "趋势"),
    ("findings", "/findings", "异常"),
    # … then the domains' pages (竞品 …), see nav()
    ("targets", "/targets", "目标"),
    ("imports", "/imports", "导入"),
    ("metrics", "/metrics", "口径"),
    ("settings", "/settings", "设置"),
    ("audit", "/audit", "审计"),
)
ADMIN_PAGES = ("settings", "audit")


def nav() -> tuple[tuple[str, str, str], ...]:
    """The pages of the top bar: ours, with the domains' pages (in domain order) after 异常."""
    after = [key for key, _, _ in NAV].index("findings") + 1
    return (*NAV[:after], *(page for domain in domains() for page in domain.pages), *NAV[after:])


def _templates() -> Jinja2Templates:
    # Ours first, then each domain's templates folder (a domain's page names its template).
    folders = [HERE / "templates", *(d.templates for d in domains() if d.templates is not None)]
    templates = Jinja2Templates(directory=[str(folder) for folder in folders])
    embedding.register(templates.env)  # `| json_script(id)`: the one way pages embed JSON
    return templates


@dataclass
class AppState:
    workspace: Workspace
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    local_secret: str | None = None
    templates: Jinja2Templates = field(default_factory=_templates)
    nav: tuple[tuple[str, str, str], ...] = field(default_factory=nav)
    # The domains' services running in this process (their ``services`` part), by domain name.
    services: dict[str, Any] = field(default_factory=dict)
    services_lock: threading.Lock = field(default_factory=threading.Lock)

    def service(self, name: str) -> Any | None:
        """The running service of domain ``name``, started now if the app was not started through its
        lifespan (a test's client); None if that domain has none."""
        with self.services_lock:
            if name not in self.services:
                for domain in domains():
                    if domain.name == name and domain.services:
                        service = resolve(domain, domain.services[0])(self.workspace)
                        service.start()
                        self.services[name] = service
            return self.services.get(name)

    def start_services(self) -> None:
        for domain in domains():
            if domain.services:
                try:
                    self.service(domain.name)
                except Exception:  # a domain's service failing must not take the dashboard down
                    logging.getLogger("shopops.web").exception("the %s service did not start", domain.name)

    def stop_services(self) -> None:
        with self.services_lock:
            running, self.services = list(self.services.values()), {}
        for service in running:
            service.stop()


class LoginRequired(Exception):
    pass


@dataclass
class Auth:
    user: accounts.User
    csrf: str | None  # None: authenticated by an API token (no cookie, no CSRF)
    session_hash: str | None
    data: ScopedData
    lang: str


def state_of(request: Request) -> AppState:
    found: AppState = request.app.state.shopops
    return found


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "zh")
    return lang if lang in LANGUAGES else "zh"


def _resolve(request: Request, state: AppState) -> tuple[accounts.User, str | None, str | None]:
    cursor = state.workspace.connection.cursor()
    try:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            user = accounts.user_for_token(cursor, header[7:].strip())
            if user is not None:
                return user, None, None
        cookie = request.cookies.get(SESSION_COOKIE)
        session = accounts.session_for(cursor, cookie) if cookie else None
        if session is not None:
            return session.user, session.csrf_token, session.token_hash
    finally:
        cursor.close()
    raise LoginRequired


def still_signed_in(request: Request) -> accounts.User | None:
    """The request's user as of now (None: logged out, the session expired or the token was revoked),
    for a long answer — an event stream — to end when its user's right to it does."""
    try:
        user, _, _ = _resolve(request, state_of(request))
    except (LoginRequired, accounts.TokenRejected):
        return None
    return user


def authenticated(request: Request) -> Iterator[Auth]:
    state = state_of(request)
    user, csrf, session_hash = _resolve(request, state)
    data = ScopedData(state.workspace, user)
    if csrf is None:  # an API token: the audit log names its label (api:<label>)
        data.actor = token_actor(data.cursor, user, request.headers.get("authorization", ""))
    try:
        yield Auth(user, csrf, session_hash, data, language(request))
    finally:
        data.close()


AuthDep = Annotated[Auth, Depends(authenticated)]


async def csrf_checked(request: Request, auth: AuthDep) -> Auth:
    """Every state-changing request of a browser session carries the session's CSRF token."""
    if auth.csrf is None:
        return auth
    given = request.headers.get(CSRF_HEADER)
    if not given and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not same_token(given, auth.csrf):
        raise Forbidden("CSRF 校验失败，请刷新页面后重试 (missing or wrong CSRF token — reload the page)")
    return auth


CsrfDep = Annotated[Auth, Depends(csrf_checked)]


def render(
    request: Request, name: str, auth: Auth | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    state = state_of(request)
    lang = auth.lang if auth else language(request)
    page = name.removesuffix(".html")
    response: HTMLResponse = state.templates.TemplateResponse(
        request,
        name,
        {
            "t": lambda text: translate(text, lang),
            "lang": lang,
            "user": auth.user if auth else None,
            "csrf": auth.csrf if auth else "",
            "nav": [
                item for item in state.nav if item[0] not in ADMIN_PAGES or (auth and auth.user.is_admin)
            ],
            "page": page,
            "role_labels": accounts.ROLE_LABELS,
            # Every default day is the latest complete one: say which day it passed over, and why.
            "incomplete_note": skipped_text(auth.data.incomplete_days()) if auth else "",
            **context,
        },
        status_code=status,
    )
    return response


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    lang = language(request)
    title = translate("无权访问" if status == 403 else "请求有误", lang)
    return render(request, "error.html", None, status=status, title=title, message=message)


def create_app(workspace: Workspace, *, local_secret: str | None = None) -> FastAPI:
    from shopops.web.routes import actions, api, audit_log, auth, pages, tokens

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state: AppState = app.state.shopops
        state.start_services()
        try:
            yield
        finally:
            state.stop_services()

    app = FastAPI(
        lifespan=lifespan,
        title="ShopOps 店铺运营驾驶舱 API",
        version="1",
        description="The dashboard's data as JSON. Authenticate with `Authorization: Bearer <token>`"
        " (`shopops user token NAME`); every answer covers only the shops of that user.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.shopops = AppState(workspace, local_secret=local_secret)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "login required"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)

    @app.exception_handler(accounts.TokenRejected)
    async def token_rejected(_: Request, error: accounts.TokenRejected) -> Response:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return JSONResponse({"detail": str(error)}, status_code=401, headers=headers)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> Response:
        return _error(request, 403, str(error))

    @app.exception_handler(UserError)
    async def user_error(request: Request, error: UserError) -> Response:
        return _error(request, 400, str(error))

    # CSP, no framing, nosniff; Secure cookies over HTTPS (or behind a proxy of web.trusted_proxies)
    app.add_middleware(SecurityHeaders, trusted_proxies=workspace.settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    # The domains' pages (竞品 …) come right after ours, before the actions and the API.
    ours, ours_after = (auth, pages), (actions, api, audit_log, tokens)
    for router in (*(m.router for m in ours), *parts("routes"), *(m.router for m in ours_after)):
        app.include_router(router)
    return app
