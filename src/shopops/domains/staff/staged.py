"""The checks across rows of the staff domain's own sheets, run on the staged rows before they are
stored (``check:`` in their source YAML): a file that fails is refused whole and changes nothing."""

from __future__ import annotations

import duckdb

from shopops.analysis.targets.periods import parse_period
from shopops.domains.staff.cards import CardError, parse_cards
from shopops.domains.staff.library import card_mapping, grouped
from shopops.domains.staff.team import split_shops
from shopops.errors import SheetRowsError
from shopops.metrics.catalog import load_catalog


def _rows(con: duckdb.DuckDBPyConnection, staged: str) -> list[dict[str, object]]:
    cursor = con.execute(f"SELECT * FROM {staged} ORDER BY _row")
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def check_scorecard(con: duckdb.DuckDBPyConnection, staged: str, label: str) -> None:
    """Every card of the sheet holds together (weights 100 %, metrics known, bands ordered …)."""
    rows = _rows(con, staged)
    for row in rows:
        period = parse_period(str(row["valid_from"]))
        if period is None or period.kind != "month":
            raise SheetRowsError(
                label, f"第 {row['_row']} 行 生效月份 {row['valid_from']!r} 不是月份 — 写 2026-11 这样的月份"
            )
        row["valid_from"] = period.key
    mappings = [card_mapping(role, month, group) for (role, month), group in grouped(rows).items()]
    try:
        parse_cards(mappings, label, load_catalog())
    except CardError as error:
        problems = str(error)
        joint = "\n" if "\n" in problems else ""  # several problems: one per line under the first
        raise SheetRowsError(label, f"未导入（评分表有问题，改好后再导入）：{joint}{problems}") from error


def check_staff_list(con: duckdb.DuckDBPyConnection, staged: str, label: str) -> None:
    """Shops that are registered; a 离职日期 not before the 入职日期."""
    known = {row[0] for row in con.execute("SELECT name FROM shops").fetchall()}
    for row in _rows(con, staged):
        where = f"第 {row['_row']} 行（{row['person']}）"
        for shop in split_shops(str(row.get("shops") or "")) or ():
            if shop not in known:
                raise SheetRowsError(
                    label,
                    f"{where} 负责店铺 {shop!r} 不是已登记的店铺（{'、'.join(sorted(known)) or '还没有店铺'}）"
                    " — 改成店铺名，多个店铺用、分开，留空表示全部店铺",
                )
        start, end = row.get("start_date"), row.get("end_date")
        if start is not None and end is not None and end < start:  # type: ignore[operator]
            raise SheetRowsError(label, f"{where} 离职日期 {end} 早于入职日期 {start} — 改正其中一个")


def check_staff_inputs(con: duckdb.DuckDBPyConnection, staged: str, label: str) -> None:
    """Periods that read as a month, quarter or year."""
    for row in _rows(con, staged):
        if parse_period(str(row["period"])) is None:
            raise SheetRowsError(
                label,
                f"第 {row['_row']} 行（{row['person']}）期间 {row['period']!r} 读不出来"
                " — 写 2026-11（月）、2026-Q4（季度）或 2026（年）",
            )
