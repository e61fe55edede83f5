"""The declarative source spec, loaded from YAML and validated with every problem collected."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shopops.domains import files as domain_files
from shopops.errors import DefinitionError

PLATFORMS = ("tmall", "taobao", "jd", "douyin")
COLUMN_TYPES = (
    "text",
    "id",
    "money",
    "int",
    "number",
    "ratio",
    "date",
    "timestamp",
    "province",
    "channel",
    "duration",
    "period",
)


def normalize_header(name: str) -> str:
    """Header text compared loosely: no spaces, half-width brackets, lower-case latin."""
    table = str.maketrans(
        {"（": "(", "）": ")", "：": ":", "\u3000": "", " ": "", "\ufeff": "", "\u00a0": ""}
    )
    return name.translate(table).strip().lower()


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    aliases: tuple[str, ...]
    required: bool = False
    default: str | None = None
    label: str | None = None

    @property
    def display(self) -> str:
        return self.label or (self.aliases[0] if self.aliases else self.name)


@dataclass(frozen=True)
class SourceSpec:
    key: str
    label: str
    description: str
    platforms: tuple[str, ...]
    table: str
    date_column: str
    replace_by: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    unique_by: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    required_any: tuple[tuple[str, ...], ...] = ()
    shop_default: str | None = None
    # "skip": rows whose shop column names a shop the workspace does not have are left out and counted
    # (an ERP export covers shops ShopOps does not manage, e.g. a 拼多多 store); "refuse": the file is.
    other_shops: str = "refuse"
    custom: bool = False
    report_blanks: tuple[str, ...] = ()  # columns whose empty cells an import reports (kept as unknown)
    # Cell texts that mean "not settled yet" (赤兔's 延迟统计): read as unknown, and the row's
    # ``pending`` column says so, so that a later export replaces it.
    pending_tokens: tuple[str, ...] = ()
    # A snapshot (stock) with neither a date column nor a date in its name is of the day it is
    # imported: ERPs export "now" without saying when (research §2.1, 当天快照).
    period_default_today: bool = False
    # A blank import template of ours (`shopops template NAME`): {name, note, examples: [[cells]]}.
    template: dict[str, Any] = field(default_factory=dict)
    # "module:function" (con, staged_table, file_label) -> None, run on the staged rows before they are stored:
    # a check across rows (a scorecard's weights add up to 100 %) that refuses the file by raising
    # a UserError (one line per problem, each naming its row). A domain's sources name their own.
    check: str | None = None
    # Account roles that may import it from the dashboard (empty: anyone who may write): a staff
    # list or a manager's 绩效 inputs must not be uploaded by the people they score.
    import_roles: tuple[str, ...] = ()
    # Values taken from the file's name: column → {regex: value}; the value may use \1 for a group.
    from_file_name: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def date_range_sql(self) -> tuple[str, str]:
        """SQL for the first and last day a file's rows cover (NULL for a list with no dates: a BOM)."""
        if not self.date_column:
            return "NULL", "NULL"
        return f"min(CAST({self.date_column} AS DATE))", f"max(CAST({self.last_date_column} AS DATE))"

    @property
    def last_date_column(self) -> str:
        """The column whose latest value is the last day a file covers (a period's end)."""
        period = self.period_column
        return f"{period.name}_end" if period is not None else self.date_column

    @property
    def period_column(self) -> ColumnSpec | None:
        """The column of type ``period`` (a day or a range such as 2026-11-01至2026-11-07), if any:
        it is stored as ``<name>_start`` and ``<name>_end``, and read from the file's name when the
        file has no such column."""
        return next((c for c in self.columns if c.type == "period"), None)

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def with_aliases(self, extra: dict[str, list[str]]) -> SourceSpec:
        """A copy in which the given canonical columns accept more header names (tried first)."""
        columns = tuple(
            replace(c, aliases=tuple(dict.fromkeys([*extra.get(c.name, []), *c.aliases])))
            for c in self.columns
        )
        return replace(self, columns=columns)


