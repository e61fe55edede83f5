"""客服 (customer service): per-agent figures from 赤兔/千牛/飞鸽/咚咚, coaching, and the service side of the day.

Exports are agent × period (``service_agent_period``): a day, or the range an export was made for,
whose person counts are de-duplicated over the range — so the period stays in every key, and a range
is never summed with the days inside it. The roster (``service_roster``) ties accounts to people.
``analysis`` turns rows into per-agent figures (ratios recomputed from counts), ``coaching`` the
coaching card, ``findings`` the service findings; ``sheet`` is the 客服 sheet of the 日报, ``page``
the 客服 page, ``cli`` the ``shopops service …`` commands. Parts are named, not imported: see
:mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="service",
    label="客服",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    metrics=HERE / "metrics.yaml",
    providers=("shopops.domains.service.providers:service_providers",),
    person_providers=("shopops.domains.service.providers:service_person_providers",),
    undated_tables=("service_roster",),
    sheets=("shopops.domains.service.sheet:service_sheet",),
    routes=("shopops.domains.service.page:router",),
    templates=HERE / "templates",
    pages=(("service", "/service", "客服"),),
    translations=HERE / "i18n.yaml",
    findings=("shopops.domains.service.findings:service_findings",),
    commands=("shopops.domains.service.cli:service_group",),
)
