"""竞品 (competitors): rival shops and items, their snapshots and 生意参谋 indices, and what they tell us.

The registry of rivals (``registry``), snapshot facts (``facts``), 指数还原 (``index_fit``),
traffic mix (``traffic``) and findings (``findings`` over ``rival_checks``/``rival_rules``/
``rival_groups``) are the analysis; ``sheet`` is the 竞品 sheet of the 日报, ``page`` the 竞品 page,
``cli`` the ``shopops rival …`` commands. Parts are named, not imported: see :mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="rivals",
    label="竞品",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    findings=("shopops.domains.rivals.findings:rival_findings",),
    sheets=("shopops.domains.rivals.sheet:rival_sheet",),
    routes=("shopops.domains.rivals.page:router",),
    templates=HERE / "templates",
    pages=(("rivals", "/rivals", "竞品"),),
    commands=("shopops.domains.rivals.cli:rival_group",),
    # 竞店分析 / 本店交易指数 exist for the shops an operator follows rivals for, not for every shop
    per_shop_tables=("rival_index_day", "rival_traffic_day"),
)
