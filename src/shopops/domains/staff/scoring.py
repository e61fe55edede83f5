"""Scoring people for a period: each line's value, score and working, the weighted total, tier and rank.

A line whose figure is unknown (no export for the days, an input nobody entered, a target not set)
has no score, and neither has the total: a missing figure is not a zero, and a total without one of
its lines would rank the person on a different card. The card's lines are shown with what is missing.
Totals are the sum of the weighted line scores as shown (each rounded to 0.01), so the parts add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb

from shopops.analysis.targets.periods import TargetPeriod, parse_period
from shopops.analysis.targets.store import Target, load_targets
from shopops.domains.staff.cards import TARGETS, Card, Line, Tier, card_for, line_score
from shopops.domains.staff.figures import Figure, FigureCache, shop_target
from shopops.domains.staff.library import all_cards
from shopops.domains.staff.team import InputBook, InputEntry, Member, input_value, load_members
from shopops.domains.staff.working import line_working, value_text
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.coverage import undated_tables
from shopops.metrics.totals import is_additive

CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineScore:
    line: Line
    value: float | None  # what was scored: the metric, the input, or a 完成率
    score: Decimal | None
    weighted: Decimal | None
    working: str  # "询单转化率 41.2% = 1,236 / 3,000（…）→ ≥40% → 80 × 20% = 16.00"
    figure: Figure | None = None  # the metric's figure with its evidence
    target: float | None = None  # a 完成率's target (pro-rated where it is)
    target_source: str = ""
    entered_by: str = ""  # a manual input's
    entries: tuple[InputEntry, ...] = ()  # the manual entries used (the input's, a 完成率's target's)
    provisional: bool = False
    missing: str = ""  # why there is no score


@dataclass(frozen=True)
class PersonScore:
    member: Member
    card: Card
    period: TargetPeriod
    lines: tuple[LineScore, ...]
    total: Decimal | None
    tier: Tier | None
    proration: Fraction
    notes: tuple[str, ...]
    provisional: bool
    shops: tuple[str, ...]
    rank: int | None = None
    peers: int = 0  # how many of the role have a total


@dataclass
class Scoreboard:
    period: TargetPeriod
    through: dt.date  # the last day with data the scores use
    people: list[PersonScore] = field(default_factory=list)
    unscored: list[tuple[Member, str]] = field(default_factory=list)  # (member, why: no card …)
    # manual entries of the period no scored card reads (a person not on the list, an item's name
    # that no line has): said, not silently dropped; only when everyone is scored
    unused_inputs: list[str] = field(default_factory=list)


def score_period(
    con: duckdb.DuckDBPyConnection,
    period: TargetPeriod,
    *,
    role: str | None = None,
    people: Sequence[str] | None = None,
    through: dt.date | None = None,
    catalog: Catalog | None = None,
) -> Scoreboard:
    """Every person of the staff list active in ``period`` (of ``role``, of ``people``), scored."""
    catalog = catalog or load_catalog()
    cards = all_cards(con, catalog)
    every_shop = [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()]
    targets, _ = load_targets(con, strict=False)
    last = through or _last_day(con) or period.end
    board = Scoreboard(period, min(last, period.end))
    chosen: list[tuple[Member, Card]] = []
    for member in load_members(con):
        if (role is not None and member.role != role) or (people is not None and member.person not in people):
            continue
        if member.active(period) is None:
            continue
        card = card_for(cards, member.role, period)
        if card is None:
            board.unscored.append((member, f"岗位「{member.role}」没有评分表 — 在 scorecards.yaml 里加一张"))
            continue
        chosen.append((member, card))
    cache = FigureCache(con, period, board.through, catalog)
    cache.prefetch([(m.person, _span(m, period), _own_keys(c)) for m, c in chosen])
    for member, card in chosen:
        board.people.append(score_person(cache, member, card, every_shop, targets))
    _rank(board.people)
    if role is None and people is None:
        board.unused_inputs = _unused_inputs(cache.inputs, board)
    return board


def _unused_inputs(book: InputBook, board: Scoreboard) -> list[str]:
    """「姓名·项目」 of the period's manual entries that no scored person's card reads."""
    read = {
        (person.member.person, name)
        for person in board.people
        for line in person.card.lines
        for name in (line.input, line.target_input)
        if name
    }
    return [
        f"{person}·{item}"
        for person, item, key in book.entry_keys()
        if (person, item) not in read and _within(key, board.period)
    ]


def _within(key: str, period: TargetPeriod) -> bool:
    entry = parse_period(key)
    return entry is not None and period.start <= entry.start and entry.end <= period.end


def _span(member: Member, period: TargetPeriod) -> tuple[dt.date, dt.date]:
    span = member.active(period)
    assert span is not None
    return span


def _own_keys(card: Card) -> list[str]:
    return [line.metric for line in card.lines if line.metric and line.scope == "own"]


def score_person(
    cache: FigureCache, member: Member, card: Card, every_shop: Sequence[str], targets: Sequence[Target]
) -> PersonScore:
    con, period, catalog = cache.con, cache.period, cache.catalog
    proration = member.proration(period)
    shops = member.shop_list(every_shop)
    shop_keys = [line.metric for line in card.lines if line.metric and line.scope == "shops"]
    own = cache.own(member.person, _span(member, period), _own_keys(card))
    mine = cache.shops(shops, shop_keys)
    months = [m for m in period.months() if member.active(m) is not None]
    context = _Context(
        con,
        cache.inputs,
        member,
        period,
        months,
        own,
        mine,
        targets,
        cache.through,
        shops,
        every_shop,
        proration,
        catalog,
    )
    lines = [_line(line, context) for line in card.lines]
    known = all(line.weighted is not None for line in lines)
    total = sum((line.weighted for line in lines if line.weighted is not None), Decimal(0)) if known else None
    notes = []
    if note := member.proration_note(period):
        notes.append(note)
    unfinished = _span(member, period)[1] > cache.through
    if unfinished:
        notes.append(f"暂定：数据到 {cache.through:%m-%d}，{period.key} 还没过完")
    notes += sorted({line.figure.note for line in lines if line.figure and line.figure.note})
    if not known:
        gaps = "、".join(line.line.name for line in lines if line.weighted is None)
        notes.append(f"缺 {gaps}，总分未知")
    return PersonScore(
        member=member,
        card=card,
        period=period,
        lines=tuple(lines),
        total=total,
        tier=card.tier(total),
        proration=proration,
        notes=tuple(notes),
        provisional=unfinished or any(line.provisional for line in lines),
        shops=tuple(shops),
    )


@dataclass(frozen=True)
class _Context:
    """What every line of one person's card is scored with."""

    con: duckdb.DuckDBPyConnection
    inputs: InputBook
    member: Member
    period: TargetPeriod
    months: Sequence[TargetPeriod]  # the months of the period the person was in the role
    own: dict[str, Figure]
    mine: dict[str, Figure]
    targets: Sequence[Target]
    through: dt.date
    shops: Sequence[str]
    every_shop: Sequence[str]
    proration: Fraction
    catalog: Catalog


