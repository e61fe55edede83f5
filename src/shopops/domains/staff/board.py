"""A scoreboard as tables: one row per person (the CLI, the page, the workbook), one per line (明细).

``SCORE_COLUMNS`` are the same for every role; ``line_columns`` add one score column per line of a
card when one role is shown (its lines are then the same for every row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import duckdb
import polars as pl

from shopops.domains.staff.figures import ImportRef, import_index, import_refs
from shopops.domains.staff.scoring import LineScore, PersonScore, Scoreboard

SCORE_COLUMNS = (
    "person", "role", "shops", "total", "tier", "rank", "peers", "proration", "provisional", "card", "notes",
)  # fmt: skip
SCORE_LABELS = {
    "person": "姓名", "role": "岗位", "shops": "负责店铺", "total": "总分", "tier": "等级", "rank": "岗位内排名",
    "peers": "岗位人数", "proration": "在岗天数占比", "provisional": "暂定", "card": "评分表", "notes": "说明",
}  # fmt: skip
DETAIL_COLUMNS = (
    "person", "role", "line", "source", "weight", "value", "target", "score", "weighted", "provisional",
    "working", "evidence",
)  # fmt: skip
DETAIL_LABELS = {
    "person": "姓名", "role": "岗位", "line": "考核项", "source": "数据来源", "weight": "权重%", "value": "实际值",
    "target": "目标", "score": "得分", "weighted": "加权得分", "provisional": "暂定", "working": "计算过程",
    "evidence": "依据（导入的文件）",
}  # fmt: skip


def score_frame(board: Scoreboard, *, by_line: bool = False) -> pl.DataFrame:
    """One row per person, best total first within role; ``by_line``: a score column per line (one
    role's card)."""
    rows = []
    for person in sorted(board.people, key=_order):
        row: dict[str, object] = {
            "person": person.member.person,
            "role": person.member.role,
            "shops": "、".join(person.shops) if person.member.shops is not None else "全部店铺",
            "total": _float(person.total),
            "tier": person.tier.label if person.tier else None,
            "rank": person.rank,
            "peers": person.peers,
            "proration": float(person.proration),
            "provisional": person.provisional,
            "card": f"{person.card.role} {person.card.version}（{person.card.origin}）",
            "notes": "；".join(person.notes),
        }
        if by_line:
            for line in person.lines:
                row[f"line:{line.line.name}"] = _float(line.score)
        rows.append(row)
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "person": pl.String, "role": pl.String, "shops": pl.String, "total": pl.Float64, "tier": pl.String,
        "rank": pl.Int64, "peers": pl.Int64, "proration": pl.Float64, "provisional": pl.Boolean,
        "card": pl.String, "notes": pl.String,
    }  # fmt: skip
    if by_line and board.people:
        schema |= {f"line:{line.line.name}": pl.Float64 for line in board.people[0].lines}
    return pl.DataFrame(rows, schema=schema, orient="row")


def board_records(con: duckdb.DuckDBPyConnection, board: Scoreboard) -> list[dict[str, object]]:
    """``--format json``: per person the columns of ``score_frame`` and ``lines`` — each line's
    ``name metric input weight value target score weighted provisional working evidence`` (DESIGN §5)."""
    records = score_frame(board).to_dicts()
    index = import_index(con)
    people = {person.member.person: person for person in board.people}
    for record in records:
        person = people[str(record["person"])]
        record["period"] = board.period.key
        record["lines"] = [
            {
                "name": line.line.name,
                "metric": line.line.metric or line.line.input,  # a manual input: its name
                "input": line.line.input,
                **_scored(con, line, index),
                "basis": line.line.basis or person.card.version,  # the line's 口径版本, else the card's
            }
            for line in person.lines
        ]
    return records


def rollup_frame(board: Scoreboard, months: Sequence[Scoreboard]) -> pl.DataFrame:
    """A quarter's or a year's scores beside its months': one row per person with each month's total
    (``month:2026-10`` …) and the period's own (computed from the period's sums, not the months' mean)."""
    frame = score_frame(board)
    for month in months:
        totals = {p.member.person: _float(p.total) for p in month.people}
        column = f"month:{month.period.key}"
        frame = frame.with_columns(
            pl.col("person").replace_strict(totals, default=None, return_dtype=pl.Float64).alias(column)
        )
    return frame


def detail_frame(con: duckdb.DuckDBPyConnection, people: Sequence[PersonScore]) -> pl.DataFrame:
    """One row per person and line: the value, the score, the working and the files it came from."""
    index = import_index(con)
    rows = []
    for person in people:
        for line in person.lines:
            rows.append(
                {
                    "person": person.member.person,
                    "role": person.member.role,
                    "line": line.line.name,
                    "source": line.line.source_label,
                    **_scored(con, line, index),
                }
            )
    return pl.DataFrame(rows, schema=_detail_schema(), orient="row")


def _scored(
    con: duckdb.DuckDBPyConnection, line: LineScore, index: Mapping[int, ImportRef]
) -> dict[str, object]:
    """A line's weight, value, target, score and how it came about: the JSON's and the 明细's."""
    return {
        "weight": float(line.line.weight),
        "value": line.value,
        "target": line.target,
        "score": _float(line.score),
        "weighted": _float(line.weighted),
        "provisional": line.provisional,
        "working": line.working,
        "evidence": evidence_text(con, line, index),
    }


_DETAIL_TYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "weight": pl.Float64, "value": pl.Float64, "target": pl.Float64, "score": pl.Float64,
    "weighted": pl.Float64, "provisional": pl.Boolean,
}  # fmt: skip


def _detail_schema() -> dict[str, pl.DataType | type[pl.DataType]]:
    return {key: _DETAIL_TYPES.get(key, pl.String) for key in DETAIL_COLUMNS}


def evidence_text(
    con: duckdb.DuckDBPyConnection, line: LineScore, index: Mapping[int, ImportRef] | None = None
) -> str:
    """The imports a line's figure came from: "生意参谋_店铺整体_2026-11.xlsx（#12，30 行，11-01~11-30）…"."""
    if line.entered_by:
        return _entries_text(con, line, index)
    if line.figure is None:
        return ""
    refs = import_refs(con, line.figure.import_ids, index)
    shown = [
        f"{ref.file_name}（#{ref.import_id}，{ref.rows} 行"
        + (f"，{ref.first:%m-%d}~{ref.last:%m-%d}" if ref.first and ref.last else "")
        + "）"
        for ref in refs[:5]
    ]
    more = f" 等 {len(refs)} 个文件" if len(refs) > 5 else ""
    return "、".join(shown) + more + (f"；{line.target_source}" if line.target_source else "")


def _entries_text(
    con: duckdb.DuckDBPyConnection, line: LineScore, index: Mapping[int, ImportRef] | None
) -> str:
    """Manual entries: "绩效录入.xlsx 第 5 行（#12）2026-11 96%，张主管 12-02 录入"."""
    files = {
        ref.import_id: ref.file_name for ref in import_refs(con, [e[4] for e in line.entries if e[4]], index)
    }
    shown = []
    for period, _, entered_by, entered_on, import_id, source_row in line.entries:
        where = f"{files.get(import_id, '')} 第 {source_row} 行（#{import_id}）" if import_id else "手工录入"
        when = f" {entered_on:%m-%d}" if entered_on else ""
        shown.append(f"{where} {period}，{entered_by}{when} 录入")
    return "；".join(shown) or f"手工录入，录入人 {line.entered_by}"


def _order(person: PersonScore) -> tuple[str, int, str]:
    return (person.member.role, person.rank if person.rank is not None else 10**6, person.member.person)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
