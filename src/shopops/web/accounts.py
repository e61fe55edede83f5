"""Users, login sessions and API tokens of the dashboard, stored in the warehouse (migrations 003, 007)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shopops.errors import UserError

ROLES = ("admin", "manager", "operator", "viewer")
ROLE_LABELS = {"admin": "管理员", "manager": "主管", "operator": "运营", "viewer": "只读"}
SESSION_HOURS = 12
MIN_PASSWORD = 8

_hasher = PasswordHasher()
# A hash verified when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("shopops-no-such-user")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    shops: tuple[str, ...] | None  # None = every shop

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "manager", "operator")

    @property
    def is_manager(self) -> bool:
        """A 主管 (or an admin): sees the 绩效 cards of the people of their shops."""
        return self.role in ("admin", "manager")

    def allowed(self, all_shops: list[str]) -> list[str]:
        """The shops of ``all_shops`` this user may see."""
        if self.shops is None:
            return list(all_shops)
        return [shop for shop in all_shops if shop in self.shops]


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    token_hash: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: tuple[object, ...]) -> User:
    shops = row[2]
    return User(
        name=str(row[0]),
        role=str(row[1]),
        shops=None if shops is None else tuple(s for s in str(shops).split(",") if s),
    )


def add_user(
    con: duckdb.DuckDBPyConnection, name: str, password: str, role: str, shops: list[str] | None
) -> User:
    name = name.strip()
    if not name or "," in name:
        raise UserError("a user needs a name without commas")
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    known = {row[0] for row in con.execute("SELECT name FROM shops").fetchall()}
    unknown = [shop for shop in shops or [] if shop not in known]
    if unknown:
        raise UserError(f"unknown shop {unknown[0]!r} — see `shopops shop list`")
    if con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
        raise UserError(f"user {name!r} already exists — `shopops user password {name}` sets a new password")
    con.execute(
        "INSERT INTO users (name, password_hash, role, shops) VALUES (?, ?, ?, ?)",
        [name, _hasher.hash(password), role, None if shops is None else ",".join(shops)],
    )
    return User(name, role, None if shops is None else tuple(shops))


def set_password(con: duckdb.DuckDBPyConnection, name: str, password: str) -> tuple[int, int]:
    """A new password for ``name``; it ends their login sessions and revokes their API tokens:
    (sessions ended, tokens revoked)."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if get_user(con, name) is None:
        raise UserError(f"no user {name!r} — `shopops user list` shows them")
    con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [_hasher.hash(password), name])
    sessions = con.execute("DELETE FROM web_sessions WHERE user_name = ? RETURNING 1", [name]).fetchall()
    return len(sessions), revoke_all(con, name)


def remove_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if get_user(con, name) is None:
        raise UserError(f"no user {name!r} — `shopops user list` shows them")
    # A later account of the same name starts clean: no sessions, tokens or remembered choices.
    for table in ("web_sessions", "api_tokens", "user_preference"):
        con.execute(f"DELETE FROM {table} WHERE user_name = ?", [name])
    con.execute("DELETE FROM users WHERE name = ?", [name])


def get_user(con: duckdb.DuckDBPyConnection, name: str) -> User | None:
    row = con.execute("SELECT name, role, shops FROM users WHERE name = ?", [name]).fetchone()
    return None if row is None else _user(row)


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    return [_user(row) for row in con.execute("SELECT name, role, shops FROM users ORDER BY name").fetchall()]


def check_password(con: duckdb.DuckDBPyConnection, name: str, password: str) -> User | None:
    row = con.execute("SELECT name, role, shops, password_hash FROM users WHERE name = ?", [name]).fetchone()
    stored = str(row[3]) if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return None if row is None else _user(row)


