"""The stock findings (断货风险, 超卖, 积压) in the common :class:`Finding` shape, joining `shopops findings`
and the 日报, ranked with the others by 涉及金额 (¥ at stake, :mod:`alerts` says each formula).

- A finding is only dated on a shop's snapshot day: a day without a snapshot has no stock to judge
  (nothing, and no error); the alerts of that day are those of ``stock alerts --date`` that day.
- The SKUs of one style with the same kind on one shop-day are one grouped finding (``children``, one
  per SKU, 涉及金额 summed), so 6 sizes of an oversold T恤 are one line, not six.
- A run of snapshot days (within ``start`` … ``end``) on which a style keeps the same kind is one
  finding dated on its latest day with ``since`` its first — 积压 does not repeat every day. Runs are
  not followed back before ``start``: each snapshot day costs a stock status, and a 日报 asks for one day.
- Severity: 超卖 严重 (orders already paid cannot ship); 断货风险 of a 爆款 still short within the
  补货周期 itself 严重, other 断货风险 警告; 积压 提示.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from shopops.analysis.anomalies.finding import Finding, grouped
from shopops.analysis.calendar import PromoCalendar
from shopops.domains.stock.alerts import horizon_of, stock_alerts
from shopops.domains.stock.status import StockRules

METRICS = {"超卖": "stock_oversold", "断货风险": "stock_out_risk", "积压": "stock_overstock"}

Key = tuple[str, str]  # (kind, style)


def stock_findings(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    shops: Sequence[str] | None = None,
    *,
    calendar: PromoCalendar | None = None,
    settings: Mapping[str, Any] | None = None,
    rules: StockRules | None = None,
) -> list[Finding]:
    """The stock findings dated from ``start`` to ``end`` (``shops`` None or empty: all shops);
    ``settings``: the parsed shopops.yaml (its ``stock:`` section) when ``rules`` is not given."""
    rules = rules or StockRules.from_settings(dict(settings or {}))
    days = _snapshot_days(con, start, end, list(shops) if shops else None)
    alerts: dict[tuple[str, dt.date], pl.DataFrame] = {}
    for day in sorted({d for ds in days.values() for d in ds}):
        on_day = sorted(shop for shop, ds in days.items() if day in ds)
        frame = stock_alerts(con, day, on_day, rules=rules).frame
        for shop in on_day:
            alerts[(shop, day)] = frame.filter(pl.col("shop") == shop)
    found: list[Finding] = []
    for shop, shop_days in sorted(days.items()):
        found += _shop_findings(shop, shop_days, alerts, rules, calendar)
    return sorted(found, key=lambda f: (f.date, f.shop, f.rank, f.metric, f.item))


def _snapshot_days(
    con: duckdb.DuckDBPyConnection, first: dt.date, end: dt.date, shops: list[str] | None
) -> dict[str, list[dt.date]]:
    rows = con.execute(
        "SELECT DISTINCT shop, period_start FROM stock_snapshot WHERE period_start BETWEEN $first AND $end"
        " AND ($shops IS NULL OR list_contains($shops, shop)) ORDER BY shop, period_start",
        {"first": first, "end": end, "shops": shops},
    ).fetchall()
    days: dict[str, list[dt.date]] = defaultdict(list)
    for shop, day in rows:
        days[shop].append(day)
    return dict(days)


def _keys(frame: pl.DataFrame) -> set[Key]:
    return {(k, s) for k, s in frame.select("kind", pl.coalesce("style", "sku")).iter_rows()}


def _shop_findings(
    shop: str,
    days: list[dt.date],
    alerts: dict[tuple[str, dt.date], pl.DataFrame],
    rules: StockRules,
    calendar: PromoCalendar | None,
) -> list[Finding]:
    """One finding per run of snapshot days a (kind, style) stays flagged, dated on the run's last day."""
    keys = {d: _keys(alerts[(shop, d)]) for d in days}
    found: list[Finding] = []
    for index, day in enumerate(days):
        after = keys[days[index + 1]] if index + 1 < len(days) else set()
        for key in sorted(keys[day] - after):  # the run ends here (or on the last day asked)
            first = day
            for earlier in reversed(days[:index]):
                if key not in keys[earlier]:
                    break
                first = earlier
            rows = alerts[(shop, day)].filter(
                (pl.col("kind") == key[0]) & (pl.coalesce("style", "sku") == key[1])
            )
            found.append(_finding(day, shop, key, rows, first, rules, calendar))
    return found


