"""Users, login sessions and API tokens of the dashboard, stored in the warehouse (migration 003)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shopops.errors import UserError

ROLES = ("admin", "operator", "viewer")
ROLE_LABELS = {"admin": "管理员", "operator": "运营", "viewer": "只读"}
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
        return self.role in ("admin", "operator")

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


def set_password(con: duckdb.DuckDBPyConnection, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if get_user(con, name) is None:
        raise UserError(f"no user {name!r} — `shopops user list` shows them")
    con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [_hasher.hash(password), name])
    con.execute("DELETE FROM web_sessions WHERE user_name = ?", [name])


def remove_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if get_user(con, name) is None:
        raise UserError(f"no user {name!r} — `shopops user list` shows them")
    for table in ("web_sessions", "api_tokens"):
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


def create_token(con: duckdb.DuckDBPyConnection, name: str, label: str | None = None) -> str:
    if get_user(con, name) is None:
        raise UserError(f"no user {name!r} — add one with `shopops user add {name} --role viewer`")
    token = "sho_" + secrets.token_urlsafe(32)
    con.execute(
        "INSERT INTO api_tokens (token_hash, user_name, label) VALUES (?, ?, ?)", [digest(token), name, label]
    )
    return token


def user_for_token(con: duckdb.DuckDBPyConnection, token: str) -> User | None:
    row = con.execute(
        "SELECT u.name, u.role, u.shops FROM api_tokens t JOIN users u ON u.name = t.user_name"
        " WHERE t.token_hash = ?",
        [digest(token)],
    ).fetchone()
    return None if row is None else _user(row)
