"""The workspace: a folder with settings, the warehouse and the registries. CLI and API sit on it."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import polars as pl

from shopops.domains import parts as domain_parts
from shopops.errors import DiskFullError, WorkspaceError
from shopops.ingest.pipeline import Importer, ImportResult, work_folder
from shopops.ingest.readers.limits import ReadLimits
from shopops.ingest.sources import SourceRegistry, SourceSpec, load_builtin_specs
from shopops.metrics.catalog import load_catalog
from shopops.metrics.completeness import PartialDay, latest_complete, partial_days
from shopops.metrics.coverage import undated_tables
from shopops.metrics.engine import MetricEngine
from shopops.metrics.master import ShippingRates, master_table
from shopops.platforms import PLATFORMS
from shopops.settings import CONFIG_NAME, DEFAULT_CONFIG, CustomSource, Settings, load_settings
from shopops.warehouse import Warehouse, audit
from shopops.warehouse.connection import disk_full

WAREHOUSE_NAME = "warehouse.duckdb"
HOME_VARIABLE = "SHOPOPS_HOME"
TEMP_NAME = ".tmp"  # imports' temporary copies (transcoded text, unzipped files), never /tmp
STALE_AFTER = 24 * 3600.0  # seconds after which anything left in TEMP_NAME is removed at open
_OWNED = re.compile(r"shopops-(\d+)-")  # a work_folder's name holds the pid of its process


def find_workspace(explicit: Path | None = None) -> Path:
    """--workspace, then $SHOPOPS_HOME, then the current folder or one of its parents."""
    if explicit is not None:
        candidates = [explicit]
    elif os.environ.get(HOME_VARIABLE):
        candidates = [Path(os.environ[HOME_VARIABLE])]
    else:
        here = Path.cwd()
        candidates = [here, *here.parents]
    for folder in candidates:
        if (folder / CONFIG_NAME).is_file():
            return folder
    where = candidates[0] if explicit or os.environ.get(HOME_VARIABLE) else Path.cwd()
    raise WorkspaceError(
        f"no ShopOps workspace at {where} — create one with `shopops init DIR`, then pass --workspace DIR,"
        f" set {HOME_VARIABLE}=DIR, or run commands inside it"
    )


def check_shop_name(name: str) -> None:
    """Refuse a shop name that lists of shops (users' shops, ``--shops A,B``) could not hold."""
    if not name.strip():
        raise WorkspaceError("a shop needs a name")
    if "," in name or "，" in name:
        raise WorkspaceError(
            f"shop name {name!r} contains a comma — lists of shops are separated by commas;"
            " choose a name without , or ，"
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise WorkspaceError(
            f"shop name {name!r} contains a control character (tab, line break …) — type it on one line"
        )
    if name != name.strip():
        raise WorkspaceError(f"shop name {name!r} starts or ends with a space — write {name.strip()!r}")


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.temp_root = _temp_root(root / TEMP_NAME)  # first: a damaged warehouse must not keep litter
        self.settings: Settings = load_settings(root / CONFIG_NAME)
        self.warehouse = Warehouse(root / WAREHOUSE_NAME)
        self.registry = SourceRegistry(self._specs())
        self._importer: Importer | None = None
        # Where master tables are computed: None is the warehouse's DuckDB; `--engine spark` sets one.
        self.metric_engine: MetricEngine | None = None
        self._run_settings_hooks()

    # -- life cycle ------------------------------------------------------------------------

    @classmethod
    def init(cls, root: Path) -> Workspace:
        root.mkdir(parents=True, exist_ok=True)
        config = root / CONFIG_NAME
        if not config.exists():
            config.write_text(DEFAULT_CONFIG, encoding="utf-8")
        for folder in ("inbox", "reports"):
            (root / folder).mkdir(exist_ok=True)
        ignore = root / ".gitignore"
        if ignore.is_file() and f"{TEMP_NAME}/" not in ignore.read_text(encoding="utf-8").split():
            with ignore.open("a", encoding="utf-8") as handle:
                handle.write(f"\n{TEMP_NAME}/\n")
        return cls(root)

    @classmethod
    def open(cls, explicit: Path | None = None) -> Workspace:
        return cls(find_workspace(explicit))

    def close(self) -> None:
        self.warehouse.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return self.warehouse.connection

    # -- registries ------------------------------------------------------------------------

    def _specs(self) -> list[SourceSpec]:
        builtin = {
            spec.key: spec.with_aliases(self.settings.aliases.get(spec.key, {}))
            for spec in load_builtin_specs()
        }
        specs = list(builtin.values())
        for custom in self.settings.custom_sources.values():
            base = builtin.get(custom.base)
            if base is None:
                raise WorkspaceError(
                    f"{CONFIG_NAME}: custom source {custom.name!r} is based on unknown source {custom.base!r}"
                    " — see `shopops sources` for the keys"
                )
            specs.append(
                replace(
                    base.with_aliases(custom.aliases),
                    key=custom.name,
                    label=custom.label,
                    hints=(),
                    custom=True,
                )
            )
        return specs

    def sources(self) -> list[SourceSpec]:
        return list(self.registry.specs.values())

    def reload_settings(self) -> None:
        """Read shopops.yaml again (a restore replaced it) and rebuild what depends on it."""
        self.settings = load_settings(self.root / CONFIG_NAME)
        self.registry = SourceRegistry(self._specs())
        self._importer = None
        self._run_settings_hooks()

    def _run_settings_hooks(self) -> None:
        """The domains' settings the warehouse's SQL reads (shopops.domains: ``settings_hooks``)."""
        for hook in domain_parts("settings_hooks"):
            hook(self.connection, self.settings.raw)

    # -- shops -----------------------------------------------------------------------------

    def add_shop(self, name: str, platform: str, fee_rate: str | Decimal = "0") -> None:
        check_shop_name(name)
        if platform not in PLATFORMS:
            raise WorkspaceError(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}")
        try:
            rate = Decimal(str(fee_rate))
        except InvalidOperation:
            raise WorkspaceError(f"--fee-rate {fee_rate!r} is not a number; write 0.05 for 5%") from None
        if not Decimal(0) <= rate < Decimal(1):
            raise WorkspaceError(f"--fee-rate {fee_rate} must be a fraction between 0 and 1 (0.05 = 5%)")
        con = self.connection
        existing = con.execute("SELECT platform FROM shops WHERE name = ?", [name]).fetchone()
        if existing is not None:
            raise WorkspaceError(
                f"shop {name!r} already exists (platform {existing[0]}) — see `shopops shop list`"
            )
        with self.warehouse.transaction():
            con.execute(
                "INSERT INTO shops (name, platform, fee_rate) VALUES (?, ?, ?)", [name, platform, rate]
            )
            audit.record_current(
                con, "shop.add", name, {"shop": name, "platform": platform, "fee_rate": rate}
            )

    def shops(self) -> list[tuple[str, str, Decimal]]:
        return [
            (row[0], row[1], row[2])
            for row in self.connection.execute(
                "SELECT name, platform, fee_rate FROM shops ORDER BY name"
            ).fetchall()
        ]

    # -- import ----------------------------------------------------------------------------

    @property
    def importer(self) -> Importer:
        if self._importer is None:
            self._importer = Importer(
                self.warehouse,
                self.registry,
                self.settings.channel_aliases,
                workdir=self.temp_root,
                limits=self.read_limits,
            )
        return self._importer

    @property
    def read_limits(self) -> ReadLimits:
        """The largest file an import accepts (``limits:`` in shopops.yaml)."""
        return ReadLimits(**self.settings.limits)

    def temp_folder(self) -> tempfile.TemporaryDirectory[str]:
        """A temporary folder inside the workspace (removed at the next open if a kill leaves it)."""
        return work_folder(self.temp_root)

    @contextmanager
    def _full_disk_as_one_line(self) -> Iterator[None]:
        """A write that fails for lack of space (Python or DuckDB) ends the import as one line;
        the import's transaction was rolled back, so nothing was changed."""
        try:
            yield
        except (OSError, duckdb.Error) as error:
            where = disk_full(error)
            if where is None:
                raise
            if not where and isinstance(error, OSError):  # Python names no file: the import's copies
                where = str((self.temp_root or Path(tempfile.gettempdir())).absolute())
            elif not where:  # DuckDB names none when it spills to its temp directory
                where = self._spill_folder()
            raise DiskFullError(where, "import again; nothing was changed") from error

    def _spill_folder(self) -> str:
        with suppress(duckdb.Error):
            row = self.connection.execute("SELECT current_setting('temp_directory')").fetchone()
            if row and row[0]:
                return str(row[0])
        return str(self.root.absolute())

    def import_file(
        self,
        path: Path,
        *,
        shop: str | None = None,
        source: str | None = None,
        mapping: dict[str, str] | None = None,
        save_source: str | None = None,
        allowed_shops: Collection[str] | None = None,
        role: str | None = None,
    ) -> ImportResult:
        """Import one file; ``allowed_shops`` (a web user's shops) refuses rows of any other shop,
        ``role`` (a web user's) a source only some roles may import."""
        self.warehouse.require_writable()
        if mapping:
            return self._import_mapped(path, shop, source, mapping, save_source)
        with self._full_disk_as_one_line():
            return self.importer.import_file(
                path, shop=shop, source=source, allowed_shops=allowed_shops, role=role
            )

    def _import_mapped(
        self,
        path: Path,
        shop: str | None,
        source: str | None,
        mapping: dict[str, str],
        save_source: str | None,
    ) -> ImportResult:
        """Import with explicit 源列=column pairs, optionally saved as a custom source for next time."""
        targets = set(mapping.values())
        candidates = [s for s in load_builtin_specs() if (source is None or s.key == source)]
        fitting = [s for s in candidates if targets <= {c.name for c in s.columns}]
        # Only sources of the platforms the shops are on (a JD order export does not fit a Taobao shop).
        platforms = {p for name, p, _ in self.shops() if shop is None or name == shop}
        fitting = [s for s in fitting if platforms & set(s.platforms)] or fitting
        if not fitting:
            known = sorted({c.name for s in candidates for c in s.columns})
            raise WorkspaceError(
                f"--map names columns ({', '.join(sorted(targets))}) that no "
                f"{'source ' + source if source else 'single source'} has — canonical columns are: {', '.join(known)}"
            )
        aliases: dict[str, list[str]] = {}
        for header, column in mapping.items():
            aliases.setdefault(column, []).append(header)
        key = save_source or "mapped"
        specs = [
            replace(
                s.with_aliases(aliases),
                key=f"{key}:{s.key}" if len(fitting) > 1 else key,
                label=f"{save_source or '自定义映射'}（基于 {s.label}）",
                hints=(),
                custom=True,
            )
            for s in fitting
        ]
        registry = SourceRegistry(specs)
        importer = Importer(
            self.warehouse,
            registry,
            self.settings.channel_aliases,
            workdir=self.temp_root,
            limits=self.read_limits,
        )
        with self._full_disk_as_one_line():
            raw_result = importer.import_file(path, shop=shop)
        chosen = raw_result.source_key
        base = next(s for s in fitting if chosen in (key, f"{key}:{s.key}"))
        if save_source:
            self.settings.save_custom_source(
                CustomSource(
                    name=save_source,
                    base=base.key,
                    label=f"{save_source}（基于 {base.label}）",
                    aliases=aliases,
                )
            )
            self.registry = SourceRegistry(self._specs())
            self._importer = None
            audit.record_current(
                self.connection, "source.save", save_source, {"base": base.key, "map": mapping}
            )
        return raw_result

    def imports(self, limit: int = 50) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = self.connection.execute(
            "SELECT import_id, imported_at, file_name, source_key, shops, rows_imported, rows_replaced,"
            " date_min, date_max FROM imports ORDER BY import_id DESC LIMIT ?",
            [limit],
        ).fetchall()
        return rows

    # -- tables ----------------------------------------------------------------------------

    def data_dates(self) -> tuple[dt.date | None, dt.date | None]:
        """The first day with data and the latest **complete** day (what every default uses)."""
        first, last = self._import_dates()
        return first, latest_complete(last, partial_days(self.connection))[0]

    def incomplete_days(self) -> list[PartialDay]:
        """The incomplete days after the latest complete one, with why (an order export pulled at 00:37 …)."""
        return latest_complete(self._import_dates()[1], partial_days(self.connection))[1]

    def _import_dates(self) -> tuple[dt.date | None, dt.date | None]:
        row = self.connection.execute(
            "SELECT min(date_min), max(date_max) FROM imports"
            " WHERE source_key NOT IN ('sku_cost', 'product_master', 'targets') AND NOT list_contains(?, target_table)",
            [undated_tables()],
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def shipping_rates(self) -> ShippingRates:
        names = [name for name, _, _ in self.shops()]
        rules = {name: self.settings.shipping_for(name) for name in names}
        return ShippingRates(
            per_order={name: rule.per_order for name, rule in rules.items()},
            by_province={name: rule.by_province for name, rule in rules.items()},
        )

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
        """The master table as a Polars frame (the Python API of `shopops table master`).

        ``total`` adds a 合计 row per period over the selected shops (platform null): sums of
        additive metrics, ratios recomputed from the summed parts; ``metrics`` keeps only those
        metrics (and what their formulas need), which reads only their sources.
        """
        if end is None:
            end = self.data_dates()[1] or dt.date.today()
        if start is None:
            start = end - dt.timedelta(days=29)
        return master_table(
            self.connection,
            start,
            end,
            shops=shops,
            grain=grain,
            compare=compare,
            provenance=provenance,
            shipping=self.shipping_rates(),
            total=total,
            catalog=None if metrics is None else load_catalog().only(metrics),
            engine=self.metric_engine,
        )


def _temp_root(folder: Path) -> Path | None:
    """The workspace's temp folder, emptied of what killed imports left; None if it cannot be made."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return None  # a read-only workspace: imports use the system's temp folder
    clean_leftovers(folder)
    return folder


def clean_leftovers(folder: Path, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove from ``folder`` the work folders of processes that are gone, and anything older
    than ``older_than`` seconds. Folders of running processes stay: a `shopops serve` or another
    import may be using them right now. Returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        owner = _OWNED.match(entry.name)
        try:
            age = now - entry.lstat().st_mtime
        except OSError:
            continue  # removed meanwhile
        if age < older_than and (owner is None or _running(int(owner.group(1)))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with suppress(OSError):
                entry.unlink()
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # os.kill(pid, 0) is no probe on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it runs, as another user
        return True
    return True
