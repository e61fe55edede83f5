"""The 绩效 page (`/staff`): the scoreboard of a period per role, and a person's card with the working
and the evidence of every line (`/staff/person/{name}`).

Who sees what — decided here, on every route, from the logged-in user and the staff list:

- an admin and a 主管 (``User.is_manager``) see the people whose shops (员工名单's 负责店铺) meet the
  shops they may see; a person of every shop (负责店铺 left empty) only when they may see every shop;
- an operator and a viewer see only the card of the staff-list row whose 登录账号 is their login
  name (within their shops, as above). Anyone else's card answers 404 exactly as a name that does
  not exist does, whatever the period or role asked: nothing tells who exists.

The scores are the CLI's (`shopops staff score`): one scoreboard per period for everyone, cached
until the next import (ranks are within the whole role), of which each user is shown their part.
Names, roles, notes and file names come from files and users: the template shows them as escaped
text. Shops the user may not see are never named (a person's other shops are counted, the files of
their imports left out and counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shopops.analysis.targets.periods import TargetPeriod, parse_period
from shopops.domains.staff.board import evidence_text
from shopops.domains.staff.cards import SCOPE_LABELS, TARGETS, Line
from shopops.domains.staff.library import CARDS_FILE
from shopops.domains.staff.scoring import LineScore, PersonScore, Scoreboard, score_period
from shopops.domains.staff.team import Member, load_members
from shopops.domains.staff.working import value_text
from shopops.errors import UserError
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.web.app import Auth, AuthDep, render
from shopops.web.data import ScopedData
from shopops.web.i18n import translate

NO_STAFF = "还没有员工名单"
UNLINKED = "你的账号没有关联员工名单里的人"
NOT_FOUND = "没有这个人的绩效 — 从绩效页的名单点进来"
PERIOD_HELP = "写 2026-11（月）、2026-Q4（季度）或 2026（年）"
MONTHS_LISTED = 24  # the period picker's months, newest first

router = APIRouter(include_in_schema=False)


# -- who sees whom ---------------------------------------------------------------------------


def in_scope(data: ScopedData, member: Member) -> bool:
    """The person's shops meet the user's (a person of every shop: the user sees every shop)."""
    if data.user.shops is None:
        return True
    if member.shops is None:
        return set(data.all_shops) <= set(data.allowed)
    return any(shop in data.allowed for shop in member.shops)


def may_see(auth: Auth, member: Member) -> bool:
    if not in_scope(auth.data, member):
        return False
    return auth.user.is_manager or (member.user_name is not None and member.user_name == auth.user.name)


# -- the period ------------------------------------------------------------------------------


def default_period(data: ScopedData) -> TargetPeriod:
    """The last whole month of the user's data (as `shopops staff score`), else the last month."""
    latest = data.data_dates()[1] or dt.date.today() - dt.timedelta(days=1)
    month = TargetPeriod.containing(latest, "month")
    if latest < month.end:  # the month is not over: the one before
        month = TargetPeriod.containing(month.start - dt.timedelta(days=1), "month")
    return month


def chosen_period(data: ScopedData, text: str) -> TargetPeriod:
    if not text.strip():
        return default_period(data)
    period = parse_period(text)
    if period is None:
        raise UserError(f"期间 {text[:40]!r} 读不出来 — {PERIOD_HELP}")
    return period


def period_options(data: ScopedData, chosen: TargetPeriod) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's months, quarters and years (newest first) over the user's data, and the chosen."""
    first, last = data.data_dates()
    last = last or chosen.end
    first = max(first or chosen.start, last - dt.timedelta(days=31 * MONTHS_LISTED))
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for kind, label in (("month", "按月"), ("quarter", "按季度"), ("year", "按年")):
        found: dict[str, TargetPeriod] = {}
        day = last
        while day >= first:
            period = TargetPeriod.containing(day, kind)
            found[period.key] = period
            day = period.start - dt.timedelta(days=1)
        for wanted in (chosen, default_period(data)):
            if wanted.kind == kind:
                found.setdefault(wanted.key, wanted)
        ordered = sorted(found.values(), key=lambda p: p.start, reverse=True)
        groups.append((label, [(p.key, p.label) for p in ordered]))
    return groups


# -- the scores ------------------------------------------------------------------------------


def scoreboard(data: ScopedData, period: TargetPeriod) -> Scoreboard:
    """Everyone's scores for the period, cached until the next import (or a change of scorecards.yaml
    or of the targets)."""
    cards = data.workspace.root / CARDS_FILE
    stamp = cards.stat().st_mtime_ns if cards.is_file() else 0
    targets = data.cursor.execute("SELECT count(*), max(updated_at) FROM targets").fetchone()
    return data._remember(
        ("staff-board", period.key, stamp, targets), lambda cursor: score_period(cursor, period)
    )


def staff_count(data: ScopedData) -> int:
    row = data.cursor.execute("SELECT count(*) FROM staff").fetchone()
    return int(row[0]) if row else 0


def points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def tier_class(person: PersonScore) -> str:
    """金/银/铜 by the tier's place on the card (a card's own tiers too); the lowest tier: ``low``."""
    if person.tier is None:
        return "none"
    index = person.card.tiers.index(person.tier)
    return "low" if index == len(person.card.tiers) - 1 else f"t{min(index, 2)}"


def rank_text(person: PersonScore) -> str:
    return "—" if person.rank is None else f"{person.rank}/{person.peers}"


def shops_text(data: ScopedData, person: PersonScore) -> str:
    """The person's shops the user may see; the others only counted."""
    if person.member.shops is None:
        return "全部店铺"
    shown = [shop for shop in person.shops if shop in data.allowed]
    hidden = len(person.shops) - len(shown)
    return "、".join(shown) + (f" 等 {len(person.shops)} 个店铺" if hidden else "") if shown else "—"