def _line(line: Line, context: _Context) -> LineScore:
    if line.input is not None:
        return _input_line(line, context)
    assert line.metric is not None
    catalog = context.catalog
    figure = (context.own if line.scope == "own" else context.mine).get(line.metric)
    if figure is None or figure.value is None:
        why = figure.note if figure is not None and figure.note else "这段时间没有数据"
        return _unknown(line, f"{catalog.label(line.metric)}未知：{why}", figure)
    actual = float(figure.value)
    unit = catalog.metrics[line.metric].unit
    shown = value_text(figure.value, unit, figure.parts)
    if line.target_input is None:
        score = line_score(line, actual)
        working = line_working(line, actual, shown, _sources(figure), score)
        return LineScore(
            line, actual, score, _weighted(score, line), working, figure, provisional=figure.provisional
        )
    target, target_note, missing = _target(line, context, unit, figure)
    if target is None:
        return _unknown(line, missing, figure)
    ratio = actual / target
    score = line_score(line, ratio)
    shown = f"{value_text(ratio, 'ratio')} = {shown} ÷ {target_note}"
    working = line_working(line, ratio, shown, _sources(figure), score)
    return LineScore(
        line,
        ratio,
        score,
        _weighted(score, line),
        working,
        figure,
        target,
        target_note,
        provisional=figure.provisional,
    )


def _input_line(line: Line, context: _Context) -> LineScore:
    assert line.input is not None
    period = context.period
    entered = input_value(
        context.inputs, context.member.person, line.input, period, line.unit, context.months
    )
    if entered is None:
        return _unknown(line, f"没有录入「{line.input}」（{period.key}）— shopops template staff-inputs")
    score = line_score(line, entered.value)
    basis = f"（{entered.basis}）" if entered.basis else ""
    source = f"手工录入「{line.input}」{basis}，录入人 {entered.entered_by}"
    working = line_working(line, entered.value, value_text(entered.value, line.unit), source, score)
    return LineScore(
        line,
        entered.value,
        score,
        _weighted(score, line),
        working,
        entered_by=entered.entered_by,
        entries=entered.entries,
    )


