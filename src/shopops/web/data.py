"""The dashboard's data layer: every read goes through ``ScopedData``, which only ever sees the
shops the logged-in user may see. Pages, downloads and API routes all use it — nothing queries
the warehouse around it. Each request reads on its own DuckDB cursor, so a running import (one
transaction on the writer) is never seen half done."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import duckdb
import polars as pl

from shopops.analysis.anomalies import Detection, alert_settings, detect
from shopops.analysis.anomalies.config import AlertSettings
from shopops.analysis.anomalies.finding import Finding
from shopops.analysis.targets import Pace, pace
from shopops.analysis.targets.store import Scope, shops_of
from shopops.errors import UserError
from shopops.metrics.catalog import load_catalog
from shopops.metrics.completeness import PartialDay, latest_complete, partial_days
from shopops.metrics.coverage import undated_tables
from shopops.metrics.master import ShippingRates, master_table
from shopops.warehouse import audit
from shopops.web import cache
from shopops.web.accounts import User
from shopops.workspace import Workspace

_cursor_lock = threading.Lock()
T = TypeVar("T")


class Forbidden(UserError):
    """A shop the user may not see (the message never names it)."""


class ScopedData:
    def __init__(self, workspace: Workspace, user: User) -> None:
        self.workspace = workspace
        self.user = user
        self.actor = audit.Actor(user.name, "web")  # whom the audit log names for changes made here
        with _cursor_lock:
            self.cursor = workspace.connection.cursor()
        every = [str(r[0]) for r in self.cursor.execute("SELECT name FROM shops ORDER BY name").fetchall()]
        self.all_shops = every
        self.allowed = user.allowed(every)
        row = self.cursor.execute("SELECT count(*), max(import_id) FROM imports").fetchone()
        self.version = (row[0], row[1]) if row else (0, None)

    def _open_cursor(self) -> duckdb.DuckDBPyConnection:
        with _cursor_lock:
            return self.workspace.connection.cursor()

    def _remember(self, key: tuple[Any, ...], compute: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        return cache.remembered((str(self.workspace.root), *key), self.version, compute, self._open_cursor)

    def close(self) -> None:
        self.cursor.close()

    # -- PaceSource ------------------------------------------------------------------------

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return self.cursor

    def data_dates(self) -> tuple[dt.date | None, dt.date | None]:
        rows = self.cursor.execute(
            "SELECT shops, date_min, date_max FROM imports WHERE source_key NOT IN ('sku_cost', 'product_master', 'targets')"
            " AND date_min IS NOT NULL AND NOT list_contains(?, target_table)",
            [undated_tables()],
        ).fetchall()
        mine = [(r[1], r[2]) for r in rows if self._visible(str(r[0]))]
        if not mine:
            return None, None
        last, _ = latest_complete(max(r[1] for r in mine), self.partial_days())
        return min(r[0] for r in mine), last

    def incomplete_days(self) -> list[PartialDay]:
        """The incomplete days the latest day skipped (see :mod:`shopops.metrics.completeness`)."""
        rows = self.cursor.execute(
            "SELECT shops, date_max FROM imports WHERE source_key NOT IN ('sku_cost', 'product_master', 'targets')"
            " AND date_max IS NOT NULL"
        ).fetchall()
        mine = [r[1] for r in rows if self._visible(str(r[0]))]
        return latest_complete(max(mine), self.partial_days())[1] if mine else []

    def partial_days(self) -> list[PartialDay]:
        """Every incomplete shop-day of the shops this user may see."""
        allowed = list(self.allowed)
        return self._remember(("partial", tuple(allowed)), lambda cursor: partial_days(cursor, allowed))

    def master_table(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        shops: Sequence[str] | None = None,
        grain: str = "day",
        compare: bool = False,
        provenance: bool = False,
        total: bool = False,
        metrics: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        chosen = self.shops_for(shops)
        if end is None:
            end = self.data_dates()[1] or dt.date.today()
        if start is None:
            start = end - dt.timedelta(days=29)
        shipping = self.shipping()
        return self._remember(
            ("master", tuple(chosen), start, end, grain, compare, provenance, total, tuple(metrics or ())),
            lambda cursor: master_table(
                cursor,
                start,
                end,
                shops=chosen,
                grain=grain,
                compare=compare,
                provenance=provenance,
                shipping=shipping,
                total=total,
                catalog=None if metrics is None else load_catalog().only(metrics),
            ),
        )

    # -- scoping ---------------------------------------------------------------------------

    def _visible(self, shops_text: str) -> bool:
        """Whether a row listing ``shops_text`` (comma-separated, "*" = all) may be shown."""
        if self.user.shops is None:
            return True
        names = [s for s in shops_text.split(",") if s]
        return bool(names) and "*" not in names and all(n in self.allowed for n in names)

    def shops_for(self, asked: Sequence[str] | None) -> list[str]:
        """The asked shops (default: every allowed one); a shop outside the scope is refused."""
        if not asked:
            return list(self.allowed)
        for shop in asked:
            if shop not in self.allowed:
                raise Forbidden("无权查看该店铺或店铺不存在 (no such shop, or not yours)")
        return list(asked)

    def shops(self) -> list[tuple[str, str]]:
        rows = self.cursor.execute("SELECT name, platform FROM shops ORDER BY name").fetchall()
        return [(str(r[0]), str(r[1])) for r in rows if r[0] in self.allowed]

    def shipping(self) -> ShippingRates:
        rules = {name: self.workspace.settings.shipping_for(name) for name in self.allowed}
        return ShippingRates(
            per_order={name: rule.per_order for name, rule in rules.items()},
            by_province={name: rule.by_province for name, rule in rules.items()},
        )

    def alert_settings(self) -> AlertSettings:
        return alert_settings(self.workspace.settings.raw)

    # -- analyses --------------------------------------------------------------------------

    def findings(self, start: dt.date, end: dt.date, shops: Sequence[str] | None = None) -> list[Finding]:
        return self.detection(start, end, shops).findings

    def detection(self, start: dt.date, end: dt.date, shops: Sequence[str] | None = None) -> Detection:
        """The findings and the checks that could not run (history too short, no such data)."""
        chosen = self.shops_for(shops)
        if not chosen:
            return Detection([], [])
        settings, shipping = self.alert_settings(), self.shipping()
        return self._remember(
            ("findings", tuple(chosen), start, end),
            lambda cursor: detect(cursor, start, end, shops=chosen, settings=settings, shipping=shipping),
        )

    def notes(self, start: dt.date, end: dt.date) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
        rows = self.cursor.execute(
            "SELECT date, shop, metric, channel, acknowledged, comment, user_name, created_at"
            " FROM finding_notes WHERE date BETWEEN ? AND ? ORDER BY created_at",
            [start, end],
        ).fetchall()
        found: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for r in rows:
            if r[1] not in self.allowed:
                continue
            key = (str(r[0]), str(r[1]), str(r[2]), str(r[3]))
            found.setdefault(key, []).append(
                {"acknowledged": bool(r[4]), "comment": r[5], "user": r[6], "at": str(r[7])[:16]}
            )
        return found

    def add_note(
        self, day: dt.date, shop: str, metric: str, channel: str, acknowledged: bool, comment: str
    ) -> None:
        self.shops_for([shop])
        if not self.user.can_write:
            raise Forbidden("只读用户不能确认或评论 (viewers cannot acknowledge or comment)")
        detail = {"shop": shop, "date": day, "metric": metric, "channel": channel, "comment": comment.strip()}
        with audit.atomic(self.cursor):
            self.cursor.execute(
                "INSERT INTO finding_notes (date, shop, metric, channel, acknowledged, comment, user_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [day, shop, metric, channel, acknowledged, comment.strip() or None, self.user.name],
            )
            action = "finding.ack" if acknowledged else "finding.note"
            audit.record_as(self.cursor, self.actor, action, f"{day} {shop} {metric} {channel}", detail)

    def preference(self, key: str) -> Any:
        """This user's remembered choice ``key`` (the JSON value as saved), or None."""
        row = self.cursor.execute(
            "SELECT value FROM user_preference WHERE user_name = ? AND key = ?", [self.user.name, key]
        ).fetchone()
        return None if row is None else json.loads(str(row[0]))

    def save_preference(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON-able) as this user's ``key``; the audit log records the change.
        Any role may: it changes only what this user sees, not the data."""
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with audit.atomic(self.cursor):
            self.cursor.execute(
                "INSERT INTO user_preference (user_name, key, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_name, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [self.user.name, key, text, dt.datetime.now()],
            )
            audit.record_as(self.cursor, self.actor, "preference.save", key, {"value": value})

    def pacing(self, as_of: dt.date | None = None, *, forecasts: bool = True) -> list[Pace]:
        if not self.allowed:
            return []
        dates = self.data_dates()
        allowed = set(self.allowed)

        def compute(cursor: duckdb.DuckDBPyConnection) -> list[Pace]:
            rows = pace(_PaceSource(self, cursor, dates), as_of, shops=self.allowed, forecasts=forecasts)
            return [p for p in rows if set(shops_of(cursor, p.target.scope)) <= allowed]

        targets = self.cursor.execute("SELECT count(*), max(updated_at) FROM targets").fetchone()
        return self._remember(("pace", tuple(self.allowed), as_of, forecasts, targets, dates), compute)

    def group_visible(self, scope: Scope) -> bool:
        return set(shops_of(self.cursor, scope)) <= set(self.allowed)

    def imports(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.cursor.execute(
            "SELECT import_id, imported_at, file_name, source_key, shops, rows_imported, rows_replaced,"
            " date_min, date_max, imported_by FROM imports ORDER BY import_id DESC LIMIT ?",
            [limit * 4],
        ).fetchall()
        keys = [
            "import_id",
            "imported_at",
            "file_name",
            "source_key",
            "shops",
            "rows_imported",
            "rows_replaced",
            "date_min",
            "date_max",
            "imported_by",
        ]
        visible = [dict(zip(keys, r, strict=True)) for r in rows if self._visible(str(r[4]))]
        return visible[:limit]


class _PaceSource:
    """What pacing reads, on a cursor of its own (the computation may outlive the request)."""

    def __init__(
        self,
        data: ScopedData,
        cursor: duckdb.DuckDBPyConnection,
        dates: tuple[dt.date | None, dt.date | None],
    ) -> None:
        self.data = data
        self.connection = cursor
        self.dates = dates
        self.master_table = data.master_table

    def data_dates(self) -> tuple[dt.date | None, dt.date | None]:
        return self.dates

    def incomplete_days(self) -> list[PartialDay]:
        return self.data.incomplete_days()
