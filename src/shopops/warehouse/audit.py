"""The audit log (migration 008): who changed what, when and from where.

Call :func:`record` inside the transaction of the change itself, so that the change and its
record commit or roll back together (:func:`atomic` opens one on a connection or cursor).
Records are only ever inserted: nothing in ShopOps updates or deletes them. Each row stores
the sha256 of its content and of the hash of the row it follows, so :func:`verify` finds rows
edited or removed by hand.

``via`` says where a change came from: ``cli`` (a `shopops` command, also one handed to a
running dashboard), ``web`` (a browser session) or ``api:<token label>`` (an API token). Code
below the entry points (the importer, ``Workspace.add_shop``, targets) records as
:func:`current_actor`: the OS user on the command line, or whom the server named with
:func:`acting_as` for the request it is serving.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import duckdb

from shopops.warehouse.connection import transaction

ACTION_LABELS = {
    "import": "导入",
    "shop.add": "添加店铺",
    "shop.rename": "店铺改名",
    "shop.remove": "删除店铺",
    "user.add": "添加用户",
    "user.password": "修改密码",
    "user.role": "修改角色",
    "user.shops": "修改用户店铺",
    "user.remove": "删除用户",
    "token.create": "创建令牌",
    "token.revoke": "吊销令牌",
    "target.set": "设定目标",
    "target.remove": "清除目标",
    "target.group": "定义店铺组",
    "source.save": "保存映射",
    "settings.save": "修改设置",
    "finding.ack": "确认异常",
    "finding.note": "异常备注",
    "login": "登录",
    "login.failed": "登录失败",
    "backup": "备份",
    "export": "导出",
    "restore": "恢复",
    "staff.bonus": "奖金定稿",
    "staff.cards": "写出评分表",
    "preference.save": "保存偏好",
}
DETAIL_LABELS = {
    "rows": "行数",
    "rows_replaced": "替换",
    "source": "来源",
    "sheet": "工作表",
    "shop": "店铺",
    "shops": "店铺",
    "role": "角色",
    "platform": "平台",
    "fee_rate": "扣点",
    "dates": "日期",
    "file": "文件",
    "client": "地址",
    "reason": "原因",
    "metric": "指标",
    "period": "期间",
    "value": "值",
    "comment": "备注",
    "label": "标签",
    "token_id": "令牌编号",
    "tokens": "令牌数",
    "sessions": "会话数",
    "days": "天数",
    "from": "原名",
    "backup": "备份",
    "method": "分配方式",
    "basis": "奖金池/基数",
    "total": "合计",
}
MAX_TEXT = 200  # actor, via and target are cut to this many characters (a login form takes anything)
_COLUMNS = "audit_id, changed_at, actor, via, action, target, shops, detail"
# The new record's id and the newest record this transaction sees (which it will follow).
_NEXT = (
    "SELECT nextval('audit_ids'), a.audit_id, a.row_hash FROM (SELECT max(audit_id) AS newest FROM audit_log) m"
    " LEFT JOIN audit_log a ON a.audit_id = m.newest"
)


@dataclass(frozen=True)
class Actor:
    name: str
    via: str  # cli | web | api:<token label>


def os_user() -> str:
    """The user name of this process (who runs the command)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


_acting: ContextVar[Actor | None] = ContextVar("shopops_audit_actor", default=None)


