"""绩效: the staff sheet of the 月报 — the month's scores, one row per person of the report's shops, a
score column per line of the card (or one 各项得分 column when roles differ), 暂定 where unsettled.

Only in a 月报 of a whole calendar month with a staff list (员工名单): a score is a month's (or a
quarter's) judgement, not a day's or a week's. The working per line is in `shopops staff score
--format xlsx` (one 明细 sheet per person), which the sheet's note names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import duckdb

from shopops.analysis.targets.periods import TargetPeriod
from shopops.domains.staff.scoring import PersonScore, score_period
from shopops.domains.staff.sheet_book import ordered, write_score_table
from shopops.errors import UserError
from shopops.reports.workbook.book import Book

SHEET = "绩效"


def staff_sheet(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> Callable[[Book], None] | None:
    """The domain's sheet part: the writer of the 绩效 sheet for a whole calendar month with a staff
    list; None otherwise (a 日报, a 周报, a month not over, no 员工名单)."""
    month = TargetPeriod.containing(start, "month")
    if (start, end) != (month.start, month.end):
        return None
    found = con.execute("SELECT count(*) FROM staff").fetchone()
    if not found or not found[0]:
        return None
    return partial(write_staff, con=con, month=month)


def write_staff(book: Book, *, con: duckdb.DuckDBPyConnection, month: TargetPeriod) -> None:
    shops = {name for name, _ in book.data.shops}
    try:
        board = score_period(con, month)
    except UserError as error:  # a scorecard that does not hold: the report says so instead of stopping
        worksheet = book.add_sheet(SHEET)
        book.title(worksheet, SHEET, book.standard_subtitle())
        worksheet.write_string(3, 0, f"{error}（绩效未评分）", book.styles["warning"])
        return
    people = ordered([p for p in board.people if _of_shops(p, shops)])
    unscored = [(m, why) for m, why in board.unscored if m.shops is None or shops & set(m.shops)]
    if not people and not unscored:
        return
    worksheet = book.add_sheet(SHEET)
    book.title(
        worksheet,
        SHEET,
        f"数据截至 {board.through} · 总分 = Σ 各项得分 × 权重，岗位内排名 · “—” = 未知（不是 0）· "
        "暂定 = 有数据尚未结算，结算后重新导入会变",
    )
    row = 3
    if people:
        row = write_score_table(worksheet, book.styles, people, row)
        worksheet.freeze_panes(4, 1)
    for member, why in unscored:
        worksheet.write_string(
            row, 0, f"{member.person}（{member.role}）未评分：{why}", book.styles["warning"]
        )
        row += 1
    note = f"每人每项的计算过程和依据：shopops staff score --period {month.key} --format xlsx -o 绩效.xlsx"
    worksheet.write_string(row + 1, 0, note, book.styles["note"])
    worksheet.fit_to_pages(1, 0)


def _of_shops(person: PersonScore, shops: set[str]) -> bool:
    """A person of the report's shops: one they answer for is among them, or they answer for all."""
    return person.member.shops is None or bool(shops & set(person.shops))