def create_session(con: duckdb.DuckDBPyConnection, user: User) -> tuple[str, str]:
    """A new session: (cookie value, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = dt.datetime.now() + dt.timedelta(hours=SESSION_HOURS)
    con.execute(
        "INSERT INTO web_sessions (token_hash, user_name, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
        [digest(token), user.name, csrf, expires],
    )
    return token, csrf


def session_for(con: duckdb.DuckDBPyConnection, token: str) -> Session | None:
    row = con.execute(
        "SELECT u.name, u.role, u.shops, s.csrf_token FROM web_sessions s JOIN users u ON u.name = s.user_name"
        " WHERE s.token_hash = ? AND s.expires_at > ?",
        [digest(token), dt.datetime.now()],
    ).fetchone()
    if row is None:
        return None
    return Session(_user(row[:3]), str(row[3]), digest(token))


def end_session(con: duckdb.DuckDBPyConnection, token_hash: str) -> None:
    con.execute("DELETE FROM web_sessions WHERE token_hash = ?", [token_hash])


TOKEN_DAYS = 90  # `shopops user token NAME` without --expires-days
MAX_TOKEN_DAYS = 3650
MAX_LABEL = 100
LAST_USE_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often per token


class TokenRejected(Exception):
    """A bearer token that does not open the dashboard (unknown, expired or revoked): the message says why."""


@dataclass(frozen=True)
class TokenInfo:
    """One API token as listed (the token itself is never stored, only its sha256)."""

    id: int
    user: str
    label: str | None
    created: dt.datetime
    expires: dt.datetime
    last_used: dt.datetime | None
    revoked: dt.datetime | None

    def state(self, now: dt.datetime | None = None) -> str:
        """active, expired or revoked."""
        if self.revoked is not None:
            return "revoked"
        return "expired" if self.expires <= (now or dt.datetime.now()) else "active"


@dataclass(frozen=True)
class IssuedToken:
    id: int
    user: str
    label: str | None
    expires: dt.datetime
    token: str  # shown once to whoever created it; only its sha256 is kept


_TOKEN_COLUMNS = "token_id, user_name, label, created_at, expires_at, last_used_at, revoked_at"


def _token_info(row: tuple[object, ...]) -> TokenInfo:
    token_id, user, label, created, expires, last_used, revoked = row
    assert isinstance(created, dt.datetime) and isinstance(expires, dt.datetime)
    return TokenInfo(
        int(str(token_id)),
        str(user),
        None if label is None else str(label),
        created,
        expires,
        last_used if isinstance(last_used, dt.datetime) else None,
        revoked if isinstance(revoked, dt.datetime) else None,
    )


def when(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _require_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if get_user(con, name) is None:
        raise UserError(f"no user {name!r} — `shopops user list` shows them")


def check_label(label: str | None) -> str | None:
    """The label as stored (None when blank); one line of at most MAX_LABEL characters."""
    if label is None or not label.strip():
        return None
    label = label.strip()
    if len(label) > MAX_LABEL or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in label):
        raise UserError(
            f"a token label is one line of at most {MAX_LABEL} characters — write a shorter one without line breaks"
        )
    return label


def issue_token(
    con: duckdb.DuckDBPyConnection, name: str, label: str | None = None, days: int = TOKEN_DAYS
) -> IssuedToken:
    """A new API token of ``name`` that expires after ``days`` days."""
    _require_user(con, name)
    label = check_label(label)
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise UserError(f"a token lasts 1 to {MAX_TOKEN_DAYS} days, not {days}")
    token = "sho_" + secrets.token_urlsafe(32)
    now = dt.datetime.now()
    expires = now + dt.timedelta(days=days)
    row = con.execute(
        "INSERT INTO api_tokens (token_hash, user_name, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"
        " RETURNING token_id",
        [digest(token), name, label, now, expires],
    ).fetchone()
    assert row is not None
    return IssuedToken(int(row[0]), name, label, expires, token)


def create_token(con: duckdb.DuckDBPyConnection, name: str, label: str | None = None) -> str:
    """A new API token of ``name`` with the default lifetime (``issue_token`` says more)."""
    return issue_token(con, name, label).token


def list_tokens(con: duckdb.DuckDBPyConnection, name: str | None = None) -> list[TokenInfo]:
    """The tokens of ``name`` (every user's when None), oldest first, revoked and expired ones too."""
    if name is None:
        rows = con.execute(f"SELECT {_TOKEN_COLUMNS} FROM api_tokens ORDER BY token_id").fetchall()
    else:
        _require_user(con, name)
        rows = con.execute(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE user_name = ? ORDER BY token_id", [name]
        ).fetchall()
    return [_token_info(row) for row in rows]


def revoke_token(con: duckdb.DuckDBPyConnection, name: str, token_id: int) -> TokenInfo:
    """Revoke token ``token_id`` of ``name``; the token as it was (``revoked`` set if it already was)."""
    _require_user(con, name)
    row = con.execute(
        f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE token_id = ? AND user_name = ?", [token_id, name]
    ).fetchone()
    if row is None:
        raise UserError(f"{name} has no API token {token_id} — `shopops user tokens {name}` lists them")
    found = _token_info(row)
    if found.revoked is None:
        con.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?", [dt.datetime.now(), token_id])
    return found


def revoke_all(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Revoke every token of ``name`` that still works; how many."""
    _require_user(con, name)
    now = dt.datetime.now()
    rows = con.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL AND expires_at > ?"
        " RETURNING token_id",
        [now, name, now],
    ).fetchall()
    return len(rows)


def user_for_token(con: duckdb.DuckDBPyConnection, token: str) -> User:
    """The user a bearer token stands for; TokenRejected (with the reason) when it is unknown,
    expired or revoked. Its last use is written at most once a minute (``LAST_USE_EVERY``)."""
    row = con.execute(
        "SELECT t.token_id, t.user_name, t.expires_at, t.revoked_at, t.last_used_at, u.role, u.shops"
        " FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = ?",
        [digest(token)],
    ).fetchone()
    if row is None:
        raise TokenRejected(
            "未知的 API 令牌 (unknown API token) — copy it whole, or create one: shopops user token NAME"
        )
    token_id, name, expires, revoked, last_used = int(row[0]), str(row[1]), row[2], row[3], row[4]
    again = f"create a new one: shopops user token {name}"
    if revoked is not None:
        raise TokenRejected(
            f"API 令牌 {token_id} 已于 {when(revoked)} 吊销 (API token {token_id} of {name} was revoked"
            f" on {when(revoked)}) — {again}"
        )
    now = dt.datetime.now()
    if expires <= now:
        raise TokenRejected(
            f"API 令牌 {token_id} 已于 {when(expires)} 过期 (API token {token_id} of {name} expired"
            f" on {when(expires)}) — {again}"
        )
    if last_used is None or now - last_used >= LAST_USE_EVERY:
        _note_use(con, token_id, now)
    return _user((name, row[5], row[6]))


def _note_use(con: duckdb.DuckDBPyConnection, token_id: int, now: dt.datetime) -> None:
    # a conflict: another request of the same token wrote it at the same moment, as good a write
    with contextlib.suppress(duckdb.TransactionException):
        con.execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?"
            " AND (last_used_at IS NULL OR last_used_at <= ?)",
            [now, token_id, now - LAST_USE_EVERY],
        )
