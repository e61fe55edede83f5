"""Which agent a name means: a person of the 客服名单, an account (旺旺 / 客服昵称) as the exports write
it, or the sub-account part of one (``宁宁`` for ``云朵旗舰店:宁宁``). A renamed 旺旺 is one person;
the same name in two shops needs ``--shop``; an unknown name is answered with the agents that exist,
the closest first.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from shopops.errors import UserError

LISTED = 12  # agents named in the "no such agent" line


@dataclass(frozen=True)
class AgentRef:
    shop: str
    person: str


def find_agent(con: duckdb.DuckDBPyConnection, name: str, shops: Sequence[str] | None = None) -> AgentRef:
    """The person ``name`` stands for, in ``shops`` (None: all); a one-line UserError otherwise."""
    known = _known(con, shops)
    wanted = name.strip()
    found: set[AgentRef] = set()
    for matches in (
        lambda person, account: person == wanted,
        lambda person, account: account == wanted,
        lambda person, account: account.rpartition(":")[2] == wanted,
        lambda person, account: wanted.casefold() in (person.casefold(), account.casefold()),
    ):
        found = {AgentRef(shop, person) for shop, person, account in known if matches(person, account)}
        if found:
            break
    if len(found) == 1:
        return found.pop()
    if found:
        where = "、".join(sorted(f"{ref.person}（{ref.shop}）" for ref in found))
        raise UserError(f"{wanted!r} could be {where} — pass --shop to pick one")
    if not known:
        scope = f" in {', '.join(shops)}" if shops else ""
        raise UserError(
            f"no 客服 data{scope} yet — import 赤兔/千牛/飞鸽/咚咚 exports first (`shopops sources`)"
        )
    raise UserError(f"no agent {wanted!r} — agents (closest first): {closest(wanted, known)}")


def closest(name: str, known: Sequence[tuple[str, str, str]]) -> str:
    """The people of ``known`` as "小美（云朵旗舰店）、…", the closest to ``name`` first."""
    score: dict[tuple[str, str], float] = {}
    for shop, person, account in known:
        best = max(difflib.SequenceMatcher(None, name, text).ratio() for text in (person, account))
        score[(shop, person)] = max(score.get((shop, person), 0.0), best)
    ordered = sorted(score, key=lambda key: (-score[key], key[1], key[0]))
    named = "、".join(f"{person}（{shop}）" for shop, person in ordered[:LISTED])
    more = len(ordered) - LISTED
    return named + (f" … 另有 {more} 人" if more > 0 else "")


def _known(con: duckdb.DuckDBPyConnection, shops: Sequence[str] | None) -> list[tuple[str, str, str]]:
    """(shop, person, account) of every account in the exports and the roster."""
    where = "" if shops is None else "WHERE shop IN (SELECT unnest($shops::VARCHAR[]))"
    rows = con.execute(
        f"""
        WITH roster AS (SELECT shop, account, any_value(person) AS person FROM service_roster GROUP BY ALL),
        accounts AS (
            SELECT DISTINCT p.shop, coalesce(r.person, p.agent) AS person, p.agent AS account
            FROM service_agent_period p LEFT JOIN roster r ON r.shop = p.shop AND r.account = p.agent
            UNION SELECT shop, person, account FROM roster
        )
        SELECT shop, person, account FROM accounts {where} ORDER BY 1, 2, 3
        """,
        {"shops": list(shops)} if shops is not None else {},
    ).fetchall()
    return [(str(shop), str(person), str(account)) for shop, person, account in rows]
