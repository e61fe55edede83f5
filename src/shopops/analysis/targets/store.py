"""Targets and shop groups in the warehouse: reading, checking and setting them.

The ``targets`` table is wide (one column per metric, like the operator's 目标表). Read back,
every non-empty cell is one :class:`Target`; for the same period, scope and metric the most
recently updated value wins (a later sheet or ``shopops targets set`` replaces an earlier one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import duckdb

from shopops.analysis.targets.periods import PERIOD_HINT, TargetPeriod, parse_period
from shopops.errors import UserError
from shopops.metrics.catalog import Catalog, Metric, load_catalog
from shopops.metrics.totals import is_additive
from shopops.warehouse import audit

# The metrics a target can be set for (the columns of the targets table), in display order.
TARGET_METRICS = (
    "gmv",
    "net_sales",
    "gross_profit",
    "net_profit",
    "paid_orders",
    "units",
    "ad_spend",
    "affiliate_commission",
    "refund_amount",
    "aov",
    "ad_roi",
    "conversion_rate",
    "refund_rate",
    "ad_spend_ratio",
)
ALL_SHOPS = "*"
ALL_SHOPS_LABEL = "全部店铺"


@dataclass(frozen=True, order=True)
class Scope:
    """Whose figures a target is for: one shop, a group of shops, or every shop (合计)."""

    kind: str  # shop | group | all
    name: str = ""

    @property
    def label(self) -> str:
        if self.kind == "group":
            return f"店铺组·{self.name}"
        return self.name if self.kind == "shop" else ALL_SHOPS_LABEL

    @property
    def key(self) -> str:
        return {"shop": self.name, "group": f"group:{self.name}"}.get(self.kind, ALL_SHOPS)


@dataclass(frozen=True)
class Target:
    period: TargetPeriod
    scope: Scope
    metric: str
    value: Decimal  # money and counts exactly; ratios as fractions (0.035), ROI as a multiple (3.2)
    source: str  # where it came from: "目标表.xlsx row 4" or "shopops targets set 2026-11-25 09:30"

    def kind(self, catalog: Catalog) -> str:
        return target_kind(catalog.metrics[self.metric])


def target_kind(metric: Metric) -> str:
    """goal (reach at least), cap (stay within: budgets and costs), or ratio (compare the period's ratio)."""
    if not is_additive(metric):
        return "ratio"
    return "goal" if metric.direction == "up" else "cap"


def check_metric(key: str, catalog: Catalog | None = None) -> Metric:
    catalog = catalog or load_catalog()
    if key not in TARGET_METRICS:
        by_label = {catalog.metrics[k].label: k for k in TARGET_METRICS}
        if key in by_label:
            return catalog.metrics[by_label[key]]
        raise UserError(f"--metric {key!r} cannot have a target; use one of {', '.join(TARGET_METRICS)}")
    return catalog.metrics[key]


def parse_value(text: str, metric: Metric) -> Decimal:
    """A target value as typed: 1200000, 120万, 1,200,000; ratios as 3.5% or 0.035; ROI as 3.2."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    scale = Decimal(1)
    if cleaned.endswith("万"):
        cleaned, scale = cleaned[:-1], Decimal(10_000)
    percent = cleaned.endswith("%")
    try:
        value = Decimal(cleaned.rstrip("%")) * scale
    except InvalidOperation:
        raise UserError(f"--value {text!r} is not a number; write 1200000, 120万 or 3.5%") from None
    if percent:
        if metric.unit != "ratio" or metric.is_multiple:
            raise UserError(f"--value {text!r}: {metric.label} is not a percentage; write a plain number")
        value /= 100
    if not value.is_finite() or value <= 0:
        raise UserError(f"--value {text!r} must be a number above 0")
    if metric.unit == "count" and value != value.to_integral_value():
        raise UserError(f"--value {text!r}: {metric.label} is a count; write a whole number")
    if metric.unit in ("money", "count"):
        return value.quantize(Decimal("0.01") if metric.unit == "money" else Decimal(1))
    return value


def shop_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT name FROM shops ORDER BY name").fetchall()]


def groups(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, shop in con.execute(
        "SELECT group_name, shop FROM shop_groups ORDER BY group_name, shop"
    ).fetchall():
        found.setdefault(name, []).append(shop)
    return found


def define_group(con: duckdb.DuckDBPyConnection, name: str, shops: list[str]) -> None:
    """Create or replace a shop group (店铺组)."""
    name = name.strip()
    if not name or name == ALL_SHOPS:
        raise UserError("a shop group needs a name")
    known = shop_names(con)
    for shop in shops:
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(known) or 'none'}) — see `shopops shop list`"
            )
    if not shops:
        raise UserError(f"group {name!r} needs at least one shop: --shops A,B")
    with _transaction(con):
        con.execute("DELETE FROM shop_groups WHERE group_name = ?", [name])
        con.executemany(
            "INSERT INTO shop_groups VALUES (?, ?)", [[name, shop] for shop in dict.fromkeys(shops)]
        )
        audit.record_current(con, "target.group", name, {"shops": list(dict.fromkeys(shops))})


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def scope_of(con: duckdb.DuckDBPyConnection, shop: str | None, group: str | None) -> Scope:
    """The scope named by --shop / --group (neither: all shops), checked against the workspace."""
    if shop and group:
        raise UserError("give --shop or --group, not both")
    if shop:
        known = shop_names(con)
        if shop not in known:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(known) or 'none'}) — see `shopops shop list`"
            )
        return Scope("shop", shop)
    if group:
        if group not in groups(con):
            raise UserError(
                f"shop group {group!r} is not defined — define it with `shopops targets group {group} --shops A,B`"
            )
        return Scope("group", group)
    return Scope("all")


def shops_of(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[str]:
    if scope.kind == "shop":
        return [scope.name]
    if scope.kind == "group":
        return groups(con).get(scope.name, [])
    return shop_names(con)


def set_target(
    con: duckdb.DuckDBPyConnection, period: TargetPeriod, scope: Scope, metric: str, value: Decimal
) -> None:
    """Write one target (origin 'cli'); it replaces any earlier value for the same period, scope and metric."""
    if metric not in TARGET_METRICS:
        raise UserError(f"metric {metric!r} cannot have a target; use one of {', '.join(TARGET_METRICS)}")
    shop = scope.name if scope.kind == "shop" else ALL_SHOPS
    group = scope.name if scope.kind == "group" else ""
    with _transaction(con):
        con.execute(
            "INSERT INTO targets (period, shop, shop_group, origin, updated_at) "
            "SELECT ?, ?, ?, 'cli', current_timestamp WHERE NOT EXISTS (SELECT 1 FROM targets "
            "WHERE period = ? AND shop = ? AND shop_group = ? AND origin = 'cli')",
            [period.key, shop, group, period.key, shop, group],
        )
        con.execute(
            f'UPDATE targets SET "{metric}" = ?, updated_at = current_timestamp '
            "WHERE period = ? AND shop = ? AND shop_group = ? AND origin = 'cli'",
            [value, period.key, shop, group],
        )
        _record(con, "target.set", period, scope, metric, {"value": value})


def remove_target(con: duckdb.DuckDBPyConnection, period: TargetPeriod, scope: Scope, metric: str) -> int:
    """Clear a metric's target for a period and scope, from sheets and the command line alike."""
    rows = load_targets(con, strict=False)[0]
    matching = [t for t in rows if t.period == period and t.scope == scope and t.metric == metric]
    if not matching:
        return 0
    shop = scope.name if scope.kind == "shop" else ALL_SHOPS
    group = scope.name if scope.kind == "group" else ""
    raw = con.execute(
        f'SELECT rowid, period FROM targets WHERE shop = ? AND shop_group = ? AND "{metric}" IS NOT NULL',
        [shop, group],
    ).fetchall()
    ids = [rowid for rowid, text in raw if parse_period(text) == period]
    with _transaction(con):
        con.execute(f'UPDATE targets SET "{metric}" = NULL WHERE list_contains(?, rowid)', [ids])
        _record(con, "target.remove", period, scope, metric, {"rows": len(ids)})
    return len(ids)


def _record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    period: TargetPeriod,
    scope: Scope,
    metric: str,
    detail: dict[str, object],
) -> None:
    """The audit record of a change of a target (in the change's transaction)."""
    shops: dict[str, object] = (
        {"shop": scope.name}
        if scope.kind == "shop"
        else {"shops": shops_of(con, scope) if scope.kind == "group" else "*"}
    )
    target = f"{period.key} {scope.label} {metric}"
    audit.record_current(con, action, target, {"period": period.key, "metric": metric, **shops, **detail})


