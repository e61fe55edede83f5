"""The 绩效 workbooks: `shopops staff score --format xlsx` (绩效汇总 + one 明细 sheet per person) and
`shopops staff bonus --format xlsx` (绩效与奖金, the sheet a manager signs, before the same sheets).

Every text goes through ``write_string`` (``cells.write_text``) and the workbook never turns strings
into formulas: a name such as ``=cmd|' /C calc'!A0`` stays text, in a cell as in a sheet name. A
person's sheet is named after them, cut to Excel's 31 characters, without the characters Excel
refuses (``[]:*?/\\``), and made unique. Unknown is "—", never 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from shopops.domains.staff.board import DETAIL_LABELS, SCORE_LABELS, detail_frame
from shopops.domains.staff.bonus_plan import BonusLine, BonusPlan
from shopops.domains.staff.cards import SCOPE_LABELS, Line
from shopops.domains.staff.scoring import LineScore, PersonScore, Scoreboard
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.reports.workbook.cells import DASH, write_number, write_text
from shopops.reports.workbook.styles import Styles, workbook_options

SUMMARY_SHEET = "绩效汇总"
BONUS_SHEET = "绩效与奖金"
MAX_NAME = 31  # Excel's limit, in UTF-16 units
_REFUSED = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_RESERVED = {"history"}  # Excel keeps this name for itself
SIGNERS = ("制表人", "审核人", "批准人", "日期")
DETAIL_KEYS = (
    "line",
    "source",
    "weight",
    "value",
    "target",
    "score",
    "weighted",
    "provisional",
    "working",
    "evidence",
)
NOTE = (
    "“—” = 未知（不是 0）；暂定 = 有数据尚未结算（赤兔延迟统计、导出时间距当天不足 4 天），结算后重新导入会变"
)


def write_score_book(con: duckdb.DuckDBPyConnection, board: Scoreboard, output: Path) -> None:
    """绩效汇总 (one row per person) and one 明细 sheet per person."""
    workbook = xlsxwriter.Workbook(str(output), workbook_options())
    workbook.set_properties({"title": f"绩效 {board.period.label}", "author": "ShopOps"})
    styles = Styles(workbook)
    people = ordered(board.people)
    names = sheet_names([p.member.person for p in people], taken=[SUMMARY_SHEET])
    _summary_sheet(workbook, styles, board, people, names)
    for person, name in zip(people, names, strict=True):
        write_person_sheet(workbook, styles, con, board, person, name)
    _close(workbook, output)


def write_bonus_book(con: duckdb.DuckDBPyConnection, plan: BonusPlan, output: Path) -> None:
    """绩效与奖金 (to sign), 绩效汇总 and one 明细 sheet per person."""
    board = plan.board
    workbook = xlsxwriter.Workbook(str(output), workbook_options())
    workbook.set_properties({"title": f"绩效与奖金 {board.period.label}", "author": "ShopOps"})
    styles = Styles(workbook)
    people = [line.score for line in plan.lines]
    names = sheet_names([p.member.person for p in people], taken=[SUMMARY_SHEET, BONUS_SHEET])
    _bonus_sheet(workbook, styles, plan)
    _summary_sheet(workbook, styles, board, people, names)
    for person, name in zip(people, names, strict=True):
        write_person_sheet(workbook, styles, con, board, person, name)
    _close(workbook, output)


def sheet_names(names: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """A sheet name per person: the characters Excel refuses left out, cut to 31, unique (ignoring
    case, as Excel does) against each other and ``taken``: 小美, 小美(2) …"""
    used = {name.lower() for name in taken} | _RESERVED
    found = []
    for name in names:
        base = _REFUSED.sub("", name).strip().strip("'").strip() or "明细"
        candidate, number = _cut(base, MAX_NAME), 2
        while candidate.lower() in used:
            suffix = f"({number})"
            candidate, number = _cut(base, MAX_NAME - len(suffix)) + suffix, number + 1
        used.add(candidate.lower())
        found.append(candidate)
    return found


def ordered(people: Sequence[PersonScore]) -> list[PersonScore]:
    """By role, then rank (unknown totals last), then name — as the score table shows them."""
    return sorted(
        people, key=lambda p: (p.member.role, p.rank if p.rank is not None else 10**6, p.member.person)
    )


def write_score_table(
    worksheet: Any, styles: Styles, people: Sequence[PersonScore], row: int, links: Sequence[str] = ()
) -> int:
    """The 绩效 table from ``row``: one row per person, a score column per line when everyone has the
    same card lines, else one 各项得分 column; ``links``: each person's 明细 sheet. Returns the row after."""
    by_line = len({tuple(line.line.name for line in p.lines) for p in people}) == 1
    lines = [(line.line.name, line.line.weight) for line in people[0].lines] if by_line and people else []
    headers = [SCORE_LABELS[key] for key in ("person", "role", "shops", "total", "tier", "rank", "peers")]
    headers += [SCORE_LABELS["proration"], SCORE_LABELS["provisional"]]
    headers += [f"{name}（{weight:g}%）" for name, weight in lines] if by_line else ["各项得分"]
    headers += [SCORE_LABELS["card"], SCORE_LABELS["notes"]]
    for column, label in enumerate(headers):
        write_text(worksheet, row, column, label, styles["header"])
    worksheet.set_row(row, 32)
    dash = styles["dash"]
    for number, person in enumerate(people, start=row + 1):
        member = person.member
        if links:
            target = links[number - row - 1].replace("'", "''")
            worksheet.write_url(
                number, 0, f"internal:'{target}'!A1", styles["text"], string=member.person, tip="看明细"
            )
        else:
            write_text(worksheet, number, 0, member.person, styles["text"])
        write_text(worksheet, number, 1, member.role, styles["text"])
        write_text(worksheet, number, 2, _shops(person), styles["text"])
        write_number(worksheet, number, 3, _number(person.total), styles["score"], dash)
        write_text(worksheet, number, 4, person.tier.label if person.tier else DASH, styles["text"])
        write_number(worksheet, number, 5, person.rank, styles["count"], dash)
        write_number(worksheet, number, 6, person.peers, styles["count"], dash)
        write_number(worksheet, number, 7, float(person.proration), styles["percent"], dash)
        write_text(worksheet, number, 8, "暂定" if person.provisional else "", styles["text"])
        column = 9
        if by_line:
            for line in person.lines:
                write_number(worksheet, number, column, _number(line.score), styles["score"], dash)
                column += 1
        else:
            write_text(worksheet, number, column, _line_scores(person), styles["wrap"])
            column += 1
        write_text(worksheet, number, column, _card(person), styles["text"])
        write_text(worksheet, number, column + 1, "；".join(person.notes), styles["wrap"])
    worksheet.set_column(0, 0, 14)
    worksheet.set_column(1, 2, 12)
    worksheet.set_column(3, 8, 9)
    worksheet.set_column(9, 9 + max(len(lines), 1) - 1, 12 if by_line else 40)
    worksheet.set_column(9 + max(len(lines), 1), 9 + max(len(lines), 1), 24)
    worksheet.set_column(10 + max(len(lines), 1), 10 + max(len(lines), 1), 48)
    return row + 1 + len(people)