def parse_spec(data: dict[str, Any], origin: str, *, custom: bool = False) -> SourceSpec:
    problems: list[str] = []
    for needed in ("key", "label", "table", "date_column", "replace_by", "columns"):
        if needed not in data:
            problems.append(f"missing '{needed}'")
    if problems:
        raise DefinitionError(f"source spec {origin}: " + "; ".join(problems))
    columns = []
    for name, raw in data["columns"].items():
        kind = raw.get("type", "text")
        if kind not in COLUMN_TYPES:
            problems.append(f"column {name}: unknown type {kind!r} (one of {', '.join(COLUMN_TYPES)})")
        columns.append(
            ColumnSpec(
                name=name,
                type=kind,
                aliases=tuple(str(a) for a in raw.get("aliases", [])),
                required=bool(raw.get("required", False)),
                default=raw.get("default"),
                label=raw.get("label"),
            )
        )
    names = {c.name for c in columns} | set(data.get("constants", {})) | {"shop"}
    names |= set(data.get("from_file_name", {}))
    periods = [c.name for c in columns if c.type == "period"]
    names |= {f"{name}_{end}" for name in periods for end in ("start", "end")}
    if len(periods) > 1:
        problems.append(f"more than one period column: {', '.join(periods)}")
    if data.get("other_shops") not in (None, "refuse", "skip"):
        problems.append(f"other_shops: {data.get('other_shops')!r} is not refuse or skip")
    if data.get("period_default") not in (None, "import_day"):
        problems.append(f"period_default: {data.get('period_default')!r} is not import_day")
    for column, values in data.get("from_file_name", {}).items():
        for pattern in values:
            try:
                re.compile(str(pattern))
            except re.error as error:
                problems.append(f"from_file_name {column}: {pattern!r} is not a regular expression ({error})")
    for key_column in [*data["replace_by"], *data.get("unique_by", []), data["date_column"] or "shop"]:
        if key_column not in names:
            problems.append(f"key column {key_column!r} is not a column")
    problems.extend(
        f"report_blanks names unknown column {c!r}" for c in data.get("report_blanks", []) if c not in names
    )
    for group in data.get("required_any", []):
        problems.extend(f"required_any names unknown column {c!r}" for c in group if c not in names)
    for platform in data.get("platforms", PLATFORMS):
        if platform not in PLATFORMS:
            problems.append(f"unknown platform {platform!r}")
    if problems:
        raise DefinitionError(f"source spec {origin}: " + "; ".join(problems))
    return SourceSpec(
        key=data["key"],
        label=data["label"],
        description=data.get("description", ""),
        platforms=tuple(data.get("platforms", PLATFORMS)),
        table=data["table"],
        date_column=data["date_column"] or "",
        replace_by=tuple(data["replace_by"]),
        unique_by=tuple(data.get("unique_by", ())),
        columns=tuple(columns),
        hints=tuple(data.get("hints", ())),
        constants=dict(data.get("constants", {})),
        required_any=tuple(tuple(group) for group in data.get("required_any", ())),
        shop_default=data.get("shop_default"),
        other_shops=data.get("other_shops") or "refuse",
        custom=custom,
        report_blanks=tuple(data.get("report_blanks", ())),
        pending_tokens=tuple(str(token) for token in data.get("pending_tokens", ())),
        template=dict(data.get("template", {})),
        check=data.get("check"),
        import_roles=tuple(data.get("import_roles", ())),
        period_default_today=data.get("period_default") == "import_day",
        from_file_name={
            column: {str(pattern): str(value) for pattern, value in values.items()}
            for column, values in data.get("from_file_name", {}).items()
        },
    )


@cache
def load_builtin_specs() -> tuple[SourceSpec, ...]:
    """The shipped sources: ours (definitions/) and every domain's, by file name."""
    entries = list(resources.files("shopops.ingest.sources").joinpath("definitions").iterdir())
    entries += domain_files("sources", ".yaml")
    specs: dict[str, SourceSpec] = {}
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            spec = parse_spec(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name)
            if spec.key in specs:
                raise DefinitionError(f"{entry}: source key {spec.key!r} is already defined by another file")
            specs[spec.key] = spec
    return tuple(specs.values())