def _target(line: Line, context: _Context, unit: str, figure: Figure) -> tuple[float | None, str, str]:
    """A 完成率 line's target, how it reads, and why it is missing (see the module of figures)."""
    assert line.metric is not None and line.target_input is not None
    period, catalog = context.period, context.catalog
    # An amount or a count adds up over days (a 销售目标 is pro-rated, shops' targets are summed); a
    # ratio — 客单价 is money per buyer — does not.
    additive = is_additive(catalog.metrics[line.metric])
    if line.target_input == TARGETS:
        value, source = shop_target(
            context.con, context.targets, period, context.shops, context.every_shop, line.metric, additive
        )
        if value is None:
            scope = f" --shop {context.shops[0]}" if len(context.shops) == 1 else ""
            how = f"shopops targets set -p {period.key} -m {line.metric} -v 目标值{scope}"
            return None, "", f"目标表里没有 {period.key} 的{catalog.label(line.metric)}目标 — {how}"
        if not value:
            return None, "", f"{period.key} 的{catalog.label(line.metric)}目标是 0，完成率无从计算"
        return float(value), f"目标 {value_text(value, unit)}（{source}）", ""
    entered = input_value(
        context.inputs,
        context.member.person,
        line.target_input,
        period,
        "money" if additive else "ratio",
        context.months,
    )
    if entered is None:
        return None, "", f"没有录入「{line.target_input}」（{period.key}）— shopops template staff-inputs"
    if not entered.value:
        return None, "", f"「{line.target_input}」是 0，完成率无从计算"
    if not (additive and line.scope == "own"):
        return (
            entered.value,
            f"{line.target_input} {value_text(entered.value, unit)}（录入人 {entered.entered_by}）",
            "",
        )
    # The person's own amount covers the days they held the role, up to the data's last day, less the
    # days left out as unsettled: each entry's target is cut to the same days of its own period (a
    # quarter summed from its months: each month's target by that month's days).
    cut, parts, held_only = 0.0, [], True
    for entry_period, amount, *_ in entered.entries:
        span = parse_period(entry_period)
        assert span is not None
        counted = _counted_days(context.member, span, context.through, figure.left_out)
        held = _counted_days(context.member, span, span.end, ())
        held_only = held_only and counted == held
        cut += amount * counted / span.days
        shown = value_text(amount, unit)
        parts.append(shown if counted == span.days else f"{shown} × {counted}/{span.days} 天")
    cut_days = any("天" in part for part in parts)
    why = ("（在岗天数）" if held_only else "（在岗、已结算、已有数据的天数）") if cut_days else ""
    sums = " + ".join(parts) + (f" = {value_text(cut, unit)}" if len(parts) > 1 or why else "")
    return cut, f"{line.target_input} {sums}{why}（录入人 {entered.entered_by}）", ""


def _counted_days(member: Member, period: TargetPeriod, through: dt.date, left_out: Sequence[dt.date]) -> int:
    """The days of ``period`` whose figures count: held, up to the data's last day, not left out."""
    span = member.active(period)
    if span is None:
        return 0
    first, last = span[0], min(span[1], through)
    return max(0, (last - first).days + 1 - sum(1 for day in left_out if first <= day <= last))


def _unknown(line: Line, why: str, figure: Figure | None = None) -> LineScore:
    provisional = figure is not None and figure.provisional
    return LineScore(
        line, None, None, None, f"{line.name}：{why}", figure, provisional=provisional, missing=why
    )


def _weighted(score: Decimal, line: Line) -> Decimal:
    return (score * line.weight / 100).quantize(CENT, ROUND_HALF_UP)


def _sources(figure: Figure) -> str:
    return "、".join(figure.sources)


def _rank(people: list[PersonScore]) -> None:
    """Rank within role by total (1 = best; equal totals share a rank), unknown totals unranked."""
    totals: dict[str, list[Decimal]] = {}
    for person in people:
        if person.total is not None:
            totals.setdefault(person.member.role, []).append(person.total)
    for index, person in enumerate(people):
        mine = totals.get(person.member.role, [])
        total = person.total
        rank = None if total is None else 1 + sum(1 for other in mine if other > total)
        people[index] = replace(person, rank=rank, peers=len(mine))


def _last_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day of data: the lists (staff, inputs, cards, targets, costs) state no days."""
    row = con.execute(
        "SELECT max(date_max) FROM imports WHERE date_max < DATE '2999-01-01'"
        " AND target_table <> 'targets' AND NOT list_contains($undated, target_table)",
        {"undated": undated_tables()},
    ).fetchall()
    return row[0][0] if row and row[0][0] is not None else None