def _summary_sheet(
    workbook: Any, styles: Styles, board: Scoreboard, people: Sequence[PersonScore], names: Sequence[str]
) -> None:
    worksheet = _sheet(workbook, SUMMARY_SHEET)
    write_text(worksheet, 0, 0, f"绩效汇总 · {board.period.label}", styles["title"])
    subtitle = f"数据截至 {board.through} · 总分 = Σ 各项得分 × 权重 · 点姓名看本人明细 · {NOTE}"
    write_text(worksheet, 1, 0, subtitle, styles["subtitle"])
    end = write_score_table(worksheet, styles, people, 3, names)
    worksheet.freeze_panes(4, 1)
    for member, why in board.unscored:
        write_text(worksheet, end + 1, 0, f"{member.person}（{member.role}）未评分：{why}", styles["warning"])
        end += 1


def write_person_sheet(
    workbook: Any,
    styles: Styles,
    con: duckdb.DuckDBPyConnection,
    board: Scoreboard,
    person: PersonScore,
    name: str,
) -> None:
    """The person's 明细: the card, every line with its working and the files it came from, the total."""
    worksheet = _sheet(workbook, name)
    member, card = person.member, person.card
    write_text(
        worksheet, 0, 0, f"{member.person} · {member.role} · 绩效明细 · {board.period.label}", styles["title"]
    )
    write_text(
        worksheet, 1, 0, f"数据截至 {board.through} · 负责店铺：{_shops(person)} · {NOTE}", styles["subtitle"]
    )
    facts = (
        ("评分表", card.title),
        ("版本", card.version),
        ("来源", card.origin),
        ("生效", f"{card.valid_from.key} 起"),
    )
    for row, (label, value) in enumerate(facts, start=3):
        write_text(worksheet, row, 0, label, styles["header"])
        write_text(worksheet, row, 1, value, styles["text"])
    header = 8
    for column, key in enumerate(DETAIL_KEYS):
        write_text(worksheet, header, column, DETAIL_LABELS[key], styles["header"])
    dash, catalog = styles["dash"], load_catalog()
    details = detail_frame(con, [person]).iter_rows(named=True)
    row = header
    for row, (line, detail) in enumerate(zip(person.lines, details, strict=True), start=header + 1):
        unit = catalog.metrics[line.line.metric].unit if line.line.metric else ""
        kind = _kind(line.line, unit)
        target = line.target if line.line.target_input else line.line.target
        target_kind = _kind(line.line, unit, ratio=False) if line.line.target_input else kind
        write_text(worksheet, row, 0, line.line.name, styles["text"])
        write_text(worksheet, row, 1, _source(line.line, catalog.label), styles["text"])
        write_number(worksheet, row, 2, float(line.line.weight), styles["score"], dash)
        write_number(worksheet, row, 3, line.value, styles[kind], dash)
        write_number(worksheet, row, 4, target, styles[target_kind], dash)
        write_number(worksheet, row, 5, _number(line.score), styles["score"], dash)
        write_number(worksheet, row, 6, _number(line.weighted), styles["score"], dash)
        write_text(worksheet, row, 7, "暂定" if line.provisional else "", styles["text"])
        write_text(worksheet, row, 8, detail["working"], styles["wrap"])
        write_text(worksheet, row, 9, detail["evidence"] or _missing(line), styles["wrap"])
    row += 1
    write_text(worksheet, row, 0, "合计", styles.cell("text", True))
    for column in (1, 3, 4, 5, 7, 8, 9):
        write_text(worksheet, row, column, "", styles.cell("text", True))
    weights = sum(float(line.line.weight) for line in person.lines)
    write_number(worksheet, row, 2, weights, styles.cell("score", True), styles.cell("dash", True))
    write_number(
        worksheet, row, 6, _number(person.total), styles.cell("score", True), styles.cell("dash", True)
    )
    _person_facts(worksheet, styles, person, row + 2)
    worksheet.freeze_panes(header + 1, 1)
    for first, last, width in ((0, 0, 12), (1, 1, 22), (2, 7, 10), (8, 8, 60), (9, 9, 48)):
        worksheet.set_column(first, last, width)


