"""Whom the audit log names for a dashboard request (see :mod:`shopops.warehouse.audit`).

A browser session changes things as ``web``; a script with an API token as ``api:<token label>``
(``api:#<token number>`` for a token without a label); a `shopops` command handed to the server
as ``cli``, in the name of the OS user who ran it.
"""

from __future__ import annotations

import duckdb

from shopops.warehouse.audit import Actor, os_user, record
from shopops.web.accounts import User, digest

MAX_LABEL = 60


def token_actor(con: duckdb.DuckDBPyConnection, user: User, authorization: str) -> Actor:
    """The actor of a request authenticated by the bearer token in ``authorization``."""
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    row = con.execute(
        "SELECT label, token_id FROM api_tokens WHERE token_hash = ?", [digest(token)]
    ).fetchone()
    if row is None:
        return Actor(user.name, "api")
    label = " ".join(str(row[0] or "").split())[:MAX_LABEL]
    return Actor(user.name, f"api:{label}" if label else f"api:#{row[1]}")  # unlabelled: its number


def cli_actor(os_name: str | None) -> Actor:
    """The actor of a command the CLI on this machine handed over (the caller's OS user)."""
    name = " ".join((os_name or "").split())
    return Actor(name or os_user(), "cli")


def record_login(con: duckdb.DuckDBPyConnection, name: str, client: str, failure: str | None = None) -> None:
    """A login (``failure`` None) or a refused one, in the name typed, with the client's address."""
    detail = {"client": client, "reason": failure} if failure else {"client": client}
    cursor = con.cursor()
    try:
        action = "login.failed" if failure else "login"
        record(cursor, actor=name or "—", via="web", action=action, detail=detail)
    finally:
        cursor.close()
