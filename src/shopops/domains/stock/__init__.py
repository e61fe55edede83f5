"""商品与库存 (products and stock): ERP stock snapshots and sales, the product master read, and what they say.

A stock file is a snapshot of one day, SKU × warehouse (``stock_snapshot``); ERPs name their figures
differently and each source maps them to one set (on_hand, order_locked, in_transit, available). ERP
sales (``erp_sales``) and eFAST 进销存 (``stock_movement``) are this domain's too; the product master
with its costs (``product_master``) is the core's, since profit needs it, and is read here. The 组合商品
BOM (``product_bom``) is a list, not days. ``relations`` holds what every analysis reads (SOLD: sales
per SKU and day, combos exploded; PRODUCTS; MOVEMENTS); ``formulas`` the named 口径 (售罄率, 动销率,
库存周转, ABC). ``status`` is the per-SKU stock status, ``alerts``/``findings`` 断货/超卖/积压,
``structure`` the 产品结构, ``launches`` the 上新 curves, ``clearance`` the 换季清仓 list; ``sheet``,
``page`` and ``cli``/``cli_products`` show them. Parts are named, not imported: see
:mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="stock",
    label="商品与库存",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    commands=("shopops.domains.stock.cli:stock_group", "shopops.domains.stock.cli_products:products_group"),
    findings=("shopops.domains.stock.findings:stock_findings",),
    undated_tables=("product_bom",),
    per_shop_tables=("stock_snapshot", "erp_sales", "stock_movement"),
    sheets=("shopops.domains.stock.sheet:stock_sheet",),
    routes=("shopops.domains.stock.page:router",),
    templates=HERE / "templates",
    pages=(("stock", "/stock", "商品"),),
    translations=HERE / "i18n.yaml",
)