def _person_facts(worksheet: Any, styles: Styles, person: PersonScore, row: int) -> None:
    tier = person.tier.label if person.tier else DASH
    rank = f"{person.rank}/{person.peers}" if person.rank else DASH
    span = person.member.active(person.period)
    days = (span[1] - span[0]).days + 1 if span else 0
    tiers = "；".join(f"{t.label} ≥{t.minimum:g}（奖金系数 {t.coefficient}）" for t in person.card.tiers)
    facts: list[tuple[str, str | float | None]] = [
        ("总分", _number(person.total)),
        ("等级", tier),
        ("岗位内排名", rank),
        ("在岗天数", f"{days}/{person.period.days} 天（{float(person.proration):.2%}）"),
        ("暂定", "是：结算后重新导入再看" if person.provisional else "否"),
        ("等级规则", tiers),
    ]
    facts += [("说明", note) for note in person.notes]
    for number, (label, value) in enumerate(facts, start=row):
        write_text(worksheet, number, 0, label, styles["header"])
        if isinstance(value, str):
            write_text(worksheet, number, 1, value, styles["text"])
        else:
            write_number(worksheet, number, 1, value, styles["score"], styles["dash"])


def _bonus_sheet(workbook: Any, styles: Styles, plan: BonusPlan) -> None:
    board = plan.board
    worksheet = _sheet(workbook, BONUS_SHEET)
    shops = "、".join(plan.shops) if plan.shops is not None else "全部店铺"
    team = plan.role or "全部岗位"
    write_text(worksheet, 0, 0, f"{shops} · {team} · 绩效与奖金 · {board.period.label}", styles["title"])
    write_text(worksheet, 1, 0, f"{plan.rule} · 金额单位：元 · 数据截至 {board.through}", styles["subtitle"])
    provisional = [line.score.member.person for line in plan.lines if line.score.provisional]
    if provisional:
        warning = f"含暂定得分（{'、'.join(provisional)}）：仅供预览，数据结算后重新导入再定稿"
        write_text(worksheet, 2, 0, warning, styles["warning"])
    headers = [
        "姓名", "岗位", "总分", "等级", "岗位内排名", f"在岗天数（共 {board.period.days} 天）", "奖金",
        f"上期奖金（{plan.previous.key}）", "变化", "签字",
    ]  # fmt: skip
    header = 4
    for column, label in enumerate(headers):
        write_text(worksheet, header, column, label, styles["header"])
    worksheet.set_row(header, 32)
    row = header
    for row, line in enumerate(plan.lines, start=header + 1):
        _bonus_row(worksheet, styles, row, line)
    row += 1
    total, dash = styles.cell("text", True), styles.cell("dash", True)
    write_text(worksheet, row, 0, "合计", total)
    for column in (1, 2, 3, 4, 5, 9):
        write_text(worksheet, row, column, "", total)
    write_number(worksheet, row, 6, float(plan.result.total), styles.cell("money", True), dash)
    before = plan.previous_total
    write_number(worksheet, row, 7, _number(before), styles.cell("money", True), dash)
    change = None if before is None else plan.result.total - before
    write_number(worksheet, row, 8, _number(change), styles.cell("money", True), dash)
    texts = [(f"{line.score.member.person}：{line.allocation.working}", "note") for line in plan.lines]
    texts += [("", "note"), *((f"注：{note}", "warning") for note in plan.notes)]
    row += 2
    write_text(worksheet, row, 0, "计算过程", styles["heading"])
    for offset, (text, style) in enumerate(texts, start=1):
        write_text(worksheet, row + offset, 0, text, styles[style])
    row += len(texts) + 3
    underline = workbook.add_format({"bottom": 1, "bottom_color": "#404040"})
    for index, label in enumerate(SIGNERS):  # 制表人：____  审核人：____  批准人：____  日期：____
        column = index * 2 + (index > 0)
        write_text(worksheet, row, column, f"{label}：", styles["heading"])
        write_text(worksheet, row, column + 1, "", underline)
    worksheet.set_row(row, 30)
    for first, last, width in ((0, 0, 14), (1, 1, 12), (2, 4, 10), (5, 5, 12), (6, 8, 13), (9, 9, 16)):
        worksheet.set_column(first, last, width)
    worksheet.freeze_panes(header + 1, 1)
    worksheet.repeat_rows(header)
    worksheet.fit_to_pages(1, 0)


