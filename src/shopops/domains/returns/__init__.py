"""退换货与差评 (returns, exchanges and bad reviews): from the totals to the reasons to the causes.

The 千牛 退款管理 rows are the core's (``refunds``: the 总表 sums them; migration 013 added what this
domain reads — 售后类型, 货物状态, 退款说明, 责任方 …); this domain adds the 抖店 售后表
(``after_sales``) and the reviews of every platform (``reviews``). ``relations`` holds what every
analysis reads (CASES: one row per after-sale case of any platform, with its kind, shipped or not and
outcome; LINES: the paid order lines rates are of; ATTRIBUTES: style, colour, size per SKU);
``rules`` the ``returns:`` settings, among them the reason classes (品质, 仓配, 尺码, 主观,
服务/其他), which are data. Parts are named, not imported: see :mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="returns",
    label="退货与评价",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    per_shop_tables=("after_sales", "reviews"),
    metrics=HERE / "metrics.yaml",
    providers=("shopops.domains.returns.providers:returns_providers",),
    commands=(
        "shopops.domains.returns.cli:returns_group",
        "shopops.domains.returns.cli_reviews:reviews_command",
    ),
    routes=("shopops.domains.returns.page:router",),
    templates=HERE / "templates",
    pages=(("returns", "/returns", "退货"),),
    translations=HERE / "i18n.yaml",
    sheets=("shopops.domains.returns.sheet:returns_sheet",),
    findings=("shopops.domains.returns.findings:returns_findings",),
    settings_hooks=("shopops.domains.returns.providers:keep_rules",),
)
