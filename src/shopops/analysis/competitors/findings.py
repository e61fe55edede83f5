"""Competitor findings (竞品降价, 上新, 销量异动, 我方被超越) in the common :class:`Finding` shape.

They join the anomaly findings in `shopops findings` through the extension point in
``analysis.anomalies.extensions``. A rival finding's ``shop`` is the rival shop (竞店); the rival
item id is in ``item``. Counter problems of several items of one shop on one day are one finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.calendar import PromoCalendar
from shopops.analysis.competitors.facts import daily_sales_sql, frame, new_items, price_changes

LABELS = {
    "rival_price": "竞品降价",
    "rival_new_item": "竞品上新",
    "rival_sales": "竞品销量异动",
    "rival_overtake": "我方被超越",
}


@dataclass(frozen=True)
class RivalRules:
    promo_drop: float = 0.15  # a price ≥ 15% under the item's 14-day median is a 降价/活动价
    jump_factor: float = 3.0  # daily units ≥ 3 × the item's recent median is a 销量异动
    jump_min_units: float = 20.0  # … and at least this many units a day
    takeoff_units: float = 50.0  # a new item selling this many a day within its first week 起量

    @classmethod
    def from_settings(cls, raw: object) -> RivalRules:
        section = raw.get("rivals", {}) if isinstance(raw, dict) else {}
        section = section if isinstance(section, dict) else {}
        known = {k: float(v) for k, v in section.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def rival_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    rules: RivalRules | None = None,
    *,
    calendar: PromoCalendar | None = None,
) -> list[Finding]:
    """Competitor findings from ``start`` to ``end``; ``shops`` keeps rivals registered for those shops (or all)."""
    if con.execute("SELECT count(*) FROM rival_snapshots").fetchall() == [(0,)]:
        return []
    rules = rules or RivalRules()
    found = _price_cuts(con, start, end, rules) + _new_items(con, start, end, rules)
    found += _sales_moves(con, start, end, rules) + _overtakes(con, start, end)
    if shops:
        paired = _paired_rival_shops(con, shops)
        found = [f for f in found if f.shop in shops or f.shop in paired]
    return sorted(found, key=lambda f: (f.date, f.shop, f.rank, f.metric, f.channel))


def _finding(
    day: dt.date, shop: str, item: str, metric: str, value: float | None, **extra: object
) -> Finding:
    return Finding(
        date=day,
        shop=shop,
        metric=metric,
        metric_label=LABELS[metric],
        value=value,
        expected_low=extra.pop("low", None),  # type: ignore[arg-type]
        expected_high=extra.pop("high", None),  # type: ignore[arg-type]
        severity=str(extra.pop("severity", "warning")),
        provisional=False,
        rule=metric,
        direction=str(extra.pop("direction", "down")),
        item=item,
        explanation=str(extra.pop("explanation", "")),
    )


def _price_cuts(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, rules: RivalRules
) -> list[Finding]:
    changes = price_changes(con, start, end, promo_drop=rules.promo_drop).filter("promotion")
    return [
        _finding(
            row["date"],
            row["shop"],
            row["item_id"],
            "rival_price",
            float(row["new_price"]),
            low=float(row["recent_median"]) * (1 - rules.promo_drop),
            high=float(row["recent_median"]),
            explanation=f"竞店 {row['shop']} 商品 {row['item_id']} 价格 {row['old_price']} → {row['new_price']}"
            f"（比近14天中位价 {row['recent_median']} 低 {1 - float(row['new_price']) / float(row['recent_median']):.0%}）",
        )
        for row in changes.iter_rows(named=True)
    ]


def _new_items(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, rules: RivalRules
) -> list[Finding]:
    items = new_items(con, start, end)
    if items.is_empty():
        return []
    sales = frame(
        con,
        f"SELECT rival_shop AS shop, item_id, date, units FROM ({daily_sales_sql(start, end + dt.timedelta(days=6))})"
        " WHERE item_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ids": items["item_id"].to_list()},
    )
    found = []
    for row in items.iter_rows(named=True):
        week = sales.filter(
            (sales["shop"] == row["shop"])
            & (sales["item_id"] == row["item_id"])
            & (sales["date"] <= row["date"] + dt.timedelta(days=6))
        )
        peak = week["units"].max()
        best = float(peak) if isinstance(peak, int | float) else None
        takes_off = best is not None and best >= rules.takeoff_units
        found.append(
            _finding(
                row["date"],
                row["shop"],
                row["item_id"],
                "rival_new_item",
                best,
                severity="warning" if takes_off else "info",
                direction="up",
                explanation=f"竞店 {row['shop']} 上新 {row['item_id']} {row['title'] or ''}"
                + (f"，首周日销最高 {best:.0f} 件，已起量" if takes_off and best is not None else ""),
            )
        )
    return found


def _sales_moves(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, rules: RivalRules
) -> list[Finding]:
    rows = frame(
        con,
        f"""
        WITH x AS MATERIALIZED ({daily_sales_sql(start - dt.timedelta(days=14), end)}),
        c AS (SELECT * FROM x WHERE date >= DATE '{start.isoformat()}'
            -- a gap's units are one average: judged once, on the day the counter was read
            AND (NOT estimated OR sales_total IS NOT NULL)
            AND (counter_status IN ('reset', 'decrease') OR units >= {rules.jump_min_units})),
        u AS (SELECT c.rival_shop, c.item_id, c.date, median(p.units) AS usual FROM c JOIN x p
            ON p.rival_shop = c.rival_shop AND p.item_id = c.item_id
            AND p.date BETWEEN c.date - INTERVAL 14 DAYS AND c.date - INTERVAL 1 DAY GROUP BY ALL)
        SELECT rival_shop AS shop, item_id, date, units, counter_status, sales_total, prev_total, usual,
            estimated, days
        FROM c LEFT JOIN u USING (rival_shop, item_id, date)
        WHERE counter_status IN ('reset', 'decrease') OR units >= usual * {rules.jump_factor}
        ORDER BY shop, date, item_id
        """,
    )
    problems = rows.filter(pl.col("counter_status").is_in(["reset", "decrease"]))
    found = [_counter_problem(group) for _, group in problems.group_by("shop", "date", maintain_order=True)]
    for row in rows.filter(~pl.col("counter_status").is_in(["reset", "decrease"])).iter_rows(named=True):
        found.append(
            _finding(
                row["date"],
                row["shop"],
                row["item_id"],
                "rival_sales",
                float(row["units"]),
                high=float(row["usual"]),
                direction="up",
                explanation=f"竞店 {row['shop']} 商品 {row['item_id']} 日销 {row['units']:.0f} 件"
                + (f"（估算：{row['days']} 天的累计销量差平摊）" if row["estimated"] else "")
                + f"，近14天中位 {row['usual']:.0f} 件",
            )
        )
    return found


def _counter_problem(group: pl.DataFrame) -> Finding:
    """A cumulative counter that went down: reset (restarted) or a data problem; sales unknown."""
    first = group.row(0, named=True)
    if group.height == 1:
        what = "计数被重置" if first["counter_status"] == "reset" else "累计销量不应下降，是数据问题"
        text = f"商品 {first['item_id']} 累计销量 {first['prev_total']} → {first['sales_total']}（{what}）"
    else:
        resets = group.filter(pl.col("counter_status") == "reset").height
        sample = "、".join(group["item_id"].head(3).to_list())
        text = (
            f"{group.height} 件商品累计销量下降（{resets} 件像是计数被重置，其余是数据问题；如 {sample}）"
            "——若这份数据其实是月销量，请把映射改为 sales_30d"
        )
    return _finding(
        first["date"],
        first["shop"],
        first["item_id"] if group.height == 1 else "",
        "rival_sales",
        None,
        severity="info",
        explanation=f"竞店 {first['shop']} {text}，这段时间的销量未知",
    )


def _overtakes(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[Finding]:
    if con.execute("SELECT count(*) FROM rival_items WHERE our_item_id <> ''").fetchall() == [(0,)]:
        return []  # nothing paired with our items
    rows = frame(
        con,
        f"""
        WITH r AS (SELECT s.rival_shop, s.item_id, s.date, s.units, i.our_shop, i.our_item_id
            FROM ({daily_sales_sql(start - dt.timedelta(days=14), end)}) s
            JOIN rival_items i ON i.rival_shop = s.rival_shop AND i.item_id = s.item_id AND i.our_item_id <> ''),
        o AS (SELECT r.*, d.shop AS shop, d.units AS our_units FROM r JOIN sycm_item_day d
            ON d.item_id = r.our_item_id AND d.date = r.date AND (r.our_shop = '*' OR d.shop = r.our_shop)
            WHERE r.units IS NOT NULL AND d.units IS NOT NULL)
        SELECT *, lag(units > our_units) OVER (PARTITION BY shop, rival_shop, item_id ORDER BY date) AS was_ahead
        FROM o QUALIFY date >= DATE '{start.isoformat()}' AND units > our_units AND NOT coalesce(was_ahead, true)
        """,
    )
    return [
        _finding(
            row["date"],
            row["shop"],
            row["item_id"],
            "rival_overtake",
            float(row["units"]),
            high=float(row["our_units"]),
            severity="critical",
            direction="up",
            explanation=f"竞店 {row['rival_shop']} 商品 {row['item_id']} 日销 {row['units']:.0f} 件，"
            f"超过我方 {row['our_item_id']} 的 {row['our_units']} 件",
        )
        for row in rows.iter_rows(named=True)
    ]


def _paired_rival_shops(con: duckdb.DuckDBPyConnection, shops: Sequence[str]) -> set[str]:
    rows = con.execute(
        "SELECT name FROM rival_shops WHERE our_shop = '*' OR our_shop IN (SELECT unnest($1::VARCHAR[]))"
        " UNION "
        "SELECT rival_shop FROM rival_items WHERE our_shop = '*' OR our_shop IN (SELECT unnest($1::VARCHAR[]))",
        [list(shops)],
    ).fetchall()
    return {row[0] for row in rows}
