"""商品与库存 (products and stock): ERP stock snapshots, the product master, 组合商品, and stock status.

A stock file is a snapshot of one day, SKU × warehouse (``stock_snapshot``); ERPs name their figures
differently and each source maps them to one set (on_hand, order_locked, in_transit, available). The
product master (``product_master``) and 组合商品 BOM (``product_bom``) are lists, not days. ``status``
is the per-SKU stock status (可售天数, the five turnover classes, 库龄, 库存金额) over the sales
ShopOps already holds, combos exploded into their components; ``cli`` is ``shopops stock …``.
Parts are named, not imported: see :mod:`shopops.domains`.
"""

from importlib import resources

from shopops.domains import Domain

HERE = resources.files(__name__)

DOMAIN = Domain(
    name="stock",
    label="商品与库存",
    sources=HERE / "sources",
    migrations=HERE / "migrations",
    commands=("shopops.domains.stock.cli:stock_group",),
    undated_tables=("product_master", "product_bom"),
)