def current_actor() -> Actor:
    """Whom changes are recorded for here: set by :func:`acting_as`, else the OS user on the CLI."""
    return _acting.get() or Actor(os_user(), "cli")


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Record the changes made inside the block (in this thread or task) as ``actor``."""
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


# One transaction on a connection or cursor: a change and its record together.
atomic = transaction


# -- writing --------------------------------------------------------------------------------


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: str,
    via: str,
    action: str,
    target: str = "",
    detail: Mapping[str, object] | None = None,
) -> None:
    """Append one record. ``detail`` is stored as JSON (dates, decimals as text); its ``shop`` or
    ``shops`` (a list, or "*" / None for every shop) say which shops the record concerns: an
    admin limited to some shops sees only records of theirs (and those of no shop)."""
    content = dict(detail or {})
    text = json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":"))
    found = con.execute(_NEXT).fetchone()
    assert found is not None
    prev_id, prev_hash = (int(found[1]), str(found[2])) if found[1] is not None else (None, "")
    row = (
        int(found[0]),
        dt.datetime.now(),
        _clip(actor) or "unknown",
        _clip(via),
        _clip(action),
        _clip(target),
        _shops_of(content),
        text,
        prev_id,
    )
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row, _hash(prev_hash, row)])


def record_as(
    con: duckdb.DuckDBPyConnection,
    who: Actor,
    action: str,
    target: str = "",
    detail: Mapping[str, object] | None = None,
) -> None:
    record(con, actor=who.name, via=who.via, action=action, target=target, detail=detail)


def record_current(
    con: duckdb.DuckDBPyConnection,
    action: str,
    target: str = "",
    detail: Mapping[str, object] | None = None,
) -> None:
    """:func:`record` as :func:`current_actor`."""
    record_as(con, current_actor(), action, target, detail)


def _clip(text: str) -> str:
    text = str(text).strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _shops_of(detail: Mapping[str, object]) -> str:
    if "shops" in detail:
        shops = detail["shops"]
        if shops is None or shops == "*":
            return "*"
        if isinstance(shops, str):
            names = shops.split(",")
        elif isinstance(shops, (list, tuple, set, frozenset)):
            names = [str(shop) for shop in shops]
        else:
            names = [str(shops)]
        return ",".join(name.strip() for name in names if name.strip()) or "*"
    shop = detail.get("shop")
    return str(shop) if shop else ""


def _hash(prev_hash: str, row: tuple[Any, ...]) -> str:
    audit_id, at, actor, via, action, target, shops, detail, prev_id = row
    payload = [prev_hash, audit_id, at.isoformat(), actor, via, action, target, shops, detail, prev_id]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRecord:
    audit_id: int
    at: dt.datetime
    actor: str
    via: str
    action: str
    target: str
    shops: tuple[str, ...]  # ("*",): every shop; (): none in particular
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    def summary(self) -> str:
        """The detail in one short line: empty values and those the target already names left
        out, a sha256 cut to 12 digits, shops None as 全部."""
        parts = []
        for key, given in self.detail.items():
            value = "全部" if key == "shops" and given in (None, "*", ["*"]) else given
            if key == "rows_replaced" and value == 0:
                continue
            named = isinstance(value, str) and (value == self.target or value in self.target.split(" "))
            if value is None or value in ("", [], {}) or named:
                continue
            shown = "、".join(map(str, value)) if isinstance(value, list) else str(value)
            if key == "sha256":
                shown = shown[:12]
            parts.append(f"{DETAIL_LABELS.get(key, key)} {shown}")
        return "，".join(parts)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.audit_id,
            "at": self.at.isoformat(timespec="seconds"),
            "actor": self.actor,
            "via": self.via,
            "action": self.action,
            "action_label": self.action_label,
            "target": self.target,
            "shops": list(self.shops),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AuditFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    action: str | None = None  # "user" matches every user.* action; "user.add" only itself
    shops: Sequence[str] | None = None  # a limited admin's shops; None: every record

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.start is not None:
            clauses.append("changed_at >= ?")
            params.append(dt.datetime.combine(self.start, dt.time()))
        if self.end is not None:
            clauses.append("changed_at < ?")
            params.append(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))
        if self.action:
            if "." in self.action:
                clauses.append("action = ?")
                params.append(self.action)
            else:
                clauses.append("(action = ? OR starts_with(action, ?))")
                params += [self.action, self.action + "."]
        if self.shops is not None:
            clauses.append(
                "(shops = '' OR (shops <> '*' AND list_has_all(?::VARCHAR[], string_split(shops, ','))))"
            )
            params.append(list(self.shops))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def read(
    con: duckdb.DuckDBPyConnection,
    chosen: AuditFilter | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[AuditRecord]:
    where, params = (chosen or AuditFilter()).where()
    order = "DESC" if newest_first else "ASC"
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    rows = con.execute(f"SELECT {_COLUMNS} FROM audit_log{where} ORDER BY audit_id {order}{page}", params)
    return [
        AuditRecord(
            int(r[0]),
            r[1],
            str(r[2]),
            str(r[3]),
            str(r[4]),
            str(r[5]),
            tuple(s for s in str(r[6]).split(",") if s),
            _detail(r[7]),
        )
        for r in rows.fetchall()
    ]


def _detail(text: object) -> dict[str, Any]:
    try:
        found = json.loads(str(text)) if text else {}
    except ValueError:  # edited by hand: shown as it is (and --verify says so)
        return {"text": str(text)}
    return found if isinstance(found, dict) else {"value": found}


def count(con: duckdb.DuckDBPyConnection, chosen: AuditFilter | None = None) -> int:
    where, params = (chosen or AuditFilter()).where()
    row = con.execute(f"SELECT count(*) FROM audit_log{where}", params).fetchone()
    return int(row[0]) if row else 0


def actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The actions that occur in the log, in order of their labels' list, then by name."""
    found = {str(r[0]) for r in con.execute("SELECT DISTINCT action FROM audit_log").fetchall()}
    order = list(ACTION_LABELS)
    return sorted(found, key=lambda a: (order.index(a) if a in order else len(order), a))


# -- checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    checked: int
    problems: tuple[str, ...]
    newest: tuple[int, str] | None  # (id, hash) of the newest record: note it to detect a cut tail

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(con: duckdb.DuckDBPyConnection) -> Verification:
    """Recompute every record's hash: a record edited by hand no longer matches its hash, and
    the record after it (which hashed its hash) no longer matches either; a removed record is
    missing where a later one says it follows it."""
    rows = con.execute(
        "SELECT audit_id, changed_at, actor, via, action, target, shops, detail, prev_id, row_hash"
        " FROM audit_log ORDER BY audit_id"
    ).fetchall()
    hashes = {int(r[0]): str(r[9]) for r in rows}
    problems: list[str] = []
    for r in rows:
        audit_id, prev_id = int(r[0]), r[8]
        if prev_id is not None and (prev_id not in hashes or prev_id >= audit_id):
            problems.append(f"record #{audit_id} follows record #{prev_id}, which is missing")
            continue
        expected = _hash(hashes[prev_id] if prev_id is not None else "", tuple(r[:9]))
        if expected != r[9]:
            problems.append(
                f"record #{audit_id} ({r[1]:%Y-%m-%d %H:%M:%S}, {r[4]}) was changed after it was written"
            )
    newest = (int(rows[-1][0]), str(rows[-1][9])) if rows else None
    return Verification(len(rows), tuple(problems), newest)
