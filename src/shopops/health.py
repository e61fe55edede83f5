"""Health checks of a workspace: `shopops doctor` and the 健康 panel of 设置.

Each check is data — what was checked, ok / warn / fail, what was found and how to fix it — so the
command prints it as a table or JSON and the page renders the same list. The checks read; the only
write is a CHECKPOINT of the warehouse, and only where the caller holds the writer and asks for it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from shopops import __version__
from shopops.analysis.calendar import holiday_coverage, load_calendar
from shopops.errors import UserError
from shopops.settings import CONFIG_NAME, PushChannel, Settings, load_settings
from shopops.warehouse import Warehouse
from shopops.warehouse.connection import damaged, lock_holder, migration_scripts
from shopops.workspace import WAREHOUSE_NAME, Workspace

STATUSES = ("ok", "warn", "fail")
SYMBOLS = {"ok": "✓", "warn": "!", "fail": "✗"}
LABELS = {
    "settings": "配置",
    "warehouse": "数据仓库",
    "schema": "结构版本",
    "disk": "磁盘空间",
    "imports": "导入",
    "backup": "备份",
    "push": "推送",
    "holidays": "节假日",
    "server": "服务",
}
PUSH_LOG = Path("logs") / "push.log"  # where `shopops push` logs each attempt (shopops.cli.push.LOG_NAME)
BACKUP_FOLDER = "backups"  # default of `backup: {dir: …}` in shopops.yaml
IMPORT_DAYS = 3  # an export a shop imported before is late after this many days without one
BACKUP_DAYS = 7  # the newest backup is old after this many days
HOLIDAY_DAYS = 60  # the coming days that must have holiday data
GIB = 1024**3
LOG_TAIL = 256 * 1024  # bytes of push.log read from its end
# Imports that are no daily export (as in Workspace.data_dates): cost sheets, product lists, targets.
NOT_DAILY = ("sku_cost", "product_master", "targets")
_PUSH_LINE = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<name>.+) \((?P<kind>\w+)\)"
    r" attempt \d+/\d+: (?P<outcome>ok|failed(?:, retry in \S+)?) — (?P<detail>.*)$"
)


@dataclass(frozen=True)
class Check:
    key: str  # settings | warehouse | schema | disk | imports | backup | push | holidays | server
    status: str  # ok | warn | fail
    message: str  # what was found
    fix: str = ""  # how to fix it (empty when there is nothing to do)

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, **asdict(self)}


def worst(checks: Iterable[Check]) -> str:
    """The overall status: fail if any check fails, else warn if any warns, else ok."""
    found = {check.status for check in checks}
    return next((s for s in reversed(STATUSES) if s in found), "ok")


def _from_error(key: str, error: BaseException | str) -> Check:
    """A failed check from a one-line error "what — how to fix"."""
    what, _, fix = str(error).partition(" — ")
    return Check(key, "fail", what, fix or "see the message")


# -- the whole workspace -----------------------------------------------------------------------


def check_workspace(
    workspace: Workspace,
    today: dt.date,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
    shops: Collection[str] | None = None,
    checkpoint: bool = False,
    import_days: int = IMPORT_DAYS,
) -> list[Check]:
    """Every check of an opened workspace. ``connection``: a cursor to read with (a web request's);
    ``shops``: only these shops' imports; ``checkpoint``: also CHECKPOINT (the caller holds the writer)."""
    con = connection or workspace.connection
    labels = {key: spec.label for key, spec in workspace.registry.specs.items()}
    return [
        Check("settings", "ok", f"{CONFIG_NAME} reads without problems"),
        integrity_check(workspace.warehouse, con, checkpoint=checkpoint),
        schema_check(workspace.warehouse, con),
        disk_check(workspace.root, workspace.warehouse.path),
        *import_checks(con, today, labels=labels, shops=shops, days=import_days),
        backup_check(workspace.root, workspace.settings, today),
        *push_checks(workspace.root, workspace.settings.push.channels),
        holiday_check(workspace.settings, today),
    ]


def check_unopened(root: Path, today: dt.date, problem: UserError) -> list[Check]:
    """The checks that can run when the workspace did not open (``problem`` says why)."""
    checks: list[Check] = []
    path = root / WAREHOUSE_NAME
    try:
        settings: Settings | None = load_settings(root / CONFIG_NAME)
    except UserError as error:
        settings = None
        checks.append(_from_error("settings", error))
    if settings is None:  # the warehouse may be fine: look at it read-only
        try:
            warehouse = Warehouse(path, read_only=True)
        except UserError as error:
            checks.append(_from_error("warehouse", error))
        else:
            try:
                checks.append(integrity_check(warehouse, warehouse.connection, checkpoint=False))
                refusal = warehouse.unknown_schema()
                checks.append(_from_error("schema", refusal) if refusal else schema_check(warehouse))
            finally:
                warehouse.close()
    else:
        checks.append(Check("settings", "ok", f"{CONFIG_NAME} reads without problems"))
        holder = lock_holder(path)
        if holder is not None:  # busy, not broken: an import or `shopops run daily` is writing
            checks.append(
                Check(
                    "warehouse",
                    "warn",
                    f"{path.name} is being written by another ShopOps process"
                    + (f" (pid {holder})" if holder else ""),
                    "run shopops doctor again when it has finished",
                )
            )
        else:
            checks.append(_from_error("warehouse", problem))
    checks.append(disk_check(root, path))
    if settings is not None:
        checks += [backup_check(root, settings, today), *push_checks(root, settings.push.channels)]
        checks.append(holiday_check(settings, today))
    return checks


# -- the warehouse ------------------------------------------------------------------------------


def integrity_check(
    warehouse: Warehouse, con: duckdb.DuckDBPyConnection, *, checkpoint: bool = False
) -> Check:
    """The warehouse answers: its size, every table counted, and (when asked) a CHECKPOINT."""
    path = warehouse.path
    try:
        tables = [
            str(row[0])
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables()"
                " WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name"
            ).fetchall()
        ]
        rows = 0
        for table in tables:
            counted = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            rows += int(counted[0]) if counted else 0
        con.execute("PRAGMA database_size").fetchall()  # the storage's own bookkeeping answers
        note = ""
        if checkpoint and warehouse.refusal is None:
            try:
                con.execute("CHECKPOINT")
                note = "; checkpoint done"
            except duckdb.Error as error:
                if damaged(path, error) is not None:
                    raise
                note = f"; checkpoint skipped ({str(error).splitlines()[0][:80]})"
    except duckdb.Error as error:
        problem = damaged(path, error)
        if problem is not None:
            return _from_error("warehouse", problem)
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Check(
            "warehouse",
            "fail",
            f"{path.name} could not be read ({first[:120]})",
            "restore a backup (shopops restore FILE), or move the file away and import your files again",
        )
    size = _bytes(path.stat().st_size) if path.is_file() else "?"
    return Check("warehouse", "ok", f"{path.name} ({size}) reads: {len(tables)} tables, {rows:,} rows{note}")