def person_href(person: Member, period: TargetPeriod, role: str = "") -> str:
    query = {"period": period.key} | ({"role": role} if role else {})
    return f"/staff/person/{quote(person.person, safe='')}?{urlencode(query)}"


# -- the views -------------------------------------------------------------------------------


@dataclass
class RoleTable:
    role: str
    card: str  # the card's version and origin
    lines: list[tuple[str, str]]  # (line name, weight %)
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StaffView:
    period: TargetPeriod
    through: dt.date | None
    board: bool  # the scoreboard (admin, 主管) or the user's own card(s)
    tables: list[RoleTable] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    unscored: list[tuple[str, str, str]] = field(default_factory=list)  # (person, role, why)
    roles: list[str] = field(default_factory=list)  # the role filter's choices
    message: str = ""  # the one line when there is nothing to show
    empty: bool = False  # no staff list at all


def role_tables(auth: Auth, people: list[PersonScore], role: str) -> list[RoleTable]:
    tables: dict[str, RoleTable] = {}
    for person in sorted(people, key=_order):
        member = person.member
        table = tables.get(member.role)
        if table is None:
            card = person.card
            lines = [(line.name, f"{line.weight:g}%") for line in card.lines]
            table = tables[member.role] = RoleTable(member.role, f"{card.version}（{card.origin}）", lines)
        table.rows.append(
            {
                "person": member.person,
                "href": person_href(member, person.period, role),
                "shops": shops_text(auth.data, person),
                "total": points(person.total),
                "total_sort": "" if person.total is None else str(person.total),
                "tier": person.tier.label if person.tier else "—",
                "tier_class": tier_class(person),
                "rank": rank_text(person),
                "rank_sort": "" if person.rank is None else str(person.rank),
                "scores": [
                    (points(line.score), "" if line.score is None else str(line.score), line.provisional)
                    for line in person.lines
                ],
                "provisional": person.provisional,
                "notes": list(person.notes),
            }
        )
    return list(tables.values())


def card_view(auth: Auth, person: PersonScore) -> dict[str, Any]:
    """One person's card: every line's value, score, weighted score, working and evidence."""
    catalog = load_catalog()
    lines = []
    for line in person.lines:
        card_line = line.line
        unit = card_line.unit
        if card_line.metric is not None and card_line.target_input is not None:
            unit = catalog.metrics[card_line.metric].unit if card_line.metric in catalog.metrics else unit
        if line.target is not None:
            target = value_text(line.target, unit)
        elif card_line.target is not None:
            target = value_text(card_line.target, "ratio" if card_line.target_input else card_line.unit)
        else:
            target = "—"
        lines.append(
            {
                "name": card_line.name,
                "source": source_text(card_line, catalog),
                "basis": card_line.basis,
                "weight": f"{card_line.weight:g}%",
                "value": value_text(line.value, "ratio" if card_line.target_input else card_line.unit),
                "target": target,
                "score": points(line.score),
                "weighted": points(line.weighted),
                "bar": 0 if line.score is None else round(float(line.score) / card_line.cap * 100, 1),
                "working": line.working,
                "evidence": evidence(auth.data, line),
                "provisional": line.provisional,
                "missing": line.missing,
            }
        )
    card = person.card
    return {
        "person": person.member.person,
        "role": person.member.role,
        "shops": shops_text(auth.data, person),
        "period": person.period.label,
        "total": points(person.total),
        "tier": person.tier.label if person.tier else "—",
        "tier_class": tier_class(person),
        "rank": rank_text(person),
        "proration": _share(person),
        "provisional": person.provisional,
        "notes": list(person.notes),
        "title": card.title,
        "version": card.version,
        "origin": card.origin,
        "tiers": [f"{t.label} ≥{t.minimum:g}（系数 {t.coefficient}）" for t in card.tiers],
        "lines": lines,
    }


