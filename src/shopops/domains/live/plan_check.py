"""The checks across rows of a 直播计划 (``check:`` of the ``live_plan`` source), run on the staged
rows before anything is stored: a plan whose slots overlap would count a budget twice in the pace."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import duckdb

from shopops.errors import SheetRowsError

_MAX_PROBLEMS = 8


def check_live_plan(con: duckdb.DuckDBPyConnection, staged: str, label: str) -> None:
    present = {row[0] for row in con.execute(f"DESCRIBE {staged}").fetchall()}
    wanted = ("room", "date", "starts_at", "ends_at", "target_gmv", "budget", "product_id", "product")
    # A plan without a 商品 column (budgets only) is a plan: its missing columns read as empty.
    columns = ", ".join(name if name in present else f"NULL AS {name}" for name in wanted)
    cursor = con.execute(f"SELECT _row, {columns} FROM {staged} ORDER BY _row")
    rows = [
        dict(zip([d[0] for d in cursor.description or []], row, strict=True)) for row in cursor.fetchall()
    ]
    problems: list[str] = []
    money: dict[tuple[str, dt.date], list[dict[str, Any]]] = defaultdict(list)
    runs: dict[tuple[str, dt.date], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        where = f"第 {row['_row']} 行"
        if row["ends_at"] <= row["starts_at"]:
            problems.append(
                f"{where} 结束时间 {row['ends_at']:%H:%M} 不晚于开始时间 {row['starts_at']:%H:%M}"
            )
            continue
        if not row["date"] <= row["starts_at"].date() <= row["date"] + dt.timedelta(days=1):
            problems.append(
                f"{where} 开始时间 {row['starts_at']:%Y-%m-%d %H:%M} 不在 {row['date']} 这场（日期写开播那天）"
            )
        has_money = row["target_gmv"] is not None or row["budget"] is not None
        has_product = row["product"] is not None or row["product_id"] is not None
        if not has_money and not has_product:
            problems.append(f"{where} 既没有目标/预算，也没有商品 — 删掉这行或填上")
        key = (row["room"], row["date"])
        if has_money:
            money[key].append(row)
        if has_product:
            runs[key].append(row)
    for kind, groups in (("目标/预算时段", money), ("商品时段", runs)):
        for slots in groups.values():
            ordered = sorted(slots, key=lambda r: r["starts_at"])
            for before, after in itertools.pairwise(ordered):
                if after["starts_at"] < before["ends_at"]:
                    problems.append(
                        f"第 {before['_row']} 行和第 {after['_row']} 行的{kind}重叠"
                        f"（{before['starts_at']:%H:%M}–{before['ends_at']:%H:%M} 与 {after['starts_at']:%H:%M}–{after['ends_at']:%H:%M}）"
                    )
    if problems:
        shown = problems[:_MAX_PROBLEMS] + (
            [f"…另有 {len(problems) - _MAX_PROBLEMS} 处"] if len(problems) > _MAX_PROBLEMS else []
        )
        joint = "\n" if len(shown) > 1 else ""
        raise SheetRowsError(label, f"未导入（直播计划有问题，改好后再导入）：{joint}" + "\n".join(shown))