def schema_check(warehouse: Warehouse, con: duckdb.DuckDBPyConnection | None = None) -> Check:
    """The warehouse's schema against the migrations of this ShopOps (``Warehouse.refusal``)."""
    if warehouse.refusal is not None:
        return _from_error("schema", warehouse.refusal)
    newest = max(version for version, _, _ in migration_scripts())
    row = (con or warehouse.connection).execute("SELECT max(version) FROM schema_migrations").fetchone()
    applied = int(row[0]) if row and row[0] is not None else 0
    if applied < newest:
        return Check(
            "schema",
            "warn",
            f"schema {applied:03d}, this ShopOps {__version__} has {newest:03d}",
            "run any shopops command that writes (e.g. shopops imports) to bring it up to date",
        )
    return Check("schema", "ok", f"schema {applied:03d}, the newest this ShopOps {__version__} knows")


# -- disk ---------------------------------------------------------------------------------------


def disk_check(root: Path, warehouse: Path, usage: Callable[[Path], Any] = shutil.disk_usage) -> Check:
    """Free space where the workspace is: a backup, an import and a checkpoint all need some.

    Fails below the warehouse's size (at least 200 MiB), warns below 3× it (at least 2 GiB)."""
    size = warehouse.stat().st_size if warehouse.is_file() else 0
    free = int(usage(root).free)
    text = f"{_bytes(free)} free on the workspace's disk (warehouse {_bytes(size)})"
    fix = "free some space on that disk (old reports/, backups/, inbox/imported/) or move the workspace"
    if free < max(200 * 1024**2, size):
        return Check("disk", "fail", text, fix)
    if free < max(2 * GIB, 3 * size):
        return Check("disk", "warn", text, fix)
    return Check("disk", "ok", text)