def _bonus_row(worksheet: Any, styles: Styles, row: int, line: BonusLine) -> None:
    person, dash = line.score, styles["dash"]
    write_text(worksheet, row, 0, person.member.person, styles["text"])
    write_text(worksheet, row, 1, person.member.role, styles["text"])
    write_number(worksheet, row, 2, _number(person.total), styles["score"], dash)
    write_text(worksheet, row, 3, person.tier.label if person.tier else DASH, styles["text"])
    write_number(worksheet, row, 4, person.rank, styles["count"], dash)
    write_number(worksheet, row, 5, line.active_days, styles["count"], dash)
    write_number(worksheet, row, 6, _number(line.allocation.amount), styles["money"], dash)
    write_number(worksheet, row, 7, _number(line.previous_amount), styles["money"], dash)
    write_number(worksheet, row, 8, _number(line.change), styles["money"], dash)
    write_text(worksheet, row, 9, "", styles["text"])  # 签字: by hand
    worksheet.set_row(row, 26)


def _sheet(workbook: Any, name: str) -> Any:
    worksheet = workbook.add_worksheet(name)
    worksheet.hide_gridlines(2)
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.5)
    worksheet.set_footer("&L&8ShopOps 店铺运营驾驶舱&R&8第 &P 页 / 共 &N 页")
    return worksheet


def _close(workbook: Any, output: Path) -> None:
    try:
        workbook.close()
    except OSError as error:
        raise UserError(
            f"写不了 {output}：{error.strerror or error} — 在 Excel 里关掉它，或换一个 -o 文件名"
        ) from None


def _cut(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` UTF-16 units (Excel's measure of a name)."""
    cut = ""
    for char in text:
        if len((cut + char).encode("utf-16-le")) // 2 > limit:
            break
        cut += char
    return cut.rstrip("'").rstrip() or "明细"


def _kind(line: Line, unit: str, *, ratio: bool = True) -> str:
    """The number format of a line's value: a 完成率 is a percentage, else the metric's or input's unit."""
    if line.target_input and ratio:
        return "percent"
    shown = unit or line.unit
    return {"ratio": "percent", "money": "money", "count": "count"}.get(shown, "score")


def _source(line: Line, label: Callable[[str], str]) -> str:
    """客服销售额（本人） · 支付转化率（负责店铺） · 手工录入「出勤率」."""
    return f"{label(line.metric)}（{SCOPE_LABELS[line.scope]}）" if line.metric else line.source_label


def _shops(person: PersonScore) -> str:
    return "全部店铺" if person.member.shops is None else "、".join(person.shops) or DASH


def _card(person: PersonScore) -> str:
    return f"{person.card.role} {person.card.version}（{person.card.origin}）"


def _line_scores(person: PersonScore) -> str:
    return "；".join(f"{line.line.name} {_score_text(line)}" for line in person.lines)


def _score_text(line: LineScore) -> str:
    return DASH if line.score is None else f"{line.score:.2f}"


def _missing(line: LineScore) -> str:
    return line.missing or ""


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