def _finding(
    day: dt.date,
    shop: str,
    key: Key,
    rows: pl.DataFrame,
    since: dt.date,
    rules: StockRules,
    calendar: PromoCalendar | None,
) -> Finding:
    context = calendar.day(day) if calendar is not None else None
    label = context.label if context is not None and context.special else ""
    children = [_child(day, shop, row, since, rules, label) for row in rows.iter_rows(named=True)]
    if len(children) == 1:
        return children[0]
    kind, style = key
    names = rows["name"].drop_nulls().to_list()
    name = str(names[0]) if names else ""
    total = sum(c.impact for c in children if c.impact is not None)
    skus = "、".join(c.item for c in sorted(children, key=lambda c: -(c.impact or 0.0))[:3])
    more = f" 等 {len(children)} 个" if len(children) > 3 else ""
    return grouped(
        children,
        metric_label=kind,
        explanation=f"款式 {style}{f'（{name}）' if name else ''} {len(children)} 个 SKU {kind}"
        f"（{skus}{more}），合计涉及 ¥{total:,.0f}",
    )


def _child(
    day: dt.date, shop: str, row: Mapping[str, Any], since: dt.date, rules: StockRules, context: str
) -> Finding:
    kind, amount = row["kind"], row["amount_at_stake"]
    money = f"¥{amount:,.0f}" if amount is not None else "—（无单价或成本）"
    if kind == "超卖":
        value: float | None = float(row["available"])
        severity, direction = "critical", "down"
        text = f"{row['sku']} 可用 {row['available']}：超卖 {-row['available']} 件发不出，涉及 {money}"
    elif kind == "断货风险":
        horizon = horizon_of(row, rules)
        value, direction = round(row["cover_with_transit"], 1), "down"
        short = row["bestseller"] and row["cover_with_transit"] < rules.lead_time_days
        severity = "critical" if short else "warning"
        who = "爆款 " if row["bestseller"] else ""
        text = (
            f"{who}{row['sku']} 日均 {_units(row['daily_sales'])} 件，可用 {row['available']} + 在途 {row['in_transit']}"
            f" 只够 {row['cover_with_transit']:.1f} 天，不到{'爆款' if row['bestseller'] else '补货周期'} {horizon:g} 天，"
            f"约少卖 {money}"
        )
    else:
        cover = row["days_of_cover"]
        value, severity, direction = (None if cover is None else round(cover, 1)), "info", "up"
        held = "近30天零动销" if row["status"] == "零动销" else f"可售 {cover:,.0f} 天（滞销）"
        worth = "—" if row["stock_value"] is None else f"¥{row['stock_value']:,.0f}"
        text = f"{row['sku']} 实际库存 {row['on_hand']}，{held}，库存金额 {worth}，超出 {rules.low_days:g} 天目标的 {money}"
    return Finding(
        date=day,
        shop=shop,
        metric=METRICS[kind],
        metric_label=kind,
        value=value,
        expected_low=None,
        expected_high=None,
        severity=severity,
        provisional=False,
        rule=METRICS[kind],
        direction=direction,
        item=str(row["sku"]),
        explanation=text,
        context=context,
        impact=None if amount is None else round(float(amount), 2),
        since=since if since < day else None,
    )


def _units(value: float) -> str:
    """A daily rate: one decimal, two below 1 (0.03 a day is not 0.0)."""
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"