def _bytes(count: int) -> str:
    for unit, size in (("GB", GIB), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


# -- imports ------------------------------------------------------------------------------------


def import_checks(
    con: duckdb.DuckDBPyConnection,
    today: dt.date,
    *,
    labels: Mapping[str, str],
    shops: Collection[str] | None = None,
    days: int = IMPORT_DAYS,
) -> list[Check]:
    """Per shop and export type that shop imported before: late when the newest import of it is
    more than ``days`` days before ``today``. Only registered shops, only daily exports."""
    rows = con.execute(
        "SELECT i.shop, i.source_key, max(i.imported_at), max(i.date_max) FROM ("
        "  SELECT trim(unnest(string_split(shops, ','))) AS shop, source_key, imported_at, date_max"
        f"  FROM imports WHERE date_max IS NOT NULL AND source_key NOT IN {NOT_DAILY}"
        ") i JOIN shops s ON s.name = i.shop GROUP BY ALL ORDER BY i.shop, i.source_key"
    ).fetchall()
    rows = [r for r in rows if shops is None or r[0] in shops]
    if not rows:
        return [
            Check(
                "imports",
                "warn",
                "nothing imported yet",
                "import the day's exports: shopops import FILE…, or drop them into inbox/",
            )
        ]
    late: dict[str, list[tuple[str, int, dt.datetime, dt.date]]] = {}
    for shop, key, imported_at, newest in rows:
        age = max(0, (today - imported_at.date()).days)
        if age > days:
            late.setdefault(shop, []).append((labels.get(key, key), age, imported_at, newest))
    if late:
        return [_late_imports(shop, exports) for shop, exports in late.items()]
    shop_count = len({r[0] for r in rows})
    last = max(r[2] for r in rows)
    return [
        Check(
            "imports",
            "ok",
            f"{len(rows)} exports of {shop_count} shop{'s' if shop_count != 1 else ''} imported within"
            f" {days} days (newest {last:%Y-%m-%d %H:%M})",
        )
    ]


def _late_imports(shop: str, exports: list[tuple[str, int, dt.datetime, dt.date]]) -> Check:
    if len(exports) == 1:
        [(label, age, imported_at, newest)] = exports
        text = f"{shop} has no {label} export for {age} days (last imported {imported_at:%Y-%m-%d}, data up to {newest})"
        fix = "download and import it (shopops import FILE, or inbox/)"
    else:
        text = f"{shop} has {len(exports)} exports late: " + "; ".join(f"{e[0]} {e[1]} days" for e in exports)
        fix = "download and import them (shopops import FILE…, or inbox/)"
    return Check("imports", "warn", text, f"{fix}; ignore it if {shop} no longer uses that export")


# -- backups ------------------------------------------------------------------------------------


def backup_folder(root: Path, settings: Settings) -> Path:
    """Where backups go: ``backup.dir`` of shopops.yaml (relative = inside the workspace), else
    backups/ — as ``shopops.operations.backup.backup_folder``, which needs an opened workspace."""
    chosen = settings.backup.dir
    if chosen is None:
        return root / BACKUP_FOLDER
    return chosen if chosen.is_absolute() else root / chosen


def backup_check(root: Path, settings: Settings, today: dt.date, days: int = BACKUP_DAYS) -> Check:
    folder = backup_folder(root, settings)
    found = (
        [p for p in folder.glob("*.zip") if p.is_file() and not p.name.startswith(".")]
        if folder.is_dir()
        else []
    )
    if not found:
        return Check(
            "backup",
            "warn",
            f"no backup yet (none in {_shown(folder, root)}/)",
            "run shopops backup now; shopops run daily then keeps the newest backup.keep (14) of them",
        )
    newest = max(found, key=lambda p: p.stat().st_mtime)
    stamp = dt.datetime.fromtimestamp(newest.stat().st_mtime)
    age = max(0, (today - stamp.date()).days)
    text = (
        f"last backup {_shown(newest, root)}, {stamp:%Y-%m-%d %H:%M} ({age} day{'s' if age != 1 else ''} old)"
    )
    if age > days:
        return Check(
            "backup",
            "warn",
            text,
            "run shopops backup, and schedule shopops run daily (cron / 任务计划): it keeps backups",
        )
    return Check("backup", "ok", text)


def _shown(path: Path, root: Path) -> str:
    """A path inside the workspace relative to it (backups/…), others as they are."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# -- push ---------------------------------------------------------------------------------------


def push_checks(
    root: Path, channels: Mapping[str, PushChannel], environ: Mapping[str, str] | None = None
) -> list[Check]:
    """Per channel of push.channels: its environment variables are set, and its last delivery
    (the last line of logs/push.log for it) succeeded."""
    if not channels:
        return [
            Check(
                "push",
                "warn",
                "no push channels: the daily summary goes nowhere",
                "add one under push.channels in shopops.yaml (see its commented example), then shopops push test",
            )
        ]
    environ = os.environ if environ is None else environ
    last = _last_attempts(root / PUSH_LOG)
    checks = []
    for name, channel in channels.items():
        unset = [
            v
            for v in (channel.webhook_env, channel.secret_env, channel.password_env)
            if v and not environ.get(v)
        ]
        test = f"then shopops push test --channel {name}"
        if unset:
            checks.append(
                Check(
                    "push",
                    "fail",
                    f"{name}: {', '.join(unset)} not set in this environment",
                    f"set {', '.join(unset)} where shopops runs (also for cron), {test}",
                )
            )
            continue
        attempt = last.get(name)
        if attempt is None:
            checks.append(
                Check(
                    "push",
                    "warn",
                    f"{name} ({channel.kind}): never sent",
                    f"try it: shopops push test --channel {name}",
                )
            )
        elif attempt["outcome"] == "ok":
            checks.append(
                Check("push", "ok", f"{name} ({channel.kind}): last delivery {attempt['stamp']} ok")
            )
        else:
            checks.append(
                Check(
                    "push",
                    "warn",
                    f"{name} ({channel.kind}): last delivery {attempt['stamp']} failed — {attempt['detail']}",
                    f"see {PUSH_LOG.as_posix()}, fix the channel in shopops.yaml, {test}",
                )
            )
    return checks


def _last_attempts(path: Path) -> dict[str, dict[str, str]]:
    """The last logged attempt of each channel (from the end of the log)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - LOG_TAIL))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        match = _PUSH_LINE.match(line)
        if match:
            found[match["name"]] = match.groupdict()
    return found


