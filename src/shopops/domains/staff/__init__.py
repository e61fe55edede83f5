"""绩效考核 (staff KPI and bonus): scorecards as data, every score with its evidence.

The staff list (``staff``) says who is scored in which role and shops, manual inputs
(``staff_inputs``) what no export carries (出勤率, 质检分, a 销售目标), with who entered them. A
role's card (``cards``: presets, the workspace's scorecards.yaml, or the Excel template) lists its
lines — a catalog metric (the person's own, computed per person with the catalog's formula through
``metrics.people``, or their shops' from the 总表) or a manual input, weight, target, direction,
scoring and cap. ``scoring`` scores each person with the working and the imports behind each line,
``bonus`` splits a bonus, ``cli`` is `shopops staff …`. Parts are named, not imported: see
:mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="staff",
    label="绩效",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    undated_tables=("staff", "staff_inputs", "scorecard_lines"),
    commands=("shopops.domains.staff.cli:staff_group",),
    routes=("shopops.domains.staff.page:router",),
    templates=HERE / "templates",
    pages=(("staff", "/staff", "绩效"),),
    translations=HERE / "i18n.yaml",
    review_sections=("shopops.domains.staff.kpi_review:team_review",),
    sheets=("shopops.domains.staff.sheet:staff_sheet",),
)
