"""The dashboard accounts of the demo's 绩效 team (``manifest["staff"]["accounts"]``, see demo/staff.py):
a 主管 (``manager``: every person's card) and operators whose 登录账号 is in the 员工名单 (their own card)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from shopops.web import accounts
from shopops.workspace import Workspace


def staff_logins(root: Path) -> list[tuple[str, str, str]]:
    """Create (or give a fresh password to) each account: (login, password, whose and what role)."""
    manifest = root / "exports" / "manifest.json"
    if not manifest.is_file():
        return []
    wanted = json.loads(manifest.read_text(encoding="utf-8")).get("staff", {}).get("accounts", [])
    found = []
    with Workspace.open(root) as workspace:
        con = workspace.connection
        known = {row[0] for row in con.execute("SELECT name FROM shops").fetchall()}
        for account in wanted:
            name, role = str(account["name"]), str(account["role"])
            shops = None if account["shops"] is None else [s for s in account["shops"] if s in known]
            password = secrets.token_urlsafe(9)
            if accounts.get_user(con, name) is None:
                accounts.add_user(con, name, password, role, shops)
            else:
                accounts.set_password(con, name, password)
            found.append((name, password, f"{account['whose']}（{accounts.ROLE_LABELS[role]}）"))
    return found