# -- holidays -----------------------------------------------------------------------------------


def holiday_check(settings: Settings, today: dt.date, days: int = HOLIDAY_DAYS) -> Check:
    """Whether today and the next ``days`` days have holiday data (chinese-calendar or shopops.yaml):
    without it 春节, 国庆 … count as ordinary days in the baselines."""
    raw = settings.raw
    try:
        calendar = load_calendar(
            raw.get("promo_calendar"), holidays=raw.get("holidays"), workdays=raw.get("workdays")
        )
    except UserError as error:
        return _from_error("holidays", error)
    cover = holiday_coverage(calendar, today, days)
    known = f"chinese-calendar {cover.version} knows holidays up to {cover.builtin_last or '—'}"
    if cover.missing:
        years = "、".join(str(y) for y in cover.missing)
        return Check(
            "holidays",
            "warn",
            f"no holiday data for {years}, which begins within {days} days ({known}): its 春节 and"
            f" other holidays would count as ordinary days in the baselines from {cover.first_missing_day}",
            f"pip install -U chinese-calendar (once a release knows {years}), or add {years}'s days off"
            " under holidays: and 调休 days under workdays: in shopops.yaml",
        )
    given = ""
    if cover.user_years:
        count = sum(1 for d in calendar.user_holidays if d.year in cover.user_years)
        given = f"; {'、'.join(map(str, cover.user_years))} from shopops.yaml ({count} days off)"
    return Check("holidays", "ok", f"holiday data through {cover.end} ({known}{given})")


# -- the server file ----------------------------------------------------------------------------


def server_running(pid: int, port: int | None) -> Check:
    where = f", port {port}" if port else ""
    return Check("server", "ok", f"shopops serve runs on this workspace (pid {pid}{where})")


def server_absent() -> Check:
    return Check("server", "ok", "no server file: shopops serve is not running")


def server_stale(name: str, why: str) -> Check:
    return Check(
        "server",
        "warn",
        f"removed a stale {name} ({why})",
        "nothing more to do; stop shopops serve with Ctrl-C rather than killing it",
    )