_READ_SQL = """
SELECT t.period, t.shop, t.shop_group, t.origin, t.updated_at, t.source_row, i.file_name, {columns}
FROM targets t LEFT JOIN imports i ON i.import_id = t.import_id
ORDER BY t.updated_at, coalesce(t.import_id, 0), t.source_row
"""


def load_targets(con: duckdb.DuckDBPyConnection, *, strict: bool = True) -> tuple[list[Target], list[str]]:
    """Every effective target, and one line per sheet row that cannot be used.

    With ``strict``, the first unusable row raises a UserError that names the file and row.
    """
    columns = ", ".join(f't."{key}"' for key in TARGET_METRICS)
    known_shops = set(shop_names(con))
    known_groups = groups(con)
    latest: dict[tuple[TargetPeriod, Scope, str], Target] = {}
    problems: list[str] = []
    for row in con.execute(_READ_SQL.format(columns=columns)).fetchall():
        text, shop, group, origin, updated_at, source_row, file_name = row[:7]
        source = _source_text(origin, updated_at, file_name, source_row)
        period = parse_period(str(text))
        problem = None
        if period is None:
            problem = f'column "期间": value "{text}" is not a period — {PERIOD_HINT}'
        elif shop != ALL_SHOPS and group:
            problem = f'gives both 店铺 "{shop}" and 店铺组 "{group}" — leave one of them empty'
        elif group and group not in known_groups:
            problem = (
                f'column "店铺组": "{group}" is not defined — `shopops targets group {group} --shops A,B`'
            )
        elif shop != ALL_SHOPS and shop not in known_shops:
            problem = (
                f'column "店铺": "{shop}" is not a registered shop — `shopops shop add {shop} --platform …`'
            )
        if problem is not None:
            message = f"{source}: {problem}, then import the sheet again"
            if strict:
                raise UserError(message)
            problems.append(message)
            continue
        assert period is not None
        scope = (
            Scope("group", group) if group else (Scope("all") if shop == ALL_SHOPS else Scope("shop", shop))
        )
        for key, value in zip(TARGET_METRICS, row[7:], strict=True):
            if value is None:
                continue
            number = value if isinstance(value, Decimal) else Decimal(str(value))
            latest[(period, scope, key)] = Target(period, scope, key, number, source)
    order = {key: index for index, key in enumerate(TARGET_METRICS)}
    targets = sorted(latest.values(), key=lambda t: (t.period.start, t.period.end, t.scope, order[t.metric]))
    return targets, problems


def _source_text(origin: str, updated_at: dt.datetime | None, file_name: str | None, row: int | None) -> str:
    if origin == "cli":
        when = f" {updated_at:%Y-%m-%d %H:%M}" if updated_at else ""
        return f"shopops targets set{when}"
    return f"{file_name or '目标表'} row {row}" if row is not None else (file_name or "目标表")
