"""Domains: one package per job of the operator's day (竞品, 客服, 库存 …), found through one registry.

A domain package owns its vertical slice — the exports it reads, the tables it adds, its metrics,
findings, 日报 sheet, dashboard page and ``shopops <job> …`` commands — and declares them in one
:class:`Domain` object that it publishes as a Python entry point of the group ``shopops.domains``::

    [project.entry-points."shopops.domains"]
    rivals = "shopops.domains.rivals:DOMAIN"

The core asks :func:`domains` for them and never imports a domain by name. This module is importable
from every layer (it imports no stage of ShopOps): the domains' own modules are imported only when a
part is wanted — a part given as ``"module:attribute"`` is resolved by :func:`parts` at that moment,
so asking for a domain's migrations does not import its page, and its findings do not import its CLI.

The parts (all optional):

- ``sources``: a folder of source YAML files, read with the built-in ones (``ingest.sources``);
- ``migrations``: a folder of ``NNN_name.sql`` files; numbers are global, the runner merges and orders
  every domain's with the core's (``warehouse.connection``);
- ``metrics``: a YAML file whose ``sections``, ``measures`` and ``metrics`` join the one catalog;
- ``providers``: callables ``() -> list[metrics.providers.Provider]``, the SQL that turns the domain's
  tables into measures per shop and day (what its ``metrics`` file's ``sources`` name);
- ``person_providers``: callables ``() -> list[metrics.people.PersonProvider]``, the SQL that turns
  the domain's tables into the same measures per person, shop and day (a 客服's 询单人数 …), so a
  catalog metric is computed for one person exactly as for a shop (``metrics.people``);
- ``findings``: callables ``(con, start, end, shops, *, calendar, settings) -> list[Finding]`` that
  join ``shopops findings`` and the 日报 (``analysis.anomalies.extensions``);
- ``sheets``: callables ``(con, start, end) -> writer | None``; the writer takes the report book and
  adds the domain's sheet (after 异常发现, before 口径说明); None: nothing to show for the period;
- ``routes``: FastAPI routers, ``templates`` their Jinja folder, ``pages`` the nav entries
  ``(key, href, label)`` (key: the page's template name), shown after 异常;
- ``commands``: click commands or groups, added to ``shopops``;
- ``review_sections``: callables ``(con, year, through, shops) -> analysis.targets.review.ReviewSection
  | None``, a table of the domain's own shown under the 复盘 of the year (周报/月报): 绩效's team KPI
  completion per month beside the shops' plan vs actual;
- ``services``: callables ``(workspace) -> service`` (an object with ``start()`` and ``stop()``) that
  run inside the dashboard's process while it serves — a live room's feed watcher and alert pusher;
  the app keeps each under its domain's name (``AppState.services``) for the domain's pages;
- ``translations``: a YAML file of the page's words, Chinese → English (the dashboard's English mode);
- ``settings_hooks``: callables ``(con, settings) -> None`` (``settings``: the parsed shopops.yaml)
  that the workspace runs when it opens its warehouse and when it reads shopops.yaml again: a domain
  whose SQL depends on a setting (a provider cannot take one) keeps it in a table of its own there;
- ``undated_tables``: lists, not days (no "缺 N 天"); ``per_shop_tables``: exports only some shops have
  (an ERP's), missing days counted for the shops that imported them once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from importlib.resources.abc import Traversable
from typing import Any, Literal

from shopops.errors import UserError

GROUP = "shopops.domains"

Part = str | Callable[..., Any]  # "module:attribute" (imported when wanted) or the object itself
PartKind = Literal[
    "providers",
    "person_providers",
    "findings",
    "sheets",
    "routes",
    "commands",
    "settings_hooks",
    "review_sections",
    "services",
]


class DomainError(UserError):
    """A domain that cannot be loaded, or one whose parts do not fit: said in one line."""


@dataclass(frozen=True)
class Domain:
    name: str  # the entry point's name and the package's: rivals, service, stock …
    label: str  # 中文: 竞品, 客服 …
    sources: Traversable | None = None
    migrations: Traversable | None = None
    metrics: Traversable | None = None
    providers: tuple[Part, ...] = ()
    person_providers: tuple[Part, ...] = ()
    findings: tuple[Part, ...] = ()
    sheets: tuple[Part, ...] = ()
    routes: tuple[Part, ...] = ()
    templates: Traversable | None = None
    pages: tuple[tuple[str, str, str], ...] = ()
    commands: tuple[Part, ...] = ()
    translations: Traversable | None = None
    settings_hooks: tuple[Part, ...] = ()
    review_sections: tuple[Part, ...] = ()
    services: tuple[Part, ...] = ()
    undated_tables: tuple[str, ...] = ()  # tables of lists (a roster), not days: no "缺 N 天" for them
    # Tables of exports a shop has only when it uses the tool behind them (an ERP): their "缺 N 天"
    # counts for the shops that imported them once, not for every shop of the platform.
    per_shop_tables: tuple[str, ...] = ()


@cache
def domains() -> tuple[Domain, ...]:
    """Every installed domain, by name. Cached: ``domains.cache_clear()`` after installing one."""
    found: dict[str, Domain] = {}
    for entry in metadata.entry_points(group=GROUP):
        where = f"domain entry point {entry.name} = {entry.value!r} (group {GROUP})"
        try:
            domain = entry.load()
        except Exception as error:
            raise DomainError(f"{where} failed to load: {_one_line(error)}") from error
        if not isinstance(domain, Domain):
            raise DomainError(f"{where} is a {type(domain).__name__}, not a shopops.domains.Domain")
        if domain.name != entry.name:
            raise DomainError(f"{where} names its domain {domain.name!r}: the two names must agree")
        if domain.name in found and found[domain.name] != domain:
            raise DomainError(f"{where}: another package already declares a domain {domain.name!r}")
        found[domain.name] = domain
    return tuple(found[name] for name in sorted(found))


def parts(kind: PartKind) -> list[Any]:
    """The parts of one kind of every domain, in domain order, each imported now if named by a string."""
    return [resolve(domain, part) for domain in domains() for part in getattr(domain, kind)]


def resolve(domain: Domain, part: Part) -> Any:
    if not isinstance(part, str):
        return part
    module, _, attribute = part.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except Exception as error:
        raise DomainError(f"domain {domain.name}: cannot load {part!r}: {_one_line(error)}") from error


def files(kind: Literal["sources", "migrations"], suffix: str) -> list[Traversable]:
    """The files of every domain's ``sources`` or ``migrations`` folder that end with ``suffix``."""
    found = []
    for domain in domains():
        folder: Traversable | None = getattr(domain, kind)
        if folder is not None:
            found += [entry for entry in folder.iterdir() if entry.name.endswith(suffix)]
    return found


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
