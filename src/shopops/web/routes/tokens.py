"""设置 → API 令牌, for admins: every user's tokens (id, label, created, expires, last used), creating
one (its token is shown once, on the next 设置 page of the same session) and revoking one. Form posts
with the session's CSRF token; an admin limited to shops manages only users limited to those shops."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import JSONResponse, RedirectResponse, Response

from shopops.errors import UserError
from shopops.warehouse import audit
from shopops.web import accounts
from shopops.web.app import Auth, CsrfDep
from shopops.web.data import Forbidden

router = APIRouter(include_in_schema=False)

SHOWN_WITHIN = 300.0  # seconds: a new token not shown by then is dropped (it still works)
STATE_LABELS = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}
SECTION = "/settings#api-tokens"

_created: dict[str, tuple[float, accounts.IssuedToken]] = {}  # session → the token it just created
_created_lock = threading.Lock()


def _require_admin(auth: Auth) -> None:
    if not auth.user.is_admin:
        raise Forbidden("只有管理员可以管理 API 令牌 (admins only)")


def _manageable(auth: Auth, users: list[accounts.User]) -> list[accounts.User]:
    """The users whose tokens ``auth`` may see and change: every user for an admin of every shop,
    else the users limited to shops of the admin's."""
    if auth.user.shops is None:
        return users
    mine = set(auth.data.allowed)
    return [u for u in users if u.shops is not None and set(u.shops) <= mine]


def _owner(auth: Auth, name: str) -> accounts.User:
    user = accounts.get_user(auth.data.cursor, name)
    if user is None:
        raise UserError(f"no user {name!r} — `shopops user list` shows them")
    if not _manageable(auth, [user]):
        raise Forbidden("你只能管理你店铺内用户的令牌 (only tokens of users limited to your shops)")
    return user


def _days(text: str) -> int:
    try:
        days = int(text.strip())
    except ValueError:
        days = 0
    if not 1 <= days <= accounts.MAX_TOKEN_DAYS:
        raise UserError(
            f"有效天数须为 1 到 {accounts.MAX_TOKEN_DAYS} 的整数"
            f" (expires days: a whole number from 1 to {accounts.MAX_TOKEN_DAYS})"
        )
    return days


def _shown(moment: Any) -> str:
    return "—" if moment is None else accounts.when(moment)


def token_section(auth: Auth) -> dict[str, Any]:
    """What _settings_tokens.html shows: the tokens, the users they can be made for, and the token
    this session has just created (once)."""
    users = _manageable(auth, accounts.list_users(auth.data.cursor))
    names = {u.name for u in users}
    rows = [
        {
            "id": t.id,
            "user": t.user,
            "label": t.label or "—",
            "created": _shown(t.created),
            "expires": _shown(t.expires),
            "last_used": _shown(t.last_used),
            "state": STATE_LABELS[t.state()],
            "active": t.state() == "active",
        }
        for t in accounts.list_tokens(auth.data.cursor)
        if t.user in names
    ]
    new = None
    if auth.session_hash is not None:
        with _created_lock:
            found = _created.pop(auth.session_hash, None)
        new = found[1] if found is not None and time.monotonic() - found[0] < SHOWN_WITHIN else None
    return {
        "api_tokens": rows,
        "token_users": [u.name for u in users],
        "token_days": accounts.TOKEN_DAYS,
        "token_max_days": accounts.MAX_TOKEN_DAYS,
        "token_max_label": accounts.MAX_LABEL,
        "new_token": new,
    }


def _show_once(session_hash: str, issued: accounts.IssuedToken) -> None:
    now = time.monotonic()
    with _created_lock:
        for key in [k for k, (at, _) in _created.items() if now - at >= SHOWN_WITHIN]:
            del _created[key]
        _created[session_hash] = (now, issued)


@router.post("/settings/tokens")
def create_token(
    auth: CsrfDep,
    user: Annotated[str, Form()],
    label: Annotated[str, Form()] = "",
    expires_days: Annotated[str, Form()] = str(accounts.TOKEN_DAYS),
) -> Response:
    _require_admin(auth)
    owner, days = _owner(auth, user), _days(expires_days)
    with audit.atomic(auth.data.cursor) as cursor:
        issued = accounts.issue_token(cursor, owner.name, label, days)
        detail = {"token_id": issued.id, "label": issued.label, "days": days, "shops": owner.shops}
        audit.record_as(cursor, auth.data.actor, "token.create", owner.name, detail)
    if auth.session_hash is None:  # an admin's own API token: the new token is the answer
        body = {"id": issued.id, "user": issued.user, "label": issued.label, "token": issued.token}
        return JSONResponse(
            {**body, "expires": issued.expires.isoformat(timespec="seconds")}, status_code=201
        )
    _show_once(auth.session_hash, issued)
    return RedirectResponse(SECTION, status_code=303)


@router.post("/settings/tokens/revoke")
def revoke_token(auth: CsrfDep, token_id: Annotated[str, Form()]) -> Response:
    _require_admin(auth)
    number = int(token_id) if token_id.strip().isdigit() else -1
    found = next((t for t in accounts.list_tokens(auth.data.cursor) if t.id == number), None)
    if found is None:
        raise UserError(f"no API token {token_id.strip()[:20]} — 设置 → API 令牌 lists them")
    owner = _owner(auth, found.user)
    with audit.atomic(auth.data.cursor) as cursor:
        before = accounts.revoke_token(cursor, owner.name, found.id)
        if before.revoked is None:
            detail = {"token_id": found.id, "label": found.label, "shops": owner.shops}
            audit.record_as(cursor, auth.data.actor, "token.revoke", owner.name, detail)
    return RedirectResponse(SECTION, status_code=303)
