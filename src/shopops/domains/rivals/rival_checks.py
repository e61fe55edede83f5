"""The competitor checks, one finding per rival item and day, each with its money at stake (元):

- 竞品降价: the item's estimated daily sales at the new price — units × new price where the day's
  units are known, else new price × the item's median units of the 14 days before, else unknown;
- 竞品销量异动: (units − usual units) × the day's price;
- 竞品上新: the first week's peak daily units × the price of that day;
- 我方被超越: (their units − ours) × their price.
A counter that went down (reset or a data problem) gives no sales figure and no money.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from shopops.domains.rivals.facts import daily_sales_sql, frame, new_items, price_changes
from shopops.domains.rivals.rival_rules import (
    DayRule,
    Fact,
    RivalRules,
    rival_finding,
    rules_frame,
    short_title,
    units_text,
)

USUAL_DAYS = 14  # the window of an item's usual price and units


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def item_units(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, ids: list[str]) -> pl.DataFrame:
    """Daily units and price of the given rival items from ``first`` to ``last``."""
    return frame(
        con,
        f"SELECT rival_shop AS shop, item_id, date, units, CAST(price AS DOUBLE) AS price"
        f" FROM ({daily_sales_sql(first, last)}) WHERE item_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ids": ids},
    )


def price_cuts(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    rules: RivalRules,
    days: dict[dt.date, DayRule],
) -> list[Fact]:
    changes = price_changes(con, start, end, promo_drop=rules.promo_drop).filter("promotion")
    if changes.is_empty():
        return []
    changes = (
        changes.with_columns(
            pl.col("new_price").cast(pl.Float64).alias("new"),
            pl.col("old_price").cast(pl.Float64).alias("old"),
            pl.col("recent_median").cast(pl.Float64).alias("median"),
        )
        .join(rules_frame(days), on="date")
        # an ordinary day keeps the SQL's exact test; a special day must also pass the widened one
        .filter((pl.col("context") == "") | (pl.col("new") <= pl.col("median") * pl.col("price_share")))
    )
    if changes.is_empty():
        return []
    units = item_units(con, start - dt.timedelta(days=USUAL_DAYS), end, changes["item_id"].unique().to_list())
    usual = (
        changes.select("shop", "item_id", "date")
        .join(units.rename({"date": "day"}), on=["shop", "item_id"])
        .filter(
            pl.col("day").is_between(pl.col("date") - pl.duration(days=USUAL_DAYS), pl.col("date"), "left")
        )
        .group_by("shop", "item_id", "date")
        .agg(pl.col("units").median().alias("usual_units"))
    )
    changes = changes.join(
        units.select("shop", "item_id", "date", "units"), on=["shop", "item_id", "date"], how="left"
    )
    changes = changes.join(usual, on=["shop", "item_id", "date"], how="left")
    found = []
    for row in changes.iter_rows(named=True):
        day, new, median = days[row["date"]], row["new"], row["median"]
        per_day = row["units"] if row["units"] is not None else row["usual_units"]
        title = short_title(row["title"], row["item_id"])
        found.append(
            Fact(
                rival_finding(
                    row["date"],
                    row["shop"],
                    row["item_id"],
                    "rival_price",
                    new,
                    low=median * day.price_share,
                    high=median,
                    context=day.context,
                    impact=None if per_day is None else per_day * new,
                    explanation=f"竞店 {row['shop']} 商品 {row['item_id']} {title} 价格 {row['old_price']} → "
                    f"{row['new_price']}（比近14天中位价 {row['recent_median']} 低 {1 - new / median:.0%}）"
                    + day.price_note(),
                ),
                "price",
                title,
                before=median,
                after=new,
                ratio=new / median - 1,
            )
        )
    return found


def new_item_facts(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    rules: RivalRules,
    days: dict[dt.date, DayRule],
) -> list[Fact]:
    items = new_items(con, start, end)
    if items.is_empty():
        return []
    sales = item_units(con, start, end + dt.timedelta(days=6), items["item_id"].to_list())
    peaks = (
        items.select("shop", "item_id", pl.col("date").alias("first_day"))
        .join(sales.filter(pl.col("units").is_not_null()), on=["shop", "item_id"])
        .filter(pl.col("date") <= pl.col("first_day") + pl.duration(days=6))
        .sort("units", "date", descending=[True, False])
        .group_by("shop", "item_id", maintain_order=True)
        .first()
        .select("shop", "item_id", pl.col("units").alias("peak"), pl.col("price").alias("peak_price"))
    )
    found = []
    for row in items.join(peaks, on=["shop", "item_id"], how="left").iter_rows(named=True):
        best, price = _number(row["peak"]), _number(row["peak_price"])
        takes_off = best is not None and best >= rules.takeoff_units
        title = short_title(row["title"], row["item_id"])
        found.append(
            Fact(
                rival_finding(
                    row["date"],
                    row["shop"],
                    row["item_id"],
                    "rival_new_item",
                    best,
                    severity="warning" if takes_off else "info",
                    direction="up",
                    context=days[row["date"]].context,
                    impact=None if best is None or price is None else best * price,
                    explanation=f"竞店 {row['shop']} 上新 {row['item_id']} {row['title'] or ''}"
                    + (f"，首周日销最高 {best:.0f} 件，已起量" if takes_off and best is not None else ""),
                ),
                "new",
                title,
                after=best,
            )
        )
    return found


def sales_facts(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    rules: RivalRules,
    days: dict[dt.date, DayRule],
) -> tuple[list[Fact], dict[dt.date, set[str]]]:
    """Sales jumps and counter problems; and per day, the rival shops whose sales were known."""
    rows = frame(
        con,
        f"""
        WITH x AS MATERIALIZED ({daily_sales_sql(start - dt.timedelta(days=USUAL_DAYS), end)}),
        c AS MATERIALIZED (SELECT * FROM x WHERE date >= DATE '{start.isoformat()}'
            -- a gap's units are one average: judged once, on the day the counter was read
            AND (NOT estimated OR sales_total IS NOT NULL)),
        n AS (SELECT date, list(DISTINCT rival_shop) AS day_shops FROM c WHERE units IS NOT NULL GROUP BY ALL),
        k AS (SELECT * FROM c WHERE counter_status IN ('reset', 'decrease') OR units >= {rules.jump_min_units}),
        u AS (SELECT k.rival_shop, k.item_id, k.date, median(p.units) AS usual FROM k JOIN x p
            ON p.rival_shop = k.rival_shop AND p.item_id = k.item_id
            AND p.date BETWEEN k.date - INTERVAL {USUAL_DAYS} DAYS AND k.date - INTERVAL 1 DAY GROUP BY ALL)
        SELECT rival_shop AS shop, item_id, date, title, units, CAST(price AS DOUBLE) AS price, counter_status,
            sales_total, prev_total, usual, estimated, days, coalesce(n.day_shops, []) AS day_shops
        FROM k LEFT JOIN u USING (rival_shop, item_id, date) LEFT JOIN n USING (date)
        WHERE counter_status IN ('reset', 'decrease') OR units >= usual * {rules.jump_factor}
        ORDER BY shop, date, item_id
        """,
    )
    known = {day: set(names) for day, names in zip(rows["date"], rows["day_shops"].to_list(), strict=True)}
    problem = pl.col("counter_status").is_in(["reset", "decrease"])
    found = [
        _counter_problem(group, days)
        for _, group in rows.filter(problem).group_by("shop", "date", maintain_order=True)
    ]
    jumps = rows.filter(~problem).join(rules_frame(days), on="date")
    for row in jumps.filter(pl.col("units") >= pl.col("usual") * pl.col("jump_factor")).iter_rows(named=True):
        day, units, usual = days[row["date"]], float(row["units"]), float(row["usual"])
        title = short_title(row["title"], row["item_id"])
        found.append(
            Fact(
                rival_finding(
                    row["date"],
                    row["shop"],
                    row["item_id"],
                    "rival_sales",
                    units,
                    high=usual,
                    direction="up",
                    context=day.context,
                    impact=None if row["price"] is None else (units - usual) * row["price"],
                    explanation=f"竞店 {row['shop']} 商品 {row['item_id']} {title} 日销 {units_text(units)} 件"
                    + (f"（估算：{row['days']} 天的累计销量差平摊）" if row["estimated"] else "")
                    + f"，近14天中位 {units_text(usual)} 件"
                    + day.jump_note(),
                ),
                "sales",
                title,
                before=usual,
                after=units,
                ratio=units / usual if usual > 0 else None,
            )
        )
    return found, known


def _counter_problem(group: pl.DataFrame, days: dict[dt.date, DayRule]) -> Fact:
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
    finding = rival_finding(
        first["date"],
        first["shop"],
        first["item_id"] if group.height == 1 else "",
        "rival_sales",
        None,
        severity="info",
        context=days[first["date"]].context,
        explanation=f"竞店 {first['shop']} {text}，这段时间的销量未知",
    )
    return Fact(finding, "counter")


def overtakes(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, days: dict[dt.date, DayRule]
) -> list[Fact]:
    if con.execute("SELECT count(*) FROM rival_items WHERE our_item_id <> ''").fetchall() == [(0,)]:
        return []  # nothing paired with our items
    rows = frame(
        con,
        f"""
        WITH r AS (SELECT s.rival_shop, s.item_id, s.date, s.units, CAST(s.price AS DOUBLE) AS price, s.title,
                i.our_shop, i.our_item_id
            FROM ({daily_sales_sql(start - dt.timedelta(days=USUAL_DAYS), end)}) s
            JOIN rival_items i ON i.rival_shop = s.rival_shop AND i.item_id = s.item_id AND i.our_item_id <> ''),
        o AS (SELECT r.*, d.shop AS shop, d.units AS our_units FROM r JOIN sycm_item_day d
            ON d.item_id = r.our_item_id AND d.date = r.date AND (r.our_shop = '*' OR d.shop = r.our_shop)
            WHERE r.units IS NOT NULL AND d.units IS NOT NULL)
        SELECT *, lag(units > our_units) OVER (PARTITION BY shop, rival_shop, item_id ORDER BY date) AS was_ahead
        FROM o QUALIFY date >= DATE '{start.isoformat()}' AND units > our_units AND NOT coalesce(was_ahead, true)
        """,
    )
    found = []
    for row in rows.iter_rows(named=True):
        units, ours, price = float(row["units"]), float(row["our_units"]), row["price"]
        finding = rival_finding(
            row["date"],
            row["shop"],
            row["item_id"],
            "rival_overtake",
            units,
            high=ours,
            severity="critical",
            direction="up",
            context=days[row["date"]].context,
            impact=None if price is None else (units - ours) * price,
            explanation=f"竞店 {row['rival_shop']} 商品 {row['item_id']} 日销 {units:.0f} 件，"
            f"超过我方 {row['our_item_id']} 的 {row['our_units']} 件",
        )
        found.append(Fact(finding, "overtake", short_title(row["title"], row["item_id"]), ours, units))
    return found