def source_text(line: Line, catalog: Catalog) -> str:
    """What a line scores, in words: 客服销售额（本人）÷ 销售目标 · 手工录入「出勤率」."""
    if line.input is not None or line.metric is None:
        return f"手工录入「{line.input}」"
    text = f"{catalog.label(line.metric)}（{SCOPE_LABELS[line.scope]}）"
    if line.target_input:
        text += " ÷ " + ("目标表" if line.target_input == TARGETS else line.target_input)
    return text


def evidence(data: ScopedData, line: LineScore) -> str:
    """The files a line's figure came from (``board.evidence_text``), without those of shops the
    user may not see (they are counted)."""
    figure = line.figure
    if data.user.shops is None or figure is None or line.entered_by or not figure.import_ids:
        return evidence_text(data.cursor, line)
    rows = data.cursor.execute(
        "SELECT import_id, shops FROM imports WHERE import_id IN (SELECT unnest($ids::BIGINT[]))",
        {"ids": list(figure.import_ids)},
    ).fetchall()
    allowed = set(data.allowed)
    shown = tuple(
        int(i) for i, shops in rows if (names := str(shops or "").split(",")) and set(names) <= allowed
    )
    text = evidence_text(data.cursor, replace(line, figure=replace(figure, import_ids=shown)))
    hidden = len(rows) - len(shown)
    return text + (f"；另有 {hidden} 个文件属于你无权查看的店铺" if hidden else "")


def _share(person: PersonScore) -> str:
    """全期, or the days held of the period's days: 21/30 天（70%）."""
    span = person.member.active(person.period)
    if person.proration == 1 or span is None:
        return "全期"
    days = (span[1] - span[0]).days + 1
    return f"{days}/{person.period.days} 天（{float(person.proration):.0%}）"


def _order(person: PersonScore) -> tuple[str, int, str]:
    return (person.member.role, person.rank if person.rank is not None else 10**6, person.member.person)


def build_view(auth: Auth, period: TargetPeriod, role: str) -> StaffView:
    data = auth.data
    if not staff_count(data):
        message = NO_STAFF if auth.user.is_manager else UNLINKED
        return StaffView(period, None, auth.user.is_manager, message=message, empty=auth.user.is_manager)
    board = scoreboard(data, period)
    people = [p for p in board.people if may_see(auth, p.member)]
    unscored = [(m.person, m.role, why) for m, why in board.unscored if may_see(auth, m)]
    view = StaffView(period, board.through, auth.user.is_manager)
    if not auth.user.is_manager:
        view.cards = [card_view(auth, person) for person in people]
        view.unscored = unscored
        if not people and not unscored:
            view.message = _own_absence(auth, period)
        return view
    view.roles = sorted({p.member.role for p in people} | {r for _, r, _ in unscored})
    if role:
        people = [p for p in people if p.member.role == role]
        unscored = [u for u in unscored if u[1] == role]
    view.tables = role_tables(auth, people, role)
    view.unscored = unscored
    if not people and not unscored:
        view.message = f"{period.label} 没有你可查看的在岗人员" + (f"（岗位 {role}）" if role else "")
    return view


def _own_absence(auth: Auth, period: TargetPeriod) -> str:
    """Why an operator sees no card: no staff-list row names their login, or not in the period."""
    mine = [m for m in load_members(auth.data.cursor) if may_see(auth, m)]
    if not mine:
        return UNLINKED
    return "、".join(m.person for m in mine) + f" 在 {period.label} 不在岗，没有评分"


@router.get("/staff", response_class=HTMLResponse)
def staff(request: Request, auth: AuthDep, period: str = "", role: str = "") -> Response:
    chosen = chosen_period(auth.data, period)
    view = build_view(auth, chosen, role)
    return render(
        request,
        "staff.html",
        auth,
        view=view,
        person=None,
        role=role,
        periods=period_options(auth.data, chosen),
    )


@router.get("/staff/person/{name:path}", response_class=HTMLResponse)
def staff_person(request: Request, auth: AuthDep, name: str, period: str = "", role: str = "") -> Response:
    chosen = chosen_period(auth.data, period)
    board = scoreboard(auth.data, chosen) if staff_count(auth.data) else Scoreboard(chosen, chosen.end)
    found = next(
        (
            p
            for p in board.people
            if p.member.person == name and may_see(auth, p.member) and role in ("", p.member.role)
        ),
        None,
    )
    if found is None:  # no such person, not theirs, not in the period: one answer for all
        title, message = (translate(text, auth.lang) for text in ("没有找到", NOT_FOUND))
        return render(request, "error.html", auth, status=404, title=title, message=message)
    back = {"period": chosen.key} | ({"role": role} if role else {})
    return render(
        request,
        "staff.html",
        auth,
        view=StaffView(chosen, board.through, auth.user.is_manager),
        person=card_view(auth, found),
        back="/staff?" + urlencode(back),
        role=role,
        periods=period_options(auth.data, chosen),
    )
